"""What no spoken-form rule was sure of, with how the rules read it and a lexicon line to paste."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from ._lexicon import Lexicon
from ._marks import HOLD_BASE
from ._stage import LANGUAGES, _language, spoken_form

__all__ = ["Unsure", "unsure"]


@dataclass(frozen=True)
class Unsure:
    """A token no rule was sure of: as written, as the rules read it, and what kind it is."""

    written: str  #: as written ("GSM8K")
    spoken: str  #: what the rules say for it ("G S M eight K"), the suggestion to correct
    kind: str  #: "acronym", "letters and digits", "identifier" or "symbol"
    line: int | None = None  #: the source line, where the caller knows it

    def lexicon_line(self) -> str:
        """A line for voices/lexicon.toml: '"GSM8K" = "G S M eight K"'."""
        return f"{_toml_string(self.written)} = {_toml_string(self.spoken)}"


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped) + '"'


def unsure(text: str, language: str = "en", lexicon: Lexicon | None = None) -> list[Unsure]:
    """Every token of `text` no rule of `language` was sure of, once each, in order.

    Text the lexicon decides is left out: an entry is the author's answer.
    """
    base, _ = _language(language)
    module_name = LANGUAGES.get(base)
    if module_name is None:
        return []
    if lexicon:
        text = lexicon.hold(text, None, [])
    finder = importlib.import_module(f"{module_name}.unsure", __package__)
    found = []
    for written, kind, suggestion in finder.candidates(text):
        if any(ord(c) >= HOLD_BASE for c in written):
            continue
        spoken = suggestion or spoken_form(written, language) or written
        found.append(Unsure(written, spoken, kind))
    return found
