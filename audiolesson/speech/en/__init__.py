"""English spoken forms (en, en-US, en-GB, en-IN, ...): the order the rules run in.

Each rule reads what the rules before it left; the order matters, from the most specific
notation (addresses, abbreviations, code, dates) to plain numbers and leftover symbols. Every
convention that differs between regions comes from the region's Locale (locale.py); a plain
"en" follows en-US.
"""

from __future__ import annotations

import unicodedata

from . import (
    abbreviations,
    acronyms,
    chemistry,
    codes,
    dates,
    identifiers,
    maths,
    notation,
    numbers,
    roman,
    symbols,
    units,
)
from .locale import locale

__all__ = ["normalize"]

_SPACES = str.maketrans({"\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2002": " ", "\u2003": " "})
# Precomposed letters with a hat or bar, as a letter plus the mark, so "ŷ" reads "y hat".
_MARKED = str.maketrans({"ŷ": "y\u0302", "ȳ": "y\u0304", "ā": "a\u0304"})


def normalize(text: str, region: str | None = None) -> str:
    """Written English -> what a careful teacher of that region says aloud."""
    loc = locale(region)
    text = unicodedata.normalize("NFC", text).translate(_SPACES).translate(_MARKED)
    text = symbols.hex_colours(text)
    text = identifiers.addresses(text)
    text = abbreviations.abbreviations(text)
    text = abbreviations.code(text)
    text = abbreviations.versions(text, loc)
    text = codes.codes(text, loc)
    text = dates.dates(text, loc)
    text = dates.times(text, loc)
    text = dates.years(text, loc)
    text = numbers.money(text, loc)
    text = numbers.percentages(text, loc)
    text = numbers.scaled(text, loc)
    text = numbers.ordinals(text, loc)
    text = notation.scientific(text, loc)
    text = units.units(text, loc)
    text = chemistry.chemistry(text)
    text = numbers.phone_numbers(text)
    text = notation.notation(text, loc)
    text = maths.expressions(text, loc)
    text = maths.terms(text, loc)
    text = identifiers.identifiers(text, loc)
    text = roman.roman_numerals(text, loc)
    text = acronyms.acronyms(text, loc)
    text = numbers.fractions(text, loc)
    text = numbers.ratios(text, loc)
    text = numbers.ranges(text, loc)
    text = numbers.cardinals(text, loc)
    text = symbols.symbols(text)
    return symbols.tidy(text)
