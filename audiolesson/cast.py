"""Speakers -> voices: built-in presets, voices/*.toml, the project lexicon, a script's cast.

One neural voice ships (en_US-joe-medium, male, median F0 about 87 Hz). The presets turn it into six
distinct people with PSOLA pitch and formant shifts plus tempo (see render.shift): pitches sit at
least 2 semitones (12%) apart, formants rise with pitch as they do between real speakers.
tools/measure_voices.py measures the separation and intelligibility.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .engines.base import Voice, available_engines, engine_class
from .errors import ConfigError, EngineUnavailable, ScriptError
from .lexicon import apply_lexicon
from .loader import read_toml, toml_key_line

if TYPE_CHECKING:
    from .script import Script, Turn

log = logging.getLogger(__name__)

VOICES_DIR = "voices"
LEXICON_FILE = "lexicon.toml"
PRIMARY_VOICE = "teacher"  #: for the first speaker called Teacher, Narrator or Host
NARRATOR_VOICE = "narrator"  #: for narration, unless the script names `narrator:`
PRIMARY_SPEAKERS = ("teacher", "narrator", "host")
STUDENT_VOICES = ("student-1", "student-2", "student-3", "student-4")

#: The default cast: one neural voice, six people (pitch in semitones, formant ratio, tempo).
PRESETS: dict[str, Voice] = {
    v.name: v
    for v in (
        Voice("narrator", pitch=-2.0, formant=0.97, speed=0.92, source="preset"),  # deep, unhurried
        Voice("teacher", source="preset"),  # the voice as it ships
        Voice("student-1", pitch=9.0, formant=1.17, speed=1.05, source="preset"),  # alto, brisk
        Voice("student-2", pitch=3.0, formant=1.05, speed=1.1, source="preset"),  # young man, quick
        Voice("student-3", pitch=12.5, formant=1.22, speed=0.97, source="preset"),  # soprano, calm
        Voice("student-4", pitch=6.0, formant=1.1, speed=1.02, source="preset"),  # tenor, youthful
    )
}

_NUMBER = (int, float)
#: Keys of a voice file -> (accepted types, description for error messages).
VOICE_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "engine": ((str,), "a string"),
    "model": ((str,), "a string"),
    "speaker": ((int, str), "a speaker id or name"),
    "speed": (_NUMBER, "a number"),
    "pitch": (_NUMBER, "a number of semitones"),
    "volume": (_NUMBER, "a number of dB"),
    "formant": (_NUMBER, "a ratio"),
    "options": ((dict,), "a table"),
}
_RANGES = {
    "speed": (0.25, 4.0),
    "pitch": (-24.0, 24.0),
    "volume": (-60.0, 24.0),
    "formant": (0.5, 2.0),
}


@dataclass(frozen=True)
class CastTurn:
    """A turn with its voice and the text the engine reads (lexicons applied)."""

    turn: Turn
    voice: Voice
    spoken: str


def _is(value: Any, types: tuple[type, ...]) -> bool:
    """isinstance that does not take a bool for a number."""
    return isinstance(value, types) and not (isinstance(value, bool) and bool not in types)


def _resolve_model(value: str, voices_dir: Path) -> Path:
    """A model path as written in a voice file, relative to voices/."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else (voices_dir / path)


def _check_options(path: Path, text: str, engine: str, options: dict[str, Any]) -> None:
    """Engine options: known names with the right types (engines declare option_specs)."""
    try:
        specs = getattr(engine_class(engine), "option_specs", None)
    except Exception:  # a broken outside engine: its options cannot be checked here
        return
    if specs is None:
        return
    for key, value in options.items():
        line = toml_key_line(text, key, "options")
        if key not in specs:
            choices = ", ".join(sorted(specs)) or "(this engine has none)"
            raise ConfigError(
                f"unknown {engine} option {key!r}; choose one of: {choices}", path=path, line=line
            )
        want = specs[key][0]
        ok = _is(value, (int, float)) if want is float else _is(value, (want,))
        if not ok:
            raise ConfigError(
                f"option {key!r} must be {want.__name__}, got {value!r}", path=path, line=line
            )


def parse_voice_file(path: Path) -> Voice:
    """Read voices/NAME.toml into a Voice named NAME, or raise a one-line ConfigError."""
    data, text = read_toml(path, "voice file")
    unknown = sorted(set(data) - set(VOICE_KEYS))
    if unknown:
        raise ConfigError(
            f"unknown key {unknown[0]!r}; choose one of: {', '.join(VOICE_KEYS)}",
            path=path,
            line=toml_key_line(text, unknown[0]),
        )
    for key, value in data.items():
        types, what = VOICE_KEYS[key]
        if not _is(value, types):
            raise ConfigError(
                f"{key!r} must be {what}, got {value!r}", path=path, line=toml_key_line(text, key)
            )
        if key in _RANGES and not _RANGES[key][0] <= value <= _RANGES[key][1]:
            low, high = _RANGES[key]
            raise ConfigError(
                f"{key!r} must be between {low:g} and {high:g}, got {value!r}",
                path=path,
                line=toml_key_line(text, key),
            )
    engine = data.get("engine", "piper")
    engines = available_engines()
    if engine not in engines:
        raise ConfigError(
            f"unknown engine {engine!r}; choose one of: {', '.join(engines)}",
            path=path,
            line=toml_key_line(text, "engine"),
        )
    model = data.get("model")
    if model is not None and (engine == "piper" or model.endswith(".onnx")):
        resolved = _resolve_model(model, path.parent)
        if not resolved.is_file():
            raise ConfigError(
                f"model file not found: {resolved}; put the .onnx (and its .onnx.json) in "
                f"{path.parent} or fix 'model'",
                path=path,
                line=toml_key_line(text, "model"),
            )
        model = str(resolved)
    options = data.get("options", {})
    _check_options(path, text, engine, options)
    return Voice(
        name=path.stem,
        engine=engine,
        model=model,
        speaker=data.get("speaker"),
        speed=float(data.get("speed", 1.0)),
        pitch=float(data.get("pitch", 0.0)),
        volume=float(data.get("volume", 0.0)),
        formant=float(data.get("formant", 1.0)),
        options=tuple(sorted(options.items())),
        source=str(path),
    )


def load_voices(root: Path) -> dict[str, Voice]:
    """Built-in presets, Piper models dropped into voices/, then voices/*.toml (same name wins)."""
    voices = dict(PRESETS)
    folder = Path(root) / VOICES_DIR
    if not folder.is_dir():
        return voices
    for model in sorted(folder.glob("*.onnx")):
        name = model.name.removesuffix(".onnx")
        voices[name] = Voice(name, engine="piper", model=str(model), source=str(model))
    for path in sorted(folder.glob("*.toml")):
        if path.name != LEXICON_FILE:
            voices[path.stem] = parse_voice_file(path)
    return voices


def load_lexicon(root: Path) -> dict[str, str]:
    """voices/lexicon.toml: written -> spoken, as a flat table or under [say]; {} if absent."""
    path = Path(root) / VOICES_DIR / LEXICON_FILE
    if not path.is_file():
        return {}
    data, text = read_toml(path, "lexicon")
    section = None
    if "say" in data and isinstance(data["say"], dict):
        extra = sorted(k for k in data if k != "say")
        if extra:
            raise ConfigError(
                f"{extra[0]!r} is outside [say]; put every entry under [say] or use a flat table",
                path=path,
                line=toml_key_line(text, extra[0]),
            )
        data, section = data["say"], "say"
    for written, spoken in data.items():
        if not isinstance(spoken, str):
            raise ConfigError(
                f"{written!r} must map to a string (how to say it), got {spoken!r}",
                path=path,
                line=toml_key_line(text, written, section),
            )
        if not written.strip():
            raise ConfigError(
                "empty word in the lexicon; remove it",
                path=path,
                line=toml_key_line(text, written, section),
            )
    return dict(data)


def pick_voice(
    voices: dict[str, Voice],
    name: str,
    *,
    path: str | None = None,
    line: int | None = None,
    what: str = "",
) -> Voice:
    """voices[name], or an error (ScriptError if `path` is given, else ConfigError) with choices."""
    if name in voices:
        return voices[name]
    message = f"unknown voice {name!r}{what}; choose one of: {', '.join(sorted(voices))}"
    if path is not None:
        raise ScriptError(message + " (or add voices/NAME.toml)", path=path, line=line)
    raise ConfigError(message + " (or add voices/NAME.toml)")


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


@dataclass(frozen=True)
class VoiceInfo:
    """One row of `audiolesson voices`."""

    name: str
    engine: str
    source: str  #: "preset", a file path, or "engine" for an engine's own voice
    usable: bool
    reason: str = ""  #: why it cannot be used (or a note)


def _engine_status(name: str, cache: dict[str, str]) -> str:
    """ "" if the engine can run here, else why not (checked once per engine)."""
    if name not in cache:
        from .engines.base import get_engine

        try:
            get_engine(name).check()
            cache[name] = ""
        except EngineUnavailable as exc:
            cache[name] = str(exc)
        except Exception as exc:  # a broken outside engine must not break the listing
            cache[name] = f"engine {name!r} failed to load: {type(exc).__name__}: {exc}"
    return cache[name]


def _short(source: str | None, root: Path) -> str:
    """A voice's source relative to the project folder when it lies inside it."""
    if not source:
        return ""
    try:
        return str(Path(source).relative_to(Path(root).resolve()))
    except ValueError:
        try:
            return str(Path(source).relative_to(Path(root)))
        except ValueError:
            return source


def _describe(voice: Voice) -> str:
    """A short summary of a voice's settings for the listing."""
    parts = []
    if voice.model:
        parts.append(f"model {Path(voice.model).name if voice.engine == 'piper' else voice.model}")
    if voice.speaker is not None:
        parts.append(f"speaker {voice.speaker}")
    parts += [f"pitch {voice.pitch:+g} st", f"formant x{voice.formant:g}", f"speed {voice.speed:g}"]
    if voice.volume:
        parts.append(f"volume {voice.volume:+g} dB")
    return ", ".join(parts)


def list_voices(root: Path) -> list[VoiceInfo]:
    """Every voice: presets and voices/ files (usable here or not, and why), then engines' own."""
    from .engines.base import get_engine

    status: dict[str, str] = {}
    rows = []
    voices: dict[str, Voice | ConfigError] = dict(PRESETS)
    folder = Path(root) / VOICES_DIR
    for model in sorted(folder.glob("*.onnx")) if folder.is_dir() else []:
        name = model.name.removesuffix(".onnx")
        voices[name] = Voice(name, engine="piper", model=str(model), source=str(model))
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        if path.name != LEXICON_FILE:
            try:
                voices[path.stem] = parse_voice_file(path)
            except ConfigError as exc:  # list the broken file with its error instead of stopping
                voices[path.stem] = exc
    for name, voice in voices.items():
        if isinstance(voice, ConfigError):
            why = (f"line {voice.line}: " if voice.line else "") + voice.message
            rows.append(VoiceInfo(name, "?", _short(voice.path, root), False, why))
            continue
        reason = _engine_status(voice.engine, status)
        if not reason and voice.engine == "piper":
            try:
                get_engine("piper").model_path(voice)
            except ConfigError as exc:
                reason = exc.message
        if not reason and getattr(engine_class(voice.engine), "online", False):
            note = "needs the internet; " + _describe(voice)
        else:
            note = reason or _describe(voice)
        source = _short(voice.source, root)
        rows.append(VoiceInfo(voice.name, voice.engine, source, not reason, note))
    for engine in available_engines():
        reason = _engine_status(engine, status)
        if reason:
            rows.append(VoiceInfo("*", engine, "engine", False, reason))
            continue
        online = " (needs the internet)" if getattr(engine_class(engine), "online", False) else ""
        for ev in get_engine(engine).voices():
            is_file = ev.id.endswith(".onnx")  # a model file: show its name, note its path
            note = (f"model {ev.id}" if is_file else ev.name) + (
                f" [{ev.language}]" if ev.language else ""
            )
            name = ev.name if is_file else ev.id
            rows.append(VoiceInfo(name, engine, "engine", True, note + online))
    return rows
