"""The pause layout: how long each silence of an episode is, and where it sits.

One function for the build (which turns it into the exporter's timeline) and for `check`
(which estimates a script's length from it), so the two can never disagree. Inside a chapter a
turn follows the one before it after the `same_speaker` or `speaker_change` pause (a sound cue
counts as a speaker of its own); explicit `[pause]`s there replace that natural pause. Between
chapters the pause belongs to the end of the chapter before, so a chapter mark sits on its
first word: `subchapter` before a `##`, `chapter` before a `#`, plus any `[pause]` written at
the top of the new chapter. The intro plays before the first turn and the outro after the last,
each a `subchapter` pause from the speech; the episode ends with END_PAUSE of silence.

A `[your turn]` becomes a `Practice`: the soft cue comes after the question as a sound cue would
(the natural pause before it, or the `[pause]`s written there), then the practice gap's silence,
then the answer with no further pause. The gap lasts as long as the answer does
(`practice_seconds`: PRACTICE_FLOOR to PRACTICE_CAP seconds), or what `[your turn 5s]` says.
With `gaps=False` (`build --no-gaps`) a `[your turn]` is left out: the answer follows the
question after the natural pause, as if the line were not there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .model import PAUSE_DEFAULTS, Pause, Script, Sound, Turn, YourTurn

__all__ = [
    "END_PAUSE",
    "PRACTICE_CAP",
    "PRACTICE_CUE_SECONDS",
    "PRACTICE_FLOOR",
    "Gap",
    "Practice",
    "lay_out",
    "pause_lengths",
    "practice_seconds",
]

#: pause at the very end of an episode, so players do not cut the last word
END_PAUSE = 1.0
#: the shortest practice gap: even a one-word answer needs a moment to recall
PRACTICE_FLOOR = 3.0
#: the longest gap that follows an answer's length: a long definition is answered in gist, and
#: a silence much longer makes a listener think the episode has stopped
PRACTICE_CAP = 15.0
#: how long the practice cue sounds (export.cue makes it)
PRACTICE_CUE_SECONDS = 0.45


def practice_seconds(answer_seconds: float, fixed: float | None = None) -> float:
    """The silence of a practice gap: `fixed` if the script gives one, else as long as saying
    the answer takes, within PRACTICE_FLOOR and PRACTICE_CAP."""
    if fixed is not None:
        return fixed
    return min(PRACTICE_CAP, max(PRACTICE_FLOOR, answer_seconds))


@dataclass(frozen=True)
class Gap:
    """A silence of the episode, in seconds."""

    seconds: float


@dataclass(frozen=True)
class Practice:
    """A practice gap: the cue, then silence for the listener to say `answer` (see the module
    doc); the answer itself follows as the next item."""

    answer: Turn
    seconds: float | None  #: fixed length (`[your turn 5s]`); None: as long as the answer
    line: int


#: what a chapter of the episode holds, in the order it plays
Laid = Turn | Sound | Gap | Practice


def pause_lengths(script: Script) -> dict[str, float]:
    """The script's pause lengths: PAUSE_DEFAULTS with its front matter's `pauses:` applied."""
    return {**PAUSE_DEFAULTS, **script.meta.pauses}


def _natural(
    prev: Turn | Sound | Practice, item: Turn | Sound | Practice, pauses: dict[str, float]
) -> float:
    """The pause between two neighbours of a chapter when no [pause] is written between them (a
    practice cue is a sound cue here)."""
    if not isinstance(prev, Turn) or not isinstance(item, Turn):
        same = not isinstance(prev, Turn) and not isinstance(item, Turn)
    else:
        same = prev.speaker == item.speaker
    return pauses["same_speaker" if same else "speaker_change"]


def _with_intro_outro(
    script: Script, pauses: dict[str, float]
) -> list[list[Turn | Pause | Sound | YourTurn]]:
    """Each chapter's items; the intro before the first turn, the outro after the last one."""
    entries = [list(chapter.items) for chapter in script.chapters]
    meta, spoken = script.meta, [i for i, c in enumerate(script.chapters) if c.turns]
    if meta.intro and spoken:
        line = meta.lines.get("intro", 0)
        entries[spoken[0]][:0] = [Sound(meta.intro, line), Pause(pauses["subchapter"], line)]
    if meta.outro and spoken:
        line = meta.lines.get("outro", 0)
        entries[spoken[-1]] += [Pause(pauses["subchapter"], line), Sound(meta.outro, line)]
    return entries


def lay_out(
    script: Script, says: Callable[[Turn], bool] = lambda turn: True, *, gaps: bool = True
) -> list[list[Laid]]:
    """Each chapter's turns, sound cues, practice gaps and silences, in the order the episode
    plays them.

    A turn for which `says` is false (nothing to say once spoken) is left out with no pause of
    its own, and so is a practice gap before it. With `gaps` false no practice gap is laid out.
    """
    pauses = pause_lengths(script)
    units: list[list[Laid]] = []
    for chapter, entries in zip(script.chapters, _with_intro_outro(script, pauses), strict=True):
        items: list[Laid] = []
        explicit: list[Pause] = []
        prev: Turn | Sound | Practice | None = None
        for index, entry in enumerate(entries):
            if isinstance(entry, Pause):
                explicit.append(entry)
                continue
            item: Turn | Sound | Practice
            if isinstance(entry, YourTurn):
                # the parser checked that the answer's turn comes next
                answer = entries[index + 1] if index + 1 < len(entries) else None
                if not gaps or not isinstance(answer, Turn) or not says(answer):
                    continue
                item = Practice(answer, entry.seconds, entry.line)
            elif isinstance(entry, Turn) and not says(entry):
                continue
            else:
                item = entry
            # the practice gap's own silence is all there is between it and the answer
            gap = 0.0 if isinstance(prev, Practice) else _gap(prev, item, explicit, pauses)
            if gap > 0 and items:
                items.append(Gap(gap))
            elif gap > 0 and units and not items:
                units[-1].append(Gap(gap))  # a [pause] at the top of a chapter: before its mark
            explicit, prev = [], item
            items.append(item)
        if explicit and items:
            items.append(Gap(sum(p.seconds for p in explicit)))
        if units and units[-1]:
            units[-1].append(Gap(pauses["subchapter" if chapter.level > 1 else "chapter"]))
        units.append(items)
    if units and units[-1]:
        units[-1].append(Gap(END_PAUSE))
    return units


def _gap(
    prev: Turn | Sound | Practice | None,
    item: Turn | Sound | Practice,
    explicit: Sequence[Pause],
    pauses: dict[str, float],
) -> float:
    """Silence before `item` inside a chapter: explicit [pause]s replace the natural pause."""
    if explicit:
        return sum(p.seconds for p in explicit)
    return 0.0 if prev is None else _natural(prev, item, pauses)
