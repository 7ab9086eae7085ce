"""`audiolesson voices`: every voice, whether it works on this machine, and why not."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, EngineUnavailable
from .engines.base import Voice, available_engines, engine_class, get_engine
from .library import voice_files
from .presets import DEFAULT_CAST, designed
from .store import installed_voices
from .store_cast import cast_voices

__all__ = ["VoiceInfo", "describe_voice", "engine_status", "list_voices"]


@dataclass(frozen=True)
class VoiceInfo:
    """One row of `audiolesson voices`."""

    name: str
    engine: str
    source: str  #: "preset", a file path, or "engine" for an engine's own voice
    usable: bool
    reason: str = ""  #: why it cannot be used (or a note)
    voice: Voice | None = None  #: the preset's or voice file's Voice (None for engines' own)

    def line(self) -> str:
        """The row as `audiolesson voices` prints it."""
        state = "ok" if self.usable else "unavailable"
        return (
            f"{self.name:<20} {self.engine:<8} {self.source:<22} {state:<11} {self.reason}".rstrip()
        )


def engine_status(name: str, cache: dict[str, str]) -> str:
    """ "" if the engine can run here, else why not (checked once per engine)."""
    if name not in cache:
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


def describe_voice(voice: Voice) -> str:
    """A short summary of a voice's settings for the listing."""
    parts = []
    model = engine_class(voice.engine).describe_model(voice)
    if model:
        parts.append(f"model {model}")
    if voice.speaker is not None:
        parts.append(f"speaker {voice.speaker}")
    parts += [f"pitch {voice.pitch:+g} st", f"formant x{voice.formant:g}", f"speed {voice.speed:g}"]
    if voice.volume:
        parts.append(f"volume {voice.volume:+g} dB")
    return ", ".join(parts)


def list_voices(root: Path, cast: str = DEFAULT_CAST) -> list[VoiceInfo]:
    """Every voice: a cast's presets and voices/ files (usable or not, and why), engines' own."""
    status: dict[str, str] = {}
    rows = []
    voices: dict[str, Voice | ConfigError] = dict(designed(cast))
    voices.update(cast_voices(root, cast))  # installed voices play the students first
    voices.update(voice_files(root))  # a broken file is listed with its error instead of stopping
    for name, voice in voices.items():
        if isinstance(voice, ConfigError):
            why = (f"line {voice.line}: " if voice.line else "") + voice.message
            rows.append(VoiceInfo(name, "?", _short(voice.path, root), False, why))
            continue
        reason = engine_status(voice.engine, status)
        if not reason:
            try:
                get_engine(voice.engine).check_voice(voice)
            except ConfigError as exc:
                reason = exc.message
        if not reason and engine_class(voice.engine).online:
            note = "needs the internet; " + describe_voice(voice)
        else:
            note = reason or describe_voice(voice)
        source = _short(voice.source, root)
        rows.append(VoiceInfo(voice.name, voice.engine, source, not reason, note, voice))
    rows += installed_rows(root, status)
    for engine in available_engines():
        reason = engine_status(engine, status)
        if reason:
            rows.append(VoiceInfo("*", engine, "engine", False, reason))
            continue
        online = " (needs the internet)" if engine_class(engine).online else ""
        for ev in get_engine(engine).voices():
            is_file = ev.id.endswith(".onnx")  # a model file: show its name, note its path
            note = (f"model {ev.id}" if is_file else ev.name) + (
                f" [{ev.language}]" if ev.language else ""
            )
            name = ev.name if is_file else ev.id
            rows.append(VoiceInfo(name, engine, "engine", True, note + online))
    return rows


def installed_rows(root: Path, status: dict[str, str]) -> list[VoiceInfo]:
    """The voices `voices install` put in the stores, by the names casts give them."""
    rows = []
    for found in installed_voices(root):
        reason = engine_status(found.engine, status)
        where = _short(str(found.path), root)
        rows.append(VoiceInfo(found.name, found.engine, where, not reason, reason or found.note))
    return rows
