"""Make the example's sounds (sounds/chime.wav, sounds/pad.wav) from numpy: CC0, reproducible.

    python tools/make_sounds.py        # writes sounds/chime.wav and sounds/pad.wav

The chime is three struck partials with exponential decays (a small bell); the pad is a soft
four-second A-minor chord in which every partial and the slow tremolo make whole cycles, so it
loops without a seam. Both are 22.05 kHz mono 16-bit WAV, small enough to keep in the repository.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

RATE = 22050
ROOT = Path(__file__).resolve().parents[1]


def chime(seconds: float = 1.4) -> np.ndarray:
    """A bell-like chime: a few inharmonic partials, each decaying at its own rate."""
    t = np.arange(int(seconds * RATE)) / RATE
    partials = [(880.0, 1.0, 2.2), (880.0 * 2.76, 0.45, 3.5), (880.0 * 5.40, 0.25, 6.0)]
    x = sum(amp * np.exp(-decay * t) * np.sin(2 * np.pi * f * t) for f, amp, decay in partials)
    attack = np.minimum(1.0, t / 0.004)  # 4 ms attack: struck, not clicked
    return 0.5 * x * attack / np.abs(x).max()


def pad(seconds: float = 4.0) -> np.ndarray:
    """A quiet A-minor chord with a 0.5 Hz tremolo; every frequency is a multiple of 1/4 Hz."""
    t = np.arange(int(seconds * RATE)) / RATE
    notes = [220.0, 261.5, 329.75, 440.0]
    x = sum(np.sin(2 * np.pi * f * t) + 0.3 * np.sin(4 * np.pi * f * t) for f in notes)
    tremolo = 0.8 + 0.2 * np.sin(2 * np.pi * 0.5 * t)
    return 0.3 * x * tremolo / np.abs(x).max()


def write_wav(path: Path, samples: np.ndarray) -> None:
    """16-bit mono WAV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((np.clip(samples, -1, 1) * 32767).round().astype("<i2").tobytes())


if __name__ == "__main__":
    write_wav(ROOT / "sounds" / "chime.wav", chime())
    write_wav(ROOT / "sounds" / "pad.wav", pad())
