"""Notation read before the expression chains: scientific notation, derivatives, integrals,
absolute values, limits, products of brackets, Σ as a name, multipliers (4x) and factorials."""

from __future__ import annotations

import re

from .._marks import letter
from .locale import Locale
from .maths import PIECES, POSTFIX, power_phrase, speak_chain
from .units import UNIT_AFTER, say_unit
from .words import NUMBER

__all__ = ["notation", "scientific"]

_SUPERSCRIPTS = str.maketrans("²³", "23")

# --- scientific notation -------------------------------------------------------------------------

_EXPONENT = r"(?:\^\{?[-−]?\d+\}?|\^\([-−]?\d+\)|[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"
_SCIENTIFIC = re.compile(
    rf"(?<![\w.])(?P<sign>[-−])?(?:(?P<mantissa>{NUMBER})\s?[×x*·]\s?10(?P<exp>{_EXPONENT})"
    rf"|(?P<emantissa>\d+(?:\.\d+)?)[eE](?P<eexp>[-−+]?\d+)(?!\w|\.\d)"
    rf"|(?<![\d,])10(?P<bexp>\^\{{?[-−]?\d+\}}?|\^\([-−]?\d+\)|[⁻⁺][⁰¹²³⁴⁵⁶⁷⁸⁹]+))"
)


def _say_scientific(match: re.Match[str], loc: Locale) -> str:
    sign = f"{loc.minus} " if match["sign"] else ""
    if match["bexp"]:
        return f"{sign}ten {power_phrase(match['bexp'], loc)}"
    mantissa = match["mantissa"] or match["emantissa"]
    exponent = match["exp"] or "^" + match["eexp"].replace("+", "")
    # "1e-4" is read "ten to the minus four", not "one times ten to the minus four"
    head = "" if mantissa in ("1", "1.0") else f"{loc.number(mantissa)} times "
    return f"{sign}{head}ten {power_phrase(exponent, loc)}"


def scientific(text: str, loc: Locale) -> str:
    """3 × 10⁸, 1.6e-19, 10^-3 (and a unit after them: '1.6e-19 C') in words."""
    out: list[str] = []
    position = 0
    for match in _SCIENTIFIC.finditer(text):
        out.append(text[position : match.start()])
        out.append(_say_scientific(match, loc))
        position = match.end()
        unit = UNIT_AFTER.match(text, position)
        if unit:
            out.append(" " + loc.spell_units(say_unit(unit["unit"], True)))
            position = unit.end()
    out.append(text[position:])
    return "".join(out)


# --- notation before the chains ------------------------------------------------------------------

_DERIVATIVE = re.compile(
    r"(?<![\w])(?P<d>[d∂])(?P<order>[²³])?(?P<y>[A-Za-z])\s?/\s?(?P=d)(?P<x>[A-Za-z])(?P<p>[²³])?"
    r"(?![\w])"
)


def _say_derivative(match: re.Match[str], loc: Locale) -> str:
    d = "d" if match["d"] == "d" else "partial"
    order = (
        f" {loc.cardinal(int(match['order'].translate(_SUPERSCRIPTS)))}" if match["order"] else ""
    )
    power = f" {power_phrase(match['p'], loc)}" if match["p"] else ""
    by = " by" if loc.derivative_by else ""  # en-GB "d y by d x", en-US "d y d x"
    return f"{d}{order} {letter(match['y'])}{by} {d} {letter(match['x'])}{power}"


_GROUP = r"\((?:[^()]|\([^()]*\))*\)"
# A product of bracketed expressions: "(x − 1)(x + 1)", maybe squared: "(a + b)(a − b)²".
_GROUPS = re.compile(rf"(?<![\w)])(?:{_GROUP}){{2,}}{POSTFIX}*(?![\w(])")


def _say_groups(match: re.Match[str], loc: Locale) -> str:
    groups = re.findall(_GROUP, match.group())
    if not all(PIECES.search(g[1:-1]) for g in groups):
        return match.group()  # "(see above)(twice)": not maths
    spoken = ", times ".join(speak_chain(g[1:-1], "", loc) for g in groups)
    tail = match.group()[sum(map(len, groups)) :]
    return spoken + (f", all {power_phrase(tail, loc)}" if tail else "")


_ABSOLUTE = re.compile(r"\|([^|\n]{1,40})\|")
_INTEGRAL = re.compile(r"∫\s?(?P<body>[^∫\n]{1,60}?)\s?d(?P<x>[a-z])\b")
_TIMES_FASTER = re.compile(
    r"\b(\d+(?:\.\d+)?)[x×](?=\s+(?:faster|slower|more|less|larger|smaller|bigger|better|higher|"
    r"lower|as|every|the|cheaper|fewer|greater|longer|shorter|speedup|improvement|increase|"
    r"over|compression|reduction|zoom)\b)"
)
# "cuts memory by about 4x", "at least 2x": a multiplier after words that measure a change
_MULTIPLIER = re.compile(
    r"\b(?P<pre>(?:by|about|roughly|nearly|almost|around|over|than|least|most|to|a)\s+)"
    r"(?P<n>\d+(?:\.\d+)?)[x×](?![\w(²³^'’])(?!\s*[-+=−×*/^])"
)
# "lim_{x→0}", "lim_(n→∞)", "lim x→0": the limit as x approaches zero of ...
_LIMIT = re.compile(
    r"\blim(?:_\{(?P<a>[^{}]{1,30})\}|_\((?P<b>[^()]{1,30})\)"
    r"|[_\s](?P<c>[A-Za-z]\s?(?:→|->|\\to)\s?[^\s,;]{1,12}?))(?=[\s,;]|$)\s*"
)
# "Σ is the covariance matrix", "Σ⁻¹", "Σ = UDVᵀ": Σ as a matrix's name, not a sum
_SIGMA_NAME = re.compile(
    r"Σ(?:(?P<inverse>⁻¹|\^\{?[-−]1\}?)|(?=\s+[a-z]{2,}\b|\s*[,.;:!?)=]|\s*$))"
)
_FACTORIAL = re.compile(r"(?<![\w.!])(?P<n>\d+|[a-z])!(?=\s+[a-z(]|\s*[=+×·*])")


def notation(text: str, loc: Locale) -> str:
    """Limits, derivatives, absolute values, integrals, products of brackets, Σ as a name,
    multipliers and factorials, in words, before the chains are read."""
    text = _SIGMA_NAME.sub(lambda m: "sigma inverse" if m["inverse"] else "sigma", text)

    def limit(match: re.Match[str]) -> str:
        inner = (match["a"] or match["b"] or match["c"]).replace("\\to", "→")
        return f"the limit as {speak_chain(inner, '', loc)} of "

    text = _LIMIT.sub(limit, text)
    text = _DERIVATIVE.sub(lambda m: _say_derivative(m, loc), text)
    text = _ABSOLUTE.sub(lambda m: "the absolute value of " + m.group(1), text)
    text = _INTEGRAL.sub(lambda m: f"the integral of {m['body'].strip()} d {letter(m['x'])}", text)
    text = _TIMES_FASTER.sub(r"\1 times", text)
    text = _MULTIPLIER.sub(lambda m: f"{m['pre']}{m['n']} times", text)
    text = _GROUPS.sub(lambda m: _say_groups(m, loc), text)
    return _FACTORIAL.sub(lambda m: f"{m['n']} factorial", text)
