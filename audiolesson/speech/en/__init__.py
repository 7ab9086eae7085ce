"""English spoken forms (en, en-GB, en-US, en-IN, ...): the order the rules run in.

Each rule reads what the rules before it left; the order matters, from the most specific
notation (code, abbreviations, formulas, dates) to plain numbers and leftover symbols.
"""

from __future__ import annotations

import unicodedata

from . import abbreviations, acronyms, chemistry, dates, maths, numbers, roman, symbols, units

__all__ = ["normalize"]

# Regions that write dates day first (3/4/2021 is the third of April); "en" and US read month first.
_MONTH_FIRST = frozenset({"us", "ph", "ca"})
_SPACES = str.maketrans({"\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2002": " ", "\u2003": " "})
# Precomposed letters with a hat or bar, as a letter plus the mark, so "ŷ" reads "y hat".
_MARKED = str.maketrans({"ŷ": "y\u0302", "ȳ": "y\u0304", "ā": "a\u0304"})


def normalize(text: str, region: str | None = None) -> str:
    """Written English -> what a careful teacher says aloud."""
    text = unicodedata.normalize("NFC", text).translate(_SPACES).translate(_MARKED)
    day_first = region is not None and region not in _MONTH_FIRST
    text = symbols.hex_colours(text)
    text = abbreviations.abbreviations(text)
    text = abbreviations.code(text)
    text = abbreviations.versions(text)
    text = dates.dates(text, day_first)
    text = dates.times(text)
    text = dates.years(text)
    text = numbers.money(text)
    text = numbers.percentages(text)
    text = numbers.scaled(text)
    text = numbers.ordinals(text)
    text = maths.scientific(text)
    text = units.units(text)
    text = chemistry.chemistry(text)
    text = numbers.phone_numbers(text)
    text = maths.expressions(text)
    text = maths.terms(text)
    text = roman.roman_numerals(text)
    text = acronyms.acronyms(text)
    text = numbers.fractions(text)
    text = numbers.ratios(text)
    text = numbers.ranges(text)
    text = numbers.cardinals(text)
    text = symbols.symbols(text)
    return symbols.tidy(text)
