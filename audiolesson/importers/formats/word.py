"""DOCX -> Book, with python-docx: Heading 1/2 are chapters, paragraphs and lists narration.

The zip is checked first (bomb, encrypted members) and every XML part's prolog is parsed with
defusedxml, so a DTD (entity bomb, XXE) is refused before python-docx reads anything. Title,
author and language come from the document properties (the language from the default style
when the properties have none). Not read: page headers and footers, footnotes, comments,
tracked deletions, text boxes, tables, the table of contents and captions.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from ...errors import ScriptError
from ..book import Book, Cover, Outline, sentence
from ._xml import check_prolog, local
from ._zip import Archive

__all__ = ["read_docx"]

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_TEXT_TAGS = {f"{W}t": None, f"{W}tab": " ", f"{W}br": "\n", f"{W}cr": "\n"}
_TEXT_TAGS[f"{W}noBreakHyphen"] = "-"
#: containers whose text is not the paragraph's own (deleted, a text box, a fallback copy)
_NOT_OWN = frozenset({"del", "movefrom", "txbxcontent", "fallback", "instrtext", "deltext"})
_HEADING = re.compile(r"heading ([1-9])", re.IGNORECASE)
_SKIP_STYLES = re.compile(r"(toc( \d| heading)?|table of figures|caption|header|footer)", re.I)


def _check(path: Path) -> None:
    """Zip limits, then no DTD in any XML part (python-docx would otherwise parse it)."""
    with Archive(path, "DOCX") as zf:
        if "word/document.xml" not in zf.members:
            raise ScriptError("is not a valid DOCX: word/document.xml is missing", path=path)
        for name in zf.members:
            if name.endswith((".xml", ".rels")):
                check_prolog(zf.head(name, 65536), path, name)


def _text(p: Any) -> str:
    """A paragraph's own text: runs, tabs and breaks, in order, nothing deleted or boxed."""
    parts = []
    for el in p.iter(*_TEXT_TAGS):
        node, own = el.getparent(), True
        while node is not None and node is not p:
            if local(node.tag) in _NOT_OWN:
                own = False
                break
            node = node.getparent()
        if own:
            fixed = _TEXT_TAGS[el.tag]
            parts.append((el.text or "") if fixed is None else fixed)
    return "".join(parts)


def _level(paragraph: Any) -> int | None:
    """Heading level from the style (Heading N) or the outline level it sets."""
    style = paragraph.style
    while style is not None:
        m = _HEADING.fullmatch(style.name or "")
        if m:
            return int(m.group(1))
        outline = style.element.find(f"{W}pPr/{W}outlineLvl")
        if outline is not None and (outline.get(f"{W}val") or "").isdigit():
            return int(outline.get(f"{W}val")) + 1
        style = style.base_style
    own = paragraph._p.find(f"{W}pPr/{W}outlineLvl")
    if own is not None and (own.get(f"{W}val") or "").isdigit() and int(own.get(f"{W}val")) < 9:
        return int(own.get(f"{W}val")) + 1
    return None


def _language(document: Any) -> str | None:
    lang = document.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    return lang.get(f"{W}val") if lang is not None else None


def _blocks(body: Any) -> list[Any]:
    """Body paragraphs in order, also inside content controls (not a table of contents)."""
    out, todo = [], list(reversed(list(body)))
    while todo:
        el = todo.pop()
        tag = local(el.tag)
        if tag == "p":
            out.append(el)
        elif tag == "sdt":
            gallery = el.find(f"{W}sdtPr/{W}docPartObj/{W}docPartGallery")
            if gallery is not None and "content" in (gallery.get(f"{W}val") or "").lower():
                continue  # "Table of Contents"
            content = el.find(f"{W}sdtContent")
            if content is not None:
                todo.extend(reversed(list(content)))
    return out


def read_docx(path: Path) -> Book:
    """Read a Word document into a Book."""
    _check(path)
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.text.paragraph import Paragraph
    from lxml.etree import LxmlError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, LxmlError) as exc:
        raise ScriptError(f"is not a valid DOCX: {exc}", path=path) from None
    props = document.core_properties
    title = (props.title or "").strip() or None
    outline = Outline()
    cover: Cover | None = None
    headings = 0
    for p_el in _blocks(document.element.body):
        paragraph = Paragraph(p_el, document)
        name = paragraph.style.name if paragraph.style is not None else ""
        text = _text(p_el)
        if headings == 0 and cover is None:
            blip = next(
                p_el.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}blip"), None
            )
            rel = blip.get(f"{R}embed") if blip is not None else None
            if rel and rel in document.part.related_parts:
                cover = Cover.of(document.part.related_parts[rel].blob)
        if not text.strip() or _SKIP_STYLES.fullmatch(name or ""):
            continue
        if name == "Title":
            if title is None:
                title = " ".join(text.split())
            elif " ".join(text.split()) != title:
                outline.paragraph(sentence(text))  # a title line other than the document's
            continue
        level = _level(paragraph)
        if level is not None:
            outline.heading(text, level)
            headings += 1
            continue
        listed = p_el.find(f"{W}pPr/{W}numPr") is not None or (name or "").startswith("List")
        outline.paragraph(sentence(text) if listed else text)
    outline.drop_title(title)
    return Book(
        source=path,
        kind="DOCX",
        sections=outline.sections(),
        title=title,
        author=(props.author or "").strip() or None,
        language=(props.language or "").strip() or _language(document),
        cover=cover,
    )
