"""Maths: expressions (x² − 5x + 6 = 0, F = ma), powers, roots, functions, Greek letters.

Expressions are found as chains of terms joined by operators; a chain is read only when it looks
like maths (a number, a single-letter variable, a Greek letter or a power takes part), so prose
such as "input/output" or "well-known" is left to the later rules. notation.py reads what comes
before the chains (scientific notation, derivatives, limits, big-O...) with the readers here.
"""

from __future__ import annotations

import re

from .._marks import CAPITAL_A, letter, spell
from .locale import Locale
from .words import NUMBER

__all__ = [
    "GREEK",
    "PIECES",
    "POSTFIX",
    "SYMBOLS",
    "expressions",
    "power_phrase",
    "speak_chain",
    "speak_term",
    "terms",
]

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
#: Functions read before their argument ("sine x", "cosine theta"); ln is a prefix (below).
FUNCTIONS = {
    "sin": "sine",
    "cos": "cosine",
    "tan": "tan",
    "sec": "secant",
    "csc": "cosecant",
    "cot": "cotangent",
    "sinh": "hyperbolic sine",
    "cosh": "hyperbolic cosine",
    "tanh": "tanh",
    "arcsin": "arc sine",
    "arccos": "arc cosine",
    "arctan": "arc tan",
    "log": "log",
    "exp": "exp",
    "lim": "the limit",
    "max": "max",
    "min": "min",
    "argmax": "arg max",
    "argmin": "arg min",
    "det": "the determinant of",
    "tr": "the trace of",
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
    "ln": "the natural log of",
}
_HATS = {"\u0302": "hat", "\u0304": "bar", "\u0305": "bar", "\u0307": "dot"}
# Short words that stay words even next to an operator ("x = 2 or 3" is rare, "is = " rarer).
_SHORT_WORDS = frozenset(
    "the and for are but not you all any can had her was one our out day get has him his how new "
    "now old see two way who did its let put say she too use is it in of on or to be by if so up "
    "we do go no my an as me he us".split()
)
# A capital letter named with a big-O style bound: "O(n log n)" is "big O of n log n".
_BIG = {"O": "big O", "Θ": "big theta", "Ω": "big omega"}

# --- terms ---------------------------------------------------------------------------------------

_GREEK = "[" + "".join(GREEK) + "]"
# letters, the marked letter a (from an earlier rule), and hats or bars over them
_LETTERS = r"[A-Za-z\ue0a1\ue0a2](?:[A-Za-z]|[\u0302\u0304\u0305\u0307])*+"
_GROUP = r"\((?:[^()]|\([^()]*\))*\)"
_VULGAR = "[" + "".join(_FRACTIONS) + "]"
_SUPER = "[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ⁿⁱˣᵀ]"
POSTFIX = (
    rf"(?:{_SUPER}+|\^(?:\{{[^{{}}]*\}}|" + _GROUP + r"|[-−]?[\w.]+)"
    r"|[₀₁₂₃₄₅₆₇₈₉ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ]+|_(?:\{[^{}]*\}|[A-Za-z0-9])|(?<![A-Za-z]{2})!(?=\s*[=+\-−×)]|\s*$)|'+)"
)
# Hyphenated words are one atom: "fine-tuning", "X-ray".
# Atomic (?>...) and possessive ++: a run of digits or letters is split into atoms one way only,
# so a long number that is not maths fails fast instead of backtracking through every split.
_ATOM = rf"(?>{NUMBER}|{_VULGAR}|{_LETTERS}(?:-[A-Za-z]{{2,}})*|{_GREEK}|{_GROUP}|∞)"
_FUNCTION_NAMES = "sinh|cosh|tanh|arcsin|arccos|arctan|sin|cos|tan|sec|csc|cot|log|exp|det|tr"
_FUNCTION = (
    rf"(?:{_FUNCTION_NAMES}|ln)(?:[₀₁₂₃₄₅₆₇₈₉]+|_\d+|_\{{\d+\}})?[²³]?"
    rf"(?:\s(?=[\w(" + "".join(GREEK) + r"])|(?=\())"
)
_PREFIX = r"(?:[√∛∑Σ∫∂∇∏]\s?|Δ(?=\w)|" + _FUNCTION + ")"
# Bounded, possessive repeats: a term is at most 30 atoms, so trying a chain at every start in
# a long run of atoms costs a constant each, not the rest of the run (no quadratic time).
_TERM = rf"(?:(?:{_PREFIX}){{0,6}}+{_ATOM}{POSTFIX}{{0,6}}+){{1,30}}+"
_TAIL = rf"(?:{_ATOM}{POSTFIX}{{0,6}}+){{0,30}}+"
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
#: Every symbol the maths rules read.
SYMBOLS = frozenset("".join(_OPERATORS) + "".join(_PREFIXES) + "∞ᵀ⊤′'!|√∛∜⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ⁿⁱˣ")
_RELATIONS = {"≠", "<", ">", "≤", "≥", "≈", "∝", "∈", "∉", "≡", "⊂", "⊆"}
_OPERATOR = "(?:" + "|".join(re.escape(o) for o in sorted(_OPERATORS, key=len, reverse=True)) + ")"
# A chain may open with a sign after a space or a bracket: "|−5| = 5" is "negative five equals five"
_CHAIN = re.compile(
    rf"(?<![\w.'’])(?:(?<![^\s(])[−-](?=\d))?{_TERM}"
    rf"(?:\s*{_OPERATOR}\s*(?:[−-](?=[\w(√]))?{_TERM})+(?![\w'’])"
)
PIECES = re.compile(rf"\s*({_OPERATOR})\s*")
# Words before an expression that make it a clause, so a relation is read "x is greater than 3".
_CLAUSE = re.compile(
    r"(?:^|[.!?:;,(]\s*|\b(?:[Tt]hat|[Ww]hen|[Ii]f|[Ss]ince|[Bb]ecause|[Ss]o|[Ww]here|[Ww]hile|"
    r"[Tt]hen|[Uu]nless|[Ww]henever|[Tt]herefore|implies|[Hh]ence|[Tt]hus)\s+)$"
)
# Words near "3 × 4" that make it a size ("a 3 × 4 matrix": "three by four")
_SIZED = re.compile(
    r"\b(?:matri(?:x|ces)|grid|array|board|table|image|pixels?|tensor|shape|dimensions?|kernel|"
    r"filter|window|patch|rectangle|room|photo|screen|resolution|layout|tiles?)\b",
    re.IGNORECASE,
)


def _mathy(term: str) -> bool:
    """Whether a term is clearly maths: a number, one letter, Greek, a power, a root..."""
    if re.fullmatch(r"[A-Za-z]+(?:-[A-Za-z]+)*", term):
        return len(term) == 1
    return True


def _short_run(word: str, chain_is_maths: bool) -> bool:
    return chain_is_maths and len(word) <= 3 and word.lower() not in _SHORT_WORDS


def power_phrase(exponent: str, loc: Locale) -> str:
    """'2' -> 'squared', '8' -> 'to the eighth', '-19' -> 'to the minus nineteen'."""
    raw = exponent.translate(_SUPERSCRIPTS).removeprefix("^").replace("−", "-")
    if raw.startswith(("{", "(")) and raw.endswith(("}", ")")):
        raw = raw[1:-1]
    raw = raw.strip()
    if raw in ("ᵀ", "T", "⊤"):
        return "transpose"
    if re.fullmatch(r"[-+]?\d+", raw):
        value = int(raw)
        if value == 2:
            return "squared"
        if value == 3:
            return "cubed"
        if value < 0:
            return f"to the {loc.minus} {loc.cardinal(-value)}"
        return "to the " + loc.ordinal(value)
    if re.fullmatch(r"-[A-Za-z]", raw):
        return f"to the {loc.minus} {letter(raw[1])}"
    if re.fullmatch(r"[A-Za-z]", raw):
        return "to the " + letter(raw)
    return "to the power of " + speak_chain(raw, "", loc)


def _speak_atom(atom: str, maths: bool, loc: Locale) -> str:
    if atom in _FRACTIONS:
        return loc.fraction(*_FRACTIONS[atom])
    if atom in GREEK:
        return GREEK[atom]
    if atom == "∞":
        return "infinity"
    if re.fullmatch(NUMBER, atom):
        return loc.number(atom)
    if atom.startswith("("):
        return speak_chain(atom[1:-1], "", loc)
    # letters, maybe with hats: "ŷ" (y + U+0302) -> "y hat"; "mx" -> "m x"; "speed" stays
    marks = [(i, _HATS[c]) for i, c in enumerate(atom) if c in _HATS]
    plain = "".join(c for c in atom if c not in _HATS)
    if plain in FUNCTIONS:
        return FUNCTIONS[plain]
    if len(plain) == 1 or _short_run(plain, maths):
        spoken = spell(plain)
        return spoken + "".join(f" {name}" for _, name in marks)
    return plain


_TOKENS = re.compile(
    rf"(?P<prefix>[√∛∑Σ∫∂∇∏]|Δ(?=\w)|ln(?![a-z]))|(?P<function>(?:{_FUNCTION_NAMES})(?![a-z]))"
    rf"|(?P<atom>{_ATOM})|(?P<post>{POSTFIX})|(?P<comma>,)|(?P<space>\s+)"
)


def _arguments(inner: str, loc: Locale) -> str:
    """A function's arguments: 'x, y' -> 'x and y'; '0, x, y' -> 'zero, x and y'."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(inner):
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            parts.append(inner[start:index])
            start = index + 1
    spoken = [speak_chain(p.strip(), "", loc) for p in [*parts, inner[start:]]]
    return ", ".join(spoken[:-1]) + " and " + spoken[-1] if len(spoken) > 1 else spoken[0]


def speak_term(term: str, maths: bool, loc: Locale) -> str:
    """One term in words: '2πr' -> 'two pi r', 'f(x)' -> 'f of x', 'O(n)' -> 'big O of n'."""
    words: list[str] = []
    # kind of the previous token: "name" (letter/Greek), "function", "based" (a log with a base),
    # "number", "group", "prefix"
    previous = ""
    for token in _TOKENS.finditer(term):
        kind = token.lastgroup
        value = token.group()
        if kind in ("space", "comma"):
            continue
        if kind == "prefix":
            if previous in ("name", "number", "group") and _PREFIXES[value].startswith("the "):
                words.append("times")  # "η∇L": "eta times the gradient of L"
            words.append(_PREFIXES[value])
            previous = "prefix"
        elif kind == "function":
            words.append(FUNCTIONS[value])
            previous = "function"
        elif kind == "atom":
            if value.startswith("("):
                inner = value[1:-1]
                if words and words[-1] in _BIG.values():
                    words.append("of " + speak_chain(inner, "", loc))
                elif previous in ("name", "function", "based"):
                    words.append("of " + _arguments(inner, loc))
                elif previous == "prefix" and words[-1].endswith(" of"):
                    words.append(_arguments(inner, loc))
                elif previous == "number":
                    words.append("times " + speak_chain(inner, "", loc))
                else:
                    words.append(speak_chain(inner, "", loc))
                previous = "group"
            else:
                following = term[token.end() : token.end() + 1]
                if value in _BIG and following == "(":
                    words.append(_BIG[value])
                else:
                    if previous == "group":
                        words[-1] += ","
                        words.append("times")  # "(QKᵀ/√d)V": "..., times V"
                    elif previous == "based" and value != "of":
                        words.append("of")  # "log₂ 8": "log base two of eight"
                    words.append(_speak_atom(value, maths, loc))
                previous = "number" if value[0].isdigit() else "name"
        else:
            spoken = _speak_post(value, previous, words, loc)
            if spoken.startswith("base "):
                previous = "based"
            words.append(spoken)
    return " ".join(w for w in words if w)


def _speak_post(post: str, previous: str, words: list[str], loc: Locale) -> str:
    if post.startswith("!"):
        return "factorial"
    if post.startswith("'"):
        return " ".join("prime" for _ in post)
    if post.startswith("_") or post[0] in "₀₁₂₃₄₅₆₇₈₉ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ":
        sub = post.lstrip("_").strip("{}").translate(_SUBSCRIPTS)
        spoken = loc.cardinal(int(sub)) if sub.isdigit() else spell(sub)
        if words and words[-1] == "log":
            return "base " + spoken
        return spoken
    if post in ("⁻¹", "^-1", "^{-1}", "^(-1)", "^−1", "^{−1}") and words:
        if words[-1] == CAPITAL_A or len(words[-1]) == 1 and words[-1].isupper():
            return "inverse"  # "A⁻¹": a matrix's inverse
    phrase = power_phrase(post, loc)
    return (", all " + phrase) if previous == "group" and phrase != "transpose" else phrase


def _is_plain_word(term: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z]+(?:[-'][A-Za-z]+)*", term)) and len(term) > 1


def _split(chain: str) -> tuple[list[str], list[str]]:
    """Terms and the operators between them, outside parentheses."""
    terms, operators, _ = _split_spaced(chain)
    return terms, operators


def _split_spaced(chain: str) -> tuple[list[str], list[str], list[tuple[bool, bool]]]:
    """Terms, the operators between them, and whether each operator has a space before, after."""
    terms: list[str] = []
    operators: list[str] = []
    spacing: list[tuple[bool, bool]] = []
    start = counted = depth = bars = 0  # brackets and bars open before `counted`
    for match in PIECES.finditer(chain):
        piece = chain[counted : match.start()]  # counted once: linear in the chain's length
        depth += piece.count("(") - piece.count(")")
        bars += piece.count("|")
        counted = match.start()
        if depth or bars % 2:
            continue
        terms.append(chain[start : match.start()])
        operators.append(match.group(1))
        spacing.append((match.start(1) > match.start(), match.end() > match.end(1)))
        start = match.end()
    terms.append(chain[start:])
    return terms, operators, spacing


def _single_letter(term: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z\ue0a1\ue0a2][\u0302\u0304\u0305\u0307\u20d7]?", term))


def speak_chain(chain: str, before: str, loc: Locale, after: str = "") -> str:
    """Read one expression; the text around it decides 'is', 'Let ... equal' and '3 by 3 grid'."""
    terms, operators = _split(chain)
    maths = any(_mathy(t) for t in terms if t)
    words: list[str] = []
    clause = bool(_CLAUSE.search(before))
    let = bool(re.search(r"\b[Ll]et\s+$", before))
    # "a 3 × 3 grid", "the matrix A is 3 × 4": a size, "three by three"
    size = set(operators) == {"×"} and all(re.fullmatch(r"\d+", t) for t in terms)
    sentence = re.split(r"[.!?]\s", before)[-1]
    size = size and bool(re.match(r"\s[a-z]", after) or _SIZED.search(sentence))
    for index, term in enumerate(terms):
        if term:
            words.append(speak_term(term, maths, loc))
        if index >= len(operators):
            break
        op = _OPERATORS[operators[index]]
        op = _OPERATORS.get(op, op)  # "<=" -> "≤" -> words
        symbol = operators[index] if operators[index] not in ("<=", ">=") else op
        right = terms[index + 1] if index + 1 < len(terms) else ""
        if symbol == "=" and let:
            op, let = "equal", False
        elif symbol in _RELATIONS or operators[index] in ("<=", ">="):
            op = _OPERATORS[symbol] if symbol in _OPERATORS else op
            if symbol == "≈":
                op = "approximately"
            if clause:
                op = "is " + op
        elif symbol in ("→", "->"):
            if len(term) == 1 and term.isalpha() and (_mathy(right) or right == "∞"):
                op = "approaches"
        elif symbol in ("−", "-") and not term.strip():
            op = loc.minus  # a sign: "x = −4" is "x equals negative four" in en-US
        elif symbol in ("·", "⋅") and _single_letter(term) and _single_letter(right):
            op = "dot"  # "u · v": the dot product
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
    terms, operators, spacing = _split_spaced(chain)
    maths = any(_mathy(t) for t in terms)
    for index, op in enumerate(operators):
        left, right = terms[index], terms[index + 1]
        spaced, spaced_after = spacing[index]
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
        if op == "−" and _is_plain_word(left) and spaced and not spaced_after:
            return False  # a sign after a word: "At −40 degrees"
        if op in ("*", "%") and not maths:
            return False
    return True


def expressions(text: str, loc: Locale) -> str:
    """Every expression chain, in words."""

    def chain(match: re.Match[str]) -> str:
        if not _worth_reading(match.group()):
            return match.group()
        # the words around it, not the whole text: many chains in a long text stay linear
        start, end = match.start(), match.end()
        before, after = match.string[max(0, start - 120) : start], match.string[end : end + 40]
        return speak_chain(match.group(), before, loc, after)

    return _CHAIN.sub(chain, text)


_STANDALONE = re.compile(
    rf"(?<![\w.'’])(?:(?:{_PREFIX}){{1,6}}+(?:{_ATOM}{POSTFIX}{{0,6}}+){{1,30}}+"
    rf"|(?:{_ATOM}){{1,30}}+(?:{_SUPER}+|\^(?:\{{[^{{}}]*\}}|{_GROUP}|[-−]?[\w.]+)"
    rf"|[₀₁₂₃₄₅₆₇₈₉ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼ]+){_TAIL}"
    rf"|{NUMBER}(?:{_LETTERS}|{_GREEK}){{1,30}}+{POSTFIX}{{0,6}}+{_TAIL}"
    rf"|{_GREEK}{{1,30}}+{POSTFIX}{{0,6}}+{_TAIL}"
    rf"|[A-Za-zΘΩ]{_GROUP}{POSTFIX}{{0,6}}+{_TAIL}"
    rf"|(?P<call>[A-Za-z]{{2,}}){_GROUP}{POSTFIX}{{0,6}}+{_TAIL}"
    rf"|{_VULGAR}(?:{_LETTERS}{POSTFIX}{{0,6}}+){{0,30}}+)(?![\w'’])"
)


# Functions applied to a bracket whatever is inside: "softmax(QKᵀ/√d)V", "max(0, x)"
_CALLS = frozenset(
    "softmax sigmoid relu ReLU tanh sqrt abs argmax argmin max min mean var Var Cov diag det tr "
    "norm gcd lcm floor ceil sgn sign erf KL Pr exp log ln sin cos tan".split()
)
_WORD = re.compile(r"[A-Za-z]{2,}")


def terms(text: str, loc: Locale) -> str:
    """Maths outside expressions: x², 2πr, √2, Σx, f(x), θ, ½mv², O(n), max(0, x) on their own."""

    def term(match: re.Match[str]) -> str:
        value = match.group()
        if re.fullmatch(r"\d+[a-z]{2,}", value):  # "10am", "4th": other rules' business
            return value
        call = match["call"]
        if call and call not in _CALLS:
            # another word before a bracket is a function only if maths is inside: "attention(Q,
            # K, V)" yes, "plants(see above)" no
            inside = value[len(call) :]
            if any(w not in _CALLS for w in _WORD.findall(inside)):
                return value
        return speak_term(value, True, loc)

    text = _STANDALONE.sub(term, text)
    return _SIGN.sub(f"{loc.minus} ", text)


# A minus sign before a term with nothing on its left: "−log p", "−x" ("negative x" in en-US)
_SIGN = re.compile(rf"(?<![^\s(\[])−(?=[A-Za-z√(∑Σ∫∇]|{_GREEK})")
