"""What no English rule is sure of: unknown all-capital words, letters mixed with digits,
identifiers (code names, file names, web addresses) and unknown symbols.

`candidates(text)` finds them in written text; the stage (speech._unsure) says how the rules
read each one, so an author can check it and paste a corrected lexicon line.
"""

from __future__ import annotations

import re
import unicodedata

from .abbreviations import DOTTED, SNAKE, subscript
from .acronyms import read_acronym
from .chemistry import is_formula
from .identifiers import CAMEL, EMAIL, MIXED, URL, read_identifier, split_camel
from .known_words import CAMEL_NAMES
from .locale import locale
from .roman import roman_value
from .symbols import KNOWN

__all__ = ["candidates"]

_CAPITALS = re.compile(r"(?<![\w'’.-])(?P<word>[A-Z]{2,})(?:s|['’]s)?(?![\w'’]|\.\w)")
_SYMBOL_CATEGORIES = ("Sm", "So", "Sk", "Sc")


def _blank(text: str, match: re.Match[str]) -> str:
    """The text with the match's span blanked, so no later pattern reports part of it again."""
    return text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]


def candidates(text: str) -> list[tuple[str, str, str | None]]:
    """(written, kind, suggestion) for each token no rule was sure of, in order of appearance.

    kind: "identifier", "letters and digits", "acronym" or "symbol"; suggestion: the words to
    suggest where the rules have none (a symbol's Unicode name), else None (say what the rules
    say). Each token is reported once.
    """
    found: list[tuple[int, str, str, str | None]] = []
    for pattern in (EMAIL, URL):
        for match in list(pattern.finditer(text)):
            found.append((match.start(), match.group(), "identifier", None))
            text = _blank(text, match)
    for match in list(DOTTED.finditer(text)):
        parts = match["name"].split(".")
        if all(len(p) <= 2 for p in parts) or any(p.isdigit() for p in parts):
            continue  # "e.g", "U.S", "3.14": abbreviations and numbers
        found.append((match.start(), match.group(), "identifier", None))
        text = _blank(text, match)
    for match in list(SNAKE.finditer(text)):
        if not subscript(match["name"]):
            found.append((match.start(), match.group(), "identifier", None))
            text = _blank(text, match)
    region = locale(None)
    for match in list(MIXED.finditer(text)):
        word = match["word"]
        if sum(c.isalpha() for c in word) < 2 or is_formula(word):
            continue
        if not read_identifier(word, region)[1]:
            found.append((match.start(), word, "letters and digits", None))
        text = _blank(text, match)
    for match in list(CAMEL.finditer(text)):
        word = match["word"]
        if word not in CAMEL_NAMES and split_camel(word) is not None and not is_formula(word):
            found.append((match.start(), word, "identifier", None))
    for match in _CAPITALS.finditer(text):
        word = match["word"]
        if roman_value(word) or is_formula(word):
            continue  # Roman numerals are read in context or left alone; CO2 is chemistry
        if not read_acronym(word)[1]:
            found.append((match.start(), word, "acronym", None))
    for index, char in enumerate(text):
        if unicodedata.category(char) in _SYMBOL_CATEGORIES and char not in KNOWN:
            name = unicodedata.name(char, "").lower()
            found.append((index, char, "symbol", name or None))
    seen: set[str] = set()
    unique = []
    for _, written, kind, suggestion in sorted(found, key=lambda f: f[0]):
        if written not in seen:
            seen.add(written)
            unique.append((written, kind, suggestion))
    return unique
