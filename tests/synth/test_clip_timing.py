"""Word timings kept with the clips: workers store them, a clip cached without one is timed
(without synthesis for an engine that reports nothing), and the mixer's clip source hands them
out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _sentence_engine import NAME, register

from audiolesson.synth.cache import ClipCache
from audiolesson.synth.clips import CachedClips
from audiolesson.synth.job import SynthJob
from audiolesson.synth.worker import render_into_cache
from audiolesson.voices import aligners
from audiolesson.voices.engines.base import Voice
from audiolesson.voices.timing import ClipTiming


def test_a_worker_stores_each_clip_with_its_timing(tmp_path: Path) -> None:
    job = SynthJob("k1", "Sound is a vibration.", Voice("t", engine="tone"), "s.md", 3)
    seconds, _ = render_into_cache(str(tmp_path), job)
    timing = ClipTiming.from_facts(ClipCache(tmp_path).facts("k1"), 4)
    assert timing is not None and timing.method == "exact"
    assert timing.words[0] == (0.0, 0.3) and timing.words[-1][1] == pytest.approx(seconds)


def test_an_untimed_engines_cached_clip_is_timed_and_not_bought_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = register(monkeypatch)  # speaks sentence by sentence, reports no times
    monkeypatch.setattr(aligners, "whisper_spans", lambda audio, words: None)  # proportional
    voice = Voice("s", engine=NAME)
    text = "One two. Three four five."
    cache = ClipCache(tmp_path)
    cache.put("k2", engine.synthesize(text, voice))  # cached by a build before timings
    before = cache.get("k2")
    assert before is not None and cache.facts("k2") == {}
    engine.rendered.clear()
    render_into_cache(str(tmp_path), SynthJob("k2", text, voice, "s.md", 1))
    assert engine.rendered == []  # timed from its audio, not synthesised again
    after = cache.get("k2")
    assert after is not None and np.array_equal(after.samples, before.samples)
    timing = ClipTiming.from_facts(cache.facts("k2"), 5)
    assert timing is not None and timing.method == "proportional"
    assert timing.words[0][0] < timing.words[1][0] < timing.words[4][0] < before.duration


def test_the_clip_source_gives_a_turns_timing_and_makes_a_lost_one_again(
    tmp_path: Path,
) -> None:
    cache = ClipCache(tmp_path)
    clips = CachedClips(cache)
    job = SynthJob("k3", "Hello there.", Voice("t", engine="tone"), "s.md", 2)
    clips.add_turn(job)
    clips.add_sound("snd", "sounds/chime.wav", lambda: clips.load("k3"))
    timing = clips.timing("k3")  # not cached yet: made, and stored with the clip
    assert timing is not None and timing.method == "exact" and len(timing.words) == 2
    audio = cache.get("k3")
    assert audio is not None
    cache.put("k3", audio)  # the timing lost (an entry from before timings were kept)
    assert clips.timing("k3") == timing and "timing" in cache.facts("k3")
    assert clips.timing("snd") is None  # a sound is heard, not read along
