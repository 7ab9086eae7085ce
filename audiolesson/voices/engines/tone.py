"""A deterministic test engine: a soft tone per word, 60 ms per character, pitch from the voice."""

from __future__ import annotations

import hashlib
from typing import ClassVar

from ...audio import Audio
from ...errors import ConfigError
from ...speech import normal_word
from .base import Engine, EngineVoice, Unit, Voice

SAMPLE_RATE = 22050
SECONDS_PER_CHAR = 0.06
BASE_HZ = 220.0  #: tone of a voice with pitch 0


class ToneEngine(Engine):
    """Tones whose length follows the text: fast, dependency-free (numpy only), for tests."""

    name: ClassVar[str] = "tone"
    native_effects: ClassVar[frozenset[str]] = frozenset({"speed", "pitch"})
    option_specs: ClassVar[dict[str, tuple[type, str]]] = {}
    timed: ClassVar[str | None] = "exact"  #: it knows where each word's tone is

    def version(self) -> str:
        """Engine name and version (bump when the sound changes)."""
        return "tone 1"

    def check(self) -> None:
        """Always available: needs nothing beyond numpy."""

    def voices(self) -> list[EngineVoice]:
        """One voice: a sine tone."""
        return [EngineVoice(id="sine", name="sine tone", language=None)]

    def fingerprint(self, voice: Voice) -> str:
        """No model data."""
        return ""

    def synthesize(self, text: str, voice: Voice) -> Audio:
        """One tone per word (silence between words); total length = 60 ms per character / speed."""
        import numpy as np

        per_char = self._per_char(voice)
        hz = BASE_HZ * 2 ** (voice.pitch / 12) * voice.formant
        pieces = []
        for i, word in enumerate(text.split(" ")):
            if i:
                pieces.append(np.zeros(per_char, dtype=np.float32))  # the space
            n = per_char * len(word)
            if not n:
                continue
            # Each word gets its own small, text-derived pitch offset: deterministic, audibly busy.
            bump = int.from_bytes(hashlib.sha256(word.encode()).digest()[:1], "big") / 255 * 0.2
            t = np.arange(n) / SAMPLE_RATE
            envelope = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)  # 10 ms fades, no clicks
            pieces.append(
                (0.5 * envelope * np.sin(2 * np.pi * hz * (1 + bump) * t)).astype(np.float32)
            )
        samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        return Audio(samples.reshape(-1, 1), SAMPLE_RATE)

    def synthesize_timed(self, text: str, voice: Voice) -> tuple[Audio, list[Unit] | None]:
        """The tones, and where each word's tone starts and ends (laid out as `synthesize`
        lays them out: a space's length between words)."""
        per_char = self._per_char(voice)
        units: list[Unit] = []
        at = 0
        for i, word in enumerate(text.split(" ")):
            at += per_char if i else 0
            if word:
                n = per_char * len(word)
                units.append((normal_word(word), at / SAMPLE_RATE, (at + n) / SAMPLE_RATE))
                at += n
        return self.synthesize(text, voice), units

    @staticmethod
    def _per_char(voice: Voice) -> int:
        """Samples per character at the voice's speed."""
        if voice.speed <= 0:
            raise ConfigError(f"voice {voice.name!r}: speed must be > 0, got {voice.speed}")
        return int(round(SECONDS_PER_CHAR / voice.speed * SAMPLE_RATE))
