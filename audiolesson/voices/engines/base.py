"""The engine interface, the Voice type, and the entry-point registry of engines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any, ClassVar

from ...audio import Audio
from ...errors import ConfigError
from ...files import toml_key_line
from ...speech import normal_word

__all__ = [
    "DEFAULT_ENGINE",
    "ENTRY_POINT_GROUP",
    "Engine",
    "EngineVoice",
    "Unit",
    "Voice",
    "available_engines",
    "configure_engines",
    "engine_class",
    "get_engine",
    "joined_units",
]

ENTRY_POINT_GROUP = "audiolesson.engines"
DEFAULT_ENGINE = "piper"  #: a voice's engine when its file names none (and of models in voices/)
#: a voice file key an engine reads beyond the common ones: (TOML types, what it must be (for
#: type errors), what it does (for a file that names another engine))
VoiceFileKey = tuple[tuple[type, ...], str, str]
#: what an engine said when: (label, start, end), seconds into its audio; an empty label is no
#: speech (a pause, punctuation, the gap between words). Piper: one per phoneme, labelled with it
Unit = tuple[str, float, float]


@dataclass(frozen=True)
class Voice:
    """A named voice: an engine plus settings. None fields mean "engine default"."""

    name: str
    engine: str = DEFAULT_ENGINE
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


class Engine:
    """What every TTS engine provides; subclasses override what differs from these defaults.

    Load models once per process; synthesise many times. Built-in engines register through the
    `audiolesson.engines` entry points exactly like outside ones, and only the engine in use is
    imported. Callers never test an engine's name: every hook they use is declared here.

    Hooks, by who calls them:
      synthesis (voices.render): `synthesize`; `sentences`, `synthesize_sentence` and `join` for
        an engine that speaks sentence by sentence; `native_effects`; `threads` (constructor).
      word timings (voices.timing): `timed`, `synthesize_timed`, `synthesize_sentence_timed`,
        `unit_labels`.
      cache keys: `version`, `fingerprint` (the model data), `phonemes` (the lexicon's dialect).
      voice files (voices.library): `option_specs`, `voice_file_keys`, `read_voice_model`,
        `claimed_files`.
      listing (voices.listing, `audiolesson voices`): `check`, `check_voice`, `voices`,
        `describe_model`, `online`.
      its own files: `model_path`.
    """

    name: ClassVar[str] = ""
    #: voice settings ("speed", "pitch", "formant") the engine applies itself; render applies the
    #: others afterwards
    native_effects: ClassVar[frozenset[str]] = frozenset()
    #: engine-specific voice-file options: name -> (type, description), checked when a voice file
    #: is read; None: the engine does not describe its options, they reach it unchecked
    option_specs: ClassVar[dict[str, tuple[type, str]] | None] = None
    online: ClassVar[bool] = False  #: needs the internet to synthesise
    #: the [[ ]] phoneme dialect the engine reads inside text ("piper": IPA, "espeak": espeak-ng
    #: mnemonics; see audiolesson.speech), or None: lexicon phonemes fall back to their text
    phonemes: ClassVar[str | None] = None
    #: keys a voice file of this engine may have beyond voices.library.VOICE_KEYS
    voice_file_keys: ClassVar[dict[str, VoiceFileKey]] = {}
    #: `model` in a voice file is always a file (relative to the voice file); otherwise only a
    #: model ending in .onnx is one, and any other model is a name the engine knows
    models_are_files: ClassVar[bool] = False
    #: how the engine reports when it says each word, by the name timings are kept under
    #: ("durations": Piper's phoneme durations; "exact"): its `synthesize_timed` gives units.
    #: None: it does not, and the words are found in its audio (voices.aligners)
    timed: ClassVar[str | None] = None

    def __init__(self, *, threads: int | None = None) -> None:
        #: CPU threads the engine may use in this process (None: the engine's own default)
        self.threads = threads

    def version(self) -> str:
        """Engine name and version string; goes into cache keys."""
        raise NotImplementedError

    def check(self) -> None:
        """Raise EngineUnavailable saying exactly what is missing and how to install it."""

    def voices(self) -> list[EngineVoice]:
        """The engine's own voices on this machine."""
        return []

    def concurrency(self, voice: Voice) -> tuple[str, int] | None:
        """How the voice's turns are sent: None (the default) for an engine that computes on
        this machine's CPUs, whose turns run in worker processes; (pool, n) for one that waits
        on a server: its turns go out from at most n threads of the building process, shared
        by every voice that names the same pool (one server)."""
        return None

    def preflight(self, voice: Voice) -> None:
        """Before any turn is sent: raise EngineUnavailable if the voice cannot work (a server
        that does not answer, a missing key). Engines that need nothing outside skip it."""

    def fingerprint(self, voice: Voice) -> str:
        """A stable hash of the model data the voice uses ("" if none); goes into cache keys."""
        return ""

    def model_path(self, voice: Voice) -> Path | None:
        """The model file the voice uses, checked to exist (ConfigError naming the voice file
        if not); None: it uses none. May prepare the file (Kokoro joins its bundled model)."""
        return None

    def check_voice(self, voice: Voice) -> None:
        """Raise ConfigError if this voice cannot be used here (a file of it is missing); cheap,
        for listings: no model is loaded or prepared."""

    @classmethod
    def describe_model(cls, voice: Voice) -> str | None:
        """How a listing shows the voice's model (None: it has none)."""
        if voice.model and cls.models_are_files:
            return Path(voice.model).name
        return voice.model

    @classmethod
    def read_voice_model(cls, data: dict[str, Any], path: Path, text: str) -> str | None:
        """The Voice.model that voice file `path` (parsed to `data`, read as `text`) makes,
        checked, with file:line errors: a model file resolved against the file's folder."""
        model = data.get("model")
        if model is None or not (cls.models_are_files or model.endswith(".onnx")):
            return model
        found = Path(model).expanduser()
        found = found if found.is_absolute() else path.parent / found
        if not found.is_file():
            raise ConfigError(
                f"model file not found: {found}; put the .onnx (and its .onnx.json) in "
                f"{path.parent} or fix 'model'",
                path=path,
                line=toml_key_line(text, "model"),
            )
        return str(found)

    @classmethod
    def claimed_files(cls, voice: Voice) -> set[Path]:
        """Files in voices/ this voice's file names that are not voices of their own (a Kokoro
        model_file is an .onnx, but not a Piper voice)."""
        return set()

    def region(self, voice: Voice) -> str | None:
        """The region of English the voice speaks ("US", "GB", "IN"...), None if unknown.

        Numbers, dates and units are read the way that region reads them (speech: en-US forms
        for an American voice), unless the script or the project names a language.
        """
        return None

    def synthesize(self, text: str, voice: Voice) -> Audio:
        """Render text with voice to PCM audio."""
        raise NotImplementedError

    # An engine that renders text one sentence at a time, each sentence on its own, says so by
    # overriding `sentences` and `synthesize_sentence` (and `join`, if it joins with more than
    # nothing): render can then keep each sentence's audio, and an edit in a long turn renders
    # one sentence again. join(synthesize_sentence(s) for s in sentences(text)) must sound like
    # synthesize(text).

    def sentences(self, text: str, voice: Voice) -> list[str] | None:
        """The pieces synthesize renders text as, one at a time; None: only whole texts.

        Each piece is an opaque string that `synthesize_sentence` reads back (Piper: the
        sentence's phonemes): equal pieces with equal engine settings give equal audio, which is
        what makes a piece a cache key.
        """
        return None

    def synthesize_sentence(self, sentence: str, voice: Voice) -> Audio:
        """Render one piece that `sentences` returned."""
        raise NotImplementedError(f"engine {self.name!r} does not render sentence by sentence")

    # An engine that knows when it says what (`timed`) overrides `synthesize_timed` (and
    # `synthesize_sentence_timed`, if it speaks sentence by sentence) to give its units with the
    # very audio `synthesize` gives, and `unit_labels` to say what units a word gives alone.

    def synthesize_timed(self, text: str, voice: Voice) -> tuple[Audio, list[Unit] | None]:
        """`synthesize`'s audio and, for a `timed` engine, what it said when (else None)."""
        return self.synthesize(text, voice), None

    def synthesize_sentence_timed(
        self, sentence: str, voice: Voice
    ) -> tuple[Audio, list[Unit] | None]:
        """`synthesize_sentence`'s audio and, for a `timed` engine, its units (else None)."""
        return self.synthesize_sentence(sentence, voice), None

    def unit_labels(self, word: str, voice: Voice) -> list[str]:
        """The labels of the units the engine gives for one spoken word said alone (the word
        itself, compared as speech.normal_word compares, unless the engine says otherwise)."""
        return [normal_word(word)]

    def join(self, pieces: Sequence[Audio], voice: Voice) -> Audio:
        """The text's audio from its sentences' audio, joined as synthesize joins them."""
        import numpy as np

        if not pieces:
            raise ValueError("join needs at least one piece")
        rate = pieces[0].sample_rate
        if any(p.sample_rate != rate for p in pieces):
            raise ValueError("sentence pieces differ in sample rate")
        samples = [p.samples if p.samples.ndim == 2 else p.samples[:, None] for p in pieces]
        return Audio(np.concatenate(samples).astype(np.float32, copy=False), rate)


def joined_units(
    pieces: Sequence[Audio], units: Sequence[list[Unit] | None], joined: Audio
) -> list[Unit] | None:
    """The pieces' units on the audio `join` made of them: in order, with equal silences
    between them (None if any piece has none, or the join is not that)."""
    if not pieces or any(u is None for u in units):
        return None
    rate = joined.sample_rate
    total = sum(p.frames for p in pieces)
    gaps = len(pieces) - 1
    gap, spare = divmod(joined.frames - total, gaps) if gaps else (0, joined.frames - total)
    if spare or gap < 0:
        return None
    out: list[Unit] = []
    offset = 0
    for piece, found in zip(pieces, units, strict=True):
        out += [(label, a + offset / rate, b + offset / rate) for label, a, b in found or []]
        offset += piece.frames + gap
    return out


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
def engine_class(name: str) -> type[Engine]:
    """Import and return the class registered under `name`; only that engine is imported."""
    ep = _registered().get(name)
    if ep is None:
        choices = ", ".join(available_engines()) or "(none registered: is audiolesson installed?)"
        raise ConfigError(f"unknown engine {name!r}; choose one of: {choices}")
    return ep.load()


#: one instance per engine and thread setting, per process; a forked worker keeps the instances
#: it inherits untouched (tearing down a parent's onnxruntime session in a child can hang it)
_instances: dict[tuple[str, int | None], Engine] = {}
_threads: int | None = None  # set once per synthesis worker process, as it starts


def configure_engines(*, threads: int | None) -> None:
    """Set the CPU threads that engines this process creates from now on may use."""
    global _threads
    _threads = threads


def get_engine(name: str) -> Engine:
    """The engine instance for `name` (and this process's thread setting), created once."""
    key = (name, _threads)
    if key not in _instances:
        _instances[key] = engine_class(name)(threads=_threads)
    return _instances[key]
