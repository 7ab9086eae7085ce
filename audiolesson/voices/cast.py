"""Casting: each speaker of a script gets a Voice, automatically and stably unless the cast says."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from ..script.lexicon import apply_lexicon
from ..script.model import Script, Turn
from .engines.base import Voice
from .library import (
    NARRATOR_VOICE,
    PRIMARY_SPEAKERS,
    PRIMARY_VOICE,
    STUDENT_VOICES,
    load_lexicon,
    load_voices,
    pick_voice,
)

__all__ = ["CastTurn", "assign_voices", "cast_script"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CastTurn:
    """A turn with its voice and the text the engine reads (lexicons applied)."""

    turn: Turn
    voice: Voice
    spoken: str


def assign_voices(script: Script, voices: dict[str, Voice]) -> dict[str | None, Voice]:
    """Speaker (None = narration) -> Voice: the script's cast first, then automatic and stable."""
    meta = script.meta
    chosen: dict[str | None, Voice] = {}
    for speaker, name in meta.cast.items():
        chosen[speaker] = pick_voice(
            voices,
            name,
            path=script.path,
            line=meta.lines.get(f"cast.{speaker}"),
            what=f" for speaker {speaker!r}",
        )
    chosen[None] = pick_voice(
        voices,
        meta.narrator or NARRATOR_VOICE,
        path=script.path,
        line=meta.lines.get("narrator"),
        what=" for narration",
    )
    used = {v.name for s, v in chosen.items() if s is not None}
    pool = [name for name in STUDENT_VOICES if name not in used] or list(STUDENT_VOICES)
    primary_free = PRIMARY_VOICE not in used
    auto = [s for s in script.speakers if s not in chosen]
    shared: list[str] = []
    next_student = 0
    for speaker in auto:
        if primary_free and speaker.strip().lower() in PRIMARY_SPEAKERS:
            chosen[speaker] = voices[PRIMARY_VOICE]
            primary_free = False
            continue
        if next_student >= len(pool):
            shared.append(speaker)
        chosen[speaker] = voices[pool[next_student % len(pool)]]
        next_student += 1
    if shared:
        log.warning(
            "%s: more speakers than distinct voices; %s share voices with earlier speakers "
            "(give them voices in the script's cast, or add voices/*.toml)",
            script.path,
            ", ".join(shared),
        )
    return chosen


def cast_script(script: Script, root: Path) -> list[CastTurn]:
    """Each turn of the script with its voice and spoken text, in script.turns order."""
    voices = load_voices(root)
    chosen = assign_voices(script, voices)
    # The script's `say` wins over the project lexicon for the same word.
    lexicon = {**load_lexicon(root), **script.meta.say}
    return [CastTurn(t, chosen[t.speaker], apply_lexicon(t.text, lexicon)) for t in script.turns]
