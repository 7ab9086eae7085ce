"""Export beside synthesis: blocks are encoded as soon as their clips exist, and nothing changes.

The fixture project uses tone voices, slowed down here so that synthesis takes long enough for the
first chapter's blocks to be encoded before the last turn is done (workers are forked: they see
the patch).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _probe import audio_frames, ffmpeg_decode
from _project import copy_project

from audiolesson.config import load_config
from audiolesson.pipeline import build
from audiolesson.pipeline.events import Synthesized


@pytest.mark.slow  # nine slowed turns: ~4 s
def test_blocks_are_encoded_while_synthesis_runs(tmp_path: Path, slow_tone) -> None:
    root = copy_project(tmp_path / "overlap")
    blocks = root / ".audiolesson" / "cache" / "blocks"
    in_cache: list[int] = []  # encoded blocks in the block cache as each turn is reported

    def on_event(event: object) -> None:
        if isinstance(event, Synthesized):
            in_cache.append(len(list(blocks.glob("*.json"))) if blocks.is_dir() else 0)

    result = build(load_config(root, jobs=2), on_event=on_event)
    assert len(in_cache) == 9 and in_cache[0] == 0
    assert in_cache[-1] >= 1  # a block was whole in the cache before the last turn was done
    # blocks encoded beside synthesis count as encoded, not as reused
    chapters = json.loads((root / "output" / "lesson.chapters.json").read_text())["chapters"]
    assert result.chapters_with_new_blocks == len(chapters) and result.chapters_reused == 0


@pytest.mark.slow  # two builds of nine slowed turns: ~9 s
def test_early_blocks_change_nothing_in_the_episode(tmp_path: Path, slow_tone, monkeypatch) -> None:
    early = copy_project(tmp_path / "early")
    build(load_config(early, jobs=2))
    from audiolesson.pipeline import overlap

    monkeypatch.setattr(overlap.EarlyBlocks, "clip_ready", lambda self, key: None)
    late = copy_project(tmp_path / "late")
    result = build(load_config(late, jobs=2))
    assert result.turns_synthesized == 9
    for name in ("lesson.vtt", "lesson.chapters.json"):
        assert (early / "output" / name).read_bytes() == (late / "output" / name).read_bytes()
    assert audio_frames(early / "output" / "lesson.mp3") == audio_frames(
        late / "output" / "lesson.mp3"
    )
    decoded = ffmpeg_decode(early / "output" / "lesson.mp3")
    assert decoded.returncode == 0 and decoded.stderr == ""


@pytest.mark.slow  # a build, then a fresh interpreter importing the pipeline: ~3 s
def test_encoding_a_block_imports_nothing_the_preload_missed(tmp_path: Path) -> None:
    """Blocks are encoded on threads while worker processes may be forked: an import in flight
    at a fork leaves its lock held in the worker. So every import happens before, in preload."""
    root = copy_project(tmp_path / "imports")
    build(load_config(root, jobs=2))
    shutil.rmtree(root / ".audiolesson" / "cache" / "blocks")
    code = f"""
import sys
from pathlib import Path
from audiolesson.config import load_config
from audiolesson.export.blocks import BLOCKS_FOLDER, block_key, encode_block, episode_blocks
from audiolesson.export.blocks import preload_encoders
from audiolesson.pipeline.memo import SpokenMemo
from audiolesson.synth.cache import ClipCache
from audiolesson.synth.clips import CachedClips
from audiolesson.pipeline.plan import load_scripts, plan_episode, script_paths
config = load_config(Path({str(root)!r}))
[script] = load_scripts(script_paths(config, None))
clips = CachedClips(ClipCache(config.cache_dir))
plan = plan_episode(script, config, clips, True, SpokenMemo(config.cache_dir))
settings = config.audio
blocks = [b for chapter in episode_blocks(plan.chapters, settings, clips=clips) for b in chapter]
folder = config.cache_dir / BLOCKS_FOLDER
folder.mkdir(parents=True, exist_ok=True)
preload_encoders()
before = set(sys.modules)
for block in blocks:
    encode_block(block, settings, folder, block_key(block, settings), clips=clips)
print(sorted(set(sys.modules) - before))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_a_music_bed_leaves_synthesis_to_the_workers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # blocks under a bed are keyed by their place in it, which takes every clip's length: the
    # early encoder used to ask for them, and so synthesised each missing turn itself, one by one,
    # before any worker started ("clip missing from the cache; synthesising it again")
    from sound_files import tone, write_sound

    root = copy_project(tmp_path / "music")
    write_sound(root / "sounds" / "bed.wav", tone(300.0, 2.0, level=0.3))
    script = root / "scripts" / "lesson.md"
    script.write_text(script.read_text().replace("---\n", "---\nmusic: ../sounds/bed.wav\n", 1))
    with caplog.at_level("WARNING"):
        result = build(load_config(root, jobs=2))
    assert result.turns_synthesized == 9
    assert not [
        r.getMessage() for r in caplog.records if "missing from the cache" in r.getMessage()
    ]
