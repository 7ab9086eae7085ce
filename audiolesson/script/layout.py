"""The pause layout: how long each silence of an episode is, and where it sits.

One function for the build (which turns it into the exporter's timeline) and for `check`
(which estimates a script's length from it), so the two can never disagree. Inside a chapter a
turn follows the one before it after the `same_speaker` or `speaker_change` pause (a sound cue
counts as a speaker of its own); explicit `[pause]`s there replace that natural pause. Between
chapters the pause belongs to the end of the chapter before, so a chapter mark sits on its
first word: `subchapter` before a `##`, `chapter` before a `#`, plus any `[pause]` written at
the top of the new chapter. The intro plays before the first turn and the outro after the last,
each a `subchapter` pause from the speech; the episode ends with END_PAUSE of silence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .model import PAUSE_DEFAULTS, Pause, Script, Sound, Turn

__all__ = ["END_PAUSE", "Gap", "lay_out", "pause_lengths"]

#: pause at the very end of an episode, so players do not cut the last word
END_PAUSE = 1.0


@dataclass(frozen=True)
class Gap:
    """A silence of the episode, in seconds."""

    seconds: float


#: what a chapter of the episode holds, in the order it plays
Laid = Turn | Sound | Gap


def pause_lengths(script: Script) -> dict[str, float]:
    """The script's pause lengths: PAUSE_DEFAULTS with its front matter's `pauses:` applied."""
    return {**PAUSE_DEFAULTS, **script.meta.pauses}


def _natural(prev: Turn | Sound, item: Turn | Sound, pauses: dict[str, float]) -> float:
    """The pause between two neighbours of a chapter when no [pause] is written between them."""
    if isinstance(prev, Sound) or isinstance(item, Sound):
        same = isinstance(prev, Sound) and isinstance(item, Sound)
    else:
        same = prev.speaker == item.speaker
    return pauses["same_speaker" if same else "speaker_change"]


def _with_intro_outro(script: Script, pauses: dict[str, float]) -> list[list[Turn | Pause | Sound]]:
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


def lay_out(script: Script, says: Callable[[Turn], bool] = lambda turn: True) -> list[list[Laid]]:
    """Each chapter's turns, sound cues and silences, in the order the episode plays them.

    A turn for which `says` is false (nothing to say once spoken) is left out with no pause of
    its own.
    """
    pauses = pause_lengths(script)
    units: list[list[Laid]] = []
    for chapter, entries in zip(script.chapters, _with_intro_outro(script, pauses), strict=True):
        items: list[Laid] = []
        explicit: list[Pause] = []
        prev: Turn | Sound | None = None
        for item in entries:
            if isinstance(item, Pause):
                explicit.append(item)
                continue
            if isinstance(item, Turn) and not says(item):
                continue
            gap = _gap(prev, item, explicit, pauses)
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
    prev: Turn | Sound | None,
    item: Turn | Sound,
    explicit: Sequence[Pause],
    pauses: dict[str, float],
) -> float:
    """Silence before `item` inside a chapter: explicit [pause]s replace the natural pause."""
    if explicit:
        return sum(p.seconds for p in explicit)
    return 0.0 if prev is None else _natural(prev, item, pauses)
