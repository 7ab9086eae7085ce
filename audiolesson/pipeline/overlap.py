"""Export while synthesis runs: a block is mixed and encoded as soon as every clip it needs exists.

Synthesis workers fill the clip cache turn by turn; each finished turn is reported to the parent
(`clip_ready`). A block whose clips are now all in the cache goes to a small thread pool in the
parent, which mixes and encodes it into the block cache (export.blocks.encode_block), the same
entry the export would have made. When synthesis ends, `finish` waits for what is in flight; the
export then finds those blocks in the block cache and only joins them. Nothing here decides what
is written: a block that fails early is simply encoded again by the export, which reports the
failure properly.

With a slow engine (Piper) the cores are busy with synthesis and the early blocks use the gaps
(the tail of synthesis, when fewer turns than workers remain); with a fast one (the system voice)
export runs beside synthesis instead of after it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..audio_settings import AudioSettings
from ..export.blocks import (
    BLOCKS_FOLDER,
    EncodedBlock,
    block_key,
    encode_block,
    gap_answers,
    preload_encoders,
    resolve_gaps,
    split_blocks,
)
from ..export.timeline import Block, ChapterTimeline, ClipItem
from ..synth.clips import CachedClips
from .plan import EpisodePlan

__all__ = ["EarlyBlocks"]

log = logging.getLogger(__name__)


@dataclass
class _Waiting:
    block: Block
    key: str
    clips: CachedClips  #: where its clips' audio comes from
    missing: set[str] = field(default_factory=set)


@dataclass
class _Gapped:
    """A chapter whose practice gaps wait for the lengths of their answers' clips."""

    chapter: ChapterTimeline
    clips: CachedClips
    missing: set[str] = field(default_factory=set)


def _keyed_before_synthesis(plan: EpisodePlan) -> list[ChapterTimeline]:
    """The plan's chapters whose block keys are known once their practice gaps' answers exist
    (at once for a chapter without gaps): those under no music bed.

    A block under a bed is keyed by where it sits in the bed, which takes the length of every
    clip before it: asking for those lengths would synthesise the missing clips here, one by one,
    before any worker starts. Those blocks are left to the export.
    """
    return [chapter for chapter in plan.chapters if chapter.bed is None]


class EarlyBlocks:
    """Blocks of the episodes to write, encoded as their clips arrive (see the module doc)."""

    def __init__(
        self,
        plans: Sequence[EpisodePlan],
        settings: AudioSettings,
        cache_dir: Path,
        threads: int | None = None,
    ) -> None:
        self._settings = settings
        self._folder = cache_dir / BLOCKS_FOLDER
        self._by_clip: dict[str, list[_Waiting]] = {}
        self._gapped: dict[str, list[_Gapped]] = {}  #: answer clip -> chapters waiting for it
        self._futures: list[tuple[str, Future[EncodedBlock]]] = []
        self._pool: ThreadPoolExecutor | None = None
        self._threads = threads or os.cpu_count() or 1
        self.encoded: set[str] = set()  #: keys of the blocks encoded here
        self._seen: set[str] = set()
        #: blocks whose clips are all cached already: started with the first clip that arrives
        self._ready: list[_Waiting] = []
        for plan in plans:
            if plan.up_to_date or not plan.missing:
                continue  # nothing new to say: the export alone is quick (cached blocks)
            cache = plan.clips.cache
            for chapter in _keyed_before_synthesis(plan):
                waits = {k for k in gap_answers(chapter) if not cache.has(k)}
                gapped = _Gapped(chapter, plan.clips, waits)
                if gapped.missing:
                    for clip in gapped.missing:
                        self._gapped.setdefault(clip, []).append(gapped)
                else:
                    self._add_blocks(gapped)
        if self._ready or self._by_clip or self._gapped:
            # Here, before the synthesis workers are forked and before any thread runs: a thread
            # inside an import while a worker is forked leaves that import's lock held in the
            # worker for ever. The export would import these anyway.
            preload_encoders()

    def _add_blocks(self, gapped: _Gapped) -> None:
        """Wait for the clips of each block of a chapter whose gaps' answers are all cached."""
        chapter, clips = resolve_gaps(gapped.chapter, clips=gapped.clips), gapped.clips
        for block in split_blocks(chapter):
            key = block_key(block, self._settings)
            if key in self._seen or (self._folder / f"{key}.json").is_file():
                continue  # already encoded (the export verifies it)
            self._seen.add(key)
            needs = {i.key for i in block.items if isinstance(i, ClipItem)}
            waiting = _Waiting(block, key, clips, {k for k in needs if not clips.cache.has(k)})
            if not waiting.missing:
                self._ready.append(waiting)
            for clip in waiting.missing:
                self._by_clip.setdefault(clip, []).append(waiting)

    def clip_ready(self, key: str) -> None:
        """A clip is now in the cache: start every block it completes."""
        for gapped in self._gapped.pop(key, []):
            gapped.missing.discard(key)
            if not gapped.missing:  # its gaps' lengths are known: so are its blocks' keys
                self._add_blocks(gapped)
        while self._ready:
            self._submit(self._ready.pop(0))
        for waiting in self._by_clip.pop(key, []):
            waiting.missing.discard(key)
            if not waiting.missing:
                self._submit(waiting)

    def _submit(self, waiting: _Waiting) -> None:
        if self._pool is None:
            self._folder.mkdir(parents=True, exist_ok=True)
            self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="early-block")
        work = (waiting.block, self._settings, self._folder, waiting.key)
        future = self._pool.submit(encode_block, *work, clips=waiting.clips)
        self._futures.append((waiting.key, future))

    def finish(self) -> None:
        """Wait for the blocks in flight; those encoded are in `encoded`. Failures are left to the
        export (it encodes such a block again and reports why it fails)."""
        for key, future in self._futures:
            try:
                future.result()
                self.encoded.add(key)
            except Exception as exc:  # the export will meet it again, with its own message
                log.debug("early block encoding failed: %s", exc)
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        self._futures.clear()

    def cancel(self) -> None:
        """Stop starting blocks (a failed or interrupted build); wait for those already running."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._futures.clear()
