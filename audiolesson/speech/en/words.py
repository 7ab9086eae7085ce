"""English number words: cardinals, ordinals, years, lakh and crore, digit strings (num2words).

These are the primitives; rules call them through a Locale (locale.py), which picks the region's
style ("one hundred and five" or "one hundred five", "minus" or "negative").
"""

from __future__ import annotations

from functools import cache
from typing import Any

__all__ = [
    "NUMBER",
    "cardinal",
    "digits",
    "fraction",
    "indian",
    "integer",
    "ordinal",
    "paired",
    "plural_unit_needed",
    "year",
]

#: A written number: Indian (1,50,000) or thousands (1,200) grouping, decimals (3.14, .5); no sign.
NUMBER = r"(?:\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"

# Numbers from a quadrillion up are read digit by digit.
_DIGIT_BY_DIGIT = 10**15
_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
# Denominators a teacher reads as a fraction word ("two thirds"); others become "over".
_DENOMINATORS = {
    2: ("half", "halves"),
    4: ("quarter", "quarters"),
}


@cache
def _converter() -> Any:
    # num2words imports all its languages on first use (~25 ms): only when a number is spoken.
    from num2words.lang_EN import Num2Word_EN

    return Num2Word_EN()


@cache
def _indian_converter() -> Any:
    from num2words.lang_EN_IN import Num2Word_EN_IN

    return Num2Word_EN_IN()


def _clean(words: str, with_and: bool) -> str:
    # num2words writes "one million, two hundred..."; a comma would make the voice pause mid-number.
    words = words.replace(",", "")
    # num2words writes British "and"; its output holds number words only, so dropping it is safe
    return words if with_and else words.replace(" and ", " ")


@cache
def cardinal(value: int, with_and: bool = True, minus: str = "minus") -> str:
    """42 -> 'forty-two'; -4 -> 'minus four'; with_and=False: 'one hundred five'."""
    if value < 0:
        return f"{minus} {cardinal(-value, with_and, minus)}"
    if value >= _DIGIT_BY_DIGIT:
        return digits(str(value))  # nobody says "four septillion..."; and num2words is slow there
    return _clean(_converter().to_cardinal(value), with_and)


@cache
def indian(value: int) -> str:
    """150000 -> 'one lakh fifty thousand' (lakh and crore, as en-IN reads 1,50,000)."""
    if value >= _DIGIT_BY_DIGIT:
        return digits(str(value))
    return _clean(_indian_converter().to_cardinal(value), True)


@cache
def ordinal(value: int, with_and: bool = True) -> str:
    """21 -> 'twenty-first'."""
    if value >= _DIGIT_BY_DIGIT:
        return digits(str(value))
    return _clean(_converter().to_ordinal(value), with_and)


@cache
def year(value: int, with_and: bool = True) -> str:
    """1990 -> 'nineteen ninety', 2008 -> 'two thousand (and) eight', 1905 -> 'nineteen oh-five'."""
    return _clean(_converter().to_year(value), with_and)


def paired(text: str, with_and: bool = True) -> str:
    """A code-like number in pairs: '404' -> 'four oh four', '112' -> 'one twelve', '4090' ->
    'forty ninety', '1204' -> 'twelve oh four', '300' -> 'three hundred'."""
    if len(text) == 3 and text[0] != "0":
        head, tail = _DIGITS[int(text[0])], text[1:]
        if tail == "00":
            return f"{head} hundred"
        if tail[0] == "0":
            return f"{head} oh {_DIGITS[int(tail[1])]}"
        return f"{head} {cardinal(int(tail))}"
    if len(text) == 4 and text[0] != "0":
        return year(int(text), with_and).replace("oh-", "oh ")
    if text.startswith("0") and len(text) > 1:
        return digits(text)
    return cardinal(int(text), with_and)


def digits(text: str) -> str:
    """'0142' -> 'zero one four two' (one word per digit)."""
    return " ".join(_DIGITS[int(d)] for d in text if d.isdigit())


def integer(text: str) -> int:
    """'1,200' -> 1200 (grouping commas and thin spaces dropped)."""
    return int(text.replace(",", "").replace("\u202f", "").replace("\u2009", ""))


def plural_unit_needed(text: str) -> bool:
    """Whether a unit after this written number is plural ('1 km' no, '1.5 km' and '0 km' yes)."""
    return text.lstrip("+-\u2212") not in ("1", "1.0") or text.endswith(".0")


def fraction(numerator: int, denominator: int, with_and: bool = True) -> str:
    """1/3 -> 'one third', 3/4 -> 'three quarters', 22/7 -> 'twenty-two over seven'."""
    if 2 <= denominator <= 20 or denominator in (100, 1000):
        if 0 < numerator < denominator:
            # "one hundredth" -> "hundredth": "three hundredths", not "three one hundredths"
            one, many = _DENOMINATORS.get(
                denominator, (ordinal(denominator).removeprefix("one "), "")
            )
            many = many or one + "s"
            return f"{cardinal(numerator, with_and)} {one if numerator == 1 else many}"
    return f"{cardinal(numerator, with_and)} over {cardinal(denominator, with_and)}"
