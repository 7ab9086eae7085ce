"""Plain text and Markdown -> Book.

Plain text: paragraphs are separated by blank lines (a file with none has one per line);
chapter headings are recognised: "Chapter 3", "Part Two", "Prologue", a short line in capitals.
A Project Gutenberg file loses its licence header and footer, and its "Title:"/"Author:" lines
become the title and author. Markdown is parsed with markdown-it-py (CommonMark): headings,
paragraphs, list items and quotes are read; code, HTML blocks and images are not.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ...files import read_text
from ...script.front_matter import read_front_matter
from ..book import Book, Outline, sentence

__all__ = ["MAX_TEXT_BOOK_BYTES", "read_markdown", "read_text_book"]

#: a text or Markdown book larger than this is refused (the script it makes would be too)
MAX_TEXT_BOOK_BYTES = 50 * 1024 * 1024
_NUMBER = (
    r"(\d{1,4}|[ivxlcdm]{1,8}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|first|second|"
    r"third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last)"
)
# rank: a part or book holds chapters, a chapter sections
_NUMBERED = re.compile(
    rf"(?P<kind>part|book|volume|chapter|lesson|unit|section)\.?\s+{_NUMBER}\b[^\n]{{0,90}}",
    re.IGNORECASE,
)
_RANKS = {"part": 1, "book": 1, "volume": 1, "chapter": 2, "lesson": 2, "unit": 2, "section": 3}
_NAMED = re.compile(
    r"(prologue|epilogue|preface|foreword|afterword|introduction|conclusion|appendix"
    r"( [a-z0-9]{1,3})?)[.:]?",
    re.IGNORECASE,
)
_GUTENBERG_START = re.compile(r"\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG.*", re.IGNORECASE)
_GUTENBERG_END = re.compile(r"\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG.*", re.IGNORECASE)
_GUTENBERG_FIELD = re.compile(r"(Title|Author|Language): (.+)")
_LANGUAGES = {"english": "en", "french": "fr", "german": "de", "spanish": "es", "italian": "it"}


def _heading_rank(paragraph: str) -> int | None:
    """The rank of a one-line paragraph that is a chapter heading, else None."""
    line = paragraph.strip()
    if "\n" in line or len(line) > 100:
        return None
    m = _NUMBERED.fullmatch(line)
    if m:
        return _RANKS[m.group("kind").lower()]
    if _NAMED.fullmatch(line):
        return 2
    letters = [c for c in line if c.isalpha()]
    capitals = len(letters) >= 3 and all(c.isupper() for c in letters if c.isalpha())
    if capitals and len(line.split()) <= 10 and line[-1] not in ".,;:!?":
        return 2
    return None


def _gutenberg(text: str, meta: dict[str, str]) -> str:
    """The text between Project Gutenberg's START and END lines (its fields into meta)."""
    lines = text.split("\n")
    start = next((k for k, line in enumerate(lines) if _GUTENBERG_START.fullmatch(line)), None)
    if start is None:
        return text
    for line in lines[:start]:
        field = _GUTENBERG_FIELD.fullmatch(line.strip())
        if field:
            meta.setdefault(field.group(1).lower(), field.group(2).strip())
    end = next(
        (k for k in range(start + 1, len(lines)) if _GUTENBERG_END.fullmatch(lines[k])), None
    )
    return "\n".join(lines[start + 1 : end])


def read_text_book(path: Path) -> Book:
    """A plain-text book: paragraphs and recognised chapter headings."""
    text = read_text(path, "file", limit=MAX_TEXT_BOOK_BYTES)
    meta: dict[str, str] = {}
    text = _gutenberg(text, meta)
    if re.search(r"\n[ \t]*\n", text.strip()):
        paragraphs = re.split(r"\n[ \t]*\n", text)
    else:
        paragraphs = text.split("\n")  # no blank lines: one paragraph per line
    paragraphs = [p.strip("\n") for p in paragraphs if p.strip()]
    outline = Outline()
    title = meta.get("title")
    if not title and paragraphs:
        first = paragraphs[0].strip()
        # A short first line that is not a sentence is the book's title.
        if "\n" not in first and len(first) <= 80 and first[-1] not in ".!?:;,":
            title = " ".join(first.split())
            paragraphs = paragraphs[1:]
    for paragraph in paragraphs:
        lines = paragraph.split("\n")
        # "CHAPTER I" then its name on the next line is one heading.
        rank = _heading_rank(lines[0])
        if rank is not None and len(lines) == 2 and len(lines[1].strip()) <= 80:
            name = lines[1].strip()
            if name and name[-1] not in ".!?,;":
                outline.heading(f"{lines[0].strip().rstrip('.:')}: {name}", rank)
                continue
        rank = _heading_rank(paragraph)
        if rank is not None:
            outline.heading(paragraph, rank)
        else:
            outline.paragraph(paragraph)
    outline.drop_title(title)
    language = meta.get("language", "").lower()
    return Book(
        source=path,
        kind="text",
        sections=outline.sections(),
        title=title,
        author=meta.get("author"),
        language=_LANGUAGES.get(language),
    )


def _inline(token: Any) -> str:
    """A markdown-it inline token's words: text and code, line breaks kept, markup dropped."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def read_markdown(path: Path) -> Book:
    """A Markdown book: headings, paragraphs, list items and quotes (CommonMark)."""
    from markdown_it import MarkdownIt

    text = read_text(path, "file", limit=MAX_TEXT_BOOK_BYTES)
    lines = text.split("\n")
    meta, first = read_front_matter(lines, str(path), [])
    tokens = MarkdownIt("commonmark").parse("\n".join(lines[first:]))
    outline = Outline()
    items = 0  # depth of open list items: their paragraphs end like sentences
    k = 0
    while k < len(tokens):
        token = tokens[k]
        if token.type == "list_item_open":
            items += 1
        elif token.type == "list_item_close":
            items -= 1
        elif token.type == "heading_open":
            outline.heading(_inline(tokens[k + 1]), int(token.tag[1:]))
            k += 2
        elif token.type == "inline" and tokens[k - 1].type == "paragraph_open":
            words = _inline(token)
            outline.paragraph(sentence(words) if items else words)
        k += 1
    title = meta.title
    headings = [text for rank, text in outline.blocks if rank == 1]
    if not title and len(headings) == 1 and outline.blocks and outline.blocks[0][0] == 1:
        title = headings[0]  # one `#` heading on top is the document's title
    outline.drop_title(title)
    return Book(
        source=path,
        kind="Markdown",
        sections=outline.sections(),
        title=title,
        author=meta.author,
        language=meta.language if "language" in meta.lines else None,
    )
