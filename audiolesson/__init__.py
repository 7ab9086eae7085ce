"""audiolesson: turn lesson scripts into chaptered, mastered, tagged MP3 episodes.

The public API; everything else lives in the stage packages (script, voices, pipeline, export,
publish) and may change between versions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import (
    AudiolessonError,
    BuildError,
    ConfigError,
    EngineError,
    EngineUnavailable,
    LockError,
    ScriptError,
)
from .script import Script, parse

if TYPE_CHECKING:
    from .config import load_config
    from .pipeline.build import build

__all__ = [
    "AudiolessonError",
    "BuildError",
    "ConfigError",
    "EngineError",
    "EngineUnavailable",
    "LockError",
    "Script",
    "ScriptError",
    "__version__",
    "build",
    "load_config",
    "parse",
]


def __getattr__(name: str) -> Any:
    """`build` and `load_config` load the whole pipeline: only when first used (PEP 562), so that
    `audiolesson --help` does not pay for it."""
    if name == "build":
        from .pipeline.build import build

        return build
    if name == "load_config":
        from .config import load_config

        return load_config
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
