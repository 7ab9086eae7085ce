"""The fixture project most end-to-end tests build: tests/data/project, copied where they write.

Its voices are tone voices (no neural-model time) and scripts/lesson.md has nine turns in four
chapters; the `project` fixture in conftest.py is one copy, `copy_project` makes more.
"""

from __future__ import annotations

import shutil
from pathlib import Path

PROJECT = Path(__file__).parent / "data" / "project"


def copy_project(dest: Path) -> Path:
    """A fresh copy of tests/data/project at dest (which must not exist yet)."""
    shutil.copytree(PROJECT, dest)
    return dest
