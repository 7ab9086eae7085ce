"""Music beds: a sound file looped under a chapter, ducked under speech, rising in the pauses.

A bed plays under every block of a chapter (and on through its sub-chapters, unless one names
music of its own) without a seam: `place_music` tells each block at which frame of the bed it
starts, so blocks are still mixed and encoded one by one. While anyone speaks or a sound cue
plays, the bed sits `volume_db` (-18 dB by default) under the loudness target; in a pause it rises
by `rise_db` over RISE_SECONDS after the speech stops and is back down FALL_SECONDS before the next
speech starts. It fades in where it starts and out over the pause that ends its chapter. A bed
shorter than its chapter loops (with a crossfade at the loop point, its bytes tiled); a longer
one is cut off; one shorter than MIN_BED_SECONDS is refused. All the gains and ramps are pydub's
(`segments`).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..audio_settings import AudioSettings
from .loudness import clip_loudness, db_to_gain
from .resample import conform, conformed_frames
from .segments import (
    QUIET_DB,
    audio_segment,
    from_float,
    join,
    overlay,
    ramp,
    silence,
    to_float,
)
from .timeline import Bed, Block, ChapterTimeline, ClipSource, MusicSpan, Silence

if TYPE_CHECKING:
    import numpy as np
    from pydub import AudioSegment

    from ..audio import Audio

__all__ = ["MIN_BED_SECONDS", "BedTrack", "block_frames", "place_music"]

#: a shorter music file is refused: looped, it would be a buzz or a click, not music
MIN_BED_SECONDS = 1.0
RISE_SECONDS = 1.0  #: the bed rises this long after speech stops
FALL_SECONDS = 0.5  #: and is back down this long before speech starts again
FADE_IN_SECONDS = 1.0  #: where a bed starts
LOOP_CROSSFADE_SECONDS = 0.5  #: a looping bed's end is crossfaded into its start
RAMP_STEP_SECONDS = 0.25  #: where two ramps overlap (a fade and a rise), steps this long
MAX_BED_PEAK = 0.5  #: a very quiet bed is not raised so far that its peaks could clip the mix
_PREPARED_BEDS = 2  #: decoded, levelled beds kept in memory (shared by the encoding threads)


def block_frames(block: Block, rate: int, *, clips: ClipSource) -> int:
    """The length of a block's mix in frames, from its clips' sizes (cheap) and its pauses."""
    total = 0
    for item in block.items:
        if isinstance(item, Silence):
            total += round(item.seconds * rate)
        else:
            frames, source_rate = clips.size(item.key)
            total += conformed_frames(frames, source_rate, rate)
    return total


def place_music(
    chapters: Sequence[ChapterTimeline],
    blocks: Sequence[list[Block]],
    rate: int,
    *,
    clips: ClipSource,
) -> None:
    """Give each block under a bed its MusicSpan: where in the bed it starts, whether it opens
    or closes the bed. A bed runs on from a chapter into the sub-chapters that continue it."""
    spans: list[tuple[Bed, list[Block]]] = []
    open_span = False
    for chapter, chapter_blocks in zip(chapters, blocks, strict=True):
        if chapter.bed is None:
            open_span = False
            continue
        same = open_span and spans[-1][0].fingerprint() == chapter.bed.fingerprint()
        if not (same and chapter.bed_continues):
            spans.append((chapter.bed, []))
        open_span = True
        spans[-1][1].extend(block for block in chapter_blocks if block.items)
    for bed, span_blocks in spans:
        offset = 0
        for index, block in enumerate(span_blocks):
            block.music = MusicSpan(bed, offset, index == 0, index == len(span_blocks) - 1)
            offset += block_frames(block, rate, clips=clips)


def _db(amplitude: float) -> float:
    return 20.0 * math.log10(amplitude) if amplitude > 1e-6 else QUIET_DB


def _interpolate(points: Sequence[tuple[int, float]], t: int) -> float:
    """A piecewise-linear envelope (breakpoints (frame, amplitude), sorted) at frame t."""
    if t <= points[0][0]:
        return points[0][1]
    for (a, va), (b, vb) in zip(points, points[1:], strict=False):
        if t <= b:
            return va if b == a else va + (vb - va) * (t - a) / (b - a)
    return points[-1][1]


def _pause_envelope(length: int, followed: bool, rise: int, fall: int, up: float) -> list:
    """The bed's amplitude over a pause (1 = its level under speech, `up` = its pause level)."""
    if followed and length < rise + fall:  # a short pause: it turns back before it is fully up
        top = length * rise // (rise + fall)
        return [(0, 1.0), (top, 1.0 + (up - 1.0) * top / rise), (length, 1.0)]
    if followed:
        return [(0, 1.0), (rise, up), (length - fall, up), (length, 1.0)]
    if length < rise:
        return [(0, 1.0), (length, 1.0 + (up - 1.0) * length / rise)]
    return [(0, 1.0), (rise, up), (length, up)]


class _Run:
    """A stretch of consecutive pauses in a block: its envelope, and where each pause sits in it."""

    def __init__(self, length: int, followed: bool, envelope: list, closes: bool) -> None:
        self.length = length
        self.followed = followed
        self.envelope = envelope
        self.closes = closes  #: the bed fades out over this run (the end of its last block)
        self.starts: dict[int, int] = {}  #: item index -> frames into the run


def _pause_runs(items: Sequence, rate: int, span: MusicSpan, up: float) -> dict[int, _Run]:
    rise, fall = round(RISE_SECONDS * rate), round(FALL_SECONDS * rate)
    runs: dict[int, _Run] = {}
    index = 0
    while index < len(items):
        if not isinstance(items[index], Silence):
            index += 1
            continue
        first, length, starts = index, 0, {}
        while index < len(items) and isinstance(items[index], Silence):
            starts[index] = length
            length += round(items[index].seconds * rate)
            index += 1
        followed = index < len(items)
        closes = span.last and not followed
        run = _Run(length, followed, _pause_envelope(length, followed, rise, fall, up), closes)
        run.starts = starts
        for i in range(first, index):
            runs[i] = run
    return runs


_beds: OrderedDict[tuple, AudioSegment] = OrderedDict()
_beds_lock = threading.Lock()


def _prepared(bed: Bed, settings: AudioSettings, clips: ClipSource) -> AudioSegment:
    """The bed decoded, at the output format, levelled under speech and made to loop seamlessly.

    Kept for the next blocks (they all need it): preparing a bed measures its whole loudness.
    """
    rate, channels = settings.sample_rate, settings.channels
    level = settings.target_lufs + bed.volume_db
    key = (bed.key, rate, channels, level)
    with _beds_lock:
        if key in _beds:
            _beds.move_to_end(key)
            return _beds[key]
    segment = _level_and_loop(clips.load(bed.key), rate, channels, level)
    with _beds_lock:
        _beds[key] = segment
        while len(_beds) > _PREPARED_BEDS:
            _beds.popitem(last=False)
    return segment


def _level_and_loop(audio: Audio, rate: int, channels: int, level: float) -> AudioSegment:
    import numpy as np

    samples = conform(audio, rate, channels)
    loudness = clip_loudness(samples, rate)
    gain = level - loudness if math.isfinite(loudness) else 0.0
    peak = float(np.abs(samples).max()) if samples.size else 0.0
    if peak > 0:
        gain = min(gain, _db(MAX_BED_PEAK / peak))
    segment = from_float(samples, rate)
    del samples
    frames = len(segment.raw_data) // segment.frame_width
    cross = round(LOOP_CROSSFADE_SECONDS * rate)
    if frames > 4 * cross:  # the end fades out over the start's fade-in: no click at the loop
        head = ramp(segment.get_sample_slice(0, cross), QUIET_DB, 0.0)
        tail = ramp(segment.get_sample_slice(frames - cross, frames), 0.0, QUIET_DB)
        segment = join([overlay(head, tail), segment.get_sample_slice(cross, frames - cross)])
    return segment.apply_gain(gain)


class BedTrack:
    """The bed under one block: its pieces, aligned with the block's items, ducked and faded."""

    def __init__(
        self, span: MusicSpan, items: Sequence, settings: AudioSettings, *, clips: ClipSource
    ) -> None:
        self.span = span
        self.rate = settings.sample_rate
        self.loop = _prepared(span.bed, settings, clips)
        self.loop_frames = len(self.loop.raw_data) // self.loop.frame_width
        self.up = db_to_gain(span.bed.rise_db)
        self.fade_in = round(FADE_IN_SECONDS * self.rate) if span.first else 0
        self.runs = _pause_runs(items, self.rate, span, self.up)

    def _slice(self, position: int, frames: int) -> AudioSegment:
        """`frames` frames of the (looping) bed from `position` frames into this block.

        Where the bed wraps, its bytes are tiled (the rest of one pass, whole passes, the start
        of the next) in three steps however short the bed: cutting it pass by pass made a bed
        of one sample cost one slice per sample of the block.
        """
        if not self.loop_frames:  # an empty bed (the pipeline refuses one) is silence
            return silence(frames, self.rate, self.loop.channels)
        start = (self.span.offset + position) % self.loop_frames
        if start + frames <= self.loop_frames:
            return self.loop.get_sample_slice(start, start + frames)
        width, raw = self.loop.frame_width, self.loop.raw_data
        passes, rest = divmod(frames - (self.loop_frames - start), self.loop_frames)
        return audio_segment()(
            raw[start * width :] + raw * passes + raw[: rest * width],
            sample_width=self.loop.sample_width,
            frame_rate=self.loop.frame_rate,
            channels=self.loop.channels,
        )

    def _envelope(self, index: int, position: int, frames: int) -> Callable[[int], float]:
        """The bed's amplitude over one item, frame 0 = the item's start."""
        run = self.runs.get(index)

        def amplitude(t: int) -> float:
            value = 1.0
            if run is not None:
                into = run.starts[index] + t
                value = _interpolate(run.envelope, into)
                if run.closes:
                    value *= max(0.0, 1.0 - into / max(1, run.length))
            if position + t < self.fade_in:
                value *= (position + t) / self.fade_in
            return value

        return amplitude

    def _breaks(self, index: int, position: int, frames: int) -> list[int]:
        """Frames of the item where the envelope may bend: its breakpoints, and steps where two
        ramps overlap (a rise under a fade)."""
        points = {0, frames}
        run = self.runs.get(index)
        if run is not None:
            start = run.starts[index]
            points.update(p - start for p, _ in run.envelope if 0 < p - start < frames)
        if position < self.fade_in:
            points.add(min(frames, self.fade_in - position))
        if (run is not None and run.closes) or position < self.fade_in:
            step = round(RAMP_STEP_SECONDS * self.rate)
            points.update(range(step, frames, step))
        return sorted(points)

    def piece(self, index: int, position: int, frames: int) -> AudioSegment:
        """The bed under item `index`, which starts `position` frames into the block."""
        raw = self._slice(position, frames)
        amplitude = self._envelope(index, position, frames)
        points = self._breaks(index, position, frames)
        parts = [
            ramp(raw.get_sample_slice(a, b), _db(amplitude(a)), _db(amplitude(b)))
            for a, b in zip(points, points[1:], strict=False)
            if b > a
        ]
        return join(parts) if parts else raw

    def samples(self, index: int, position: int, frames: int) -> np.ndarray:
        """The same piece as float samples (for measuring the mix's loudness)."""
        return to_float(self.piece(index, position, frames))
