"""The executors a build can synthesise with, by the name `[build] executor` gives.

Each takes the same arguments and keeps the same contract (see `job`): results and failures
returned, `on_done` called in the parent as each clip lands, a per-turn timeout. The rest of the
build does not know which one ran. Whichever runs, the turns of engines that wait on a server
(`Engine.concurrency`) go out from threads beside it (`online`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .cache import ClipCache
from .cluster import synthesize_on_ray
from .job import Executor, SynthDone, SynthJob
from .local import synthesize_locally
from .online import synthesize_beside
from .settings import SynthSettings

__all__ = ["EXECUTORS", "Executor", "synthesize_all"]

#: executor name -> how it renders (Ray itself is imported only when "ray" runs)
EXECUTORS: dict[str, Executor] = {
    "local": synthesize_locally,  # worker processes on this machine
    "ray": synthesize_on_ray,  # actors on a Ray cluster sharing the cache folder
}


def synthesize_all(
    jobs: Sequence[SynthJob],
    cache: ClipCache,
    settings: SynthSettings,
    on_done: Callable[[SynthDone], None] | None = None,
) -> list[SynthDone]:
    """Render every job into the cache with the executor the settings name (online engines' turns
    on threads beside it). Failures do not stop the others; they are returned."""
    return synthesize_beside(EXECUTORS[settings.executor], jobs, cache, settings, on_done)
