"""Words as written and words as said: which spoken words each written word became.

Timings follow the written words (what the transcript shows): "6CO2", said "six C O two", is one
timed word. The spoken form is made by rules and lexicon entries that rewrite the text, so the
link between the two is found afterwards, by aligning the two word sequences (difflib): words
that read the same are matched first; each stretch between two matches is aligned again with
the spoken form of every written word in it on its own as the hint ("$5" alone is "five
dollars"), and what still differs is shared out in order. Every spoken word belongs to exactly
one written word, in order; a written word may say nothing ("—").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher
from typing import Any

__all__ = [
    "align_owners",
    "normal_word",
    "sentence_starts",
    "spoken_words",
    "word_map",
    "written_words",
]

#: a spoken word: a run of non-space characters, a [[ phoneme block ]] (spaces and all) in it
_SPOKEN = re.compile(r"(?:\[\[.*?\]\]|\S)+")
#: punctuation that reads as nothing at a word's edges (symbols such as & + = % $ stay)
_EDGES = "\"'()[]{}<>.,;:!?…“”‘’«»‹›„‚-‐‑‒–—―_*/\\|"
#: what ends a sentence at the end of a written word (after closing quotes and brackets)
_END = re.compile(r"[.!?…]+[\"'”’»)\]]*$")
#: words ending in "." that do not end a sentence (titles, Latin abbreviations, initials)
_NOT_ENDS = frozenset(
    "mr mrs ms dr prof st vs etc e.g i.e cf approx fig no vol ch sec jr sr mt ca".split()
)


def written_words(text: str) -> list[str]:
    """The words of a turn's written text as the transcript shows them: split at white space."""
    return text.split()


def spoken_words(spoken: str) -> list[str]:
    """The words of a spoken form as an engine reads them (a [[ ]] block is one word)."""
    return _SPOKEN.findall(spoken)


def normal_word(word: str) -> str:
    """A word as two spellings of it compare: lower case, edge punctuation gone ('' if only
    punctuation); a phoneme block stays as it is."""
    if "[[" in word:
        return word
    return word.strip().strip(_EDGES).casefold()


def sentence_starts(words: Sequence[str]) -> list[int]:
    """The index of the first word of each sentence of a turn's written words ([0] at least).

    A sentence ends at . ! ? or … (closing quotes and brackets may follow), unless the word is an
    abbreviation or an initial, or the next word starts in lower case ("e.g. this").
    """
    starts = [0] if words else []
    for i, word in enumerate(words[:-1]):
        if not _END.search(word):
            continue
        bare = word.rstrip("\"'”’»)]").rstrip(".").casefold().lstrip("(\"'“‘«")
        if word.rstrip("\"'”’»)]").endswith(".") and (bare in _NOT_ENDS or len(bare) == 1):
            continue
        following = words[i + 1].lstrip("\"'“‘«([")
        if following[:1].islower():
            continue
        starts.append(i + 1)
    return starts


def align_owners(expected: Sequence[Sequence[str]], found: Sequence[str]) -> list[int | None]:
    """Which owner each found label belongs to, given the labels each owner was expected to give.

    Labels that match (difflib) take their owner; a stretch that differs is shared out in order
    between the owners expected there (each gets one label if there are enough, the rest go by
    how many labels each was expected to give); a found label where nothing was expected takes
    the owner before it (the first owner if none). Owners only grow along `found`; a found
    label is None only when there are no owners at all. Empty labels take part in nothing: they
    take the owner before them.
    """
    flat: list[str] = []
    owner_of: list[int] = []
    for owner, labels in enumerate(expected):
        for label in labels:
            if label:
                flat.append(label)
                owner_of.append(owner)
    owners: list[int | None] = [None] * len(found)
    real = [j for j, label in enumerate(found) if label]
    labels = [found[j] for j in real]
    matcher = SequenceMatcher(None, flat, labels, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(j2 - j1):
                owners[real[j1 + k]] = owner_of[i1 + k]
        elif tag == "replace":
            for k, owner in enumerate(_share(owner_of[i1:i2], j2 - j1)):
                owners[real[j1 + k]] = owner
    # labels with no owner (inserted, or empty) take the one before them; owners never go back
    last: int | None = next((o for o in owners if o is not None), 0 if expected else None)
    for j, mine in enumerate(owners):
        if mine is None or (last is not None and mine < last):
            owners[j] = last
        else:
            last = mine
    return owners


def _share(expected: Sequence[int], count: int) -> list[int]:
    """`count` labels shared out in order between the owners of `expected` labels (one owner per
    expected label): one each while they last, the rest by the share each was expected to have."""
    order = list(dict.fromkeys(expected))
    if count <= len(order):
        return [order[int((k + 0.5) * len(order) / count)] for k in range(count)]
    weights = [expected.count(o) for o in order]
    spare = count - len(order)
    extra = [spare * w // sum(weights) for w in weights]
    rest = spare - sum(extra)
    by_remainder = sorted(range(len(order)), key=lambda i: -(spare * weights[i] % sum(weights)))
    for i in by_remainder[:rest]:
        extra[i] += 1
    return [o for o, more in zip(order, extra, strict=True) for _ in range(1 + more)]


def word_map(written: Sequence[str], said: Sequence[str], speak: Callable[[str], str]) -> list[int]:
    """How many spoken words each written word became (they add up to len(said), in order).

    `speak` is the spoken form of one written word on its own (the same lexicon, language and
    dialect as the turn's): it is asked only for the words that do not read as they are written.
    """
    if not written:
        return []
    plain = [normal_word(w) for w in written]
    heard = [normal_word(s) for s in said]
    owners: list[int | None] = [None] * len(said)
    for i1, i2, j1, j2, same in _stretches(plain, heard):
        if same:
            for k in range(j2 - j1):
                owners[j1 + k] = i1 + k
        elif j2 > j1 and i2 > i1:  # written words that were said otherwise: align by their hints
            hints = [_hint(w, speak) for w in written[i1:i2]]
            for k, owner in enumerate(align_owners(hints, heard[j1:j2])):
                owners[j1 + k] = i1 + (owner or 0)
    counts = [0] * len(written)
    last = 0
    for owner in owners:  # said words with no written word go to the one before
        last = owner if owner is not None and owner >= last else last
        counts[last] += 1
    return counts


def _hint(word: str, speak: Callable[[str], str]) -> list[str]:
    """How a written word on its own is said, as labels; the word itself if it says nothing
    alone (a symbol whose reading needs its neighbours, "≤"), so it still takes a share."""
    labels = [normal_word(s) for s in spoken_words(speak(word))]
    labels = [label for label in labels if label]
    return labels or [normal_word(word) or word]


def _stretches(plain: Sequence[str], heard: Sequence[str]) -> list[tuple[int, int, int, int, bool]]:
    """(i1, i2, j1, j2, same): stretches of written and spoken words that read alike (same) or
    not. A lone matching word between two that differ is no anchor ("and" in "273 K and 100",
    said "two hundred and seventy-three kelvin and ..."): the three are one stretch."""
    matcher = SequenceMatcher(None, plain, heard, autojunk=False)
    found = [[i1, i2, j1, j2, tag == "equal"] for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
    return [(a, b, c, d, bool(e)) for a, b, c, d, e in _rejoin(found)]


def _both_sides(part: list[Any]) -> bool:
    """A stretch that differs and has words on both sides (written and said)."""
    return not part[4] and part[1] > part[0] and part[3] > part[2]


def _rejoin(found: list[list[Any]]) -> list[list[Any]]:
    """Join a one-word match between two stretches said otherwise into one; join neighbours that
    both differ."""
    out: list[list[Any]] = []
    for part in found:
        if (
            len(out) >= 2
            and _both_sides(out[-2])
            and out[-1][4]
            and out[-1][1] - out[-1][0] == 1
            and _both_sides(part)
        ):
            out.pop()
            before = out.pop()
            out.append([before[0], part[1], before[2], part[3], False])
        elif out and not part[4] and not out[-1][4]:
            out[-1][1], out[-1][3] = part[1], part[3]
        else:
            out.append(list(part))
    return out
