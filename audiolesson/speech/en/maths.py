"""Maths: scientific notation, expressions (x² − 5x + 6 = 0, F = ma), powers, roots, Greek letters.

Expressions are found as chains of terms joined by operators; a chain is read only when it looks
like maths (a number, a single-letter variable, a Greek letter or a power takes part), so prose
such as "input/output" or "well-known" is left to the later rules.
"""

from __future__ import annotations

import re

from .._marks import letter, spell
from .units import UNIT_AFTER, say_unit
from .words import NUMBER, cardinal, fraction, number, ordinal

__all__ = ["GREEK", "expressions", "power_phrase", "scientific", "terms"]

GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "ϵ": "epsilon",
    "ζ": "zeta",
    "η": "eta",
    "θ": "theta",
    "ϑ": "theta",
    "ι": "iota",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "µ": "mu",
    "ν": "nu",
    "ξ": "xi",
    "ο": "omicron",
    "π": "pi",
    "ρ": "rho",
    "σ": "sigma",
    "ς": "sigma",
    "τ": "tau",
    "υ": "upsilon",
    "φ": "phi",
    "ϕ": "phi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
    "Γ": "gamma",
    "Δ": "delta",
    "Θ": "theta",
    "Λ": "lambda",
    "Ξ": "xi",
    "Π": "pi",
    "Σ": "sigma",
    "Φ": "phi",
    "Ψ": "psi",
    "Ω": "omega",
    # number sets, read as their letters ("x ∈ ℝⁿ": "x in R to the n")
    "ℝ": "R",
    "ℕ": "N",
    "ℤ": "Z",
    "ℚ": "Q",
    "ℂ": "C",
}
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ⁿⁱˣ", "0123456789-+nix")
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ", "0123456789aeoxhklmnpstij")
_FRACTIONS = {
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
_FUNCTIONS = {
    "sin": "sine",
    "cos": "cos",
    "tan": "tan",
    "log": "log",
    "ln": "natural log",
    "exp": "exp",
    "lim": "the limit",
    "max": "max",
    "min": "min",
    "det": "the determinant of",
}
_PREFIXES = {
    "√": "the square root of",
    "∛": "the cube root of",
    "∑": "the sum of",
    "Σ": "the sum of",
    "∫": "the integral of",
    "∂": "partial",
    "Δ": "delta",
    "∇": "the gradient of",
    "∏": "the product of",
}
_HATS = {"\u0302": "hat", "\u0304": "bar", "\u0305": "bar", "\u0307": "dot"}
# Short words that stay words even next to an operator ("x = 2 or 3" is rare, "is = " rarer).
_SHORT_WORDS = frozenset(
    "the and for are but not you all any can had her was one our out day get has him his how new "
    "now old see two way who did its let put say she too use is it in of on or to be by if so up "
    "we do go no my an as me he us".split()
)

# --- scientific notation -------------------------------------------------------------------------

_EXPONENT = r"(?:\^\{?[-−]?\d+\}?|\^\([-−]?\d+\)|[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"
_SCIENTIFIC = re.compile(
    rf"(?<![\w.])(?P<sign>[-−])?(?:(?P<mantissa>{NUMBER})\s?[×x*·]\s?10(?P<exp>{_EXPONENT})"
    rf"|(?P<emantissa>\d+(?:\.\d+)?)[eE](?P<eexp>[-−+]?\d+)(?![\w.])"
    rf"|(?<![\d,])10(?P<bexp>\^\{{?[-−]?\d+\}}?|\^\([-−]?\d+\)|[⁻⁺][⁰¹²³⁴⁵⁶⁷⁸⁹]+))"
)


def power_phrase(exponent: str) -> str:
    """'2' -> 'squared', '8' -> 'to the eighth', '-19' -> 'to the minus nineteen'."""
    raw = exponent.translate(_SUPERSCRIPTS).removeprefix("^").replace("−", "-")
    if raw.startswith(("{", "(")) and raw.endswith(("}", ")")):
        raw = raw[1:-1]
    raw = raw.strip()
    if re.fullmatch(r"[-+]?\d+", raw):
        value = int(raw)
        if value == 2:
            return "squared"
        if value == 3:
            return "cubed"
        if value < 0:
            return "to the minus " + cardinal(-value)
        return "to the " + ordinal(value)
    if re.fullmatch(r"-[A-Za-z]", raw):
        return "to the minus " + letter(raw[1])
    if re.fullmatch(r"[A-Za-z]", raw):
        return "to the " + letter(raw)
    return "to the power of " + _speak_chain(raw, "")


def _say_scientific(match: re.Match[str]) -> str:
    sign = "minus " if match["sign"] else ""
    if match["bexp"]:
        spoken = f"{sign}ten {power_phrase(match['bexp'])}"
    else:
        mantissa = match["mantissa"] or match["emantissa"]
        exponent = match["exp"] or "^" + match["eexp"].replace("+", "")
        # "1e-4" is read "ten to the minus four", not "one times ten to the minus four"
        head = "" if mantissa in ("1", "1.0") else f"{number(mantissa)} times "
        spoken = f"{sign}{head}ten {power_phrase(exponent)}"
    return spoken


def scientific(text: str) -> str:
    """3 × 10⁸, 1.6e-19, 10^-3 (and a unit after them: '1.6e-19 C') in words."""
    out: list[str] = []
    position = 0
    for match in _SCIENTIFIC.finditer(text):
        out.append(text[position : match.start()])
        out.append(_say_scientific(match))
        position = match.end()
        unit = UNIT_AFTER.match(text, position)
        if unit:
            out.append(" " + say_unit(unit["unit"], True))
            position = unit.end()
    out.append(text[position:])
    return "".join(out)


# --- expressions ---------------------------------------------------------------------------------

_GREEK = "[" + "".join(GREEK) + "]"
# letters, the marked letter a (from an earlier rule), and hats or bars over them
_LETTERS = r"[A-Za-z\ue0a1\ue0a2](?:[A-Za-z]|[\u0302\u0304\u0305\u0307])*+"
_GROUP = r"\((?:[^()]|\([^()]*\))*\)"
_VULGAR = "[" + "".join(_FRACTIONS) + "]"
_POST = (
    r"(?:[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ⁿⁱˣ]+|\^(?:\{[^{}]*\}|" + _GROUP + r"|[-−]?[\w.]+)"
    r"|[₀₁₂₃₄₅₆₇₈₉ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ]+|_(?:\{[^{}]*\}|[A-Za-z0-9])|(?<![A-Za-z]{2})!(?=\s*[=+\-−×)]|\s*$)|'+)"
)
# Hyphenated words are one atom: "fine-tuning", "X-ray".
# Atomic (?>...) and possessive ++: a run of digits or letters is split into atoms one way only,
# so a long number that is not maths fails fast instead of backtracking through every split.
_ATOM = rf"(?>{NUMBER}|{_VULGAR}|{_LETTERS}(?:-[A-Za-z]{{2,}})*|{_GREEK}|{_GROUP})"
_FUNCTION = r"(?:sin|cos|tan|log|ln|exp)(?:[₀₁₂₃₄₅₆₇₈₉]+|_\d+)?\s(?=[\w(" + "".join(GREEK) + "])"
_PREFIX = r"(?:[√∛∑Σ∫∂∇∏]\s?|Δ(?=\w)|" + _FUNCTION + ")"
_TERM = rf"(?:(?:{_PREFIX})*+{_ATOM}{_POST}*+)++"
_OPERATORS = {
    "==": "double equals",
    "!=": "not equals",
    "+=": "plus equals",
    "-=": "minus equals",
    "<=": "≤",
    ">=": "≥",
    "=>": "⇒",
    "->": "→",
    "**": "to the power of",
    "+/-": "±",
    "=": "equals",
    "≠": "not equal to",
    "<": "less than",
    ">": "greater than",
    "≤": "less than or equal to",
    "≥": "greater than or equal to",
    "±": "plus or minus",
    "∓": "minus or plus",
    "×": "times",
    "÷": "divided by",
    "−": "minus",
    "-": "minus",
    "+": "plus",
    "*": "times",
    "/": "over",
    "·": "times",
    "⋅": "times",
    "≈": "approximately",
    "⇒": "implies",
    "←": "becomes",
    "⇔": "if and only if",
    "↔": "if and only if",
    "→": "leads to",
    "∝": "proportional to",
    "∈": "in",
    "∉": "not in",
    "≡": "equivalent to",
    "∩": "intersect",
    "∪": "union",
    "⊂": "a subset of",
    "⊆": "a subset of",
    "%": "mod",
}
_RELATIONS = {"≠", "<", ">", "≤", "≥", "≈", "∝", "∈", "∉", "≡", "⊂", "⊆"}
_OPERATOR = "(?:" + "|".join(re.escape(o) for o in sorted(_OPERATORS, key=len, reverse=True)) + ")"
_CHAIN = re.compile(
    rf"(?<![\w.'’]){_TERM}(?:\s*{_OPERATOR}\s*(?:[−-](?=[\w(√]))?{_TERM})+(?![\w'’])"
)
_PIECES = re.compile(rf"\s*({_OPERATOR})\s*")
# Words before an expression that make it a clause, so a relation is read "x is greater than 3".
_CLAUSE = re.compile(
    r"(?:^|[.!?:;,(]\s*|\b(?:[Tt]hat|[Ww]hen|[Ii]f|[Ss]ince|[Bb]ecause|[Ss]o|[Ww]here|[Ww]hile|"
    r"[Tt]hen|[Uu]nless|[Ww]henever|[Tt]herefore|implies|[Hh]ence|[Tt]hus)\s+)$"
)


def _mathy(term: str) -> bool:
    """Whether a term is clearly maths: a number, one letter, Greek, a power, a root..."""
    if re.fullmatch(r"[A-Za-z]+(?:-[A-Za-z]+)*", term):
        return len(term) == 1
    return True


def _short_run(word: str, chain_is_maths: bool) -> bool:
    return chain_is_maths and len(word) <= 3 and word.lower() not in _SHORT_WORDS


def _speak_atom(atom: str, maths: bool) -> str:
    if atom in _FRACTIONS:
        return fraction(*_FRACTIONS[atom])
    if atom in GREEK:
        return GREEK[atom]
    if re.fullmatch(NUMBER, atom):
        return number(atom)
    if atom.startswith("("):
        return _speak_chain(atom[1:-1], "")
    # letters, maybe with hats: "ŷ" (y + U+0302) -> "y hat"; "mx" -> "m x"; "speed" stays
    marks = [(i, _HATS[c]) for i, c in enumerate(atom) if c in _HATS]
    plain = "".join(c for c in atom if c not in _HATS)
    if plain in _FUNCTIONS:
        return _FUNCTIONS[plain]
    if len(plain) == 1 or _short_run(plain, maths):
        spoken = spell(plain)
        return spoken + "".join(f" {name}" for _, name in marks)
    return plain


_TOKENS = re.compile(
    rf"(?P<prefix>[√∛∑Σ∫∂∇∏]|Δ(?=\w))|(?P<function>(?:sin|cos|tan|log|ln|exp)(?![a-z]))"
    rf"|(?P<atom>{_ATOM})|(?P<post>{_POST})|(?P<space>\s+)"
)


def _speak_term(term: str, maths: bool) -> str:
    words: list[str] = []
    previous = ""  # kind of the previous token: "name" (letter/function/Greek), "number", "group"
    for token in _TOKENS.finditer(term):
        kind = token.lastgroup
        value = token.group()
        if kind == "space":
            continue
        if kind == "prefix":
            if previous in ("name", "number", "group") and _PREFIXES[value].startswith("the "):
                words.append("times")  # "η∇L": "eta times the gradient of L"
            words.append(_PREFIXES[value])
            previous = "prefix"
        elif kind == "function":
            words.append(_FUNCTIONS[value])
            previous = "function"
        elif kind == "atom":
            if value.startswith("("):
                inner = _speak_chain(value[1:-1], "")
                if previous in ("name", "function"):
                    words.append("of " + inner)
                elif previous == "number":
                    words.append("times " + inner)
                else:
                    words.append(inner)
                previous = "group"
            else:
                words.append(_speak_atom(value, maths))
                previous = "number" if value[0].isdigit() else "name"
        else:
            words.append(_speak_post(value, previous, words))
    return " ".join(w for w in words if w)


def _speak_post(post: str, previous: str, words: list[str]) -> str:
    if post.startswith("!"):
        return "factorial"
    if post.startswith("'"):
        return " ".join("prime" for _ in post)
    if post.startswith("_") or post[0] in "₀₁₂₃₄₅₆₇₈₉ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ":
        sub = post.lstrip("_").strip("{}").translate(_SUBSCRIPTS)
        spoken = cardinal(int(sub)) if sub.isdigit() else spell(sub)
        if words and words[-1] == "log":
            return "base " + spoken
        return spoken
    phrase = power_phrase(post)
    return (", all " + phrase) if previous == "group" else phrase


def _is_plain_word(term: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z]+(?:[-'][A-Za-z]+)*", term)) and len(term) > 1


def _split(chain: str) -> tuple[list[str], list[str]]:
    """Terms and the operators between them, outside parentheses."""
    terms: list[str] = []
    operators: list[str] = []
    start = 0
    for match in _PIECES.finditer(chain):
        head = chain[: match.start()]
        if head.count("(") != head.count(")") or head.count("|") % 2:
            continue
        terms.append(chain[start : match.start()])
        operators.append(match.group(1))
        start = match.end()
    terms.append(chain[start:])
    return terms, operators


def _speak_chain(chain: str, before: str, after: str = "") -> str:
    """Read one expression; the text around it decides 'is', 'Let ... equal' and '3 by 3 grid'."""
    terms, operators = _split(chain)
    maths = any(_mathy(t) for t in terms if t)
    words: list[str] = []
    clause = bool(_CLAUSE.search(before))
    let = bool(re.search(r"\b[Ll]et\s+$", before))
    # "a 3 × 3 grid" is a size: "three by three grid"
    size = set(operators) == {"×"} and all(re.fullmatch(NUMBER, t) for t in terms)
    size = size and bool(re.match(r"\s[a-z]", after))
    for index, term in enumerate(terms):
        if term:
            words.append(_speak_term(term, maths))
        if index >= len(operators):
            break
        op = _OPERATORS[operators[index]]
        op = _OPERATORS.get(op, op)  # "<=" -> "≤" -> words
        symbol = operators[index] if operators[index] not in ("<=", ">=") else op
        if symbol == "=" and let:
            op, let = "equal", False
        elif symbol in _RELATIONS or operators[index] in ("<=", ">="):
            op = _OPERATORS[symbol] if symbol in _OPERATORS else op
            if symbol == "≈":
                op = "approximately"
            if clause:
                op = "is " + op
        elif symbol in ("→", "->"):
            right = terms[index + 1] if index + 1 < len(terms) else ""
            if len(term) == 1 and term.isalpha() and (_mathy(right) or right == "∞"):
                op = "approaches"
        elif symbol == "/" and (_is_plain_word(term) and not _short_run(term, maths)):
            op = "divided by"
        elif symbol == "×" and size:
            op = "by"
        if symbol in ("⇒", "=>", "⇔", "↔"):
            clause = True
        elif symbol in _RELATIONS:
            clause = False
        words.append(op)
    return " ".join(w for w in words if w)


def _worth_reading(chain: str) -> bool:
    """Whether a chain is maths rather than prose that happens to hold an operator."""
    terms, operators = _split(chain)
    maths = any(_mathy(t) for t in terms)
    for index, op in enumerate(operators):
        left, right = terms[index], terms[index + 1]
        spaced = f" {op} " in chain or f" {op}" in chain
        if op in ("-", "/") and not spaced:
            simple = all(re.fullmatch(NUMBER, t) or len(t) == 1 for t in (left, right))
            if op == "-" and not (simple and len(operators) > 1):
                return False  # "11-14" is a range, "GPT-4" a name, "64-bit" a word
            both_numbers = re.fullmatch(NUMBER, left) and re.fullmatch(NUMBER, right)
            if both_numbers and "=" not in operators:
                return False  # "1/3" is a fraction: a later rule reads it
            if _is_plain_word(left) and _is_plain_word(right) and "=" not in operators:
                return False  # "input/output"
        if op == "-" and spaced and (not maths or _is_plain_word(left) or _is_plain_word(right)):
            return False  # a dash: "15.1 - What are...", "fast - and cheap"
        if op in ("*", "%", "<", ">") and not maths and op not in ("<", ">"):
            return False
    return True


def expressions(text: str) -> str:
    """Derivatives, absolute values, integrals and every expression chain, in words."""
    text = _DERIVATIVE.sub(_say_derivative, text)
    text = _ABSOLUTE.sub(lambda m: "the absolute value of " + m.group(1), text)
    text = _INTEGRAL.sub(_say_integral, text)
    text = _TIMES_FASTER.sub(r"\1 times", text)
    text = _GROUPS.sub(_say_groups, text)

    def chain(match: re.Match[str]) -> str:
        if not _worth_reading(match.group()):
            return match.group()
        return _speak_chain(
            match.group(), match.string[: match.start()], match.string[match.end() :]
        )

    return _CHAIN.sub(chain, text)


_STANDALONE = re.compile(
    rf"(?<![\w.'’])(?:(?:{_PREFIX})+(?:{_ATOM}{_POST}*+)++"
    rf"|(?:{_ATOM})++(?:[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ⁿⁱˣ]+|\^(?:\{{[^{{}}]*\}}|{_GROUP}|[-−]?[\w.]+)"
    rf"|[₀₁₂₃₄₅₆₇₈₉ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ]+)(?:{_ATOM}{_POST}*+)*+"
    rf"|{NUMBER}(?:{_LETTERS}|{_GREEK})++{_POST}*+(?:{_ATOM}{_POST}*+)*+"
    rf"|{_GREEK}++{_POST}*+(?:{_ATOM}{_POST}*+)*+"
    rf"|[A-Za-z]{_GROUP}|{_VULGAR}(?:{_LETTERS}{_POST}*+)*+)(?![\w'’])"
)


def terms(text: str) -> str:
    """Maths outside expressions: x², 2πr, √2, Σx, f(x), θ, ½mv² on their own."""

    def term(match: re.Match[str]) -> str:
        value = match.group()
        if re.fullmatch(r"\d+[a-z]{2,}", value):  # "10am", "4th": other rules' business
            return value
        return _speak_term(value, True)

    return _STANDALONE.sub(term, text)


_DERIVATIVE = re.compile(
    r"(?<![\w])(?P<d>[d∂])(?P<order>[²³])?(?P<y>[A-Za-z])\s?/\s?(?P=d)(?P<x>[A-Za-z])(?P<p>[²³])?"
    r"(?![\w])"
)


def _say_derivative(match: re.Match[str]) -> str:
    d = "d" if match["d"] == "d" else "partial"
    order = f" {cardinal(int(match['order'].translate(_SUPERSCRIPTS)))}" if match["order"] else ""
    power = f" {power_phrase(match['p'])}" if match["p"] else ""
    return f"{d}{order} {letter(match['y'])} by {d} {letter(match['x'])}{power}"


# A product of bracketed expressions: "(x − 1)(x + 1)", maybe squared: "(a + b)(a − b)²".
_GROUPS = re.compile(rf"(?<![\w)])(?:{_GROUP}){{2,}}{_POST}*(?![\w(])")


def _say_groups(match: re.Match[str]) -> str:
    groups = re.findall(_GROUP, match.group())
    if not all(_PIECES.search(g[1:-1]) for g in groups):
        return match.group()  # "(see above)(twice)": not maths
    spoken = ", times ".join(_speak_chain(g[1:-1], "") for g in groups)
    tail = match.group()[sum(map(len, groups)) :]
    return spoken + (f", all {power_phrase(tail)}" if tail else "")


_ABSOLUTE = re.compile(r"\|([^|\n]{1,40})\|")
_INTEGRAL = re.compile(r"∫\s?(?P<body>[^∫\n]{1,60}?)\s?d(?P<x>[a-z])\b")
_TIMES_FASTER = re.compile(
    r"\b(\d+)x(?=\s+(?:faster|slower|more|less|larger|smaller|bigger|better|higher|lower|as|"
    r"every|the|cheaper|fewer|greater|longer|shorter|speedup|improvement|increase|over)\b)"
)


def _say_integral(match: re.Match[str]) -> str:
    body = match["body"].strip()
    return f"the integral of {body} d {letter(match['x'])}"
