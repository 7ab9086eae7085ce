"""Sound cues, intro/outro and music in the script format: what parses, and what is refused."""

from __future__ import annotations

import pytest

from audiolesson.errors import ScriptError
from audiolesson.script import Music, Sound, Turn, parse

SCRIPT = """---
title: With sounds
intro: sounds/intro.mp3
outro: sounds/outro.wav
music:
  file: sounds/bed.ogg
  volume: -20
  rise: 6dB
---
Before any heading.

# One
<!-- music: sounds/other.flac -->

Teacher: Hello.

[sound sounds/chime.wav]

<!-- a note that stays a comment -->

## One point one

Teacher: Still the music of One.

## One point two
<!-- music: none -->

Teacher: Quiet here. <!-- music: not a directive: it shares the line -->

# Two

Teacher: The script's music again.
"""


def test_sounds_and_music_parse_with_their_lines() -> None:
    script = parse(SCRIPT, "scripts/s.md")
    meta = script.meta
    assert (meta.intro, meta.outro) == ("sounds/intro.mp3", "sounds/outro.wav")
    assert meta.music == Music("sounds/bed.ogg", 6, -20.0, 6.0)
    opening, one, one_one, one_two, two = script.chapters
    assert opening.music is None and two.music is None and one_one.music is None
    assert one.music == Music("sounds/other.flac", 13, -20.0, 6.0)  # the script's levels
    assert one_two.music == Music(None, 26, -20.0, 6.0)
    assert one.items == [Turn("Teacher", "Hello.", 15), Sound("sounds/chime.wav", 17)]
    assert [t.text for t in script.turns][-2] == "Quiet here."
    assert not script.warnings


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[sound]", "malformed sound"),
        ("[sound a.wav] and more", "malformed sound"),
        ("<!-- music: a.ogg -->\n\nTeacher: Hi.", "this one comes before any heading"),
        ("# A\n<!-- music: a.ogg -->\n<!-- music: b.ogg -->", "'A' already has music at line 2"),
        ("# A\nTeacher: Hi.\n\n<!-- music: a.ogg -->", "'A' already has turns above it"),
        ("# A\n<!-- music:  -->\n\nTeacher: Hi.", "music comment names no file"),
    ],
)
def test_misplaced_or_malformed_directives_are_errors(body: str, message: str) -> None:
    with pytest.raises(ScriptError, match=message):
        parse(f"Teacher: Start.\n\n{body}\n" if body.startswith("[") else body + "\n", "s.md")


@pytest.mark.parametrize(
    ("music", "message"),
    [
        ("  volume: -3", "music 'volume' must be a number of dB from -40 to -6, not '-3'"),
        ("  rise: loud", "music 'rise' must be a number of dB from 0 to 20, not 'loud'"),
        ("  speed: 2", "unknown music setting 'speed'; choose one of: file, volume, rise"),
    ],
)
def test_music_settings_are_checked(music: str, message: str) -> None:
    text = f"---\nmusic:\n  file: bed.ogg\n{music}\n---\nTeacher: Hi.\n"
    with pytest.raises(ScriptError, match=message):
        parse(text, "s.md")
    with pytest.raises(ScriptError, match="music gives no 'file'"):
        parse("---\nmusic:\n  volume: -20\n---\nTeacher: Hi.\n", "s.md")
