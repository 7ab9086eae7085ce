"""Render one text with one voice: engine synthesis, then pitch, formant and speed.

Pitch and formant shifts use Praat's PSOLA "Change gender" (praat-parselmouth): it moves the pitch
and the formants independently, which is what lets one neural voice play a whole cast. For an
engine that speaks sentence by sentence (Piper), render can keep each sentence's engine audio in a
SentenceStore, so an edit in a long turn synthesises one sentence; the effects still apply to the
whole turn, so the turn sounds as it did. Praat's random numbers are seeded from the audio and the
shift, so a shifted turn sounds the same in every build.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any, Protocol

from ..audio import Audio
from ..audio_io import FORMATS, write_audio
from ..config import VoicesSettings
from ..errors import ConfigError
from ..speech import speech_language, spoken_form
from .engines.base import Unit, Voice, engine_class, get_engine, joined_units
from .library import PRIMARY_VOICE, load_lexicon, load_voices, pick_voice
from .presets import DEFAULT_CAST
from .timing import ClipTiming, time_audio, units_timing

log = logging.getLogger(__name__)

PITCH_FLOOR = 60.0  #: Hz: lowest F0 PSOLA looks for (a deep male voice lowered by 2 semitones)
PITCH_CEILING = 600.0  #: Hz: highest F0 PSOLA looks for


def _native(voice: Voice) -> frozenset[str]:
    """The settings the voice's engine applies itself."""
    return get_engine(voice.engine).native_effects


def _effects(voice: Voice) -> dict[str, float]:
    """The effects render must apply after the engine: pitch (semitones), formant, speed."""
    native = _native(voice)
    return {
        "pitch": 0.0 if "pitch" in native else float(voice.pitch),
        "formant": 1.0 if "formant" in native else float(voice.formant),
        "speed": 1.0 if "speed" in native else float(voice.speed),
    }


def _effects_version() -> str:
    """Version of the DSP that shifts pitch and formants (it changes the sound: part of keys)."""
    try:
        return f"praat-parselmouth {package_version('praat-parselmouth')}, {SEEDED}"
    except PackageNotFoundError:
        return "praat-parselmouth (not installed)"


class SentenceStore(Protocol):
    """Where render keeps sentences' engine audio between turns (synth.cache.SentenceCache)."""

    def load(self, sentence: str, engine_key: dict[str, Any]) -> Audio | None:
        """The stored audio of the sentence, or None."""
        ...

    def units(self, sentence: str, engine_key: dict[str, Any]) -> list[Unit] | None:
        """The units (what was said when) stored with the sentence, or None."""
        ...

    def save(
        self,
        sentence: str,
        engine_key: dict[str, Any],
        audio: Audio,
        units: list[Unit] | None = None,
    ) -> Audio:
        """Store the sentence's audio (and its units); return it as `load` will return it."""
        ...


def engine_key(voice: Voice) -> dict[str, Any]:
    """What changes the engine's own audio, for sentence keys.

    voice_key without the effects render applies afterwards and without the volume (the mixer
    applies it): voices that differ only in those share their sentences.
    """
    engine = get_engine(voice.engine)
    after = {name for name in _effects(voice) if name not in engine.native_effects}
    settings = {k: v for k, v in voice.settings().items() if k != "volume" and k not in after}
    return {
        "engine": engine.name,
        "version": engine.version(),
        "fingerprint": engine.fingerprint(voice),
        "settings": settings,
    }


def sentence_pieces(text: str, voice: Voice) -> list[str] | None:
    """The sentences render keeps one by one for this text, or None: it is rendered whole.

    Whole: the engine does not speak sentence by sentence, or the text is one sentence (its turn
    clip already keeps it; a sentence entry would only double the disk it takes).
    """
    pieces = get_engine(voice.engine).sentences(text, voice)
    return pieces if pieces is not None and len(pieces) > 1 else None


def voice_key(voice: Voice) -> dict[str, Any]:
    """Everything about the voice that changes the sound, for cache keys."""
    engine = get_engine(voice.engine)
    effects = _effects(voice)
    shifted = effects != {"pitch": 0.0, "formant": 1.0, "speed": 1.0}
    return {
        "engine": engine.name,
        "version": engine.version(),
        "fingerprint": engine.fingerprint(voice),
        "settings": voice.settings(),
        "effects": _effects_version() if shifted else "",
    }


#: Praat's PSOLA draws random numbers (the periods it lays over unvoiced stretches) from one
#: generator per process, and catching its warnings swaps process-wide state: threads that shift
#: at once (an online engine's turns, the exporter remaking a lost clip) take turns (reentrant:
#: render holds it around shift, which takes it too when called on its own)
_PRAAT = threading.RLock()
#: goes into the effects' version: seeding changed every shifted take once
SEEDED = "seeded 1"


def _praat_seed(audio: Audio, *settings: float) -> int:
    """A seed for Praat made of the audio and the shift: equal input, equal shifted take."""
    digest = hashlib.sha256(repr(("praat", audio.sample_rate, settings)).encode())
    digest.update(audio.samples.tobytes())
    return int.from_bytes(digest.digest()[:6], "big")  # 48 bits: exact in Praat's numbers


def shift(audio: Audio, pitch: float = 0.0, formant: float = 1.0, speed: float = 1.0) -> Audio:
    """Shift pitch (semitones) and formants (ratio) and change tempo, keeping the sample rate."""
    if pitch == 0.0 and formant == 1.0 and speed == 1.0:
        return audio
    import numpy as np
    import parselmouth
    from parselmouth.praat import call, run

    if speed <= 0 or formant <= 0:
        raise ValueError(f"speed and formant must be > 0, got speed={speed}, formant={formant}")
    if audio.frames < audio.sample_rate * 0.05:  # too short for pitch analysis
        return audio
    with _PRAAT:  # Praat's random state is the process's: seed and shift in one step
        sound = parselmouth.Sound(
            audio.samples.T.astype(np.float64), sampling_frequency=audio.sample_rate
        )
        new_median = 0.0  # Praat: 0 keeps the pitch
        if pitch:
            f0 = sound.to_pitch(pitch_floor=PITCH_FLOOR, pitch_ceiling=PITCH_CEILING)
            median = call(f0, "Get quantile", 0, 0, 0.5, "Hertz")
            if median == median:  # NaN: nothing voiced (noise, a click): leave the pitch alone
                new_median = float(median) * 2 ** (pitch / 12)
        seed = _praat_seed(audio, pitch, formant, speed)
        run(f"random_initializeWithSeedUnsafelyButPredictably ({seed})")
        ratio = 1.0 / speed
        out = call(
            sound, "Change gender", PITCH_FLOOR, PITCH_CEILING, formant, new_median, 1.0, ratio
        )
        if out.sampling_frequency != audio.sample_rate:
            out = call(out, "Resample", audio.sample_rate, 50)
    samples = np.ascontiguousarray(out.values.T, dtype=np.float32)
    return Audio(samples, audio.sample_rate)


def gain(audio: Audio, db: float) -> Audio:
    """Apply a gain in dB; samples beyond full scale are clipped (with a log warning)."""
    if db == 0.0:
        return audio
    import numpy as np

    samples = audio.samples * np.float32(10 ** (db / 20))
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if peak > 1.0:
        log.warning("volume %+.1f dB clips the voice (peak %.2f); lower 'volume'", db, peak)
        samples = np.clip(samples, -1.0, 1.0)
    return Audio(samples.astype(np.float32), audio.sample_rate)


def _synthesize(
    text: str, voice: Voice, store: SentenceStore | None, timed: bool = False
) -> tuple[Audio, list[Unit] | None]:
    """The engine's audio for text: its sentences from the store where it has them; with
    `timed`, also what a timed engine said when (its sentences' units are stored with them)."""
    engine = get_engine(voice.engine)
    pieces = sentence_pieces(text, voice) if store is not None else None
    if store is None or pieces is None:
        return (
            engine.synthesize_timed(text, voice)
            if timed
            else (engine.synthesize(text, voice), None)
        )
    key = engine_key(voice)
    want = timed and engine.timed is not None
    audio: list[Audio] = []
    units: list[list[Unit] | None] = []
    made = 0
    for piece in pieces:
        found = store.load(piece, key)
        got = store.units(piece, key) if want and found is not None else None
        if found is None or (want and got is None):  # a sentence cached before units were kept
            fresh, got = (
                engine.synthesize_sentence_timed(piece, voice)
                if want
                else (engine.synthesize_sentence(piece, voice), None)
            )
            found = store.save(piece, key, fresh, got)
            made += 1
        audio.append(found)
        units.append(got)
    log.debug("%s: %d of %d sentences synthesised", voice.name, made, len(pieces))
    joined = engine.join(audio, voice)
    return joined, joined_units(audio, units, joined) if want else None


def render(text: str, voice: Voice, sentences: SentenceStore | None = None) -> Audio:
    """Synthesise text with the voice's engine, then apply its pitch, formant and speed.

    With a `sentences` store, an engine that speaks sentence by sentence renders only the
    sentences the store lacks; the effects then apply to the whole text, as without it.
    The voice's volume is not applied here: the mixer level-matches every turn and then offsets
    it by the voice's volume (applying it before would be undone by the level matching).
    """
    # the effects get the engine's audio at 16 bits, as sentences come from the cache: a turn
    # then sounds the same whether its sentences were cached or not (Praat's pitch analysis
    # reacts to differences far below one 16-bit step)
    audio = _synthesize(text, voice, sentences)[0].rounded_to_pcm16()
    with _praat_warnings(voice.name):
        return shift(audio, **_effects(voice))


_praat_said: set[tuple[str, str]] = set()  #: (voice, warning) already logged by this process


@contextmanager
def _praat_warnings(voice: str) -> Iterator[None]:
    """Praat's warnings (a Python warning each, printed raw with a source line) become one log
    line per voice and warning in this process; other warnings pass on as they were."""
    with _PRAAT, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        message = " ".join(str(w.message).split())
        if w.category.__name__ != "PraatWarning":
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        elif (voice, message) not in _praat_said:
            _praat_said.add((voice, message))
            kept = " (its pitch and formants are kept where Praat finds no voice)"
            log.warning(
                "voice %r: Praat: %s%s", voice, message, kept if "voiced" in message else ""
            )


def render_timed(
    text: str, voice: Voice, sentences: SentenceStore | None = None
) -> tuple[Audio, ClipTiming]:
    """`render`'s audio and when each of its spoken words is said (see voices.timing).

    A timed engine's units are placed on the words, and scaled as the effects stretched the
    audio (a tempo change: Praat keeps the rest of the timing); an engine that reports nothing
    has its words found in the finished audio.
    """
    engine_audio, units = _synthesize(text, voice, sentences, timed=True)
    engine_audio = engine_audio.rounded_to_pcm16()
    with _praat_warnings(voice.name):
        audio = shift(engine_audio, **_effects(voice))
    if units is None:
        return audio, time_audio(audio, text)
    timing = units_timing(text, voice, units)
    factor = audio.frames / engine_audio.frames if engine_audio.frames else 1.0
    return audio, timing.scaled(factor)


def say(
    text: str,
    voice_name: str | None,
    output: Path,
    root: Path,
    settings: VoicesSettings | None = None,
) -> Path:
    """Render text with a named voice (default: teacher) and the lexicon into a WAV or MP3, read
    as a build reads it: the project's [voices] `settings` give the cast and the language (if
    set; else the voice's region)."""
    cast, language = (settings.cast, settings.language) if settings else (DEFAULT_CAST, None)
    if Path(output).suffix.lower() not in FORMATS:  # say so before spending time on synthesis
        raise ConfigError(f"name the output file with one of: {', '.join(FORMATS)}", path=output)
    if not text.strip():
        raise ConfigError("nothing to say: give some text")
    voice = pick_voice(load_voices(root, cast), voice_name or PRIMARY_VOICE, cast=cast, root=root)
    dialect = engine_class(voice.engine).phonemes
    read_as = speech_language("en", language, get_engine(voice.engine).region(voice))
    spoken = spoken_form(text, read_as, load_lexicon(root), phonemes=dialect)
    if not spoken:
        raise ConfigError("nothing to say once symbols are read: give some words")
    return write_audio(output, gain(render(spoken, voice), voice.volume))
