"""Shared fixtures of the book-import tests: the import command run in-process."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from audiolesson.cli import main


@dataclass(frozen=True)
class Ran:
    """What one `audiolesson import ...` did."""

    status: int
    stdout: str
    stderr: str


@pytest.fixture
def run_import(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., Ran]:
    """`audiolesson import ARGS...` in a folder, in-process, through the console entry point."""

    def run(*args: str | Path, cwd: Path) -> Ran:
        monkeypatch.chdir(cwd)
        monkeypatch.setattr(sys, "argv", ["audiolesson", "import", *map(str, args)])
        capsys.readouterr()
        with pytest.raises(SystemExit) as done:
            main()
        out = capsys.readouterr()
        return Ran(int(done.value.code or 0), out.out, out.err)

    return run
