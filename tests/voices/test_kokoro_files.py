"""Kokoro voice files: model or blend, dropped-in model and voices files, file:line errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audiolesson.errors import ConfigError
from audiolesson.voices.engines.kokoro_tts import format_blend, parse_blend, voice_names
from audiolesson.voices.library import load_voices, parse_voice_file
from audiolesson.voices.listing import list_voices


def voice_file(tmp_path: Path, text: str, name: str = "mine") -> Path:
    """voices/NAME.toml with text."""
    folder = tmp_path / "voices"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def styles_file(path: Path, names: tuple[str, ...] = ("af_one", "am_two")) -> Path:
    """A small voices file in Kokoro's format: name -> (rows, 1, 256) float32."""
    rng = np.random.default_rng(0)
    np.savez(path, **{n: rng.normal(size=(4, 1, 256)).astype(np.float32) for n in names})
    return path


def test_a_voice_or_a_blend_by_weight(tmp_path: Path) -> None:
    one = parse_voice_file(voice_file(tmp_path, 'engine = "kokoro"\nmodel = "jm_kumo"\n'))
    assert (one.engine, one.model) == ("kokoro", "jm_kumo")
    blend = parse_voice_file(
        voice_file(tmp_path, 'engine = "kokoro"\nblend = {jm_kumo = 1, jf_alpha = 3}\nspeed = 1.1')
    )
    assert blend.model == "jf_alpha:0.75+jm_kumo:0.25"  # weights sum to 1, names sorted
    assert parse_blend(blend.model) == {"jf_alpha": 0.75, "jm_kumo": 0.25}
    assert parse_blend("jf_nezumi") == {"jf_nezumi": 1.0}
    assert format_blend({"b": 1, "a": 1}) == "a:0.5+b:0.5"
    default = parse_voice_file(voice_file(tmp_path, 'engine = "kokoro"\n'))
    assert default.model == "jf_alpha"
    section = parse_voice_file(
        voice_file(tmp_path, 'engine = "kokoro"\n[blend]\njf_alpha = 0.6\njf_nezumi = 0.4\n')
    )
    assert section.model == "jf_alpha:0.6+jf_nezumi:0.4"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            'engine = "kokoro"\nmodel = "af_heart"\n',
            2,
            ["unknown Kokoro voice 'af_heart'", "jm_kumo"],
        ),
        ('engine = "kokoro"\nmodel = "x.onnx"\n', 2, ["names a Kokoro voice", "model_file"]),
        (
            'engine = "kokoro"\nmodel = "jf_alpha"\nblend = {jf_alpha = 1, jm_kumo = 1}\n',
            3,
            ["either 'model'", "or 'blend'"],
        ),
        ('engine = "kokoro"\nblend = {jf_alpha = 1}\n', 2, ["two or more voices"]),
        (
            'engine = "kokoro"\n[blend]\njf_alpha = 1\njm_kumo = 0\n',
            4,
            ["'jm_kumo' must be", "above 0"],
        ),
        ('engine = "kokoro"\n[blend]\njf_alpha = 1\njm_kumo = true\n', 4, ["must be a number"]),
        ('engine = "kokoro"\n[blend]\njf_alpha = 1\nbob = 1\n', 4, ["unknown Kokoro voice 'bob'"]),
        ('engine = "piper"\nblend = {jf_alpha = 1, jm_kumo = 1}\n', 2, ['set engine = "kokoro"']),
        ('blend = "jf_alpha"\n', 1, ["'blend' must be a table of voice = weight"]),
        (
            'engine = "kokoro"\n\n[options]\nmodel_file = "gone.onnx"\n',
            4,
            ["Kokoro model_file not found", "gone.onnx"],
        ),
        ('engine = "kokoro"\n[options]\nvoices_file = "v.bin"\n', 3, ["voices_file not found"]),
        ('engine = "kokoro"\n[options]\nspeaker = 2\n', 3, ["unknown kokoro option 'speaker'"]),
    ],
)
def test_voice_file_errors_name_file_and_line(
    tmp_path: Path, text: str, line: int, words: list[str]
) -> None:
    path = voice_file(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        parse_voice_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}:"), message
    assert "\n" not in message
    for word in words:
        assert word in message


def test_dropped_in_model_and_voices_file(tmp_path: Path) -> None:
    folder = tmp_path / "voices"
    folder.mkdir()
    (folder / "kokoro-v1.0.onnx").write_bytes(b"not read here")
    styles_file(folder / "voices-v1.0.npz")
    (folder / "voices-v1.0.npz").rename(folder / "voices-v1.0.bin")  # the release's name
    assert voice_names(folder / "voices-v1.0.bin") == ["af_one", "am_two"]
    voice_file(
        tmp_path,
        'engine = "kokoro"\nblend = {af_one = 0.5, am_two = 0.5}\n\n[options]\n'
        'model_file = "kokoro-v1.0.onnx"\nvoices_file = "voices-v1.0.bin"\n',
    )
    voices = load_voices(tmp_path)
    assert voices["mine"].model == "af_one:0.5+am_two:0.5"
    assert voices["mine"].opts["voices_file"] == "voices-v1.0.bin"
    # The Kokoro model is not mistaken for a Piper voice of its own.
    assert "kokoro-v1.0" not in voices
    assert "kokoro-v1.0" not in {row.name for row in list_voices(tmp_path)}
    # A voice the dropped-in file does not have is an error at its line.
    path = voice_file(
        tmp_path,
        'engine = "kokoro"\nmodel = "jf_alpha"\n[options]\nvoices_file = "voices-v1.0.bin"\n',
    )
    with pytest.raises(ConfigError, match=rf"{path}:2: .*choose one of: af_one, am_two"):
        parse_voice_file(path)
    (folder / "broken.bin").write_bytes(b"\x00" * 64)
    path = voice_file(tmp_path, 'engine = "kokoro"\n[options]\nvoices_file = "broken.bin"\n')
    with pytest.raises(ConfigError, match=rf"{path}:3: .* is not a Kokoro voices file"):
        parse_voice_file(path)
