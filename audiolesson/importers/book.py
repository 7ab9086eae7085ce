"""A book as every reader gives it: metadata, a cover and chapters of paragraphs.

Each format's reader (importers/formats/) fills an `Outline` with headings and paragraphs as the
source has them; `Outline.sections()` turns the source's heading ranks into the script format's
two levels. `render.render_book` then writes one script from a `Book`, whatever its format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ScriptWarning
from ..images import EXTENSIONS, MAX_IMAGE_BYTES, image_problem, image_type

__all__ = ["Book", "Cover", "Outline", "Section", "same_words"]

#: cover images a script may name (what the exporter embeds), by their first bytes
#: the file extension a cover of each image type is written with
COVER_EXTENSIONS = EXTENSIONS
#: a cover image larger than this is left out (an EPUB's cover is a few hundred KB)
MAX_COVER_BYTES = MAX_IMAGE_BYTES
#: a longer "heading" is read as a paragraph
MAX_HEADING_CHARS = 300
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Cover:
    """A cover image: its bytes and the file extension its content calls for."""

    data: bytes
    extension: str  #: ".png" or ".jpg"

    @classmethod
    def of(cls, data: bytes) -> Cover | None:
        """A Cover for PNG or JPEG bytes; None for anything else (the exporter takes only those)."""
        if len(data) > MAX_COVER_BYTES or image_problem(data) is not None:  # a whole image only
            return None
        kind = image_type(data)
        return cls(data, COVER_EXTENSIONS[kind]) if kind else None


@dataclass
class Section:
    """A chapter (level 1) or sub-chapter (level 2) and its paragraphs, in reading order.

    A paragraph may hold line breaks ("\\n") where the source broke lines inside it: a run of
    `Name: text` lines is a dialogue, anything else is joined into one paragraph.
    """

    title: str | None  #: None: text before the first heading
    level: int
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Book:
    """What a reader found in one file, before it is written as a script."""

    source: Path
    kind: str  #: "EPUB", "PDF", "DOCX", "HTML", "Markdown" or "text"
    sections: list[Section]
    title: str | None = None
    author: str | None = None
    language: str | None = None
    cover: Cover | None = None
    series: str | None = None  #: when the book says which series it belongs to
    episode: str | None = None  #: its number in that series
    pages: int | None = None  #: PDF pages (for the summary)
    warnings: list[ScriptWarning] = field(default_factory=list)


def same_words(a: str, b: str) -> bool:
    """Whether two titles say the same words ("Chapter 1: Light" and "CHAPTER 1 - light")."""
    return _WORD.findall(a.casefold()) == _WORD.findall(b.casefold())


class Outline:
    """Headings (with the source's rank: 1 is the largest) and paragraphs, in reading order."""

    def __init__(self) -> None:
        self.blocks: list[tuple[int | None, str]] = []  #: (rank, heading) or (None, paragraph)

    def heading(self, text: str, rank: int) -> None:
        """A heading of the given rank (h1 = 1, a nav entry's depth, a font size's place)."""
        text = " ".join(text.split())
        if len(text) > MAX_HEADING_CHARS:  # no heading is that long: a paragraph set large
            self.paragraph(text)
        elif text:
            self.blocks.append((rank, text))

    def paragraph(self, text: str) -> None:
        """A paragraph of narration or dialogue (blank ones are dropped)."""
        lines = [" ".join(line.split()) for line in text.split("\n")]
        text = "\n".join(line for line in lines if line)
        if text:
            self.blocks.append((None, text))

    def drop_title(self, title: str | None) -> None:
        """Drop a first heading that only repeats the book's title (it is in the front matter)."""
        first = next((k for k, (rank, _) in enumerate(self.blocks) if rank is not None), None)
        if title and first is not None and same_words(self.blocks[first][1], title):
            # Only when nothing but paragraphs of front matter (a byline) came before it.
            if first <= 2:
                del self.blocks[first]

    def sections(self) -> list[Section]:
        """Sections with the two largest heading ranks as chapters and sub-chapters.

        Smaller headings are read as paragraphs of their own (with a full stop, so the voice
        pauses after them). A chapter with nothing under it (a part title followed by its
        first chapter) says its title, so its chapter mark has something to play.
        """
        ranks = sorted({rank for rank, _ in self.blocks if rank is not None})
        level = {rank: k + 1 for k, rank in enumerate(ranks[:2])}
        out: list[Section] = []
        for rank, text in self.blocks:
            if rank is not None and rank in level:
                out.append(Section(text, level[rank]))
                continue
            if not out:
                out.append(Section(None, 1))
            out[-1].paragraphs.append(text if rank is None else sentence(text))
        for k, section in enumerate(out):
            below = k + 1 < len(out) and out[k + 1].level > section.level
            if not section.paragraphs and not below and section.title:
                section.paragraphs.append(sentence(section.title))
        return out


def sentence(text: str) -> str:
    """Text that ends like a sentence (a heading or a list item read aloud gets a full stop)."""
    text = text.strip()
    if text and (text[-1].isalnum() or text[-1] in ")\"'”’"):
        return text + "."
    return text
