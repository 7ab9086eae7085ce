"""Practice gaps in the exporter (the cue, the gap's length, the transcript and chapters) and the
Anki deck, read back with zipfile, sqlite3 and ffmpeg."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import numpy as np
import pytest
from _probe import decodes, duration
from synth_clips import CLIPS, clip

from audiolesson.audio_settings import AudioSettings
from audiolesson.export.anki import MODEL_ID, make_deck, write_deck
from audiolesson.export.blocks import episode_blocks, resolve_gaps, split_blocks
from audiolesson.export.cue import practice_cue
from audiolesson.export.episode import export_episode
from audiolesson.export.sidecars import (
    chapters_json_text,
    practice_marks,
    read_chapter_starts,
    read_transcript,
    transcript_text,
    vtt_text,
)
from audiolesson.export.tags import EpisodeMeta
from audiolesson.export.timeline import (
    PRACTICE_TEXT,
    AnswerGap,
    ChapterMark,
    ChapterTimeline,
    ClipItem,
    Cue,
    Silence,
)
from audiolesson.script.layout import PRACTICE_CAP, PRACTICE_CUE_SECONDS, PRACTICE_FLOOR


def cue_item(line: int = 5) -> ClipItem:
    key = CLIPS.add("practice-cue", lambda: practice_cue(44100, 1))
    return ClipItem(key, None, PRACTICE_TEXT, line, -10.0, sound=True, practice=True)


def quiz(answer_seconds: float) -> ChapterTimeline:
    """Question, cue, a gap as long as the answer, the answer."""
    answer = clip(2, answer_seconds, text="The answer.")
    items = [clip(1, 1.0, text="The question?"), Silence(0.6), cue_item(), AnswerGap(answer.key)]
    return ChapterTimeline("Quiz", 1, "quiz", [*items, answer, Silence(1.0)])


def test_the_cue_is_short_soft_and_the_same_every_time() -> None:
    a, b = practice_cue(44100, 1), practice_cue(44100, 2)
    assert a.frames == round(PRACTICE_CUE_SECONDS * 44100) and a.channels == 1 and b.channels == 2
    assert np.array_equal(a.samples, practice_cue(44100, 1).samples)  # made, not random
    assert np.abs(a.samples).max() == pytest.approx(0.3) and a.samples[-1, 0] == 0.0
    assert practice_cue(48000, 1).frames == round(PRACTICE_CUE_SECONDS * 48000)


@pytest.mark.parametrize(
    ("answer", "gap"), [(5.0, 5.0), (1.0, PRACTICE_FLOOR), (40.0, PRACTICE_CAP)]
)
def test_a_gap_is_as_long_as_its_answer_clip_within_the_bounds(answer: float, gap: float) -> None:
    chapter = quiz(answer)
    with pytest.raises(TypeError, match="resolve the practice gaps"):
        split_blocks(chapter)
    resolved = resolve_gaps(chapter, clips=CLIPS)
    assert resolved.items[3] == Silence(pytest.approx(gap, abs=1e-4))
    assert resolved.items[:3] + resolved.items[4:] == chapter.items[:3] + chapter.items[4:]
    [blocks] = episode_blocks([chapter], AudioSettings(), clips=CLIPS)
    assert Silence(pytest.approx(gap, abs=1e-4)) in [i for b in blocks for i in b.items]


def test_the_transcript_shows_the_gap_without_a_voice_and_reads_it_back(tmp_path: Path) -> None:
    cues = [
        Cue(0.0, 1.0, "Teacher", "The question?", 3),
        Cue(1.6, 7.05, None, PRACTICE_TEXT, 5, practice=True),
        Cue(7.05, 9.0, "Teacher", "The answer.", 7),
    ]
    text = vtt_text(cues)
    assert "\n2\n00:00:01.600 --> 00:00:07.050\n[Your turn]\n" in text
    (tmp_path / "t.vtt").write_text(text, encoding="utf-8")
    back = read_transcript(tmp_path / "t.vtt")
    assert [c.practice for c in back] == [False, True, False]
    assert back[1].speaker is None and back[1].text == "[Your turn]"
    said = vtt_text([Cue(0.0, 1.0, None, "[Your turn]", 1)])  # narration saying the words
    (tmp_path / "n.vtt").write_text(said, encoding="utf-8")
    assert read_transcript(tmp_path / "n.vtt")[0].practice is False
    assert transcript_text(cues) == "Teacher: The question?\n[Your turn]\nTeacher: The answer."

    marks = [ChapterMark("Quiz", 1, 0.0, 9.0), ChapterMark("End", 1, 9.0, 12.0)]
    doc = json.loads(chapters_json_text(marks, practice_marks(cues)))
    assert doc["chapters"] == [
        {"startTime": 0.0, "title": "Quiz"},
        {"startTime": 1.6, "endTime": 7.05, "title": "Your turn", "toc": False},
        {"startTime": 9.0, "title": "End"},
    ]
    (tmp_path / "c.json").write_text(chapters_json_text(marks, practice_marks(cues)), "utf-8")
    assert [m.title for m in read_chapter_starts(tmp_path / "c.json")] == ["Quiz", "End"]


def test_an_episode_with_a_gap_times_its_cue_from_the_clip_lengths(tmp_path: Path) -> None:
    meta = EpisodeMeta(title="Quiz", build_key="k")
    out = tmp_path / "out"
    result = export_episode(
        [quiz(4.0)], meta, AudioSettings(), out, "quiz", tmp_path / "work", clips=CLIPS
    )
    question, gap, answer = result.cues
    assert gap.practice and gap.start == pytest.approx(question.end + 0.6, abs=0.002)
    # the cue, then silence as long as the answer (4 s), then the answer
    assert gap.end - gap.start == pytest.approx(PRACTICE_CUE_SECONDS + 4.0, abs=0.002)
    assert answer.start == gap.end and answer.end - answer.start == pytest.approx(4.0, abs=0.002)
    assert decodes(result.mp3)
    assert duration(result.mp3) == pytest.approx(1.0 + 0.6 + PRACTICE_CUE_SECONDS + 8.0 + 1.0, 0.01)
    assert [c.practice for c in read_transcript(result.vtt)] == [False, True, False]
    markers = json.loads(result.chapters_json.read_text())["chapters"]
    assert [m["title"] for m in markers] == ["Quiz", "Your turn"]


def deck_notes():
    return [
        (
            "What is an antigen?",
            clip(11, 1.0).key,
            0.0,
            "A foreign molecule.",
            clip(12, 2.0).key,
            -3.0,
        ),
        (
            "What is 2 + 2?",
            clip(13, 0.8).key,
            0.0,
            "Four & <b>only</b> four.",
            clip(14, 0.5).key,
            0.0,
        ),
        ("What is an antigen?", clip(11, 1.0).key, 0.0, "Asked again.", clip(15, 1.0).key, 0.0),
    ]


def read_package(apkg: Path, tmp_path: Path) -> tuple[list[tuple], dict, dict, zipfile.ZipFile]:
    """Notes (id, guid, mid, fields), the media map, the decks, and the zip itself."""
    package = zipfile.ZipFile(apkg)
    media = json.loads(package.read("media"))
    database = tmp_path / "collection.anki2"
    database.write_bytes(package.read("collection.anki2"))
    with sqlite3.connect(database) as connection:
        notes = connection.execute("SELECT id, guid, mid, flds FROM notes ORDER BY id").fetchall()
        decks = json.loads(connection.execute("SELECT decks FROM col").fetchone()[0])
        cards = connection.execute("SELECT DISTINCT did FROM cards").fetchall()
    assert [str(did) for (did,) in cards] == [d for d in decks if decks[d]["name"] != "Default"]
    return notes, media, decks, package


def test_a_deck_holds_one_note_per_card_with_its_audio(tmp_path: Path) -> None:
    deck = make_deck("quiz", "Quiz", "Biology", "4.2", "Practice.", deck_notes())
    assert deck.name == "Biology::4.2 Quiz" and (1 << 30) <= deck.id < (1 << 31)
    first, _, third = deck.notes
    assert first.question == third.question and first.guid != third.guid  # asked twice
    path = tmp_path / "quiz.apkg"
    write_deck(path, deck, AudioSettings(), clips=CLIPS, timestamp=1_700_000_000.0)
    notes, media, decks, package = read_package(path, tmp_path)
    assert decks[str(deck.id)]["name"] == "Biology::4.2 Quiz"
    assert [guid for _, guid, _, _ in notes] == [n.guid for n in deck.notes]
    assert {mid for _, _, mid, _ in notes} == {MODEL_ID}
    fields = [flds.split("\x1f") for _, _, _, flds in notes]
    assert [(f[0], f[2]) for f in fields] == [
        ("What is an antigen?", "A foreign molecule."),
        ("What is 2 + 2?", "Four &amp; &lt;b&gt;only&lt;/b&gt; four."),  # text, not markup
        ("What is an antigen?", "Asked again."),
    ]
    sounds = {f[i] for f in fields for i in (1, 3)}
    assert len(sounds) == 5  # the first question's clip is one file, used twice
    assert sounds == {f"[sound:{name}]" for name in media.values()}
    for index, name in media.items():
        assert name.startswith("audiolesson-") and name.endswith(".mp3")
        audio = tmp_path / name
        audio.write_bytes(package.read(index))
        assert decodes(audio)
    by_name = {name: index for index, name in media.items()}
    answer = fields[0][3].removeprefix("[sound:").removesuffix("]")
    (tmp_path / "a.mp3").write_bytes(package.read(by_name[answer]))
    assert duration(tmp_path / "a.mp3") == pytest.approx(2.0, abs=0.08)


def test_rebuilding_a_deck_keeps_its_ids_and_an_edit_keeps_the_notes_it_does_not_touch(
    tmp_path: Path,
) -> None:
    before = make_deck("quiz", "Quiz", "Biology", "4.2", None, deck_notes())
    again = make_deck("quiz", "Quiz (revised)", "Biology", "4.3", "New.", deck_notes())
    assert again.id == before.id and [n.guid for n in again.notes] == [n.guid for n in before.notes]
    edited = deck_notes()
    edited[1] = ("What is 2 + 2?", clip(16, 0.9).key, 0.0, "Four.", clip(17, 0.4).key, 0.0)
    changed = make_deck("quiz", "Quiz", "Biology", "4.2", None, edited[1:2] + edited[:1])
    assert {n.guid for n in changed.notes} <= {n.guid for n in before.notes}  # order, answer
    assert make_deck("other", "Quiz", "Biology", None, None, []).id != before.id
    assert make_deck("quiz", "A::B", None, None, None, []).name == "A:B"  # one deck, not two
