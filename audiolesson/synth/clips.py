"""The clip cache as the mixer's clip source: a clip's audio and size by its key.

The plan registers what each key is (a turn to synthesise, or a sound file to decode); the
exporter then asks only by key (export.timeline.ClipSource), so it never reaches back into the
plan or the voices. A clip that is missing or damaged when the mixer wants it is made again here
and now, the same way it was made the first time. A turn's clip also says when each of its
spoken words is said (`timing`, kept with it in the cache).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..audio import Audio
from ..speech import spoken_words
from ..voices.engines.base import configure_engines
from ..voices.render import render_timed
from ..voices.timing import TIMING_FACT, ClipTiming
from .cache import ClipCache, SentenceCache
from .job import SynthJob
from .levels import LevelStore
from .worker import THREADS, retime

__all__ = ["CachedClips"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Origin:
    """How to make a clip again, and where it comes from (for messages)."""

    where: str  #: "scripts/lesson.md:12"
    remake: Callable[[], Audio]
    job: SynthJob | None = None  #: a synthesised turn's job (None: a decoded sound file)

    @property
    def turn(self) -> bool:
        """A synthesised turn (not a decoded sound file)."""
        return self.job is not None


class CachedClips:
    """Clips by key from the clip cache, made again (and stored) when an entry is gone or bad."""

    def __init__(self, cache: ClipCache) -> None:
        self.cache = cache
        #: each clip's measured level, kept beside the cache (synth.levels)
        self.levels: LevelStore | None = LevelStore(cache.root)
        self._origins: dict[str, _Origin] = {}

    def add_turn(self, job: SynthJob) -> None:
        """A turn's clip: synthesised again from its job if the cache lost it."""

        def remake() -> Audio:  # stored with its timing, as a worker stores it
            configure_engines(threads=THREADS)  # as a worker makes it: the same last bits
            sentences = SentenceCache(self.cache.root, job.where)
            audio, timing = render_timed(job.spoken, job.voice, sentences)
            self.cache.put(job.key, audio, facts={TIMING_FACT: timing.facts()})
            return audio

        self._origins.setdefault(job.key, _Origin(job.where, remake, job))

    def add_sound(self, key: str, where: str, decode: Callable[[], Audio]) -> None:
        """A decoded sound file's clip: decoded again if the cache lost it."""

        def remake() -> Audio:
            audio = decode()
            self.cache.put(key, audio)
            return audio

        self._origins.setdefault(key, _Origin(where, remake))

    def load(self, key: str) -> Audio:
        """The clip's audio; a damaged or missing entry is made again, here and now."""
        origin = self._origins[key]
        existed = self.cache.has(key)
        audio = self.cache.get(key, origin.where)  # a damaged entry is reported there
        if audio is None:
            if not existed and origin.turn:
                log.warning("%s: clip missing from the cache; synthesising it again", origin.where)
            audio = origin.remake()
        return audio

    def timing(self, key: str) -> ClipTiming | None:
        """When each spoken word of a turn's clip is said (None for a sound file's clip). The
        plan has every clip without one timed with the missing clips; one lost since is timed
        (or made) again here."""
        origin = self._origins.get(key)
        if origin is None or origin.job is None:
            return None
        job = origin.job
        count = len(spoken_words(job.spoken))
        found = ClipTiming.from_facts(self.cache.facts(key), count)
        if found is None:
            configure_engines(threads=THREADS)
            if retime(self.cache, job) is None:
                origin.remake()
            found = ClipTiming.from_facts(self.cache.facts(key), count)
        return found

    def size(self, key: str) -> tuple[int, int]:
        """(frames, sample rate) of the clip, from its cache header when it can."""
        found = self.cache.size(key)
        if found is None:
            audio = self.load(key)
            found = (audio.frames, audio.sample_rate)
        return found
