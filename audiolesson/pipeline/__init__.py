"""The build: plan what changed, synthesise the missing clips, export, publish.

`plan` (cast and key every clip, chapter and episode), `cache` (content-addressed clips),
`synth` (workers with a per-turn timeout), `events` (what a build reports), `lock`, `build`
(`build()`: orchestration only) and `prune` (`audiolesson cache prune`).
"""

from __future__ import annotations

from .build import BuildResult, build
from .lock import project_lock
from .prune import prune_cache

__all__ = ["BuildResult", "build", "project_lock", "prune_cache"]
