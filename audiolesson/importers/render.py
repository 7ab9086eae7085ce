"""A Book -> one script's text: front matter, `#`/`##` headings, narration and dialogue turns.

The one writer for every format. Dialogue stays dialogue: paragraphs that start with a speaker
label (`Teacher: ...`) become turns when the book has an exchange of them (two or more labels
taking turns); any other `Word: ...` paragraph is narration, escaped so the script reads it so.
"""

from __future__ import annotations

import re

from ..errors import ScriptError
from ..script.front_matter import (
    _LANGUAGE_RE,  # the front matter's own rule for a language code
    readable_title,
)
from ..script.model import MAX_SCRIPT_BYTES
from ..voices.library import NARRATOR_VOICE
from .book import Book, Section

# The course-page importer's script-writing helpers: escaping text the script format would
# misread, headings, the cast of speaker labels, and the front matter + body layout. Imported
# here only, so every format writes scripts the same way.
from .course_page import ImportedScript
from .script_text import clean_line, default_cast, heading_line, narration_line, script_text

__all__ = ["MAX_PARAGRAPH_CHARS", "render_book", "speakers_of"]

#: a longer paragraph is cut at sentence ends into several turns (shorter turns cache and
#: synthesise in smaller steps; a script line may not pass MAX_LINE_CHARS)
MAX_PARAGRAPH_CHARS = 2500
# A speaker label as the script format reads one (1-4 words, a capital first), no underscores
# (they would need escaping, and the cast must match the label as written).
_LABEL = re.compile(r"([^\W\d_][^\W_]*(?:[.'’-][^\W_]*)*(?: [^\W_][^\W_.'’-]*){0,3}):[ \t]+(?=\S)")
#: labels that introduce a note, not a speaker ("Note: ...", "Example: ...")
NOT_SPEAKERS = frozenset(
    """note notes warning caution tip hint example examples summary definition source sources
    see figure fig table step exercise important remember key objective objectives goal goals
    result results conclusion chapter part section lesson unit title author date subject
    keywords abstract introduction answer solution problem question task activity reference
    references update edit caption illustration photo image credit credits tags category
    contents published posted by""".split()
)
_SENTENCE_END = re.compile(r"(?<=[.!?…:;])[\"'”’)\]]*\s+(?=\S)")


def _label(text: str) -> str | None:
    """The speaker label a paragraph starts with, if it could be one."""
    m = _LABEL.match(text)
    if m is None or not (m.group(1)[0].isupper() or m.group(1)[0].istitle()):
        return None
    label = m.group(1)
    return None if label.casefold().rstrip(".") in NOT_SPEAKERS else label


def _lines(paragraph: str) -> list[str]:
    """A paragraph as script paragraphs: a block of `Name: ...` lines stays one line each."""
    lines = paragraph.split("\n")
    if len(lines) > 1 and all(_label(line) for line in lines):
        return lines
    return [" ".join(lines)]


def speakers_of(sections: list[Section]) -> set[str]:
    """Labels that take turns: each appears in a run of two or more labelled paragraphs."""
    speakers: set[str] = set()
    for section in sections:
        run: list[str] = []
        for paragraph in [*(p for raw in section.paragraphs for p in _lines(raw)), ""]:
            label = _label(paragraph)
            if label is not None:
                run.append(label)
                continue
            if len(run) >= 2 and len(set(run)) >= 2:
                speakers.update(run)
            run = []
    return speakers


def _pieces(text: str, limit: int = MAX_PARAGRAPH_CHARS) -> list[str]:
    """A paragraph cut at sentence ends (else at spaces) into pieces of at most `limit` chars."""
    if len(text) <= limit:
        return [text]
    sentences = [s for s in _SENTENCE_END.split(text) if s]
    pieces: list[str] = []
    for sentence in sentences:
        while len(sentence) > limit:  # one sentence longer than a turn: cut at a space
            cut = sentence.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            pieces.append(sentence[:cut])
            sentence = sentence[cut:].lstrip()
        if pieces and len(pieces[-1]) + 1 + len(sentence) <= limit:
            pieces[-1] += " " + sentence
        elif sentence:
            pieces.append(sentence)
    return pieces


def _body(sections: list[Section], speakers: set[str]) -> tuple[list[str], int, list[str]]:
    """Script blocks, the number of turns, and the speakers in order of first appearance."""
    body: list[str] = []
    turns = 0
    order: list[str] = []
    seen_chapter = False
    for section in sections:
        if section.title is not None:
            # A sub-chapter before any chapter is a chapter (the script format says so too).
            level = section.level if seen_chapter else 1
            body.append(("#" * (level - 1)) + heading_line(section.title))
            seen_chapter = True
        for raw in section.paragraphs:
            for line in _lines(raw):
                label = _label(line)
                if label in speakers:
                    rest = line[_LABEL.match(line).end() :]  # type: ignore[union-attr]
                    for piece in _pieces(rest):
                        body.append(f"{label}: {clean_line(piece)}")
                        turns += 1
                    if label not in order:
                        order.append(label)
                    continue
                for piece in _pieces(line):
                    text = clean_line(piece)
                    if text:
                        body.append(narration_line(text))
                        turns += 1
    return body, turns, order


def render_book(
    book: Book,
    name: str,
    *,
    series: str | None = None,
    episode: str | None = None,
    cover: str | None = None,
) -> ImportedScript:
    """The script `name` for a book; `cover` is the image's file name beside the script."""
    speakers = speakers_of(book.sections)
    body, turns, order = _body(book.sections, speakers)
    if not turns:
        raise ScriptError(f"no text found in this {book.kind}; nothing to import", path=book.source)
    meta: dict[str, object] = {"title": book.title or readable_title(str(book.source))}
    if book.author:
        meta["author"] = book.author
    series = series or book.series
    if series:
        meta["series"] = series
        number = episode or book.episode
        if number:
            meta["episode"] = int(number) if number.isdigit() else number
    if book.language and _LANGUAGE_RE.fullmatch(book.language):
        meta["language"] = book.language
    if cover:
        meta["cover"] = cover
    meta["narrator"] = NARRATOR_VOICE
    if order:
        meta["cast"] = default_cast(order)
    text = script_text(meta, body)
    size = len(text.encode("utf-8"))
    if size > MAX_SCRIPT_BYTES:
        raise ScriptError(
            f"this {book.kind} makes a script of {size / 1e6:.1f} MB, over the "
            f"{MAX_SCRIPT_BYTES // 1024 // 1024} MB a script may be; split the book into "
            "several files (one episode each) and import those",
            path=book.source,
        )
    chapters = sum(1 for s in book.sections if s.title is not None) or 1
    return ImportedScript("book", name, text, chapters, turns)
