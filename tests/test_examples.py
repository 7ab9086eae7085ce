"""The repository's own project (scripts/ and voices/ at the top): what `audiolesson build` in a
fresh clone builds. Cast here without synthesis; the build itself is the README's first command."""

from __future__ import annotations

from pathlib import Path

from audiolesson.config import load_config
from audiolesson.pipeline.plan import load_scripts, script_paths
from audiolesson.voices.cast import cast_script
from audiolesson.voices.library import PRESETS, load_lexicon, load_voices

ROOT = Path(__file__).parents[1]


def test_every_shipped_script_casts_with_the_projects_voices() -> None:
    scripts = load_scripts(script_paths(load_config(ROOT), None))
    assert len(scripts) >= 3
    used: set[str] = set()
    for script in scripts:
        turns = cast_script(script, ROOT)
        assert turns, script.path
        used |= {t.voice.name for t in turns}
    files = {p.stem for p in (ROOT / "voices").glob("*.toml")} - {"lexicon"}
    assert files and files <= used  # no voice file lies unused


def test_the_lexicon_speaks_the_examples_units() -> None:
    said = {e.written: e.text for e in load_lexicon(ROOT).entries}
    assert said == {"m/s": "metres per second", "Hz": "hertz"}
    [example] = load_scripts([ROOT / "scripts" / "example.md"])
    assert not example.meta.say  # the pronunciations moved to voices/lexicon.toml
    spoken = " ".join(t.spoken for t in cast_script(example, ROOT))
    # an American voice: en-US numbers ("three hundred forty-three"), the lexicon's own words
    assert "about three hundred forty-three metres per second" in spoken
    assert "twenty hertz to twenty thousand hertz" in spoken
    assert " m/s" not in spoken and " Hz" not in spoken


def test_maya_and_leo_sound_as_the_presets_they_came_from() -> None:
    # the voice files name the example's students; the sound (and so the cache) is unchanged
    voices = load_voices(ROOT)
    assert voices["maya"].settings() == PRESETS["student-1"].settings()
    assert voices["leo"].settings() == PRESETS["student-2"].settings()
