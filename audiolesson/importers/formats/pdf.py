"""PDF -> Book with pdfminer.six, one page at a time.

Why pdfminer.six (over pypdf, which extracts text about as fast here): its layout analysis
groups characters into lines and text boxes with their positions and font sizes, and orders
the boxes of a page in columns (`boxes_flow`); that is what finding running headers, page
numbers, headings and paragraphs needs. pypdf gives text in content-stream order, with
positions only through a visitor, and leaves the layout to us. Pages are processed one by one
and each is reduced at once to a few numbers per line (`_Line`), so memory follows the text,
not the layout objects: a 1,000-page book stays far under 300 MB (BENCHMARKS.md).

From the lines: text repeated at the same place on many pages (running headers and footers)
and page numbers in the top and bottom margins are dropped; chapters come from the outline
(bookmarks) when there is one, else from font sizes larger than the body text; lines are
re-joined into paragraphs (a word hyphenated at a line end joined again), also across columns
and pages when a paragraph runs on.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import ScriptError, ScriptWarning
from ..book import Book, Outline, same_words, sentence

__all__ = ["read_pdf"]

#: share of the page height at the top and at the bottom where headers and footers live
MARGIN = 0.11
#: a line this much larger than the body text (and short) is a heading
HEADING_RATIO = 1.18
MAX_HEADING_WORDS = 20
_PAGE_NUMBER = re.compile(
    r"(page\s+)?(\d{1,4}|[ivxlcdm]{1,7})(\s*(/|of)\s*\d{1,4})?|[-–—]\s*\d{1,4}\s*[-–—]", re.I
)
#: document-info titles that name no book (a printed blank page, a file name, Word's prefix)
_NO_TITLE = re.compile(
    r"about:blank|untitled.*|microsoft word - .*|.*\.(docx?|pdf|html?|txt)", re.I
)
_ENDS_SENTENCE = re.compile(r"[.!?:;…\"”’)\]]$")


@dataclass(frozen=True)
class _Line:
    """What is kept of a text line: its text, place and size (the layout objects are freed)."""

    page: int
    box: int  #: index of its text box on the page, in reading order
    text: str
    x0: float
    x1: float
    top: float  #: distance from the top of the page
    size: float  #: median character size
    height: float  #: the page's height


@dataclass(frozen=True)
class _Mark:
    """An outline entry: where a chapter starts."""

    level: int
    title: str
    page: int
    top: float | None


def _reading_order(boxes: list[Any], height: float) -> list[Any]:
    """Text boxes in reading order: between boxes as wide as the text, columns left to right.

    pdfminer's own ordering (boxes_flow) reads a right column first when it starts a few
    points higher than the left one, as Chromium's columns do; this one does not, and skipping
    pdfminer's hierarchical grouping makes each page faster to lay out.
    """
    # boxes wholly in the top or bottom margin (headers, footers): kept apart, in place
    margin = [b for b in boxes if b.y0 > (1 - MARGIN) * height or b.y1 < MARGIN * height]
    body = sorted((b for b in boxes if b not in margin), key=lambda b: -b.y1)
    if not body:
        return margin
    left, right = min(b.x0 for b in body), max(b.x1 for b in body)
    wide = 0.55 * (right - left)  # two columns are under half the width each
    ordered: list[Any] = []
    band: list[Any] = []

    def close_band() -> None:
        columns: list[list[Any]] = []  # narrow boxes grouped by overlapping x ranges
        for box in sorted(band, key=lambda b: b.x0):
            if columns and box.x0 < max(b.x1 for b in columns[-1]) - 2:
                columns[-1].append(box)
            else:
                columns.append([box])
        for column in columns:
            ordered.extend(sorted(column, key=lambda b: -b.y1))
        band.clear()

    for box in body:
        if box.x1 - box.x0 >= wide:
            close_band()
            ordered.append(box)
        else:
            band.append(box)
    close_band()
    top = [b for b in margin if b.y0 > (1 - MARGIN) * height]
    return top + ordered + [b for b in margin if b not in top]


def _lines(layout: Any, page: int) -> list[_Line]:
    """A laid-out page's text lines in reading order (columns one after another)."""
    from pdfminer.layout import LTChar, LTTextBox, LTTextLine

    out: list[_Line] = []
    boxes = [el for el in layout if isinstance(el, LTTextBox | LTTextLine)]
    for b, box in enumerate(_reading_order(boxes, layout.height)):
        for line in box if isinstance(box, LTTextBox) else [box]:
            text = " ".join(line.get_text().split())
            if not text:
                continue
            sizes = sorted(round(c.size, 1) for c in line if isinstance(c, LTChar))
            size = sizes[len(sizes) // 2] if sizes else 0.0
            top = layout.height - line.y1
            out.append(_Line(page, b, text, line.x0, line.x1, top, size, layout.height))
    return out


def _chrome(pages: list[list[_Line]]) -> set[tuple[int, int, str]]:
    """(page, rounded top, text) of running headers, footers and page numbers."""
    where: dict[tuple[str, int], set[int]] = {}
    found: set[tuple[int, int, str]] = set()
    for lines in pages:
        for line in lines:
            if MARGIN * line.height < line.top < (1 - MARGIN) * line.height:
                continue
            key = (re.sub(r"\d+", "#", line.text.casefold()), round(line.top / 4))
            where.setdefault(key, set()).add(line.page)
            if _PAGE_NUMBER.fullmatch(line.text):
                found.add((line.page, round(line.top / 4), line.text))
    repeated = min(3, max(2, len(pages)))
    for lines in pages:
        for line in lines:
            key = (re.sub(r"\d+", "#", line.text.casefold()), round(line.top / 4))
            if len(where.get(key, ())) >= repeated:
                found.add((line.page, round(line.top / 4), line.text))
    return found


def _decode(value: Any) -> str | None:
    from pdfminer.pdftypes import resolve1
    from pdfminer.psparser import PSLiteral
    from pdfminer.utils import decode_text

    value = resolve1(value)
    if isinstance(value, bytes):
        text = decode_text(value)
    elif isinstance(value, PSLiteral):
        text = str(value.name)
    elif isinstance(value, str):
        text = value
    else:
        return None
    text = " ".join(text.replace("\x00", "").split())
    return text or None


def _marks(doc: Any, pages: dict[object, tuple[int, float]]) -> list[_Mark]:
    """Outline entries resolved to (page index, top); entries that point nowhere are skipped."""
    from pdfminer.pdfdocument import PDFNoOutlines
    from pdfminer.pdftypes import resolve1

    try:
        outlines = list(doc.get_outlines())
    except PDFNoOutlines:
        return []
    marks = []
    for level, title, dest, action, _ in outlines[:5000]:
        if dest is None and action is not None:
            action = resolve1(action)
            dest = action.get("D") if isinstance(action, dict) else None
        dest = resolve1(dest)
        if isinstance(dest, bytes | str) or hasattr(dest, "name"):
            try:
                dest = resolve1(doc.get_dest(getattr(dest, "name", dest)))
            except Exception:  # noqa: BLE001 (a named destination that is not there)
                continue
        if isinstance(dest, dict):
            dest = resolve1(dest.get("D"))
        if not isinstance(dest, list) or not dest:
            continue
        ref = dest[0]
        objid = getattr(ref, "objid", None)
        if objid not in pages or not _decode(title):
            continue
        index, height = pages[objid]
        top = None
        if len(dest) > 3 and getattr(dest[1], "name", None) == "XYZ":
            y = resolve1(dest[3])
            top = height - float(y) if isinstance(y, int | float) else None
        marks.append(_Mark(int(level), _decode(title) or "", index, top))
    return marks


class _Assembler:
    """Lines (chrome removed) -> headings and paragraphs of an Outline."""

    def __init__(self, outline: Outline, body: float, width: float, use_sizes: bool) -> None:
        self.outline = outline
        self.body = body
        self.width = width  #: the widest body line: a line this wide runs on
        self.use_sizes = use_sizes
        self.text = ""
        self.last: _Line | None = None
        self.ranks: dict[float, int] = {}

    def flush(self) -> None:
        if self.text:
            self.outline.paragraph(self.text)
        self.text, self.last = "", None

    def heading(self, title: str, rank: int) -> None:
        self.flush()
        self.outline.heading(title, rank)

    def is_heading(self, line: _Line) -> bool:
        return (
            line.size >= self.body * HEADING_RATIO and len(line.text.split()) <= MAX_HEADING_WORDS
        )

    def line(self, line: _Line) -> None:
        if self.is_heading(line):
            if self.use_sizes:
                rank = self.ranks[round(line.size)]
                previous = self.outline.blocks[-1] if self.outline.blocks else None
                if self.last is None and previous and previous[0] == rank and self._same(line):
                    self.outline.blocks[-1] = (rank, f"{previous[1]} {line.text}")
                else:
                    self.heading(line.text, rank)
                self._heading_line = line
                return
            self.flush()  # a larger line the outline does not list: a sentence of its own
            self.outline.paragraph(sentence(line.text))
            return
        last = self.last
        if last is not None and (line.page, line.box) != (last.page, last.box):
            # A paragraph runs on into the next column or page when it has not ended a
            # sentence and either filled its line or goes on in lower case.
            full = last.x1 - last.x0 >= 0.8 * self.width
            runs_on = not _ENDS_SENTENCE.search(self.text) and (full or line.text[:1].islower())
            if not runs_on:
                self.flush()
        if not self.text:
            self.text = line.text
        elif re.search(r"[^\W\d_][-\xad\u2010]$", self.text):
            # A word hyphenated at the line end is joined; before a capital the hyphen is real.
            keep = self.text[:-1] if line.text[:1].islower() else self.text[:-1] + "-"
            self.text = keep + line.text
        else:
            self.text += " " + line.text
        self.last = line
        self._heading_line = None

    _heading_line: _Line | None = None

    def _same(self, line: _Line) -> bool:
        """A heading line right under the previous heading line (a two-line title)."""
        prev = self._heading_line
        return (
            prev is not None
            and (prev.page, prev.box) == (line.page, line.box)
            and round(prev.size) == round(line.size)
        )


def _open(path: Path) -> tuple[Any, Any]:
    """(file, PDFDocument); encryption and damage become one-line errors."""
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFParser

    with path.open("rb") as fh:
        fh.seek(0, 2)
        fh.seek(max(0, fh.tell() - 2048))
        if b"%%EOF" not in fh.read():
            raise ScriptError(
                "is truncated (no %%EOF at its end); download or export it again", path=path
            )
    fh = path.open("rb")
    try:
        return fh, PDFDocument(PDFParser(fh))
    except PDFPasswordIncorrect:
        fh.close()
        raise ScriptError(
            "is encrypted with a password; save a copy without it (e.g. qpdf --decrypt "
            "--password=PASSWORD in.pdf out.pdf) and import that",
            path=path,
        ) from None
    except PDFEncryptionError as exc:
        fh.close()
        raise ScriptError(f"is encrypted in a way that cannot be read ({exc})", path=path) from None
    except Exception as exc:  # noqa: BLE001 (pdfminer raises many kinds on a damaged file)
        fh.close()
        raise ScriptError(
            f"is not a readable PDF ({exc or type(exc).__name__})", path=path
        ) from None


def read_pdf(path: Path) -> Book:
    """Read a PDF's text into a Book, page by page."""
    quiet = logging.getLogger("pdfminer")
    level, quiet.level = quiet.level, logging.CRITICAL
    fh, doc = _open(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _read(path, doc)
    finally:
        fh.close()
        quiet.setLevel(level)


def _read(path: Path, doc: Any) -> Book:
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    resources = PDFResourceManager(caching=True)
    device = PDFPageAggregator(resources, laparams=LAParams(boxes_flow=None))
    interp = PDFPageInterpreter(resources, device)
    pages: list[list[_Line]] = []
    ids: dict[object, tuple[int, float]] = {}
    empty = 0
    try:
        for index, page in enumerate(PDFPage.create_pages(doc)):
            box = page.mediabox or (0, 0, 0, 792)
            ids[page.pageid] = (index, float(box[3]) - float(box[1]))
            try:
                interp.process_page(page)
                lines = _lines(device.get_result(), index)
            except Exception as exc:  # noqa: BLE001 (a damaged content stream, any kind)
                raise ScriptError(
                    f"page {index + 1} cannot be read ({exc or type(exc).__name__}); the PDF is "
                    "damaged",
                    path=path,
                ) from None
            empty += not lines
            pages.append(lines)
    except ScriptError:
        raise
    except Exception as exc:  # noqa: BLE001 (a damaged page tree)
        raise ScriptError(
            f"page {len(pages) + 1} cannot be read ({exc or type(exc).__name__}); the PDF is "
            "damaged",
            path=path,
        ) from None
    if not any(pages):
        raise ScriptError(
            f"has no text layer ({len(pages)} pages of pictures: a scanned PDF?); run OCR on "
            "it first (e.g. ocrmypdf in.pdf out.pdf) and import the result",
            path=path,
        )
    book_warnings = []
    if empty:
        book_warnings.append(
            ScriptWarning(
                f"{empty} of {len(pages)} pages have no text (pictures?); left out", str(path)
            )  # fmt: skip
        )
    try:
        marks = _marks(doc, ids)
    except Exception:  # noqa: BLE001 (a damaged outline: chapters from font sizes instead)
        marks = []
    info = doc.info[0] if doc.info else {}
    title = _decode(info.get("Title"))
    if title and _NO_TITLE.fullmatch(title):
        title = None
    language = _decode(doc.catalog.get("Lang")) if hasattr(doc, "catalog") else None
    outline = _assemble(pages, marks)
    outline.drop_title(title)
    return Book(
        source=path,
        kind="PDF",
        sections=outline.sections(),
        title=title,
        author=_decode(info.get("Author")),
        language=language,
        pages=len(pages),
        warnings=book_warnings,
    )


def _assemble(pages: list[list[_Line]], marks: list[_Mark]) -> Outline:
    """Chrome dropped, chapters cut at the outline's marks (or found by size), paragraphs."""
    chrome = _chrome(pages)
    kept = [
        [ln for ln in lines if (ln.page, round(ln.top / 4), ln.text) not in chrome]
        for lines in pages
    ]
    weights: Counter[float] = Counter()
    for lines in kept:
        for line in lines:
            weights[line.size] += len(line.text)
    body = weights.most_common(1)[0][0] if weights else 0.0
    body_lines = [ln for lines in kept for ln in lines if abs(ln.size - body) < 0.6]
    width = max((ln.x1 - ln.x0 for ln in body_lines), default=0.0)
    outline = Outline()
    assembler = _Assembler(outline, body, width, use_sizes=not marks)
    sizes = sorted(
        {round(ln.size) for lines in kept for ln in lines if assembler.is_heading(ln)},
        reverse=True,
    )
    assembler.ranks = {size: k + 1 for k, size in enumerate(sizes)}
    by_page: dict[int, list[_Mark]] = {}
    for mark in marks:
        by_page.setdefault(mark.page, []).append(mark)
    for page, lines in enumerate(kept):
        cuts = _cuts(lines, by_page.get(page, []))
        skip_until = -1
        for k in range(len(lines) + 1):
            for mark, consumed in cuts.get(k, []):
                assembler.heading(mark.title, mark.level)
                skip_until = max(skip_until, k + consumed - 1)
            if skip_until < k < len(lines):
                assembler.line(lines[k])
    assembler.flush()
    return outline


def _cuts(lines: list[_Line], marks: list[_Mark]) -> dict[int, list[tuple[_Mark, int]]]:
    """Line index -> (mark, lines its printed heading takes) for the marks on one page."""
    cuts: dict[int, list[tuple[_Mark, int]]] = {}
    for mark in marks:
        words = re.findall(r"[^\W_]+", mark.title.casefold())
        best = None
        for k, line in enumerate(lines):
            if mark.top is not None and line.top < mark.top - 40:
                continue
            taken, got = 0, list[str]()
            while k + taken < len(lines) and len(got) < len(words):
                more = re.findall(r"[^\W_]+", lines[k + taken].text.casefold())
                if not more or got + more != words[: len(got) + len(more)]:
                    break
                got += more
                taken += 1
            if taken and same_words(" ".join(got), mark.title):
                best = (k, taken)
                break
        if best is None:  # the heading is not printed: cut where the mark points
            k = next(
                (i for i, ln in enumerate(lines) if mark.top is None or ln.top >= mark.top - 2),
                len(lines),
            )
            best = (k, 0)
        cuts.setdefault(best[0], []).append((mark, best[1]))
    return cuts
