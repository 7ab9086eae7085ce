"""How a build synthesises: the settings the synthesis stage gets (not the whole project config)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from ..choices import DEFAULT_EXECUTOR
from ..options import Address

__all__ = ["SynthSettings", "available_cpus", "worker_count"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SynthSettings:
    """Where and how the missing clips are rendered."""

    workers: int = 0  #: worker processes or Ray actors; 0 = one per CPU (here, or of the cluster)
    timeout: float = 300.0  #: seconds one turn may take before it fails
    executor: str = DEFAULT_EXECUTOR  #: a name in `synth.executors.EXECUTORS`
    address: Address | None = None  #: the Ray head; None = the cluster this machine is in


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity: a container's share, not the host's)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def worker_count(asked: int, cpus: int, jobs: int, where: str = "here") -> int:
    """The worker processes to start for `jobs` turns: `asked` ([build] jobs; 0 = one per CPU),
    but never more than one per CPU, nor more than there are turns.

    A process per CPU is all a CPU-bound engine can use; more only cost memory (each loads its
    model: 10,000 asked for 40 turns started 34 processes and 3.85 GB). Engines that call a
    server get their concurrency from their own setting, not from processes.
    """
    wanted = asked or cpus
    if min(wanted, jobs) > cpus:
        log.warning(
            "jobs = %d asks for more worker processes than the %d CPUs %s; starting %d",
            asked,
            cpus,
            where,
            cpus,
        )
    return max(1, min(wanted, cpus, jobs))
