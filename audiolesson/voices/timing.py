"""When each word of a clip is said: from the engine where it knows, else from the audio.

A clip's timing is a start and an end (seconds into the clip) for every word of its spoken form
(`speech.spoken_words`), in order, kept in the clip cache beside the audio (fact "timing"). The
engine's own account comes first: an engine that reports what it said when (`Engine.timed`:
Piper's phoneme durations, the tone engine's words) gives its units, which are placed on the
spoken words by aligning them with what each word gives on its own (`Engine.unit_labels`).
Otherwise the words are found in the audio (voices.aligners: Whisper's forced alignment with the
known words, else shares of the voiced stretch by phoneme counts). The export turns these into
the written words' times (speech.word_map) and offsets them by each cue's start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..audio import Audio
from ..speech import align_owners, spoken_words
from .engines.base import Unit, Voice, get_engine

__all__ = [
    "TIMING_FACT",
    "TIMING_VERSION",
    "ClipTiming",
    "place_words",
    "time_audio",
    "units_timing",
]

log = logging.getLogger(__name__)

TIMING_FACT = "timing"  #: the clip-cache fact that holds a clip's ClipTiming
#: bump when timings are found otherwise: clips with older timings are timed again
TIMING_VERSION = 1
Span = tuple[float, float]


@dataclass(frozen=True)
class ClipTiming:
    """A start and an end (seconds into the clip) for each spoken word, and how they were found:
    "durations" (the engine's phoneme durations), "exact" (the engine placed each word), "whisper"
    (forced alignment of the audio with the words), "proportional" (shares of the speech)."""

    method: str
    words: tuple[Span, ...]

    def facts(self) -> dict[str, Any]:
        """The cache fact (JSON) of this timing: the value kept under TIMING_FACT."""
        spans = [[round(a, 4), round(b, 4)] for a, b in self.words]
        return {"version": TIMING_VERSION, "method": self.method, "words": spans}

    @classmethod
    def from_facts(cls, facts: Mapping[str, Any], count: int | None = None) -> ClipTiming | None:
        """The timing a clip's facts hold, or None: none, an older version, or not `count` words."""
        found = facts.get(TIMING_FACT)
        try:
            if not isinstance(found, dict) or found.get("version") != TIMING_VERSION:
                return None
            words = tuple((float(a), float(b)) for a, b in found["words"])
            method = str(found["method"])
        except (KeyError, TypeError, ValueError):
            return None
        if count is not None and len(words) != count:
            return None
        return cls(method, words)

    def scaled(self, factor: float) -> ClipTiming:
        """The timing of the same clip made `factor` times as long (a tempo change)."""
        if factor == 1.0:
            return self
        return ClipTiming(self.method, tuple((a * factor, b * factor) for a, b in self.words))


def place_words(
    words: Sequence[str], units: Sequence[Unit], labels: Callable[[str], list[str]]
) -> list[Span]:
    """Each word's span from the engine's units: a word spans the units that belong to it.

    `labels(word)` is what the engine gives for the word said alone (Piper: its phonemes); the
    units are matched to those (speech.align_owners), so words the engine ran together ("in the"
    as one phoneme word) still part where their phonemes do. Units with an empty label (pauses,
    punctuation, the gaps between words) belong to no word. A word that got no unit sits,
    zero-length, where the word before it ended.
    """
    owners = align_owners([labels(w) for w in words], [u[0] for u in units])
    spans: list[list[float] | None] = [None] * len(words)
    for (label, start, end), owner in zip(units, owners, strict=True):
        if not label or owner is None:
            continue
        span = spans[owner]
        if span is None:
            spans[owner] = [start, end]
        else:
            span[0], span[1] = min(span[0], start), max(span[1], end)
    out: list[Span] = []
    at = units[0][1] if units else 0.0
    for span in spans:
        start, end = (at, at) if span is None else (max(span[0], at), max(span[1], at))
        out.append((start, end))
        at = end
    return out


def time_audio(audio: Audio, spoken: str) -> ClipTiming:
    """The words of `spoken` found in its clip's audio (for engines that do not report them):
    Whisper's forced alignment where faster-whisper and its model are installed, else shares of
    the voiced stretch by each word's phonemes."""
    from .aligners import phoneme_counts, proportional, whisper_spans

    words = spoken_words(spoken)
    spans = whisper_spans(audio, words)
    if spans is not None:
        return ClipTiming("whisper", tuple(spans))
    return ClipTiming("proportional", tuple(proportional(audio, words, phoneme_counts(words))))


def units_timing(spoken: str, voice: Voice, units: Sequence[Unit]) -> ClipTiming:
    """The timing an engine's units give the words of `spoken` (see `place_words`)."""
    engine = get_engine(voice.engine)
    spans = place_words(spoken_words(spoken), units, lambda w: engine.unit_labels(w, voice))
    return ClipTiming(engine.timed or "exact", tuple(spans))
