"""Roman numerals where a reader expects them: Henry VIII, World War II, Chapter IV, Type 2.

Only after a ruler's name (read as "the eighth") or a word that counts things ("Chapter IV",
read as "four"), so the pronoun "I" and words such as "MIX" or "CIVIL" are never numbers.
"""

from __future__ import annotations

import re

from .locale import Locale

__all__ = ["roman_numerals", "roman_value"]

_VALID = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
# Names of rulers and popes that take a regnal number.
_RULERS = frozenset(
    "Henry Edward George William Charles James Elizabeth Mary Richard Louis Philip Frederick Peter "
    "Catherine Ivan Nicholas Alexander Napoleon John Paul Pius Benedict Gregory Leo Innocent "
    "Clement Urban Boniface Sixtus Julius Francis Ramesses Ramses Amenhotep Thutmose Ptolemy "
    "Alfonso Ferdinand Isabella Juan Carlos Felipe Gustav Gustavus Christian Wilhelm Otto "
    "Friedrich Karl Franz Leopold Joseph Victor Umberto Olaf Harald Haakon Magnus Eric Erik Canute "
    "Malcolm David Robert Constantine Justinian Manuel Basil Michael Sancho Pedro Afonso Sebastian "
    "Anne Mehmed Suleiman Selim Murad Ahmed Mahmud Darius Cyrus Xerxes Artaxerxes Antiochus "
    "Seleucus Cleopatra Shalmaneser Tiglath-Pileser Sargon Nebuchadnezzar Rama Akbar Hussein "
    "Abdullah Hassan Mohammed Baldwin Stephen Harold Matilda Edmund Ethelred Valdemar Sigismund "
    "Casimir Stanislaus Vladimir Yaroslav Vasily Boris Fyodor Alexei Anna Maximilian Rudolf "
    "Albert Innocent Adrian Hadrian Lothair Pepin Childeric Clovis Hugh Conrad Heinrich".split()
)
_TITLES = (
    r"(?:King|Queen|Pope|Emperor|Empress|Tsar|Czar|Tsarina|Pharaoh|Sultan|Shah|Kaiser|Prince|"
    r"Princess|Duke|Saint|St\.)"
)
# Words after which a numeral counts ("World War II" -> "two").
_COUNTING = (
    r"(?:World\sWar|Chapter|Part|Act|Book|Volume|Vol\.|Unit|Section|Phase|Type|Class|Stage|Article|"
    r"Appendix|Level|Grade|Title|Schedule|Psalm|Apollo|Super\sBowl|Vatican|Round|Series|Category|"
    r"Chapters|Parts|Types|Stages|Phases)"
)
# Capitalised words that start sentences, not names: "So II is..." is not "So two".
_NOT_NAMES = frozenset(
    "The A An And But So Then If When While Use See Read Press Type Write Both Only Also".split()
)
_COUNTED = re.compile(rf"\b(?P<word>{_COUNTING}\s)(?P<n>[IVXLCDM]+)\b(?!['’]?\w)")
_REGNAL = re.compile(
    r"\b(?P<name>[A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s(?P<n>[IVXL]+)\b(?P<poss>['’]s)?(?![\w'’])"
)


def roman_value(numeral: str) -> int | None:
    """'XIV' -> 14; None unless numeral is a well-formed Roman numeral."""
    if not numeral or not _VALID.fullmatch(numeral):
        return None
    total = 0
    for index, char in enumerate(numeral):
        value = _VALUES[char]
        following = _VALUES[numeral[index + 1]] if index + 1 < len(numeral) else 0
        total += -value if value < following else value
    return total


def roman_numerals(text: str, loc: Locale) -> str:
    """'Henry VIII' -> 'Henry the eighth'; 'World War II' -> 'World War two'."""

    def counted(match: re.Match[str]) -> str:
        value = roman_value(match["n"])
        return match["word"] + loc.cardinal(value) if value else match.group()

    def regnal(match: re.Match[str]) -> str:
        value = roman_value(match["n"])
        name = match["name"]
        before = match.string[max(0, match.start() - 80) : match.start()]
        titled = bool(re.search(rf"\b{_TITLES}\s(?:[A-Z][a-z]+\s)*$", before))
        if not value or value > 39:
            return match.group()
        if name in _RULERS or titled:
            return f"{name} the {loc.ordinal(value)}{match['poss'] or ''}"
        # one-letter numerals ("I", "V") only after a known ruler: "Then I read" stays a pronoun;
        # longer ones after another name are counted: "Apollo XI", "Rocky II"
        if len(match["n"]) >= 2 and name not in _NOT_NAMES:
            return f"{name} {loc.cardinal(value)}{match['poss'] or ''}"
        return match.group()

    text = _COUNTED.sub(counted, text)
    return _REGNAL.sub(regnal, text)
