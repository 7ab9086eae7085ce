"""`audiolesson cache prune`: remove cached clips (and their kept levels), sentences and encoded
blocks no script uses."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..config import Config
from ..export.blocks import BLOCKS_FOLDER, block_keys, prune_blocks
from ..export.m4b import prune_aac
from ..synth.cache import ClipCache, SentenceCache, sentence_key
from ..synth.clips import CachedClips
from ..synth.levels import LevelStore
from ..voices.render import engine_key, sentence_pieces
from .lock import cache_lock, project_lock
from .plan import load_scripts, plan_episode, script_paths

__all__ = ["UsedKeys", "prune_cache", "used_keys"]


@dataclass
class UsedKeys:
    """The cache entries the project's scripts use now."""

    clips: set[str] = field(default_factory=set)  #: turn clips and decoded sound files
    blocks: set[str] = field(default_factory=set)  #: encoded chapter blocks
    sentences: set[str] = field(default_factory=set)  #: sentences of long turns (see render)


def used_keys(config: Config) -> UsedKeys:
    """Clip, encoded-block and sentence keys that the project's scripts use now.

    Sentence keys come from splitting each turn as its engine does (Piper phonemizes it, which
    loads the voice model once): a sentence is kept while some turn still says it.
    """
    clips = CachedClips(ClipCache(config.cache_dir))
    settings = config.audio
    used = UsedKeys()
    for script in load_scripts(script_paths(config, None)):
        plan = plan_episode(script, config, clips, force=True)
        used.clips.update(plan.keys, plan.sound_keys)
        used.blocks.update(block_keys(plan.chapters, settings, clips=clips))
        if script.cards:  # the same episode with(out) practice gaps (build --no-gaps) too
            build = replace(config.build, practice_gaps=not config.build.practice_gaps)
            other = plan_episode(script, replace(config, build=build), clips, force=True)
            used.blocks.update(block_keys(other.chapters, settings, clips=clips))
        for ct in plan.turns:
            pieces = sentence_pieces(ct.spoken, ct.voice) or []
            key = engine_key(ct.voice) if pieces else {}
            used.sentences.update(sentence_key(piece, key) for piece in pieces)
    return used


def prune_cache(config: Config) -> dict[str, int]:
    """Remove cache entries that no script uses any more.

    It holds the project's lock and the cache folder's lock alone, so no build of this project
    or of another sharing the folder writes (or reads) the cache meanwhile; the keys in use are
    read under the locks too (planning decodes sound files into the cache).
    """
    with project_lock(config), cache_lock(config, exclusive=True):
        used = used_keys(config)
        removed, freed = ClipCache(config.cache_dir).prune(used.clips)
        sentences_removed, sentences_freed = SentenceCache(config.cache_dir).prune(used.sentences)
        # a block's AAC file shares its key: it goes with the block; AAC made otherwise goes too
        blocks_removed, blocks_freed = prune_blocks(config.cache_dir, used.blocks)
        _, aac_freed = prune_aac(config.cache_dir, BLOCKS_FOLDER, config.audio)
        blocks_freed += aac_freed
        _, levels_freed = LevelStore(config.cache_dir).prune(used.clips)  # measurements of clips
        freed += levels_freed
    return {
        "clips_kept": len(used.clips),
        "clips_removed": removed,
        "sentences_removed": sentences_removed,
        "blocks_removed": blocks_removed,
        "bytes_freed": freed + sentences_freed + blocks_freed,
    }
