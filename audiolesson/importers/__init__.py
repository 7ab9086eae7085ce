"""Other input formats -> script text (course pages first), and writing the scripts out."""

from __future__ import annotations

from .course_page import ImportedScript, ImportResult, import_page, slugify
from .writing import ImportReport, WrittenScript, import_file, write_scripts

__all__ = [
    "ImportReport",
    "ImportResult",
    "ImportedScript",
    "WrittenScript",
    "import_file",
    "import_page",
    "slugify",
    "write_scripts",
]
