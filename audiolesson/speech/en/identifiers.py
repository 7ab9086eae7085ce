"""Identifiers: web addresses and e-mail, C# and C++, CamelCase names, letters mixed with digits.

    pytorch.org/docs/stable  -> "pytorch dot org slash docs slash stable"
    help@school.edu          -> "help at school dot edu"
    getUserName, DataLoader  -> "get user name", "Data Loader"
    GSM8K, Word2Vec, FP16    -> "G S M eight K", "Word to Vec", "F P sixteen"

`read_identifier` says how sure it is, so `audiolesson check --unsure` can list the guesses.
"""

from __future__ import annotations

import re

from .._marks import spell
from .acronyms import ACRONYM_WORDS, KNOWN_SPELLED, NAMES
from .known_words import english_word
from .locale import Locale
from .units import is_unit

__all__ = [
    "CAMEL",
    "EMAIL",
    "MIXED",
    "URL",
    "addresses",
    "identifiers",
    "read_identifier",
    "split_camel",
]

# Top-level domains that make "name.tld" a web address rather than a file or code.
_DOMAINS = (
    "com|org|net|edu|gov|io|ai|co|uk|in|de|fr|dev|app|info|us|ca|au|eu|ly|me|tv|so|gg|sh|xyz|"
    "nz|jp|cn|ru|br|es|it|nl|ch|se|no|fi|int|mil|biz|ac"
)
_HOST = rf"(?:[A-Za-z0-9][A-Za-z0-9-]{{0,62}}\.){{1,6}}(?:{_DOMAINS})"
URL = re.compile(
    rf"(?<![\w@/.])(?:(?:https?|ftp)://)?(?P<host>{_HOST})(?![\w@-])"
    r"(?P<path>(?:/[\w~%+-]+(?:\.[\w~%+-]+)*)*/?)"
    r"(?![\w/])"
)
EMAIL = re.compile(
    rf"(?<![\w.@])(?P<user>[A-Za-z0-9][A-Za-z0-9._+-]{{0,63}})@(?P<host>{_HOST})(?![\w@-])"
)
_SHARP = re.compile(r"(?<![\w#])(?P<letter>[A-Z])#(?![\w#])")
_PLUS_PLUS = re.compile(r"(?<![\w+])(?P<letter>[A-Za-z])\+\+(?![\w+])")
_DOT_NET = re.compile(r"(?<![\w.])\.NET\b")
# How a web address's parts are said: "www" as letters, the common domains as words.
_WEB_WORDS = {"www": "w w w", "io": "I O", "ai": "A I", "uk": "U K", "us": "U S", "eu": "E U"}


def _say_host(host: str) -> str:
    return " dot ".join(_WEB_WORDS.get(part.lower(), part) for part in host.split("."))


def _say_path(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    spoken = " slash ".join(p.replace(".", " dot ").replace("-", " ") for p in parts)
    return f" slash {spoken}" if spoken else ""


def addresses(text: str) -> str:
    """Web addresses, e-mail addresses, C#, C++ and .NET, before any rule takes their dots apart."""
    text = EMAIL.sub(lambda m: f"{m['user'].replace('.', ' dot ')} at {_say_host(m['host'])}", text)
    text = URL.sub(lambda m: _say_host(m["host"]) + _say_path(m["path"]), text)
    text = _SHARP.sub(lambda m: f"{m['letter']} sharp", text)
    text = _PLUS_PLUS.sub(lambda m: f"{m['letter']} plus plus", text)
    return _DOT_NET.sub("dot net", text)


# --- CamelCase and letters with digits -----------------------------------------------------------

# Capitals before a capitalised word split from it ("XGBoost": XG Boost); a lone lower-case letter
# after capitals stays apart ("YOLOv8": YOLO v 8, not YOL Ov 8).
_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z]{2,})|[A-Z]?[a-z]+|[A-Z]+|\d+(?:\.\d+)?")
# Surnames and names that look like CamelCase but are one word: McDonald, DiCaprio, MacArthur.
_NAME_PREFIX = re.compile(r"(?:Mc|Mac|De|Di|Da|Du|La|Le|Van|Von|O)[A-Z][a-z]+")
CAMEL = re.compile(
    r"(?<![\w.'’@/\\-])(?P<word>[A-Za-z]*[a-z][A-Z][A-Za-z]*|[A-Z]{2,}[a-z][A-Za-z]*)(?![\w'’@/])"
)
# Letters and digits in one token: GSM8K, H100, Word2Vec, INT8, x86, YOLOv8, Qwen2.5
MIXED = re.compile(
    r"(?<![\w.'’@/\\-])(?P<word>[A-Za-z]+\d+(?:\.\d+)?[A-Za-z0-9]*)(?![\w'’@/]|\.\w)"
)


def split_camel(word: str) -> list[str] | None:
    """'getUserName' -> ['get', 'User', 'Name']; None if the word is not a CamelCase name."""
    if word in NAMES or word in ACRONYM_WORDS or _NAME_PREFIX.fullmatch(word) or is_unit(word):
        return None
    if re.fullmatch(r"[A-Z]{2,}s", word):  # "GPUs": a plural acronym
        return None
    parts = _PARTS.findall(word)
    return parts if len(parts) > 1 else None


def _say_letters(run: str) -> tuple[str, bool]:
    """One run of letters inside an identifier, and whether the reading is sure."""
    if run in ACRONYM_WORDS:
        return ACRONYM_WORDS[run], True
    if run.isupper():
        if len(run) >= 4 and english_word(run):
            return run.lower(), True  # "MATH5K": "math five K"
        return spell(run), len(run) == 1 or run in KNOWN_SPELLED
    if len(run) == 1:
        return spell(run), True
    if run.islower() and len(run) <= 3 and not re.search("[aeiouy]", run):
        return spell(run.upper()), True  # "mp3": "M P three"
    return run, True


def read_identifier(word: str, loc: Locale) -> tuple[str, bool]:
    """How an identifier with digits is said, and whether no guess was needed.

    'GSM8K' -> ('G S M eight K', False): GSM is in no table; 'H100' -> ('H one hundred', True);
    'Word2Vec' -> ('Word to Vec', False): the 2 is guessed to mean "to".
    """
    if word in ACRONYM_WORDS:
        return ACRONYM_WORDS[word], True
    pieces = _PARTS.findall(word)
    sure = True
    spoken: list[str] = []
    for index, piece in enumerate(pieces):
        if piece[0].isdigit():
            between = 0 < index < len(pieces) - 1
            if (
                piece == "2"
                and between
                and (len(pieces[index - 1]) > 1 or pieces[index + 1].isupper())
            ):
                spoken.append("to")  # Word2Vec, seq2seq, B2B
                sure = False
            elif len(piece) == 4 and index and pieces[index - 1].isupper():
                spoken.append(loc.year(int(piece)))  # "RTX4090": "forty ninety"
            else:
                spoken.append(loc.decimal(piece))
            continue
        said, known = _say_letters(piece)
        spoken.append(said)
        sure = sure and known
    return " ".join(spoken), sure


def identifiers(text: str, loc: Locale) -> str:
    """CamelCase names in words and identifiers mixing letters and digits, part by part."""

    def mixed(match: re.Match[str]) -> str:
        word = match["word"]
        letters = sum(c.isalpha() for c in word)
        if letters < 2 and not (word[0].islower() and len(word) >= 3):
            return word  # "H100", "Q3": the acronym rule; "x2" is maths
        return read_identifier(word, loc)[0]

    def camel(match: re.Match[str]) -> str:
        word = match["word"]
        parts = split_camel(word)
        if parts is None:
            return word
        if word[0].islower():
            return " ".join(p.lower() if not p.isupper() else p for p in parts)
        return " ".join(parts)

    text = MIXED.sub(mixed, text)
    return CAMEL.sub(camel, text)
