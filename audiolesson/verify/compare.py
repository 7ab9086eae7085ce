"""Fair comparison of what was written with what was heard.

Whisper writes numbers as digits ("21", "3.5%"), our voices say them in words; Whisper cannot hear
case, punctuation, British spelling or whether letters were spelled. So both sides are put in the
same spoken form (the speech stage's rules, without the author's lexicon: the lexicon is what is
being checked) and then reduced to what a listener can tell apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..speech import spoken_form

__all__ = ["Comparison", "compare", "heard_as"]

#: words a listener cannot tell apart; each maps to one spelling on both sides
_HOMOPHONES = {
    "two": "to",
    "too": "to",
    "four": "for",
    "fore": "for",
    "eight": "ate",
    "won": "one",
    "okay": "ok",
}
#: British spellings Whisper (US English) writes the American way
_SPELLING = [
    (re.compile(r"(\w)tre(s?)\b"), r"\1ter\2"),  # metre, litre, centre
    (re.compile(r"(\w{2})our(s?)\b"), r"\1or\2"),  # colour, behaviour (not four, hour)
    (re.compile(r"(\w{2})ise([sd]?)\b"), r"\1ize\2"),  # organise, recognised
    (re.compile(r"(\w{2})isation(s?)\b"), r"\1ization\2"),
    (re.compile(r"(\w{3})ll(ed|ing)\b"), r"\1l\2"),  # travelled, modelling
]


def heard_as(text: str, language: str = "en") -> list[str]:
    """The words of `text` as a listener tells them apart: spoken form (numbers, units and
    symbols in words), no case, punctuation or hyphens, American spelling, spelled letters joined
    ("C S V" and "CSV" are both "csv")."""
    spoken = spoken_form(text, language).replace("’", "'")
    spoken = re.sub(r"\[\[.*?\]\]", " ", spoken)  # phonemes never reach a transcript
    raw = re.sub(r"[^\w\s]|_", " ", spoken.replace("'", "")).split()
    words: list[str] = []
    i = 0
    while i < len(raw):
        word, i = raw[i], i + 1
        # a run of single letters is one spelled word ("a" and "I" only when a letter follows);
        # a spelled plural ("G P Ts") joins too
        if len(word) == 1 and (word not in "aAI" or (i < len(raw) and len(raw[i]) == 1)):
            while i < len(raw) and (len(raw[i]) == 1 or re.fullmatch("[A-Z]s", raw[i])):
                last = raw[i]
                word, i = word + last, i + 1
                if len(last) == 2:
                    break
        words.append(_listened(word.lower()))
    return words


def _listened(word: str) -> str:
    """One spelling for words that sound alike."""
    for pattern, replacement in _SPELLING:
        word = pattern.sub(replacement, word)
    return _HOMOPHONES.get(word, word)


def _compounds(words: list[str], other: list[str]) -> list[str]:
    """`words` with two neighbours joined where `other` has them as one word: a listener cannot
    hear whether "film makers" is written as one word or two."""
    whole = set(other)
    joined: list[str] = []
    for word in words:
        if joined and joined[-1] + word in whole and not {joined[-1], word} <= whole:
            joined[-1] += word
        else:
            joined.append(word)
    return joined


@dataclass(frozen=True)
class Comparison:
    """Written against heard, as word lists, with the word error rate and the differing words."""

    expected: list[str]
    heard: list[str]
    wer: float
    #: (expected words, heard words) for each place they differ, in order
    differences: list[tuple[str, str]]

    @property
    def errors(self) -> int:
        """Words substituted, deleted or inserted."""
        return round(self.wer * len(self.expected)) if self.expected else len(self.heard)

    @property
    def one_word(self) -> tuple[str, str] | None:
        """The only difference when exactly one written word was heard as something else."""
        if len(self.differences) == 1:
            expected, heard = self.differences[0]
            if expected and " " not in expected and heard:
                return expected, heard
        return None


def compare(written: str, heard: str, language: str = "en") -> Comparison:
    """Compare a turn's written text with a transcript of its audio."""
    import jiwer

    expected, got = heard_as(written, language), heard_as(heard, language)
    expected, got = _compounds(expected, got), _compounds(got, expected)
    if not expected:
        return Comparison(expected, got, 0.0 if not got else 1.0, [("", " ".join(got))] * bool(got))
    if not got:
        return Comparison(expected, got, 1.0, [(" ".join(expected), "")])
    out = jiwer.process_words(" ".join(expected), " ".join(got))
    differences = []
    for chunk in out.alignments[0]:
        if chunk.type != "equal":
            differences.append(
                (
                    " ".join(expected[chunk.ref_start_idx : chunk.ref_end_idx]),
                    " ".join(got[chunk.hyp_start_idx : chunk.hyp_end_idx]),
                )
            )
    return Comparison(expected, got, float(out.wer), differences)
