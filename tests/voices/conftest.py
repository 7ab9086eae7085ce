"""The voices tests' project: a folder whose voices/ holds the good voice files and the lexicon."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

GOOD = Path(__file__).parents[1] / "data" / "voices" / "good"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """tmp_path with voices/ copied from tests/data/voices/good (overrides the top-level project:
    these tests are about voice files, not a lesson to build)."""
    shutil.copytree(GOOD, tmp_path / "voices")
    return tmp_path
