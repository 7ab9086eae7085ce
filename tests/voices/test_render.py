"""render(): engine plus pitch, formant, speed, volume; voice_key(); the default cast, measured."""

from __future__ import annotations

import importlib.util
import itertools
import json
import logging
import re
from pathlib import Path

import numpy as np
import parselmouth
import pytest
import responses

from audiolesson.audio import Audio
from audiolesson.voices.engines.base import Voice
from audiolesson.voices.library import PRESETS
from audiolesson.voices.render import gain, render, shift, voice_key

TOOL = Path(__file__).parents[2] / "tools" / "measure_voices.py"


def load_tool():
    """tools/measure_voices.py as a module."""
    spec = importlib.util.spec_from_file_location("measure_voices", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def median_f0(audio: Audio) -> float:
    """Median F0 of the voiced frames (Praat autocorrelation)."""
    sound = parselmouth.Sound(audio.samples[:, 0].astype(np.float64), audio.sample_rate)
    f0 = sound.to_pitch(pitch_floor=50, pitch_ceiling=700).selected_array["frequency"]
    return float(np.median(f0[f0 > 0]))


def buzz(hz: float = 120.0, seconds: float = 1.0, rate: int = 22050) -> Audio:
    """A voice-like buzz: a pulse train at `hz` through two formant resonances."""
    from scipy.signal import lfilter

    n = int(seconds * rate)
    pulses = np.zeros(n)
    pulses[:: int(rate / hz)] = 1.0
    out = pulses
    for formant, bandwidth in ((700, 130), (1200, 150)):
        r = np.exp(-np.pi * bandwidth / rate)
        theta = 2 * np.pi * formant / rate
        out = lfilter([1 - r], [1, -2 * r * np.cos(theta), r * r], out)
    out = 0.5 * out / np.max(np.abs(out))
    return Audio(out.astype(np.float32)[:, None], rate)


def test_shift_moves_pitch_by_semitones_and_keeps_length_and_rate() -> None:
    source = buzz(120.0)
    up = shift(source, pitch=7.0, formant=1.1)
    assert up.sample_rate == source.sample_rate
    assert up.duration == pytest.approx(source.duration, abs=0.02)
    assert median_f0(up) / median_f0(source) == pytest.approx(2 ** (7 / 12), rel=0.03)
    down = shift(source, pitch=-3.0)
    assert median_f0(down) / median_f0(source) == pytest.approx(2 ** (-3 / 12), rel=0.03)


def test_shift_changes_tempo_without_changing_pitch() -> None:
    source = buzz(150.0, seconds=2.0)
    fast = shift(source, speed=2.0)
    assert fast.duration == pytest.approx(1.0, abs=0.05)
    assert median_f0(fast) == pytest.approx(median_f0(source), rel=0.03)
    assert shift(source) is source  # nothing to do: untouched


def test_volume_is_left_to_the_mixer_and_tone_pitch_is_native() -> None:
    plain = render("Hello there", Voice("t", engine="tone"))
    quiet = render("Hello there", Voice("t", engine="tone", volume=-6.0))
    # the mixer level-matches each turn and then offsets it by the volume (test_mix)
    assert np.array_equal(quiet.samples, plain.samples)
    ratio = np.max(np.abs(gain(plain, -6.0).samples)) / np.max(np.abs(plain.samples))
    assert ratio == pytest.approx(10 ** (-6 / 20), rel=0.01)
    # The tone engine shifts its own pitch: no PSOLA pass, same length.
    high = render("Hello there", Voice("t", engine="tone", pitch=12.0))
    assert high.duration == plain.duration


@responses.activate
def test_render_applies_speed_for_engines_without_native_speed() -> None:
    import base64

    from audiolesson.audio_io import encode_mp3

    # gTTS has no speed setting of its own: render stretches its audio (PSOLA overlap-add).
    mp3 = encode_mp3(Audio(buzz(120.0, seconds=2.0, rate=24000).samples, 24000))
    body = '[["wrb.fr","jQ1olc","[\\"' + base64.b64encode(mp3).decode() + '\\"]"]]\n'
    responses.add(responses.POST, re.compile(r"https://translate\.google\.com/.*"), body=body)
    normal = render("Hello.", Voice("g", engine="gtts"))
    fast = render("Hello.", Voice("g", engine="gtts", speed=2.0))
    assert normal.duration == pytest.approx(2.0, abs=0.1)
    assert fast.duration == pytest.approx(normal.duration / 2, abs=0.05)
    assert median_f0(fast) == pytest.approx(120.0, rel=0.03)


def test_loud_volume_clips_with_a_warning(caplog) -> None:
    with caplog.at_level(logging.WARNING):
        loud = gain(render("Hello", Voice("t", engine="tone")), 12.0)
    assert np.max(np.abs(loud.samples)) <= 1.0
    assert "clips" in caplog.text


def test_voice_key_has_engine_version_fingerprint_and_settings() -> None:
    key = voice_key(PRESETS["student-1"])
    assert key["engine"] == "piper"
    assert key["version"].startswith("piper-tts ")
    assert len(key["fingerprint"]) == 64
    assert key["settings"]["pitch"] == PRESETS["student-1"].pitch
    assert key["settings"]["formant"] == PRESETS["student-1"].formant
    assert key["effects"].startswith("praat-parselmouth ")
    json.dumps(key)  # goes into a JSON cache key
    assert voice_key(PRESETS["student-1"]) == key  # stable
    assert voice_key(PRESETS["student-2"]) != key
    assert voice_key(PRESETS["teacher"])["effects"] == ""  # no shift, no DSP in the key
    assert voice_key(Voice("t", engine="tone", pitch=3.0))["effects"] == ""  # tone shifts itself


SENTENCE = "Today we are going to discuss foundation models and why they matter."


@pytest.mark.slow
def test_default_voices_differ_in_pitch_by_eight_percent_or_in_formants() -> None:
    f0 = {name: median_f0(render(SENTENCE, voice)) for name, voice in PRESETS.items()}
    for a, b in itertools.combinations(f0, 2):
        low, high = sorted((f0[a], f0[b]))
        formants = sorted((PRESETS[a].formant, PRESETS[b].formant))
        # Two voices in one pitch region must differ in vocal-tract size instead (tools/
        # measure_voices.py measures that difference on built audio).
        assert high / low >= 1.08 or formants[1] / formants[0] >= 1.12, (
            f"{a} ({f0[a]:.0f} Hz) and {b} ({f0[b]:.0f} Hz) are too close"
        )
    # Students sound higher than the teacher, the narrator lower.
    assert f0["narrator"] < f0["teacher"] < min(f0[f"student-{i}"] for i in range(1, 9))


@pytest.mark.slow
def test_whisper_understands_every_default_voice() -> None:
    tool = load_tool()
    model = tool.whisper_model()
    text = (
        "Imagine a person who learns to play the piano. First, they spend years mastering "
        "basic techniques and understanding music theory."
    )
    for name, voice in PRESETS.items():
        audio = render(text, voice)
        heard = tool.transcribe(model, audio.samples, audio.sample_rate)
        assert tool.word_error_rate(text, heard) <= 0.10, f"{name}: heard {heard!r}"


#: extreme but valid: the tone engine applies pitch and speed itself, Praat the formant, and
#: finds no voiced stretch in what the engine made (issue 24, item 18)
EXTREME = Voice("squeak", engine="tone", pitch=-24.0, formant=0.5, speed=4.0)


def test_praat_warnings_become_one_log_line_naming_the_voice(caplog) -> None:
    import warnings

    with warnings.catch_warnings(record=True) as raised, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        for _ in range(3):
            render("Hello there, this is a test.", EXTREME)
    assert [w for w in raised if w.category is parselmouth.PraatWarning] == []
    lines = [r.getMessage() for r in caplog.records if "squeak" in r.getMessage()]
    assert lines == [
        "voice 'squeak': Praat: There were no voiced segments found. (its pitch and formants "
        "are kept where Praat finds no voice)"
    ]


@pytest.mark.slow  # a real build process: ~2.2 s at load 4.6
def test_a_build_with_an_extreme_voice_prints_no_raw_praat_warning(tmp_path: Path) -> None:
    from _cli import audiolesson
    from _project import copy_project

    project = copy_project(tmp_path / "project")
    (project / "voices" / "student-1.toml").write_text(
        'engine = "tone"\npitch = -24\nformant = 0.5\nspeed = 4\n'
    )
    proc = audiolesson(project, "build", "--quiet", "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    assert "PraatWarning" not in proc.stderr and "call(" not in proc.stderr
    assert proc.stderr == (
        "WARNING: voice 'student-1': Praat: There were no voiced segments found. (its pitch and "
        "formants are kept where Praat finds no voice)\n"
    )
