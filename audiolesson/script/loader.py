"""Script files: read and parse one (a script with no turns is an error), find a project's."""

from __future__ import annotations

from pathlib import Path

from ..errors import ScriptError
from ..files import read_text
from .model import MAX_SCRIPT_BYTES, Script
from .parser import parse

__all__ = ["SCRIPTS_DIR", "find_scripts", "load_script"]

SCRIPTS_DIR = "scripts"  #: where a project keeps its scripts


def load_script(path: str | Path) -> Script:
    """Read and parse one script file; a script with no turns is an error (check and build), and
    so is one whose name starts with a dot (`..md`, `.hidden.md`): its outputs would be hidden
    files, which the server never serves, linked from the page all the same."""
    if Path(path).name.startswith("."):
        raise ScriptError(
            "a script's name may not start with a dot: its episode would be a hidden file in "
            "output/, which the server does not serve; rename it",
            path=path,
        )
    script = parse(read_text(path, "script", limit=MAX_SCRIPT_BYTES), str(path))
    if not script.turns:
        raise ScriptError(
            "nothing to say: the script has no turns; write some text below the front matter "
            "(comments, headings and pauses alone are not spoken) or remove the file",
            path=path,
        )
    return script


def find_scripts(root: str | Path) -> list[Path]:
    """The project's scripts: root/scripts/*.md, sorted by name."""
    folder = Path(root) / SCRIPTS_DIR
    return sorted(p for p in folder.glob("*.md") if p.is_file())
