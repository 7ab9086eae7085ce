"""`audiolesson new`: a project that builds at once (an example lesson, voices, every setting).

The example files are package data (templates/project/); audiolesson.toml is written from the
options of config.py's settings, so it lists every setting there is with its default (or, for a
setting unset by default, its example) and its doc line.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
from dataclasses import fields
from importlib.resources import files
from pathlib import Path

from .config import CONFIG_FILE, SECTIONS
from .errors import ConfigError
from .files import write_atomic
from .options import option_of
from .script.loader import SCRIPTS_DIR
from .voices.library import LEXICON_FILE, VOICES_DIR

__all__ = ["new_project", "settings_file"]

log = logging.getLogger(__name__)

#: project file -> template in templates/project/ (a dot file would not ship as package data)
TEMPLATES = {
    f"{SCRIPTS_DIR}/welcome.md": "scripts/welcome.md",
    f"{VOICES_DIR}/guide.toml": "voices/guide.toml",
    f"{VOICES_DIR}/{LEXICON_FILE}": "voices/lexicon.toml",
}
GITIGNORE = ".gitignore"


def _toml(value: object) -> str:
    """A value as TOML writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return repr(value)


def settings_file() -> str:
    """audiolesson.toml with every setting commented out at its default (or an example)."""
    lines = [
        "# audiolesson project settings. Every setting is optional: each line below shows the",
        "# default (or, for a setting that is unset by default, an example). Uncomment a line",
        "# to change it; flags on the command line win over this file (audiolesson build --help).",
    ]
    for section, (cls, _) in SECTIONS.items():
        lines += ["", f"[{section}]", f"# {inspect.getdoc(cls) or section}", ""]
        for f in fields(cls):
            option = option_of(f)
            value = option.example if option.default is None else option.default
            # Python's None is an unset setting in TOML
            lines.append("# " + re.sub(r"\bNone\b", "unset", option.doc))
            shown = _toml(value) if value is not None else '""'
            lines += [f"# {f.name} = {shown}", ""]
    return "\n".join(lines).rstrip() + "\n"


def _template(name: str) -> bytes:
    return files(__package__).joinpath("templates/project", name).read_bytes()


def new_project(folder: Path) -> list[Path]:
    """Write a new project into folder (made if missing); the files written, in order.

    Refuses, writing nothing, when folder already holds a project (audiolesson.toml, scripts/
    or voices/). An existing .gitignore gets the two lines it lacks.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ConfigError("not a folder; choose a new folder for the project", path=folder)
    taken = [name for name in (CONFIG_FILE, SCRIPTS_DIR, VOICES_DIR) if (folder / name).exists()]
    if taken:
        raise ConfigError(
            f"already holds a project ({taken[0]} exists); nothing was written: choose a new "
            "folder, or edit this project",
            path=folder,
        )
    planned = {name: _template(template) for name, template in TEMPLATES.items()}
    planned[CONFIG_FILE] = settings_file().encode()
    ignore = _template("gitignore").decode()
    existing = folder / GITIGNORE
    if existing.is_file():
        have = existing.read_text(encoding="utf-8", errors="replace")
        wanted = [line for line in ignore.splitlines() if line.startswith("/")]
        missing = [line for line in wanted if line not in have.splitlines()]
        if missing:
            ending = "" if not have or have.endswith("\n") else "\n"
            planned[GITIGNORE] = (have + ending + "\n".join(missing) + "\n").encode()
    else:
        planned[GITIGNORE] = ignore.encode()
    written: list[Path] = []
    made = [d for d in (folder, folder / SCRIPTS_DIR, folder / VOICES_DIR) if not d.exists()]
    try:
        for name, data in planned.items():  # .gitignore last: a failure never leaves it changed
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, data)
            written.append(path)
    except OSError as exc:  # take back what was written: no half a project
        for path in written:
            path.unlink(missing_ok=True)
        for made_dir in reversed(made):
            if made_dir.is_dir() and not any(made_dir.iterdir()):
                made_dir.rmdir()
        raise ConfigError(
            f"cannot write the project: {exc.strerror or exc}", path=exc.filename or folder
        ) from None
    log.info("new project in %s", folder)
    return written
