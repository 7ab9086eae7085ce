"""pydub in the mix: the pieces of a block as AudioSegments, stitched and handed to the encoders.

pydub does the stitching of every block (see `mix.stitch`): silences (`AudioSegment.silent`),
level gains (`apply_gain`), fades at every join and the music bed's ramps (`fade`), the bed under
speech (`overlay`) and the joins themselves (`+`). Segments hold 32-bit samples, so no gain or
fade rounds the audio to 16 bits before the encoder does. pydub finds ffmpeg (for decoding sound
files) on the PATH or, with pip alone, in the imageio-ffmpeg wheel.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from functools import cache, reduce
from typing import TYPE_CHECKING

from ..errors import BuildError
from .loudness import ffmpeg_exe

if TYPE_CHECKING:
    import numpy as np
    from pydub import AudioSegment

__all__ = [
    "QUIET_DB",
    "SegmentStream",
    "audio_segment",
    "fade_edges",
    "frames_of",
    "from_float",
    "join",
    "overlay",
    "ramp",
    "silence",
    "to_float",
]

SAMPLE_WIDTH = 4  #: bytes per sample in the mix: 32-bit PCM
FULL_SCALE = 2**31 - 1  #: float 1.0 as a 32-bit sample
QUIET_DB = -120.0  #: the gain pydub's own fades start from and end at ("silent")
#: pydub ramps a fade longer than this (ms) in 1 ms steps, and needs whole milliseconds for it
_STEPPED_FADE_MS = 100


@cache
def audio_segment() -> type[AudioSegment]:
    """pydub's AudioSegment, told where ffmpeg is: the system's, else the imageio-ffmpeg one."""
    with warnings.catch_warnings():
        # pydub warns at import when no ffmpeg is on the PATH (it is told just below where one is)
        # and, on Python 3.12+, about escape sequences in its own regular expressions.
        warnings.simplefilter("ignore")
        from pydub import AudioSegment
    AudioSegment.converter = ffmpeg_exe()
    return AudioSegment


def from_float(samples: np.ndarray, rate: int) -> AudioSegment:
    """Float samples in [-1, 1], shape (frames, channels), as a 32-bit AudioSegment."""
    import numpy as np

    scaled = np.asarray(samples, dtype=np.float64) * FULL_SCALE
    pcm = np.rint(np.clip(scaled, -FULL_SCALE - 1, FULL_SCALE)).astype("<i4")
    channels = 1 if pcm.ndim == 1 else pcm.shape[1]
    return audio_segment()(
        pcm.tobytes(), sample_width=SAMPLE_WIDTH, frame_rate=rate, channels=channels
    )


def to_float(segment: AudioSegment) -> np.ndarray:
    """A segment's samples as float32 in [-1, 1], shape (frames, channels)."""
    import numpy as np

    if segment.sample_width != SAMPLE_WIDTH:
        segment = segment.set_sample_width(SAMPLE_WIDTH)
    pcm = np.frombuffer(segment.raw_data, dtype="<i4").reshape(-1, segment.channels)
    return pcm.astype(np.float32) * np.float32(1.0 / FULL_SCALE)


def frames_of(segment: AudioSegment) -> int:
    """Number of sample frames in a segment."""
    return len(segment.raw_data) // segment.frame_width


def silence(frames: int, rate: int, channels: int) -> AudioSegment:
    """Exactly `frames` frames of digital silence."""
    # silent() counts int(rate * ms / 1000) frames: half a frame more cannot round the wrong way.
    quiet = audio_segment().silent(duration=(frames + 0.5) * 1000 / rate, frame_rate=rate)
    return quiet.set_sample_width(SAMPLE_WIDTH).set_channels(channels)


def _fade_end(frames: int, rate: int) -> float:
    """Where a fade over `frames` frames ends in pydub's milliseconds (whole ones when long)."""
    ms = frames * 1000 / rate
    return ms if ms <= _STEPPED_FADE_MS else math.floor(ms)


def _whole(segment: AudioSegment) -> AudioSegment:
    """The segment padded with silence to a whole number of 10 ms.

    pydub slices by milliseconds and rounds a segment's length to one: `fade` and `overlay` drop
    or pad up to half a millisecond at the end of a segment whose length is not whole. Padded to
    whole 10 ms (a whole number of frames at 32, 44.1 and 48 kHz) they are exact, and the caller
    cuts the padding off again by samples.
    """
    step = segment.frame_rate // 100
    extra = -frames_of(segment) % step
    if not extra:
        return segment
    return segment + silence(extra, segment.frame_rate, segment.channels)


def ramp(
    segment: AudioSegment, from_db: float, to_db: float, frames: int | None = None
) -> AudioSegment:
    """A gain moving linearly (in amplitude) from from_db to to_db over the first `frames` frames
    (default: all of them), and to_db after them."""
    n = frames_of(segment)
    span = n if frames is None else min(frames, n)
    if from_db == to_db or span == 0:
        return segment.apply_gain(to_db) if to_db else segment
    end = _fade_end(span, segment.frame_rate)
    faded = _whole(segment).fade(from_gain=from_db, to_gain=to_db, start=0, end=end)
    return faded.get_sample_slice(0, n)


def overlay(segment: AudioSegment, under: AudioSegment) -> AudioSegment:
    """`under` mixed into the start of `segment` (pydub's overlay), length kept to the frame."""
    n = frames_of(segment)
    return _whole(segment).overlay(under).get_sample_slice(0, n)


def fade_edges(segment: AudioSegment, frames: int) -> AudioSegment:
    """Fade a clip in and out over `frames` frames each (at most half of it), from and to zero."""
    total = frames_of(segment)
    n = min(frames, total // 2)
    if n < 2:
        return segment
    head = ramp(segment.get_sample_slice(0, n), QUIET_DB, 0.0)
    # The fade-out is the fade-in played backwards: the clip's last frame is at pydub's silent
    # gain, as its first one is, so no join clicks.
    tail = ramp(segment.get_sample_slice(total - n, total).reverse(), QUIET_DB, 0.0).reverse()
    faded = join([head, segment.get_sample_slice(n, total - n), tail])
    if frames_of(faded) != total:
        raise BuildError(f"fading a clip changed its length ({total} -> {frames_of(faded)})")
    return faded


def join(segments: Sequence[AudioSegment]) -> AudioSegment:
    """The segments one after the other (pydub's `+`, no crossfade)."""
    return reduce(lambda a, b: a + b, segments)


class SegmentStream:
    """Stitched pieces on their way to the encoder: joined by pydub, handed on at each flush.

    The mixer flushes after every turn, so a block of any length needs the memory of one turn.
    """

    def __init__(self, emit: Callable[[np.ndarray], None]) -> None:
        self._emit = emit
        self._pending: list[AudioSegment] = []

    def add(self, segment: AudioSegment) -> None:
        """Append a piece after the ones already added."""
        if frames_of(segment):
            self._pending.append(segment)

    def flush(self) -> None:
        """Join what is pending and hand it on as float samples."""
        if self._pending:
            joined = join(self._pending)
            self._pending = []
            self._emit(to_float(joined))
