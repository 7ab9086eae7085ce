"""The same take every time: two clean builds in two folders, one worker and two, are equal.

The default cast (Piper's noise, then Praat's pitch and formant shifts, both seeded from the
clip) is built from scratch twice; the episodes' audio frames, transcripts and chapter times
must be the same bytes. Only the ID3 tag may differ (it carries the date of publication).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _cli import audiolesson
from mutagen.id3 import ID3

SCRIPT = """---
title: Same Take
---

Sit still; the sixth sheep is sick.

# One

Teacher: Good morning. Today we look at light, leaves and sugar.

Student 1: Is it the chlorophyll that catches the light?

Student 2: And what happens to the oxygen afterwards?

## Part

Teacher: It leaves through tiny pores, called stomata.

Student 3: So the plant breathes out what we breathe in!

# Two

Teacher: Let's start with a simple question. What is sound, really?

Student 1: Isn't it just noise? Something we hear?

Student 2: I bet the table is louder.

Teacher: Try it and tell us next time. That's all for today.
"""


def audio_frames(mp3: Path) -> bytes:
    """The MP3 without its ID3v2 tag: the Info frame and every audio frame."""
    data = mp3.read_bytes()
    assert data[:3] == b"ID3"
    size = 0
    for byte in data[6:10]:  # a synchsafe integer: 7 bits a byte
        size = size << 7 | byte
    return data[10 + size :]


def chapter_times(mp3: Path) -> list[tuple[str, int, int]]:
    return sorted(
        (frame.element_id, frame.start_time, frame.end_time) for frame in ID3(mp3).getall("CHAP")
    )


def build(root: Path, jobs: int) -> dict:
    (root / "scripts").mkdir(parents=True)
    (root / "scripts" / "take.md").write_text(SCRIPT, encoding="utf-8")
    proc = audiolesson(root, "build", "--json", "--jobs", str(jobs), timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.mark.slow
def test_two_clean_builds_with_one_and_two_workers_are_the_same_take(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "course", tmp_path / "b" / "elsewhere"
    assert build(first, 1)["turns_synthesized"] == 10
    assert build(second, 2)["turns_synthesized"] == 10
    out_a, out_b = first / "output", second / "output"
    assert audio_frames(out_a / "take.mp3") == audio_frames(out_b / "take.mp3")
    assert (out_a / "take.vtt").read_bytes() == (out_b / "take.vtt").read_bytes()
    chapters_a = (out_a / "take.chapters.json").read_bytes()
    assert chapters_a == (out_b / "take.chapters.json").read_bytes()
    assert chapter_times(out_a / "take.mp3") == chapter_times(out_b / "take.mp3")
    assert [c["title"] for c in json.loads(chapters_a)["chapters"]] == [
        "Same Take",
        "One",
        "Part",
        "Two",
    ]
    clips = sorted((first / ".audiolesson" / "cache" / "clips").glob("*/*.clip"))
    assert len(clips) == 10
    for clip in clips:  # and every clip the same bytes under the same key
        other = second / ".audiolesson" / "cache" / "clips" / clip.parent.name / clip.name
        assert other.read_bytes() == clip.read_bytes()
