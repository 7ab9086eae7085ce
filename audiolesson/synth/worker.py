"""What runs in a synthesis worker (a local pool process or a Ray actor): render, store, report.

Workers write finished clips straight into the cache and send back only small results, so the
parent never holds audio. Each worker loads its engine model once and keeps it for every turn.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from ..voices.engines.base import configure_engines
from ..voices.render import render
from .cache import ClipCache, SentenceCache
from .job import SynthJob

__all__ = ["THREADS", "render_into_cache", "worker_init"]

#: CPU threads an engine gets in every synthesis process: one. ONNX Runtime's float results
#: change with its intra-op thread count (5 of scripts/example.md's 21 Piper turns differ in
#: their last bits between 1 and 2 threads, and Praat's shift, seeded from the audio, then
#: differs everywhere), so a clip is the same take only if it is always made with the same
#: count, whichever executor, worker count, or number of missing turns made it. Builds run
#: turns side by side in workers instead.
THREADS = 1


def render_into_cache(cache_root: str, job: SynthJob) -> tuple[float, float]:
    """Render one job and store it; return (audio seconds, elapsed seconds). Runs in a worker."""
    started = time.perf_counter()
    sentences = SentenceCache(Path(cache_root), job.where)
    audio = render(job.spoken, job.voice, sentences)
    ClipCache(Path(cache_root)).put(job.key, audio)
    return audio.duration, time.perf_counter() - started


def worker_init(threads: int = THREADS) -> None:
    """Set up a worker's engines (THREADS each, so N workers do not oversubscribe the cores and
    every clip is made alike)."""
    configure_engines(threads=threads)
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
