"""`audiolesson voices` and `say`: the full listing and say's files through the installed command,
as a user runs them, the rest in-process; outputs read back with ffprobe."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import parselmouth
import pytest
import soundfile
from _cli import Ran, audiolesson, in_process
from _probe import ffprobe

from audiolesson.voices.listing import list_voices

DATA = Path(__file__).parents[1] / "data" / "voices"


def installed(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The `audiolesson` command pip installed, in a process of its own."""
    return audiolesson(project, *args, timeout=120, script=True)


def run(project: Path, *args: str) -> Ran:
    """The CLI in-process (same output, no start-up)."""
    return in_process(project, *args)


def probe(path: Path) -> dict:
    """ffprobe's view of an audio file's first stream."""
    info = ffprobe(path)
    return {**info["streams"][0], "duration": float(info["format"]["duration"])}


def median_f0(path: Path) -> float:
    samples, rate = soundfile.read(str(path), dtype="float64", always_2d=True)
    f0 = parselmouth.Sound(samples[:, 0], rate).to_pitch().selected_array["frequency"]
    return float(np.median(f0[f0 > 0]))


def rows(stdout: str) -> dict[str, list[str]]:
    """Listing lines keyed by voice name."""
    return {line.split()[0]: line.split() for line in stdout.splitlines() if line.strip()}


def test_voices_lists_presets_files_and_engine_voices(project: Path) -> None:
    (project / "voices" / "ghost.toml").write_text('engine = "festival"\n')
    result = installed(project, "voices")
    assert result.returncode == 0, result.stderr
    listed = rows(result.stdout)
    for name in ("narrator", "teacher", "student-1", "student-2", "student-3", "student-4"):
        assert listed[name][1:2] == ["piper"] and "ok" in listed[name]
    assert listed["teacher"][2] == "voices/teacher.toml"  # the file overrides the preset
    assert listed["robot"][1] == "tone" and listed["espeak"][1] == "pyttsx3"
    assert "needs the internet" in result.stdout.split("british", 1)[1].splitlines()[0]
    assert "unavailable" in listed["ghost"] and "unknown engine 'festival'" in result.stdout
    assert "gmw/en-us" in listed  # espeak-ng's own voices
    assert "en_US-joe-medium" in listed and "fr" in listed  # piper's model, gTTS languages


def test_voices_filters_by_engine(project: Path) -> None:
    result = run(project, "voices", "--engine", "tone")
    assert result.returncode == 0
    assert set(rows(result.stdout)) == {"robot", "sine"}


def test_a_broken_engine_does_not_break_the_listing(project: Path, monkeypatch) -> None:
    from audiolesson.voices import listing
    from audiolesson.voices.engines import base

    real = base.engine_class

    def engine_class(name: str) -> type:
        if name == "broken":
            raise ImportError("No module named 'broken_tts'")
        return real(name)

    monkeypatch.setattr(base, "engine_class", engine_class)
    engines = ["broken", *base.available_engines()]
    monkeypatch.setattr(listing, "available_engines", lambda: engines)
    listed = {(r.name, r.engine): r for r in list_voices(project)}
    assert not listed[("*", "broken")].usable
    assert "broken_tts" in listed[("*", "broken")].reason
    assert listed[("sine", "tone")].usable and listed[("teacher", "piper")].usable


@pytest.mark.slow
def test_say_writes_wav_and_mp3_that_players_read(project: Path) -> None:
    (project / "voices" / "teacher.toml").unlink()  # use the presets
    text = "Hello, this is one voice of the default cast."
    result = installed(project, "say", text, "-o", "teacher.wav")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "teacher.wav"
    wav = probe(project / "teacher.wav")
    assert (wav["codec_name"], wav["sample_rate"], wav["channels"]) == ("pcm_s16le", "22050", 1)
    assert 1.5 < wav["duration"] < 6
    result = installed(project, "say", text, "--voice", "student-3", "-o", "out/student.mp3")
    assert result.returncode == 0, result.stderr
    mp3 = probe(project / "out" / "student.mp3")
    assert mp3["codec_name"] == "mp3" and 1.5 < mp3["duration"] < 6
    installed(project, "say", text, "--voice", "student-3", "-o", "student.wav")
    assert median_f0(project / "student.wav") > 1.5 * median_f0(project / "teacher.wav")
    assert not list(project.glob("**/*.tmp"))  # atomic writes leave nothing behind


def test_say_applies_the_project_lexicon(project: Path) -> None:
    # The tone engine lasts 60 ms per character: "GPT" becomes "G P T" (5 characters).
    assert run(project, "say", "GPT", "--voice", "robot", "-o", "a.wav").returncode == 0
    assert probe(project / "a.wav")["duration"] == pytest.approx(0.30, abs=0.01)


def test_say_defaults_to_teacher_and_say_wav(project: Path) -> None:
    (project / "voices" / "teacher.toml").write_text('engine = "tone"\n')
    result = run(project, "say", "Hi there")
    assert result.returncode == 0, result.stderr
    assert probe(project / "say.wav")["duration"] == pytest.approx(8 * 0.06, abs=0.01)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--voice", "nobody"], "unknown voice 'nobody'; choose one of: british, espeak, narrator"),
        (["-o", "x.ogg"], "x.ogg: name the output file with one of: .wav, .mp3"),
    ],
)
def test_say_errors_are_one_line(project: Path, args: list[str], needle: str) -> None:
    result = run(project, "say", "Hello", *args)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert needle in result.stderr
    assert not (project / "x.ogg").exists()


def test_say_reports_a_broken_voice_file_with_its_line(project: Path) -> None:
    shutil.copy(DATA / "bad" / "wrong_type.toml", project / "voices" / "wrong_type.toml")
    result = run(project, "say", "Hello", "--voice", "robot")
    assert result.returncode == 1
    assert (
        result.stderr.startswith("error: ")
        and "wrong_type.toml:3: 'pitch' must be" in result.stderr
    )
