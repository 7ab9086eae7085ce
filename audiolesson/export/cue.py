"""The practice cue: a short, soft two-note chime before a `[your turn]` gap, made, not shipped.

It is computed from a formula (two rising sine notes with a quick attack and an exponential
decay), so it needs no file in the project and is made the same way everywhere; CUE_VERSION
goes into its cache key, so changing the formula changes every block that plays it. The mixer
level-matches it like any sound cue and then lowers it by CUE_GAIN_DB: it is heard, not startling.
"""

from __future__ import annotations

import math

from ..audio import Audio
from ..script.layout import PRACTICE_CUE_SECONDS

__all__ = ["CUE_GAIN_DB", "CUE_VERSION", "practice_cue"]

CUE_VERSION = 1  #: bump when the formula below changes (CUE_GAIN_DB is in the key as it is)
CUE_GAIN_DB = -10.0  #: the cue's level relative to the voices' (soft)
#: (start s, frequency Hz, decay s) of each note: a rising fourth, which invites an answer
_NOTES = ((0.0, 660.0, 0.09), (0.12, 880.0, 0.12))
_ATTACK = 0.006  #: seconds: fast enough to be a chime, slow enough not to click


def practice_cue(rate: int, channels: int) -> Audio:
    """The cue at the output format: PRACTICE_CUE_SECONDS long, silent at both ends."""
    import numpy as np

    frames = round(PRACTICE_CUE_SECONDS * rate)
    t = np.arange(frames, dtype=np.float64) / rate
    out = np.zeros(frames)
    for start, frequency, decay in _NOTES:
        local = t - start
        on = local >= 0
        envelope = np.where(on, np.minimum(1.0, np.maximum(local, 0) / _ATTACK), 0.0)
        envelope *= np.exp(-np.maximum(local, 0) / decay)
        phase = 2 * math.pi * frequency * local
        out += envelope * (np.sin(phase) + 0.25 * np.sin(2 * phase))
    tail = max(1, round(0.02 * rate))  # the last 20 ms fade to zero: no click at the end
    out[-tail:] *= np.linspace(1.0, 0.0, tail)
    out *= 0.3 / max(1e-9, float(np.abs(out).max()))
    samples = np.repeat(out.astype(np.float32)[:, None], channels, axis=1)
    return Audio(samples, rate)
