"""Kept clip levels: a block mixed from its clips' kept levels sounds exactly as the block that
measured them, without measuring a clip again; a damaged level file is measured again."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from synth_clips import speechy

from audiolesson.audio import Audio
from audiolesson.audio_settings import AudioSettings
from audiolesson.export import mix
from audiolesson.export.timeline import Block, ClipItem, Silence
from audiolesson.synth.levels import ClipLevel, LevelStore, level_tag


class KeptClips:
    """Speech-like clips by hex key, with their levels kept in a folder (as the clip cache's)."""

    def __init__(self, folder) -> None:
        self.levels = LevelStore(folder)
        self.audio: dict[str, Audio] = {}

    def item(self, n: int, seconds: float, level: float, clicks: bool = False) -> ClipItem:
        key = hashlib.sha256(f"clip {n}".encode()).hexdigest()[:40]
        audio = speechy(seconds, 22050, n, level)
        if clicks:  # sharp peaks well above the speech: the limiter must act on them
            audio.samples[::2205] = 0.99
        self.audio[key] = audio
        return ClipItem(key=key, speaker="Teacher", text=f"Turn {n}.", line=n)

    def load(self, key: str) -> Audio:
        return self.audio[key]

    def size(self, key: str) -> tuple[int, int]:
        return self.audio[key].frames, self.audio[key].sample_rate

    def timing(self, key: str) -> None:
        return None


def _render(block: Block, clips: KeptClips) -> tuple[mix.BlockMix, np.ndarray]:
    pieces: list[np.ndarray] = []
    result = mix.stitch(block, AudioSettings(), pieces.append, clips=clips)
    return result, np.concatenate(pieces)


def _block(clips: KeptClips) -> Block:
    # loud peaks (the limiter acts), a quiet turn, an ordinary one
    items = [clips.item(1, 2.5, 0.3, clicks=True), Silence(0.4), clips.item(2, 2.0, 0.02)]
    return Block("One", [*items, Silence(0.6), clips.item(3, 3.0, 0.5)])


def test_a_block_mixed_from_kept_levels_is_the_same_audio_unmeasured(tmp_path, monkeypatch):
    clips = KeptClips(tmp_path)
    block = _block(clips)
    first, pcm = _render(block, clips)
    kept = sorted(p.name for p in (tmp_path / "levels").rglob("*.json"))
    assert len(kept) == 3
    levels = [
        clips.levels.get(i.key, _tag(f))
        for i in block.items
        if isinstance(i, ClipItem)
        for f in (tmp_path / "levels").rglob(f"{i.key}.*.json")
    ]
    assert any(lv is not None and lv.loud[0].size for lv in levels)
    calls: list[str] = []
    for name in ("clip_energies", "frame_peaks"):
        real = getattr(mix, name)
        monkeypatch.setattr(
            mix, name, lambda *a, _n=name, _r=real, **k: calls.append(_n) or _r(*a, **k)
        )
    again, pcm_again = _render(block, clips)
    assert calls == []  # nothing measured: every level was kept
    assert np.array_equal(pcm, pcm_again)
    assert again.spans == first.spans and again.true_peak_db == first.true_peak_db
    assert again.loudness_lufs == pytest.approx(first.loudness_lufs, abs=1e-9)
    assert first.true_peak_db <= AudioSettings().true_peak_dbtp - mix.CODEC_HEADROOM_DB + 1e-6


def test_a_damaged_or_foreign_level_is_measured_again(tmp_path):
    clips = KeptClips(tmp_path)
    block = _block(clips)
    _, pcm = _render(block, clips)
    files = sorted((tmp_path / "levels").rglob("*.json"))
    files[0].write_bytes(files[0].read_bytes()[:50])  # cut short
    files[1].write_text('{"version": 1}')
    _, pcm_again = _render(block, clips)
    assert np.array_equal(pcm, pcm_again)
    assert all(ClipLevel.parse(f.read_bytes(), _tag(f)) is not None for f in files[:2])


def _tag(path) -> str:
    import json

    return json.loads(path.read_bytes())["tag"]


def test_a_level_belongs_to_its_settings(tmp_path):
    clips = KeptClips(tmp_path)
    item = clips.item(4, 1.0, 0.5)
    level = ClipLevel(-3.0, 0.5, np.ones((4, 1)), 100, (np.array([3, 9]), np.array([0.4, 0.5])))
    tag = level_tag(44100, 1, -19.0, -2.0)
    clips.levels.put(item.key, tag, level)
    got = clips.levels.get(item.key, tag)
    assert got is not None and got.gain_db == -3.0 and got.frames == 100
    assert np.array_equal(
        got.peaks()[[3, 9]], np.float32([0.4, 0.5])
    ) and got.peaks().sum() == pytest.approx(0.9)
    assert clips.levels.get(item.key, level_tag(48000, 1, -19.0, -2.0)) is None
    assert clips.levels.get(item.key, level_tag(44100, 1, -16.0, -2.0)) is None


def test_prune_keeps_only_the_levels_of_clips_in_use(tmp_path):
    clips = KeptClips(tmp_path)
    block = _block(clips)
    _render(block, clips)
    kept = next((tmp_path / "levels").rglob(f"{block.items[0].key}.*.json"))
    (kept.parent / f".{kept.name}.k2j4.tmp").write_text("partial")  # a write cut short
    (kept.parent / "notes.txt").write_text("not ours")
    (kept.parent / ".draft.tmp").write_text("not ours either")
    used = {block.items[0].key}
    removed, freed = clips.levels.prune(used)
    assert removed == 3 and freed > 0  # two unused levels and the temporary file
    left = sorted(p.name for p in (tmp_path / "levels").rglob("*") if p.is_file())
    assert left == sorted([kept.name, "notes.txt", ".draft.tmp"])
