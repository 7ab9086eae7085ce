"""The local executor: the turns missing from the cache, rendered in worker processes on this
machine (pebble), each with a per-turn timeout."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future, as_completed
from concurrent.futures import TimeoutError as FutureTimeout

from .cache import ClipCache
from .job import SynthDone, SynthJob, describe_failure
from .settings import SynthSettings, available_cpus, worker_count
from .worker import THREADS, render_into_cache, worker_init

__all__ = ["synthesize_locally"]

log = logging.getLogger(__name__)


def synthesize_locally(
    jobs: Sequence[SynthJob],
    cache: ClipCache,
    settings: SynthSettings,
    on_done: Callable[[SynthDone], None] | None = None,
) -> list[SynthDone]:
    """Render every job into the cache in `settings.workers` processes (0: one per CPU; never
    more than one per CPU, nor than jobs: `worker_count`).

    With one job, or one worker, the first job still runs in a worker process: that is what gives a
    hung engine a timeout.
    """
    from pebble import ProcessPool

    results: list[SynthDone] = []
    if not jobs:
        return results
    timeout = settings.timeout
    workers = worker_count(settings.workers, available_cpus(), len(jobs))
    # THREADS, not the cores' share: a clip's samples must not depend on how many turns are
    # missing (one turn of an edit would otherwise get every core, and other last bits)
    with ProcessPool(max_workers=workers, initializer=worker_init, initargs=(THREADS,)) as pool:
        futures: dict[Future[tuple[float, float]], SynthJob] = {
            pool.schedule(render_into_cache, args=(str(cache.root), job), timeout=timeout): job
            for job in jobs
        }
        for future in as_completed(futures):
            job = futures[future]
            try:
                seconds, elapsed = future.result()
                done = SynthDone(job, seconds, elapsed)
            except FutureTimeout:
                why = describe_failure(job, f"no answer in {timeout:g} s")
                done = SynthDone(job, 0.0, timeout, why)
            except Exception as exc:  # the engine's error, re-raised from the worker
                log.debug("turn at %s:%s failed", job.path, job.line, exc_info=True)
                done = SynthDone(job, 0.0, 0.0, describe_failure(job, exc, cache.root))
            results.append(done)
            if on_done is not None:
                on_done(done)
    return results
