"""Mix: stitch one chapter's clips and silences into mastered PCM, streamed piece by piece.

Every clip is brought to the output rate and channel layout, level-matched to the loudness target
(pyloudnorm, per clip, so no voice is louder than another), nudged by one shared correction so the
chapter (or block of a chapter) as a whole, pauses included, hits the target, limited to the
true-peak ceiling and faded at both ends. Nothing longer than one clip is ever held in memory.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..audio import Audio
from ..errors import BuildError
from .loudness import LoudnessMeter, clip_loudness, db_to_gain, frame_peaks, limit_true_peak
from .settings import AudioSettings
from .timeline import ChapterInput, ClipItem, Silence

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

MAX_CLIP_GAIN_DB = 40.0  #: a near-silent clip is not boosted into loud noise
MAX_CHAPTER_CORRECTION_DB = 3.0
MAX_LIMITER_MAKEUP_DB = 3.0  #: most a clip is raised to make up for what the limiter took
MAKEUP_ROUNDS = 3
#: Headroom below the true-peak target left for MP3 coding, which adds overshoot to peaks.
CODEC_HEADROOM_DB = 1.0
SILENCE_BLOCK_FRAMES = 1 << 16


@dataclass
class ChapterMix:
    """What stitching one chapter produced: its length, where each clip sits, its levels."""

    frames: int  #: total frames written
    spans: list[tuple[int, int]]  #: (start, end) frame of each ClipItem, in order
    hops: np.ndarray  #: K-weighted energy per 100 ms (see loudness.LoudnessMeter)
    loudness_lufs: float
    true_peak_db: float


def conform(audio: Audio, rate: int, channels: int, line: int | None = None) -> np.ndarray:
    """The clip as float32 (frames, channels) at `rate`: resampled (polyphase) and up/down-mixed."""
    import numpy as np
    from scipy.signal import resample_poly

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
        common = math.gcd(rate, audio.sample_rate)
        up, down = rate // common, audio.sample_rate // common
        samples = resample_poly(samples, up, down, axis=0).astype(np.float32)
    return np.ascontiguousarray(samples)


def fade(samples: np.ndarray, frames: int) -> np.ndarray:
    """Raised-cosine fade-in and fade-out of `frames` frames (shortened for very short clips)."""
    import numpy as np

    n = min(frames, samples.shape[0] // 2)
    if n <= 0:
        return samples
    ramp = (0.5 - 0.5 * np.cos(np.pi * (np.arange(n) + 0.5) / n)).astype(np.float32)[:, None]
    out = samples.copy()
    out[:n] *= ramp
    out[-n:] *= ramp[::-1]
    return out


def _load(item: ClipItem, settings: AudioSettings) -> np.ndarray:
    return conform(item.load(), settings.sample_rate, settings.channels, item.line)


def _silence_frames(item: Silence, rate: int) -> int:
    if not math.isfinite(item.seconds) or item.seconds < 0:
        raise BuildError(f"invalid pause length {item.seconds!r} s")
    return round(item.seconds * rate)


def _makeup(
    samples: np.ndarray, gain: float, target: float, rate: int, ceiling: float
) -> tuple[float, np.ndarray]:
    """Raise a clip's gain until, after the true-peak limiter, it still measures the target.

    Speech has sharp peaks: limiting them to the ceiling costs a clip up to about 1 LU, which
    would leave every episode quieter than its target. Two rounds converge within 0.1 LU.
    """
    import numpy as np

    limited = samples
    extra = 0.0
    peaks = frame_peaks(samples)  # true peaks scale with gain: measure them once
    for _ in range(MAKEUP_ROUNDS):
        g = np.float32(db_to_gain(gain + extra))
        scaled = samples * g
        limited, _ = limit_true_peak(scaled, rate, ceiling, peaks=peaks * g)
        if limited is scaled:  # under the ceiling: the limiter took nothing, nothing to make up
            break
        measured = clip_loudness(limited, rate)
        if not math.isfinite(measured) or abs(target - measured) < 0.05:
            break
        extra = max(0.0, min(MAX_LIMITER_MAKEUP_DB, extra + target - measured))
    return gain + extra, limited


def level_gains(chapter: ChapterInput, settings: AudioSettings) -> list[float]:
    """Gain in dB per clip: each clip to the target, plus one correction for the whole chapter."""
    target, rate = settings.target_lufs, settings.sample_rate
    ceiling = settings.true_peak_dbtp - CODEC_HEADROOM_DB
    meter = LoudnessMeter(rate, settings.channels)
    gains: list[float] = []
    for item in chapter.items:
        if isinstance(item, Silence):
            meter.add_silence(_silence_frames(item, rate))
            continue
        samples = _load(item, settings)
        loudness = clip_loudness(samples, rate)
        aim = target + item.gain_db
        gain = min(aim - loudness, MAX_CLIP_GAIN_DB) if math.isfinite(loudness) else 0.0
        gain, limited = _makeup(samples, gain, aim, rate, ceiling)
        gains.append(gain)
        meter.add(limited)
    # Pauses and the quiet edges of clips pull the gated loudness of the whole below the target;
    # one shared correction fixes that without changing any clip's level relative to another.
    measured = meter.integrated()
    correction = 0.0
    if math.isfinite(measured):
        correction = max(
            -MAX_CHAPTER_CORRECTION_DB, min(MAX_CHAPTER_CORRECTION_DB, target - measured)
        )
    return [gain + correction for gain in gains]


def stitch(
    chapter: ChapterInput, settings: AudioSettings, write: Callable[[np.ndarray], None]
) -> ChapterMix:
    """Stream a chapter's mastered PCM (float32 (frames, channels)) to `write`, clip by clip."""
    import numpy as np

    rate, channels = settings.sample_rate, settings.channels
    gains = level_gains(chapter, settings)
    ceiling = settings.true_peak_dbtp - CODEC_HEADROOM_DB
    fade_frames = round(settings.fade_ms * rate / 1000)
    meter = LoudnessMeter(rate, channels)
    position, peak = 0, -math.inf
    spans: list[tuple[int, int]] = []
    clip_gains = iter(gains)
    for item in chapter.items:
        if isinstance(item, Silence):
            frames = _silence_frames(item, rate)
            for start in range(0, frames, SILENCE_BLOCK_FRAMES):
                block = np.zeros((min(SILENCE_BLOCK_FRAMES, frames - start), channels), np.float32)
                write(block)
            meter.add_silence(frames)
            position += frames
            continue
        samples = _load(item, settings) * np.float32(db_to_gain(next(clip_gains)))
        samples, clip_peak = limit_true_peak(samples, rate, ceiling)
        samples = fade(samples, fade_frames)
        write(samples)
        meter.add(samples)
        peak = max(peak, clip_peak)
        spans.append((position, position + samples.shape[0]))
        position += samples.shape[0]
    loudness = meter.integrated()
    log.debug("chapter %r: %.2f LUFS, true peak %.2f dBTP", chapter.title, loudness, peak)
    return ChapterMix(position, spans, meter.hops(), loudness, peak)
