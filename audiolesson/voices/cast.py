"""Casting: each speaker of a script gets a Voice, automatically and stably unless the cast says."""

from __future__ import annotations

import logging
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, replace
from pathlib import Path

from ..config import VoicesSettings
from ..errors import AudiolessonError, EngineUnavailable, ScriptError, ScriptWarning
from ..files import read_text
from ..keys import spaced_digest
from ..script.model import Script, Turn
from ..speech import (
    RULES_VERSION,
    Lexicon,
    Unsure,
    lexicon_from_say,
    speech_language,
    spoken_form,
    spoken_words,
    supports,
    unsure,
    word_map,
    written_words,
)
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
from .store_cast import cast_hint

__all__ = [
    "CastTurn",
    "assign_voices",
    "cast_script",
    "install_note",
    "speech_warnings",
    "spoken_turns",
    "unsure_words",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CastTurn:
    """A turn, its voice and the text the engine reads: its spoken form ('' if nothing to say)."""

    turn: Turn
    voice: Voice
    spoken: str
    language: str = "en"  #: the language code its spoken form followed ("en-US", "en-GB")
    #: how many of the spoken form's words each written word became (speech.word_map), when
    #: cast_script was asked for them (the build, for word timings); () otherwise
    said: tuple[int, ...] = ()


def assign_voices(
    script: Script, voices: dict[str, Voice], cast: str = DEFAULT_CAST, root: Path | None = None
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
            root=root,
        )
    chosen[None] = pick_voice(
        voices,
        meta.narrator or NARRATOR_VOICE,
        path=script.path,
        line=meta.lines.get("narrator"),
        what=" for narration",
        cast=cast,
        root=root,
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
        if not separable(number, cast) and chosen[speaker].source == "preset":
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


def _shifted_student(voice: Voice) -> bool:
    """A default student that is a copy of a voice shifted in pitch or formants (not a real
    voice: every Piper student of the presets is the bundled voice shifted)."""
    return (
        voice.source == "preset"
        and voice.name.startswith("student-")
        and (voice.pitch != 0.0 or voice.formant != 1.0)
    )


def install_note(turns: list[CastTurn], root: Path, cast: str = DEFAULT_CAST) -> str | None:
    """What `audiolesson voices install` would add to this cast (students that are shifted
    copies of a voice), once per process and cast; None when there is nothing to say. The build
    says it (plan), `check` and `verify` do not: it is advice, not a problem of the script."""
    shifted = any(_shifted_student(ct.voice) for ct in turns if ct.turn.speaker is not None)
    return cast_hint(cast, shifted, root)


def cast_script(
    script: Script,
    root: Path,
    memo: MutableMapping[str, str] | None = None,
    cast: str = DEFAULT_CAST,
    language: str | None = None,
    words: bool = False,
) -> list[CastTurn]:
    """Each turn of the script with its voice and spoken form, in script.turns order.

    The spoken form follows the project lexicon and the script's `say` (which wins), in the
    phoneme dialect of the voice's engine, and the conventions of the script's language: its
    region if it names one ("language: en-GB"), else the project's `language` setting ([voices]
    language), else the region the turn's voice speaks (en-US for an American voice). `memo`
    keeps spoken forms across builds, keyed by everything they depend on, so an unchanged turn
    is never normalised again. `cast` is the project's default cast ([voices] cast). With
    `words`, each turn also says which spoken words each written word became (`CastTurn.said`,
    through the memo too).
    """
    # installed voices are picked in the accent the script or the project asks for
    voices = load_voices(root, cast, speech_language(script.meta.language, language))
    chosen = assign_voices(script, voices, cast, root)
    _check_cast(chosen, cast)
    meta = script.meta
    lexicon = load_lexicon(root).merged(lexicon_from_say(meta.say, script.path, meta.lines))
    speak, said = _speaker(lexicon, {} if memo is None else memo)
    languages: dict[str, str] = {}  # voice name -> the language its turns follow
    turns = []
    for t in script.turns:
        voice = chosen[t.speaker]
        if voice.name not in languages:
            region = get_engine(voice.engine).region(voice)
            languages[voice.name] = speech_language(meta.language, language, region)
        dialect = engine_class(voice.engine).phonemes
        try:
            spoken = speak(t.text, languages[voice.name], dialect)
        except ScriptError as exc:  # the speech stage's own errors have no place: the turn's
            if exc.path is not None:
                raise
            raise ScriptError(exc.message, path=script.path, line=t.line) from None
        counts = said(t.text, spoken, languages[voice.name], dialect) if words and spoken else ()
        turns.append(CastTurn(t, voice, spoken, languages[voice.name], counts))
    return turns


#: goes into the memo keys of word maps: bump when speech.word_map maps otherwise
WORD_MAP_VERSION = "1"


def _speaker(lexicon: Lexicon, memo: MutableMapping[str, str]):  # noqa: ANN202
    """spoken_form with this lexicon, through the memo (keyed by language and dialect too), and
    the word map of a text and its spoken form, through the memo as well."""
    context = [RULES_VERSION, lexicon.digest()]

    def speak(text: str, language: str, dialect: str | None) -> str:
        key = spaced_digest([*context, language, dialect, text], 32, ascii_only=False)
        if key not in memo:
            memo[key] = spoken_form(text, language, lexicon, phonemes=dialect)
        return memo[key]

    def said(text: str, spoken: str, language: str, dialect: str | None) -> tuple[int, ...]:
        data = ["words", WORD_MAP_VERSION, *context, language, dialect, text]
        key = spaced_digest(data, 32, ascii_only=False)
        if key not in memo:
            counts = word_map(
                written_words(text),
                spoken_words(spoken),
                lambda word: spoken_form(word, language, lexicon, phonemes=dialect),
            )
            memo[key] = " ".join(map(str, counts))
        return tuple(int(n) for n in memo[key].split())

    return speak, said


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
    root: Path, settings: VoicesSettings | None = None
) -> Callable[[Script], tuple[list[str], list[ScriptWarning], list[Unsure]]]:
    """For `check`: a script's spoken form per turn (as the build makes them with the project's
    [voices] `settings`: its cast and language), their warnings, and the words no rule was sure
    of, each at its line, once per script."""
    cast, language = (settings.cast, settings.language) if settings else (DEFAULT_CAST, None)

    def speak(script: Script) -> tuple[list[str], list[ScriptWarning], list[Unsure]]:
        turns = cast_script(script, root, cast=cast, language=language)
        return (
            [ct.spoken for ct in turns],
            speech_warnings(script, turns),
            unsure_words(script, root, turns),
        )

    return speak


def unsure_words(script: Script, root: Path, turns: list[CastTurn]) -> list[Unsure]:
    """Each word of the script no spoken-form rule was sure of, once, at its first line."""
    meta = script.meta
    lexicon = load_lexicon(root).merged(lexicon_from_say(meta.say, script.path, meta.lines))
    try:
        lines = read_text(Path(script.path), "script").splitlines()
    except AudiolessonError:
        lines = []
    starts = sorted({ct.turn.line for ct in turns})
    seen: set[str] = set()
    found = []
    for ct in turns:
        later = [n for n in starts if n > ct.turn.line]
        end = later[0] if later else len(lines) + 1
        for word in unsure(ct.turn.text, ct.language, lexicon):
            if word.written in seen:
                continue
            seen.add(word.written)
            line = (
                next(
                    (n for n in range(ct.turn.line, end) if word.written in lines[n - 1]),
                    ct.turn.line,
                )
                if lines
                else ct.turn.line
            )
            found.append(replace(word, line=line))
    return found
