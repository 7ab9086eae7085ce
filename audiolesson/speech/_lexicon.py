"""Lexicon: author entries (whole words, regular expressions, phonemes) that win over the rules.

Regular expressions are Python's syntax (checked with `re` when a lexicon loads) and run on the
`regex` module, whose matcher takes a time limit: an expression that backtracks without end on
some text (nested repeats such as `(a|aa)+$`) stops after REGEX_SECONDS with a one-line error
naming its entry, instead of hanging check, build and watch (issue 24). `regex` also defuses
many such expressions outright (`(a+)+$` against forty a's takes well under a millisecond).
Replacement templates are parsed once (`template_pieces`): groups and `\\`, nothing else.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

import regex

from ..errors import ConfigError, ScriptError
from ..keys import spaced_digest
from ._marks import HOLD_BASE, HOLD_COUNT, hold_mark

__all__ = ["DIALECTS", "REGEX_SECONDS", "Entry", "Group", "Lexicon", "template_pieces"]

#: the time one regular-expression entry may take over one turn's text (matching is microseconds
#: for any expression that does not backtrack without end)
REGEX_SECONDS = 1.0
_TEMPLATE = re.compile(r"\\(?:(?P<digits>\d{1,2})|g<(?P<name>[^>]*)>|(?P<open>g<.*)|(?P<other>.?))")


class Group(NamedTuple):
    """A group a replacement template refers to: its number or its name."""

    ref: int | str


def template_pieces(template: str, groups: int, names: Iterable[str]) -> tuple[str | Group, ...]:
    """A replacement template as literal text and groups: \\1 to \\99, \\g<n>, \\g<name> (\\g<0>
    is the whole match) and \\\\ for a backslash. ValueError says what else is there: an unknown
    escape, a lone backslash, an unclosed \\g<, \\0 or a group the expression does not have."""
    names = set(names)
    pieces: list[str | Group] = []
    text, pos = [], 0
    for found in _TEMPLATE.finditer(template):
        text.append(template[pos : found.start()])
        pos = found.end()
        digits, name, other = found["digits"], found["name"], found["other"]
        if found["open"] is not None:
            raise ValueError(f"\\{found['open'][:12]} is not closed: write \\g<name>")
        if other == "\\":
            text.append("\\")
            continue
        if other == "":
            raise ValueError(f"a lone \\ at the end of '{template}'; write \\\\ for a backslash")
        if other is not None:
            raise ValueError(
                f"unknown escape \\{other} in '{template}'; write \\\\ for a backslash, \\1 or "
                "\\g<name> for a group"
            )
        ref: int | str
        if digits is not None:
            if digits.startswith("0"):
                raise ValueError(
                    "\\0 is no group (groups count from \\1); \\g<0> is the whole match"
                )
            ref, shown = int(digits), f"\\{digits}"
        elif name == "":
            raise ValueError("\\g<> names no group; write \\g<1> or \\g<name>")
        else:
            ref, shown = (int(name), f"\\g<{name}>") if name.isdigit() else (name, f"\\g<{name}>")
        if ref not in names and not (isinstance(ref, int) and ref <= groups):
            raise ValueError(f"{shown} refers to a group the expression does not have")
        pieces += ["".join(text), Group(ref)]
        text = []
    pieces.append("".join(text) + template[pos:])
    return tuple(p for p in pieces if p != "")


def _expand(pieces: tuple[str | Group, ...], match: Any) -> str:
    """The template's text for one match (a group that did not take part is empty)."""
    return "".join(p if isinstance(p, str) else match.group(p.ref) or "" for p in pieces)


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
    def _patterns(self) -> tuple[tuple[Any, Entry, tuple[str | Group, ...]], ...]:
        compiled = []
        for e in self.entries:
            if e.pattern:
                found = regex.compile(e.written, regex.V0 | (regex.I if e.ignore_case else 0))
                pieces = template_pieces(e.text, found.groups, found.groupindex)
                compiled.append((found, e, pieces))
        return tuple(compiled)

    def matches(self, text: str) -> list[tuple[Entry, str]]:
        """The entries that change this text, each with the written text it matched."""
        found = []
        pattern, words = self._words
        if pattern is not None:
            found += [(words[m.group()], m.group()) for m in pattern.finditer(text)]
        for compiled, entry, _ in self._patterns:
            found += [(entry, m.group()) for m in _bounded(compiled, entry, text)]
        return found

    def hold(self, text: str, dialect: str | None, held: list[str]) -> str:
        """Replace what the entries match by held marks (whole words first, then regexes).

        One mark per different replacement (a word said 100,000 times holds one); a turn with
        more different replacements than there are marks is a ScriptError without a place (the
        caller knows the turn)."""
        marks = {spoken: hold_mark(index) for index, spoken in enumerate(held)}

        def keep(spoken: str) -> str:
            if spoken not in marks:
                if len(held) >= HOLD_COUNT:
                    raise ScriptError(
                        f"more than {HOLD_COUNT:,} different lexicon replacements in one turn; "
                        "split it into shorter turns"
                    )
                held.append(spoken)
                marks[spoken] = hold_mark(len(held) - 1)
            return marks[spoken]

        pattern, words = self._words
        if pattern is not None:
            text = pattern.sub(lambda m: keep(words[m.group()].say(dialect)), text)
        for compiled, entry, pieces in self._patterns:
            out, pos = [], 0
            for match in _bounded(compiled, entry, text):
                out.append(text[pos : match.start()])
                pos = match.end()
                if any(ord(c) >= HOLD_BASE for c in match.group()):
                    out.append(match.group())  # a word entry already decided this text
                    continue
                spoken = entry.say(dialect)
                out.append(keep(_expand(pieces, match) if not spoken.startswith("[[") else spoken))
            text = "".join(out) + text[pos:]
        return text


def _bounded(compiled: Any, entry: Entry, text: str) -> Iterator[Any]:
    """The entry's matches in text, left to right, within REGEX_SECONDS for the whole text (the
    matcher's own limit bounds each search; the deadline bounds all of them together)."""
    deadline = time.monotonic() + REGEX_SECONDS
    pos = 0
    while pos <= len(text):
        left = deadline - time.monotonic()
        try:
            if left <= 0:
                raise TimeoutError
            match = compiled.search(text, pos, timeout=left)
        except TimeoutError:
            raise ConfigError(
                f"lexicon regular expression /{entry.written}/ takes more than {REGEX_SECONDS:g} s "
                "on one turn: it backtracks (nested repeats such as (a+)+ or (a|aa)+); write it "
                "without them",
                path=entry.where or None,
            ) from None
        if match is None:
            return
        yield match
        # an empty match moves on one character, as re.sub does
        pos = match.end() if match.end() > match.start() else match.end() + 1
