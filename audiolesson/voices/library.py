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
from .engines.base import Voice, available_engines, engine_class
from .presets import DEFAULT_CAST, DESIGNED_STUDENTS, NARRATOR, TEACHER, designed, preset
from .store import installed_voice, is_store_name
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
    "blend": ((dict,), "a table of voice = weight"),
}
_RANGES = {
    "speed": (0.25, 4.0),
    "pitch": (-24.0, 24.0),
    "volume": (-60.0, 24.0),
    "formant": (0.5, 2.0),
}


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
    if "blend" in data and engine != "kokoro":
        raise ConfigError(
            "'blend' mixes Kokoro voices; set engine = \"kokoro\" or remove 'blend'",
            path=path,
            line=toml_key_line(text, "blend"),
        )
    model = data.get("model")
    if isinstance(model, str) and is_store_name(model):  # an installed voice, with this file's
        return _store_voice_file(path, text, data)  # speed, pitch, formant and volume
    if engine == "kokoro":
        from .engines.kokoro_tts import voice_file_model

        model = voice_file_model(data, path, text)
    elif model is not None and (engine == "piper" or model.endswith(".onnx")):
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


def _store_voice_file(path: Path, text: str, data: dict[str, Any]) -> Voice:
    """A voice file whose model is an installed voice (piper:NAME#SPEAKER, kokoro:NAME)."""
    try:
        found = installed_voice(str(data["model"]), path.parent.parent)
    except ConfigError as exc:
        raise ConfigError(exc.message, path=path, line=toml_key_line(text, "model")) from None
    assert found is not None
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


def _kokoro_models(voices: dict[str, Voice | ConfigError]) -> set[Path]:
    """The .onnx files voice files name as Kokoro models (they are not Piper voices)."""
    found = set()
    for voice in voices.values():
        if isinstance(voice, Voice) and voice.engine == "kokoro" and voice.source:
            model_file = voice.opts.get("model_file")
            if model_file:
                found.add((Path(voice.source).parent / str(model_file)).resolve())
    return found


def voice_files(root: Path) -> Iterator[tuple[str, Voice | ConfigError]]:
    """(name, voice) for Piper models dropped into voices/, then voices/*.toml; a file that does
    not parse comes as its ConfigError, so a listing can show it and a build can raise it.
    A .onnx that a Kokoro voice file names as its model_file is not a Piper voice."""
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
    kokoro = _kokoro_models(files)
    for model in sorted(folder.glob("*.onnx")):
        if model.resolve() not in kokoro:
            name = model.name.removesuffix(".onnx")
            yield name, Voice(name, engine="piper", model=str(model), source=str(model))
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
    if is_store_name(name):
        try:
            return installed_voice(name, root)  # type: ignore[return-value]
        except ConfigError as exc:
            if path is not None:
                raise ScriptError(exc.message, path=path, line=line) from None
            raise
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
