"""Audio that knows its format: float samples with their rate and channel count, and PCM forms.

Every stage hands audio around as `Audio` (engines return it, the cache stores it, the mixer reads
it); the conversions to and from 16-bit PCM live here once, as piper's AudioChunk keeps its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported lazily so that `audiolesson --help` stays fast
    import numpy as np

__all__ = ["PCM16_SCALE", "Audio", "pcm16_bytes"]

#: full scale of 16-bit PCM: float 1.0 <-> 32767
PCM16_SCALE = 32767.0


def _int16(samples: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] as little-endian int16, clipped to full scale (float32 maths)."""
    import numpy as np

    samples = np.asarray(samples, dtype=np.float32)
    return (np.clip(samples, -1.0, 1.0) * PCM16_SCALE).round().astype("<i2")


def pcm16_bytes(samples: np.ndarray) -> bytes:
    """Raw interleaved 16-bit little-endian PCM of float samples (any shape, frames first)."""
    return _int16(samples).tobytes()


@dataclass(frozen=True)
class Audio:
    """PCM audio carrying its own format: float32 samples in [-1, 1], shape (frames, channels)."""

    samples: np.ndarray
    sample_rate: int

    @property
    def channels(self) -> int:
        """Number of channels."""
        return 1 if self.samples.ndim == 1 else int(self.samples.shape[1])

    @property
    def frames(self) -> int:
        """Number of sample frames."""
        return int(self.samples.shape[0])

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.frames / self.sample_rate

    def to_int16(self) -> np.ndarray:
        """Samples as int16, shape (frames, channels), clipped to full scale."""
        samples = self.samples if self.samples.ndim == 2 else self.samples[:, None]
        return _int16(samples)

    def to_pcm16(self) -> bytes:
        """Interleaved 16-bit little-endian PCM bytes."""
        return pcm16_bytes(self.samples)

    def rounded_to_pcm16(self) -> Audio:
        """The same audio with its samples rounded to 16-bit PCM values (what a clip stores)."""
        import numpy as np

        samples = self.to_int16().astype(np.float32) / np.float32(PCM16_SCALE)
        return Audio(samples.reshape(self.samples.shape), self.sample_rate)

    @classmethod
    def from_pcm16(cls, data: bytes, sample_rate: int, channels: int = 1) -> Audio:
        """Audio from interleaved 16-bit little-endian PCM bytes (mono stays one-dimensional)."""
        import numpy as np

        samples = np.frombuffer(data, dtype="<i2").astype(np.float32) / PCM16_SCALE
        if channels > 1:
            samples = samples.reshape(-1, channels)
        return cls(samples=samples, sample_rate=int(sample_rate))
