"""Loudness and peaks (ITU-R BS.1770): per-clip measurement, a streaming meter, a true-peak limiter.

Per-clip loudness comes from pyloudnorm. The streaming meter uses pyloudnorm's K-weighting filters
but keeps only one energy sum per 100 ms, so a chapter of any length is measured in constant memory.
`measure_file` asks ffmpeg's ebur128 filter about a finished file (an independent implementation).
"""

from __future__ import annotations

import logging
import math
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BuildError

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

BLOCK_SECONDS = 0.4  #: BS.1770 gating block
HOPS_PER_BLOCK = 4  #: blocks overlap by 75%: a block is four 100 ms hops
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
OVERSAMPLING = 4  #: true peak: 4x oversampling, as BS.1770-4 annex 2 recommends at 44.1/48 kHz
#: frames that clip_energies, LoudnessMeter and frame_peaks work on at once (a few MB), so a turn
#: of minutes costs the memory of a piece
PIECE_FRAMES = 1 << 17


def db_to_gain(db: float) -> float:
    """Linear amplitude factor for a gain in dB."""
    return 10.0 ** (db / 20.0)


def clip_loudness(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness of one clip in LUFS (BS.1770-4, as pyloudnorm measures it); -inf for
    silence.

    The same arithmetic as `pyloudnorm.Meter.integrated_loudness` (its K-weighting filters, its
    block layout and gates), with the per-block loop done by cumulative sums: pyloudnorm's Python
    loop over 100 ms steps was a quarter of a block's export time. A test holds the two within
    1e-6 LU on clips of every length.
    """
    return clip_energies(samples, rate)[0]


def clip_energies(samples: np.ndarray, rate: int) -> tuple[float, np.ndarray]:
    """`clip_loudness` and the clip's K-weighted energy per 100 ms hop (as `LoudnessMeter.hops`
    gives for the clip alone, to rounding), from one filter pass.

    The K-weighted signal is made, squared and summed piece by piece (the filters carry their
    state across pieces): a clip of minutes never holds more than a piece of it in float64, and
    the running sum is read only where a gating block or a hop starts or ends.
    """
    import numpy as np

    frames = samples.shape[0]
    channels = samples.shape[1] if samples.ndim == 2 else 1
    hop = round(rate * BLOCK_SECONDS / HOPS_PER_BLOCK)
    hop_edges = np.arange(0, frames // hop + 1, dtype=np.int64) * hop
    # Clips shorter than one gating block are measured as a single block of their own length.
    block = min(BLOCK_SECONDS, (frames - 0.5) / rate)
    if frames == 0 or block <= 0:
        return -math.inf, np.zeros((frames // hop, channels))
    step = 1.0 - 0.75  # pyloudnorm's overlap
    count = int(np.round((frames / rate - block) / (block * step))) + 1
    j = np.arange(count, dtype=np.float64)
    lower = np.minimum((block * (j * step) * rate).astype(np.int64), frames)
    upper = np.minimum((block * (j * step + 1) * rate).astype(np.int64), frames)
    edges, where = np.unique(np.concatenate([lower, upper, hop_edges]), return_inverse=True)
    energy = _running_energy(samples, rate, edges)
    z = (energy[where[count : 2 * count]] - energy[where[:count]]) / (block * rate)
    hops = np.diff(energy[where[2 * count :]], axis=0)
    return _gated(z), hops


def _running_energy(samples: np.ndarray, rate: int, edges: np.ndarray) -> np.ndarray:
    """The running sum of the squared K-weighted signal before each frame index in `edges`
    (sorted, 0..frames), shape (len(edges), channels)."""
    import numpy as np
    from scipy.signal import sosfilt

    x = samples if samples.ndim == 2 else samples[:, None]
    frames, channels = x.shape
    sos = k_weighting(rate)
    state = np.zeros((sos.shape[0], 2, channels))
    out = np.zeros((edges.size, channels))
    carry = np.zeros(channels)
    first = int(np.searchsorted(edges, 1))  # edges at 0 stay 0
    for start in range(0, frames, PIECE_FRAMES):
        stop = min(frames, start + PIECE_FRAMES)
        piece = np.asarray(x[start:stop], dtype=np.float64)
        weighted, state = sosfilt(sos, piece, axis=0, zi=state)
        np.multiply(weighted, weighted, out=weighted)
        running = np.cumsum(weighted, axis=0)
        running += carry
        last = int(np.searchsorted(edges, stop, side="right"))
        out[first:last] = running[edges[first:last] - start - 1]
        first = last
        carry = running[-1]
    return out


def _gated(z: np.ndarray) -> float:
    """pyloudnorm's gates over the mean-square per gating block and channel, shape (blocks,
    channels)."""
    import numpy as np

    gains = np.array([1.0, 1.0, 1.0, 1.41, 1.41])[: z.shape[1]]
    power = z @ gains
    with np.errstate(divide="ignore", invalid="ignore"):
        levels = -0.691 + 10.0 * np.log10(power)
    above = levels >= ABSOLUTE_GATE_LUFS
    if not above.any():
        return -math.inf
    relative = -0.691 + 10.0 * math.log10(float(z[above].mean(axis=0) @ gains)) + RELATIVE_GATE_LU
    gated = (levels > relative) & (levels > ABSOLUTE_GATE_LUFS)
    if not gated.any():
        return -math.inf
    value = -0.691 + 10.0 * math.log10(float(z[gated].mean(axis=0) @ gains))
    return value if math.isfinite(value) else -math.inf


@cache
def k_weighting(rate: int) -> np.ndarray:
    """BS.1770's K-weighting as second-order sections, from pyloudnorm's two filters."""
    import numpy as np
    import pyloudnorm

    shelf = pyloudnorm.IIRfilter(4.0, 1 / np.sqrt(2), 1500.0, rate, "high_shelf")
    highpass = pyloudnorm.IIRfilter(0.0, 0.5, 38.0, rate, "high_pass")
    sections = []
    for stage in (shelf, highpass):
        sections.append(np.concatenate([stage.b * stage.passband_gain, stage.a]))
    return np.array(sections)


def gated_loudness(hops: np.ndarray, hop_frames: int) -> float:
    """Integrated loudness (LUFS) from per-100 ms K-weighted energy sums, shape (hops, channels)."""
    import numpy as np

    if hops.shape[0] < HOPS_PER_BLOCK:
        return -math.inf
    cumulative = np.concatenate([np.zeros((1, hops.shape[1])), np.cumsum(hops, axis=0)])
    blocks = (cumulative[HOPS_PER_BLOCK:] - cumulative[:-HOPS_PER_BLOCK]) / (
        HOPS_PER_BLOCK * hop_frames
    )
    power = blocks.sum(axis=1)  # channel weights are 1.0 for mono, left and right
    with np.errstate(divide="ignore"):
        levels = -0.691 + 10.0 * np.log10(power)
    above = levels > ABSOLUTE_GATE_LUFS
    if not above.any():
        return -math.inf
    relative = -0.691 + 10.0 * math.log10(power[above].mean()) + RELATIVE_GATE_LU
    gated = power[above & (levels > relative)]
    return -0.691 + 10.0 * math.log10(gated.mean())


class LoudnessMeter:
    """Streaming BS.1770 integrated loudness: feed audio piece by piece, then ask."""

    def __init__(self, rate: int, channels: int) -> None:
        import numpy as np

        self._sos = k_weighting(rate)
        self._state = np.zeros((2, 2, channels))
        self._channels = channels
        self.hop_frames = round(rate * BLOCK_SECONDS / HOPS_PER_BLOCK)
        self._rest = np.zeros((0, channels))
        self._hops: list[np.ndarray] = []

    def add(self, samples: np.ndarray) -> None:
        """Feed the next piece of audio, shape (frames, channels): filtered PIECE_FRAMES frames at
        a time, so a long turn costs the memory of a piece (the sums are the same)."""
        for start in range(0, samples.shape[0], PIECE_FRAMES):
            self._add(samples[start : start + PIECE_FRAMES])

    def _add(self, samples: np.ndarray) -> None:
        import numpy as np
        from scipy.signal import sosfilt

        if samples.shape[0] == 0:
            return
        weighted, self._state = sosfilt(
            self._sos, np.asarray(samples, dtype=np.float64), axis=0, zi=self._state
        )
        squared = np.concatenate([self._rest, weighted * weighted])
        whole = squared.shape[0] // self.hop_frames * self.hop_frames
        if whole:
            self._hops.append(
                squared[:whole].reshape(-1, self.hop_frames, self._channels).sum(axis=1)
            )
        self._rest = squared[whole:]

    def hops(self) -> np.ndarray:
        """Energy sums per 100 ms so far, shape (hops, channels); a final partial hop is dropped."""
        import numpy as np

        if not self._hops:
            return np.zeros((0, self._channels))
        return np.concatenate(self._hops)

    def integrated(self) -> float:
        """Integrated gated loudness (LUFS) of all audio fed so far; -inf if silent or too short."""
        return gated_loudness(self.hops(), self.hop_frames)


@cache
def _interpolator() -> np.ndarray:
    """Polyphase 4x interpolation filter, shape (phases, taps): 48 taps, as in BS.1770-4."""
    from scipy.signal import firwin

    taps = firwin(12 * OVERSAMPLING, 1.0 / OVERSAMPLING, window=("kaiser", 6.0)) * OVERSAMPLING
    return taps.reshape(-1, OVERSAMPLING).T.copy()


def frame_peaks(samples: np.ndarray) -> np.ndarray:
    """Per frame, the largest magnitude over channels and the 4x-oversampled points around it.

    Each phase of the interpolator is 12 taps: summing 12 shifted slices (float32, in place) is
    about twice as fast as numpy's convolve for a kernel this short, with the same result to
    float32 rounding. The clip goes PIECE_FRAMES frames at a time (with the taps' reach on each
    side), so a long turn needs the memory of a piece; each frame's sum is the same.
    """
    import numpy as np

    phases = _interpolator().astype(np.float32)
    taps = phases.shape[1]
    delay = taps // 2
    frames = samples.shape[0]
    peaks = np.abs(samples).max(axis=1).astype(np.float32)
    reach = taps - 1
    for first in range(0, frames, PIECE_FRAMES):
        count = min(PIECE_FRAMES, frames - first)
        padded = np.zeros(count + 2 * reach, dtype=np.float32)
        between = np.empty(count, dtype=np.float32)
        term = np.empty(count, dtype=np.float32)
        out = peaks[first : first + count]
        # padded[k] holds sample first - reach + k (zero outside the clip)
        lo, hi = max(0, first - reach), min(frames, first + count + reach)
        for channel in range(samples.shape[1]):
            padded.fill(0.0)
            padded[lo - (first - reach) : hi - (first - reach)] = samples[lo:hi, channel]
            for phase in phases:
                # full convolution at output index m: sum over j of phase[j] * x[m - j], m from
                # delay
                between.fill(0.0)
                for j, tap in enumerate(phase):
                    start = delay - j + reach
                    np.multiply(padded[start : start + count], tap, out=term)
                    between += term
                np.abs(between, out=between)
                np.maximum(out, between, out=out)
    return peaks


def true_peak_db(samples: np.ndarray) -> float:
    """True peak of some audio in dBTP (4x oversampled); -inf for silence."""
    if samples.shape[0] == 0:
        return -math.inf
    return _to_db(float(frame_peaks(samples).max()))


def _to_db(peak: float) -> float:
    return 20.0 * math.log10(peak) if peak > 0 else -math.inf


def limiter_gain(
    peaks: np.ndarray, rate: int, ceiling_db: float, window_ms: float = 10.0
) -> np.ndarray | None:
    """The true-peak limiter's gain per frame for audio with these frame_peaks; None: nothing to do.

    The needed gain is held (minimum over +-window) and then averaged over the same window:
    look-ahead attack and release ramps that never reduce less than needed anywhere. The curve
    multiplies the audio it was measured on, or the audio before a gain the peaks already carry
    (a gain and the curve commute), so a level can be applied after the limiter has been set.
    """
    import numpy as np
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    ceiling = db_to_gain(ceiling_db)
    if peaks.shape[0] == 0 or float(peaks.max()) <= ceiling:
        return None
    needed = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12)).astype(np.float32)
    size = 2 * max(1, round(rate * window_ms / 1000)) + 1
    held = minimum_filter1d(needed, size=size, mode="nearest")
    return uniform_filter1d(held, size=size, mode="nearest")


def limit_true_peak(
    samples: np.ndarray,
    rate: int,
    ceiling_db: float,
    window_ms: float = 10.0,
    peaks: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """Lower the gain smoothly around every true peak above ceiling_db; untouched elsewhere.

    Returns the audio and its true peak in dBTP. `peaks` may pass in frame_peaks(samples) when the
    caller has them (they scale with gain, so one computation serves every gain tried for a clip).
    """
    import numpy as np

    if samples.shape[0] == 0:
        return samples, -math.inf
    if peaks is None:
        peaks = frame_peaks(samples)
    gain = limiter_gain(peaks, rate, ceiling_db, window_ms)
    if gain is None:
        return samples, _to_db(float(peaks.max()))
    return (samples * gain[:, None]).astype(np.float32), ceiling_db


@dataclass(frozen=True)
class FileLoudness:
    """Loudness of a finished audio file as ffmpeg's ebur128 filter measures it."""

    integrated_lufs: float
    true_peak_dbtp: float
    loudness_range_lu: float


def ffmpeg_exe() -> str:
    """The system ffmpeg, else the one shipped in the imageio-ffmpeg wheel."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def measure_file(path: Path) -> FileLoudness:
    """Integrated loudness, true peak and loudness range of an audio file (ffmpeg ebur128)."""
    cmd = [ffmpeg_exe(), "-nostats", "-hide_banner", "-i", str(path)]
    cmd += ["-filter_complex", "ebur128=peak=true", "-f", "null", "-"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    summary = proc.stderr.rpartition("Summary:")[2]
    values = {}
    for name in ("I", "LRA", "Peak"):
        match = re.search(rf"^\s*{name}:\s+(-?(?:\d+(?:\.\d+)?|inf))", summary, re.MULTILINE)
        if match:
            values[name] = float(match.group(1))
    if proc.returncode != 0 or len(values) != 3:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise BuildError(f"cannot measure loudness: ffmpeg failed: {last}", path=path)
    return FileLoudness(values["I"], values["Peak"], values["LRA"])
