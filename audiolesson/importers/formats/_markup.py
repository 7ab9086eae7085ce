"""(X)HTML element trees -> an Outline: block elements are paragraphs, h1-h6 headings.

Shared by EPUB chapters (ElementTree from defusedxml) and web pages (lxml, after trafilatura).
The walk uses its own stack, so a page nested ten thousand levels deep is no recursion problem.
Never spoken: scripts, styles, images and figures, tables, code blocks, forms, ruby
annotations, footnotes and endnotes, and the note markers that point to them.
"""

from __future__ import annotations

import re
from typing import Any

from ..book import Outline, sentence
from ._xml import local

__all__ = ["Walker"]

EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
HEADINGS = {f"h{n}": n for n in range(1, 7)}
#: elements whose text is not read: code, tables, pictures, forms, metadata, notes' containers
SKIP = frozenset(
    """head script style noscript template svg math iframe object embed video audio canvas
    button select input textarea option rt rp img figure table pre nav form""".split()
)
#: elements that end the paragraph before them and start one of their own
BLOCKS = frozenset(
    """p div section article main body html blockquote li dd dt ul ol dl header footer
    address center hgroup details summary caption hr aside figcaption
    list item quote row cell""".split()
)
ITEMS = frozenset({"li", "item", "dt", "dd"})
BREAKS = frozenset({"br", "lb"})
#: epub:type / role values of notes and of the markers that point to them
NOTE_TYPES = frozenset(
    """footnote footnotes endnote endnotes rearnote rearnotes note notes doc-footnote
    doc-endnote doc-endnotes doc-pagebreak pagebreak""".split()
)
NOTEREF_TYPES = frozenset({"noteref", "doc-noteref", "doc-backlink", "backlink"})
_MARKER = re.compile(r"\[?\(?(\d{1,3}|[a-z]|[*†‡§¶]+)\)?\]?")


def _types(el: Any) -> set[str]:
    words = f"{el.get(EPUB_TYPE) or el.get('epub:type') or ''} {el.get('role') or ''}"
    return set(words.lower().split())


def _is_marker(el: Any, tag: str) -> bool:
    """A footnote marker: a noteref link, or a short link or superscript pointing to a note."""
    if _types(el) & NOTEREF_TYPES:
        return True
    if tag not in ("a", "sup", "span", "ref"):
        return False
    if len(el) > 2:
        return False
    text = ((el.text or "") + "".join((c.text or "") + (c.tail or "") for c in el)).strip()
    if not _MARKER.fullmatch(text):
        return False
    href = el.get("href") or el.get("target") or ""
    if tag in ("a", "ref"):
        return "#" in href
    return any(local(c.tag) == "a" and "#" in (c.get("href") or "") for c in el)


class Walker:
    """Walks element trees into an Outline; subclasses may treat headings and ids their way."""

    def __init__(self, outline: Outline) -> None:
        self.outline = outline
        self.buffer: list[str] = []

    # --- hooks -----------------------------------------------------------------------------

    def heading(self, text: str, rank: int) -> None:
        """A heading met in the text (default: a heading of that rank)."""
        self.outline.heading(text, rank)

    def element_id(self, value: str) -> None:
        """An element with an id starts (EPUB chapters begin at the ids their navigation names)."""

    def skipped(self, el: Any) -> bool:
        """Whether an element (and all under it) is left out, beyond what every walk skips."""
        return False

    def heading_rank(self, el: Any, tag: str) -> int | None:
        """h1-h6 -> 1-6 (trafilatura's <head rend="h2"> in its dialect)."""
        if tag == "head" and el.get("rend"):
            return HEADINGS.get(el.get("rend"), 2)
        return HEADINGS.get(tag)

    # --- the walk ----------------------------------------------------------------------------

    def add(self, text: str | None) -> None:
        if text:
            self.buffer.append(text.replace("\n", " ").replace("\r", " "))

    def flush(self, item: bool = False) -> None:
        """The text gathered since the last block boundary becomes a paragraph."""
        text = "".join(self.buffer).strip()
        self.buffer = []
        if text:
            self.outline.paragraph(sentence(text) if item else text)

    def walk(self, root: Any, *, skip_root_tail: bool = True) -> None:
        """Read root and everything under it, in document order."""
        stack: list[tuple[bool, Any]] = [(False, root)]
        while stack:
            closing, el = stack.pop()
            tag = local(el.tag)
            if closing:
                if tag in BLOCKS:
                    self.flush(item=tag in ITEMS)
                if el is not root or not skip_root_tail:
                    self.add(el.tail)
                continue
            if not isinstance(el.tag, str):  # a comment or processing instruction
                self.add(el.tail)
                continue
            if el.get("id"):
                self.element_id(el.get("id"))
            if (
                (tag in SKIP and not (tag == "head" and el.get("rend")))
                or _types(el) & NOTE_TYPES
                or el.get("hidden") is not None
                or _is_marker(el, tag)
                or self.skipped(el)
            ):
                if tag in BLOCKS or tag in SKIP:
                    self.flush()
                self.add(el.tail)
                continue
            rank = self.heading_rank(el, tag)
            if rank is not None:
                self.flush()
                self.heading(self.inline_text(el), rank)
                self.add(el.tail)
                continue
            if tag in BREAKS:
                self.buffer.append("\n")
                self.add(el.tail)
                continue
            if tag in BLOCKS:
                self.flush()
            self.add(el.text)
            stack.append((True, el))
            stack.extend((False, child) for child in reversed(list(el)))
        self.flush()

    def inline_text(self, el: Any) -> str:
        """A heading's words (note markers, images and code left out), on one line."""
        parts: list[str] = []
        stack: list[tuple[bool, Any]] = [(False, el)]
        while stack:
            closing, node = stack.pop()
            if closing:
                if node is not el and node.tail:
                    parts.append(node.tail)
                continue
            tag = local(node.tag)
            skipped = tag in SKIP and not (tag == "head" and node.get("rend"))
            if not isinstance(node.tag, str) or skipped or _is_marker(node, tag):
                if node is not el and node.tail:
                    parts.append(node.tail)
                continue
            if tag in BREAKS:
                parts.append(" ")
            parts.append(node.text or "")
            stack.append((True, node))
            stack.extend((False, child) for child in reversed(list(node)))
        return " ".join("".join(parts).split())
