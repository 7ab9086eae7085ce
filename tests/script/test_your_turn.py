"""`[your turn]`: parsing, the cards it makes, where the layout puts the gap, what `check` says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _cli import in_process

from audiolesson.errors import ScriptError
from audiolesson.script.check import estimate_seconds, speech_seconds, summarize
from audiolesson.script.layout import (
    PRACTICE_CAP,
    PRACTICE_CUE_SECONDS,
    PRACTICE_FLOOR,
    Gap,
    Practice,
    lay_out,
    practice_seconds,
)
from audiolesson.script.model import Turn, YourTurn
from audiolesson.script.parser import parse

QUIZ = """---
title: Quiz
cast:
  Teacher: teacher
  Ana: student-1
---

# Terms

Teacher: What is an antigen?

[your turn]

Teacher: A molecule the immune system recognises as foreign.

Teacher: What is two plus two?

[pause 2s]

[Your Turn 4.5s]

Ana: Four.
"""


def test_your_turn_is_an_item_between_its_question_and_its_answer() -> None:
    script = parse(QUIZ, "quiz.md")
    items = script.chapters[0].items
    assert [type(i).__name__ for i in items] == [
        "Turn", "YourTurn", "Turn", "Turn", "Pause", "YourTurn", "Turn",
    ]  # fmt: skip
    assert items[1] == YourTurn(None, 12) and items[5] == YourTurn(4.5, 20)  # any case
    cards = script.cards
    assert [(c.question.text, c.gap.line, c.answer.text) for c in cards] == [
        ("What is an antigen?", 12, "A molecule the immune system recognises as foreign."),
        ("What is two plus two?", 20, "Four."),
    ]
    assert script.warnings == [] and len(script.turns) == 4  # a gap is no turn


def test_the_gap_follows_the_cue_and_the_answer_follows_the_gap_at_once() -> None:
    script = parse(QUIZ, "quiz.md")
    [laid] = lay_out(script)
    kinds = [type(i).__name__ for i in laid]
    assert kinds == [
        "Turn", "Gap", "Practice", "Turn", "Gap", "Turn", "Gap", "Practice", "Turn", "Gap",
    ]  # fmt: skip
    assert laid[1] == Gap(0.6)  # the cue is a sound of its own after the question: speaker_change
    first = laid[2]
    assert isinstance(first, Practice) and first.seconds is None and first.answer is laid[3]
    assert laid[6] == Gap(2.0)  # a [pause] before the gap replaces the pause before the cue
    assert isinstance(laid[7], Practice) and laid[7].seconds == 4.5


def test_without_gaps_the_answer_follows_its_question_as_if_the_line_were_not_there() -> None:
    script = parse(QUIZ, "quiz.md")
    [laid] = lay_out(script, gaps=False)
    assert not any(isinstance(i, Practice) for i in laid)
    assert [i for i in laid if isinstance(i, Gap)] == [Gap(0.35), Gap(0.35), Gap(2.0), Gap(1.0)]
    plain = parse(QUIZ.replace("[your turn]\n", "").replace("[Your Turn 4.5s]\n", ""), "q.md")

    def shown(items: list) -> list:
        return [i.text if isinstance(i, Turn) else i for i in items]  # lines moved up

    assert [shown(c) for c in lay_out(plain)] == [shown(laid)]


def test_an_answer_with_nothing_to_say_takes_its_gap_with_it() -> None:
    script = parse(QUIZ, "quiz.md")
    [laid] = lay_out(script, says=lambda turn: turn.text != "Four.")
    assert sum(isinstance(i, Practice) for i in laid) == 1


def test_the_gap_lasts_as_long_as_the_answer_within_a_floor_and_a_cap() -> None:
    assert practice_seconds(0.4) == PRACTICE_FLOOR == 3.0
    assert practice_seconds(7.25) == 7.25
    assert practice_seconds(90.0) == PRACTICE_CAP == 15.0
    assert practice_seconds(90.0, fixed=4.5) == 4.5 and practice_seconds(0.1, fixed=1.0) == 1.0


def test_check_counts_lists_and_times_the_practice_points(tmp_path: Path) -> None:
    script = parse(QUIZ, "quiz.md")
    summary = summarize(script)
    assert summary.practice == 2 and "2 practice points, ~" in summary.line()
    answer = "A molecule the immune system recognises as foreign."
    without = parse(QUIZ.replace("[your turn]\n", "").replace("[Your Turn 4.5s]\n", ""), "q.md")
    extra = estimate_seconds(script) - estimate_seconds(without)
    gaps = practice_seconds(speech_seconds(answer)) + 4.5 + 2 * PRACTICE_CUE_SECONDS
    # the pause before each cue is a speaker change where the answer followed its question's
    # speaker after same_speaker before; the gap's own silence replaces the pause after it
    assert extra == pytest.approx(gaps + (0.6 - 0.35))
    assert "practice" not in summarize(parse("Teacher: hi\n", "x.md")).line()

    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "quiz.md").write_text(QUIZ, encoding="utf-8")
    ran = in_process(tmp_path, "check", "scripts/quiz.md")
    assert ran.returncode == 0 and ran.stderr == ""
    lines = ran.stdout.splitlines()
    assert lines[0].startswith("scripts/quiz.md: 1 chapter, 4 turns, 2 speakers, ")
    assert lines[1:] == [
        'scripts/quiz.md:12: your turn (~3 s) after "What is an antigen?"; answer at line 14',
        'scripts/quiz.md:20: your turn (4.5 s) after "What is two plus two?"; answer at line 22',
    ]
    ran = in_process(tmp_path, "check", "--json", "scripts/quiz.md")
    [doc] = json.loads(ran.stdout)
    assert doc["summary"]["practice"] == 2
    assert doc["chapters"][0]["items"][1] == {"type": "your_turn", "seconds": None, "line": 12}
    assert doc["cards"][1] == {"question": "What is two plus two?", "answer": "Four.", "line": 20}


BODY = "# Terms\n\nTeacher: What is an antigen?\n\n"


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        (
            BODY + "[your turn]\n",
            "x.md:5",
            "[your turn] has nothing after it in chapter 'Terms'; write the answer's turn right "
            "below it",
        ),
        (
            BODY + "[your turn]\n\n# Next\n\nTeacher: An answer in the wrong chapter.\n",
            "x.md:5",
            "[your turn] has nothing after it in chapter 'Terms'; write the answer's turn right "
            "below it",
        ),
        (
            BODY + "[your turn]\n\n[your turn]\n\nTeacher: A molecule.\n",
            "x.md:7",
            "two [your turn]s in a row (lines 5 and 7) with no answer between them; remove one, "
            "or write the answer between them",
        ),
        (
            "# Terms\n\n[your turn]\n\nTeacher: A molecule.\n",
            "x.md:3",
            "[your turn] is the first thing in its chapter; put the question's turn right above it",
        ),
        (
            BODY + "[sound chime.wav]\n\n[your turn]\n\nTeacher: A molecule.\n",
            "x.md:7",
            "[your turn] follows a sound; put the question's turn right above it",
        ),
        (
            BODY + "[your turn]\n\n[pause 1s]\n\nTeacher: A molecule.\n",
            "x.md:5",
            "[your turn] is followed by a pause (line 7); the answer's turn must come right after "
            "it",
        ),
        (
            BODY + "[your turn -2s]\n\nTeacher: A molecule.\n",
            "x.md:5:1",
            "practice gap of -2s is not a length of time; give more than 0 seconds, as in "
            "[your turn] (as long as the answer) or [your turn 5s]",
        ),
        (
            BODY + "[your turn 0s]\n\nTeacher: A molecule.\n",
            "x.md:5:1",
            "practice gap of 0s is not a length of time; give more than 0 seconds, as in "
            "[your turn] (as long as the answer) or [your turn 5s]",
        ),
        (
            BODY + "[your turn 10 min]\n\nTeacher: A molecule.\n",
            "x.md:5:1",
            "malformed practice gap '[your turn 10 min]'; write it on a line of its own as "
            "[your turn] (as long as the answer) or [your turn 5s]",
        ),
        (
            BODY + "  [your turn 3600s]\n\nTeacher: A molecule.\n",
            "x.md:5:3",
            "practice gap of 3600 s is out of bounds; use at most 60 seconds, or [your turn] for "
            "as long as the answer",
        ),
        (
            BODY + "[your turn] now\n\nTeacher: A molecule.\n",
            "x.md:5:1",
            "malformed practice gap '[your turn] now'; write it on a line of its own as "
            "[your turn] (as long as the answer) or [your turn 5s]",
        ),
    ],
)
def test_a_misplaced_or_malformed_your_turn_is_one_error_at_its_line(
    body: str, where: str, message: str
) -> None:
    with pytest.raises(ScriptError) as caught:
        parse(body, "x.md")
    assert str(caught.value) == f"{where}: {message}"


def test_words_that_merely_start_like_the_directive_are_text() -> None:
    script = parse("Teacher: hi.\n\n[your turnip]\n\n[yours truly]\n", "x.md")
    assert script.cards == [] and all(isinstance(i, Turn) for i in script.chapters[0].items)
