"""A one-turn edit through the CLI: what it costs, and that it writes a clean build's bytes.

An edit build reuses cached blocks (checked by size, mtime and edges, see export/blocks.py) and
has the kernel copy them into the new episode; none of that may change a byte: the episode, the
transcript and the chapters equal those of a build of the edited script from an empty cache.
The builds run the CLI's main() in-process (tests/_cli.py): bytes do not depend on a fresh process.
"""

from __future__ import annotations

import json
from pathlib import Path

from _cli import in_process
from _project import copy_project

OUTPUTS = ("lesson.mp3", "lesson.vtt", "lesson.chapters.json")


def build(root: Path, *args: str) -> dict:
    proc = in_process(root, "build", "--json", *args)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", proc.stderr  # no block was found damaged
    return json.loads(proc.stdout.splitlines()[-1])


def edit(root: Path) -> None:
    script = root / "scripts" / "lesson.md"
    script.write_text(script.read_text().replace("What comes next?", "And what comes next?"))


def outputs(root: Path) -> dict[str, bytes]:
    return {name: (root / "output" / name).read_bytes() for name in OUTPUTS}


def test_an_edit_build_writes_the_bytes_of_a_clean_build(tmp_path: Path) -> None:
    edited = copy_project(tmp_path / "edited")
    build(edited)
    before = outputs(edited)
    edit(edited)
    summary = build(edited)
    assert summary["turns_synthesized"] == 1 and summary["chapters_reused"] >= 1

    clean = copy_project(tmp_path / "clean")  # the edited script, an empty cache
    edit(clean)
    (clean / "output").mkdir()
    # the old episode only lends its publication date (a clean build keeps it, as an edit does)
    (clean / "output" / "lesson.mp3").write_bytes(before["lesson.mp3"])
    assert build(clean)["turns_synthesized"] == 9

    assert outputs(edited) == outputs(clean)
    assert outputs(edited)["lesson.mp3"] != before["lesson.mp3"]
