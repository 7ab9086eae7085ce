"""The voices a project can use: built-in presets, voices/*.toml files, Piper models in voices/.

One neural voice ships (en_US-joe-medium, male, median F0 about 87 Hz). The presets turn it into six
distinct people with PSOLA pitch and formant shifts plus tempo (see render.shift): pitches sit at
least 2 semitones (12%) apart, formants rise with pitch as they do between real speakers.
tools/measure_voices.py measures the separation and intelligibility.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import speech
from ..errors import ConfigError, ScriptError
from ..files import read_toml, toml_key_line
from ..speech import Lexicon
from .engines.base import Voice, available_engines, engine_class

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


def voice_files(root: Path) -> Iterator[tuple[str, Voice | ConfigError]]:
    """(name, voice) for Piper models dropped into voices/, then voices/*.toml; a file that does
    not parse comes as its ConfigError, so a listing can show it and a build can raise it."""
    folder = Path(root) / VOICES_DIR
    if not folder.is_dir():
        return
    for model in sorted(folder.glob("*.onnx")):
        name = model.name.removesuffix(".onnx")
        yield name, Voice(name, engine="piper", model=str(model), source=str(model))
    for path in sorted(folder.glob("*.toml")):
        if path.name != LEXICON_FILE:
            try:
                yield path.stem, parse_voice_file(path)
            except ConfigError as exc:
                yield path.stem, exc


def load_voices(root: Path) -> dict[str, Voice]:
    """Built-in presets, Piper models dropped into voices/, then voices/*.toml (same name wins)."""
    voices = dict(PRESETS)
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
) -> Voice:
    """voices[name], or an error (ScriptError if `path` is given, else ConfigError) with choices."""
    if name in voices:
        return voices[name]
    message = f"unknown voice {name!r}{what}; choose one of: {', '.join(sorted(voices))}"
    if path is not None:
        raise ScriptError(message + " (or add voices/NAME.toml)", path=path, line=line)
    raise ConfigError(message + " (or add voices/NAME.toml)")
