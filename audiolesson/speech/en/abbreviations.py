"""Abbreviations (e.g., Fig., Dr.), inline code (model.fit(), learning_rate), version numbers."""

from __future__ import annotations

import re

from .._marks import spell
from .words import cardinal

__all__ = ["ABBREVIATIONS", "abbreviations", "code", "versions"]

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
    "Dr.": "Doctor",
    "Prof.": "Professor",
    "approx.": "approximately",
    "Approx.": "Approximately",
    "Mr.": "Mister",
    "Mrs.": "Missus",
    "Mt.": "Mount",
    "St.": "Saint",
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
}
# Abbreviations that only stand before a number: "No. 5", "p. 12", "c. 1215".
_BEFORE_NUMBER = {"No.": "number", "no.": "number", "p.": "page", "c.": "circa", "Nos.": "numbers"}
# These may end a sentence, and then their full stop ends it too.
_FINAL = {"etc.", "et al.", "approx.", "resp.", "incl.", "Inc.", "Ltd.", "Jr.", "Sr.", "vs."}
_ABBREVIATION = re.compile(
    r"(?<![\w.])(?:"
    + "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True))
    + r")(?![\w/])"
)
_NUMBERED = re.compile(
    r"(?<![\w.])(?P<a>" + "|".join(re.escape(a) for a in _BEFORE_NUMBER) + r")\s?(?=\d)"
)


def abbreviations(text: str) -> str:
    """'e.g.' -> 'for example', 'Fig. 3' -> 'Figure 3', 'No. 5' -> 'number 5'."""

    def expand(match: re.Match[str]) -> str:
        written = match.group()
        spoken = ABBREVIATIONS[written]
        rest = match.string[match.end() :]
        if written in _FINAL and (not rest.strip() or re.match(r"\s+[A-Z]", rest)):
            spoken += "."
        return spoken

    text = _NUMBERED.sub(lambda m: _BEFORE_NUMBER[m["a"]] + " ", text)
    return _ABBREVIATION.sub(expand, text)


# File extensions a teacher says as a word; the others are spelled ("C S V").
_EXTENSIONS = {"json": "jason", "com": "com", "org": "org", "net": "net", "edu": "edu", "io": "I O"}
_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
_DOTTED = re.compile(
    rf"(?<![\w.@/])(?P<name>{_IDENTIFIER}(?:\.{_IDENTIFIER})+)(?P<call>\((?P<args>[^()]*)\))?(?![\w(])"
)
_SNAKE = re.compile(
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

    text = _DOTTED.sub(dotted, text)
    text = _DUNDER.sub(lambda m: "dunder " + m["name"], text)
    text = _SNAKE.sub(lambda m: m["name"].replace("_", " "), text)
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


def versions(text: str) -> str:
    """v2.0 -> 'version two point zero'; Python 3.11 -> 'three point eleven'; 1.4.2."""

    def say(match: re.Match[str]) -> str:
        written = match["v"] or match["named"] or match["three"]
        spoken = " point ".join(cardinal(int(p)) for p in written.split("."))
        if match["v"]:
            return f"version {spoken}"
        return (match["sw"] or "") + spoken

    return _VERSION.sub(say, text)
