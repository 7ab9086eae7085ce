"""Sound files made at test time (tones in WAV, MP3, OGG, FLAC) and band levels to find them again.

Nothing here is committed audio: every file is generated from numpy and, for the compressed
formats, encoded by the system's ffmpeg.
"""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np

RATE = 44100


def tone(hz: float, seconds: float, rate: int = 22050, level: float = 0.5) -> np.ndarray:
    """A sine with 5 ms fades, mono float32."""
    t = np.arange(int(seconds * rate)) / rate
    envelope = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.005)
    return (level * envelope * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def write_sound(path: Path, samples: np.ndarray, rate: int = 22050) -> Path:
    """Write mono samples as WAV, or (by the suffix) MP3, OGG or FLAC through ffmpeg."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wav = path if path.suffix == ".wav" else path.with_suffix(".src.wav")
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((np.clip(samples, -1, 1) * 32767).round().astype("<i2").tobytes())
    if wav != path:
        codec = {".mp3": "libmp3lame", ".ogg": "libvorbis", ".flac": "flac"}[path.suffix]
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-i", str(wav), "-c:a", codec, str(path)], check=True
        )
        wav.unlink()
    return path


def decode(path: Path) -> np.ndarray:
    """Any audio file as mono float at 44.1 kHz (ffmpeg)."""
    proc = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(RATE)]
        + ["-f", "s16le", "-"],
        capture_output=True,
        check=True,
    )
    return np.frombuffer(proc.stdout, dtype="<i2") / 32768.0


def band_db(samples: np.ndarray, lo: float, hi: float, rate: int = RATE) -> float:
    """Mean power (dBFS; a full-scale sine is -3 dB) of what `samples` hold between lo and hi Hz."""
    x = np.asarray(samples, dtype=np.float64)
    if x.size == 0:
        return -np.inf
    spectrum = np.fft.rfft(x * np.hanning(x.size))
    freqs = np.fft.rfftfreq(x.size, 1 / rate)
    window_power = (np.hanning(x.size) ** 2).mean()
    power = (np.abs(spectrum[(freqs >= lo) & (freqs < hi)]) ** 2).sum() * 2 / x.size**2
    return 10 * np.log10(power / window_power + 1e-20)


def window(samples: np.ndarray, start: float, end: float, rate: int = RATE) -> np.ndarray:
    """The samples between two times in seconds."""
    return samples[max(0, int(start * rate)) : max(0, int(end * rate))]
