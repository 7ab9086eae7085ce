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
from ..synth.levels import ClipLevel, level_tag
from .loudness import (
    LoudnessMeter,
    clip_energies,
    db_to_gain,
    frame_peaks,
    gated_loudness,
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
LOUD_MARGIN = 0.999  #: below the ceiling by this factor, a frame is never limited (ClipLevel.loud)
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
    samples: np.ndarray,
    gain: float,
    target: float,
    rate: int,
    ceiling: float,
    peaks: np.ndarray,
    hops: np.ndarray,
) -> tuple[float, np.ndarray]:
    """Raise a clip's gain until, after the true-peak limiter, it still measures the target;
    the gain, and the K-weighted energies per hop of the clip as limited at the gain measured
    last (`hops`: the clip's own, at 0 dB).

    Speech has sharp peaks: limiting them to the ceiling costs a clip up to about 1 LU, which
    would leave every episode quieter than its target. Two rounds converge within 0.1 LU.
    """
    import numpy as np

    extra = 0.0
    limited_hops = hops
    # `peaks` are frame_peaks(samples): true peaks scale with gain, so they are measured once
    for _ in range(MAKEUP_ROUNDS):
        g = np.float32(db_to_gain(gain + extra))
        scaled = samples * g
        limited, _ = limit_true_peak(scaled, rate, ceiling, peaks=peaks * g)
        if limited is scaled:  # under the ceiling: the limiter took nothing, nothing to make up
            limited_hops = hops * (float(g) * float(g))
            break
        measured, limited_hops = clip_energies(limited, rate)
        if not math.isfinite(measured) or abs(target - measured) < 0.05:
            break
        extra = max(0.0, min(MAX_LIMITER_MAKEUP_DB, extra + target - measured))
    return gain + extra, limited_hops


def measure_level(
    samples: np.ndarray, aim: float, rate: int, ceiling: float
) -> tuple[ClipLevel, np.ndarray]:
    """A conformed clip's level (synth.levels): its gain to `aim` with the limiter's make-up,
    its true peak, its energies at that gain, limited, and the frames the limiter may touch;
    and its true peaks per frame."""
    import numpy as np

    loudness, hops = clip_energies(samples, rate)
    peaks = frame_peaks(samples)
    gain = min(aim - loudness, MAX_CLIP_GAIN_DB) if math.isfinite(loudness) else 0.0
    gain, hops = _makeup(samples, gain, aim, rate, ceiling, peaks, hops)
    top = float(peaks.max()) if peaks.shape[0] else 0.0
    # a frame below this stays under the ceiling at the most the block's correction adds (with
    # room for float32 rounding): the limiter's gain there is 1 whatever it is
    reach = db_to_gain(ceiling) / db_to_gain(gain + MAX_CHAPTER_CORRECTION_DB) * LOUD_MARGIN
    index = np.flatnonzero(peaks > reach)
    level = ClipLevel(gain, top, hops, samples.shape[0], (index, peaks[index]))
    return level, peaks


def _clip_level(
    index: int,
    item: ClipItem,
    settings: AudioSettings,
    scratch: _Scratch | None,
    clips: ClipSource,
) -> ClipLevel:
    """The clip's kept level, else measured (and kept); a clip measured here leaves its samples
    and peaks in `scratch` for the stitch pass."""
    rate = settings.sample_rate
    aim = settings.target_lufs + item.gain_db
    ceiling = settings.true_peak_dbtp - CODEC_HEADROOM_DB
    store = clips.levels
    tag = level_tag(rate, settings.channels, aim, ceiling)
    found = store.get(item.key, tag) if store is not None else None
    if found is not None:
        return found
    samples = _load(item, clips, settings)
    level, peaks = measure_level(samples, aim, rate, ceiling)
    if scratch is not None:
        scratch.put(index, samples, peaks)
    if store is not None:
        store.put(item.key, tag, level)
    return level


def level_gains(
    block: Block,
    settings: AudioSettings,
    bed: BedTrack | None = None,
    scratch: _Scratch | None = None,
    *,
    clips: ClipSource,
) -> list[tuple[float, ClipLevel]]:
    """(gain in dB, measured level) per clip: each clip to the target, plus one correction
    for the whole block.

    The correction is measured on the mix as it will sound: without a music bed, from each clip's
    kept energies and the pauses' silence (synth.levels: no clip is read whose level is kept);
    with one, on the clips at their levels with the bed under them. A clip measured here leaves
    its conformed samples and true peaks in `scratch`, when given, for the stitch pass.
    """
    import numpy as np

    target, rate, channels = settings.target_lufs, settings.sample_rate, settings.channels
    meter = LoudnessMeter(rate, channels)
    levels: list[ClipLevel] = []
    energies: list[np.ndarray] = []
    position = 0
    for index, item in enumerate(block.items):
        if isinstance(item, Silence):
            frames = _silence_frames(item, rate)
            if bed is not None:
                meter.add(bed.samples(index, position, frames))
            else:
                energies.append(np.zeros((frames // meter.hop_frames, channels)))
            position += frames
            continue
        level = _clip_level(index, item, settings, scratch, clips)
        levels.append(level)
        if bed is None:
            energies.append(level.hops)
            continue
        kept = scratch.get(index) if scratch is not None else None
        samples, peaks = kept if kept is not None else _peaked(item, clips, settings)
        g = db_to_gain(level.gain_db)
        ceiling = settings.true_peak_dbtp - CODEC_HEADROOM_DB
        limited, _ = limit_true_peak(samples * np.float32(g), rate, ceiling, peaks=peaks * g)
        meter.add(limited + bed.samples(index, position, limited.shape[0]))
        position += samples.shape[0]
    # Pauses and the quiet edges of clips pull the gated loudness of the whole below the target;
    # one shared correction fixes that without changing any clip's level relative to another.
    measured = (
        meter.integrated()
        if bed is not None
        else gated_loudness(np.concatenate(energies or [np.zeros((0, channels))]), meter.hop_frames)
    )
    correction = 0.0
    if math.isfinite(measured):
        correction = max(
            -MAX_CHAPTER_CORRECTION_DB, min(MAX_CHAPTER_CORRECTION_DB, target - measured)
        )
    return [(level.gain_db + correction, level) for level in levels]


def _peaked(
    item: ClipItem, clips: ClipSource, settings: AudioSettings
) -> tuple[np.ndarray, np.ndarray]:
    """A clip's conformed samples and their true peaks."""
    samples = _load(item, clips, settings)
    return samples, frame_peaks(samples)


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
    import numpy as np

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
        gain, measured = next(clip_gains)
        clip_peak, level = measured.peak, db_to_gain(gain)
        kept = scratch.get(index)  # what the level pass measured, bit for bit
        samples = kept[0] if kept is not None else _load(item, clips, settings)
        curve = None
        # true peaks scale with the gain applied after the limiter; a clip whose loudest peak
        # stays under the ceiling at its level needs no limiter, and one kept from an earlier
        # build has the peaks the limiter can act on in its level (the rest need no gain)
        if float(np.float32(clip_peak) * np.float32(level)) > db_to_gain(ceiling):
            if kept is not None:
                peaks = kept[1]
            elif measured.frames == samples.shape[0]:
                peaks = measured.peaks()
            else:  # not the clip it was measured on (cannot happen with a key): measure it
                peaks = frame_peaks(samples)
            curve = limiter_gain(peaks * level, rate, ceiling)
        if curve is not None:
            samples = samples * curve[:, None]
        frames = samples.shape[0]
        piece = fade_edges(from_float(samples, rate).apply_gain(gain), fade_frames)
        if bed is not None:
            piece = overlay(piece, bed.piece(index, position, frames))
        elif frames:
            peak = max(peak, ceiling if curve is not None else _db(clip_peak * level))
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
