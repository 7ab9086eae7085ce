"""Lexicon: author entries (whole words, regular expressions, phonemes) that win over the rules."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from ..keys import spaced_digest
from ._marks import HOLD_BASE, hold_mark

__all__ = ["DIALECTS", "Entry", "Lexicon"]

#: Phoneme dialects an entry can give, one per engine family: Piper voices take IPA as espeak-ng
#: writes it (`espeak-ng -q --ipa WORD`), espeak-ng takes its ASCII mnemonics (`espeak-ng -q -x`).
DIALECTS = ("piper", "espeak")


@dataclass(frozen=True)
class Entry:
    """One lexicon entry: what is written, and how to say it in text and per phoneme dialect."""

    written: str  #: a whole word or phrase, or a regular expression if `pattern` is set
    text: str  #: the spoken text (regex entries may use \\1 or \\g<name>); engines without phonemes
    phonemes: tuple[
        tuple[str, str], ...
    ] = ()  #: (dialect, phonemes) pairs, e.g. ("piper", "ŋwˈɪn")
    pattern: bool = False  #: `written` is a regular expression
    ignore_case: bool = False  #: a regular expression written /.../i
    where: str = field(default="", compare=False)  #: "path:line" it came from, for messages

    def say(self, dialect: str | None) -> str:
        """What replaces the written text for an engine that takes `dialect` phonemes (or None)."""
        for name, phonemes in self.phonemes:
            if name == dialect:
                return f"[[{phonemes}]]"
        return self.text

    @property
    def key(self) -> tuple[str, bool]:
        """Entries with the same key replace each other when lexicons merge."""
        return (self.written, self.pattern)


@dataclass(frozen=True)
class Lexicon:
    """Immutable entries: whole words (longest first), then regular expressions (in order)."""

    entries: tuple[Entry, ...] = ()

    @classmethod
    def of(cls, entries: Iterable[Entry]) -> Lexicon:
        """A lexicon from entries; a later entry with the same key replaces an earlier one."""
        chosen: dict[tuple[str, bool], Entry] = {}
        for entry in entries:
            chosen.pop(entry.key, None)
            chosen[entry.key] = entry
        # words first, then regular expressions in the order written: one canonical order
        kept = list(chosen.values())
        return cls(tuple([e for e in kept if not e.pattern] + [e for e in kept if e.pattern]))

    def merged(self, other: Lexicon | None) -> Lexicon:
        """This lexicon plus `other`'s entries, which win (a script's `say` over the project)."""
        if not other:
            return self
        # other's regular expressions are tried first, so they win where both match
        keys = {e.key for e in other.entries}
        mine = [e for e in self.entries if e.key not in keys]
        words = [e for e in (*mine, *other.entries) if not e.pattern]
        patterns = [e for e in other.entries if e.pattern] + [e for e in mine if e.pattern]
        return Lexicon(tuple(words + patterns))

    def digest(self) -> str:
        """A hash of what the entries say (not where they came from), for cache keys."""
        data = [
            [e.written, e.text, list(map(list, e.phonemes)), e.pattern, e.ignore_case]
            for e in self.entries
        ]
        return spaced_digest(data, 16, ascii_only=False)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @cached_property
    def _words(self) -> tuple[re.Pattern[str] | None, dict[str, Entry]]:
        words = {e.written: e for e in self.entries if not e.pattern and e.written}
        if not words:
            return None, words
        # Longest key first so "New York City" wins over "New York"; one alternation is one pass,
        # so a replacement is never replaced again.
        ordered = sorted(words, key=lambda k: (-len(k), k))
        alternation = "|".join(re.escape(k) for k in ordered)
        return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)"), words

    @cached_property
    def _patterns(self) -> tuple[tuple[re.Pattern[str], Entry], ...]:
        return tuple(
            (re.compile(e.written, re.IGNORECASE if e.ignore_case else 0), e)
            for e in self.entries
            if e.pattern
        )

    def matches(self, text: str) -> list[tuple[Entry, str]]:
        """The entries that change this text, each with the written text it matched."""
        found = []
        pattern, words = self._words
        if pattern is not None:
            found += [(words[m.group()], m.group()) for m in pattern.finditer(text)]
        for compiled, entry in self._patterns:
            found += [(entry, m.group()) for m in compiled.finditer(text)]
        return found

    def hold(self, text: str, dialect: str | None, held: list[str]) -> str:
        """Replace what the entries match by held marks (whole words first, then regexes)."""

        def keep(spoken: str) -> str:
            held.append(spoken)
            return hold_mark(len(held) - 1)

        pattern, words = self._words
        if pattern is not None:
            text = pattern.sub(lambda m: keep(words[m.group()].say(dialect)), text)
        for compiled, entry in self._patterns:

            def replace(match: re.Match[str], entry: Entry = entry) -> str:
                if any(ord(c) >= HOLD_BASE for c in match.group()):
                    return match.group()  # a word entry already decided this text
                spoken = entry.say(dialect)
                return keep(match.expand(spoken) if not spoken.startswith("[[") else spoken)

            text = compiled.sub(replace, text)
        return text
