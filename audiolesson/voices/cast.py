"""Casting: each speaker of a script gets a Voice, automatically and stably unless the cast says."""

from __future__ import annotations

import logging
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import EngineUnavailable, ScriptError, ScriptWarning
from ..keys import spaced_digest
from ..script.model import Script, Turn
from ..speech import RULES_VERSION, Lexicon, lexicon_from_say, spoken_form, supports
from .engines.base import Voice, engine_class, get_engine
from .library import (
    NARRATOR_VOICE,
    PRIMARY_SPEAKERS,
    PRIMARY_VOICE,
    load_lexicon,
    load_voices,
    pick_voice,
)
from .presets import DEFAULT_CAST, separable

__all__ = ["CastTurn", "assign_voices", "cast_script", "speech_warnings", "spoken_turns"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CastTurn:
    """A turn, its voice and the text the engine reads: its spoken form ('' if nothing to say)."""

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


def cast_script(
    script: Script,
    root: Path,
    memo: MutableMapping[str, str] | None = None,
    cast: str = DEFAULT_CAST,
) -> list[CastTurn]:
    """Each turn of the script with its voice and spoken form, in script.turns order.

    The spoken form follows the script's language, the project lexicon and the script's `say`
    (which wins), in the phoneme dialect of the voice's engine. `memo` keeps spoken forms across
    builds, keyed by everything they depend on, so an unchanged turn is never normalised again.
    `cast` is the project's default cast ([voices] cast: "fast" or "rich").
    """
    voices = load_voices(root, cast)
    chosen = assign_voices(script, voices, cast)
    _check_cast(chosen, cast)
    meta = script.meta
    lexicon = load_lexicon(root).merged(lexicon_from_say(meta.say, script.path, meta.lines))
    speak = _speaker(meta.language, lexicon, {} if memo is None else memo)
    turns = []
    for t in script.turns:
        voice = chosen[t.speaker]
        try:
            spoken = speak(t.text, engine_class(voice.engine).phonemes)
        except ScriptError as exc:  # the speech stage's own errors have no place: the turn's
            if exc.path is not None:
                raise
            raise ScriptError(exc.message, path=script.path, line=t.line) from None
        turns.append(CastTurn(t, voice, spoken))
    return turns


def _speaker(language: str, lexicon: Lexicon, memo: MutableMapping[str, str]):  # noqa: ANN202
    """spoken_form for this script's language and lexicon, through the memo."""
    context = [RULES_VERSION, language, lexicon.digest()]

    def speak(text: str, dialect: str | None) -> str:
        key = spaced_digest([*context, dialect, text], 32, ascii_only=False)
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


def spoken_turns(
    root: Path, cast: str = DEFAULT_CAST
) -> Callable[[Script], tuple[list[str], list[ScriptWarning]]]:
    """For `check`: a script's spoken form per turn (as the build makes them) and their warnings."""

    def speak(script: Script) -> tuple[list[str], list[ScriptWarning]]:
        turns = cast_script(script, root, cast=cast)
        return [ct.spoken for ct in turns], speech_warnings(script, turns)

    return speak
