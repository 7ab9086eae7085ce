"""Reading lexicon entries from voices/lexicon.toml and a script's `say` front matter.

One value grammar serves both places:

- ``"spoken text"``: say this instead (a regex entry may use ``\\1`` or ``\\g<name>``);
- ``"Win [[piper: ŋwˈɪn]] [[espeak: N'win]]"``: phonemes per engine, the rest is the text
  fallback for engines without phoneme input;
- a table (TOML inline table, YAML mapping) ``{text = "Win", piper = "ŋwˈɪn", espeak = "N'win"}``.

A key written between slashes is a regular expression (Python syntax), ``/.../i`` ignores case;
any other key is a whole word or phrase, case-sensitive.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import regex as _regex

from ..errors import AudiolessonError, ConfigError, ScriptError
from ..files import read_toml, toml_key_lines
from ._lexicon import DIALECTS, Entry, Lexicon, template_pieces

__all__ = ["lexicon_from_say", "load_lexicon"]

_BLOCK = re.compile(r"\[\[(.*?)\]\]")
_TABLE_KEYS = ("text", *DIALECTS)
_REGEX_KEY = re.compile(r"/(?P<pattern>.+)/(?P<flags>i?)", re.DOTALL)
# espeak mnemonics that betray phonemes meant for espeak in a Piper (IPA) field
_NOT_IPA = re.compile(r"[@'0-9:]")
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")  #: C0 and C1 controls but the tab


class _EntryError(Exception):
    """A bad entry; the caller adds path and line and raises its own error type."""


def _phonemes(dialect: str, value: str) -> str:
    _check_text(value)
    value = " ".join(value.split())
    if not value:
        raise _EntryError(f"empty {dialect} phonemes")
    if "[" in value or "]" in value:
        raise _EntryError(f"{dialect} phonemes may not contain [ or ]")
    if dialect == "piper" and _NOT_IPA.search(value):
        raise _EntryError(
            f"piper phonemes are IPA as espeak-ng writes them (ˈ ː ə...), not {value!r}; "
            "see them with: espeak-ng -q --ipa WORD"
        )
    if dialect == "espeak" and not value.isascii():
        raise _EntryError(
            f"espeak phonemes are ASCII mnemonics, not {value!r}; "
            "see them with: espeak-ng -q -x WORD"
        )
    return value


def _from_string(value: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    phonemes: dict[str, str] = {}
    for block in _BLOCK.findall(value):
        dialect, colon, written = block.partition(":")
        dialect = dialect.strip()
        if not colon or dialect not in DIALECTS:
            raise _EntryError(
                f"phonemes [[{block}]] need an engine: write [[piper: ...]] or [[espeak: ...]]"
            )
        phonemes[dialect] = _phonemes(dialect, written)
    text = " ".join(_BLOCK.sub(" ", value).split())
    if "[[" in text or "]]" in text:
        raise _EntryError("unclosed [[ ... ]] phonemes")
    return text, tuple(sorted(phonemes.items()))


def _from_table(value: Mapping[str, Any]) -> tuple[str, tuple[tuple[str, str], ...]]:
    unknown = sorted(str(k) for k in value if k not in _TABLE_KEYS)
    if unknown:
        raise _EntryError(f"unknown field {unknown[0]!r}; choose from: {', '.join(_TABLE_KEYS)}")
    for name, field_value in value.items():
        if not isinstance(field_value, str):
            raise _EntryError(f"{name} must be a string, got {field_value!r}")
    phonemes = tuple(sorted((d, _phonemes(d, value[d])) for d in DIALECTS if d in value))
    return " ".join(str(value.get("text", "")).split()), phonemes


def _check_text(value: str) -> None:
    """What to say holds no control character (a NUL, ESC or BEL would reach the engine, the
    transcript and the terminal raw)."""
    control = _CONTROL.search(value)
    if control:
        raise _EntryError(
            f"control character U+{ord(control.group()):04X} in what to say; remove it"
        )


def _entry(written: object, value: object, where: str) -> Entry:
    """One entry from a key and its value; _EntryError says what is wrong with it."""
    if not isinstance(written, str) or not written.strip():
        raise _EntryError("empty word in the lexicon; remove it")
    if isinstance(value, str):
        text, phonemes = _from_string(value)
    elif isinstance(value, Mapping):
        text, phonemes = _from_table(value)
    else:
        raise _EntryError(f"{written!r} must map to a string (how to say it), got {value!r}")
    regex = _REGEX_KEY.fullmatch(written) if len(written) > 2 else None
    if not text and not phonemes:
        raise _EntryError(f"{written!r} gives nothing to say; write how to say it")
    _check_text(text)
    if regex is None:
        return Entry(written, text or written, phonemes, where=where)
    try:  # Python's syntax, as re reads it; the lexicon then runs it on `regex` (see _lexicon)
        compiled = re.compile(regex["pattern"])
        bounded = _regex.compile(regex["pattern"], _regex.V0)
    except (re.error, _regex.error) as exc:
        raise _EntryError(f"bad regular expression {written}: {exc}") from None
    if compiled.fullmatch(""):
        raise _EntryError(f"regular expression {written} matches empty text; make it match more")
    if not text:
        raise _EntryError(f"regular expression {written} needs a text to say, not only phonemes")
    try:
        template_pieces(text, bounded.groups, bounded.groupindex)
    except ValueError as exc:
        raise _EntryError(str(exc)) from None
    return Entry(regex["pattern"], text, phonemes, True, bool(regex["flags"]), where)


def load_lexicon(path: Path) -> Lexicon:
    """voices/lexicon.toml (a flat table, or entries under [say]); an empty Lexicon if absent."""
    path = Path(path)
    if not path.exists():  # a FIFO or a folder is an error (read_toml says so), not "no lexicon"
        return Lexicon()
    data, text = read_toml(path, "lexicon")
    lines = toml_key_lines(text)
    section = None
    if "say" in data and isinstance(data["say"], dict):
        extra = sorted(k for k in data if k != "say")
        if extra:
            raise ConfigError(
                f"{extra[0]!r} is outside [say]; put every entry under [say] or use a flat table",
                path=path,
                line=lines.get((None, extra[0])),
            )
        data, section = data["say"], "say"
    entries = []
    for written, value in data.items():
        line = lines.get((section, written))
        try:
            entries.append(_entry(written, value, f"{path}:{line}" if line else str(path)))
        except _EntryError as exc:
            raise ConfigError(str(exc), path=path, line=line) from None
    return Lexicon.of(entries)


def lexicon_from_say(
    say: Mapping[str, Any], path: str | Path | None = None, lines: Mapping[str, int] | None = None
) -> Lexicon:
    """A script's front-matter `say` mapping as a Lexicon; a bad entry is a ScriptError at its line.

    `lines` maps each written key (or "say.<key>", as the script's metadata keeps them) to its line.
    """
    lines = lines or {}
    entries = []
    for written, value in say.items():
        line = lines.get(written, lines.get(f"say.{written}"))
        try:
            entries.append(_entry(written, value, f"{path}:{line}" if path and line else ""))
        except _EntryError as exc:
            error: type[AudiolessonError] = ScriptError
            raise error(str(exc), path=path, line=line) from None
    return Lexicon.of(entries)
