"""The clip cache as the mixer's clip source: a clip's audio and size by its key.

The plan registers what each key is (a turn to synthesise, or a sound file to decode); the
exporter then asks only by key (export.timeline.ClipSource), so it never reaches back into the
plan or the voices. A clip that is missing or damaged when the mixer wants it is made again here
and now, the same way it was made the first time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..audio import Audio
from ..voices.engines.base import configure_engines
from ..voices.render import render
from .cache import ClipCache, SentenceCache
from .job import SynthJob
from .worker import THREADS

__all__ = ["CachedClips"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Origin:
    """How to make a clip again, and where it comes from (for messages)."""

    where: str  #: "scripts/lesson.md:12"
    remake: Callable[[], Audio]
    turn: bool  #: a synthesised turn (not a decoded sound file)


class CachedClips:
    """Clips by key from the clip cache, made again (and stored) when an entry is gone or bad."""

    def __init__(self, cache: ClipCache) -> None:
        self.cache = cache
        self._origins: dict[str, _Origin] = {}

    def add_turn(self, job: SynthJob) -> None:
        """A turn's clip: synthesised again from its job if the cache lost it."""

        def remake() -> Audio:
            configure_engines(threads=THREADS)  # as a worker makes it: the same last bits
            return render(job.spoken, job.voice, SentenceCache(self.cache.root, job.where))

        self._origins.setdefault(job.key, _Origin(job.where, remake, True))

    def add_sound(self, key: str, where: str, decode: Callable[[], Audio]) -> None:
        """A decoded sound file's clip: decoded again if the cache lost it."""
        self._origins.setdefault(key, _Origin(where, decode, False))

    def load(self, key: str) -> Audio:
        """The clip's audio; a damaged or missing entry is made again, here and now."""
        origin = self._origins[key]
        existed = self.cache.has(key)
        audio = self.cache.get(key, origin.where)  # a damaged entry is reported there
        if audio is None:
            if not existed and origin.turn:
                log.warning("%s: clip missing from the cache; synthesising it again", origin.where)
            audio = origin.remake()
            self.cache.put(key, audio)
        return audio

    def size(self, key: str) -> tuple[int, int]:
        """(frames, sample rate) of the clip, from its cache header when it can."""
        found = self.cache.size(key)
        if found is None:
            audio = self.load(key)
            found = (audio.frames, audio.sample_rate)
        return found
