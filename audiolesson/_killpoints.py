"""A test hook that kills a build at a named moment, to prove a crash never leaves broken files.

With AUDIOLESSON_TEST_KILL_AT=<point>:<n> in the environment, the n-th call of `killpoint(point)`
in one process sends SIGKILL to the whole process group (the build and its synthesis workers), as
a crash, an OOM kill or a power cut would. Points are named after what has just happened:

    clip-stored      the parent has been told a clip is in the cache (synthesis)
    clip-writing     a clip's temporary cache file is written, not yet renamed (in a worker)
    mixing           a piece of a block's audio has been mixed and encoded (temp MP3 half-written)
    block-writing    a block's MP3 is renamed into the block cache, its index not yet
    block-stored     a block's whole entry is in the block cache
    episode-writing  the episode's MP3 (tags + audio) is written to its temporary file
    episode-stored   the episode's files are renamed into output/, the page/feed not yet written

Without the variable a killpoint costs one environment lookup. The point names are a Literal, so a
misspelt point fails type checking instead of silently never firing.
"""

from __future__ import annotations

import os
import signal
from typing import Literal, get_args

__all__ = ["ENV", "POINTS", "KillPoint", "killpoint"]

ENV = "AUDIOLESSON_TEST_KILL_AT"

KillPoint = Literal[
    "clip-stored",
    "clip-writing",
    "mixing",
    "block-writing",
    "block-stored",
    "episode-writing",
    "episode-stored",
]
#: every point name, for tests that walk them all
POINTS: tuple[str, ...] = get_args(KillPoint)

_passes: dict[str, int] = {}


def killpoint(point: KillPoint) -> None:
    """Kill the process group here if AUDIOLESSON_TEST_KILL_AT names this point and pass."""
    spec = os.environ.get(ENV)
    if not spec:
        return
    name, _, count = spec.partition(":")
    if name != point:
        return
    _passes[point] = _passes.get(point, 0) + 1
    if _passes[point] >= int(count or 1):
        os.killpg(os.getpgrp(), signal.SIGKILL)
