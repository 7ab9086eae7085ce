"""The voice store: voices `audiolesson voices install` put on this machine, and the names for them.

Two stores, the project's first: `<project>/voices/` (installed with --project, so the project
carries its voices) and the user's `$XDG_DATA_HOME/audiolesson/voices` (by default
~/.local/share/audiolesson/voices), shared by all projects. Each has `piper/NAME.onnx` (+
`.onnx.json`) and `kokoro/` (voices-v1.0.bin, and a Kokoro model when one was downloaded).

Names: `piper:en_GB-alba-medium`, `piper:en_US-libritts_r-medium#p231` (a speaker of a
multi-speaker model, by its name in speaker_id_map or its number), `kokoro:bf_emma`. A cast, a
`narrator:` and a voice file's `model` can name them; `installed_voice` turns them into Voices.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..paths import user_data_dir
from .catalogue import KOKORO_FULL, KOKORO_INT8, KOKORO_VOICES, KOKORO_VOICES_FILE
from .engines.base import Voice

__all__ = [
    "Installed",
    "InstalledPiper",
    "installed_piper",
    "installed_voice",
    "installed_voices",
    "kokoro_files",
    "store_dirs",
    "user_store",
]

PIPER = "piper:"
KOKORO = "kokoro:"
INSTALL = "audiolesson voices install"


def user_store() -> Path:
    """The user's voice store: `voices/` in our user data folder (paths.user_data_dir)."""
    return user_data_dir() / "voices"


def store_dirs(root: Path | None) -> list[Path]:
    """The stores to look in, the project's voices/ first."""
    return ([Path(root) / "voices"] if root is not None else []) + [user_store()]


@dataclass(frozen=True)
class InstalledPiper:
    """An installed Piper model: its name, file, language and speakers (name -> id)."""

    name: str
    path: Path
    language: str
    speakers: dict[str, int]
    #: measured median F0 by speaker (written at install for multi-speaker English models)
    pitch: dict[str, float]


def _piper_config(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def piper_model(name: str, root: Path | None) -> Path | None:
    """The installed .onnx of a Piper voice (with its .onnx.json), or None."""
    for store in store_dirs(root):
        path = store / "piper" / f"{name}.onnx"
        if path.is_file() and Path(f"{path}.json").is_file():
            return path
    return None


def describe_piper(path: Path) -> InstalledPiper:
    """What an installed model's config (and measured pitches) say about it."""
    config = _piper_config(path)
    language = config.get("language") or {}
    code = language.get("code") if isinstance(language, dict) else None
    code = code or (config.get("espeak") or {}).get("voice") or ""
    speakers = config.get("speaker_id_map") or {}
    speakers = {str(k): int(v) for k, v in speakers.items() if isinstance(v, int)}
    pitch: dict[str, float] = {}
    measured = path.with_name(path.name.removesuffix(".onnx") + ".speakers.json")
    if measured.is_file():
        try:
            found = json.loads(measured.read_text(encoding="utf-8")).get("f0", {})
            pitch = {str(k): float(v) for k, v in found.items() if str(k) in speakers}
        except (OSError, ValueError, AttributeError, TypeError):
            pitch = {}
    return InstalledPiper(path.name.removesuffix(".onnx"), path, str(code), speakers, pitch)


def installed_piper(root: Path | None) -> list[InstalledPiper]:
    """Every installed Piper model, the project's first; a name in both counts once."""
    found: dict[str, InstalledPiper] = {}
    for store in store_dirs(root):
        for path in sorted((store / "piper").glob("*.onnx")):
            name = path.name.removesuffix(".onnx")
            if name not in found and Path(f"{path}.json").is_file():
                found[name] = describe_piper(path)
    return list(found.values())


@dataclass(frozen=True)
class KokoroFiles:
    """The installed Kokoro v1.0 voices file and the model to run it with (None: PyPI's)."""

    voices: Path
    model: Path | None


def kokoro_files(root: Path | None) -> KokoroFiles | None:
    """Kokoro v1.0's installed files: the full model if installed, else an int8 one if any."""
    voices = next(
        (p for s in store_dirs(root) if (p := s / "kokoro" / KOKORO_VOICES_FILE.name).is_file()),
        None,
    )
    if voices is None:
        return None
    for name in (KOKORO_FULL.name, KOKORO_INT8.name):
        for store in store_dirs(root):
            if (store / "kokoro" / name).is_file():
                return KokoroFiles(voices, store / "kokoro" / name)
    return KokoroFiles(voices, None)


def _not_installed(name: str, what: str) -> ConfigError:
    return ConfigError(f"voice {name!r} is not installed; run: {INSTALL} {what}")


def installed_voice(name: str, root: Path | None) -> Voice | None:
    """The Voice a store name stands for; None if `name` is no store name.

    Raises ConfigError for a store name that is not installed or names no speaker of its model.
    """
    for prefix, resolve in _RESOLVERS.items():
        if name.startswith(prefix):
            return resolve(name, name.removeprefix(prefix), root)
    return None


def _piper_voice(name: str, rest: str, root: Path | None) -> Voice:
    """piper:MODEL[#SPEAKER]: an installed Piper model, one of its speakers."""
    model, _, speaker = rest.partition("#")
    path = piper_model(model, root)
    if path is None:
        raise _not_installed(name, f"{PIPER}{model}")
    return Voice(name, engine="piper", model=str(path), speaker=_speaker(name, path, speaker),
                 source=str(path))  # fmt: skip


def _kokoro_voice(name: str, voice: str, root: Path | None) -> Voice:
    """kokoro:VOICE: a voice of the installed Kokoro v1.0 voices file, in its accent."""
    if voice not in KOKORO_VOICES:
        english = ", ".join(n for n, v in KOKORO_VOICES.items() if v[0].startswith("en"))
        raise ConfigError(f"unknown Kokoro voice {voice!r}; choose one of: {english}")
    files = kokoro_files(root)
    if files is None:
        raise _not_installed(name, "kokoro")
    if voice not in voices_in(files.voices):
        raise ConfigError(f"{files.voices} has no voice {voice!r}; run: {INSTALL} kokoro")
    # English phonemes in the voice's accent (the scripts are English whatever the voice)
    accent = "en-gb" if KOKORO_VOICES[voice][0] == "en-gb" else "en-us"
    options = {"voices_file": str(files.voices), "language": accent}
    if files.model is not None:
        options["model_file"] = str(files.model)
    return Voice(name, engine="kokoro", model=voice, options=tuple(sorted(options.items())),
                 source=str(files.voices))  # fmt: skip


#: store name prefix -> what makes its Voice (name, the name after the prefix, project root)
_RESOLVERS: dict[str, Callable[[str, str, Path | None], Voice]] = {
    PIPER: _piper_voice,
    KOKORO: _kokoro_voice,
}


@dataclass(frozen=True)
class Installed:
    """An installed voice as `audiolesson voices` lists it."""

    name: str  #: the store name a cast gives it (piper:NAME, kokoro:NAME)
    engine: str
    path: Path  #: the file it comes from
    note: str  #: its speakers, or gender and grade, and its language


def installed_voices(root: Path | None) -> list[Installed]:
    """Every installed voice by its store name: Piper models (the project's first), then the
    English voices of the Kokoro voices file."""
    found = []
    for model in installed_piper(root):
        count = len(model.speakers)
        note = f"{count} speakers: {PIPER}{model.name}#SPEAKER" if count > 1 else "one speaker"
        found.append(Installed(f"{PIPER}{model.name}", "piper", model.path,
                               f"{note} [{model.language}]"))  # fmt: skip
    files = kokoro_files(root)
    if files is not None:
        for name, (language, gender, grade) in KOKORO_VOICES.items():
            if language.startswith("en"):
                note = f"{gender}, grade {grade} [{language}]"
                found.append(Installed(f"{KOKORO}{name}", "kokoro", files.voices, note))
    return found


def voices_in(path: Path) -> frozenset[str]:
    """The voice names in a Kokoro voices file (its zip directory, read once per version)."""
    try:
        return _voice_names(path, path.stat().st_mtime_ns)
    except OSError:
        return frozenset()


@cache
def _voice_names(path: Path, stamp: int) -> frozenset[str]:
    from .engines.kokoro_tts import voice_names

    try:
        return frozenset(voice_names(path))
    except (OSError, ValueError):
        return frozenset()


def _speaker(name: str, path: Path, speaker: str) -> int | str | None:
    """A `#speaker` of a model: a name of its speaker_id_map or a number below its count."""
    if not speaker:
        return None
    speakers = describe_piper(path).speakers
    if speaker in speakers:
        return speaker
    if speaker.isdigit() and int(speaker) < max(len(speakers), 1) and speakers:
        return int(speaker)
    shown = ", ".join(list(speakers)[:12]) + (f" ... ({len(speakers)} in all)" if len(speakers) > 12
                                               else "")  # fmt: skip
    if not speakers:
        raise ConfigError(f"{name}: {path.name} has one speaker; drop the #{speaker}")
    raise ConfigError(f"{name}: no speaker {speaker!r} in {path.name}; choose one of: {shown}")
