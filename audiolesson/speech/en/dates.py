"""Dates, times, years, decades and eras: 3/4/2021, 14 July 1789, 9:05, 1990s, 753 BC."""

from __future__ import annotations

import re

from .._marks import spell
from .locale import Locale
from .units import is_unit

__all__ = ["dates", "times", "years"]

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_SHORT = {m[:3]: m for m in MONTHS} | {"Sept": "September"}
_MONTH = (
    r"(?P<month>" + "|".join(MONTHS) + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?)"
)


def _month(name: str) -> str:
    name = name.rstrip(".")
    return _SHORT.get(name, name)


_YEAR = r"(?P<year>1\d{3}|20\d{2})"
_NUMERIC_DATE = re.compile(r"(?<![\w/.])(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<year>\d{4})(?![\w/])")
_ISO_DATE = re.compile(
    r"(?<![\w-])(?P<year>\d{4})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])\b"
)
_MONTH_FIRST = re.compile(
    rf"\b{_MONTH}\s(?P<day>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\b(?!:)(?:,?\s(?P<year>\d{{4}}))?"
)
_DAY_FIRST = re.compile(
    rf"\b(?P<day>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\s(?:of\s)?{_MONTH}(?:,?\s(?P<year>\d{{4}}))?\b"
)
_MONTH_YEAR = re.compile(rf"\b{_MONTH}\s{_YEAR}\b")


def _month_first(month: str, day: int, year_text: str | None, loc: Locale) -> str:
    spoken = f"{month} {loc.ordinal(day)}"
    return f"{spoken}, {loc.year(int(year_text))}" if year_text else spoken


def dates(text: str, loc: Locale) -> str:
    """Numeric, ISO and written dates; where days come first, 3/4/2021 is the third of April."""

    def numeric(match: re.Match[str]) -> str:
        a, b = int(match["a"]), int(match["b"])
        day, month = (a, b) if (loc.day_first or a > 12) else (b, a)
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return match.group()
        if loc.day_first:
            return f"the {loc.ordinal(day)} of {MONTHS[month - 1]}, {loc.year(int(match['year']))}"
        return _month_first(MONTHS[month - 1], day, match["year"], loc)

    def iso(match: re.Match[str]) -> str:
        return _month_first(MONTHS[int(match["m"]) - 1], int(match["d"]), match["year"], loc)

    def day_month(match: re.Match[str]) -> str:
        spoken = f"the {loc.ordinal(int(match['day']))} of {_month(match['month'])}"
        return f"{spoken} {loc.year(int(match['year']))}" if match["year"] else spoken

    text = _NUMERIC_DATE.sub(numeric, text)
    text = _ISO_DATE.sub(iso, text)
    text = _MONTH_FIRST.sub(
        lambda m: _month_first(_month(m["month"]), int(m["day"]), m["year"], loc), text
    )
    text = _DAY_FIRST.sub(day_month, text)
    return _MONTH_YEAR.sub(lambda m: f"{_month(m['month'])} {loc.year(int(m['year']))}", text)


_MERIDIEM = r"(?P<ampm>[ap]\.m\.|[ap]m\b|[AP]M\b|[ap]\.m\b)"
_CLOCK = re.compile(
    rf"(?<![\w.:])(?P<h>[01]?\d|2[0-4]):(?P<m>[0-5]\d)(?![\d:]|,\d)(?:\s?{_MERIDIEM})?"
)
_HOUR = re.compile(rf"(?<![\w.:])(?P<h>1[0-2]|0?[1-9])\s?{_MERIDIEM}")
# British writing puts a full stop in a time: "4.30pm", "10.15 a.m."
_DOTTED_CLOCK = re.compile(rf"(?<![\w.:])(?P<h>1[0-2]|0?[1-9])\.(?P<m>[0-5]\d)\s?{_MERIDIEM}")


def _meridiem(text: str | None) -> str:
    if not text:
        return ""
    return " a.m." if text.lower().startswith("a") else " p.m."


def times(text: str, loc: Locale) -> str:
    """10:30 -> 'ten thirty', 9:05 -> 'nine oh five', 11:00 -> 'eleven o'clock', 8 am."""

    def clock(match: re.Match[str]) -> str:
        hour, minute = int(match["h"]), int(match["m"])
        suffix = _meridiem(match["ampm"])
        if minute == 0:
            if suffix:
                spoken = loc.cardinal(hour)
            elif hour <= 12:
                spoken = f"{loc.cardinal(hour)} o'clock"
            else:
                spoken = f"{loc.cardinal(hour)} hundred"
        elif minute < 10:
            spoken = f"{loc.cardinal(hour)} oh {loc.cardinal(minute)}"
        else:
            spoken = f"{loc.cardinal(hour)} {loc.cardinal(minute)}"
        return spoken + suffix

    text = _CLOCK.sub(clock, text)
    text = _DOTTED_CLOCK.sub(clock, text)
    return _HOUR.sub(lambda m: loc.cardinal(int(m["h"])) + _meridiem(m["ampm"]), text)


_ERA = re.compile(
    r"(?<![\w.])(?P<n>\d{1,4})\s?(?P<era>BCE|BC|CE|AD)\b|\b(?P<ad>AD)\s(?P<m>\d{1,4})\b"
)
_DECADE = re.compile(r"(?<![\w.])(?:'|’)?(?P<decade>(?:1\d|20)?\d0)(?:'|’)?s\b")
_YEAR_RANGE = re.compile(
    r"(?<![\w.,])(?P<a>1\d{3}|20\d{2})\s?[–—-]\s?(?P<b>\d{4}|\d{2})(?![\w.,]\d|\w)"
)
# Words after which a four-digit number is a year ("in 1859", "by 2008", "circa 1215").
_YEAR_CONTEXT = re.compile(
    r"(?:\b(?:[Ii]n|[Ss]ince|[Bb]y|[Ff]rom|[Uu]ntil|[Tt]ill|[Bb]efore|[Aa]fter|[Dd]uring|"
    r"[Aa]round|circa|year|[Oo]f|[Tt]o|and|[Bb]etween|[Ee]arly|[Ll]ate|[Mm]id|[Ss]ummer|"
    r"[Ww]inter|[Ss]pring|[Aa]utumn|[Ff]all)\s+)$"
)
_FOUR_DIGITS = re.compile(r"(?<![\w.,])(?P<y>1\d{3}|20\d{2})(?!\w|[.,]\d)")
# "the 1918 flu", "a 2019 study", "his 1905 paper": a year before a singular noun; a count comes
# before a plural ("the 1500 students") or a unit ("1500 m")
_DETERMINER = re.compile(
    r"\b(?:[Tt]he|[Aa]|[Tt]his|[Tt]hat|[Hh]is|[Hh]er|[Ii]ts|[Tt]heir|[Oo]ur|[Mm]y|[Yy]our|"
    r"[Ww]hose)\s+$"
)
_SINGULAR_AFTER = re.compile(r"\s+(?P<word>[a-z][a-z-]*[a-rt-z]|[a-z]{1,2})\b(?!['’])")
# Quarters, halves and fiscal years: "Q3 2024", "H1 2025", "FY2025", "FY 2024-25", "FY24".
_PERIOD = re.compile(
    r"\b(?P<q>[QH][1-4])\s(?P<qy>1\d{3}|20\d{2})\b"
    r"|\b(?P<fy>FY|CY|AY)\s?['’]?(?P<y>(?:19|20)\d{2}|\d{2})"
    r"(?:\s?[-–/]\s?(?P<end>\d{4}|\d{2}))?(?![\w.,]\d|\w)"
)


def _decade(match: re.Match[str], loc: Locale) -> str:
    value = int(match["decade"])
    spoken = loc.year(value) if value >= 1000 else loc.cardinal(value)
    if spoken.endswith("y"):
        return spoken[:-1] + "ies"
    return spoken + "s"


def _period(match: re.Match[str], loc: Locale) -> str:
    if match["q"]:
        quarter = f"{spell(match['q'][0])} {loc.cardinal(int(match['q'][1]))}"
        return f"{quarter} {loc.year(int(match['qy']))}"
    first = match["y"]
    year = loc.year(int(first)) if len(first) == 4 else loc.cardinal(int(first))
    spoken = f"{spell(match['fy'])} {year}"
    if match["end"]:
        end = int(match["end"])
        spoken += f" to {loc.year(end) if len(match['end']) == 4 else loc.cardinal(end)}"
    return spoken


def years(text: str, loc: Locale) -> str:
    """Decades (1990s, '80s), eras (753 BC, AD 79), year ranges (1939–45), quarters and fiscal
    years (Q3 2024, FY2025) and years in context ("in 1859", "the 1918 flu")."""

    def era(match: re.Match[str]) -> str:
        if match["ad"]:
            return f"{spell('AD')} {loc.year(int(match['m']))}"
        return f"{loc.year(int(match['n']))} {spell(match['era'])}"

    def year_range(match: re.Match[str]) -> str:
        first, second = int(match["a"]), match["b"]
        end = int(second)
        if len(second) == 2:
            if end <= first % 100:
                return match.group()
        elif end <= first:
            return match.group()
        return f"{loc.year(first)} to {loc.year(end)}"

    def in_context(match: re.Match[str]) -> str:
        before = match.string[max(0, match.start() - 40) : match.start()]
        if _YEAR_CONTEXT.search(before):
            return loc.year(int(match["y"]))
        after = _SINGULAR_AFTER.match(match.string, match.end())
        if after and _DETERMINER.search(before) and not is_unit(after["word"]):
            return loc.year(int(match["y"]))
        return match.group()

    text = _PERIOD.sub(lambda m: _period(m, loc), text)
    text = _ERA.sub(era, text)
    text = _DECADE.sub(lambda m: _decade(m, loc), text)
    text = _YEAR_RANGE.sub(year_range, text)
    return _FOUR_DIGITS.sub(in_context, text)
