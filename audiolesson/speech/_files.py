"""The one place this package reads project files from (the loader's TOML helper)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["read_toml"]


def read_toml(path: Path, what: str) -> tuple[dict[str, Any], str]:
    """The loader's read_toml: parsed TOML and its text, errors as one-line ConfigErrors."""
    # imported here: the loader pulls in the script parser, which spoken_form never needs
    from ..files import read_toml as read

    return read(path, what)
