"""WebVTT transcript and Podcasting 2.0 chapters JSON."""

from __future__ import annotations

import json
import re

from audiolesson.export.sidecars import chapters_json_text, transcript_text, vtt_text, vtt_timestamp
from audiolesson.export.timeline import ChapterMark, Cue


def test_vtt_has_one_escaped_voice_cue_per_turn():
    cues = [
        Cue(0.0, 1.5, "Teacher", "Tom & Jerry <3 ->", 3),
        Cue(2.0, 3.25, None, "Once upon\na time.", 5),
        Cue(3661.5, 3662.0, "A<b>", "Bye --> now", 7),
    ]
    text = vtt_text(cues, header="Lesson 1\nA --> B")
    assert text.startswith("WEBVTT\n\nNOTE\nLesson 1\nA -> B\n\n")
    blocks = text.strip().split("\n\n")[2:]
    assert len(blocks) == 3
    assert blocks[0] == "1\n00:00:00.000 --> 00:00:01.500\n<v Teacher>Tom &amp; Jerry &lt;3 -&gt;"
    assert blocks[1] == "2\n00:00:02.000 --> 00:00:03.250\n<v Narrator>Once upon a time."
    assert blocks[2] == "3\n01:01:01.500 --> 01:01:02.000\n<v A&lt;b&gt;>Bye --&gt; now"
    assert len(re.findall("-->", text)) == 3  # only the timing lines


def test_timestamps_round_to_milliseconds():
    assert vtt_timestamp(0.0004) == "00:00:00.000"
    assert vtt_timestamp(59.9996) == "00:01:00.000"
    assert vtt_timestamp(36000.25) == "10:00:00.250"


def test_transcript_lines():
    cues = [Cue(0, 1, "Ana", "Hola.", 1), Cue(1, 2, None, "She  said\nhello.", 2)]
    assert transcript_text(cues) == "Ana: Hola.\nNarrator: She said hello."


def test_chapters_json_is_podcasting_2_0_in_time_order():
    marks = [
        ChapterMark("Unit 1", 1, 0.0, 10.0),
        ChapterMark("Unit 1.1", 2, 0.0, 4.0),
        ChapterMark("Unit 1.2", 2, 4.0, 10.0),
        ChapterMark("Unit 2", 1, 10.0, 20.0),
    ]
    doc = json.loads(chapters_json_text([marks[3], *marks[:3]]))
    assert doc["version"] == "1.2.0"
    assert doc["chapters"] == [
        {"startTime": 0.0, "title": "Unit 1"},
        {"startTime": 0.0, "title": "Unit 1.1"},
        {"startTime": 4.0, "title": "Unit 1.2"},
        {"startTime": 10.0, "title": "Unit 2"},
    ]
