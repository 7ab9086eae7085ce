"""The engine interface, the Voice and Audio types, and the entry-point registry."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from ..errors import ConfigError

if TYPE_CHECKING:  # numpy is imported lazily so that `audiolesson --help` stays fast
    import numpy as np

ENTRY_POINT_GROUP = "audiolesson.engines"


@dataclass(frozen=True)
class Audio:
    """PCM audio carrying its own format: float32 samples in [-1, 1], shape (frames, channels)."""

    samples: np.ndarray
    sample_rate: int

    @property
    def channels(self) -> int:
        """Number of channels."""
        return 1 if self.samples.ndim == 1 else int(self.samples.shape[1])

    @property
    def frames(self) -> int:
        """Number of sample frames."""
        return int(self.samples.shape[0])

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.frames / self.sample_rate


@dataclass(frozen=True)
class Voice:
    """A named voice: an engine plus settings. None fields mean "engine default"."""

    name: str
    engine: str = "piper"
    #: engine model or voice id (piper: .onnx path; pyttsx3: voice id; gtts: language)
    model: str | None = None
    speaker: int | str | None = None  #: speaker id inside a multi-speaker model
    speed: float = 1.0  #: speaking rate factor, 1.0 = engine's normal rate
    pitch: float = 0.0  #: pitch shift in semitones
    volume: float = 0.0  #: gain in dB (applied after level matching)
    options: tuple[tuple[str, Any], ...] = ()  #: engine-specific options, sorted (key, value) pairs
    source: str | None = None  #: file the voice was defined in ("preset" for built-ins)
    formant: float = 1.0  #: formant shift ratio (1.0 = none; 1.1 = a smaller, younger vocal tract)

    @property
    def opts(self) -> dict[str, Any]:
        """Engine-specific options as a dict."""
        return dict(self.options)

    def settings(self) -> dict[str, Any]:
        """Everything about the voice that changes the sound (goes into cache keys)."""
        return {
            "engine": self.engine,
            "model": self.model,
            "speaker": self.speaker,
            "speed": self.speed,
            "pitch": self.pitch,
            "volume": self.volume,
            "formant": self.formant,
            "options": [list(kv) for kv in self.options],
        }


@dataclass(frozen=True)
class EngineVoice:
    """A voice that an engine itself offers (listed by `audiolesson voices`)."""

    id: str
    name: str
    language: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Engine(Protocol):
    """What every TTS engine provides. Load models once per process; synthesise many times.

    An engine class may also set `native_effects: ClassVar[frozenset[str]]` naming the voice
    settings ("speed", "pitch") it applies itself; render.render applies the others afterwards.
    """

    name: ClassVar[str]

    def version(self) -> str:
        """Engine name and version string; goes into cache keys."""
        ...

    def check(self) -> None:
        """Raise EngineUnavailable saying exactly what is missing and how to install it."""
        ...

    def voices(self) -> list[EngineVoice]:
        """The engine's own voices on this machine."""
        ...

    def fingerprint(self, voice: Voice) -> str:
        """A stable hash of the model data the voice uses ("" if none); goes into cache keys."""
        ...

    def synthesize(self, text: str, voice: Voice) -> Audio:
        """Render text with voice to PCM audio."""
        ...


@cache
def _registered() -> dict[str, EntryPoint]:
    """The engine entry points by name, read once per process (each scan reads every package)."""
    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(ep.name, ep)
    return found


def available_engines() -> list[str]:
    """Names of all registered engines (built-in ones register like outside ones)."""
    return sorted(_registered())


@cache
def engine_class(name: str) -> type:
    """Import and return the class registered under `name`; only that engine is imported."""
    ep = _registered().get(name)
    if ep is None:
        choices = ", ".join(available_engines()) or "(none registered: is audiolesson installed?)"
        raise ConfigError(f"unknown engine {name!r}; choose one of: {choices}")
    return ep.load()


_instances: dict[str, Engine] = {}


def get_engine(name: str) -> Engine:
    """The engine instance for `name`, created once per process."""
    if name not in _instances:
        _instances[name] = engine_class(name)()
    return _instances[name]
