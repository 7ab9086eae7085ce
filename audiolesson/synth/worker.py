"""What runs in a synthesis worker (a local pool process or a Ray actor): render, store, report.

Workers write finished clips straight into the cache and send back only small results, so the
parent never holds audio. Each worker loads its engine model once and keeps it for every turn.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from ..audio import Audio
from ..voices.engines.base import configure_engines, get_engine
from ..voices.render import render_timed
from ..voices.timing import TIMING_FACT, time_audio
from .cache import ClipCache, SentenceCache
from .job import SynthJob

__all__ = ["THREADS", "render_into_cache", "retime", "worker_init"]

#: CPU threads an engine gets in every synthesis process: one. ONNX Runtime's float results
#: change with its intra-op thread count (5 of scripts/example.md's 21 Piper turns differ in
#: their last bits between 1 and 2 threads, and Praat's shift, seeded from the audio, then
#: differs everywhere), so a clip is the same take only if it is always made with the same
#: count, whichever executor, worker count, or number of missing turns made it. Builds run
#: turns side by side in workers instead.
THREADS = 1


def render_into_cache(cache_root: str, job: SynthJob) -> tuple[float, float]:
    """Render one job and store it with its word timing; return (audio seconds, elapsed
    seconds). Runs in a worker. A clip already cached without a timing (from before timings
    were kept) is only timed (see `retime`)."""
    started = time.perf_counter()
    cache = ClipCache(Path(cache_root))
    audio = retime(cache, job)
    if audio is None:
        sentences = SentenceCache(Path(cache_root), job.where)
        audio, timing = render_timed(job.spoken, job.voice, sentences)
        cache.put(job.key, audio, facts={TIMING_FACT: timing.facts()})
    return audio.duration, time.perf_counter() - started


def retime(cache: ClipCache, job: SynthJob) -> Audio | None:
    """Time a cached clip of an engine that reports nothing (found in its audio, which is kept:
    an online engine's turn is not bought again) and store the timing; None if there is no such
    clip. A timed engine's clip is rendered again instead: the same take, with its units."""
    if get_engine(job.voice.engine).timed is not None or not cache.has(job.key):
        return None
    audio = cache.get(job.key, job.where)
    if audio is None:
        return None
    cache.add_facts(job.key, {TIMING_FACT: time_audio(audio, job.spoken).facts()})
    return audio


def worker_init(threads: int = THREADS) -> None:
    """Set up a worker's engines (THREADS each, so N workers do not oversubscribe the cores and
    every clip is made alike)."""
    configure_engines(threads=threads)
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
