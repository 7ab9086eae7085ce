"""The pause layout: one function says where every silence of an episode goes."""

from __future__ import annotations

import pytest

from audiolesson.script import parse
from audiolesson.script.layout import END_PAUSE, Gap, lay_out
from audiolesson.script.model import PAUSE_DEFAULTS, Sound, Turn

SCRIPT = """\
Narration opens.

# One

Teacher: First.

Teacher: Second, same speaker.

Ada: A new speaker.

[pause 3s]

Ada: After an explicit pause.

## One and a half

[pause 0.5s]

Teacher: A pause at the top adds to the sub-chapter pause.

# Two

Teacher: The end.
"""


def layout(text: str = SCRIPT) -> list[list[str | float]]:
    return [
        [i.seconds if isinstance(i, Gap) else getattr(i, "text", "sound") for i in chapter]
        for chapter in lay_out(parse(text, "a.md"))
    ]


def test_pauses_sit_between_turns_and_at_the_end_of_the_chapter_before() -> None:
    p = PAUSE_DEFAULTS
    assert layout() == [
        ["Narration opens.", p["chapter"]],
        [
            "First.",
            p["same_speaker"],
            "Second, same speaker.",
            p["speaker_change"],
            "A new speaker.",
            3.0,  # an explicit pause replaces the speaker's pause
            "After an explicit pause.",
            0.5,  # a [pause] at the top of a chapter goes before its mark, with its pause
            p["subchapter"],
        ],
        ["A pause at the top adds to the sub-chapter pause.", p["chapter"]],
        ["The end.", END_PAUSE],
    ]


def test_a_turn_with_nothing_to_say_gets_no_pause_of_its_own() -> None:
    text = "Teacher: one\n\nAda: ...\n\nTeacher: two\n"
    laid = lay_out(parse(text, "a.md"), says=lambda turn: turn.text != "...")
    assert [[i.seconds if isinstance(i, Gap) else i.text for i in c] for c in laid] == [
        ["one", PAUSE_DEFAULTS["same_speaker"], "two", END_PAUSE]
    ]


def test_intro_and_outro_play_a_subchapter_pause_from_the_speech() -> None:
    text = "---\nintro: in.wav\noutro: out.wav\npauses:\n  subchapter: 2s\n---\nTeacher: Hi.\n"
    laid = lay_out(parse(text, "a.md"))[0]
    kinds = [type(i).__name__ for i in laid]
    assert kinds == ["Sound", "Gap", "Turn", "Gap", "Sound", "Gap"]
    assert [i.seconds for i in laid if isinstance(i, Gap)] == [2.0, 2.0, END_PAUSE]
    assert isinstance(laid[0], Sound) and isinstance(laid[2], Turn)


@pytest.mark.parametrize("heading", ["#", "##"])
def test_the_pause_before_a_chapter_follows_its_level(heading: str) -> None:
    text = f"# One\n\nTeacher: a\n\n{heading} Next\n\nTeacher: b\n"
    pause = PAUSE_DEFAULTS["chapter" if heading == "#" else "subchapter"]
    assert layout(text) == [["a", pause], ["b", END_PAUSE]]
