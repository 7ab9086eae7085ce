"""Abbreviations (e.g., Fig., Dr., St., Mon.–Fri., U.S.), inline code (model.fit(),
learning_rate, config.yaml), version numbers."""

from __future__ import annotations

import re

from .._marks import spell
from .locale import Locale

__all__ = [
    "ABBREVIATIONS",
    "DOTTED",
    "SNAKE",
    "abbreviations",
    "code",
    "subscript",
    "versions",
]

#: Written abbreviation -> spoken words (case-sensitive).
ABBREVIATIONS = {
    "e.g.": "for example",
    "E.g.": "For example",
    "i.e.": "that is",
    "I.e.": "That is",
    "etc.": "et cetera",
    "vs.": "versus",
    "vs": "versus",
    "Fig.": "Figure",
    "Figs.": "Figures",
    "fig.": "figure",
    "Eq.": "Equation",
    "Eqs.": "Equations",
    "eq.": "equation",
    "Ch.": "Chapter",
    "ch.": "chapter",
    "Sec.": "Section",
    "Prof.": "Professor",
    "approx.": "approximately",
    "Approx.": "Approximately",
    "Mr.": "Mister",
    "Mrs.": "Missus",
    "Mt.": "Mount",
    "Ms.": "Miz",
    "Ave.": "Avenue",
    "Blvd.": "Boulevard",
    "Rd.": "Road",
    "Ln.": "Lane",
    "Hwy.": "Highway",
    "Apt.": "Apartment",
    "Rm.": "Room",
    "Ft.": "Fort",
    "Corp.": "Corporation",
    "Dept.": "Department",
    "dept.": "department",
    "Univ.": "University",
    "Gov.": "Governor",
    "Sen.": "Senator",
    "Rep.": "Representative",
    "Gen.": "General",
    "Capt.": "Captain",
    "Lt.": "Lieutenant",
    "Sgt.": "Sergeant",
    "Col.": "Colonel",
    "Rev.": "Reverend",
    "Pres.": "President",
    "Asst.": "Assistant",
    "Assoc.": "Associate",
    "Ext.": "Extension",
    "ext.": "extension",
    "viz.": "namely",
    "yrs.": "years",
    "pp.": "pages",
    "vol.": "volume",
    "Vol.": "Volume",
    "et al.": "et al",
    "cf.": "compare",
    "ca.": "circa",
    "Tab.": "Table",
    "Ex.": "Example",
    "Thm.": "Theorem",
    "Def.": "Definition",
    "Lem.": "Lemma",
    "Prop.": "Proposition",
    "a.k.a.": "also known as",
    "w.r.t.": "with respect to",
    "resp.": "respectively",
    "esp.": "especially",
    "incl.": "including",
    "avg.": "average",
    "est.": "estimated",
    "Inc.": "Incorporated",
    "Ltd.": "Limited",
    "Jr.": "Junior",
    "Sr.": "Senior",
    "N/A": "not applicable",
    "w/o": "without",
    "Ph.D.": "P H D",
    "PhD": "P H D",
    "M.Sc.": "M S C",
    "B.Sc.": "B S C",
}
# Abbreviations that only stand before a number: "No. 5", "p. 12", "c. 1215".
_BEFORE_NUMBER = {"No.": "number", "no.": "number", "p.": "page", "c.": "circa", "Nos.": "numbers"}
# These may end a sentence, and then their full stop ends it too.
_FINAL = {
    "etc.",
    "et al.",
    "approx.",
    "resp.",
    "incl.",
    "Inc.",
    "Ltd.",
    "Jr.",
    "Sr.",
    "vs.",
    "Corp.",
}
_FINAL |= {"Ave.", "Blvd.", "Rd.", "Ln.", "Dept.", "Ph.D.", "M.Sc.", "B.Sc."}
_ABBREVIATION = re.compile(
    r"(?<![\w.])(?:"
    + "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True))
    + r")(?![\w/])"
)
_NUMBERED = re.compile(
    r"(?<![\w.])(?P<a>" + "|".join(re.escape(a) for a in _BEFORE_NUMBER) + r")\s?(?=\d)"
)


_WEEKDAYS = {
    "Mon": "Monday",
    "Tue": "Tuesday",
    "Tues": "Tuesday",
    "Wed": "Wednesday",
    "Thu": "Thursday",
    "Thur": "Thursday",
    "Thurs": "Thursday",
    "Fri": "Friday",
    "Sat": "Saturday",
    "Sun": "Sunday",
}
_MONTHS = {
    "Jan": "January",
    "Feb": "February",
    "Mar": "March",
    "Apr": "April",
    "Jun": "June",
    "Jul": "July",
    "Aug": "August",
    "Sep": "September",
    "Sept": "September",
    "Oct": "October",
    "Nov": "November",
    "Dec": "December",
}
_DAY = "(?:Mon|Tues?|Wed|Thu(?:rs?)?|Fri|Sat|Sun)"
_DAY_RANGE = re.compile(
    rf"\b(?P<a>{_DAY})\.?\s?(?:[–—-]|to|through|thru)\s?(?P<b>{_DAY})\b(?P<dot>\.)?"
)
# "Tue.", "Wed., Oct. 2", "Sat 4 May": a day with a full stop, or without one before a date
_MONTH_NAME = "(?:" + "|".join(list(_MONTHS) + list(_MONTHS.values()) + ["May"]) + r")\b"
_WEEKDAY = re.compile(
    rf"(?<![Tt]he )\b(?P<d>{_DAY})(?:(?P<dot>\.)(?=[\s,;:)]|$)|(?=,?\s(?:\d|{_MONTH_NAME})))"
)
_MONTH = re.compile(
    r"\b(?P<m>Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)(?P<dot>\.)(?=[\s,;:)]|$)"
)
# "U.S.", "D.C.", "U.K.": dotted capitals are spelled
_INITIALISM = re.compile(r"(?<![\w.])(?P<letters>(?:[A-Z]\.){2,})(?![\w])")
# "St." is Saint before a name, Street after one; "Dr." Doctor or Drive the same way.
_TITLE_OR_PLACE = {"St": ("Saint", "Street"), "Dr": ("Doctor", "Drive")}
_TITLED = re.compile(r"(?<![\w.])(?P<abbr>St|Dr)\.(?=[\s,;:)]|$)")
_PREVIOUS = re.compile(r"(?:(?P<start>^|[.!?:]\s+)|(?<=\s))(?P<word>[A-Z0-9][\w'’]*)\s+$")
# Place names that take "Saint" after them: "Mount St. Helens", "Fort St. John".
_BEFORE_SAINT = frozenset({"Mount", "Mt.", "Fort", "Port", "Lake", "Cape", "Sault", "River"})
_AT_END = re.compile(r"\s*$")
_NAME_AFTER = re.compile(r"\s+[A-Z]")
_SENTENCE_START = re.compile(r"\s+(?:The|A|An|In|It|This|That|We|He|She|They|But|And|So|Then)\b")


def _full_stop(match: re.Match[str]) -> str:
    """'.' if the abbreviation's full stop also ends the sentence, else ''."""
    # windows, not the rest of the text: a long text with many abbreviations stays linear
    at_end = _AT_END.match(match.string, match.end())
    return "." if at_end or _SENTENCE_START.match(match.string, match.end()) else ""


def _title_or_place(match: re.Match[str]) -> str:
    title, place = _TITLE_OR_PLACE[match["abbr"]]
    previous = _PREVIOUS.search(match.string, max(0, match.start() - 60), match.start())
    named = previous is not None and previous["word"] not in _BEFORE_SAINT
    if _NAME_AFTER.match(match.string, match.end()):
        # before a name: Saint or Doctor, unless a street's name stands before it, not at the
        # start of a sentence ("go down Baker St. Then...")
        street = (
            previous is not None
            and named
            and previous["start"] is None
            and previous["word"][0].isalpha()
        )
        return place if street else title
    return (place if named else title) + ("." if named and _full_stop(match) else "")


def abbreviations(text: str) -> str:
    """'e.g.' -> 'for example', 'Fig. 3' -> 'Figure 3', 'No. 5' -> 'number 5', 'St.' -> 'Saint'
    or 'Street', 'Mon.–Fri.' -> 'Monday to Friday', 'U.S.' -> 'U S'."""

    def expand(match: re.Match[str]) -> str:
        written = match.group()
        spoken = ABBREVIATIONS[written]
        end = match.end()
        if written in _FINAL and (
            _AT_END.match(match.string, end) or _NAME_AFTER.match(match.string, end)
        ):
            spoken += "."
        return spoken

    def day_range(match: re.Match[str]) -> str:
        spoken = f"{_WEEKDAYS[match['a']]} to {_WEEKDAYS[match['b']]}"
        return spoken + (_full_stop(match) if match["dot"] else "")

    text = _NUMBERED.sub(lambda m: _BEFORE_NUMBER[m["a"]] + " ", text)
    text = _ABBREVIATION.sub(expand, text)
    text = _TITLED.sub(_title_or_place, text)
    text = _DAY_RANGE.sub(day_range, text)
    text = _WEEKDAY.sub(lambda m: _WEEKDAYS[m["d"]] + (_full_stop(m) if m["dot"] else ""), text)
    text = _MONTH.sub(lambda m: _MONTHS[m["m"]] + _full_stop(m), text)
    return _INITIALISM.sub(lambda m: spell(m["letters"].replace(".", "")) + _full_stop(m), text)


# File extensions a teacher says as a word; the others are spelled ("C S V").
_EXTENSIONS = {
    "json": "jason",
    "yaml": "yammel",
    "yml": "yammel",
    "toml": "tommel",
    "gif": "gif",
    "jpeg": "jay-peg",
    "jpg": "jay-peg",
    "zip": "zip",
    "tar": "tar",
    "wav": "wave",
    "onnx": "onyx",
    "docx": "doc X",
    "ipynb": "I P Y N B",
    "com": "com",
    "org": "org",
    "net": "net",
    "edu": "edu",
    "io": "I O",
}
_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
DOTTED = re.compile(
    rf"(?<![\w.@/])(?P<name>{_IDENTIFIER}(?:\.{_IDENTIFIER})+)(?P<call>\((?P<args>[^()]*)\))?(?![\w(])"
)
SNAKE = re.compile(
    r"(?<![\w.])(?P<dunder>__)?(?P<name>[A-Za-z][A-Za-z0-9]*+(?:_[A-Za-z0-9]++)++)(?P=dunder)?(?![\w])"
)
_DUNDER = re.compile(r"(?<![\w.])__(?P<name>[A-Za-z][A-Za-z0-9]*+)__(?![\w])")
_CALL = re.compile(r"(?<![\w.])(?P<name>[a-z][A-Za-z0-9_]*+)\(\)(?!\w)")
_BACKTICKS = re.compile(r"`([^`]+)`")


def _part(part: str, last: bool) -> str:
    if last and part.lower() in _EXTENSIONS:
        return _EXTENSIONS[part.lower()]
    if last and len(part) <= 4 and part.islower() and part.isalpha() and part not in ("fit", "log"):
        return spell(part.upper())
    if len(part) <= 3 and part.isalpha() and part.islower() and not re.search("[aeiou]", part):
        return spell(part)  # "np", "pd", "nn": said letter by letter
    return part.replace("_", " ").strip()


def subscript(name: str) -> bool:
    """Whether a snake_case-looking name is a subscript: "d_k", "x_i", "W_q" (maths reads it)."""
    head, _, tail = name.partition("_")
    return len(head) == 1 and "_" not in tail and len(tail) <= 3


def _snake(match: re.Match[str]) -> str:
    if subscript(match["name"]):
        return match.group()
    return match["name"].replace("_", " ")


def code(text: str) -> str:
    """model.fit() -> 'model dot fit'; learning_rate -> 'learning rate'; data.csv."""
    text = _BACKTICKS.sub(lambda m: m.group(1), text)

    def dotted(match: re.Match[str]) -> str:
        parts = match["name"].split(".")
        if all(len(p) == 1 for p in parts):
            return match.group()  # "e.g", "U.S": abbreviations, not code
        file_like = not match["call"] and parts[-1].isalpha() and parts[-1].islower()
        spoken = " dot ".join(
            _part(p, last=file_like and i == len(parts) - 1) for i, p in enumerate(parts)
        )
        if match["args"]:
            spoken += " of " + match["args"]
        return spoken

    text = DOTTED.sub(dotted, text)
    text = _DUNDER.sub(lambda m: "dunder " + m["name"], text)
    text = SNAKE.sub(_snake, text)
    return _CALL.sub(lambda m: m["name"], text)


_SOFTWARE = (
    r"(?:Python|Java|Node|Ubuntu|Android|iOS|Windows|macOS|Excel|PHP|Perl|Ruby|Scratch|Django|"
    r"React|Angular|Vue|TensorFlow|PyTorch|Web|Bluetooth|HTTP|USB|Unicode|Debian|Fedora|Rust|Go|"
    r"Kotlin|Swift|Julia|MATLAB|version|Version|release|Release)"
)
_VERSION = re.compile(
    rf"(?:\bv(?P<v>\d+(?:\.\d+)+)\b|\b(?P<sw>{_SOFTWARE}\s)(?P<named>\d+(?:\.\d+)+)(?![\d.]\d)"
    rf"|(?<![\w.])(?P<three>\d+\.\d+\.\d+)(?![\w]|\.\d))"
)


def versions(text: str, loc: Locale) -> str:
    """v2.0 -> 'version two point zero'; Python 3.11 -> 'three point eleven'; 1.4.2."""

    def say(match: re.Match[str]) -> str:
        written = match["v"] or match["named"] or match["three"]
        spoken = " point ".join(loc.cardinal(int(p)) for p in written.split("."))
        if match["v"]:
            return f"version {spoken}"
        return (match["sw"] or "") + spoken

    return _VERSION.sub(say, text)
