"""apply_lexicon: whole words, case-sensitive, one pass, longest key first."""

from __future__ import annotations

from audiolesson.script.lexicon import apply_lexicon


def test_whole_words_only():
    assert apply_lexicon("AI AIM MAIL AI.", {"AI": "A I"}) == "A I AIM MAIL A I."


def test_case_sensitive():
    assert apply_lexicon("Hz hz HZ", {"Hz": "hertz"}) == "hertz hz HZ"


def test_longest_key_wins():
    mapping = {"New York": "the city", "New York City": "the big apple"}
    assert apply_lexicon("New York City and New York", mapping) == "the big apple and the city"


def test_single_pass_never_replaces_a_replacement():
    assert apply_lexicon("a b", {"a": "b", "b": "c"}) == "b c"


def test_keys_with_punctuation():
    mapping = {"m/s": "metres per second", "C++": "C plus plus", "Dr.": "Doctor"}
    assert apply_lexicon("Dr. Li writes C++ at 3 m/s.", mapping) == (
        "Doctor Li writes C plus plus at 3 metres per second."
    )


def test_empty_mapping_and_empty_keys_change_nothing():
    assert apply_lexicon("text", {}) == "text"
    assert apply_lexicon("text", {"": "x"}) == "text"
