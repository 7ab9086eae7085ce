"""A turn's written words on the episode timeline: its clip's word timing, offset by its cue.

The clip's timing gives each spoken word a span (voices.timing); the turn's word map says how many
spoken words each written word became (ClipItem.said, speech.word_map). A written word spans its
spoken words; one that said nothing ("—") takes the pause it stands in, or, if there is none to
speak of, shares its neighbour's time (one Word of both). Every written word so gets a time, in
order, none of them empty.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..speech import normal_word, written_words
from ..voices.timing import ClipTiming
from .timeline import ClipItem, Word

__all__ = ["MIN_WORD", "SHARES", "turn_words"]

MIN_WORD = 0.02  #: seconds: a pause shorter than this is no time of a word's own
SHARES = "shares"  #: how words are timed when nothing is known of their clip: by their length


def turn_words(
    item: ClipItem, timing: ClipTiming | None, start: float, end: float
) -> tuple[tuple[Word, ...], str]:
    """The written words of a turn whose clip plays from `start` to `end` (episode seconds),
    and how their times were found (the timing's method; "shares" if by their length)."""
    written = written_words(item.text)
    if not written:
        return (), ""
    length = max(0.0, end - start)
    spans = _spans(item.said, timing, len(written), length)
    method = timing.method if timing is not None and spans is not None else SHARES
    if spans is None:  # nothing known of the clip: the words share it by their length
        spans = _shares(written, length)
    return _words(written, spans, start, length), method


def _spans(
    said: Sequence[int], timing: ClipTiming | None, count: int, length: float
) -> list[tuple[float, float] | None] | None:
    """Each written word's span in the clip from its spoken words (None: it said nothing);
    None when the map and the timing do not fit together."""
    if timing is None or len(said) != count or sum(said) != len(timing.words):
        return None
    out: list[tuple[float, float] | None] = []
    at = 0
    for n in said:
        mine = [(min(a, length), min(b, length)) for a, b in timing.words[at : at + n]]
        at += n
        out.append((mine[0][0], max(b for _, b in mine)) if mine else None)
    return out


def _shares(written: Sequence[str], length: float) -> list[tuple[float, float] | None]:
    """The clip shared out in order by the words' letters (a spoken word at least one)."""
    weights = [max(1, len(normal_word(w))) for w in written]
    scale = length / sum(weights)
    out: list[tuple[float, float] | None] = []
    at = 0.0
    for weight in weights:
        out.append((at, at + weight * scale))
        at += weight * scale
    return out


def _words(
    written: Sequence[str],
    spans: Sequence[tuple[float, float] | None],
    start: float,
    length: float,
) -> tuple[Word, ...]:
    """Words with times from their spans in the clip: a word said in no time lasts until the
    next one starts; a word without a span takes the pause before the next word if it is
    MIN_WORD long, else joins a neighbour."""
    timed: list[tuple[float, float] | None] = []
    at = 0.0
    # where the next word with a span starts, after each word (one pass from the end)
    followings, following = [0.0] * len(spans), length
    for i in range(len(spans) - 1, -1, -1):
        followings[i] = following
        span = spans[i]
        if span is not None:
            following = span[0]
    for i, span in enumerate(spans):
        following = followings[i]
        if span is not None:  # said: from its start; one said in no time lasts until the next
            a = max(span[0], at)
            b = span[1] if span[1] > a else max(a, following)
            if span[1] > a or b - a >= MIN_WORD:
                timed.append((a, b))
                at = b
                continue
        if max(following, at) - at >= MIN_WORD:  # said nothing: the pause it stands in
            timed.append((at, max(following, at)))
            at = max(following, at)
        else:
            timed.append(None)  # joins a neighbour
    groups: list[list[int]] = []
    for i, span in enumerate(timed):
        if span is None and groups:
            groups[-1].append(i)  # said nothing at a time of its own: with the word before
        elif groups and timed[groups[-1][0]] is None:
            groups[-1].append(i)  # the first words said nothing: with the first that did
        else:
            groups.append([i])
    words = []
    for group in groups:
        spanned = [span for i in group if (span := timed[i]) is not None]
        a, b = spanned[0] if spanned else (0.0, length)
        b = max(b, a + 0.001)  # never empty, even a word the engine gave no time at all
        text = " ".join(written[i] for i in group)
        words.append(Word(round(start + a, 3), round(start + b, 3), text))
    return tuple(words)
