"""Planning: the build lays out its pauses as `check` estimates them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from audiolesson.config import load_config
from audiolesson.export.timeline import ClipItem, Silence
from audiolesson.pipeline.plan import load_scripts, plan_episode, script_paths
from audiolesson.script.check import estimate_seconds, speech_seconds
from audiolesson.synth.cache import ClipCache
from audiolesson.synth.clips import CachedClips

DATA = Path(__file__).parents[1] / "data" / "project"


def test_the_build_and_check_lay_out_the_same_pauses(tmp_path: Path) -> None:
    # check counted [pause]s on top of the speaker's pause and used `level == 2` for sub-chapters;
    # the build replaces the speaker's pause and adds the end pause: they now share one layout
    root = tmp_path / "project"
    shutil.copytree(DATA, root)
    config = load_config(root)
    (script,) = load_scripts(script_paths(config, None))
    plan = plan_episode(script, config, CachedClips(ClipCache(config.cache_dir)), force=False)
    items = [item for chapter in plan.chapters for item in chapter.items]
    silence = sum(item.seconds for item in items if isinstance(item, Silence))
    speech = sum(speech_seconds(item.text) for item in items if isinstance(item, ClipItem))
    assert silence > 0
    assert estimate_seconds(script) == pytest.approx(speech + silence)
