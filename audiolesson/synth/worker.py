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

__all__ = ["render_into_cache", "worker_init"]


def render_into_cache(cache_root: str, job: SynthJob) -> tuple[float, float]:
    """Render one job and store it; return (audio seconds, elapsed seconds). Runs in a worker."""
    started = time.perf_counter()
    sentences = SentenceCache(Path(cache_root), job.where)
    audio = render(job.spoken, job.voice, sentences)
    ClipCache(Path(cache_root)).put(job.key, audio)
    return audio.duration, time.perf_counter() - started


def worker_init(threads: int) -> None:
    """Give each worker its share of the cores so N workers do not oversubscribe them."""
    configure_engines(threads=threads)
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
