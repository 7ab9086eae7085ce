"""A turn's written words on the episode timeline, and the sidecars that carry them: the VTT's
cue timestamps (read back with webvtt-py and our own reader) and the JSON transcript."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _probe import vtt_cues

from audiolesson.export.sidecars import (
    read_transcript,
    read_words_json,
    transcript_json_text,
    vtt_text,
)
from audiolesson.export.timeline import ClipItem, Cue, Word
from audiolesson.export.words import SHARES, turn_words
from audiolesson.speech import normal_word, spoken_form, spoken_words, word_map, written_words
from audiolesson.voices.timing import ClipTiming

CORPUS = Path(__file__).parents[1] / "data" / "speech" / "corpus.tsv"


def timing_of(spoken: str, pause_after: int | None = None) -> ClipTiming:
    """0.25 s per spoken word with 50 ms between them (and a 0.5 s pause after one word); a
    word of punctuation alone ("—") is said in no time, as engines say it."""
    spans, at = [], 0.1
    for i, word in enumerate(spoken_words(spoken)):
        if not normal_word(word):
            end = spans[-1][1] if spans else at
            spans.append((end, end))
            continue
        spans.append((at, at + 0.25))
        at += 0.3 + (0.5 if i == pause_after else 0.0)
    return ClipTiming("durations", tuple(spans))


def item(text: str, language: str = "en") -> tuple[ClipItem, str]:
    spoken = spoken_form(text, language)
    counts = word_map(written_words(text), spoken_words(spoken), lambda w: spoken_form(w, language))
    return ClipItem("k", "Teacher", text, 3, said=tuple(counts)), spoken


def test_written_words_take_their_spoken_words_times() -> None:
    clip, spoken = item("Mix 6CO2 — then wait.")
    words, method = turn_words(clip, timing_of(spoken, pause_after=4), 10.0, 13.0)
    assert method == "durations"
    # six C O two: four spoken words; "—" says nothing but stands in the 0.5 s pause
    assert [w.text for w in words] == ["Mix", "6CO2", "—", "then", "wait."]
    assert words[0] == Word(10.1, 10.35, "Mix")
    assert words[1] == Word(10.4, 11.55, "6CO2")
    assert words[2] == Word(11.55, 12.1, "—")  # from "two"'s end to "then"'s start
    assert words[3].start == 12.1


def test_a_silent_word_with_no_pause_of_its_own_joins_its_neighbour() -> None:
    clip, spoken = item("Wait — go.")
    assert spoken_words(spoken) == ["Wait", "—", "go."]
    said_in_no_time = ClipTiming("durations", ((0.1, 0.35), (0.35, 0.35), (0.36, 0.6)))
    words, _ = turn_words(clip, said_in_no_time, 0.0, 2.0)
    assert words == (Word(0.1, 0.35, "Wait —"), Word(0.36, 0.6, "go."))


def test_without_a_timing_words_share_the_turn_by_length() -> None:
    clip = ClipItem("k", None, "One two three.", 1)
    words, method = turn_words(clip, None, 5.0, 6.3)
    assert method == SHARES and [w.text for w in words] == ["One", "two", "three."]
    assert words[0].start == 5.0 and words[-1].end == pytest.approx(6.3, abs=0.002)
    # a map that does not fit the timing (another clip's): shares too, never wrong words
    clip, spoken = item("Mix 6CO2 now.")
    _, method = turn_words(clip, ClipTiming("durations", ((0.0, 1.0),)), 0.0, 1.0)
    assert method == SHARES


def rows() -> list[tuple[str, str]]:
    out = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if not line.startswith("#") and len(parts) >= 5:
            out.append((parts[2], parts[3]))
    return out


def test_every_written_word_of_the_corpus_gets_a_time_in_order_none_empty() -> None:
    for language, text in rows():
        clip, spoken = item(text, language)
        words, method = turn_words(clip, timing_of(spoken), 100.0, 200.0)
        assert method == "durations", text
        assert " ".join(w.text for w in words) == " ".join(text.split()), text
        assert all(w.end > w.start for w in words), text
        assert all(a.end <= b.start for a, b in zip(words, words[1:], strict=False)), text


CUES = [
    Cue(
        0.5,
        2.0,
        "Teacher",
        "Hello there, friend.",
        1,
        words=(
            Word(0.5, 0.9, "Hello"),
            Word(1.0, 1.3, "there,"),
            Word(1.4, 1.9, "friend."),
        ),
    ),  # fmt: skip
    Cue(2.5, 3.5, None, "[Your turn]", 2, practice=True),
    Cue(
        3.5,
        5.0,
        "Ana & Co",
        "A <b> & c",
        3,
        words=(
            Word(3.5, 3.6, "A"),
            Word(3.6, 4.0, "<b>"),
            Word(3.6004, 4.5, "&"),
            Word(4.6, 5.0, "c"),
        ),
    ),  # fmt: skip
]


def test_the_vtt_carries_each_words_start_and_stays_valid(tmp_path: Path) -> None:
    import webvtt

    path = tmp_path / "t.vtt"
    path.write_text(vtt_text(CUES), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    assert "<v Teacher><00:00:00.500>" not in text  # not after the cue's start: none
    assert "<v Teacher>Hello <00:00:01.000>there, <00:00:01.400>friend." in text
    # 4.0004 s rounds to the millisecond of "<b>"'s start: that word goes untimed
    assert "<00:00:03.600>&lt;b&gt; &amp; <00:00:04.600>c" in text
    parsed = webvtt.read(str(path))
    assert [c.text for c in parsed] == [
        "Hello there, friend.",
        "[Your turn]",
        "A &lt;b&gt; &amp; c",
    ]
    assert [c.voice for c in parsed] == ["Teacher", None, "Ana &amp; Co"]  # as written
    ours = vtt_cues(path)  # the tests' own reader: timestamps inside the cue, in order
    assert [c.text for c in ours] == ["Hello there, friend.", "[Your turn]", "A &lt;b&gt; &amp; c"]
    back = read_transcript(path)
    assert [w.text for w in back[0].words] == ["Hello", "there,", "friend."]
    assert [w.start for w in back[0].words] == [0.5, 1.0, 1.4]
    assert [w.end for w in back[0].words] == [1.0, 1.4, 2.0]
    assert [w.text for w in back[2].words] == ["A", "<b> &", "c"] and back[1].words == ()


def test_the_json_transcript_has_a_segment_per_word_with_its_speaker(tmp_path: Path) -> None:
    path = tmp_path / "t.transcript.json"
    path.write_text(transcript_json_text(CUES), encoding="utf-8")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["version"] == "1.0.0"
    segments = doc["segments"]
    assert segments[0] == {"speaker": "Teacher", "startTime": 0.5, "endTime": 0.9, "body": "Hello"}
    assert segments[3] == {"startTime": 2.5, "endTime": 3.5, "body": "[Your turn]"}
    assert [s.get("speaker") for s in segments] == ["Teacher"] * 3 + [None] + ["Ana & Co"] * 4
    assert [w.text for _, w in read_words_json(path)] == [s["body"] for s in segments]
