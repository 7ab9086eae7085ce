"""The Ray dispatcher's bookkeeping with a stand-in for Ray: retries, give-ups and node checks.

The real cluster (tests/pipeline/test_ray.py) shows a killed worker's turns retried; a turn that
kills every worker it reaches, or a node that is set up differently, is easier to stage here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from audiolesson._version import __version__
from audiolesson.errors import ClusterError
from audiolesson.synth.cache import ClipCache
from audiolesson.synth.cluster import TRIES, _Dispatcher
from audiolesson.synth.job import SynthDone, SynthJob
from audiolesson.voices.engines.base import Voice


class RayError(Exception):
    pass


class RayTaskError(RayError):
    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


class RayActorError(RayError):
    actor_init_failed = False


class Exceptions:
    RayError = RayError
    RayTaskError = RayTaskError
    RayActorError = RayActorError


class Ref:
    """A finished call: its value, or the error ray.get raises."""

    def __init__(self, value: Any = None, error: BaseException | None = None) -> None:
        self.value, self.error = value, error


class Handle:
    def __init__(self, ray: FakeRay) -> None:
        self.ray, self.dead = ray, False
        self.describe = Method(lambda *args: self.ray.describe(self))
        self.render = Method(self._render)

    def _render(self, job: SynthJob) -> Ref:
        if self.dead:
            return Ref(error=RayActorError("the actor died"))
        self.ray.rendered.append(job.key)
        if job.key in self.ray.deadly:  # this turn kills the process rendering it
            self.dead = True
            return Ref(error=RayActorError("the actor died unexpectedly"))
        if job.key in self.ray.failing:
            return Ref(error=RayTaskError(RuntimeError("the engine fell over")))
        return Ref((1.0, 0.01))


class Method:
    def __init__(self, call: Any) -> None:
        self.call = call

    def remote(self, *args: Any) -> Ref:
        result = self.call(*args)
        return result if isinstance(result, Ref) else Ref(result)


class FakeRay:
    """Every call finishes at once; `wait` hands back the oldest ref."""

    exceptions = Exceptions

    def __init__(self, **describe: Any) -> None:
        self.deadly: set[str] = set()
        self.failing: set[str] = set()
        self.rendered: list[str] = []
        self.actors = 0
        self.info = {"node": "10.0.0.9", "host": "b", "pid": 1, "audiolesson": __version__}
        self.info |= {"engines": {"tone": "tone 1"}, "sees_cache": True} | describe

    def remote(self, **options: Any) -> Any:
        ray = self

        class Remote:
            def options(self, **more: Any) -> Remote:
                return self

            def remote(self, *args: Any) -> Handle:
                ray.actors += 1
                return Handle(ray)

        return lambda cls: Remote()

    def describe(self, handle: Handle) -> Any:
        return Ref(error=RayActorError("gone")) if handle.dead else dict(self.info)

    def wait(self, refs: list[Ref], num_returns: int, timeout: float) -> tuple[list, list]:
        return refs[:1], refs[1:]

    def get(self, ref: Ref) -> Any:
        if ref.error is not None:
            raise ref.error
        return ref.value

    def kill(self, handle: Handle, no_restart: bool = True) -> None:
        handle.dead = True


def jobs(n: int) -> list[SynthJob]:
    voice = Voice(name="teacher", engine="tone")
    return [SynthJob(f"k{i:03d}", f"turn {i}", voice, "scripts/a.md", i + 1) for i in range(n)]


def run(ray: FakeRay, tmp_path: Path, n: int = 10, actors: int = 2) -> list[SynthDone]:
    reported: list[SynthDone] = []
    results = _Dispatcher(ray, jobs(n), ClipCache(tmp_path), actors, 60, reported.append).run()
    assert reported == results  # on_done saw each result, in order
    assert sorted(d.job.key for d in results) == [j.key for j in jobs(n)]  # each job once
    return results


def test_a_turn_that_kills_every_worker_is_given_up_after_three_tries(tmp_path: Path) -> None:
    ray = FakeRay()
    ray.deadly = {"k004"}
    results = run(ray, tmp_path)
    failed = [d for d in results if d.error]
    assert [d.job.key for d in failed] == ["k004"]
    assert failed[0].error == (
        "voice 'teacher' (engine tone) failed on this turn: the Ray workers given this turn died "
        f"{TRIES} times (last: node 10.0.0.9 (b), pid 1)"
    )
    assert ray.rendered.count("k004") == TRIES
    assert ray.actors == 2 + TRIES  # each death was replaced
    assert not list(tmp_path.glob(".ray-probe-*"))  # the probe file is gone


def test_an_engine_error_fails_only_its_turn_and_is_not_retried(tmp_path: Path) -> None:
    ray = FakeRay()
    ray.failing = {"k002"}
    results = run(ray, tmp_path)
    assert [(d.job.key, d.error) for d in results if d.error] == [
        ("k002", "voice 'teacher' (engine tone) failed on this turn: the engine fell over")
    ]
    assert ray.rendered.count("k002") == 1 and ray.actors == 2


@pytest.mark.parametrize(
    ("describe", "message"),
    [
        (
            {"sees_cache": False},
            r"the Ray worker on node 10\.0\.0\.9 \(b\), pid 1 does not see the cache folder .*: "
            r"on a cluster it must be a shared folder \(NFS or alike\) mounted at the same path "
            r"on every node",
        ),
        (
            {"engines": {"tone": "tone 0"}},
            r"the Ray worker on node 10\.0\.0\.9 \(b\), pid 1 has tone 'tone 0' \(here 'tone 1'\): "
            r"install the same audiolesson and engines on every node, or its clips would not "
            r"match their cache keys",
        ),
    ],
)
def test_a_node_set_up_differently_stops_the_build(
    tmp_path: Path, describe: dict[str, Any], message: str
) -> None:
    ray = FakeRay(**describe)
    with pytest.raises(ClusterError, match=message):
        run(ray, tmp_path)
    assert ray.rendered == []  # no turn went to a node that failed its check
