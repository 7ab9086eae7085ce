"""The input side: script text -> Script (chapters of turns with line numbers), and its checks.

Modules, in the order text flows: `model` (the data), `front_matter`, `inline`, `body`,
`parser` (`parse`), `loader` (files), `check` (`audiolesson check`).
"""

from __future__ import annotations

from .loader import find_scripts, load_script
from .model import PAUSE_DEFAULTS, Chapter, Metadata, Music, Pause, Script, Sound, Turn
from .parser import parse

__all__ = [
    "PAUSE_DEFAULTS",
    "Chapter",
    "Metadata",
    "Music",
    "Pause",
    "Script",
    "Sound",
    "Turn",
    "find_scripts",
    "load_script",
    "parse",
]
