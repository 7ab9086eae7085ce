"""`audiolesson cache prune`: it deletes only what the cache wrote, and never under a build.

Issue 24: with `cache = "."` prune removed a user's blocks/notes.txt (item 4), and a prune in one
project made a build in another that shares the cache fail (item 7).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _cli import in_process
from _probe import ffmpeg_decode
from _project import copy_project

from audiolesson.config import load_config
from audiolesson.pipeline import build

#: files a user might keep in a folder that is also the cache: none of them is the cache's
USER_FILES = (
    "blocks/notes.txt",
    "blocks/.notes.txt.swp",
    "blocks/mix.mp3",
    "clips/readme.txt",
    "clips/ab/mine.clip",
    "clips/ab/.draft.tmp",
    "sentences/cd/.x.tmp",
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
