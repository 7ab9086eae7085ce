"""Turns of engines that wait on a server, sent from threads of the building process.

A local engine's turn keeps a CPU busy, so it runs in a worker process (`local`) or a Ray actor
(`cluster`), and how many run at once follows the cores. An online engine's turn (openai) mostly
waits on the network: a worker process per request would be waste, and the cores say nothing
about what the server can take. Such an engine declares `concurrency(voice) -> (pool, n)`; here
every pool (one server) gets a thread pool of n threads (the smallest n its voices ask for),
whichever executor runs the other turns, Ray included: `synthesize_beside(executor, ...)` splits
the jobs, asks each online voice's `preflight` before anything is sent, runs both at once and
serialises `on_done` (`executors.synthesize_all` runs every executor of its table through it).
Threads render into the same cache as workers do, and the per-turn timeout holds: a turn past it
is reported failed (its thread finishes on its own; the engine's request timeout bounds it).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from ..voices.engines.base import get_engine
from .cache import ClipCache
from .job import Executor, SynthDone, SynthJob, describe_failure
from .settings import SynthSettings
from .worker import render_into_cache

__all__ = ["online_pools", "preflight", "synthesize_beside", "synthesize_online"]

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


def synthesize_beside(
    executor: Executor,
    jobs: Sequence[SynthJob],
    cache: ClipCache,
    settings: SynthSettings,
    on_done: Callable[[SynthDone], None] | None = None,
) -> list[SynthDone]:
    """The online engines' jobs on threads here, the others with `executor`, at the same time.

    With no online job this is `executor(jobs, ...)`. Otherwise every online voice is asked once
    (`preflight`: a missing key or a silent server is one line before any turn is sent), and
    `on_done` is called from one thread at a time.
    """
    pools = online_pools(jobs)
    if not pools:
        return executor(jobs, cache, settings, on_done)
    online = [job for _, queued in pools.values() for job in queued]
    preflight(online)
    sent = {id(job) for job in online}
    rest = [job for job in jobs if id(job) not in sent]
    lock = threading.Lock()
    report = None if on_done is None else _serialised(lock, on_done)
    thread = _Background(lambda: synthesize_online(pools, cache, settings.timeout, report))
    here = executor(rest, cache, settings, report) if rest else []
    return here + thread.result()


def _serialised(
    lock: threading.Lock, call: Callable[[SynthDone], None]
) -> Callable[[SynthDone], None]:
    """`call`, one thread at a time."""

    def locked(done: SynthDone) -> None:
        with lock:
            call(done)

    return locked


class _Background:
    """A function running on a thread of its own; `result()` waits for it (and re-raises)."""

    def __init__(self, run: Callable[[], list[SynthDone]]) -> None:
        self._out: list[SynthDone] = []
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, args=(run,), daemon=True)
        self._thread.start()

    def _main(self, run: Callable[[], list[SynthDone]]) -> None:
        try:
            self._out = run()
        except BaseException as exc:  # handed to the caller in result()
            self._error = exc

    def result(self) -> list[SynthDone]:
        """What the function returned, once it has (its exception, if it raised)."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._out
