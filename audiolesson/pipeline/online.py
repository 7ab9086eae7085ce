"""Turns of engines that wait on a server, sent from threads of the building process.

A local engine's turn keeps a CPU busy, so it runs in a worker process (synth.py), and how
many run at once follows the cores. An online engine's turn (openai) mostly waits on the
network: a worker process per request would be waste, and the cores say nothing about what
the server can take. Such an engine declares `concurrency(voice) -> (pool, n)`; here every pool
(one server) gets a thread pool of n threads (the smallest n its voices ask for), whichever
executor runs the local turns, Ray included. Threads render into the same cache as workers do,
and the per-turn timeout holds: a turn past it is reported failed (its thread finishes on its
own; the engine's request timeout bounds it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from ..voices.engines.base import get_engine
from .cache import ClipCache
from .synth import SynthDone, SynthJob, describe_failure, render_into_cache

__all__ = ["online_pools", "synthesize_online"]

log = logging.getLogger(__name__)


def online_pools(jobs: Sequence[SynthJob]) -> dict[str, tuple[int, list[SynthJob]]]:
    """The jobs whose engine sends them to a server, by pool: (threads, jobs)."""
    pools: dict[str, tuple[int, list[SynthJob]]] = {}
    for job in jobs:
        declared = get_engine(job.voice.engine).concurrency(job.voice)
        if declared is None:
            continue
        pool, count = declared
        threads, queued = pools.get(pool, (count, []))
        pools[pool] = (min(threads, count), [*queued, job])
    return pools


def preflight(jobs: Sequence[SynthJob]) -> None:
    """Each distinct online voice asks its server once; raises before any turn is sent."""
    seen: set[tuple[str, str]] = set()
    for job in jobs:
        marker = (job.voice.engine, repr(job.voice.settings()))
        if marker not in seen:
            seen.add(marker)
            get_engine(job.voice.engine).preflight(job.voice)


def _timed(cache_root: str, job: SynthJob, started: dict[str, float]) -> tuple[float, float]:
    started[job.key] = time.monotonic()
    return render_into_cache(cache_root, job)


def synthesize_online(
    pools: dict[str, tuple[int, list[SynthJob]]],
    cache: ClipCache,
    timeout: float,
    on_done: Callable[[SynthDone], None] | None = None,
) -> list[SynthDone]:
    """Render every pool's jobs on its threads; failures are returned, as in synth."""
    results: list[SynthDone] = []
    executors = [ThreadPoolExecutor(threads, thread_name_prefix="online") for threads, _ in
                 pools.values()]  # fmt: skip
    started: dict[str, float] = {}
    futures: dict[Future[tuple[float, float]], SynthJob] = {}
    try:
        for executor, (_threads, jobs) in zip(executors, pools.values(), strict=True):
            for job in jobs:
                futures[executor.submit(_timed, str(cache.root), job, started)] = job
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=1.0, return_when=FIRST_COMPLETED)
            now = time.monotonic()
            for future in list(pending):  # past the turn timeout: failed, not waited for
                job = futures[future]
                if job.key in started and now - started[job.key] > timeout:
                    pending.discard(future)
                    why = describe_failure(job, f"no answer in {timeout:g} s")
                    results.append(SynthDone(job, 0.0, timeout, why))
                    if on_done is not None:
                        on_done(results[-1])
            for future in done:
                job = futures[future]
                try:
                    seconds, elapsed = future.result()
                    result = SynthDone(job, seconds, elapsed)
                except Exception as exc:  # the engine's error: this turn fails, the rest go on
                    log.debug("turn at %s:%s failed", job.path, job.line, exc_info=True)
                    result = SynthDone(job, 0.0, 0.0, describe_failure(job, exc, cache.root))
                results.append(result)
                if on_done is not None:
                    on_done(result)
    finally:
        for executor in executors:
            executor.shutdown(wait=False, cancel_futures=True)
    return results
