"""TTS engines as plugins, registered through the `audiolesson.engines` entry-point group."""

from __future__ import annotations

from .base import Engine, EngineVoice, Voice, available_engines, get_engine

__all__ = ["Engine", "EngineVoice", "Voice", "available_engines", "get_engine"]
