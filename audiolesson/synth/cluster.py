"""Synthesis on a Ray cluster: long-lived actors render turns straight into a shared cache.

`synthesize_on_ray` keeps the executors' contract (see `executors`: results and failures returned,
not raised; `on_done` called here in the parent as each clip lands; a per-turn timeout), so the
rest of the build does not know which executor ran. Each actor is one process holding one CPU of the
cluster; like a local pool worker it loads an engine's model once and keeps it for every turn it
renders. Actors write clips into the project's cache folder themselves, so that folder must be
the same shared folder (NFS or alike) at the same path on every node; a probe file checks that
before any turn is sent. An actor that dies (a killed process, a lost node) has its turns given
to the others and is replaced; a turn is given up after `TRIES` deaths.

Ray is imported only here and only when this executor runs (the `ray` extra).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._version import __version__
from ..errors import ClusterError
from ..files import write_atomic
from ..options import Address, parse_address
from ..voices.engines.base import get_engine
from .cache import ClipCache
from .job import SynthDone, SynthJob, describe_failure
from .settings import SynthSettings, worker_count
from .worker import THREADS, render_into_cache, worker_init

__all__ = ["INSTALL", "TRIES", "ClipWorker", "synthesize_on_ray"]

log = logging.getLogger(__name__)

INSTALL = "pip install 'audiolesson[ray]'"
TRIES = 3  #: times a turn is sent out before its workers' deaths count as its failure
DEPTH = 2  #: turns queued per actor: one rendering, one waiting, so no actor idles on a round trip
CONNECT_TIMEOUT = 5.0  #: seconds to wait for the head's port before calling the address wrong
STARTUP_TIMEOUT = 120.0  #: seconds for the first worker to start (a process, Ray, audiolesson)


class ClipWorker:
    """One Ray actor: renders turns into the shared cache with engines it keeps loaded."""

    def __init__(self, cache_root: str, threads: int) -> None:
        worker_init(threads)  # the same engine set-up as a local pool worker
        self.cache_root = cache_root

    def describe(self, probe: str, token: str, engines: list[str]) -> dict[str, Any]:
        """Where this actor runs, whether it sees the cache folder, and its engines' versions."""
        import ray

        try:
            sees_cache = Path(probe).read_text(encoding="utf-8") == token
        except OSError:
            sees_cache = False
        versions = {}
        for name in engines:
            try:
                versions[name] = get_engine(name).version()
            except Exception as exc:  # reported by the parent as a difference between nodes
                versions[name] = f"unusable ({exc})"
        return {
            "node": ray.util.get_node_ip_address(),
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "audiolesson": __version__,
            "engines": versions,
            "sees_cache": sees_cache,
        }

    def render(self, job: SynthJob) -> tuple[float, float]:
        """Render one turn into the cache: (audio seconds, elapsed seconds)."""
        return render_into_cache(self.cache_root, job)


def _import_ray() -> Any:
    """The ray module, or a one-line error naming the extra to install."""
    try:
        import ray
    except ImportError as exc:
        raise ClusterError(
            f"the ray executor needs Ray ({exc.name or 'ray'} is not installed): {INSTALL}"
        ) from None
    return ray


def _head_address(given: Address | None) -> str:
    """HOST:PORT of the head to join: the given one, $RAY_ADDRESS, or the cluster running here."""
    address = None if given is None else str(given)
    if address is None:
        address = os.environ.get("RAY_ADDRESS") or None
    if address is None:
        try:  # a private helper, but it is how `ray status` finds the cluster this machine is in
            from ray._private.services import canonicalize_bootstrap_address_or_die

            address = canonicalize_bootstrap_address_or_die("auto")
        except Exception:
            raise ClusterError(
                "no Ray cluster is running on this machine: start one with `ray start --head` "
                "or give the head's address with --address HOST:PORT"
            ) from None
    where = given or parse_address(address)
    if where is None:
        raise ClusterError(f"the Ray head's address must be HOST:PORT, got {address!r}")
    try:  # ray.init would wait minutes for an address where nothing answers, then exit
        with socket.create_connection((where.host, where.port), timeout=CONNECT_TIMEOUT):
            pass
    except OSError as exc:
        why = exc.strerror or str(exc) or type(exc).__name__
        raise ClusterError(
            f"no Ray cluster answers at {address} ({why}); start its head there with "
            "`ray start --head --port PORT` or correct the address"
        ) from None
    return address


def _quiet_driver() -> None:
    """Keep Ray's own messages off stdout, where `build --json` writes its events.

    A Ray driver prints the cluster's error messages ("a worker died ...") on stdout from a
    thread of its own, and logs refs whose error nobody fetched (a dead worker's queued turns,
    which are sent again). This executor reports deaths itself, as one warning; Ray's text goes
    to the debug log. `print_to_stdstream` is private, so its absence is tolerated.
    """
    os.environ.setdefault("RAY_IGNORE_UNHANDLED_ERRORS", "1")
    try:
        from ray._private import worker
    except ImportError:
        return
    if hasattr(worker, "print_to_stdstream"):

        def to_debug_log(data: dict[str, Any], ignore_prefix: bool = False) -> None:
            for line in data.get("lines", []):
                log.debug("ray (%s): %s", data.get("pid"), line)

        worker.print_to_stdstream = to_debug_log


@dataclass
class _Actor:
    """One actor and the turns sent to it, in the order it runs them."""

    handle: Any
    number: int
    ready: bool = False  #: it has answered `describe`
    where: str = "?"  #: node address and pid, for messages
    queue: deque[tuple[Any, SynthJob]] = field(default_factory=deque)
    head_since: float = 0.0  #: when the first turn of the queue started (as far as we know)


class _Dispatcher:
    """Hands turns to actors, replaces the ones that die, and applies the per-turn timeout."""

    def __init__(
        self,
        ray: Any,
        jobs: Sequence[SynthJob],
        cache: ClipCache,
        actors: int,
        timeout: float,
        on_done: Callable[[SynthDone], None] | None,
    ) -> None:
        self.ray = ray
        self.cache = cache
        self.timeout = timeout
        self.on_done = on_done
        self.pending: deque[SynthJob] = deque(jobs)
        self.tries: dict[str, int] = {}
        self.results: list[SynthDone] = []
        self.actors: list[_Actor] = []
        self.refs: dict[Any, _Actor] = {}  #: render refs in flight -> their actor
        self.probes: dict[Any, _Actor] = {}  #: describe refs in flight -> their actor
        self.lost_keys: set[str] = set()  #: turns whose worker died while rendering them
        self.started = 0
        self.spares = max(4, 2 * actors)  #: replacements allowed before giving up
        self.engines = sorted({job.voice.engine for job in jobs})
        self.versions = {name: get_engine(name).version() for name in self.engines}
        self.token = uuid.uuid4().hex
        self.probe = cache.root / f".ray-probe-{self.token}"
        self.remote = ray.remote(num_cpus=1, max_restarts=0)(ClipWorker)
        self.last_start = time.monotonic()
        for _ in range(actors):
            self._start_actor()

    def _start_actor(self) -> None:
        handle = self.remote.options(scheduling_strategy="SPREAD").remote(
            str(self.cache.root), THREADS
        )
        actor = _Actor(handle, self.started)
        self.started += 1
        self.actors.append(actor)
        ref = handle.describe.remote(str(self.probe), self.token, self.engines)
        self.probes[ref] = actor
        self.last_start = time.monotonic()

    def run(self) -> list[SynthDone]:
        """Render every job; return one SynthDone per job."""
        self.probe.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.probe, self.token.encode())
        try:
            while self.pending or self.refs:
                self._fill()
                waiting = [*self.refs, *self.probes]
                if not waiting:  # nothing can run any more: no actor left to run it
                    self._give_up("no Ray worker is left to run it")
                    break
                ready, _ = self.ray.wait(waiting, num_returns=1, timeout=self._wait_seconds())
                for ref in ready:
                    if ref in self.probes:
                        self._described(ref)
                    elif ref in self.refs:
                        self._finished(ref)
                self._expire()
        finally:
            self.probe.unlink(missing_ok=True)
            for actor in self.actors:
                self._kill(actor)
            self._remove_half_written()
        return self.results

    # --- the loop's steps ------------------------------------------------------------------

    def _fill(self) -> None:
        """Queue pending turns on ready actors, up to DEPTH each."""
        for actor in self.actors:
            while actor.ready and self.pending and len(actor.queue) < DEPTH:
                job = self.pending.popleft()
                self.tries[job.key] = self.tries.get(job.key, 0) + 1
                ref = actor.handle.render.remote(job)
                if not actor.queue:
                    actor.head_since = time.monotonic()
                actor.queue.append((ref, job))
                self.refs[ref] = actor

    def _wait_seconds(self) -> float:
        """Until the earliest turn deadline (or actor start-up deadline), at most one second."""
        now = time.monotonic()
        deadlines = [a.head_since + self.timeout for a in self.actors if a.queue]
        if self.pending and not any(a.ready for a in self.actors):
            deadlines.append(self.last_start + STARTUP_TIMEOUT)
        return max(0.0, min([now + 1.0, *deadlines]) - now)

    def _described(self, ref: Any) -> None:
        """An actor has started: check it can write where the parent reads, with like engines."""
        actor = self.probes.pop(ref)
        try:
            info = self.ray.get(ref)
        except self.ray.exceptions.RayError as exc:
            self._died(actor, exc)
            return
        actor.where = f"node {info['node']} ({info['host']}), pid {info['pid']}"
        if not info["sees_cache"]:
            raise ClusterError(
                f"the Ray worker on {actor.where} does not see the cache folder "
                f"{self.cache.root}: on a cluster it must be a shared folder (NFS or alike) "
                "mounted at the same path on every node"
            )
        mine = {"audiolesson": __version__, **self.versions}
        theirs = {"audiolesson": info["audiolesson"], **info["engines"]}
        if mine != theirs:
            differ = ", ".join(f"{k} {theirs[k]!r} (here {mine[k]!r})" for k in mine
                               if mine[k] != theirs[k])  # fmt: skip
            raise ClusterError(
                f"the Ray worker on {actor.where} has {differ}: install the same audiolesson "
                "and engines on every node, or its clips would not match their cache keys"
            )
        actor.ready = True

    def _finished(self, ref: Any) -> None:
        """A turn came back: a clip in the cache, the engine's error, or a dead worker."""
        actor = self.refs.pop(ref)
        job = next(j for r, j in actor.queue if r == ref)
        try:
            seconds, elapsed = self.ray.get(ref)
        except self.ray.exceptions.RayTaskError as exc:  # the engine raised: the turn failed
            cause = exc.cause if exc.cause is not None else exc
            log.debug("turn at %s:%s failed on %s: %s", job.path, job.line, actor.where, exc)
            self._remove(actor, ref)
            self._done(SynthDone(job, 0.0, 0.0, describe_failure(job, cause, self.cache.root)))
            return
        except self.ray.exceptions.RayError as exc:  # the actor's process or node is gone
            self.refs[ref] = actor
            self._died(actor, exc)
            return
        self._remove(actor, ref)
        self._done(SynthDone(job, seconds, elapsed))

    def _remove(self, actor: _Actor, ref: Any) -> None:
        """Take a finished turn off its actor's queue; the next one starts now."""
        was_head = actor.queue and actor.queue[0][0] == ref
        actor.queue = deque((r, j) for r, j in actor.queue if r != ref)
        if was_head:
            actor.head_since = time.monotonic()

    def _expire(self) -> None:
        """A turn past its timeout fails; its actor is stopped and replaced, its queue re-sent."""
        now = time.monotonic()
        for actor in list(self.actors):
            if actor.queue and now - actor.head_since > self.timeout:
                ref, job = actor.queue.popleft()
                self.refs.pop(ref, None)
                why = describe_failure(job, f"no answer in {self.timeout:g} s")
                self._done(SynthDone(job, 0.0, self.timeout, why))
                self._retire(actor, requeue_counts=False)
        if self.pending and not any(a.ready for a in self.actors):
            if now - self.last_start > STARTUP_TIMEOUT and self.actors:
                for actor in list(self.actors):
                    self._retire(actor, requeue_counts=False, replace=False)
                self._give_up(
                    f"no Ray worker started in {STARTUP_TIMEOUT:g} s (does the cluster have a "
                    "free CPU? see `ray status`)"
                )

    def _died(self, actor: _Actor, exc: BaseException) -> None:
        """An actor's process (or node) died: its turns go to the others; it is replaced."""
        if actor not in self.actors:
            return
        if getattr(exc, "actor_init_failed", False):  # it could not even start: so will the next
            lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
            raise ClusterError(
                f"a Ray worker could not start ({lines[-1] if lines else type(exc).__name__}): "
                f"install the same audiolesson on every node ({INSTALL})"
            )
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        log.debug("Ray worker %s died: %s", actor.where, exc)
        lost = len(actor.queue)
        self.lost_keys.update(job.key for _, job in actor.queue)
        self._retire(actor, requeue_counts=True)
        if not actor.ready:
            log.warning("a Ray worker died while starting; another takes its place (%s)", first)
            return
        log.warning(
            "a Ray worker (%s) died; the other workers take over its %d turn%s (%s)",
            actor.where,
            lost,
            "" if lost == 1 else "s",
            first[:160],
        )

    def _retire(self, actor: _Actor, *, requeue_counts: bool, replace: bool = True) -> None:
        """Stop an actor, put its queued turns back (first in line), start another in its place.

        With `requeue_counts` (the actor died) the turn it was running is charged a try; the
        turns queued behind it never started, so their try is handed back.
        """
        self.actors.remove(actor)
        self.probes = {r: a for r, a in self.probes.items() if a is not actor}
        queue = list(actor.queue)
        for index in range(len(queue) - 1, -1, -1):
            ref, job = queue[index]
            self.refs.pop(ref, None)
            if not (requeue_counts and index == 0):
                self.tries[job.key] = self.tries.get(job.key, 1) - 1  # not this turn's fault
            elif self.tries.get(job.key, 0) >= TRIES:
                why = f"the Ray workers given this turn died {TRIES} times (last: {actor.where})"
                self._done(SynthDone(job, 0.0, 0.0, describe_failure(job, why)))
                continue
            self.pending.appendleft(job)
        actor.queue.clear()
        self._kill(actor)
        if replace and self.spares > 0 and self.pending:
            self.spares -= 1
            self._start_actor()

    def _kill(self, actor: _Actor) -> None:
        try:
            self.ray.kill(actor.handle, no_restart=True)
        except Exception:  # already gone with its node: nothing left to stop
            log.debug("could not stop Ray worker %s", actor.where, exc_info=True)

    def _give_up(self, why: str) -> None:
        """Every turn still pending fails with the same reason."""
        while self.pending:
            job = self.pending.popleft()
            self._done(SynthDone(job, 0.0, 0.0, describe_failure(job, why)))

    def _done(self, done: SynthDone) -> None:
        self.results.append(done)
        if self.on_done is not None:
            self.on_done(done)

    def _remove_half_written(self) -> None:
        """Temporary files a killed worker left in the middle of writing a clip."""
        for key in self.lost_keys:
            folder = self.cache.path(key).parent
            for tmp in folder.glob(f".{key}.clip.*.tmp"):
                tmp.unlink(missing_ok=True)


def synthesize_on_ray(
    jobs: Sequence[SynthJob],
    cache: ClipCache,
    settings: SynthSettings,
    on_done: Callable[[SynthDone], None] | None = None,
) -> list[SynthDone]:
    """Render every job into the cache on the Ray cluster at `settings.address`, with
    `settings.workers` actors (0: one per CPU of the cluster).

    Raises ClusterError when Ray is missing, the head does not answer, or a node cannot share
    the cache; a turn that fails is returned, as with the local pool.
    """
    ray = _import_ray()
    head = _head_address(settings.address)
    if not jobs:
        return []
    _quiet_driver()
    try:
        ray.init(
            address=head,
            logging_level=logging.ERROR,
            log_to_driver=False,
            namespace="audiolesson",
        )
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ClusterError(f"cannot join the Ray cluster at {head}: {first}") from None
    try:
        cpus = int(ray.cluster_resources().get("CPU", 0))
        if cpus < 1:
            raise ClusterError(f"the Ray cluster at {head} has no CPU to synthesise on")
        actors = worker_count(settings.workers, cpus, len(jobs), "of the Ray cluster")
        log.info("synthesising %d turns on %d Ray workers (%d CPUs)", len(jobs), actors, cpus)
        return _Dispatcher(ray, jobs, cache, actors, settings.timeout, on_done).run()
    finally:
        ray.shutdown()
