"""`audiolesson cache prune`: remove cached clips and encoded blocks no script uses any more."""

from __future__ import annotations

from ..config import Config
from ..export.blocks import BLOCKS_FOLDER, block_keys, prune_blocks
from ..export.m4b import prune_aac
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
        # a block's AAC file shares its key: it goes with the block; AAC made otherwise goes too
        blocks_removed, blocks_freed = prune_blocks(config.cache_dir, blocks)
        _, aac_freed = prune_aac(config.cache_dir, BLOCKS_FOLDER, audio_settings(config))
        blocks_freed += aac_freed
    return {
        "clips_kept": len(clips),
        "clips_removed": removed,
        "blocks_removed": blocks_removed,
        "bytes_freed": freed + blocks_freed,
    }
