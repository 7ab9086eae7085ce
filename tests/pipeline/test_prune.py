"""`audiolesson cache prune`: it deletes only what the cache wrote, and never under a build.

Issue 24: with `cache = "."` prune removed a user's blocks/notes.txt (item 4), and a prune in one
project made a build in another that shares the cache fail (item 7).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

import pytest
from _cli import in_process
from _probe import ffmpeg_decode
from _project import copy_project

from audiolesson.config import load_config
from audiolesson.errors import LockError
from audiolesson.pipeline import build
from audiolesson.pipeline.events import Synthesized
from audiolesson.pipeline.lock import cache_lock
from audiolesson.pipeline.prune import prune_cache

#: files a user might keep in a folder that is also the cache: none of them is the cache's
USER_FILES = (
    "blocks/notes.txt",
    "blocks/.notes.txt.swp",
    "blocks/mix.mp3",
    "clips/readme.txt",
    "clips/ab/mine.clip",
    "clips/ab/.draft.tmp",
    "sentences/cd/.x.tmp",
    "levels/notes.txt",
    "levels/ab/.draft.tmp",
    "levels/ab/mine.json",
)


def test_prune_deletes_only_the_files_the_cache_wrote(project: Path) -> None:
    (project / "audiolesson.toml").write_text('[build]\ncache = "media"\n')
    build(load_config(project, jobs=2))
    media = project / "media"
    for name in USER_FILES:
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_text("mine\n")
    script = project / "scripts" / "lesson.md"
    script.write_text(script.read_text().replace("What comes next?", "What follows?"))
    build(load_config(project, jobs=2))
    proc = in_process(project, "cache", "prune")
    assert proc.returncode == 0, proc.stderr
    assert "removed 1 clips" in proc.stdout and "and 1 encoded blocks" in proc.stdout
    kept = [name for name in USER_FILES if (media / name).is_file()]
    assert kept == list(USER_FILES)
    assert build(load_config(project, jobs=2), force=True).turns_synthesized == 0


@pytest.mark.parametrize(
    ("cache", "why"),
    [
        (".", "the project folder itself"),
        ("scripts", "scripts/ or a folder in it"),
        ("voices", "voices/ or a folder in it"),
        ("sounds/cache", "sounds/ or a folder in it"),
    ],
)
def test_prune_refuses_a_cache_that_is_a_folder_of_the_project(
    project: Path, cache: str, why: str
) -> None:
    before = list(project.rglob("*"))
    (project / "audiolesson.toml").write_text(f'[build]\ncache = "{cache}"\n')
    proc = in_process(project, "cache", "prune")
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr == (
        f"error: {project / 'audiolesson.toml'}:2: cache must not be {why} (builds write into "
        "it and `cache prune` deletes files in it); name a folder of its own, like "
        ".audiolesson/cache\n"
    )
    assert sorted(project.rglob("*")) == sorted([*before, project / "audiolesson.toml"])


def test_prune_refuses_a_cache_of_slash_even_with_the_opt_in(project: Path) -> None:
    (project / "audiolesson.toml").write_text('[build]\ncache = "/"\nallow_outside = true\n')
    proc = in_process(project, "cache", "prune")
    assert proc.returncode == 1
    assert "cache must not be / (builds write into it" in proc.stderr


def built(root: Path) -> None:
    """The episode in root/output decodes cleanly."""
    decode = ffmpeg_decode(root / "output" / "lesson.mp3")
    assert decode.returncode == 0 and decode.stderr == ""


def shared_cache_projects(tmp_path: Path) -> tuple[Path, Path]:
    """Two projects with one cache folder outside both (the opt-in's use)."""
    shared = tmp_path / "shared-cache"
    a, b = copy_project(tmp_path / "a"), copy_project(tmp_path / "b")
    for root in (a, b):
        (root / "audiolesson.toml").write_text(
            f'[build]\ncache = "{shared}"\nallow_outside = true\n'
        )
    # B says something A does not: its clips are "unused" from A's point of view
    script = b / "scripts" / "lesson.md"
    script.write_text(script.read_text().replace("What comes next?", "And what is after that?"))
    return a, b


def test_a_prune_in_one_project_never_breaks_a_build_in_another_sharing_the_cache(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """B builds; mid-synthesis, A prunes the shared cache. A's prune must not take B's clips
    (before the cache lock it did: B found its clip gone and synthesised it again, or, pruned
    while encoding, lost its block files and failed)."""

    a, b = shared_cache_projects(tmp_path)
    build(load_config(a, jobs=1))
    pruned: list[object] = []

    def prune_in_a(event: object) -> None:
        if isinstance(event, Synthesized) and not pruned:  # B's first new clip is in the cache
            try:
                pruned.append(prune_cache(load_config(a)))
            except LockError as exc:
                pruned.append(exc)

    with caplog.at_level(logging.WARNING):
        result = build(load_config(b, jobs=1), on_event=prune_in_a)
    assert "missing from the cache" not in caplog.text
    assert result.episodes_written == ["lesson"] and result.turns_synthesized == 1
    built(b)
    [outcome] = pruned
    assert isinstance(outcome, LockError), outcome
    assert str(outcome) == (
        f"{tmp_path / 'shared-cache'}: a build is using this cache folder; run `audiolesson "
        "cache prune` again when no build is running"
    )
    # with no build running, A's prune goes ahead and B's clip is A's to remove
    assert prune_cache(load_config(a))["clips_removed"] == 1


def test_a_build_waits_for_a_prune_of_its_cache(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A build that starts while the shared cache is pruned waits for the prune, then builds."""

    a, b = shared_cache_projects(tmp_path)
    held, release = threading.Event(), threading.Event()

    def prune_holding_the_lock() -> None:
        with cache_lock(load_config(a), exclusive=True):
            held.set()
            release.wait(30)

    pruner = threading.Thread(target=prune_holding_the_lock)
    pruner.start()
    assert held.wait(30)
    threading.Timer(0.5, release.set).start()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        build(load_config(b, jobs=1))
    pruner.join(30)
    assert time.monotonic() - started >= 0.5
    built(b)
    assert f"waiting for `cache prune` (pid {os.getpid()}) to finish with {tmp_path}" in caplog.text
