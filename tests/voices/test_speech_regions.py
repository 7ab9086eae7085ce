"""Each engine says which English its voices speak, and the cast reads numbers the same way."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from audiolesson.config import load_config
from audiolesson.errors import ConfigError
from audiolesson.script import parse
from audiolesson.voices.cast import cast_script
from audiolesson.voices.engines.base import Voice, get_engine

DATA = Path(__file__).parents[1] / "data" / "voices"


@pytest.mark.parametrize(
    ("engine", "voice", "region"),
    [
        ("piper", Voice("v"), "US"),  # the bundled en_US-joe-medium
        ("piper", Voice("v", model="voices/en_GB-alan-medium.onnx"), "GB"),
        ("kokoro", Voice("v", engine="kokoro", model="af_heart"), "US"),
        ("kokoro", Voice("v", engine="kokoro", model="bf_emma:0.6+bm_george:0.4"), "GB"),
        ("kokoro", Voice("v", engine="kokoro", model="jf_alpha"), "US"),  # en-us phonemes
        ("kokoro", Voice("v", engine="kokoro", model="af_heart", options=(("language", "en-gb"),)),
         "GB"),
        ("gtts", Voice("v", engine="gtts"), "US"),
        ("gtts", Voice("v", engine="gtts", options=(("tld", "co.uk"),)), "GB"),
        ("gtts", Voice("v", engine="gtts", options=(("tld", "co.in"),)), "IN"),
        ("gtts", Voice("v", engine="gtts", options=(("tld", "com.au"),)), "AU"),
        ("pyttsx3", Voice("v", engine="pyttsx3", model="gmw/en-us"), "US"),
        ("pyttsx3", Voice("v", engine="pyttsx3", model="gmw/en"), "GB"),
        ("pyttsx3", Voice("v", engine="pyttsx3", model="com.apple.voice.compact.en-IN.Rishi"),
         "IN"),
        ("pyttsx3", Voice("v", engine="pyttsx3"), None),  # the system's default: unknown
        ("tone", Voice("v", engine="tone"), None),
    ],
)  # fmt: skip
def test_each_engine_names_its_voices_region(engine: str, voice: Voice, region: str | None) -> None:
    assert get_engine(engine).region(voice) == region


def test_piper_reads_the_region_from_a_models_config_when_its_name_has_none(
    tmp_path: Path,
) -> None:
    model = tmp_path / "custom.onnx"
    model.write_bytes(b"")
    config = {"language": {"code": "en_IN"}, "espeak": {"voice": "en-us"}}
    (tmp_path / "custom.onnx.json").write_text(json.dumps(config))
    assert get_engine("piper").region(Voice("v", model=str(model))) == "IN"
    (tmp_path / "custom.onnx.json").write_text("not json")
    assert get_engine("piper").region(Voice("v", model=str(model))) is None


SCRIPT = """---
title: Regions
cast:
  Host: british
  Teacher: teacher
---

# One

Host: The river is 346 km long.

Teacher: The river is 346 km long.
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The good voice files: "british" is gTTS with the co.uk accent, the teacher is Piper."""
    shutil.copytree(DATA / "good", tmp_path / "voices")
    return tmp_path


def test_each_turn_is_read_the_way_its_voice_speaks(project: Path) -> None:
    host, teacher = cast_script(parse(SCRIPT, "regions.md"), project)
    assert (host.language, teacher.language) == ("en-GB", "en-US")
    assert host.spoken == "The river is three hundred and forty-six kilometres long."
    assert teacher.spoken == "The river is three hundred forty-six kilometers long."


def test_the_project_setting_and_the_script_win_over_the_voices(project: Path) -> None:
    (project / "audiolesson.toml").write_text('[voices]\nlanguage = "en-IN"\n')
    setting = load_config(project).voices.language
    turns = cast_script(parse(SCRIPT, "regions.md"), project, language=setting)
    assert {t.language for t in turns} == {"en-IN"}
    script = parse(SCRIPT.replace("title: Regions", "title: Regions\nlanguage: en-GB"), "r.md")
    assert {t.language for t in cast_script(script, project, language=setting)} == {"en-GB"}


def test_the_memo_keeps_each_language_apart(project: Path) -> None:
    memo: dict[str, str] = {}
    host, teacher = cast_script(parse(SCRIPT, "regions.md"), project, memo)
    assert len(memo) == 2 and host.spoken != teacher.spoken  # same text, two languages


@pytest.mark.parametrize("value", ['"English"', '"en GB"', "44"])
def test_a_bad_language_setting_is_one_error_at_its_line(tmp_path: Path, value: str) -> None:
    (tmp_path / "audiolesson.toml").write_text(f'[voices]\ncast = "fast"\nlanguage = {value}\n')
    with pytest.raises(ConfigError, match="language") as caught:
        load_config(tmp_path)
    assert caught.value.line == 3
