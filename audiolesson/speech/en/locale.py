"""The conventions of each English region (en-US, en-GB, en-IN...): every rule reads them from here.

    locale("us").cardinal(144)   -> "one hundred forty-four"
    locale("gb").cardinal(144)   -> "one hundred and forty-four"
    locale("in").number("1,50,000") -> "one lakh fifty thousand"

| convention              | en-US (default)       | en-GB (AU, NZ, IE...)     | en-IN            |
|-------------------------|-----------------------|---------------------------|------------------|
| "and" inside numbers    | one hundred five      | one hundred and five      | as en-GB         |
| a sign                  | negative four         | minus four                | minus four       |
| years 2000-2009         | two thousand eight    | two thousand and eight    | as en-GB         |
| 3/4/2021                | March fourth          | the third of April        | as en-GB         |
| units                   | meters, liters        | metres, litres            | as en-GB         |
| dy/dx                   | d y d x               | d y by d x                | as en-GB         |
| £12.50                  | twelve pounds fifty   | twelve pounds fifty       | ...and fifty pence|
| 1,50,000                | in Western words      | in Western words          | one lakh fifty...|
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from .words import cardinal as _cardinal
from .words import digits as _digits
from .words import fraction as _fraction
from .words import indian as _indian
from .words import integer as _integer
from .words import ordinal as _ordinal
from .words import year as _year

__all__ = ["INDIAN_GROUPING", "Locale", "locale"]

#: A number grouped the Indian way: 1,50,000 and 3,25,00,000 (lakh and crore).
INDIAN_GROUPING = re.compile(r"\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d+)?")
# Regions that follow American conventions; every other English region follows British ones.
_AMERICAN = frozenset({"us", "ph", "pr", "um", "vi", "as", "gu", "mp"})
_MONTH_FIRST = frozenset({"us", "ph", "ca", "pr", "um", "vi", "as", "gu", "mp"})
_BRITISH_UNITS = (("metre", "meter"), ("litre", "liter"))


@dataclass(frozen=True)
class Locale:
    """How one region says numbers, signs, dates and units; the rules call these methods."""

    region: str  #: two-letter region, lower case ("us", "gb", "in")
    and_in_numbers: bool  #: "one hundred and five" (British) or "one hundred five" (American)
    minus: str  #: the word for a sign: "negative" (American) or "minus"
    day_first: bool  #: 3/4/2021 is the third of April
    american_spelling: bool  #: "meters", "liters"
    indian_grouping: bool  #: 1,50,000 read in lakh and crore
    derivative_by: bool  #: "d y by d x" (British) or "d y d x"
    pounds_short: bool  #: £12.50 as "twelve pounds fifty"

    def cardinal(self, value: int) -> str:
        """42 -> 'forty-two' in this region's style."""
        return _cardinal(value, self.and_in_numbers, self.minus)

    def ordinal(self, value: int) -> str:
        """21 -> 'twenty-first'."""
        return _ordinal(value, self.and_in_numbers)

    def year(self, value: int) -> str:
        """1990 -> 'nineteen ninety'; 2008 -> 'two thousand (and) eight'."""
        return _year(value, self.and_in_numbers)

    def decimal(self, text: str) -> str:
        """'3.14' -> 'three point one four'; '1,200' and (en-IN) '1,50,000' in words."""
        whole, _, frac = text.partition(".")
        if whole and self.indian_grouping and INDIAN_GROUPING.fullmatch(text):
            spoken = _indian(int(whole.replace(",", "")))
        else:
            spoken = self.cardinal(_integer(whole)) if whole else ""
        if frac:
            spoken = f"{spoken} point {_digits(frac)}".strip()
        return spoken

    def number(self, text: str, negative: bool = False) -> str:
        """A written number in words, with the region's sign word if negative."""
        spoken = self.decimal(text)
        return f"{self.minus} {spoken}" if negative else spoken

    def fraction(self, numerator: int, denominator: int) -> str:
        """1/3 -> 'one third', 22/7 -> 'twenty-two over seven'."""
        return _fraction(numerator, denominator, self.and_in_numbers)

    def digits(self, text: str) -> str:
        """'0142' -> 'zero one four two'."""
        return _digits(text)

    def spell_units(self, spoken: str) -> str:
        """'kilometres' -> 'kilometers' where the region spells units the American way."""
        if self.american_spelling:
            for british, american in _BRITISH_UNITS:
                spoken = spoken.replace(british, american)
        return spoken


@cache
def locale(region: str | None) -> Locale:
    """The conventions for a two-letter region ('us', 'gb', 'in'); None (plain 'en') is en-US."""
    region = (region or "us").lower()
    american = region in _AMERICAN
    # Canada: American numbers and signs, British spelling of units
    north_american = american or region == "ca"
    return Locale(
        region=region,
        and_in_numbers=not north_american,
        minus="negative" if north_american else "minus",
        day_first=region not in _MONTH_FIRST,
        american_spelling=american,
        indian_grouping=region == "in",
        derivative_by=not north_american,
        pounds_short=region != "in",
    )
