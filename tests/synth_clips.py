"""Synthetic speech-like clips for the mix and export tests (no TTS engine needed)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from audiolesson.audio import Audio
from audiolesson.export.timeline import ChapterTimeline, ClipItem, Silence


class MemoryClips(dict[str, Callable[[], Audio]]):
    """A ClipSource over audio made on demand (key -> maker), as the mixer reads the cache's; it
    keeps no levels (each block measures its clips)."""

    levels = None

    def add(self, key: str, make: Callable[[], Audio]) -> str:
        """Register `key`; returns it."""
        self[key] = make
        return key

    def load(self, key: str) -> Audio:
        return self[key]()

    def size(self, key: str) -> tuple[int, int]:
        audio = self.load(key)
        return audio.frames, audio.sample_rate

    def timing(self, key: str) -> None:
        """Nothing is known of these clips' words: the export shares their time by length."""
        return None


#: every clip `clip` made, for the export functions' `clips=`
CLIPS = MemoryClips()


def speechy(seconds: float, rate: int = 22050, seed: int = 0, level: float = 0.5) -> Audio:
    """A harmonic buzz with a syllable-rate envelope and a little breath noise, peak at `level`."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    f0 = 100 + 17 * (seed % 7)
    x = sum(np.sin(2 * np.pi * f0 * k * t + k) / k for k in range(1, 15))
    envelope = (0.5 + 0.5 * np.sin(2 * np.pi * 3.3 * t + seed)) ** 2
    x = x * envelope + 0.02 * rng.standard_normal(n)
    x = x / np.abs(x).max() * level
    return Audio(x.astype(np.float32)[:, None], rate)


def clip(
    n: int,
    seconds: float = 2.0,
    level: float = 0.5,
    speaker: str | None = "Teacher",
    text: str | None = None,
    rate: int = 22050,
    stereo: bool = False,
) -> ClipItem:
    """A ClipItem whose audio is speechy(seconds, rate, seed=n, level)."""

    def load() -> Audio:
        audio = speechy(seconds, rate, n, level)
        if stereo:
            return Audio(np.repeat(audio.samples, 2, axis=1), rate)
        return audio

    return ClipItem(
        key=CLIPS.add(f"clip{n}-{seconds}-{level}-{rate}-{stereo}", load),
        speaker=speaker,
        text=text or f"Turn {n} says something.",
        line=10 + n,
    )


def lesson(chapters: int = 3, turns: int = 3, seconds: float = 1.5) -> list[ChapterTimeline]:
    """Chapters (every second one a sub-chapter) of turns at very different levels and speakers."""
    out, n = [], 0
    speakers = ["Teacher", "Ana", None]
    levels = [0.9, 0.05, 0.3]
    for c in range(chapters):
        items: list[Silence | ClipItem] = [Silence(1.0)] if c else []
        for _ in range(turns):
            length = seconds + 0.5 * (n % 3)
            items += [clip(n, length, levels[n % 3], speakers[n % 3]), Silence(0.4)]
            n += 1
        level = 1 if c % 2 == 0 else 2
        out.append(ChapterTimeline(f"Part {c + 1}", level, f"chapter-{c}-{n}", items))
    return out
