"""Casting: each speaker of a script gets a Voice, automatically and stably unless the cast says."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import ScriptWarning
from ..script.model import Script, Turn
from ..speech import RULES_VERSION, Lexicon, lexicon_from_say, spoken_form, supports
from .engines.base import Voice, engine_class
from .library import (
    NARRATOR_VOICE,
    PRIMARY_SPEAKERS,
    PRIMARY_VOICE,
    STUDENT_VOICES,
    load_lexicon,
    load_voices,
    pick_voice,
)

__all__ = ["CastTurn", "assign_voices", "cast_script", "speech_warnings", "spoken_turns"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CastTurn:
    """A turn, its voice and the text the engine reads: its spoken form ('' if nothing to say)."""

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


def cast_script(
    script: Script, root: Path, memo: MutableMapping[str, str] | None = None
) -> list[CastTurn]:
    """Each turn of the script with its voice and spoken form, in script.turns order.

    The spoken form follows the script's language, the project lexicon and the script's `say`
    (which wins), in the phoneme dialect of the voice's engine. `memo` keeps spoken forms across
    builds, keyed by everything they depend on, so an unchanged turn is never normalised again.
    """
    voices = load_voices(root)
    chosen = assign_voices(script, voices)
    meta = script.meta
    lexicon = load_lexicon(root).merged(lexicon_from_say(meta.say, script.path, meta.lines))
    speak = _speaker(meta.language, lexicon, {} if memo is None else memo)
    turns = []
    for t in script.turns:
        voice = chosen[t.speaker]
        turns.append(CastTurn(t, voice, speak(t.text, engine_class(voice.engine).phonemes)))
    return turns


def _speaker(language: str, lexicon: Lexicon, memo: MutableMapping[str, str]):  # noqa: ANN202
    """spoken_form for this script's language and lexicon, through the memo."""
    context = [RULES_VERSION, language, lexicon.digest()]

    def speak(text: str, dialect: str | None) -> str:
        key = hashlib.sha256(
            json.dumps([*context, dialect, text], ensure_ascii=False).encode()
        ).hexdigest()[:32]
        if key not in memo:
            memo[key] = spoken_form(text, language, lexicon, phonemes=dialect)
        return memo[key]

    return speak


def speech_warnings(script: Script, turns: list[CastTurn]) -> list[ScriptWarning]:
    """What the spoken-form stage has to say about a script: unknown language, silent turns."""
    found = []
    if not supports(script.meta.language):
        found.append(
            ScriptWarning(
                f"no spoken-form rules for language {script.meta.language!r}; numbers, units and "
                "symbols are read as written (English rules: language: en)",
                script.path,
                script.meta.lines.get("language"),
            )
        )
    for ct in turns:
        if not ct.spoken:
            found.append(
                ScriptWarning(
                    "nothing to say in this turn once symbols are read (it is skipped); "
                    "write it in words",
                    script.path,
                    ct.turn.line,
                )
            )
    return found


def spoken_turns(root: Path) -> Callable[[Script], tuple[list[str], list[ScriptWarning]]]:
    """For `check`: a script's spoken form per turn (as the build makes them) and their warnings."""

    def speak(script: Script) -> tuple[list[str], list[ScriptWarning]]:
        cast = cast_script(script, root)
        return [ct.spoken for ct in cast], speech_warnings(script, cast)

    return speak
