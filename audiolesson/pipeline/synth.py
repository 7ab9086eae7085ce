"""Render the turns missing from the cache, in parallel worker processes, with a per-turn timeout.

Workers write finished clips straight into the cache and send back only small results, so the
parent never holds audio. Each worker loads its engine model once and keeps it for every turn.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path

from ..errors import AudiolessonError, EngineError
from ..voices.engines.base import Voice, configure_engines
from ..voices.render import render
from .cache import ClipCache, SentenceCache

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SynthJob:
    """One clip to render: where it came from, what to say, with which voice."""

    key: str
    spoken: str
    voice: Voice
    path: str  #: script path, for errors
    line: int  #: script line, for errors


@dataclass(frozen=True)
class SynthDone:
    """A rendered clip (or why it failed)."""

    job: SynthJob
    seconds: float  #: audio length
    elapsed: float  #: wall time spent rendering
    error: str | None = None


def render_into_cache(cache_root: str, job: SynthJob) -> tuple[float, float]:
    """Render one job and store it; return (audio seconds, elapsed seconds). Runs in a worker."""
    started = time.perf_counter()
    sentences = SentenceCache(Path(cache_root), f"{job.path}:{job.line}")
    audio = render(job.spoken, job.voice, sentences)
    ClipCache(Path(cache_root)).put(job.key, audio)
    return audio.duration, time.perf_counter() - started


def _worker_init(threads: int) -> None:
    """Give each worker its share of the cores so N workers do not oversubscribe them."""
    configure_engines(threads=threads)
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))


def describe_failure(job: SynthJob, exc: BaseException | str, cache: Path | None = None) -> str:
    """One line naming the script line, the voice and the engine (or the disk, if it failed)."""
    if isinstance(exc, OSError) and exc.errno is not None:
        # the clip was rendered but could not be stored: a full or read-only disk, not the voice
        where = Path(exc.filename).parent if exc.filename else cache or "the cache"
        return f"could not store this turn's clip in {where}: {exc.strerror}"
    why = exc.message if isinstance(exc, AudiolessonError) else str(exc) or type(exc).__name__
    return f"voice {job.voice.name!r} (engine {job.voice.engine}) failed on this turn: {why}"


def synthesize_all(
    jobs: Sequence[SynthJob],
    cache: ClipCache,
    workers: int,
    timeout: float,
    on_done: Callable[[SynthDone], None] | None = None,
    *,
    executor: str = "local",
    address: str | None = None,
) -> list[SynthDone]:
    """Render every job into the cache. Failures do not stop the others; they are returned.

    `workers` processes (0: one per CPU) on this machine, or with executor "ray" as many actors
    on the Ray cluster at `address` (0: one per CPU of the cluster; see `cluster`).
    With one job, or one worker, the first job still runs in a worker process: that is what gives a
    hung engine a timeout.
    """
    from .online import online_pools, preflight, synthesize_online

    pools = online_pools(jobs)  # engines that wait on a server: threads here, whatever executor
    if pools:
        online = [job for _, queued in pools.values() for job in queued]
        preflight(online)  # a missing key or a silent server: one line before any turn is sent
        sent = {id(job) for job in online}
        jobs = [job for job in jobs if id(job) not in sent]
        lock = threading.Lock()  # on_done is called from one thread at a time
        report = on_done and (lambda done: _locked(lock, on_done, done))
        thread = _Background(lambda: synthesize_online(pools, cache, timeout, report))
        local = synthesize_all(jobs, cache, workers, timeout, report, executor=executor,
                               address=address)  # fmt: skip
        return local + thread.result()
    if executor == "ray":
        from .cluster import synthesize_on_ray

        return synthesize_on_ray(jobs, cache, workers, timeout, on_done, address=address)
    from pebble import ProcessPool

    results: list[SynthDone] = []
    if not jobs:
        return results
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    threads = max(1, (os.cpu_count() or 1) // workers)
    with ProcessPool(max_workers=workers, initializer=_worker_init, initargs=(threads,)) as pool:
        futures = {
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


def _locked(lock: threading.Lock, call: Callable[[SynthDone], None], done: SynthDone) -> None:
    with lock:
        call(done)


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
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._out


def first_failure(results: Sequence[SynthDone]) -> EngineError | None:
    """An EngineError for the first failed turn (with path:line), or None."""
    for r in results:
        if r.error is not None:
            failed = sum(1 for x in results if x.error is not None)
            more = f" ({failed - 1} more turns failed)" if failed > 1 else ""
            return EngineError(r.error + more, path=r.job.path, line=r.job.line)
    return None
