"""Sound files decode through pydub from every format a script may name, with pip's ffmpeg too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sound_files import tone, write_sound

from audiolesson.export.decoding import SoundFileError, decode_sound, sound_format

RATE = 44100


def peak_hz(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples[:, 0]))
    return float(np.fft.rfftfreq(samples.shape[0], 1 / RATE)[np.argmax(spectrum)])


@pytest.mark.parametrize("suffix", [".wav", ".mp3", ".ogg", ".flac"])
def test_each_format_decodes_at_the_output_format(tmp_path: Path, suffix: str) -> None:
    path = write_sound(tmp_path / f"a{suffix}", tone(1000, 1.0, rate=22050), rate=22050)
    audio = decode_sound(path, RATE, 2)
    assert audio.sample_rate == RATE and audio.channels == 2
    assert abs(audio.duration - 1.0) < 0.06  # MP3 may keep a frame of encoder delay
    assert abs(peak_hz(audio.samples) - 1000) < 5
    assert 0.3 < np.abs(audio.samples).max() < 0.7


def test_a_float_wav_goes_to_ffmpeg_not_to_the_integer_reader(tmp_path: Path) -> None:
    path = tmp_path / "float.wav"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=500:duration=1",
         "-c:a", "pcm_f32le", str(path)],
        check=True,
    )  # fmt: skip
    assert sound_format(path.read_bytes()[:4096]) == ("wav", "pcm_f32le")
    audio = decode_sound(path, RATE, 1)
    assert abs(peak_hz(audio.samples) - 500) < 5 and np.abs(audio.samples).max() < 0.2


def test_what_is_not_a_sound_says_so(tmp_path: Path) -> None:
    text = tmp_path / "notes.wav"
    text.write_text("not audio")
    with pytest.raises(SoundFileError, match="is not a WAV, MP3, OGG or FLAC file"):
        decode_sound(text, RATE, 1)
    broken = tmp_path / "broken.flac"
    broken.write_bytes(b"fLaC" + bytes(range(256)) * 8)
    with pytest.raises(SoundFileError, match="cannot be decoded as FLAC audio"):
        decode_sound(broken, RATE, 1)


def test_pip_alone_suffices_pydub_uses_imageio_ffmpeg(tmp_path: Path) -> None:
    """With no ffmpeg (and no ffprobe) on the PATH, pydub decodes with the wheel's ffmpeg."""
    path = write_sound(tmp_path / "a.ogg", tone(800, 0.5))
    code = (
        "import sys; from pathlib import Path\n"
        "from audiolesson.export.decoding import decode_sound\n"
        "from audiolesson.export.segments import audio_segment\n"
        f"audio = decode_sound(Path({str(path)!r}), 44100, 1)\n"
        "print(audio.frames, audio_segment().converter)\n"
    )
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {**os.environ, "PATH": str(empty)}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    frames, converter = proc.stdout.split()
    assert abs(int(frames) - 22050) < 2205 and "imageio_ffmpeg" in converter
