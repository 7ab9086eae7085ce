"""The voices a project can use: the default casts' presets, voices/*.toml, models in voices/.

The presets themselves (narrator, teacher, student-1, student-2, ... for any number, in the
"fast" and the "rich" cast) live in presets.py; tools/measure_voices.py measures them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from .. import speech
from ..errors import ConfigError, ScriptError
from ..files import read_toml, toml_key_line
from ..speech import Lexicon
from .engines.base import DEFAULT_ENGINE, Voice, VoiceFileKey, available_engines, engine_class
from .presets import DEFAULT_CAST, DESIGNED_STUDENTS, NARRATOR, TEACHER, designed, preset
from .store import installed_voice
from .store_cast import cast_voices

log = logging.getLogger(__name__)

VOICES_DIR = "voices"
LEXICON_FILE = "lexicon.toml"
PRIMARY_VOICE = TEACHER  #: for the first speaker called Teacher, Narrator or Host
NARRATOR_VOICE = NARRATOR  #: for narration, unless the script names `narrator:`
PRIMARY_SPEAKERS = ("teacher", "narrator", "host")
#: The designed students of every cast; student-9 and beyond are generated (presets.student).
STUDENT_VOICES = tuple(f"student-{n}" for n in range(1, DESIGNED_STUDENTS + 1))
#: The fast cast's designed voices (the default cast).
PRESETS: dict[str, Voice] = designed(DEFAULT_CAST)

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
}  # and the keys the voice's engine declares (Engine.voice_file_keys)
_RANGES = {
    "speed": (0.25, 4.0),
    "pitch": (-24.0, 24.0),
    "volume": (-60.0, 24.0),
    "formant": (0.5, 2.0),
}


def _is(value: Any, types: tuple[type, ...]) -> bool:
    """isinstance that does not take a bool for a number."""
    return isinstance(value, types) and not (isinstance(value, bool) and bool not in types)


def _engine_keys(engine: object) -> dict[str, VoiceFileKey]:
    """The voice-file keys an engine reads beyond VOICE_KEYS ({} for an unknown engine)."""
    try:
        return dict(engine_class(str(engine)).voice_file_keys)
    except Exception:  # unknown (reported later, with its line) or a broken outside engine
        return {}


def _foreign_keys(keys: list[str]) -> dict[str, tuple[str, VoiceFileKey]]:
    """Which other engine reads each of these keys: key -> (engine, its declaration)."""
    found: dict[str, tuple[str, VoiceFileKey]] = {}
    for name in available_engines():
        for key, spec in _engine_keys(name).items():
            if key in keys:
                found.setdefault(key, (name, spec))
    return found


def _check_options(path: Path, text: str, engine: str, options: dict[str, Any]) -> None:
    """Engine options: known names with the right types (engines declare option_specs)."""
    try:
        specs = engine_class(engine).option_specs
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
    engine = data.get("engine", DEFAULT_ENGINE)
    own = {key: spec[:2] for key, spec in _engine_keys(engine).items() if key not in VOICE_KEYS}
    known = VOICE_KEYS | own
    unknown = sorted(set(data) - set(known))
    foreign = _foreign_keys(unknown) if unknown else {}  # keys another engine reads
    if any(key not in foreign for key in unknown):
        key = next(key for key in unknown if key not in foreign)
        raise ConfigError(
            f"unknown key {key!r}; choose one of: {', '.join(known)}",
            path=path,
            line=toml_key_line(text, key),
        )
    for key, value in data.items():
        types, what = known[key] if key in known else foreign[key][1][:2]
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
    engines = available_engines()
    if engine not in engines:
        raise ConfigError(
            f"unknown engine {engine!r}; choose one of: {', '.join(engines)}",
            path=path,
            line=toml_key_line(text, "engine"),
        )
    for key, (other, (_, _, does)) in foreign.items():
        raise ConfigError(
            f'{key!r} {does}; set engine = "{other}" or remove {key!r}',
            path=path,
            line=toml_key_line(text, key),
        )
    try:
        installed = _installed(data.get("model", ""), path.parent.parent)
    except ConfigError as exc:
        raise ConfigError(exc.message, path=path, line=toml_key_line(text, "model")) from None
    if installed is not None:  # with this file's speed, pitch, formant, volume and options
        return _with_file_settings(installed, path, text, data)
    model = engine_class(engine).read_voice_model(data, path, text)
    options = data.get("options", {})
    _check_options(path, text, engine, options)
    settings = {
        key: float(data[key]) for key in ("speed", "pitch", "volume", "formant") if key in data
    }
    return Voice(
        name=path.stem,
        engine=engine,
        model=model,
        speaker=data.get("speaker"),
        options=tuple(sorted(options.items())),
        source=str(path),
        **settings,  # the rest keep Voice's defaults
    )


def _installed(name: str, root: Path | None) -> Voice | None:
    """The installed voice a store name (piper:NAME#SPEAKER, kokoro:NAME) stands for; None for
    any other name. The one place the library asks the store (ConfigError: not installed)."""
    return installed_voice(name, root)


def _with_file_settings(found: Voice, path: Path, text: str, data: dict[str, Any]) -> Voice:
    """A voice file whose model is an installed voice: that voice, with the file's settings."""
    if data.get("engine", found.engine) != found.engine:
        raise ConfigError(
            f'{data["model"]!r} is a {found.engine} voice; set engine = "{found.engine}" or '
            "leave 'engine' out",
            path=path,
            line=toml_key_line(text, "engine"),
        )
    options = {**dict(found.options), **data.get("options", {})}
    _check_options(path, text, found.engine, data.get("options", {}))
    return replace(
        found,
        name=path.stem,
        speaker=data.get("speaker", found.speaker),
        speed=float(data.get("speed", 1.0)),
        pitch=float(data.get("pitch", 0.0)),
        volume=float(data.get("volume", 0.0)),
        formant=float(data.get("formant", 1.0)),
        options=tuple(sorted(options.items())),
        source=str(path),
    )


def _claimed_files(voices: dict[str, Voice | ConfigError]) -> set[Path]:
    """Files voice files name that are not voices of their own (Engine.claimed_files)."""
    found: set[Path] = set()
    for voice in voices.values():
        if isinstance(voice, Voice):
            found |= engine_class(voice.engine).claimed_files(voice)
    return found


def voice_files(root: Path) -> Iterator[tuple[str, Voice | ConfigError]]:
    """(name, voice) for Piper models dropped into voices/, then voices/*.toml; a file that does
    not parse comes as its ConfigError, so a listing can show it and a build can raise it.
    A .onnx that a voice file names otherwise (a Kokoro model_file) is not a Piper voice."""
    folder = Path(root) / VOICES_DIR
    if not folder.is_dir():
        return
    files: dict[str, Voice | ConfigError] = {}
    for path in sorted(folder.glob("*.toml")):
        if path.name != LEXICON_FILE:
            try:
                files[path.stem] = parse_voice_file(path)
            except ConfigError as exc:
                files[path.stem] = exc
    claimed = _claimed_files(files)
    for model in sorted(folder.glob("*.onnx")):
        if model.resolve() not in claimed:  # a model dropped in: the default engine's voice
            name = model.name.removesuffix(".onnx")
            yield name, Voice(name, engine=DEFAULT_ENGINE, model=str(model), source=str(model))
    yield from files.items()


def load_voices(root: Path, cast: str = DEFAULT_CAST, language: str = "en") -> dict[str, Voice]:
    """A cast's designed presets, Piper models dropped into voices/, then voices/*.toml.

    A voice file named like a preset replaces it; student-N beyond the designed ones are not
    listed here but resolved by `pick_voice` (there are as many as a script needs). Installed
    voices (store_cast) take the students' places first, in the accent `language` asks for.
    """
    voices = designed(cast)
    voices.update(cast_voices(root, cast, language))
    for name, voice in voice_files(root):
        if isinstance(voice, ConfigError):
            raise voice
        voices[name] = voice
    return voices


def load_lexicon(root: Path) -> Lexicon:
    """voices/lexicon.toml as a Lexicon (plain, regular-expression and phoneme entries)."""
    return speech.load_lexicon(Path(root) / VOICES_DIR / LEXICON_FILE)


def pick_voice(
    voices: dict[str, Voice],
    name: str,
    *,
    path: str | None = None,
    line: int | None = None,
    what: str = "",
    cast: str = DEFAULT_CAST,
    root: Path | None = None,
) -> Voice:
    """voices[name], an installed voice (piper:NAME, kokoro:NAME) or the cast's student-N, or
    an error (ScriptError if `path` is given)."""
    if name in voices:
        return voices[name]
    try:
        installed = _installed(name, root)
    except ConfigError as exc:
        if path is not None:
            raise ScriptError(exc.message, path=path, line=line) from None
        raise
    if installed is not None:
        return installed
    found = preset(name, cast)
    if found is not None:
        return found
    message = (
        f"unknown voice {name!r}{what}; choose one of: {', '.join(sorted(voices))}, or "
        "student-N for any N"
    )
    if path is not None:
        raise ScriptError(message + " (or add voices/NAME.toml)", path=path, line=line)
    raise ConfigError(message + " (or add voices/NAME.toml)")
