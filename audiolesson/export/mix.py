"""Mix: stitch one block's clips, sound cues and silences into mastered audio, piece by piece.

Every clip is brought to the output rate and channel layout (scipy), level-matched to the loudness
target (pyloudnorm, per clip, so no voice is louder than another), nudged by one shared correction
so the block as a whole, pauses included, hits the target, and limited to the true-peak ceiling.
pydub then stitches the block (`segments`): the clip's level gain, a fade at both ends, the
silences between clips, the music bed under them (`music`) and the joins. The stitched audio goes
to the encoders turn by turn: nothing longer than one turn and its pause is held in memory (the
level pass leaves each clip conformed, with its true peaks, in an anonymous temporary file, so the
stitch pass reads them back instead of computing them again).
"""

from __future__ import annotations

import logging
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from ..audio_settings import AudioSettings
from ..errors import BuildError
from .loudness import (
    LoudnessMeter,
    clip_loudness,
    db_to_gain,
    frame_peaks,
    limit_true_peak,
    limiter_gain,
)
from .music import BedTrack
from .resample import conform
from .segments import SegmentStream, fade_edges, from_float, overlay, silence
from .timeline import Block, ClipItem, ClipSource, Silence

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
class BlockMix:
    """What stitching one block produced: its length, where each clip sits, its levels."""

    frames: int  #: total frames written
    spans: list[tuple[int, int]]  #: (start, end) frame of each ClipItem, in order
    hops: np.ndarray  #: K-weighted energy per 100 ms (see loudness.LoudnessMeter)
    loudness_lufs: float
    true_peak_db: float


def _load(item: ClipItem, clips: ClipSource, settings: AudioSettings) -> np.ndarray:
    return conform(clips.load(item.key), settings.sample_rate, settings.channels, item.line)


class _Scratch:
    """Each clip's conformed samples and true peaks, kept from the level pass for the stitch pass.

    Both passes need them and computing them is most of a block's mixing time; holding a block's
    clips in memory is not an option (a block of long narration is minutes of audio), so they go
    to an anonymous temporary file (gone with the process, even a killed one) and are read back
    bit for bit.
    """

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._where: dict[int, tuple[int, tuple[int, ...], int]] = {}

    def put(self, index: int, samples: np.ndarray, peaks: np.ndarray) -> None:
        """Keep the samples and peaks of the item at `index`."""
        import numpy as np

        if self._file is None:
            self._file = tempfile.TemporaryFile()
        start = self._file.seek(0, 2)
        for array in (samples, peaks):  # their own buffers: no copy of a long clip in memory
            self._file.write(np.ascontiguousarray(array, dtype="<f4").data)
        self._where[index] = (start, samples.shape, peaks.shape[0])

    def get(self, index: int) -> tuple[np.ndarray, np.ndarray] | None:
        """The samples and peaks kept for `index` (float32), or None."""
        import numpy as np

        if self._file is None or index not in self._where:
            return None
        start, shape, count = self._where[index]
        self._file.seek(start)
        samples = np.fromfile(self._file, dtype="<f4", count=math.prod(shape)).reshape(shape)
        return samples, np.fromfile(self._file, dtype="<f4", count=count)

    def close(self) -> None:
        """Drop the temporary file."""
        if self._file is not None:
            self._file.close()
            self._file = None


def _silence_frames(item: Silence, rate: int) -> int:
    if not math.isfinite(item.seconds) or item.seconds < 0:
        raise BuildError(f"invalid pause length {item.seconds!r} s")
    return round(item.seconds * rate)


def _makeup(
    samples: np.ndarray, gain: float, target: float, rate: int, ceiling: float, peaks: np.ndarray
) -> tuple[float, np.ndarray]:
    """Raise a clip's gain until, after the true-peak limiter, it still measures the target.

    Speech has sharp peaks: limiting them to the ceiling costs a clip up to about 1 LU, which
    would leave every episode quieter than its target. Two rounds converge within 0.1 LU.
    """
    import numpy as np

    limited = samples
    extra = 0.0
    # `peaks` are frame_peaks(samples): true peaks scale with gain, so they are measured once
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


def level_gains(
    block: Block,
    settings: AudioSettings,
    bed: BedTrack | None = None,
    scratch: _Scratch | None = None,
    *,
    clips: ClipSource,
) -> list[float]:
    """Gain in dB per clip: each clip to the target, plus one correction for the whole block.

    The correction is measured on the mix as it will sound, music bed included. Each clip's
    conformed samples and true peaks go to `scratch`, when given, for the stitch pass.
    """
    target, rate = settings.target_lufs, settings.sample_rate
    ceiling = settings.true_peak_dbtp - CODEC_HEADROOM_DB
    meter = LoudnessMeter(rate, settings.channels)
    gains: list[float] = []
    position = 0
    for index, item in enumerate(block.items):
        if isinstance(item, Silence):
            frames = _silence_frames(item, rate)
            if bed is None:
                meter.add_silence(frames)
            else:
                meter.add(bed.samples(index, position, frames))
            position += frames
            continue
        samples = _load(item, clips, settings)
        loudness = clip_loudness(samples, rate)
        peaks = frame_peaks(samples)
        if scratch is not None:
            scratch.put(index, samples, peaks)
        aim = target + item.gain_db
        gain = min(aim - loudness, MAX_CLIP_GAIN_DB) if math.isfinite(loudness) else 0.0
        gain, limited = _makeup(samples, gain, aim, rate, ceiling, peaks)
        gains.append(gain)
        if bed is not None:
            limited = limited + bed.samples(index, position, limited.shape[0])
        meter.add(limited)
        position += samples.shape[0]
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
    block: Block,
    settings: AudioSettings,
    write: Callable[[np.ndarray], None],
    *,
    clips: ClipSource,
) -> BlockMix:
    """Stream a block's mastered PCM (float32 (frames, channels)) to `write`, turn by turn.

    Each clip's limiter is set in float for the clip at its level; pydub applies the level, the
    fades, the silences, the music bed and the joins.
    """
    bed = BedTrack(block.music, block.items, settings, clips=clips) if block.music else None
    scratch = _Scratch()
    try:
        return _stitch(block, settings, write, bed, scratch, clips)
    finally:
        scratch.close()


def _stitch(
    block: Block,
    settings: AudioSettings,
    write: Callable[[np.ndarray], None],
    bed: BedTrack | None,
    scratch: _Scratch,
    clips: ClipSource,
) -> BlockMix:
    """`stitch`, with the level pass's clips kept in `scratch`."""
    rate, channels = settings.sample_rate, settings.channels
    gains = level_gains(block, settings, bed, scratch, clips=clips)
    ceiling = settings.true_peak_dbtp - CODEC_HEADROOM_DB
    fade_frames = round(settings.fade_ms * rate / 1000)
    meter = LoudnessMeter(rate, channels)
    position, peak = 0, -math.inf
    spans: list[tuple[int, int]] = []
    clip_gains = iter(gains)

    def emit(samples: np.ndarray) -> None:
        nonlocal peak
        if bed is not None:  # the bed adds to the speech's peaks: limit the sum
            samples, mixed_peak = limit_true_peak(samples, rate, ceiling)
            peak = max(peak, mixed_peak)
        write(samples)
        meter.add(samples)

    stream = SegmentStream(emit)
    for index, item in enumerate(block.items):
        if isinstance(item, Silence):
            frames = _silence_frames(item, rate)
            if bed is not None:
                stream.add(bed.piece(index, position, frames))
            for start in range(0, frames if bed is None else 0, SILENCE_BLOCK_FRAMES):
                stream.add(silence(min(SILENCE_BLOCK_FRAMES, frames - start), rate, channels))
            position += frames
            continue
        kept = scratch.get(index)  # what the level pass measured, bit for bit
        if kept is None:
            kept = (samples := _load(item, clips, settings)), frame_peaks(samples)
        samples, peaks = kept
        gain = next(clip_gains)
        level = db_to_gain(gain)
        # true peaks scale with the gain applied after the limiter
        curve = limiter_gain(peaks * level, rate, ceiling)
        if curve is not None:
            samples = samples * curve[:, None]
        frames = samples.shape[0]
        piece = fade_edges(from_float(samples, rate).apply_gain(gain), fade_frames)
        if bed is not None:
            piece = overlay(piece, bed.piece(index, position, frames))
        elif frames:
            clip_peak = float(peaks.max()) * level
            peak = max(peak, ceiling if curve is not None else _db(clip_peak))
        stream.add(piece)
        stream.flush()
        spans.append((position, position + frames))
        position += frames
    stream.flush()
    loudness = meter.integrated()
    log.debug("block %r: %.2f LUFS, true peak %.2f dBTP", block.title, loudness, peak)
    return BlockMix(position, spans, meter.hops(), loudness, peak)


def _db(amplitude: float) -> float:
    return 20.0 * math.log10(amplitude) if amplitude > 0 else -math.inf
