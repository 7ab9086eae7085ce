"""Writing imported scripts: each file whole or untouched; one that differs only with force."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import ScriptError, ScriptWarning
from ..files import read_text, write_atomic
from .course_page import ImportedScript, ImportResult, import_page
from .review import review_script

__all__ = ["ImportReport", "WrittenScript", "course_page_scripts", "import_file", "write_scripts"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WrittenScript:
    """One script file and what the import did to it."""

    path: Path
    status: str  #: "written" (new), "overwritten" (differed, --force) or "unchanged"
    script: ImportedScript


@dataclass(frozen=True)
class ImportReport:
    """What `import_file` wrote, plus warnings about parts of the page it left out."""

    files: tuple[WrittenScript, ...]
    warnings: tuple[ScriptWarning, ...]


def course_page_scripts(text: str, path: str | Path) -> ImportResult:
    """A course page's scripts: the lesson and the audiobook (`import_page`), then the review
    script when the page has a glossary, flash cards or key concepts (`review.review_script`)."""
    result = import_page(text, path)
    review, warnings = review_script(text, path)
    if review is None:
        return replace(result, warnings=(*result.warnings, *warnings))
    return replace(
        result, scripts=(*result.scripts, review), warnings=(*result.warnings, *warnings)
    )


def import_file(page: Path, out_dir: Path, *, force: bool = False) -> ImportReport:
    """Read a course page, import it and write its scripts into out_dir."""
    result = course_page_scripts(read_text(page, what="course page"), page)
    return ImportReport(write_scripts(result.scripts, out_dir, force=force), result.warnings)


def write_scripts(
    scripts: tuple[ImportedScript, ...] | list[ImportedScript],
    out_dir: Path,
    *,
    force: bool = False,
) -> tuple[WrittenScript, ...]:
    """Write each script to out_dir atomically; a differing existing file needs force=True."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ScriptError("is not a folder; pass a folder with -o", path=out_dir)
    plan: list[tuple[Path, bytes, str, ImportedScript]] = []
    for script in scripts:
        target = out_dir / script.name
        data = script.text.encode("utf-8")
        try:
            old = target.read_bytes()
        except FileNotFoundError:
            old = None
        if old is None:
            status = "written"
        elif old == data:
            status = "unchanged"
        elif force:
            status = "overwritten"
        else:
            # Checked for every file before any is written: an import is never half-done.
            raise ScriptError(
                "already exists and differs from the imported script; rerun with --force to "
                "overwrite it (your edits to it are lost) or import into another folder with -o",
                path=target,
            )
        plan.append((target, data, status, script))
    out_dir.mkdir(parents=True, exist_ok=True)
    for target, data, status, _ in plan:
        if status != "unchanged":
            write_atomic(target, data)
            log.debug("%s %s", status, target)
    return tuple(WrittenScript(target, status, script) for target, _, status, script in plan)
