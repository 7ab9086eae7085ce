"""Practice episodes end to end (tone voices): the gaps heard in the MP3 (ffmpeg's silencedetect),
the transcript, chapters and page, the same episode without gaps from the same clips, and the
Anki deck (zipfile, sqlite3, ffmpeg), whose ids survive a rebuild and an edit."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from _probe import audio_frames, chapters, decodes, duration, mean_volume, silences, vtt_cues
from _project import copy_project

from audiolesson.config import load_config
from audiolesson.pipeline import build
from audiolesson.pipeline.prune import prune_cache
from audiolesson.script.layout import PRACTICE_CAP, PRACTICE_CUE_SECONDS, PRACTICE_FLOOR

LONG = (
    "The body keeps memory cells for years, and when the real germ arrives they recognise it "
    "at once, multiply and make antibodies before the infection can take hold, which is why "
    "one injection in childhood can still protect an adult decades later in most cases."
)  # the tone voice says 60 ms a character: longer than the cap
QUIZ = f"""---
title: Antigens
series: Biology
episode: 4.2
cast:
  Teacher: teacher
  Ana: student-1
---

# Terms

Teacher: What is an antigen?

[your turn]

Teacher: A molecule that the immune system sees as foreign, a stranger.

Teacher: Which cells make antibodies?

[your turn]

Ana: B cells.

# Review

Teacher: Why does a vaccine protect for years?

[your turn 4s]

Teacher: {LONG}

Teacher: And once more, why?

[your turn]

Teacher: {LONG} Really.

# The end

Teacher: That is all for today.
"""


@pytest.fixture
def quiz(tmp_path: Path) -> Path:
    root = copy_project(tmp_path / "quiz")
    (root / "scripts" / "lesson.md").unlink()
    (root / "scripts" / "quiz.md").write_text(QUIZ, encoding="utf-8")
    return root


def expected_gaps(cues: list) -> list[float]:
    """Each practice gap's silence as the rule makes it, from its answer's length in the VTT."""
    fixed = {2: 4.0}  # the third gap is [your turn 4s]
    gaps = []
    practice = [i for i, cue in enumerate(cues) if cue.voice is None]
    for n, i in enumerate(practice):
        answer = cues[i + 1]
        length = answer.end - answer.start
        gaps.append(fixed.get(n, min(PRACTICE_CAP, max(PRACTICE_FLOOR, length))))
    return gaps


@pytest.mark.slow  # three builds of nine short turns: ~4 s
def test_a_practice_episode_has_its_gaps_and_the_same_clips_make_it_without(quiz: Path) -> None:
    first = build(load_config(quiz))
    out = quiz / "output"
    mp3, vtt = out / "quiz.mp3", out / "quiz.vtt"
    assert decodes(mp3) and first.turns_synthesized == 9
    cues = vtt_cues(vtt)
    assert [c.text for c in cues if c.voice is None] == ["[Your turn]"] * 4
    gaps = expected_gaps(cues)
    answers = [cues[i + 1].end - cues[i + 1].start for i, c in enumerate(cues) if c.voice is None]
    assert gaps[0] == pytest.approx(answers[0], abs=0.002) and gaps[0] > PRACTICE_FLOOR
    assert gaps[1] == PRACTICE_FLOOR and gaps[2] == 4.0 and gaps[3] == PRACTICE_CAP
    assert answers[1] < PRACTICE_FLOOR and answers[3] > PRACTICE_CAP

    # what a listener hears: the cue, then silence until the answer, as long as the rule says
    heard = silences(mp3, seconds=2.5)
    for cue, gap in zip([c for c in cues if c.voice is None], gaps, strict=True):
        assert cue.end - cue.start == pytest.approx(PRACTICE_CUE_SECONDS + gap, abs=0.002)
        [(start, end)] = [s for s in heard if abs(s[1] - cue.end) < 0.05]
        assert gap - 0.05 <= end - start <= gap + PRACTICE_CUE_SECONDS, (cue, start, end)
    question = next(c for c in cues if c.voice == "Teacher")
    cue = next(c for c in cues if c.voice is None)
    soft = mean_volume(mp3, cue.start, 0.25)
    assert soft < mean_volume(mp3, question.start, 0.25) - 6  # heard, but softer than a voice

    marks = json.loads((out / "quiz.chapters.json").read_text())["chapters"]
    toc = [m["title"] for m in marks if m.get("toc", True)]
    assert toc == ["Terms", "Review", "The end"]
    assert [m["title"] for m in marks].count("Your turn") == 4
    assert [c["tags"]["title"] for c in chapters(mp3)] == toc  # the ID3 chapters: no markers
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.count('class="turn practice"') == 4 and "[Your turn]" in page

    # the same episode without gaps, from the clips and the blocks that hold no gap
    with_gaps = duration(mp3)
    review = build(load_config(quiz, practice_gaps=False))
    assert review.turns_synthesized == 0 and review.blocks_reused >= 1
    plain = vtt_cues(vtt)
    assert all(c.voice is not None for c in plain) and len(plain) == len(cues) - 4
    assert [c.text for c in plain] == [c.text for c in cues if c.voice is not None]
    assert not [s for s in silences(mp3, seconds=2.5)]  # no silence long enough for a gap
    # before each cue a speaker change; without it three answers follow their questions' speaker
    cut = sum(gaps) + 4 * PRACTICE_CUE_SECONDS + 3 * (0.6 - 0.35)
    assert with_gaps - duration(mp3) == pytest.approx(cut, abs=0.1)
    # cache prune keeps the blocks of both (either may be published), then back: all cached
    assert prune_cache(load_config(quiz, practice_gaps=False))["blocks_removed"] == 0
    again = build(load_config(quiz))
    assert again.turns_synthesized == 0 and again.blocks_encoded == 0
    assert vtt_cues(vtt) == cues


def read_deck(apkg: Path, folder: Path) -> tuple[list[tuple[str, list[str]]], dict, dict]:
    """(guid, fields) per note, the media map, and the decks of an .apkg, read with zipfile and
    sqlite3; every media file must decode."""
    with zipfile.ZipFile(apkg) as package:
        media = json.loads(package.read("media"))
        database = folder / "collection.anki2"
        database.write_bytes(package.read("collection.anki2"))
        for index, name in media.items():
            (folder / name).write_bytes(package.read(index))
            assert decodes(folder / name), name
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT guid, flds FROM notes ORDER BY id").fetchall()
        decks = json.loads(connection.execute("SELECT decks FROM col").fetchone()[0])
    database.unlink()
    return [(guid, fields.split("\x1f")) for guid, fields in rows], media, decks


@pytest.mark.slow  # three builds of up to eleven short turns: ~6 s
def test_an_anki_deck_of_the_cards_keeps_its_notes_through_an_edit(
    quiz: Path, tmp_path: Path
) -> None:
    result = build(load_config(quiz, formats=["mp3", "anki"]))
    apkg = quiz / "output" / "quiz.apkg"
    notes, media, decks = read_deck(apkg, tmp_path)
    assert result.turns_synthesized == 9  # the deck's audio is the episode's clips: no more
    assert [(f[0], f[2]) for _, f in notes] == [
        ("What is an antigen?", "A molecule that the immune system sees as foreign, a stranger."),
        ("Which cells make antibodies?", "B cells."),
        ("Why does a vaccine protect for years?", LONG),
        ("And once more, why?", f"{LONG} Really."),
    ]
    assert all(
        f[1].startswith("[sound:audiolesson-") and f[3].startswith("[sound:") for _, f in notes
    )
    assert len(media) == 8
    [deck_id] = [k for k, d in decks.items() if d["name"] == "Biology::4.2 Antigens"]
    answer = notes[1][1][3].removeprefix("[sound:").removesuffix("]")
    ana = next(c for c in vtt_cues(quiz / "output" / "quiz.vtt") if c.voice == "Ana")
    assert duration(tmp_path / answer) == pytest.approx(ana.end - ana.start, abs=0.06)
    assert "download>Flash cards (Anki deck)</a>" in (quiz / "output" / "index.html").read_text()

    script = quiz / "scripts" / "quiz.md"
    edited = QUIZ.replace("sees as", "treats as").replace(
        "Teacher: Why does",
        "Teacher: Here is a new card.\n\n[your turn]\n\nAna: Yes.\n\nTeacher: Why does",
    )
    script.write_text(edited, encoding="utf-8")
    rebuilt = build(load_config(quiz, formats=["mp3", "anki"]))
    assert rebuilt.turns_synthesized == 3  # the new answer, the new card's two turns
    after, _, decks_after = read_deck(apkg, tmp_path)
    guids = dict((f[0], guid) for guid, f in notes)
    again = dict((f[0], guid) for guid, f in after)
    assert {q: again[q] for q in guids} == guids  # each note keeps its identity (and history)
    assert (
        len(after) == 5
        and after[0][1][2] == "A molecule that the immune system treats as foreign, a stranger."
    )
    assert deck_id in decks_after and decks_after[deck_id]["name"] == "Biology::4.2 Antigens"

    build(load_config(quiz))  # the deck is no longer asked for: it goes, like an old M4B
    assert not apkg.exists()


@pytest.mark.slow  # two builds of nine slowed turns: ~10 s
def test_blocks_with_gaps_are_encoded_beside_synthesis_and_change_nothing(
    tmp_path: Path, quiz: Path, slow_tone, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audiolesson.pipeline import overlap

    early: list[str] = []  # blocks encoded beside synthesis, by title
    real = overlap.encode_block

    def encode(block, *args, **kwargs):
        early.append(block.title)
        return real(block, *args, **kwargs)

    monkeypatch.setattr(overlap, "encode_block", encode)
    build(load_config(quiz, jobs=2))
    # a chapter's gaps wait for their answers' clips, then its blocks for their own
    assert any(title.startswith(("Terms", "Review")) for title in early), early

    monkeypatch.setattr(overlap.EarlyBlocks, "clip_ready", lambda self, key: None)
    late = tmp_path / "late"
    shutil.copytree(quiz, late, ignore=shutil.ignore_patterns(".audiolesson", "output"))
    build(load_config(late, jobs=2))
    for name in ("quiz.vtt", "quiz.chapters.json"):
        assert (quiz / "output" / name).read_bytes() == (late / "output" / name).read_bytes()
    assert audio_frames(quiz / "output" / "quiz.mp3") == audio_frames(late / "output" / "quiz.mp3")
