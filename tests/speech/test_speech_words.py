"""Written words and spoken words: which spoken words each written word became (word timings
follow the written words), checked on the spoken-form corpus and on the hard cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from audiolesson.speech import (
    align_owners,
    normal_word,
    sentence_starts,
    spoken_form,
    spoken_words,
    word_map,
    written_words,
)

CORPUS = Path(__file__).parents[1] / "data" / "speech" / "corpus.tsv"


def corpus() -> list[tuple[str, str]]:
    """(language, written) of every corpus sentence."""
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if line.startswith("#") or len(parts) < 5:
            continue
        rows.append((parts[2], parts[3]))
    return rows


def said(text: str, language: str = "en") -> list[tuple[str, str]]:
    """(written word, the spoken words it became) for a text, as the build maps them."""
    spoken = spoken_words(spoken_form(text, language))
    written = written_words(text)
    counts = word_map(written, spoken, lambda word: spoken_form(word, language))
    assert sum(counts) == len(spoken) and len(counts) == len(written)
    out, at = [], 0
    for word, n in zip(written, counts, strict=True):
        out.append((word, " ".join(spoken[at : at + n])))
        at += n
    return out


def test_a_formula_is_one_written_word_said_as_several() -> None:
    assert said("Plants turn 6CO2 and 6H2O into sugar.") == [
        ("Plants", "Plants"), ("turn", "turn"), ("6CO2", "six C O two"), ("and", "and"),
        ("6H2O", "six H two O"), ("into", "into"), ("sugar.", "sugar."),
    ]  # fmt: skip
    assert said("Solve x² − 5x + 6 = 0.") == [
        ("Solve", "Solve"), ("x²", "x squared"), ("−", "minus"), ("5x", "five x"),
        ("+", "plus"), ("6", "six"), ("=", "equals"), ("0.", "zero."),
    ]  # fmt: skip


def test_words_said_by_their_neighbours_still_get_their_own() -> None:
    # "≤" alone says nothing: its reading needs both sides; "and" inside the number is no anchor
    assert said("We need x ≤ 10.")[2:] == [
        ("x", "x"), ("≤", "less than or equal to"), ("10.", "ten."),
    ]  # fmt: skip
    assert said("At STP the gas is at 273 K and 100 kPa.")[6:] == [
        ("273", "two hundred seventy-three"), ("K", "kelvin"), ("and", "and"),
        ("100", "one hundred"), ("kPa.", "kilopascals."),
    ]  # fmt: skip
    assert said("Signed on July 4, 1776.")[2:] == [
        ("July", "July"), ("4,", "fourth,"), ("1776.", "seventeen seventy-six."),
    ]  # fmt: skip


def test_a_word_the_rules_moved_goes_with_its_neighbour() -> None:
    # "$15 million" is said "fifteen million dollars": "dollars" stays with the last word
    assert said("It cost $15 million.")[2:] == [
        ("$15", "fifteen"),
        ("million.", "million dollars."),
    ]


@pytest.mark.parametrize(("language", "text"), corpus())
def test_every_corpus_sentence_maps_in_order_onto_its_spoken_form(language: str, text: str) -> None:
    spoken = spoken_words(spoken_form(text, language))
    written = written_words(text)
    counts = word_map(written, spoken, lambda word: spoken_form(word, language))
    assert len(counts) == len(written) and sum(counts) == len(spoken) and min(counts) >= 0
    # a written word with something to say gets spoken words of its own, but for words the
    # rules move away from their place ("Rs. 250" is "two hundred and fifty rupees")
    silent = [w for w, n in zip(written, counts, strict=True) if n == 0 and normal_word(w)]
    assert len(silent) <= 1, silent


def test_the_corpus_is_almost_all_mapped_word_for_word() -> None:
    silent = total = 0
    for language, text in corpus():
        spoken = spoken_words(spoken_form(text, language))
        written = written_words(text)
        counts = word_map(written, spoken, lambda word, lang=language: spoken_form(word, lang))
        total += len(written)
        silent += sum(1 for w, n in zip(written, counts, strict=True) if n == 0 and normal_word(w))
    assert total > 3000 and silent <= 3  # Rs. 250, Rs. 2000: the rules put the unit after


def test_spoken_words_keep_a_phoneme_block_whole() -> None:
    assert spoken_words("Hello [[ŋwˈɪn ɡeɪ]], friend.") == ["Hello", "[[ŋwˈɪn ɡeɪ]],", "friend."]
    assert normal_word(" Hello,") == "hello" and normal_word("—") == "" and normal_word("&") == "&"


def test_align_owners_shares_what_differs_in_order() -> None:
    expected = [["a", "b"], ["c"], ["d", "e", "f"]]
    assert align_owners(expected, ["a", "b", "c", "d", "e", "f"]) == [0, 0, 1, 2, 2, 2]
    assert align_owners(expected, ["a", "b", "x", "y", "z", "f"]) == [0, 0, 1, 2, 2, 2]
    assert align_owners(expected, ["a", "x", "y", "f"]) == [0, 0, 2, 2]  # too few: spread out
    assert align_owners(expected, ["", "a", "", "c"]) == [0, 0, 0, 1]  # empty: the one before
    assert align_owners([], ["a"]) == [None]


def test_sentences_end_at_stops_but_not_at_abbreviations() -> None:
    words = "Dr. Smith came. He said: e.g. this one! Then J. R. left… And so?".split()
    starts = sentence_starts(words)
    assert [words[i] for i in starts] == ["Dr.", "He", "Then", "And"]
    assert sentence_starts([]) == [] and sentence_starts(["One"]) == [0]
    assert sentence_starts('"Stop." She did.'.split()) == [0, 1]
