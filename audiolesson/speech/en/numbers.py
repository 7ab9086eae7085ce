"""Numbers in context: money, percentages, fractions, ratios, ordinals, digit strings, ranges."""

from __future__ import annotations

import re

from .locale import Locale
from .words import NUMBER, digits

__all__ = [
    "cardinals",
    "fractions",
    "money",
    "ordinals",
    "percentages",
    "phone_numbers",
    "ranges",
    "ratios",
    "scaled",
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
_CUR = r"(?:US\$|Rs\.?\s?|[$£€₹¥])"
_MONEY = re.compile(
    rf"(?<![\w$£€₹¥])(?P<sign>[-−])?(?P<cur>{_CUR})\s?(?P<amount>{NUMBER})"
    rf"(?:\s?(?P<joiner>[-–]|to)\s?(?:{_CUR})?(?P<upper>{NUMBER}))?"
    r"(?:\s?(?P<scale>thousand|million|billion|trillion|lakh crore|lakh|crore)\b"
    r"|(?P<suffix>k|K|m|M|mn|bn|B|tn)\b)?"
)
_CENTS = re.compile(r"(?<![\w.])(?P<amount>\d+)\s?¢")
# "a $5 bill", "a £250,000 loss", "Rs. 500 notes": the amount describes a noun, so the currency
# is singular ("a five dollar bill"). A word from this list after the amount is not such a noun.
_ARTICLE_BEFORE = re.compile(r"\b(?:[Aa]n?|[Tt]he|[Tt]his|[Tt]hat)\s$")
_NOUN_AFTER = re.compile(r"\s(?P<word>[a-z]{3,})\b")
_NOT_NOUNS = frozenset(
    "and the for per each are was were has had have will would can could may might must off "
    "out from into with than then that this these those more less back down over under upon "
    "every apiece total plus minus worth only just each a an or to in on at of by is be "
    "instead today tomorrow yesterday now ago later".split()
)
_MONEY_NOUNS = frozenset({"note", "notes", "bill", "bills", "coin", "coins", "banknote"})


def _amount(amount: str, names: tuple[str, str, str, str], loc: Locale, short: bool) -> str:
    one, many, minor_one, minor_many = names
    whole, _, minor = amount.partition(".")
    if len(minor) > 2:
        return f"{loc.decimal(amount)} {many}"
    value = int(whole.replace(",", "") or "0")
    cents = int(minor.ljust(2, "0")) if minor else 0
    major = f"{loc.decimal(whole) if whole else 'zero'} {one if value == 1 else many}"
    if not cents:
        return major
    if not value:
        return f"{loc.cardinal(cents)} {minor_one if cents == 1 else minor_many}"
    if short:  # British: "twelve pounds fifty"
        return f"{major} {loc.cardinal(cents)}"
    return f"{major} and {loc.cardinal(cents)} {minor_one if cents == 1 else minor_many}"


def _attributive(match: re.Match[str]) -> bool:
    """Whether the amount describes the noun after it: 'a $5 bill', 'Rs. 500 notes'."""
    after = _NOUN_AFTER.match(match.string, match.end())
    if not after or after["word"] in _NOT_NOUNS:
        return False
    if after["word"] in _MONEY_NOUNS:
        return True
    return bool(_ARTICLE_BEFORE.search(match.string[max(0, match.start() - 8) : match.start()]))


def _say_money(match: re.Match[str], loc: Locale) -> str:
    cur = match["cur"].strip()
    names = _CURRENCIES[cur]
    sign = f"{loc.minus} " if match["sign"] else ""
    scale = match["scale"] or _SCALE_WORDS.get(match["suffix"] or "")
    attributive = "." not in match["amount"] and _attributive(match)
    short = loc.pounds_short and cur == "£"
    if match["upper"] and not scale and "." in match["amount"] + match["upper"]:
        # cents on either side: each amount in full ("... and thirty cents to ...")
        low = _amount(match["amount"], names, loc, short)
        return f"{sign}{low} to {_amount(match['upper'], names, loc, short)}"
    if match["upper"] or scale or attributive:
        low = loc.decimal(match["amount"])
        high = f" to {loc.decimal(match['upper'])}" if match["upper"] else ""
        plural = names[1] if (scale or high or match["amount"] != "1") else names[0]
        currency = names[0] if attributive else plural
        return f"{sign}{low}{high}{' ' + scale if scale else ''} {currency}"
    return sign + _amount(match["amount"], names, loc, short)


def money(text: str, loc: Locale) -> str:
    """$3.50 -> 'three dollars and fifty cents'; £45bn, ₹500, Rs. 250, $5–10, 75¢."""
    text = _MONEY.sub(lambda m: _say_money(m, loc), text)
    return _CENTS.sub(
        lambda m: f"{loc.cardinal(int(m['amount']))} cent{'s' * (m['amount'] != '1')}", text
    )


_PERCENT = re.compile(
    rf"(?<![\w.])(?P<sign>[-−])?(?P<amount>{NUMBER})(?:\s?[-–]\s?(?P<upper>{NUMBER}))?\s?%(?!\s?\d)"
)


def percentages(text: str, loc: Locale) -> str:
    """15% -> 'fifteen percent'; 4–5% -> 'four to five percent'."""

    def say(match: re.Match[str]) -> str:
        spoken = loc.number(match["amount"], bool(match["sign"]))
        if match["upper"]:
            spoken += " to " + loc.number(match["upper"])
        return spoken + " percent"

    return _PERCENT.sub(say, text)


_SCALED = re.compile(rf"(?<![\w.,$£€₹¥])(?P<amount>{NUMBER})(?P<suffix>k|K|M|B|bn|T)\b(?![-\w])")
# "2k + 1" is algebra, not two thousand: an operator next to it says so
_OPERATOR_AFTER = re.compile(r"\s*[-+−=×*/^<>≤≥]")
_OPERATOR_BEFORE = re.compile(r"[-+−=×*/^<>≤≥(]\s*$")


def scaled(text: str, loc: Locale) -> str:
    """175B -> 'one hundred and seventy-five billion', 128k -> '... thousand', 110M."""

    def say(match: re.Match[str]) -> str:
        if _OPERATOR_AFTER.match(text, match.end()) or _OPERATOR_BEFORE.search(
            text[max(0, match.start() - 4) : match.start()]
        ):
            return match.group()
        return f"{loc.decimal(match['amount'])} {_SCALE_WORDS[match['suffix']]}"

    return _SCALED.sub(say, text)


_ORDINAL = re.compile(r"(?<![\w.])(\d+)(?:st|nd|rd|th)\b")


def ordinals(text: str, loc: Locale) -> str:
    """3rd -> 'third', 21st -> 'twenty-first'."""
    return _ORDINAL.sub(lambda m: loc.ordinal(int(m.group(1))), text)


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


def _mixed_part(numerator: int, denominator: int, loc: Locale) -> str:
    if (numerator, denominator) == (1, 2):
        return "a half"
    if numerator == 1 and denominator in (3, 4):
        return "a " + loc.fraction(1, denominator).split()[1]
    return loc.fraction(numerator, denominator)


def fractions(text: str, loc: Locale) -> str:
    """1/3 -> 'one third', 2½ -> 'two and a half', 80/20 -> 'eighty twenty', 24/7."""

    def mixed(match: re.Match[str]) -> str:
        if match["vulgar"]:
            numerator, denominator = _VULGAR[match["vulgar"]]
        else:
            numerator, denominator = int(match["n"]), int(match["d"])
            if numerator >= denominator:
                return match.group()
        whole = loc.cardinal(int(match["whole"]))
        return f"{whole} and {_mixed_part(numerator, denominator, loc)}"

    def simple(match: re.Match[str]) -> str:
        numerator, denominator = int(match["n"]), int(match["d"])
        if (numerator, denominator) == (24, 7):
            return "twenty-four seven"
        if denominator == 0:
            return f"{loc.cardinal(numerator)} over zero"
        return loc.fraction(numerator, denominator)

    def split(match: re.Match[str]) -> str:
        parts = [int(p) for p in match.group().split("/")]
        if sum(parts) != 100 or (len(parts) == 2 and any(p % 10 for p in parts)):
            return match.group()
        return " ".join(loc.cardinal(p) for p in parts)

    text = _SPLIT.sub(split, text)
    text = _MIXED.sub(mixed, text)
    text = _FRACTION.sub(simple, text)
    return _LONE_VULGAR.sub(lambda m: loc.fraction(*_VULGAR[m.group()]), text)


_RATIO = re.compile(
    rf"(?<![\w.:])(?P<parts>\d+(?::\d+(?:\.\d+)?){{2,7}}|\d+:{NUMBER})(?![\w:]|\.\d)"
)
# h:mm:ss, a duration or a timestamp ("at 1:24:30 in the video")
_DURATION = re.compile(r"\d{1,2}:[0-5]\d:[0-5]\d")


def ratios(text: str, loc: Locale) -> str:
    """3:2 -> 'three to two', 9:3:3:1 -> 'nine to three to three to one', 1:24:30 as a duration
    (clock times are read before this)."""

    def say(match: re.Match[str]) -> str:
        parts = match["parts"].split(":")
        if _DURATION.fullmatch(match["parts"]):
            units = zip((int(p) for p in parts), ("hour", "minute", "second"), strict=True)
            named = [f"{loc.cardinal(n)} {unit}{'s' * (n != 1)}" for n, unit in units if n]
            return ", ".join(named[:-1]) + f" and {named[-1]}" if len(named) > 1 else named[0]
        return " to ".join(loc.decimal(p) for p in parts)

    return _RATIO.sub(say, text)


# +44 20 7946 0958, (020) 7946 0018, 555-0142, 800-555-0199: groups read digit by digit.
_PHONE = re.compile(
    r"(?:(?<![\w.,+])\+(?P<country>\d{1,3})[\s-](?P<groups>\d{1,4}(?:[\s-]\d{2,4}){1,4})"
    r"|(?<![\w.,])\((?P<area>\d{2,5})\)\s?(?P<local>\d{3,4}[\s-]\d{4})"
    r"|(?<![\w.,-])(?P<long>(?:1-)?\d{3}-\d{3}-\d{4})"
    r"|(?<![\w.,-])(?P<short>\d{3}-\d{4}))(?![\w,-]|\.\d)"
)
_LEADING_ZERO = re.compile(r"(?<![\w.,:])0\d+(?![\w,:]|\.\d)")


def phone_numbers(text: str) -> str:
    """555-0142 -> 'five five five, zero one four two'; 007 -> 'zero zero seven'."""

    def phone(match: re.Match[str]) -> str:
        if match["country"]:
            head, rest = ["plus " + digits(match["country"])], match["groups"]
        elif match["area"]:
            head, rest = [digits(match["area"])], match["local"]
        else:
            head, rest = [], match["long"] or match["short"]
        return ", ".join(head + [digits(g) for g in re.split(r"[\s-]", rest)])

    text = _PHONE.sub(phone, text)
    return _LEADING_ZERO.sub(lambda m: digits(m.group()), text)


_RANGE = re.compile(
    rf"(?<![\w.,\-−–])(?P<a>{NUMBER})\s?[–—-]\s?(?P<b>{NUMBER})(?![\w.,]\d|[\w\-–])"
)


def ranges(text: str, loc: Locale) -> str:
    """1–10 -> 'one to ten'; 60-100 -> 'sixty to one hundred'; 4417-2290 (not a range: the
    second is smaller) is read digit by digit, as a reference number."""

    def say(match: re.Match[str]) -> str:
        a, b = match["a"], match["b"]
        if a.isdigit() and b.isdigit() and len(a) >= 3 and len(b) >= 3 and int(a) >= int(b):
            return f"{digits(a)}, {digits(b)}"
        return f"{loc.decimal(a)} to {loc.decimal(b)}"

    return _RANGE.sub(say, text)


_CARDINAL = re.compile(
    rf"(?:(?<=[\s(\[/])|^)(?P<sign>[-−])(?={NUMBER})|(?<![\w.,]){NUMBER}(?![\d])"
)


def cardinals(text: str, loc: Locale) -> str:
    """Every number left: 42 -> 'forty-two', 3.14 -> 'three point one four', −5 -> 'minus five'
    ('negative five' in en-US)."""

    def say(match: re.Match[str]) -> str:
        if match["sign"]:
            return f"{loc.minus} "
        return loc.decimal(match.group())

    return re.sub(rf"{loc.minus}\s+", f"{loc.minus} ", _CARDINAL.sub(say, text))
