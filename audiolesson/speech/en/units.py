"""Units after numbers (5 km, 9.8 m/s², 25 °C) and compound units on their own (kg/m³)."""

from __future__ import annotations

import re

from .locale import Locale
from .words import NUMBER, plural_unit_needed

__all__ = ["SCALES", "UNIT_AFTER", "is_unit", "say_unit", "units"]

# symbol -> (singular, plural). One home for every unit the stage reads.
_BASE: dict[str, tuple[str, str]] = {
    "m": ("metre", "metres"),
    "g": ("gram", "grams"),
    "s": ("second", "seconds"),
    "A": ("ampere", "amperes"),
    "K": ("kelvin", "kelvin"),
    "mol": ("mole", "moles"),
    "cd": ("candela", "candelas"),
    "N": ("newton", "newtons"),
    "J": ("joule", "joules"),
    "W": ("watt", "watts"),
    "V": ("volt", "volts"),
    "C": ("coulomb", "coulombs"),
    "Ω": ("ohm", "ohms"),
    "Pa": ("pascal", "pascals"),
    "Hz": ("hertz", "hertz"),
    "T": ("tesla", "teslas"),
    "F": ("farad", "farads"),
    "L": ("litre", "litres"),
    "l": ("litre", "litres"),
    "eV": ("electronvolt", "electronvolts"),
    "B": ("byte", "bytes"),
    "b": ("bit", "bits"),
    "bps": ("bit per second", "bits per second"),
    "Wh": ("watt hour", "watt hours"),
    "cal": ("calorie", "calories"),
}
# Prefixes that combine with the base units above ("km", "µs", "GHz", "MB").
_PREFIXES = {
    "T": "tera",
    "G": "giga",
    "M": "mega",
    "k": "kilo",
    "K": "kilo",
    "h": "hecto",
    "c": "centi",
    "m": "milli",
    "µ": "micro",
    "μ": "micro",
    "u": "micro",
    "n": "nano",
    "p": "pico",
}
# Which base units take which prefixes, so "Ks" or "mK" read as nothing odd.
_PREFIXABLE = {
    "m": "kcmµμnp",
    "g": "kmµμn",
    "s": "mµμnp",
    "A": "mkµμ",
    "mol": "mµμ",
    "N": "k",
    "J": "kMmG",
    "W": "kMGm",
    "V": "kmMµμ",
    "Pa": "kMh",
    "Hz": "kMGT",
    "L": "mµμ",
    "l": "mµμ",
    "eV": "kMGT",
    "B": "kKMGT",
    "b": "kKMGT",
    "bps": "kKMG",
    "Wh": "kMGT",
    "cal": "k",
    "C": "mµμn",
    "Ω": "kM",
    "F": "mµμnp",
    "T": "m",
}
_OTHER: dict[str, tuple[str, str]] = {
    "°C": ("degree Celsius", "degrees Celsius"),
    "℃": ("degree Celsius", "degrees Celsius"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "°": ("degree", "degrees"),
    "h": ("hour", "hours"),
    "hr": ("hour", "hours"),
    "min": ("minute", "minutes"),
    "yr": ("year", "years"),
    "ha": ("hectare", "hectares"),
    "atm": ("atmosphere", "atmospheres"),
    "mmHg": ("millimetre of mercury", "millimetres of mercury"),
    "dB": ("decibel", "decibels"),
    "mph": ("mile per hour", "miles per hour"),
    "mpg": ("mile per gallon", "miles per gallon"),
    "gal": ("gallon", "gallons"),
    "yd": ("yard", "yards"),
    "sec": ("second", "seconds"),
    "secs": ("second", "seconds"),
    "mins": ("minute", "minutes"),
    "hrs": ("hour", "hours"),
    "kph": ("kilometre per hour", "kilometres per hour"),
    "fps": ("frame per second", "frames per second"),
    "ft": ("foot", "feet"),
    "mi": ("mile", "miles"),
    "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"),
    "oz": ("ounce", "ounces"),
    "kt": ("knot", "knots"),
    "bp": ("base pair", "base pairs"),
    "kb": ("kilobase", "kilobases"),
    "Mbps": ("megabit per second", "megabits per second"),
    "Gbps": ("gigabit per second", "gigabits per second"),
    "kbps": ("kilobit per second", "kilobits per second"),
    "KiB": ("kibibyte", "kibibytes"),
    "MiB": ("mebibyte", "mebibytes"),
    "GiB": ("gibibyte", "gibibytes"),
    "ppm": ("part per million", "parts per million"),
    "mmol": ("millimole", "millimoles"),
}
# Units read as "square"/"cubic" before the name (areas, volumes); others say "squared" after.
_LENGTHS = {"m", "km", "cm", "mm", "µm", "μm", "nm", "ft", "mi"}
#: Scale words allowed between a number and its unit ("150 million km").
SCALES = r"(?:thousand|million|billion|trillion)"

_SUPERSCRIPT_DIGITS = str.maketrans("¹²³⁻", "123-")


def _table() -> dict[str, tuple[str, str]]:
    table = dict(_OTHER)
    for base, names in _BASE.items():
        table.setdefault(base, names)
        for prefix in _PREFIXABLE.get(base, ""):
            one, many = names
            table.setdefault(prefix + base, (_PREFIXES[prefix] + one, _PREFIXES[prefix] + many))
    return table


_UNITS = _table()
# "KB" is kilobytes; a bare "b" or "l" after a number is too ambiguous in prose to read.
for _ambiguous in ("b", "l", "T", "F", "h", "mi", "cd"):
    _UNITS.pop(_ambiguous, None)
_UNITS["h"] = ("hour", "hours")
# "7B" and "175B" are billions (of parameters) far more often than bytes; "512 B" stays unread
del _UNITS["B"]
# Read only after a number with a decimal point, where they are measurements: "0.5 T", "1.5 F".
_AFTER_DECIMAL = {"T": ("tesla", "tesla"), "F": ("farad", "farads")}

_NAMES = sorted(_UNITS, key=len, reverse=True)
_UNIT = "(?:" + "|".join(re.escape(u) for u in _NAMES) + ")"
_POWER = r"(?:[²³]|⁻[¹²³]|\^-?[123])"
_ATOM = rf"{_UNIT}{_POWER}?"
_PRODUCT = rf"{_ATOM}(?:[·⋅*]{_ATOM})*"
_DENOM = rf"(?:{_PRODUCT}|\({_PRODUCT}\))"
_COMPOUND = rf"{_PRODUCT}(?:/{_DENOM}|(?:\s{_UNIT}⁻[¹²³])+)*"
# A unit ends where a word would: not before a letter, digit, subscript or superscript.
_END = r"(?![\w₀-₉⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻°])"


def _atom_words(atom: str, plural: bool, denominator: bool) -> str:
    power = 1
    marked = re.fullmatch(r"(?P<unit>.+?)(?P<power>[²³]|⁻[¹²³]|\^-?[123])?", atom)
    if marked and marked["power"]:
        atom = marked["unit"]
        power = int(marked["power"].translate(_SUPERSCRIPT_DIGITS).lstrip("^"))
    one, many = _UNITS[atom]
    name = many if plural else one
    if denominator and power < 0:
        power = -power
    if power == 2:
        return f"square {name}" if atom in _LENGTHS else f"{name} squared"
    if power == 3:
        return f"cubic {name}" if atom in _LENGTHS else f"{name} cubed"
    return name


def _split_product(product: str) -> list[str]:
    return [a for a in re.split(r"[·⋅*]", product.strip("()")) if a]


def is_unit(word: str) -> bool:
    """Whether a word is a unit symbol the stage reads after a number ('km', 'mph')."""
    return word in _UNITS


def say_unit(written: str, plural: bool) -> str:
    """'kg·m/s²' -> 'kilogram metres per second squared' (plural: the last numerator unit)."""
    parts = re.split(r"/", written)
    numerator = _split_product(parts[0].split()[0] if " " in parts[0] else parts[0])
    negatives = parts[0].split()[1:]  # "m s⁻¹": units with negative powers are denominators
    words = [
        _atom_words(a, plural and i == len(numerator) - 1, False) for i, a in enumerate(numerator)
    ]
    denominators = [a for part in parts[1:] for a in _split_product(part)] + negatives
    if denominators:
        words.append("per " + " ".join(_atom_words(a, False, True) for a in denominators))
    return " ".join(words)


_SIGN = r"(?P<sign>[-−–]|(?<![\w.])\+)?"
_AMOUNT = rf"(?P<amount>{NUMBER})(?:\s?(?P<range>[-–]|to)\s?(?P<upper>{NUMBER}))?"
_QUANTITY = re.compile(
    rf"(?<![\w.,]){_SIGN}{_AMOUNT}(?:\s(?P<scale>{SCALES}))?(?:\s?|(?=°))"
    rf"(?P<unit>{_COMPOUND}){_END}"
)
# Compound units on their own read anywhere ("measured in kg/m³"), unless every part is one
# capital letter ("N/A", "A/B testing"); single symbols do not ("m" is a variable as often).
_STANDALONE = re.compile(
    rf"(?<![\w/])(?P<unit>(?![A-Z]/[A-Z]\b){_PRODUCT}(?:/{_DENOM})+"
    rf"|(?=\w\w){_UNIT}{_POWER}|°C|°F|Hz|kHz|MHz|GHz|kWh|µm|μm|mmHg|mph|kPa|Ω){_END}"
)
# An article right before the number makes the quantity an adjective: "a 9 V battery".
_ARTICLE = re.compile(r"\b[Aa]n?\s$")


def _say_quantity(match: re.Match[str], loc: Locale) -> str:
    amount, upper = match["amount"], match["upper"]
    negative = bool(match["sign"]) and match["sign"] != "+"
    spoken_amount = loc.number(amount, negative)
    if upper:
        spoken_amount += " to " + loc.number(upper)
    if match["scale"]:
        spoken_amount += " " + match["scale"]
    attributive = bool(_ARTICLE.search(match.string[max(0, match.start() - 4) : match.start()]))
    plural = not attributive and (bool(upper) or bool(match["scale"]) or plural_unit_needed(amount))
    return f"{spoken_amount} {loc.spell_units(say_unit(match['unit'], plural))}"


_DECIMAL_QUANTITY = re.compile(r"(?<![\w.,])(?P<amount>\d+\.\d+)\s(?P<unit>[TF])(?![\w/])")
# Rates: "1,200 tokens/s", "requests/sec", "words/min": a word per a unit of time.
_RATE = re.compile(
    r"(?<![\w/])(?P<what>[A-Za-z]{2,})/(?P<per>s|sec|second|min|minute|h|hr|hour|day|wk|week|"
    r"mo|month|yr|year|ms)(?![\w/])"
)
_RATE_UNITS = {"s": "second", "sec": "second", "min": "minute", "h": "hour", "hr": "hour"}
_RATE_UNITS |= {"wk": "week", "mo": "month", "yr": "year", "ms": "millisecond"}


def units(text: str, loc: Locale) -> str:
    """Numbers with units, rates (tokens/s) and compound units standing alone, in words."""
    text = _COORDINATE.sub(lambda m: _say_coordinate(m, loc), text)
    text = _QUANTITY.sub(lambda m: _say_quantity(m, loc), text)
    text = _DECIMAL_QUANTITY.sub(
        lambda m: f"{loc.number(m['amount'])} {_AFTER_DECIMAL[m['unit']][1]}", text
    )
    text = _RATE.sub(
        lambda m: (
            f"{m['what']} per {_RATE_UNITS.get(m['per'], m['per'])}"
            if m["what"] not in _UNITS
            else m.group()
        ),
        text,
    )
    return _STANDALONE.sub(lambda m: loc.spell_units(say_unit(m["unit"], True)), text)


_COMPASS = {"N": "north", "S": "south", "E": "east", "W": "west"}
_COORDINATE = re.compile(rf"(?<![\w.])(?P<amount>{NUMBER})\s?°\s?(?P<dir>[NSEW])\b")


def _say_coordinate(match: re.Match[str], loc: Locale) -> str:
    degrees = "degree" if match["amount"] == "1" else "degrees"
    return f"{loc.number(match['amount'])} {degrees} {_COMPASS[match['dir']]}"


#: A unit right after an amount that another rule has spoken (scientific notation).
UNIT_AFTER = re.compile(rf"\s?(?P<unit>{_COMPOUND}){_END}")
