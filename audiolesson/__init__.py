"""audiolesson: turn lesson scripts into chaptered, mastered, tagged MP3 episodes."""

from __future__ import annotations

from .errors import AudiolessonError, ConfigError, EngineError, ScriptError
from .script import Script, parse

__version__ = "0.1.0"
__all__ = ["AudiolessonError", "ConfigError", "EngineError", "Script", "ScriptError", "parse"]
