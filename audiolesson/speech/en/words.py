"""English number words: cardinals, ordinals, decimals, years and digit strings (num2words)."""

from __future__ import annotations

from functools import cache
from typing import Any

__all__ = [
    "NUMBER",
    "cardinal",
    "decimal",
    "digits",
    "fraction",
    "number",
    "ordinal",
    "plural_unit_needed",
    "year",
]

#: A written number: thousands commas, decimals ("1,200", "3.14", ".5"); no sign.
NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"

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


def _clean(words: str) -> str:
    # num2words writes "one million, two hundred..."; a comma would make the voice pause mid-number.
    return words.replace(",", "")


@cache
def cardinal(value: int) -> str:
    """42 -> 'forty-two'; -4 -> 'minus four'."""
    if value < 0:
        return "minus " + cardinal(-value)
    if value >= _DIGIT_BY_DIGIT:
        return digits(str(value))  # nobody says "four septillion..."; and num2words is slow there
    return _clean(_converter().to_cardinal(value))


@cache
def ordinal(value: int) -> str:
    """21 -> 'twenty-first'."""
    if value >= _DIGIT_BY_DIGIT:
        return digits(str(value))
    return _clean(_converter().to_ordinal(value))


@cache
def year(value: int) -> str:
    """1990 -> 'nineteen ninety', 2008 -> 'two thousand and eight', 1905 -> 'nineteen oh-five'."""
    return _clean(_converter().to_year(value))


def digits(text: str) -> str:
    """'0142' -> 'zero one four two' (one word per digit)."""
    return " ".join(_DIGITS[int(d)] for d in text if d.isdigit())


def _integer(text: str) -> int:
    return int(text.replace(",", "").replace("\u202f", "").replace("\u2009", ""))


def decimal(text: str) -> str:
    """'3.14' -> 'three point one four'; '1,200' -> 'one thousand two hundred'."""
    whole, _, frac = text.partition(".")
    spoken = cardinal(_integer(whole)) if whole else ""
    if frac:
        spoken = f"{spoken} point {digits(frac)}".strip()
    return spoken


def number(text: str, negative: bool = False) -> str:
    """A written number (digits, thousands commas, decimals) in words, with 'minus' if negative."""
    spoken = decimal(text)
    return f"minus {spoken}" if negative else spoken


def plural_unit_needed(text: str) -> bool:
    """Whether a unit after this written number is plural ('1 km' no, '1.5 km' and '0 km' yes)."""
    return text.lstrip("+-\u2212") not in ("1", "1.0") or text.endswith(".0")


def fraction(numerator: int, denominator: int) -> str:
    """1/3 -> 'one third', 3/4 -> 'three quarters', 22/7 -> 'twenty-two over seven'."""
    if 2 <= denominator <= 20 or denominator in (100, 1000):
        if 0 < numerator < denominator:
            # "one hundredth" -> "hundredth": "three hundredths", not "three one hundredths"
            one, many = _DENOMINATORS.get(
                denominator, (ordinal(denominator).removeprefix("one "), "")
            )
            many = many or one + "s"
            return f"{cardinal(numerator)} {one if numerator == 1 else many}"
    return f"{cardinal(numerator)} over {cardinal(denominator)}"
