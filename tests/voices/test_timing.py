"""When each spoken word is said: engines' own units placed on the words, render's tempo change
accounted for, and the aligners for engines that report nothing (Whisper, proportional)."""

from __future__ import annotations

from dataclasses import replace
from importlib.metadata import EntryPoint
from typing import ClassVar

import numpy as np
import pytest

from audiolesson.audio import Audio
from audiolesson.speech import spoken_words
from audiolesson.synth.cache import SentenceCache
from audiolesson.voices.aligners import phoneme_counts, proportional, whisper_spans
from audiolesson.voices.engines import base
from audiolesson.voices.engines.base import Voice, get_engine
from audiolesson.voices.engines.tone import SAMPLE_RATE, ToneEngine
from audiolesson.voices.render import render, render_timed
from audiolesson.voices.timing import ClipTiming, place_words


def test_units_run_together_by_the_engine_part_where_their_labels_do() -> None:
    # Piper says "in the" as one phoneme word, ɪnðə: its phonemes still part between the words
    labels = {"in": ["ɪ", "n"], "the": ["ð", "ə"], "air.": ["ɛ", "ɹ"]}
    units = [
        ("", 0.0, 0.1), ("ɪ", 0.1, 0.15), ("n", 0.15, 0.2), ("ð", 0.2, 0.26), ("ə", 0.26, 0.3),
        ("", 0.3, 0.35), ("ˈɛ", 0.35, 0.45), ("ɹ", 0.45, 0.5), ("", 0.5, 0.9),
    ]  # fmt: skip
    spans = place_words(["in", "the", "air."], units, lambda w: labels[w])
    assert spans == [(0.1, 0.2), (0.2, 0.3), (0.35, 0.5)]  # pauses belong to no word
    # a word the engine said nothing for sits, without length, after the word before
    spans = place_words(["in", "—", "air."], units, lambda w: labels.get(w, []))
    assert spans[1] == (spans[0][1], spans[0][1])


def test_a_timing_is_kept_as_a_cache_fact_and_checked_on_reading() -> None:
    timing = ClipTiming("durations", ((0.1, 0.3), (0.35, 0.5)))
    facts = {"timing": timing.facts()}
    assert ClipTiming.from_facts(facts, 2) == timing
    assert ClipTiming.from_facts(facts, 3) is None  # not this clip's words
    assert ClipTiming.from_facts({}, 2) is None
    old = {"timing": {**timing.facts(), "version": 0}}
    assert ClipTiming.from_facts(old, 2) is None  # an older version is timed again
    assert timing.scaled(2.0).words == ((0.2, 0.6), (0.7, 1.0))


def test_the_tone_engine_places_its_words_exactly() -> None:
    text = "Sound is a vibration."
    audio, timing = render_timed(text, Voice("t", engine="tone"))
    assert np.array_equal(audio.samples, render(text, Voice("t", engine="tone")).samples)
    assert timing.method == "exact"
    hop = SAMPLE_RATE // 200  # 5 ms
    level = np.sqrt((audio.samples[: audio.frames // hop * hop, 0].reshape(-1, hop) ** 2).mean(1))
    for start, end in timing.words:  # each word's span is where its tone sounds
        a, b = round(start * 200), round(end * 200)
        assert (level[a + 3 : b - 3] > 0.1).all() and (level[b + 1 : b + 10] < 0.01).all()


class StretchedTone(ToneEngine):
    """Tone words whose tempo render changes (speed is not native: Praat applies it)."""

    name: ClassVar[str] = "stretched-tone"
    native_effects: ClassVar[frozenset[str]] = frozenset({"pitch"})

    @staticmethod
    def _per_char(voice: Voice) -> int:
        return ToneEngine._per_char(replace(voice, speed=1.0))  # the tempo is render's


def test_a_tempo_change_scales_the_engines_times(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = EntryPoint("stretched-tone", f"{__name__}:StretchedTone", base.ENTRY_POINT_GROUP)
    monkeypatch.setitem(base._registered(), "stretched-tone", entry)
    text = "Sound needs a medium."
    plain = render_timed(text, Voice("v", engine="stretched-tone"))[1]
    audio, fast = render_timed(text, Voice("v", engine="stretched-tone", speed=1.25))
    factor = audio.frames / (plain.words[-1][1] * SAMPLE_RATE)
    assert factor == pytest.approx(0.8, abs=0.02)  # Praat: 1.25 times the tempo
    for (a, b), (c, d) in zip(plain.words, fast.words, strict=True):
        assert c == pytest.approx(a * factor, abs=1e-3) and d == pytest.approx(b * factor, abs=1e-3)


def test_proportional_shares_the_voiced_stretch_by_phonemes() -> None:
    samples = np.zeros(3 * 16000, np.float32)
    samples[8000:40000] = 0.3  # voiced from 0.5 s to 2.5 s
    words = ["Hello", "there.", "Go"]
    counts = phoneme_counts(words)
    assert counts[0] >= 4 and counts[2] >= 2
    spans = proportional(Audio(samples[:, None], 16000), words, counts)
    assert spans[0][0] == pytest.approx(0.5, abs=0.011)
    assert spans[-1][1] == pytest.approx(2.5, abs=0.011)
    assert spans[1][1] < spans[2][0]  # a sentence's pause after "there."


def test_sentence_units_are_kept_with_the_sentences(tmp_path) -> None:
    store = SentenceCache(tmp_path)
    audio = Audio(np.zeros((100, 1), np.float32), 1000)
    store.save("s1", {"k": 1}, audio, [("a", 0.0, 0.05), ("", 0.05, 0.1)])
    assert store.units("s1", {"k": 1}) == [("a", 0.0, 0.05), ("", 0.05, 0.1)]
    store.save("s2", {"k": 1}, audio)
    assert store.units("s2", {"k": 1}) is None and store.load("s2", {"k": 1}) is not None


# --- real engines ----------------------------------------------------------------------------

TEXT = "Sound needs a medium: a gas, a liquid or a solid. About three hundred metres a second."


@pytest.mark.slow
def test_piper_times_come_from_its_durations_and_agree_with_whisper(tmp_path) -> None:
    voice = Voice("teacher")
    audio, timing = render_timed(TEXT, voice, SentenceCache(tmp_path))
    assert timing.method == "durations" and len(timing.words) == len(spoken_words(TEXT))
    assert np.array_equal(audio.samples, render(TEXT, voice).samples)  # the same take
    assert all(b > a for a, b in timing.words) and timing.words[-1][1] <= audio.duration
    # from the cached sentences (their units kept), the same timing without synthesis
    engine = get_engine("piper")
    calls: list[str] = []
    real = engine.synthesize_sentence_timed
    engine.synthesize_sentence_timed = lambda s, v: calls.append(s) or real(s, v)  # type: ignore[method-assign]
    try:
        again = render_timed(TEXT, voice, SentenceCache(tmp_path))[1]
        assert np.allclose(again.words, timing.words, atol=1e-4) and calls == []
    finally:
        del engine.synthesize_sentence_timed
    heard = whisper_spans(audio, spoken_words(TEXT))
    if heard is None:
        pytest.skip("needs audiolesson[verify] (Whisper) for the comparison")
    gaps = [abs(a - c) for (a, _), (c, _) in zip(timing.words, heard, strict=True)]
    assert np.median(gaps) <= 0.15 and np.percentile(gaps, 95) <= 0.4, gaps


@pytest.mark.slow
def test_pyttsx3_times_come_from_espeaks_word_events_and_agree_with_whisper() -> None:
    """espeak-ng says where it starts each word (words it runs together share a stretch); the
    audio is the very take `synthesize` gives, and Whisper hears the words about there."""
    pytest.importorskip("pyttsx3")
    engine = get_engine("pyttsx3")
    try:
        engine.check()
    except Exception:  # noqa: BLE001 - no system speech library here
        pytest.skip("needs espeak-ng")
    voice = Voice("s", engine="pyttsx3")
    text = TEXT + " So that it needs two pieces to be spoken, which makes it long enough here."
    audio, timing = render_timed(text, voice)
    assert timing.method == "events" and len(timing.words) == len(spoken_words(text))
    assert np.array_equal(audio.samples, render(text, voice).samples)
    starts = [a for a, _ in timing.words]
    assert starts == sorted(starts) and all(b > a for a, b in timing.words)
    assert timing.words[-1][1] <= audio.duration
    heard = whisper_spans(audio, spoken_words(text))
    if heard is None:
        pytest.skip("needs audiolesson[verify] (Whisper) for the comparison")
    gaps = [abs(a - c) for (a, _), (c, _) in zip(timing.words, heard, strict=True)]
    assert np.median(gaps) <= 0.15 and np.percentile(gaps, 95) <= 0.4, gaps


def test_pyttsx3_units_from_word_events_stop_where_the_voice_does() -> None:
    """A word runs from its event to the next word's, less the silence before that; a driver
    that reports no events gives no units (the words are then found in the audio)."""
    from audiolesson.voices.engines.pyttsx3_tts import event_units

    rate = 1000
    samples = np.zeros(3000, dtype=np.float32)
    samples[0:400] = 0.5  # "one", then a pause
    samples[1000:1300] = 0.5  # "two", then a pause
    samples[2000:2600] = 0.5  # "three"
    audio = Audio(samples[:, None], rate)
    units = event_units(audio, [["One,", 0], ["two", 1000], ["three", 2000]])
    assert units == [("one", 0.0, 0.4), ("two", 1.0, 1.3), ("three", 2.0, 2.6)]
    assert event_units(audio, None) is None


@pytest.mark.slow
@pytest.mark.requires_extra("verify")
def test_whisper_aligns_the_known_words_of_a_clip_longer_than_its_window() -> None:
    """A 40-second turn is cut at pauses between sentences and each piece aligned on its own:
    every word still lands near where Piper says it."""
    text = " ".join(
        f"This is sentence number {n}, which talks about sound and air for a while."
        for n in ("one two three four five six seven eight nine ten eleven twelve".split())
    )
    voice = Voice("teacher")
    audio, timing = render_timed(text, voice)
    assert audio.duration > 35
    heard = whisper_spans(audio, spoken_words(text))
    assert heard is not None and len(heard) == len(timing.words)
    gaps = [abs(a - c) for (a, _), (c, _) in zip(timing.words, heard, strict=True)]
    assert np.median(gaps) <= 0.15 and np.percentile(gaps, 95) <= 0.5, sorted(gaps)[-5:]


@pytest.mark.slow
@pytest.mark.requires_extra("kokoro")
@pytest.mark.requires_extra("verify")
def test_kokoro_words_are_found_in_its_audio_by_whisper() -> None:
    voice = Voice("k", engine="kokoro", model="jf_alpha")
    audio, timing = render_timed(TEXT, voice)
    assert timing.method == "whisper" and len(timing.words) == len(spoken_words(TEXT))
    starts = [a for a, _ in timing.words]
    assert starts == sorted(starts) and timing.words[-1][1] <= audio.duration + 0.05
