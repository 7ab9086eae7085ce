"""SIGKILL a build at 20 moments (synthesis, mixing, encoding, tagging, publishing).

The moment is chosen deterministically with AUDIOLESSON_TEST_KILL_AT=<point>:<n> (see
audiolesson/killpoints.py); the build runs in its own session so the kill takes its workers too.
After each kill output/ holds the previous good episode (byte for byte) or no episode, never a
broken one; the next build completes, synthesises only the clips that were not yet cached and
writes the same transcript and chapters as a build that was never interrupted.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from _cli import audiolesson as run_cli
from _cli import in_process
from _probe import ffmpeg_decode, ffprobe, vtt_cues
from _project import PROJECT, copy_project

from audiolesson._killpoints import ENV

OUTPUTS = ("lesson.mp3", "lesson.vtt", "lesson.chapters.json", "lesson.transcript.json")

#: killed while building from nothing (no previous episode)
FROM_SCRATCH = [
    "clip-stored:1",
    "clip-stored:5",
    "clip-stored:9",
    "mixing:1",
    "mixing:8",
    "block-writing:1",
    "block-stored:2",
    "episode-writing:1",
    "episode-stored:1",
    "clip-writing:2",
]
#: killed while rebuilding after an edit (a previous good episode is in output/)
AFTER_EDIT = [
    "clip-stored:1",
    "clip-stored:2",
    "mixing:1",
    "mixing:3",
    "clip-writing:1",
    "block-writing:1",
    "block-stored:1",
    "mixing:2",
    "episode-writing:1",
    "episode-stored:1",
]


def audiolesson(root: Path, *args: str, kill_at: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop(ENV, None)
    if kill_at:
        env[ENV] = kill_at
    # in a session of its own: the kill takes the build's process group, not pytest
    return run_cli(root, *args, env=env, timeout=120, start_new_session=True)


def build_summary(root: Path, run: Callable[..., Any] = audiolesson) -> dict:
    """Build to the end; the builds that only make references run in-process (run=in_process)."""
    proc = run(root, "build", "--json", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def edit(root: Path) -> None:
    """Change two turns: two new clips, some blocks to encode again."""
    script = root / "scripts" / "lesson.md"
    text = script.read_text().replace("Thank you, teacher.", "Thanks a lot, teacher.")
    script.write_text(text.replace("What comes next?", "And what comes after that?"))


def clips(root: Path) -> set[str]:
    return {p.name for p in (root / ".audiolesson" / "cache").glob("clips/*/*.clip")}


def outputs(root: Path) -> dict[str, bytes]:
    out = root / "output"
    return {name: (out / name).read_bytes() for name in OUTPUTS if (out / name).exists()}


def assert_whole(root: Path) -> None:
    """The episode in output/ decodes cleanly, its tags read back and its sidecars match it."""
    from mutagen.id3 import ID3

    out = root / "output"
    mp3 = out / "lesson.mp3"
    decode = ffmpeg_decode(mp3)
    assert decode.returncode == 0 and decode.stderr == ""
    probe = ffprobe(mp3)
    duration = float(probe["format"]["duration"])
    assert str(ID3(mp3)["TIT2"]) == "Tiny Lesson"
    chapters = json.loads((out / "lesson.chapters.json").read_text())["chapters"]
    probed = sorted(probe["chapters"], key=lambda c: float(c["start_time"]))
    assert [c["title"] for c in chapters] == [c["tags"]["title"] for c in probed]
    for mine, theirs in zip(chapters, probed, strict=True):
        assert abs(mine["startTime"] - float(theirs["start_time"])) < 0.05
    cues = vtt_cues(out / "lesson.vtt")
    assert len(cues) == 9
    assert cues[-1].end <= duration + 0.05


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """v1 built; v1 built then edited; and the edited script built without interruption."""
    base = tmp_path_factory.mktemp("crash")
    v1 = copy_project(base / "v1")
    build_summary(v1, in_process)
    v2 = base / "v2"
    shutil.copytree(v1, v2)
    edit(v2)
    done = base / "v2-done"
    shutil.copytree(v2, done)
    build_summary(done, in_process)
    return {"scratch": PROJECT, "edited": v2, "done": done}


def kill_and_recover(tmp: Path, source: Path, moment: str, done: Path) -> None:
    root = tmp / "project"
    shutil.copytree(source, root)
    before = outputs(root)
    killed = audiolesson(root, "build", "--quiet", "--jobs", "2", kill_at=moment)
    assert killed.returncode == -signal.SIGKILL, (moment, killed.returncode, killed.stderr)

    after = outputs(root)
    if after != before:  # only a kill after the episode was renamed into place may change it
        assert moment.startswith("episode-stored"), (moment, sorted(after))
        assert set(after) == set(OUTPUTS)
    if after:
        assert set(after) == set(OUTPUTS), (moment, sorted(after))
        assert_whole(root)
    visible = {p.name for p in (root / "output").glob("[!.]*")}
    assert visible <= set(OUTPUTS) | {"index.html", "feed.xml"}, (moment, visible)

    cached = clips(root)
    summary = build_summary(root)
    needed = clips(done)
    assert clips(root) == needed
    assert summary["turns_synthesized"] == len(needed - cached), (moment, summary)
    assert_whole(root)
    for name in ("lesson.vtt", "lesson.chapters.json"):
        assert (root / "output" / name).read_bytes() == (done / "output" / name).read_bytes()
    assert not list((root / "output").glob(".*.tmp")), moment
    # a clip killed while being written left only a temporary file, which prune removes
    prune = audiolesson(root, "cache", "prune")
    assert prune.returncode == 0, prune.stderr
    assert not list((root / ".audiolesson").rglob(".*.tmp")), moment


@pytest.mark.slow
def test_sigkill_at_20_moments_never_leaves_a_broken_episode(
    tmp_path: Path, reference: dict[str, Path]
) -> None:
    scratch_done = copy_project(tmp_path / "scratch-done")
    build_summary(scratch_done, in_process)
    runs = [(m, reference["scratch"], scratch_done) for m in FROM_SCRATCH] + [
        (m, reference["edited"], reference["done"]) for m in AFTER_EDIT
    ]
    assert len(runs) == 20

    def one(index: int) -> None:
        moment, source, done = runs[index]
        kill_and_recover(tmp_path / f"run{index}", source, moment, done)

    # two at a time: each build is mostly waiting on its own workers and ffmpeg
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(one, range(len(runs))))
