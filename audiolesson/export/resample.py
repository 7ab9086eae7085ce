"""Audio brought to the output format: resampled (libsoxr) and mixed to the output channels."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..audio import Audio
from ..errors import BuildError

if TYPE_CHECKING:
    import numpy as np

__all__ = ["conform", "conformed_frames"]


def conform(audio: Audio, rate: int, channels: int, line: int | None = None) -> np.ndarray:
    """The clip as float32 (frames, channels) at `rate`: resampled and up/down-mixed."""
    import numpy as np

    samples = np.asarray(audio.samples, dtype=np.float32)
    if samples.ndim == 1:
        samples = samples[:, None]
    if samples.ndim != 2 or audio.sample_rate <= 0:
        raise BuildError(f"clip audio has an invalid shape or sample rate (line {line})")
    if not np.isfinite(samples).all():
        raise BuildError(
            f"clip audio for line {line} contains NaN or infinite samples; "
            "clear the clip cache and build again"
        )
    if samples.shape[1] != channels:
        mono = samples.mean(axis=1, keepdims=True)
        samples = mono if channels == 1 else np.repeat(mono, channels, axis=1)
    if audio.sample_rate != rate and samples.shape[0]:
        import soxr

        # libsoxr at its high quality (python-soxr's default): about 4x faster here than scipy's
        # polyphase resample_poly; its length rounds its own way, so it is cut or padded to
        # conformed_frames (a sample at most), which the timeline plans with
        out = soxr.resample(samples, audio.sample_rate, rate, quality="HQ")
        want = conformed_frames(samples.shape[0], audio.sample_rate, rate)
        if out.shape[0] < want:
            out = np.concatenate([out, np.zeros((want - out.shape[0], out.shape[1]), out.dtype)])
        samples = out[:want].astype(np.float32, copy=False)
    return np.ascontiguousarray(samples)


def conformed_frames(frames: int, source_rate: int, rate: int) -> int:
    """How many frames `conform` makes of `frames` frames at source_rate (rounded up)."""
    common = math.gcd(rate, source_rate)
    up, down = rate // common, source_rate // common
    return -(-frames * up // down)
