"""`audiolesson cache prune`: remove cached clips and encoded blocks no script uses any more."""

from __future__ import annotations

from ..config import Config
from ..export.blocks import block_keys, prune_blocks
from .cache import ClipCache
from .lock import project_lock
from .plan import audio_settings, load_scripts, plan_episode, script_paths

__all__ = ["prune_cache", "used_keys"]


def used_keys(config: Config) -> tuple[set[str], set[str]]:
    """Clip keys and encoded-block keys that the project's scripts use now."""
    cache = ClipCache(config.cache_dir)
    settings = audio_settings(config)
    clips: set[str] = set()
    blocks: set[str] = set()
    for script in load_scripts(script_paths(config, None)):
        plan = plan_episode(script, config, cache, force=True)
        clips.update(plan.keys, plan.sound_keys)
        blocks.update(block_keys(plan.chapters, settings))
    return clips, blocks


def prune_cache(config: Config) -> dict[str, int]:
    """Remove cache entries that no script uses any more."""
    clips, blocks = used_keys(config)
    with project_lock(config):
        removed, freed = ClipCache(config.cache_dir).prune(clips)
        blocks_removed, blocks_freed = prune_blocks(config.cache_dir, blocks)
    return {
        "clips_kept": len(clips),
        "clips_removed": removed,
        "blocks_removed": blocks_removed,
        "bytes_freed": freed + blocks_freed,
    }
