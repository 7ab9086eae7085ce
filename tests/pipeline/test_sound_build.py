"""Sound cues, intro, outro and music beds, built end to end and read back with ffmpeg/ffprobe.

Every sound is a tone at its own frequency, far from the tone voices (200-550 Hz), so each can be
found again in the decoded episode by its band: the cue where the script places it, the bed under
the speech (at least 15 dB below it) and up in a long pause, and nothing of either where the
script says there is none.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _cli import in_process
from _probe import chapters as ffprobe_chapters
from _probe import vtt_cues
from _project import copy_project
from sound_files import band_db, decode, tone, window, write_sound

CUE_HZ, BED_HZ, INTRO_HZ, OUTRO_HZ = 3500.0, 2000.0, 5000.0, 1300.0
SPEECH = (150.0, 700.0)  #: the tone voices' band

SCRIPT = """---
title: Sounds
intro: ../sounds/intro.mp3
outro: ../sounds/outro.wav
music:
  file: ../sounds/bed.flac
---

# One

Teacher: The first words of the lesson are spoken here, slowly.

[sound ../sounds/cue.ogg]

Student 1: A second turn comes after the cue.

[pause 4s]

Teacher: A third turn after a long pause, with a few more words.

## One and a half

Student 1: The music plays on under the sub-chapter.

# Two
<!-- music: none -->

Teacher: No music under this chapter at all, none whatsoever.
"""


def build(root: Path) -> dict:
    proc = in_process(root, "build", "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def make_project(root: Path) -> Path:
    copy_project(root)
    sounds = root / "sounds"
    write_sound(sounds / "intro.mp3", tone(INTRO_HZ, 1.0, rate=44100), rate=44100)
    write_sound(sounds / "outro.wav", tone(OUTRO_HZ, 1.0))
    write_sound(sounds / "cue.ogg", tone(CUE_HZ, 0.8))
    write_sound(sounds / "bed.flac", tone(BED_HZ, 3.0, rate=48000, level=0.3), rate=48000)
    (root / "scripts" / "lesson.md").write_text(SCRIPT, "utf-8")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = make_project(tmp_path_factory.mktemp("sounds") / "project")
    summary = build(root)
    mp3 = root / "output" / "lesson.mp3"
    cues = vtt_cues(mp3.with_suffix(".vtt"))
    return {"root": root, "summary": summary, "pcm": decode(mp3), "cues": cues}


@pytest.mark.slow
def test_sounds_are_not_transcribed_and_chapters_stay_on_the_speech(built: dict) -> None:
    cues = built["cues"]
    assert [cue.text for cue in cues] == [
        "The first words of the lesson are spoken here, slowly.",
        "A second turn comes after the cue.",
        "A third turn after a long pause, with a few more words.",
        "The music plays on under the sub-chapter.",
        "No music under this chapter at all, none whatsoever.",
    ]
    mp3 = built["root"] / "output" / "lesson.mp3"
    chapters = ffprobe_chapters(mp3)
    assert [c["tags"]["title"] for c in chapters] == ["One", "One and a half", "Two"]
    for chapter, first_turn in zip(chapters, (cues[0], cues[3], cues[4]), strict=True):
        assert abs(float(chapter["start_time"]) - first_turn[0]) <= 0.05
    assert cues[0][0] > 1.0  # the intro plays before the first turn (and its chapter mark)


@pytest.mark.slow
def test_each_sound_is_heard_where_the_script_puts_it(built: dict) -> None:
    pcm, cues = built["pcm"], built["cues"]
    band = {name: (hz - 100, hz + 100) for name, hz in
            (("cue", CUE_HZ), ("intro", INTRO_HZ), ("outro", OUTRO_HZ))}  # fmt: skip
    places = {
        "intro": window(pcm, 0.0, cues[0][0]),
        "cue": window(pcm, cues[0][1], cues[1][0]),
        "outro": window(pcm, cues[-1][1], len(pcm) / 44100),
    }
    for name, (lo, hi) in band.items():
        here = band_db(places[name], lo, hi)
        assert here > -30, (name, here)  # level-matched like a voice: clearly audible
        for other, elsewhere in places.items():
            if other != name:
                assert band_db(elsewhere, lo, hi) < here - 30, (name, other)
        during_turns = [band_db(window(pcm, a + 0.1, b - 0.1), lo, hi) for a, b, *_ in cues]
        assert max(during_turns) < here - 30, (name, during_turns)


@pytest.mark.slow
def test_the_bed_is_ducked_under_speech_and_rises_in_the_long_pause(built: dict) -> None:
    pcm, cues = built["pcm"], built["cues"]
    lo, hi = BED_HZ - 100, BED_HZ + 100
    for start, end, _, text in cues[:4]:  # chapter One and its sub-chapter: under music
        turn = window(pcm, start + 0.1, end - 0.1)
        speech, bed = band_db(turn, *SPEECH), band_db(turn, lo, hi)
        assert bed < speech - 15, (text, speech, bed)
        assert bed > -70, (text, bed)  # ducked, not gone
    ducked = band_db(window(pcm, cues[2][0] + 0.1, cues[2][1] - 0.1), lo, hi)
    pause = band_db(window(pcm, cues[1][1] + 1.5, cues[2][0] - 1.0), lo, hi)  # the 4 s pause
    assert pause > -45 and pause > ducked + 5, (pause, ducked)
    # Chapter Two says music: none (its chapter's bed has faded out before its first turn).
    two = window(pcm, cues[4][0], cues[4][1])
    assert band_db(two, lo, hi) < band_db(two, *SPEECH) - 50


@pytest.mark.slow
def test_the_mix_still_meets_the_loudness_target_and_true_peak(built: dict) -> None:
    from audiolesson.export.loudness import measure_file

    measured = measure_file(built["root"] / "output" / "lesson.mp3")
    assert abs(measured.integrated_lufs - (-19.0)) <= 1.0, measured
    assert measured.true_peak_dbtp <= -1.0, measured


@pytest.mark.slow
def test_sound_files_and_music_settings_are_in_the_keys(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    build(root)
    mp3 = root / "output" / "lesson.mp3"
    assert build(root)["episodes_unchanged"] == 1

    write_sound(root / "sounds" / "cue.ogg", tone(CUE_HZ * 0.9, 0.8))
    again = build(root)
    assert again["episodes_written"] == 1 and again["turns_synthesized"] == 0
    assert again["chapters_encoded"] == 1  # only the chapter with the cue

    def bed_under_first_turn() -> float:
        start, end, *_ = vtt_cues(mp3.with_suffix(".vtt"))[0]
        return band_db(window(decode(mp3), start + 0.1, end - 0.1), BED_HZ - 100, BED_HZ + 100)

    before = bed_under_first_turn()
    script = root / "scripts" / "lesson.md"
    bed_line = "  file: ../sounds/bed.flac"
    script.write_text(SCRIPT.replace(bed_line, bed_line + "\n  volume: -24"), "utf-8")
    quieter = build(root)
    assert quieter["episodes_written"] == 1
    assert quieter["chapters_encoded"] == 2  # One and One and a half: the bed's chapters
    assert bed_under_first_turn() == pytest.approx(before - 6, abs=1.0)


def test_a_music_bed_shorter_than_a_second_is_refused_naming_its_line(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    write_sound(root / "sounds" / "bed.flac", tone(BED_HZ, 1 / 48000, rate=48000), rate=48000)
    proc = in_process(root, "build")
    script = root / "scripts" / "lesson.md"
    line = SCRIPT.splitlines().index("  file: ../sounds/bed.flac") + 1
    assert proc.returncode == 1
    assert proc.stderr == (
        f"error: {script}:{line}: music '../sounds/bed.flac' lasts 0.000 s; a music bed loops "
        "under the speech and must last at least 1 s\n"
    )
    assert not (root / "output").exists()  # found at plan time: nothing synthesised or written
