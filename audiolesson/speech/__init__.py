"""Spoken forms: course text as a careful teacher reads it aloud, per language.

Written text goes in, the text a voice should say comes out: numbers, units, formulas, dates,
symbols, Roman numerals and acronyms in words ("x² − 5x + 6 = 0" -> "x squared minus five x plus
six equals zero"), after the author's lexicon, which wins over every rule. The stage is pure and
deterministic; rules are imported on first use.

    from audiolesson.speech import Lexicon, load_lexicon, lexicon_from_say, spoken_form, supports

    lexicon = load_lexicon(root / "voices" / "lexicon.toml").merged(
        lexicon_from_say(script.meta.say, script.path, script.meta.lines))   # the script's win
    spoken = spoken_form(turn.text, script.meta.language, lexicon, phonemes="piper")
    if not spoken: ...            # nothing to say (a turn of symbols): warn at path:line
    if not supports(language): ...  # no rules for it: text passes unchanged; warn once per script

- `spoken_form(text, language="en", lexicon=None, *, phonemes=None) -> str`: `phonemes` is the
  [[ ]] dialect the engine reads: "piper" (IPA), "espeak" (espeak-ng mnemonics; the engine must
  call espeak with phoneme input enabled) or None (plain text: entries use their text fallback).
- `supports(language) -> bool`; `LANGUAGES` maps a language code to its rules' module.
- `written_words(text)`, `spoken_words(spoken)`, `word_map(written, said, speak)`: how many
  spoken words each written word became (timings follow the written words); `sentence_starts`.
- `Lexicon`: immutable entries; `.merged(other)` (other's entries win), `.digest()` for cache keys.
- `load_lexicon(path)`: voices/lexicon.toml; `lexicon_from_say(say, path, lines)`: front matter.
- `RULES_VERSION`: changes whenever any rule changes what is said; put it in cache keys.

Lexicon entries (TOML or front matter): ``"CO2" = "carbon dioxide"``;
``"Nguyen" = "Win [[piper: ŋwˈɪn]] [[espeak: N'win]]"`` (or a table with text/piper/espeak);
``'/\\bv(\\d+)\\b/' = 'version \\1'`` (a regular expression between slashes, /.../i ignores case).
"""

from __future__ import annotations

from ._lexicon import DIALECTS, Entry, Lexicon
from ._lexicon_files import lexicon_from_say, load_lexicon
from ._stage import LANGUAGES, speech_language, spoken_form, supports
from ._unsure import Unsure, unsure
from ._words import (
    align_owners,
    normal_word,
    sentence_starts,
    spoken_words,
    word_map,
    written_words,
)

__all__ = [
    "DIALECTS",
    "LANGUAGES",
    "RULES_VERSION",
    "Entry",
    "Lexicon",
    "Unsure",
    "align_owners",
    "lexicon_from_say",
    "load_lexicon",
    "normal_word",
    "sentence_starts",
    "speech_language",
    "spoken_form",
    "spoken_words",
    "supports",
    "unsure",
    "word_map",
    "written_words",
]

#: Bump whenever a rule changes what is said for some text (cache keys hold it).
RULES_VERSION = "3"
