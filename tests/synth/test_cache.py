"""The clip cache: content keys, atomic verified entries, pruning."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from audiolesson.audio import Audio
from audiolesson.keys import digest
from audiolesson.synth.cache import ClipCache, clip_key


def tone(seconds: float = 0.5, rate: int = 22050) -> Audio:
    t = np.arange(int(seconds * rate)) / rate
    return Audio(samples=(0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), sample_rate=rate)


def test_key_changes_with_everything_that_changes_the_sound() -> None:
    voice = {"engine": "piper", "version": "1.0", "model": "abc", "speed": 1.0}
    base = clip_key("Hello there.", voice)
    assert clip_key("Hello there.", dict(voice)) == base
    assert clip_key("Hello there!", voice) != base
    assert clip_key("Hello there.", {**voice, "speed": 1.1}) != base
    assert clip_key("Hello there.", {**voice, "version": "1.1"}) != base
    assert clip_key("Hello there.", {**voice, "model": "abd"}) != base


def test_digest_ignores_key_order() -> None:
    assert digest({"a": 1, "b": [1, 2]}) == digest({"b": [1, 2], "a": 1})


def test_round_trip_keeps_samples_rate_and_channels(tmp_path) -> None:
    cache = ClipCache(tmp_path)
    audio = tone()
    cache.put("ab" * 32, audio)
    back = cache.get("ab" * 32)
    assert back is not None
    assert back.sample_rate == 22050 and back.channels == 1 and back.frames == audio.frames
    assert np.max(np.abs(back.samples - audio.samples)) < 1e-4
    stereo = Audio(samples=np.stack([audio.samples, -audio.samples], axis=1), sample_rate=22050)
    cache.put("cd" * 32, stereo)
    back = cache.get("cd" * 32)
    assert back is not None and back.channels == 2
    assert np.allclose(back.samples[:, 1], -audio.samples, atol=1e-4)


def test_missing_entry_is_none(tmp_path) -> None:
    assert ClipCache(tmp_path).get("00" * 32) is None


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_damaged_entry_is_reported_removed_and_missed(tmp_path, caplog, damage) -> None:
    cache = ClipCache(tmp_path)
    key = "ef" * 32
    path = cache.put(key, tone())
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        path.write_bytes(data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:])
    elif damage == "garbage":
        path.write_bytes(b"not a clip at all")
    else:
        path.write_bytes(b"")
    with caplog.at_level(logging.WARNING):
        assert cache.get(key) is None
    assert "damaged" in caplog.text
    assert not path.exists()


def test_put_leaves_no_temp_files(tmp_path) -> None:
    cache = ClipCache(tmp_path)
    cache.put("12" * 32, tone())
    assert [p.name for p in (tmp_path / "clips" / "12").iterdir()] == ["12" * 32 + ".clip"]


def test_prune_keeps_only_used_entries(tmp_path) -> None:
    cache = ClipCache(tmp_path)
    for k in ("aa" * 32, "bb" * 32, "cc" * 32):
        cache.put(k, tone(0.1))
    stale = tmp_path / "clips" / "aa" / f".{'aa' * 32}.clip.k3j4h5g6.tmp"  # as atomic_writer names
    stale.write_bytes(b"x")
    (tmp_path / "clips" / "aa" / ".stale-1.tmp").write_bytes(b"not ours")
    removed, freed = cache.prune({"aa" * 32})
    assert removed == 2 and freed > 0
    assert sorted(cache.keys()) == ["aa" * 32]
    assert not stale.exists()
    assert (tmp_path / "clips" / "aa" / ".stale-1.tmp").exists()  # a name the cache never gives


def test_facts_travel_with_the_entry_and_leave_old_headers_alone(tmp_path) -> None:
    cache = ClipCache(tmp_path)
    audio = tone()
    plain = cache.put("cd" * 32, audio)
    header_before = plain.read_bytes()[: plain.stat().st_size - audio.frames * 2]
    assert b"facts" not in header_before  # an entry without facts is written as it always was
    assert cache.facts("cd" * 32) == {}
    cache.put("ef" * 32, audio, {"words": [[0.0, 0.2, "Hello"]], "lufs": -20.5})
    assert cache.facts("ef" * 32) == {"words": [[0.0, 0.2, "Hello"]], "lufs": -20.5}
    assert cache.size("ef" * 32) == (audio.frames, 22050)
    assert cache.add_facts("ef" * 32, {"peak": -3.0})
    assert cache.facts("ef" * 32) == {"words": [[0.0, 0.2, "Hello"]], "lufs": -20.5, "peak": -3.0}
    back = cache.get("ef" * 32)
    assert back is not None and np.array_equal(back.to_pcm16(), audio.to_pcm16())
    assert not cache.add_facts("01" * 32, {"peak": 0.0})  # nothing stored under that key
    assert cache.facts("01" * 32) == {}
