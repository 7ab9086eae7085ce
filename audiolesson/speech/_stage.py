"""spoken_form: lexicon first, then the language's rules, then the marks rendered for the engine."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from functools import cache

from ._lexicon import DIALECTS, Lexicon
from ._marks import CAPITAL_A, HOLD_BASE, HOLD_LIMIT, LETTER_A

__all__ = ["LANGUAGES", "speech_language", "spoken_form", "supports"]

#: Language code -> module (inside this package) whose normalize(text, region) holds its rules.
#: A new language is a new sub-package with that function, registered here.
LANGUAGES = {"en": ".en"}

# How each dialect says the letter A (engines read a lone "a" as the article "uh").
_LETTER_A = {"piper": "[[ˈeɪ]]", "espeak": "[['eI]]"}
_HELD = re.compile(f"[{chr(HOLD_BASE)}-{chr(HOLD_LIMIT)}]")
# Something a voice can say: a letter or digit in any script, or a phoneme block.
_SAYABLE = re.compile(r"[^\W_]|\[\[[^\]]+\]\]")


def _language(code: str) -> tuple[str, str | None]:
    """'en-GB' -> ('en', 'gb'); 'en_us' -> ('en', 'us'); 'EN' -> ('en', None)."""
    parts = [p for p in re.split(r"[-_]", code.strip().lower()) if p]
    if not parts:
        return "", None
    region = next((p for p in parts[1:] if len(p) == 2 and p.isalpha() or p.isdigit()), None)
    return parts[0], region


@cache
def _rules(language: str) -> Callable[[str], str] | None:
    base, region = _language(language)
    module_name = LANGUAGES.get(base)
    if module_name is None:
        return None
    # imported on first use: a script in one language never loads another language's rules
    module = importlib.import_module(module_name, __package__)
    normalize = module.normalize
    return lambda text: normalize(text, region)


def speech_language(language: str, setting: str | None = None, region: str | None = None) -> str:
    """The language code spoken forms follow: the script's `language` if it names a region
    ("en-GB"); else the project's `setting` if that does, for the same language; else the
    language with the voice's `region` ("US"); else `language` as it is.

    speech_language("en", None, "US") -> "en-US"; speech_language("en", "en-GB", "US") -> "en-GB";
    speech_language("en-IN", "en-GB", "US") -> "en-IN".
    """
    base, own = _language(language)
    if own is not None or not base:
        return language
    if setting:
        other, chosen = _language(setting)
        if chosen is not None and other == base:
            return setting
    if region and re.fullmatch(r"[A-Za-z]{2}", region):
        return f"{base}-{region.upper()}"
    return language


def supports(language: str) -> bool:
    """Whether there are rules for this language code ('en', 'en-GB'...); others pass unchanged."""
    return _language(language)[0] in LANGUAGES


def spoken_form(
    text: str,
    language: str = "en",
    lexicon: Lexicon | None = None,
    *,
    phonemes: str | None = None,
) -> str:
    """What a voice should say for `text`: '' if nothing is left to say (only symbols).

    Lexicon entries win over the rules. `phonemes` names the [[ ]] dialect the engine reads
    ("piper", "espeak"), or None for plain text only.
    """
    if phonemes is not None and phonemes not in DIALECTS:
        raise ValueError(
            f"unknown phoneme dialect {phonemes!r}; choose one of: {', '.join(DIALECTS)}"
        )
    text = _HELD.sub("", text)  # never trust private characters from outside
    held: list[str] = []
    if lexicon:
        text = lexicon.hold(text, phonemes, held)
    rules = _rules(language)
    if rules is not None:
        text = rules(text)
    text = _render(text, phonemes, held)
    return text if _SAYABLE.search(text) else ""


def _render(text: str, dialect: str | None, held: list[str]) -> str:
    if LETTER_A in text or CAPITAL_A in text:
        text = text.replace(LETTER_A, _LETTER_A.get(dialect or "", "a"))
        text = text.replace(CAPITAL_A, _LETTER_A.get(dialect or "", "A"))
    if held:
        text = _HELD.sub(lambda m: held[ord(m.group()) - HOLD_BASE], text)
    return " ".join(text.split())
