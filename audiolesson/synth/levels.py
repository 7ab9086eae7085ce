"""Each clip's level at the output format, measured once and kept beside the clip cache.

Levelling a clip (loudness, a 4x-oversampled true peak, the limiter's make-up rounds, its
K-weighted energies for the block's shared correction) was most of an export's time, and none of
it changes while the clip and the audio settings stay: a clip's `ClipLevel` is kept under
cache_dir/levels/<key[:2]>/<key>.<tag>.json, where the tag names what it depends on (output rate
and channels, the loudness the clip aims at, the true-peak ceiling; see `level_tag`). A block then
mixes its clips from their kept levels, and re-measures only the clips it has not met before. A
level file is a measurement, not a source: a damaged one is measured again.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..files import write_atomic

if TYPE_CHECKING:
    import numpy as np

__all__ = ["LEVELS_FOLDER", "LEVEL_VERSION", "ClipLevel", "LevelStore", "level_tag"]

LEVELS_FOLDER = "levels"  #: kept levels live in cache_dir/levels
#: bump when a level is measured otherwise: older level files are then measured again
LEVEL_VERSION = 1
#: a level file's name, and its temporary file's while it is written (`LevelStore.put`)
_NAME = re.compile(
    r"(?P<temp>\.)?(?P<key>[0-9a-f]{16,64})\.[0-9a-f]{12}\.json(?(temp)\.[^./]+\.tmp)"
)


@dataclass(frozen=True)
class ClipLevel:
    """A clip's level in a block, measured on the clip alone at the output rate and channels."""

    gain_db: float  #: to its aim, the limiter's make-up included (before the block's correction)
    peak: float  #: the largest 4x-oversampled true peak of the conformed clip at 0 dB (linear)
    hops: np.ndarray  #: K-weighted energy per 100 ms of the clip at gain_db, limited (float64)
    frames: int  #: the conformed clip's length
    #: the frames whose true peak (float32, at 0 dB) could reach the limiter at the most the
    #: block's correction can add, and those peaks: every other frame's limiter gain is 1
    loud: tuple[np.ndarray, np.ndarray]

    def peaks(self) -> np.ndarray:
        """The clip's true peaks per frame as the limiter sees them (zero where it cannot act)."""
        import numpy as np

        peaks = np.zeros(self.frames, dtype=np.float32)
        peaks[self.loud[0]] = self.loud[1]
        return peaks

    def data(self, tag: str) -> bytes:
        """The level file's contents."""
        import numpy as np

        hops = np.ascontiguousarray(self.hops, dtype="<f8")
        index, peaks = self.loud
        steps = np.diff(np.asarray(index, dtype=np.int64), prepend=0).astype("<u4")
        return json.dumps(
            {
                "version": LEVEL_VERSION,
                "tag": tag,
                "gain_db": self.gain_db,
                "peak": self.peak,
                "frames": self.frames,
                "shape": list(hops.shape),
                "hops": _pack(hops.tobytes()),
                "loud": _pack(steps.tobytes()),
                "loud_peaks": _pack(np.asarray(peaks, dtype="<f4").tobytes()),
            }
        ).encode("utf-8")

    @classmethod
    def parse(cls, data: bytes, tag: str) -> ClipLevel | None:
        """The level a file holds, or None: unreadable, another version or another tag."""
        import numpy as np

        try:
            found = json.loads(data)
            if found["version"] != LEVEL_VERSION or found["tag"] != tag:
                return None
            shape = tuple(int(n) for n in found["shape"])
            hops = np.frombuffer(_unpack(found["hops"]), dtype="<f8").reshape(shape)
            steps = np.frombuffer(_unpack(found["loud"]), dtype="<u4")
            peaks = np.frombuffer(_unpack(found["loud_peaks"]), dtype="<f4")
            gain, peak, frames = float(found["gain_db"]), float(found["peak"]), int(found["frames"])
        except (KeyError, TypeError, ValueError, zlib.error):  # json, base64, zlib, reshape
            return None
        index = np.cumsum(steps, dtype=np.int64)
        if (
            len(shape) != 2
            or not (np.isfinite(gain) and np.isfinite(peak) and peak >= 0 and frames >= 0)
            or index.shape != peaks.shape
            or (index.size and int(index[-1]) >= frames)
        ):
            return None
        return cls(gain, peak, hops.astype(np.float64), frames, (index, peaks.astype(np.float32)))


def _pack(data: bytes) -> str:
    return base64.b64encode(zlib.compress(data, 1)).decode("ascii")


def _unpack(text: str) -> bytes:
    return zlib.decompress(base64.b64decode(text, validate=True))


def level_tag(rate: int, channels: int, aim_lufs: float, ceiling_db: float) -> str:
    """What a kept level depends on besides the clip: the output format, the aim, the ceiling."""
    return f"v{LEVEL_VERSION}/{rate}/{channels}/{aim_lufs:.6f}/{ceiling_db:.6f}"


class LevelStore:
    """Kept levels by clip key and tag, in cache_dir/levels."""

    def __init__(self, cache_dir: Path) -> None:
        self.folder = Path(cache_dir) / LEVELS_FOLDER

    def path(self, key: str, tag: str) -> Path:
        digest = hashlib.sha256(tag.encode("utf-8")).hexdigest()[:12]
        return self.folder / key[:2] / f"{key}.{digest}.json"

    def get(self, key: str, tag: str) -> ClipLevel | None:
        """The kept level, or None (never measured, or its file is damaged)."""
        try:
            data = self.path(key, tag).read_bytes()
        except OSError:
            return None
        return ClipLevel.parse(data, tag)

    def put(self, key: str, tag: str, level: ClipLevel) -> None:
        """Keep a level: written beside and renamed over, without fsync (a level lost or cut
        short by a crash is measured again). A full disk only costs the next build the work."""
        with contextlib.suppress(OSError):
            write_atomic(self.path(key, tag), level.data(tag), durable=False)

    def prune(self, keep: set[str]) -> tuple[int, int]:
        """Remove the levels of clips not in keep, and stale temporary files; (files, bytes)."""
        removed = freed = 0
        for sub in self.folder.iterdir() if self.folder.is_dir() else []:
            for p in sub.iterdir() if sub.is_dir() else []:
                named = _NAME.fullmatch(p.name)
                if named is None or not p.is_file():
                    continue  # not ours
                if named["key"] in keep and not named["temp"]:
                    continue
                with contextlib.suppress(OSError):
                    freed += p.stat().st_size
                    p.unlink()
                    removed += 1
            if re.fullmatch(r"[0-9a-f]{2}", sub.name):
                with contextlib.suppress(OSError):
                    sub.rmdir()  # ours, and only if empty
        return removed, freed
