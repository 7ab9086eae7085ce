"""Casting: each speaker of a script gets a Voice, automatically and stably unless the cast says."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from ..errors import EngineUnavailable
from ..script.lexicon import apply_lexicon
from ..script.model import Script, Turn
from .engines.base import Voice, get_engine
from .library import (
    NARRATOR_VOICE,
    PRIMARY_SPEAKERS,
    PRIMARY_VOICE,
    load_lexicon,
    load_voices,
    pick_voice,
)
from .presets import DEFAULT_CAST, separable

__all__ = ["CastTurn", "assign_voices", "cast_script"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CastTurn:
    """A turn with its voice and the text the engine reads (lexicons applied)."""

    turn: Turn
    voice: Voice
    spoken: str


def assign_voices(
    script: Script, voices: dict[str, Voice], cast: str = DEFAULT_CAST
) -> dict[str | None, Voice]:
    """Speaker (None = narration) -> Voice: the script's cast first, then automatic and stable.

    Automatic voices: the first speaker called Teacher, Narrator or Host gets `teacher`; the k-th
    other speaker (in order of first appearance) gets the k-th student voice the script's cast
    leaves free. Nothing depends on how many speakers there are, so adding one changes no other.
    """
    meta = script.meta
    chosen: dict[str | None, Voice] = {}
    for speaker, name in meta.cast.items():
        chosen[speaker] = pick_voice(
            voices,
            name,
            path=script.path,
            line=meta.lines.get(f"cast.{speaker}"),
            what=f" for speaker {speaker!r}",
            cast=cast,
        )
    chosen[None] = pick_voice(
        voices,
        meta.narrator or NARRATOR_VOICE,
        path=script.path,
        line=meta.lines.get("narrator"),
        what=" for narration",
        cast=cast,
    )
    used = {v.name for s, v in chosen.items() if s is not None}
    primary_free = PRIMARY_VOICE not in used
    crowded: list[str] = []
    number = 0
    for speaker in (s for s in script.speakers if s not in chosen):
        if primary_free and speaker.strip().lower() in PRIMARY_SPEAKERS:
            chosen[speaker] = voices[PRIMARY_VOICE]
            primary_free = False
            continue
        number += 1
        while f"student-{number}" in used:
            number += 1
        chosen[speaker] = pick_voice(voices, f"student-{number}", cast=cast)
        if not separable(number, cast):
            crowded.append(speaker)
    if crowded:
        log.warning(
            "%s: more speakers than the %s cast keeps apart; %s sound close to earlier speakers "
            "(give them voices in the script's cast, or add voices/*.toml)",
            script.path,
            cast,
            ", ".join(crowded),
        )
    return chosen


def _check_cast(chosen: dict[str | None, Voice], cast: str) -> None:
    """Say how to install what a non-default cast's preset voices need, or how to avoid it."""
    if cast == DEFAULT_CAST:
        return  # Piper, installed with audiolesson
    for engine in sorted({v.engine for v in chosen.values() if v.source == "preset"}):
        try:
            get_engine(engine).check()
        except EngineUnavailable as exc:
            raise EngineUnavailable(
                f"the {cast} cast needs the {engine} engine: {exc.message}; or set "
                f'[voices] cast = "{DEFAULT_CAST}" in audiolesson.toml'
            ) from exc


def cast_script(script: Script, root: Path, cast: str = DEFAULT_CAST) -> list[CastTurn]:
    """Each turn of the script with its voice and spoken text, in script.turns order.

    `cast` is the project's default cast ([voices] cast: "fast" or "rich").
    """
    voices = load_voices(root, cast)
    chosen = assign_voices(script, voices, cast)
    _check_cast(chosen, cast)
    # The script's `say` wins over the project lexicon for the same word.
    lexicon = {**load_lexicon(root), **script.meta.say}
    return [CastTurn(t, chosen[t.speaker], apply_lexicon(t.text, lexicon)) for t in script.turns]
