"""`audiolesson import FILE... | DIR`: every file read first, then all scripts written, or none.

One script per book (named after its file), a course page's lesson and audiobook scripts as
before (and its review script, from its glossary, flash cards and key concepts), a cover image
beside a book's script when the book has one. Several books make a series: episode numbers
follow the files' names in natural order (2 before 10). Nothing is written until every file has
been read; a script or cover that differs from what is on disk (you edited it) is overwritten
only with force, checked for every file before any is written.
"""

from __future__ import annotations

import importlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ScriptError, ScriptWarning
from ..files import read_text, write_atomic
from ..script.front_matter import readable_title
from .book import Book
from .course_page import ImportedScript, slugify
from .detect import NotABook, detect
from .render import render_book
from .writing import WrittenScript, course_page_scripts, write_scripts

__all__ = ["BOOKS_EXTRA", "BatchReport", "ImportedFile", "import_paths", "read_book"]

log = logging.getLogger(__name__)

#: the extra that installs the readers' libraries
BOOKS_EXTRA = "pip install 'audiolesson[books]'"
#: format -> (module under importers/formats/, reader function)
_READERS = {
    "EPUB": ("epub", "read_epub"),
    "PDF": ("pdf", "read_pdf"),
    "DOCX": ("word", "read_docx"),
    "HTML": ("web", "read_html"),
    "Markdown": ("text", "read_markdown"),
    "text": ("text", "read_text_book"),
}
#: top-level modules of the books extra (a missing one is reported as the extra to install)
_EXTRA_MODULES = frozenset(
    {"defusedxml", "pdfminer", "docx", "lxml", "lxml_html_clean", "trafilatura", "justext"}
)


@dataclass(frozen=True)
class ImportedFile:
    """One input file and what importing it wrote."""

    source: Path
    kind: str  #: its format, one of detect.FORMATS
    scripts: tuple[WrittenScript, ...]
    cover: tuple[Path, str] | None = None  #: (cover image, status) beside a book's script
    pages: int | None = None


@dataclass(frozen=True)
class BatchReport:
    """Everything an import did: per file, what a folder held that is not a book, warnings."""

    files: tuple[ImportedFile, ...]
    skipped: tuple[tuple[Path, str], ...] = ()
    warnings: tuple[ScriptWarning, ...] = ()
    series: str | None = None


@dataclass
class _Planned:
    source: Path
    kind: str
    scripts: list[ImportedScript]
    cover: tuple[str, bytes] | None = None
    pages: int | None = None
    warnings: list[ScriptWarning] = field(default_factory=list)


def _natural(path: Path) -> list[object]:
    """Sort key: numbers in a name compare as numbers ("2-cells" before "10-tissues")."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", path.name.casefold())]


def _sources(paths: list[Path]) -> tuple[list[tuple[Path, str]], list[tuple[Path, str]]]:
    """(file, format) to import in reading order, and (file, reason) a folder holds besides."""
    found: list[tuple[Path, str]] = []
    skipped: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            files = sorted(
                (p for p in path.iterdir() if not p.name.startswith(".") and p.is_file()),
                key=_natural,
            )
            for file in files:
                try:
                    found.append((file, detect(file)))
                except NotABook as exc:
                    skipped.append((file, exc.message))
            if not any(source.parent == path for source, _ in found):
                raise ScriptError(
                    "holds no file to import (EPUB, PDF, DOCX, HTML, Markdown, text or course "
                    "pages)",
                    path=path,
                )
        elif path.exists() and not path.is_file():
            raise ScriptError("is not a regular file; pass a file or a folder", path=path)
        else:
            found.append((path, detect(path)))
    return sorted(found, key=lambda f: _natural(f[0])) if len(paths) > 1 else found, skipped


def read_book(path: Path, kind: str) -> Book:
    """Read one file of a book format (not a course page) into a Book."""
    module, function = _READERS[kind]
    try:
        reader = getattr(importlib.import_module(f"{__package__}.formats.{module}"), function)
        return reader(path)
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] not in _EXTRA_MODULES:
            raise
        raise ScriptError(
            f"reading {kind} needs the books extra ({exc.name} is not installed); install it "
            f"with {BOOKS_EXTRA}",
            path=path,
        ) from None


def _plan(paths: list[Path], series: str | None) -> tuple[list[_Planned], str | None, list]:
    sources, skipped = _sources(paths)
    books: list[Book | None] = []
    planned: list[_Planned] = []
    for path, kind in sources:  # every file read before anything is written
        if kind == "course page":
            result = course_page_scripts(read_text(path, what="course page"), path)
            planned.append(
                _Planned(path, kind, list(result.scripts), None, None, list(result.warnings))
            )
            books.append(None)
        else:
            read = read_book(path, kind)
            planned.append(_Planned(path, kind, [], pages=read.pages, warnings=read.warnings))
            books.append(read)
    many = len(sources) > 1
    if many and series is None:
        folders = {p.parent.resolve() for p, _ in sources}
        series = readable_title(next(iter(folders)).name) if len(folders) == 1 else None
    taken = {s.name for p in planned for s in p.scripts}
    episode = 0  # books only: a course page keeps the episode number the site gave it
    for plan, book in zip(planned, books, strict=True):
        if book is None:
            continue
        episode += 1
        stem = slugify(book.source.stem)
        name, n = f"{stem}.md", 2
        while name in taken:  # two inputs with one stem (notes.pdf, notes.docx)
            name, n = f"{stem}-{n}.md", n + 1
        taken.add(name)
        cover = None
        if book.cover is not None:
            cover = (f"{name[:-3]}-cover{book.cover.extension}", book.cover.data)
        plan.cover = cover
        plan.scripts.append(
            render_book(
                book,
                name,
                series=series if many else None,
                episode=str(episode) if many else None,
                cover=cover[0] if cover else None,
            )
        )
    return planned, series if many else None, skipped


def _cover_status(target: Path, data: bytes, force: bool) -> str:
    """What writing a cover would do; an edited (differing) one needs force."""
    try:
        old = target.read_bytes()
    except FileNotFoundError:
        return "written"
    if old == data:
        return "unchanged"
    if force:
        return "overwritten"
    raise ScriptError(
        "already exists and differs from the book's cover; rerun with --force to overwrite it "
        "or import into another folder with -o",
        path=target,
    )


def import_paths(
    paths: list[Path], out_dir: Path, *, force: bool = False, series: str | None = None
) -> BatchReport:
    """Import files and folders of books and course pages into out_dir (all or nothing)."""
    planned, series, skipped = _plan(paths, series)
    if out_dir.exists() and not out_dir.is_dir():
        raise ScriptError("is not a folder; pass a folder with -o", path=out_dir)
    covers = {
        plan.source: (out_dir / plan.cover[0], plan.cover[1]) for plan in planned if plan.cover
    }
    statuses = {src: _cover_status(t, data, force) for src, (t, data) in covers.items()}
    written = iter(write_scripts([s for p in planned for s in p.scripts], out_dir, force=force))
    for source, (target, data) in covers.items():
        if statuses[source] != "unchanged":
            write_atomic(target, data)
            log.debug("%s %s", statuses[source], target)
    files = []
    for plan in planned:
        scripts = tuple(next(written) for _ in plan.scripts)
        cover = (covers[plan.source][0], statuses[plan.source]) if plan.source in covers else None
        files.append(ImportedFile(plan.source, plan.kind, scripts, cover, plan.pages))
    warnings = tuple(w for plan in planned for w in plan.warnings)
    return BatchReport(tuple(files), tuple(skipped), warnings, series)
