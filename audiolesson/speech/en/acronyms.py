"""Acronyms: spelled (DNA -> 'D N A', GPUs -> 'G P U's') or said as words (NASA -> 'Nasa').

The default tables are a starting point; a lexicon entry overrides any of them.
"""

from __future__ import annotations

import re

from .._marks import spell
from .words import cardinal

__all__ = ["ACRONYM_WORDS", "SPELLED", "acronyms"]

#: Acronyms said as words (and a few with a fixed reading).
ACRONYM_WORDS = {
    "NASA": "Nasa",
    "LASER": "laser",
    "RADAR": "radar",
    "SONAR": "sonar",
    "SCUBA": "scuba",
    "UNESCO": "Unesco",
    "UNICEF": "Unicef",
    "NATO": "Nato",
    "OPEC": "Opec",
    "ASEAN": "Asean",
    "AIDS": "aids",
    "SARS": "sars",
    "COVID": "Covid",
    "GIF": "gif",
    "JPEG": "jay-peg",
    "MPEG": "em-peg",
    "NaN": "nan",
    "RAM": "ram",
    "ROM": "rom",
    "GUI": "gooey",
    "BIOS": "bye-oss",
    "PIN": "pin",
    "SIM": "sim",
    "ASCII": "askee",
    "LIDAR": "lidar",
    "CAPTCHA": "captcha",
    "JSON": "jason",
    "YAML": "yammel",
    "CUDA": "cooda",
    "SQL": "S Q L",
    "FIFA": "Fifa",
    "NAFTA": "Nafta",
    "ISRO": "Isro",
    "BRICS": "bricks",
    "MOOC": "mooc",
    "WASM": "wasm",
    "PaLM": "palm",  # machine-learning model names, written in mixed case, said as words
    "LLaMA": "llama",
    "IPv4": "I P v four",
    "IPv6": "I P v six",
    "pH": "p H",
    "pKa": "p K a",
    "NW": "north-west",
    "NE": "north-east",
    "SW": "south-west",
    "SE": "south-east",
    "OK": "okay",
    "TV": "T V",
}
#: Pronounceable acronyms that are still spelled.
SPELLED = frozenset({"IUPAC", "USSR", "IEEE", "OECD", "UNHCR", "NCERT", "CBSE", "ICSE", "IUCN"})
# All-capital words that are ordinary words written loudly ("Do NOT mix them").
_LOUD_WORDS = frozenset(
    "A I NOT AND OR NOR XOR NAND THE ALL ANY BUT FOR YES NO TWO ONE TEN NEW OLD BIG MIX TOP "
    "END OUT "
    "WHY HOW WHAT ARE IS IT ITS OF ON IN TO BE BY IF SO UP DO GO MY AN AS AT WE HE SHE YOU HIS HER "
    "OUR CAN MAY NOW ONLY THEN ELSE TRUE FALSE STOP MUST NEVER ALWAYS NOTE TIP KEY HOT WET "
    "DRY".split()
)
_ONSETS = frozenset(
    "BL BR CH CL CR DR FL FR GL GN GR KN PH PL PR SC SH SK SL SM SN SP ST SW TH TR TW WH WR "
    "QU".split()
)
_VOWELS = set("AEIOUY")
_LOWER_PREFIXED = re.compile(r"(?<![\w'’])(?P<pre>[mtrsiecd])(?P<caps>RNA|DNA|NA)\b")
_ACRONYM = re.compile(
    r"(?<![\w'’.-])(?P<digits>\d+)?(?P<word>[A-Z][A-Za-z]*[A-Z]|[A-Z](?=\d)|(?<=\d)[A-Z]+|"
    + "|".join(re.escape(k) for k in ACRONYM_WORDS if not k.isupper())
    + r")(?P<plural>s|['’]s)?(?:(?P<dash>-)?(?P<number>\d+))?(?![\w'’]|\.\w)"
)


def _pronounceable(word: str) -> bool:
    """A guess at whether an all-capital word of four or more letters is read as a word."""
    if not _VOWELS & set(word):
        return False
    if re.search(r"[^AEIOUY]{3}", word):
        return False
    if word[0] not in _VOWELS and word[1] not in _VOWELS and word[:2] not in _ONSETS:
        return False
    return True


def _say(word: str) -> str | None:
    """The spoken form of one acronym, or None to leave it as written."""
    if word in ACRONYM_WORDS:
        return ACRONYM_WORDS[word]
    if not word.isupper():
        return None
    if word in SPELLED:
        return spell(word)
    if word in _LOUD_WORDS:
        return word.lower() if len(word) > 1 else word
    if len(word) <= 3 or not _pronounceable(word):
        return spell(word)
    return None


def acronyms(text: str) -> str:
    """Spell or say each acronym, with plurals (CPUs), numbers (GPT-4, 4G) and prefixes (mRNA)."""
    text = _LOWER_PREFIXED.sub(lambda m: f"{m['pre']} {spell(m['caps'])}", text)

    def one(match: re.Match[str]) -> str:
        word = match["word"]
        if len(word) == 1 and not (match["digits"] or match["number"]):
            return match.group()
        spoken = _say(word)
        if spoken is None:
            return match.group()
        if match["plural"]:
            spoken += "'s" if spoken.isupper() or spoken[-1:] not in "aeiouy" else "s"
        parts = [spoken]
        if match["digits"]:
            parts.insert(0, cardinal(int(match["digits"])))
        if match["number"]:
            parts.append(cardinal(int(match["number"])))
        return " ".join(parts)

    return _ACRONYM.sub(one, text)
