"""Sentence reuse in long turns: render keeps sentences' engine audio; the turn sounds the same.

Fast tests use a deterministic sentence engine (tests/_sentence_engine.py); the slow ones compare
real Piper sentence by sentence with the whole turn through PiperVoice.synthesize. Praat's PSOLA
draws random numbers in unvoiced stretches, so every turn-level comparison seeds it (unseeded, two
renders of the same turn correlate only about 0.99).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from _sentence_engine import NAME, register

from audiolesson.audio import Audio
from audiolesson.synth.cache import SentenceCache, sentence_key
from audiolesson.voices.engines.base import Voice, get_engine
from audiolesson.voices.render import _effects, engine_key, render, shift, voice_key

TEXT = (
    "Light reaches the leaf. The chloroplasts catch it and split water. "
    "Sugar is what the plant keeps!"
)
EDITED = TEXT.replace("split water", "split some water")


def pcm(audio: Audio) -> np.ndarray:
    """The turn as its clip stores it: 16-bit samples, one column."""
    return audio.to_int16()[:, 0].astype(np.int32)


def seeded_render(text: str, voice: Voice, store: SentenceCache | None = None) -> np.ndarray:
    """A turn's clip samples (Praat's shift seeds itself from its input)."""
    return pcm(render(text, voice, store))


def sentence_files(root: Path) -> list[Path]:
    return sorted((root / "sentences").glob("*/*.clip"))


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch):
    return register(monkeypatch)


def test_an_edit_renders_one_sentence_and_the_turn_sounds_as_rendered_whole(
    tmp_path: Path, engine
) -> None:
    voice = Voice("alto", engine=NAME, pitch=4.0, formant=1.08)  # shifted by Praat afterwards
    store = SentenceCache(tmp_path)
    cold = seeded_render(TEXT, voice, store)
    assert len(engine.rendered) == 3 and len(sentence_files(tmp_path)) == 3
    engine.rendered.clear()
    assert np.array_equal(cold, seeded_render(TEXT, voice))  # whole, as without the store
    engine.rendered.clear()
    warm = seeded_render(EDITED, voice, store)
    assert engine.rendered == ["The chloroplasts catch it and split some water."]
    assert len(sentence_files(tmp_path)) == 4
    assert np.array_equal(warm, seeded_render(EDITED, voice))
    assert not np.array_equal(warm[: len(cold)], cold)  # the edit is heard


def test_a_damaged_sentence_is_reported_once_and_synthesised_again(
    tmp_path: Path, engine, caplog: pytest.LogCaptureFixture
) -> None:
    voice = Voice("plain", engine=NAME)
    first = pcm(render(TEXT, voice, SentenceCache(tmp_path)))
    damaged = sentence_files(tmp_path)[0]
    damaged.write_bytes(damaged.read_bytes()[:-100])
    engine.rendered.clear()
    with caplog.at_level(logging.WARNING):
        again = pcm(render(TEXT, voice, SentenceCache(tmp_path, "scripts/book.md:7")))
        third = pcm(render(TEXT, voice, SentenceCache(tmp_path, "scripts/book.md:7")))
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert (
        warnings[0].startswith("scripts/book.md:7: cached sentence ") and "damaged" in warnings[0]
    )
    assert len(engine.rendered) == 1  # that sentence only, and only once
    assert np.array_equal(again, first) and np.array_equal(third, first)
    assert len(sentence_files(tmp_path)) == 3


def test_one_sentence_and_engines_without_sentences_store_nothing(tmp_path: Path, engine) -> None:
    store = SentenceCache(tmp_path)
    render("Just one sentence here.", Voice("plain", engine=NAME), store)
    render(TEXT, Voice("tone", engine="tone"), store)  # the tone engine renders texts whole
    assert sentence_files(tmp_path) == []
    assert len(engine.rendered) == 1


def test_engine_key_holds_what_changes_the_engine_audio_and_nothing_else(engine) -> None:
    voice = Voice("v", engine=NAME, pitch=2.0, formant=1.1, volume=-3.0, speed=1.1)
    key = engine_key(voice)
    # pitch and formant are render's effects here, volume the mixer's: same engine audio
    for other in (
        Voice("other name", engine=NAME, pitch=-5.0, formant=0.9, volume=2.0, speed=1.1),
        Voice("v", engine=NAME, speed=1.1),
    ):
        assert engine_key(other) == key
        assert voice_key(other) != voice_key(voice)  # the turn itself does sound different
    assert engine_key(Voice("v", engine=NAME, speed=1.0)) != key  # a native effect
    assert engine_key(Voice("v", engine=NAME, speed=1.1, options=(("x", 1),))) != key
    assert engine_key(Voice("v", engine=NAME, speed=1.1, model="other")) != key
    assert sentence_key("A.", key) != sentence_key("B.", key)
    assert sentence_key("A.", key) != sentence_key("A.", {**key, "version": "sentence-test 2"})


# --- real Piper --------------------------------------------------------------------------------

PARAGRAPH = (
    "Photosynthesis turns light into sugar. The leaf takes in carbon dioxide through tiny pores. "
    "Water comes up from the roots, and the chloroplasts do the rest."
)
PARAGRAPH_EDITED = PARAGRAPH.replace("tiny pores", "small pores")
#: Piper's generator and duration noise off: the model is then deterministic
STILL = (("variation", 0.0), ("variation_w", 0.0))


def piper_whole(text: str, voice: Voice, noise: bool = False) -> Audio:
    """Today's way: the whole turn through PiperVoice.synthesize, in a session of its own."""
    from piper import PiperVoice, SynthesisConfig

    from audiolesson.voices.engines.piper_tts import default_model

    piper_voice = PiperVoice.load(default_model())
    syn = SynthesisConfig(length_scale=piper_voice.config.length_scale / voice.speed)
    if not noise:
        syn.noise_scale = syn.noise_w_scale = 0.0
    chunks = [c.audio_float_array for c in piper_voice.synthesize(text, syn_config=syn)]
    return Audio(np.concatenate(chunks)[:, None], piper_voice.config.sample_rate)


def count_sentences(monkeypatch: pytest.MonkeyPatch, engine) -> list[str]:
    rendered: list[str] = []
    original = engine.synthesize_sentence

    def counting(sentence: str, voice: Voice) -> Audio:
        rendered.append(sentence)
        return original(sentence, voice)

    monkeypatch.setattr(engine, "synthesize_sentence", counting)
    return rendered


@pytest.mark.slow
def test_piper_sentence_cache_sounds_like_the_whole_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The narrator's settings (Piper, then Praat pitch -2, formant 0.97), Piper's noise off."""
    voice = Voice("narrator", pitch=-2.0, formant=0.97, speed=0.92, options=STILL)
    engine = get_engine("piper")
    rendered = count_sentences(monkeypatch, engine)
    store = SentenceCache(tmp_path)
    cold = seeded_render(PARAGRAPH, voice, store)
    assert len(rendered) == 3
    # the engine's audio: the stored sentences joined are the whole turn through Piper
    whole = piper_whole(PARAGRAPH, voice)
    stored = [store.load(s, engine_key(voice)) for s in engine.sentences(PARAGRAPH, voice)]
    joined = engine.join(stored, voice)
    assert np.array_equal(joined.samples, whole.rounded_to_pcm16().samples)
    # the turn: Praat shifts the 16-bit whole turn, cached sentences or not, seeded by its input
    assert np.array_equal(pcm(shift(whole.rounded_to_pcm16(), **_effects(voice))), cold)

    rendered.clear()
    warm = seeded_render(PARAGRAPH_EDITED, voice, store)
    before = engine.sentences(PARAGRAPH, voice)
    assert rendered == [s for s in engine.sentences(PARAGRAPH_EDITED, voice) if s not in before]
    assert len(rendered) == 1
    assert np.array_equal(warm, seeded_render(PARAGRAPH_EDITED, voice))  # as if rendered whole


@pytest.mark.slow
def test_piper_with_its_noise_renders_sentences_as_piper_renders_the_whole_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default voice as it ships (noise on): each sentence's noise comes from its inputs."""
    from piper import PiperVoice, SynthesisConfig

    from audiolesson.voices.engines import base
    from audiolesson.voices.engines.piper_tts import PiperEngine, default_model
    from audiolesson.voices.engines.seeded import open_session

    voice = Voice("teacher")  # no effects: the clip is the engine's audio at 16 bits
    # PiperVoice's own synthesize, with a seeded session of its own
    piper_voice = PiperVoice.load(default_model())
    piper_voice.session = open_session(default_model())
    chunks = [c.audio_float_array for c in piper_voice.synthesize(PARAGRAPH, SynthesisConfig())]
    whole = Audio(np.concatenate(chunks)[:, None], piper_voice.config.sample_rate)
    engine = PiperEngine(threads=base._threads)  # a fresh engine: another session
    monkeypatch.setitem(base._instances, ("piper", base._threads), engine)
    rendered = count_sentences(monkeypatch, engine)
    cached = render(PARAGRAPH, voice, SentenceCache(tmp_path))
    assert len(rendered) == 3
    assert np.array_equal(pcm(cached), pcm(whole))
