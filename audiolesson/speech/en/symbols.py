"""Symbols left after the other rules: &, @, #, ~, →, leading ≈ < ≥, slashes between words."""

from __future__ import annotations

import re

from .._marks import spell
from .maths import GREEK, SYMBOLS

__all__ = ["KNOWN", "hex_colours", "symbols", "tidy"]

_HEX = re.compile(r"(?<![\w&])#(?P<hex>[0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})\b")
_HEX_DIGITS = {
    str(d): w for d, w in enumerate("zero one two three four five six seven eight nine".split())
}
# A symbol before a quantity, with nothing on its left to compare: "~300", "≈ 343", "< 5%".
_LEADING = {
    "~": "about",
    "≈": "approximately",
    "<": "less than",
    ">": "more than",
    "≤": "at most",
    "≥": "at least",
    "±": "plus or minus",
}
_LEADING_RE = re.compile(r"(?P<sym>[~≈<>≤≥±])\s?(?=[\w\u0080-\uffff])")
_WORDS = {
    "&": " and ",
    "@": " at ",
    "→": " leads to ",
    "⇒": " implies ",
    "⟶": " leads to ",
    "⇔": " if and only if ",
    "×": " times ",
    "÷": " divided by ",
    "=": " equals ",
    "≠": " is not equal to ",
    "°": " degrees ",
    "%": " percent ",
    "§": " section ",
    "∞": " infinity ",
    "∴": " therefore ",
    "∵": " because ",
    "√": " root ",
    "+": " plus ",
    "−": " minus ",
    "©": " copyright ",
    "∀": " for all ",
    "∃": " there exists ",
    "∄": " there is no ",
    "∅": " the empty set ",
    "∘": " composed with ",
    "✓": " check ",
    "✔": " check ",
    "✗": " cross ",
    "…": "...",
    "·": " ",
}
_WORD_SLASH = re.compile(r"\b(?P<a>[A-Za-z]{2,})/(?P<b>[A-Za-z]{2,})\b")
# "$" left here is LaTeX ("$x^2$") or a stray sign: money was read before.
_DROPPED = re.compile(r"[*_^|\\{}\[\]<>~#™®•¶†‡$]")


#: Symbols some rule reads or drops on purpose; `check --unsure` lists any other.
KNOWN = frozenset(
    "".join(_LEADING)
    + "".join(_WORDS)
    + "*_^|\\{}[]<>~#™®•¶†‡$"
    + "".join(GREEK)
    + "".join(SYMBOLS)
    + "£€₹¥¢°℃µΩ+-−=<>±×÷·⋅′″‰⇌⇄"
)


def hex_colours(text: str) -> str:
    """#FF0000 -> 'hex F F zero zero zero zero' (before other rules take the digits apart)."""
    return _HEX.sub(
        lambda m: "hex " + " ".join(_HEX_DIGITS.get(c, spell(c.upper())) for c in m["hex"]), text
    )


def symbols(text: str) -> str:
    """Say the symbols a listener needs; drop the ones only a reader needs (*, _, [ ])."""
    text = re.sub(r"#(?=\d)", "number ", text)
    text = _LEADING_RE.sub(lambda m: _LEADING[m["sym"]] + " ", text)
    text = _WORD_SLASH.sub(
        lambda m: f"{m['a']} {'' if m['a'].lower() == 'and' else 'or '}{m['b']}".replace("  ", " "),
        text,
    )
    for symbol, words in _WORDS.items():
        text = text.replace(symbol, words)
    text = "".join(f" {GREEK[c]} " if c in GREEK else c for c in text)
    return _DROPPED.sub(" ", text)


def tidy(text: str) -> str:
    """One space between words, none before punctuation."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,.;:!?)])", r"\1", text)
    text = re.sub(r"\b([ap])\.m\.\.", r"\1.m.", text)
    return re.sub(r"\(\s+", "(", text)
