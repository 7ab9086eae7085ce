"""Chemical formulas, ions and equations: H₂O, 6CO₂ + 6H₂O → C₆H₁₂O₆ + 6O₂, SO₄²⁻, NaCl(aq)."""

from __future__ import annotations

import re

from .._marks import spell
from .words import cardinal

__all__ = ["chemistry", "is_formula"]

_ELEMENTS = frozenset(
    "H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se "
    "Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb "
    "Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm "
    "Bk Cf Es Fm Md No Lr".split()
)
# Words that parse as element symbols but are something else in course text.
_NOT_FORMULAS = frozenset(
    {"NaN", "HeLa", "CoV", "BaSe", "B2B", "B2C", "C2C", "P2P", "D2C", "WW1", "WW2"}
)
_SUB = "₀₁₂₃₄₅₆₇₈₉"
_SUBSCRIPTS = str.maketrans(_SUB, "0123456789")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-")
_STATES = {"aq": "aqueous", "s": "solid", "l": "liquid", "g": "gas"}
_GROUP_TIMES = {2: "twice", 3: "three times", 4: "four times"}

_SYMBOL = r"[A-Z][a-z]?"
_COUNT = rf"(?:[{_SUB}]+|\d+)"
_UNIT = rf"(?:{_SYMBOL}{_COUNT}?|\((?:{_SYMBOL}{_COUNT}?)+\){_COUNT}?)"
_CHARGE = r"(?:[⁰¹²³⁴⁵⁶⁷⁸⁹]*[⁺⁻])"
_FORMULA = rf"(?=\d*[A-Z])(?:\d+(?=[A-Z(]))?(?>{_UNIT})++{_CHARGE}?(?:\((?:aq|s|l|g)\))?"
_FORMULA_RE = re.compile(rf"(?<![\w-]){_FORMULA}(?![\w])")
_ARROWS = {
    "→": "yields",
    "->": "yields",
    "⟶": "yields",
    "⇌": "is in equilibrium with",
    "⇄": "is in equilibrium with",
    "=": "yields",
}
_EQUATION = re.compile(
    rf"(?<![\w-])(?P<eq>{_FORMULA}(?:\s*(?:\+|→|->|⟶|⇌|⇄)\s*{_FORMULA})+)(?![\w])"
)
_PARTS = re.compile(
    r"(\d+)(?=[A-Z(])|(\()|(\))([₀-₉\d]*)|([A-Z][a-z]?)([₀-₉\d]*)|([⁰¹²³⁴⁵⁶⁷⁸⁹]*[⁺⁻])"
)


def _parses(formula: str, clearly: bool = True) -> bool:
    """Every symbol is an element and (if `clearly`) it has a count, a charge or mixed case."""
    core = re.sub(r"\((?:aq|s|l|g)\)$", "", formula)
    core = re.sub(r"^\d+", "", core)
    if core in _NOT_FORMULAS:
        return False
    symbols = re.findall(r"[A-Z][a-z]?", core)
    if not symbols or "".join(symbols) != re.sub(r"[^A-Za-z]", "", core):
        return False
    if not all(s in _ELEMENTS for s in symbols):
        return False
    if not clearly:
        return True
    counted = bool(re.search(rf"[{_SUB}⁺⁻]|[A-Za-z)]\d", core))
    mixed = len(symbols) >= 2 and any(len(s) == 2 for s in symbols)
    return counted or mixed


def is_formula(word: str) -> bool:
    """Whether a word reads as a chemical formula ("CO2", "NaCl", "H2O")."""
    return bool(_FORMULA_RE.fullmatch(word)) and _parses(word)


def _say_formula(formula: str) -> str:
    state = re.search(r"\((aq|s|l|g)\)$", formula)
    if state:
        formula = formula[: state.start()]
    words: list[str] = []
    group_start: list[int] = []
    for match in _PARTS.finditer(formula):
        coefficient, opening, closing, group_count, symbol, count, charge = match.groups()
        if coefficient:
            words.append(cardinal(int(coefficient)))
        elif opening:
            group_start.append(len(words))
        elif closing:
            group_start.pop()
            n = int(group_count.translate(_SUBSCRIPTS) or "1")
            if n > 1:
                words.append(_GROUP_TIMES.get(n, f"{cardinal(n)} times"))
        elif symbol:
            words.append(spell(symbol.upper()))
            if count:
                words.append(cardinal(int(count.translate(_SUBSCRIPTS))))
        elif charge:
            size = charge[:-1].translate(_SUPERSCRIPTS)
            sign = "plus" if charge.endswith("⁺") else "minus"
            words.append(f"{cardinal(int(size))} {sign}" if size else sign)
    if state:
        words.append(_STATES[state.group(1)])
    return " ".join(words)


def chemistry(text: str) -> str:
    """Reactions ('yields'), formulas ('C six H twelve O six'), ions and state symbols."""

    def equation(match: re.Match[str]) -> str:
        parts = re.split(r"\s*(\+|→|->|⟶|⇌|⇄)\s*", match["eq"])
        formulas, ops = parts[0::2], parts[1::2]
        # "Zn + 2HCl → ...": a lone symbol counts as a formula beside clear ones
        valid = all(_parses(f, clearly=False) for f in formulas) and any(map(_parses, formulas))
        if not valid or not any(o != "+" for o in ops):
            return match.group()
        words = [_say_formula(formulas[0])]
        for op, formula in zip(ops, formulas[1:], strict=True):
            words += ["plus" if op == "+" else _ARROWS[op], _say_formula(formula)]
        return " ".join(words)

    text = _EQUATION.sub(equation, text)
    return _FORMULA_RE.sub(
        lambda m: _say_formula(m.group()) if _parses(m.group()) else m.group(), text
    )
