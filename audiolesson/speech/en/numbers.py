"""Numbers in context: money, percentages, fractions, ratios, ordinals, digit strings, ranges."""

from __future__ import annotations

import re

from .words import NUMBER, cardinal, decimal, digits, fraction, number, ordinal

__all__ = [
    "cardinals",
    "fractions",
    "scaled",
    "money",
    "ordinals",
    "percentages",
    "phone_numbers",
    "ranges",
    "ratios",
]

# symbol -> (one, many, minor one, minor many)
_CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "US$": ("dollar", "dollars", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
    "₹": ("rupee", "rupees", "paisa", "paise"),
    "Rs.": ("rupee", "rupees", "paisa", "paise"),
    "Rs": ("rupee", "rupees", "paisa", "paise"),
    "¥": ("yen", "yen", "sen", "sen"),
}
_SCALE_WORDS = {
    "k": "thousand",
    "K": "thousand",
    "thousand": "thousand",
    "m": "million",
    "M": "million",
    "mn": "million",
    "million": "million",
    "bn": "billion",
    "B": "billion",
    "b": "billion",
    "billion": "billion",
    "tn": "trillion",
    "T": "trillion",
    "trillion": "trillion",
}
_MONEY = re.compile(
    r"(?<![\w$£€₹¥])(?P<sign>[-−])?(?P<cur>US\$|Rs\.?\s?|[$£€₹¥])\s?(?P<amount>" + NUMBER + r")"
    r"(?:\s?(?:[-–]|to)\s?(?:US\$|Rs\.?\s?|[$£€₹¥])?(?P<upper>" + NUMBER + r"))?"
    r"(?:\s?(?P<scale>thousand|million|billion|trillion|lakh crore|lakh|crore)\b"
    r"|(?P<suffix>k|K|m|M|mn|bn|B|tn)\b)?"
)
_CENTS = re.compile(r"(?<![\w.])(?P<amount>\d+)\s?¢")


def _amount(amount: str, names: tuple[str, str, str, str]) -> str:
    one, many, minor_one, minor_many = names
    whole, _, minor = amount.partition(".")
    if len(minor) > 2:
        return f"{decimal(amount)} {many}"
    value = int(whole.replace(",", "") or "0")
    cents = int(minor.ljust(2, "0")) if minor else 0
    parts = []
    if value or not cents:
        parts.append(f"{cardinal(value)} {one if value == 1 else many}")
    if cents:
        parts.append(f"{cardinal(cents)} {minor_one if cents == 1 else minor_many}")
    return " and ".join(parts)


def _say_money(match: re.Match[str]) -> str:
    names = _CURRENCIES[match["cur"].strip()]
    sign = "minus " if match["sign"] else ""
    scale = match["scale"] or _SCALE_WORDS.get(match["suffix"] or "")
    if match["upper"] or scale:
        low = decimal(match["amount"])
        high = f" to {decimal(match['upper'])}" if match["upper"] else ""
        plural = names[1] if (scale or high or match["amount"] != "1") else names[0]
        return f"{sign}{low}{high}{' ' + scale if scale else ''} {plural}"
    return sign + _amount(match["amount"], names)


def money(text: str) -> str:
    """$3.50 -> 'three dollars and fifty cents'; £45bn, ₹500, Rs. 250, $5–10, 75¢."""
    text = _MONEY.sub(_say_money, text)
    return _CENTS.sub(
        lambda m: f"{cardinal(int(m['amount']))} cent{'s' * (m['amount'] != '1')}", text
    )


_PERCENT = re.compile(
    rf"(?<![\w.])(?P<sign>[-−])?(?P<amount>{NUMBER})(?:\s?[-–]\s?(?P<upper>{NUMBER}))?\s?%(?!\s?\d)"
)


def percentages(text: str) -> str:
    """15% -> 'fifteen percent'; 4–5% -> 'four to five percent'."""

    def say(match: re.Match[str]) -> str:
        spoken = number(match["amount"], bool(match["sign"]))
        if match["upper"]:
            spoken += " to " + number(match["upper"])
        return spoken + " percent"

    return _PERCENT.sub(say, text)


_SCALED = re.compile(rf"(?<![\w.,$£€₹¥])(?P<amount>{NUMBER})(?P<suffix>k|K|M|B|bn|T)\b(?![-\w])")


def scaled(text: str) -> str:
    """175B -> 'one hundred and seventy-five billion', 128k -> '... thousand', 110M."""
    return _SCALED.sub(lambda m: f"{decimal(m['amount'])} {_SCALE_WORDS[m['suffix']]}", text)


_ORDINAL = re.compile(r"(?<![\w.])(\d+)(?:st|nd|rd|th)\b")


def ordinals(text: str) -> str:
    """3rd -> 'third', 21st -> 'twenty-first'."""
    return _ORDINAL.sub(lambda m: ordinal(int(m.group(1))), text)


_VULGAR = {
    "½": (1, 2),
    "⅓": (1, 3),
    "⅔": (2, 3),
    "¼": (1, 4),
    "¾": (3, 4),
    "⅕": (1, 5),
    "⅖": (2, 5),
    "⅗": (3, 5),
    "⅘": (4, 5),
    "⅙": (1, 6),
    "⅚": (5, 6),
    "⅛": (1, 8),
    "⅜": (3, 8),
    "⅝": (5, 8),
    "⅞": (7, 8),
}
_MIXED = re.compile(
    r"(?<![\w.])(?P<whole>\d+)(?:\s?(?P<vulgar>["
    + "".join(_VULGAR)
    + r"])|\s(?P<n>\d+)/(?P<d>\d+))"
    r"(?![\w/])"
)
# A split written as numbers that add up to 100: "80/20", "70/15/15".
_SPLIT = re.compile(r"(?<![\w/.,])\d{1,2}(?:/\d{1,2}){1,3}(?![\w/]|[.,]\d)")
_FRACTION = re.compile(r"(?<![\w/.,])(?P<n>\d+)/(?P<d>\d+)(?![\w/]|\.\d|,\d)")
_LONE_VULGAR = re.compile("[" + "".join(_VULGAR) + "]")


def _mixed_part(numerator: int, denominator: int) -> str:
    if (numerator, denominator) == (1, 2):
        return "a half"
    if numerator == 1 and denominator in (3, 4):
        return "a " + fraction(1, denominator).split()[1]
    return fraction(numerator, denominator)


def fractions(text: str) -> str:
    """1/3 -> 'one third', 2½ -> 'two and a half', 80/20 -> 'eighty twenty', 24/7."""

    def mixed(match: re.Match[str]) -> str:
        if match["vulgar"]:
            numerator, denominator = _VULGAR[match["vulgar"]]
        else:
            numerator, denominator = int(match["n"]), int(match["d"])
            if numerator >= denominator:
                return match.group()
        return f"{cardinal(int(match['whole']))} and {_mixed_part(numerator, denominator)}"

    def simple(match: re.Match[str]) -> str:
        numerator, denominator = int(match["n"]), int(match["d"])
        if (numerator, denominator) == (24, 7):
            return "twenty-four seven"
        if denominator == 0:
            return f"{cardinal(numerator)} over zero"
        return fraction(numerator, denominator)

    def split(match: re.Match[str]) -> str:
        parts = [int(p) for p in match.group().split("/")]
        if sum(parts) != 100 or (len(parts) == 2 and any(p % 10 for p in parts)):
            return match.group()
        return " ".join(cardinal(p) for p in parts)

    text = _SPLIT.sub(split, text)
    text = _MIXED.sub(mixed, text)
    text = _FRACTION.sub(simple, text)
    return _LONE_VULGAR.sub(lambda m: fraction(*_VULGAR[m.group()]), text)


_RATIO = re.compile(rf"(?<![\w.:])(?P<a>\d+):(?P<b>{NUMBER})(?![\w:])")


def ratios(text: str) -> str:
    """3:2 -> 'three to two', 1:50,000 -> 'one to fifty thousand' (times are read before this)."""
    return _RATIO.sub(lambda m: f"{cardinal(int(m['a']))} to {decimal(m['b'])}", text)


# +44 20 7946 0958, (020) 7946 0018, 555-0142: written groups are read digit by digit.
_PHONE = re.compile(
    r"(?:(?<![\w.,+])\+(?P<country>\d{1,3})[\s-](?P<groups>\d{1,4}(?:[\s-]\d{2,4}){1,4})"
    r"|(?<![\w.,])\((?P<area>\d{2,5})\)\s?(?P<local>\d{3,4}[\s-]\d{4})"
    r"|(?<![\w.,-])(?P<short>\d{3}-\d{4}))(?![\w,-]|\.\d)"
)
_LEADING_ZERO = re.compile(r"(?<![\w.,])0\d+(?![\w,]|\.\d)")


def phone_numbers(text: str) -> str:
    """555-0142 -> 'five five five, zero one four two'; 007 -> 'zero zero seven'."""

    def phone(match: re.Match[str]) -> str:
        if match["country"]:
            head, rest = ["plus " + digits(match["country"])], match["groups"]
        elif match["area"]:
            head, rest = [digits(match["area"])], match["local"]
        else:
            head, rest = [], match["short"]
        return ", ".join(head + [digits(g) for g in re.split(r"[\s-]", rest)])

    text = _PHONE.sub(phone, text)
    return _LEADING_ZERO.sub(lambda m: digits(m.group()), text)


_RANGE = re.compile(
    rf"(?<![\w.,\-−–])(?P<a>{NUMBER})\s?[–—-]\s?(?P<b>{NUMBER})(?![\w.,]\d|[\w\-–])"
)


def ranges(text: str) -> str:
    """1–10 -> 'one to ten'; 60-100 -> 'sixty to one hundred'."""
    return _RANGE.sub(lambda m: f"{decimal(m['a'])} to {decimal(m['b'])}", text)


_CARDINAL = re.compile(
    rf"(?:(?<=[\s(\[/])|^)(?P<sign>[-−])(?={NUMBER})|(?<![\w.,]){NUMBER}(?![\d])"
)


def cardinals(text: str) -> str:
    """Every number left: 42 -> 'forty-two', 3.14 -> 'three point one four', −5 -> 'minus five'."""

    def say(match: re.Match[str]) -> str:
        if match["sign"]:
            return "minus "
        return decimal(match.group())

    return re.sub(r"minus\s+", "minus ", _CARDINAL.sub(say, text))
