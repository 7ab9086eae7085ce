"""Acronyms: spelled (DNA -> 'D N A', GPUs -> 'G P U's') or said as words (NASA -> 'Nasa').

The rule, in order (tables in known_words.py):
1. ACRONYM_WORDS says how to say it (NASA, JAX, RAG, VRAM -> "V ram", LoRA);
2. KNOWN_SPELLED is spelled;
3. an ordinary English word written in capitals is said as the word: up to three letters from
   LOUD_WORDS ("NOT"), four or more from the English dictionary ("NEVER", "CIVIL");
4. anything else is spelled. When such a word could have been said as a word (it has the shape
   of one) or is long, `read_acronym` says it was not sure, and `check --unsure` lists it.
A lexicon entry overrides every table.
"""

from __future__ import annotations

import re

from .._marks import spell
from .known_words import ACRONYM_WORDS, KNOWN_SPELLED, LOUD_WORDS, NAMES, english_word
from .locale import Locale

__all__ = ["ACRONYM_WORDS", "KNOWN_SPELLED", "NAMES", "acronyms", "read_acronym"]

_ONSETS = frozenset(
    "BL BR CH CL CR DR FL FR GL GN GR KN PH PL PR SC SH SK SL SM SN SP ST SW TH TR TW WH WR "
    "QU".split()
)
_VOWELS = set("AEIOUY")
_LOWER_PREFIXED = re.compile(r"(?<![\w'’])(?P<pre>[mtrsiecd])(?P<caps>RNA|DNA|NA)\b")
_ACRONYM = re.compile(
    r"(?<![\w'’.-])(?P<digits>\d+)?(?P<word>[A-Z][A-Za-z]*[A-Z]|[A-Z](?=\d)|(?<=\d)[A-Z]+|"
    + "|".join(
        re.escape(k) for k in sorted(ACRONYM_WORDS, key=len, reverse=True) if not k.isupper()
    )
    + r")(?P<plural>s|['’]s)?(?:(?P<dash>-)?(?P<number>\d+))?(?![\w'’]|\.\w)"
)


def _pronounceable(word: str) -> bool:
    """Whether an all-capital word has the shape of a word ('JAX', 'EBITDA'), so it might be one."""
    if not _VOWELS & set(word):
        return False
    if re.search(r"[^AEIOUY]{3}", word):
        return False
    if word[0] not in _VOWELS and word[1] not in _VOWELS and word[:2] not in _ONSETS:
        return False
    return True


def read_acronym(word: str) -> tuple[str | None, bool]:
    """The spoken form of one all-capital word (None: leave it as written) and whether a table
    or the dictionary decided it (False: spelled because nothing knew it)."""
    if word in ACRONYM_WORDS:
        return ACRONYM_WORDS[word], True
    if not word.isupper():
        return None, True
    if word in KNOWN_SPELLED:
        return spell(word), True
    if len(word) <= 3:
        if word in LOUD_WORDS:
            return (word.lower() if len(word) > 1 else word), True
        return spell(word), len(word) < 3 or not _pronounceable(word)
    if english_word(word):
        return word.lower(), True
    return spell(word), not _pronounceable(word) and len(word) < 5


def acronyms(text: str, loc: Locale) -> str:
    """Spell or say each acronym, with plurals (CPUs), numbers (GPT-4, 4G) and prefixes (mRNA)."""
    text = _LOWER_PREFIXED.sub(lambda m: f"{m['pre']} {spell(m['caps'])}", text)

    def one(match: re.Match[str]) -> str:
        word = match["word"]
        if len(word) == 1 and not (match["digits"] or match["number"]):
            return match.group()
        if word in NAMES:
            return match.group()
        spoken, _ = read_acronym(word)
        if spoken is None:
            return match.group()
        if match["plural"]:
            spoken += "'s" if spoken.isupper() or spoken[-1:] not in "aeiouy" else "s"
        parts = [spoken]
        if match["digits"]:
            parts.insert(0, loc.cardinal(int(match["digits"])))
        if match["number"]:
            parts.append(loc.cardinal(int(match["number"])))
        return " ".join(parts)

    return _ACRONYM.sub(one, text)
