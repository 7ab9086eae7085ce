"""Numbers that are codes, not quantities: HTTP 404, Room 204, 401(k), 221 Baker Street, IDs.

A code is read as people say it, in pairs ("four oh four", "two twenty-one") or digit by digit
("student ID 2048177": "two zero four eight one seven seven"), never as a quantity.
"""

from __future__ import annotations

import re

from .locale import Locale
from .words import digits, paired

__all__ = ["codes"]

# "HTTP 404", "status code 503", "error 500", "a 404 error", "404 Not Found"
_STATUS = re.compile(
    r"\b(?P<pre>HTTPS?\s|(?:[Ss]tatus|[Ee]rror|[Rr]esponse)(?:\s[Cc]ode)?\s)(?P<n>[1-5]\d\d)\b(?![.,]\d)"
    r"|(?<![\w.,$£€₹¥])(?P<m>[1-5]\d\d)(?=\s(?:error|Not Found|Forbidden|Unauthorized|Bad Request|"
    r"Internal Server Error|Service Unavailable|page|status)\b)"
)
# US retirement plans and tax forms: 401(k), 403(b), 529
_PLAN = re.compile(r"(?<![\w.])(?P<n>\d{3})\((?P<letter>[a-z])\)")
_COLLEGE_PLAN = re.compile(r"\b529(?=\s(?:plans?|accounts?|savings)\b)")
# Rooms, flights, gates, routes, aircraft: "Room 204", "Flight 1549", "Boeing 747"
_NUMBERED_PLACE = re.compile(
    r"\b(?P<pre>(?:Room|Rm\.|Suite|Apartment|Apt\.|Flight|Gate|Platform|Route|Highway|Interstate|"
    r"Bus|Exit|Terminal|Studio|Ward|Boeing|Airbus\sA|Lab|Hall|Block)\s)(?P<n>\d{3,4})\b(?![.,]\d|-)"
)
# Graphics cards and chips, said in pairs: "RTX 4090" is "forty ninety", "GTX 1080" "ten eighty"
_MODEL = re.compile(
    r"\b(?P<pre>(?:RTX|GTX|GT|RX|Quadro|Radeon|Snapdragon|Exynos|Xeon|Titan)\s)(?P<n>\d{3,4})\b"
    r"(?![.,]\d)"
)
# House numbers: "221 Baker Street", "1600 Pennsylvania Avenue"
_ADDRESS = re.compile(
    r"(?<![\w.,$£€₹¥])(?P<n>\d{3,4})(?=\s(?:[A-Z][a-z]+\s){1,3}(?:St\.|Street|Ave\.|Avenue|Rd\.|"
    r"Road|Blvd\.|Boulevard|Lane|Ln\.|Drive|Way|Place|Court|Square|Terrace|Parkway)(?!\w))"
)
# Reference numbers after the word that names them: "order number 4417-2290", "ID: 2048177"
_REFERENCE = re.compile(
    r"\b(?P<pre>(?:ID|PIN|ZIP|[Zz]ip\scode|[Pp]ostcode|[Pp]ostal\scode|[Aa]ccount|[Oo]rder|"
    r"[Ii]nvoice|[Tt]icket|[Rr]eference|[Ss]erial|[Tt]racking|[Cc]onfirmation|[Cc]ase|[Pp]olicy|"
    r"[Rr]oll|[Rr]egistration|[Ee]mployee|[Bb]ooking|[Tt]ransaction|[Cc]ustomer|[Mm]ember|"
    r"[Ee]xtension|[Pp]assport|[Vv]ehicle|[Ll]icen[cs]e)"
    r"(?:\s(?:[Nn]umber|[Nn]o\.|ID|[Cc]ode))?(?:\s(?:is|was|are|were))?\s?[:#]?\s?)"
    r"(?P<n>\d[\d-]{2,30}\d)\b(?![.,]\d)"
)


def codes(text: str, loc: Locale) -> str:
    """HTTP 404 -> 'H T T P four oh four', Room 112 -> 'Room one twelve', 401(k) -> 'four oh
    one k', 221 Baker Street -> 'two twenty-one Baker Street', order number 4417-2290 -> digits."""

    def status(match: re.Match[str]) -> str:
        if match["m"]:
            return paired(match["m"], loc.and_in_numbers)
        return match["pre"] + paired(match["n"], loc.and_in_numbers)

    def reference(match: re.Match[str]) -> str:
        groups = [g for g in match["n"].split("-") if g]
        if len(groups) == 1 and len(groups[0]) < 4:
            return match.group()  # "order 66", "case 12": a number like any other
        return match["pre"] + ", ".join(digits(g) for g in groups)

    text = _STATUS.sub(status, text)
    text = _PLAN.sub(lambda m: f"{paired(m['n'], loc.and_in_numbers)} {m['letter']}", text)
    text = _COLLEGE_PLAN.sub("five twenty-nine", text)
    text = _NUMBERED_PLACE.sub(lambda m: m["pre"] + paired(m["n"], loc.and_in_numbers), text)
    text = _MODEL.sub(lambda m: m["pre"] + paired(m["n"], loc.and_in_numbers), text)
    text = _ADDRESS.sub(lambda m: paired(m["n"], loc.and_in_numbers), text)
    return _REFERENCE.sub(reference, text)
