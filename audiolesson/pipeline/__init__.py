"""The build: plan what changed, synthesise the missing clips, export, publish.

Orchestration only; the stages themselves live in their own packages (synth/, export/,
publish/). `plan` (cast and key every clip, chapter and episode), `memo` (spoken forms kept
between builds), `overlap` (blocks encoded beside synthesis), `events` (what a build reports),
`lock`, `build` (`build()`), `prune` (`audiolesson cache prune`) and `watch` (`--watch`).
"""

from __future__ import annotations

from .build import BuildResult, build
from .lock import project_lock
from .prune import prune_cache

__all__ = ["BuildResult", "build", "project_lock", "prune_cache"]
