"""The block cache's checks: what a build trusts a cached block by, and what makes it hash it whole.

Every build checks each cached block's MP3 by its size, its mtime and a hash of its first and last
EDGE_BYTES (recorded in the block's index); the whole MP3 is hashed when one of those disagrees,
and with `full_check` (build --force) always. These tests damage real encoded blocks.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
from synth_clips import CLIPS, lesson

from audiolesson.audio_settings import AudioSettings
from audiolesson.export import blocks
from audiolesson.export.episode import export_episode
from audiolesson.export.tags import EpisodeMeta


@pytest.fixture(scope="module")
def encoded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """An exported episode's block cache, and the bytes of every file in it."""
    root = tmp_path_factory.mktemp("blocks")
    meta = EpisodeMeta(title="Lesson", build_key="k")
    export_episode(
        lesson(chapters=2, turns=2), meta, AudioSettings(), root / "out", "e", root, clips=CLIPS
    )
    folder = root / blocks.BLOCKS_FOLDER
    return folder, {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.fixture
def folder(encoded: tuple[Path, dict[str, bytes]], tmp_path: Path) -> Path:
    """A fresh copy of the block cache (mtimes kept, as `cp -p` would) for one test to damage."""
    source, files = encoded
    copy = tmp_path / "blocks"
    copy.mkdir()
    for name, data in files.items():
        (copy / name).write_bytes(data)
        stat = (source / name).stat()
        os.utime(copy / name, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return copy


def biggest(folder: Path) -> tuple[str, int, dict]:
    """The key, clip count and index of the block with the largest MP3."""
    mp3 = max(folder.glob("*.mp3"), key=lambda p: p.stat().st_size)
    meta = json.loads(mp3.with_suffix(".json").read_text())
    return mp3.stem, len(meta["spans"]), meta


def damage(path: Path, offset: int, keep_mtime: bool) -> None:
    """Flip one byte at `offset`; the size stays, and with keep_mtime so does the mtime."""
    stat = path.stat()
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))
    if keep_mtime:
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_an_index_records_what_a_build_checks_without_hashing(folder: Path) -> None:
    key, _, meta = biggest(folder)
    mp3 = folder / f"{key}.mp3"
    assert meta["bytes"] == mp3.stat().st_size and meta["mtime_ns"] == mp3.stat().st_mtime_ns
    assert meta["bytes"] > 4 * blocks.EDGE_BYTES  # so a byte in the middle is past both edges


@pytest.mark.parametrize("keep_mtime", [False, True])
def test_a_changed_byte_at_the_edge_is_caught_without_force(
    folder: Path, caplog: pytest.LogCaptureFixture, keep_mtime: bool
) -> None:
    key, clips, _ = biggest(folder)
    damage(folder / f"{key}.mp3", 100, keep_mtime)
    with caplog.at_level(logging.WARNING):
        assert blocks.load_block(folder, key, clips) is None
    assert "its MP3 fails the checksum" in caplog.text


def test_a_changed_byte_in_the_middle_with_a_new_mtime_is_caught_without_force(
    folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key, clips, meta = biggest(folder)
    damage(folder / f"{key}.mp3", meta["bytes"] // 2, keep_mtime=False)
    with caplog.at_level(logging.WARNING):
        assert blocks.load_block(folder, key, clips) is None
    assert "its MP3 fails the checksum" in caplog.text


def test_a_changed_byte_behind_an_unchanged_mtime_is_caught_by_a_full_check(
    folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key, clips, meta = biggest(folder)
    damage(folder / f"{key}.mp3", meta["bytes"] // 2, keep_mtime=True)
    # what the README says: size, mtime and edges agree, so an ordinary build trusts the block
    assert blocks.load_block(folder, key, clips) is not None
    with caplog.at_level(logging.WARNING):
        assert blocks.load_block(folder, key, clips, full_check=True) is None
    assert "its MP3 fails the checksum" in caplog.text


def test_a_whole_block_with_a_new_mtime_is_hashed_once_and_stamped_again(
    folder: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, clips, meta = biggest(folder)
    mp3 = folder / f"{key}.mp3"
    os.utime(mp3, ns=(meta["mtime_ns"] + 10**9, meta["mtime_ns"] + 10**9))  # touched, or copied
    hashed: list[Path] = []
    real = blocks.sha256_of
    monkeypatch.setattr(blocks, "sha256_of", lambda *p: hashed.extend(p) or real(*p))
    with caplog.at_level(logging.WARNING):
        assert blocks.load_block(folder, key, clips) is not None
        assert mp3 in hashed
        stamped = json.loads(mp3.with_suffix(".json").read_text())
        assert stamped == {**meta, "mtime_ns": mp3.stat().st_mtime_ns}
        hashed.clear()
        assert blocks.load_block(folder, key, clips) is not None
        assert mp3 not in hashed  # the new stamp vouches for it now
    assert caplog.text == ""


def test_an_index_from_before_the_stamps_is_hashed_and_stamped(folder: Path) -> None:
    key, clips, meta = biggest(folder)
    old = {k: v for k, v in meta.items() if k not in ("mtime_ns", "edges")}
    (folder / f"{key}.json").write_text(json.dumps(old))
    assert blocks.load_block(folder, key, clips) is not None
    assert json.loads((folder / f"{key}.json").read_text()) == meta


def test_a_block_whose_size_changed_is_not_hashed_at_all(
    folder: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, clips, meta = biggest(folder)
    mp3 = folder / f"{key}.mp3"
    mp3.write_bytes(mp3.read_bytes()[:-1])
    monkeypatch.setattr(blocks, "sha256_of", lambda *p: pytest.fail("hashed a truncated MP3"))
    with caplog.at_level(logging.WARNING):
        assert blocks.load_block(folder, key, clips) is None
    assert f"its MP3 is {meta['bytes'] - 1} bytes, not {meta['bytes']}" in caplog.text


def test_every_block_of_an_episode_passes_its_checks(folder: Path) -> None:
    for index in folder.glob("*.json"):
        meta = json.loads(index.read_text())
        assert blocks.load_block(folder, index.stem, len(meta["spans"])) is not None
    assert not list(folder.glob(".*.tmp"))


def test_aac_blocks_are_checked_as_mp3_blocks_are(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from audiolesson.export import m4b

    settings = AudioSettings()
    meta = EpisodeMeta(title="Lesson", build_key="k")
    export_episode(
        lesson(chapters=1, turns=2), meta, settings, tmp_path / "out", "e", tmp_path,
        formats=("mp3", "m4b"), clips=CLIPS,
    )  # fmt: skip
    folder, tag = tmp_path / blocks.BLOCKS_FOLDER, m4b.aac_tag(settings)
    aac = max(folder.glob(f"*.{tag}.aac"), key=lambda p: p.stat().st_size)
    key = aac.name.split(".")[0]
    index = json.loads((folder / f"{key}.json").read_text())
    samples = index["samples"]
    aac_index = json.loads(m4b._paths(folder, key, tag)[1].read_text())
    assert aac_index["mtime_ns"] == aac.stat().st_mtime_ns
    assert aac_index["bytes"] > 4 * blocks.EDGE_BYTES
    damage(aac, aac_index["bytes"] // 2, keep_mtime=True)
    assert m4b._load(folder, key, tag, samples, full=False) == aac_index["frames"]
    with caplog.at_level(logging.WARNING):
        assert m4b._load(folder, key, tag, samples, full=True) is None
    assert "is damaged (it fails the checksum)" in caplog.text
