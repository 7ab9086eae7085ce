"""The local executor starts at most one worker process per CPU, whatever `jobs` asks for.

Issue 24, item 6: `jobs = 10000` started one process per missing turn (34 processes and 3.85 GB
for 40 turns).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pebble
import pytest
from _cli import in_process

from audiolesson.synth.settings import available_cpus, worker_count


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The max_workers of every process pool the build starts (the real pools still run)."""
    started: list[int] = []
    real = pebble.ProcessPool

    def recording(*args: Any, **kwargs: Any) -> pebble.ProcessPool:
        started.append(kwargs["max_workers"])
        return real(*args, **kwargs)

    monkeypatch.setattr(pebble, "ProcessPool", recording)
    return started


@pytest.mark.parametrize("how", ["--jobs", "audiolesson.toml"])
def test_jobs_over_the_cpus_start_one_process_per_cpu(
    project: Path, pools: list[int], how: str
) -> None:
    args = ["build", "--quiet"]
    if how == "--jobs":
        args += ["--jobs", "10000"]
    else:
        (project / "audiolesson.toml").write_text("[build]\njobs = 10000\n")
    proc = in_process(project, *args)
    assert proc.returncode == 0, proc.stderr
    cpus = available_cpus()
    assert pools == [min(cpus, 9)]  # nine turns to synthesise
    if cpus < 9:
        assert proc.stderr == (
            f"WARNING: jobs = 10000 asks for more worker processes than the {cpus} CPUs here; "
            f"starting {cpus}\n"
        )


def test_worker_count() -> None:
    assert worker_count(0, 4, 100) == 4  # 0: one per CPU
    assert worker_count(2, 4, 100) == 2
    assert worker_count(10_000, 4, 100) == 4
    assert worker_count(10_000, 4, 3) == 3  # never more than the turns
    assert worker_count(0, 4, 0) == 1
