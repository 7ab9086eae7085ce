"""Private marks the rules leave in text for the final rendering step (letter names, held text)."""

from __future__ import annotations

#: The letter "a" or "A" as a letter name ("a t", "D N A"): engines read a lone "a" as the article,
#: so it is rendered in phonemes where the engine takes them, else as the plain letter.
LETTER_A = "\ue0a1"
CAPITAL_A = "\ue0a2"
#: Text held away from the rules (lexicon replacements) is one private character per item:
#: neither a letter nor a digit, so no rule reads it.
HOLD_BASE = 0xF0000
HOLD_LIMIT = 0xFFFFD
HOLD_COUNT = HOLD_LIMIT - HOLD_BASE + 1  #: marks there are: held items one turn may have


def hold_mark(index: int) -> str:
    """The private character standing for held item `index` (below HOLD_COUNT)."""
    if not 0 <= index < HOLD_COUNT:
        raise ValueError(f"held item {index} has no mark (there are {HOLD_COUNT})")
    return chr(HOLD_BASE + index)


def letter(char: str) -> str:
    """One letter as a letter name, marking 'a'/'A' so the renderer can say it as a letter."""
    if char == "a":
        return LETTER_A
    if char == "A":
        return CAPITAL_A
    return char


def spell(letters: str) -> str:
    """'DNA' -> 'D N A' (letter names, each 'A' marked)."""
    return " ".join(letter(c) for c in letters)
