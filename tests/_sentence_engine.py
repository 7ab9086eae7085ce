"""A deterministic engine that speaks sentence by sentence, for sentence-cache tests without Piper.

Each sentence is a buzz (a few harmonics, so Praat finds a pitch to shift) whose length follows its
text and whose pitch follows its hash. `rendered` lists the sentences this process synthesised.
"""

from __future__ import annotations

import re
import zlib
from importlib.metadata import EntryPoint
from typing import ClassVar

import numpy as np
import pytest

from audiolesson.audio import Audio
from audiolesson.voices.engines import base
from audiolesson.voices.engines.base import Engine, Voice

NAME = "sentence-test"
RATE = 22050
SECONDS_PER_CHAR = 0.03


class SentenceTestEngine(Engine):
    """Sentences split at . ! ? and rendered one at a time, joined back to back (the base join)."""

    name: ClassVar[str] = NAME
    native_effects: ClassVar[frozenset[str]] = frozenset({"speed"})

    def __init__(self, *, threads: int | None = None) -> None:
        super().__init__(threads=threads)
        self.rendered: list[str] = []

    def version(self) -> str:
        return "sentence-test 1"

    def sentences(self, text: str, voice: Voice) -> list[str]:
        return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]

    def synthesize_sentence(self, sentence: str, voice: Voice) -> Audio:
        self.rendered.append(sentence)
        n = int(SECONDS_PER_CHAR * len(sentence) / voice.speed * RATE)
        hz = 100.0 + zlib.crc32(sentence.encode()) % 60
        t = np.arange(n) / RATE
        wave = sum(np.sin(2 * np.pi * hz * k * t) / k for k in range(1, 6))
        fade = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)
        return Audio((0.3 * fade * wave).astype(np.float32)[:, None], RATE)

    def synthesize(self, text: str, voice: Voice) -> Audio:
        return self.join(
            [self.synthesize_sentence(s, voice) for s in self.sentences(text, voice)], voice
        )


def register(monkeypatch: pytest.MonkeyPatch) -> SentenceTestEngine:
    """Register the engine (as an entry point would) and return this process's instance."""
    entry = EntryPoint(NAME, f"{__name__}:SentenceTestEngine", base.ENTRY_POINT_GROUP)
    monkeypatch.setitem(base._registered(), NAME, entry)
    engine = SentenceTestEngine(threads=base._threads)
    monkeypatch.setitem(base._instances, (NAME, base._threads), engine)
    return engine
