"""Reliability through the real CLI: a verified cache, concurrent builds, failing engines and disks.

Builds whose errors, warnings or locks are under test run as subprocesses on a copy of
tests/data/project (tone voices); the builds that only set a scene or count what a rerun
synthesises run in-process. Faults are injected with a prelude (`FAULTY`) that patches an engine
before the CLI's `main` runs; synthesis workers are forked, so they inherit the patch.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import subprocess
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _cli import Ran, in_process, start
from _cli import audiolesson as run_cli
from _probe import decodes

OUTPUTS = ("lesson.mp3", "lesson.vtt", "lesson.chapters.json")

#: patches engines as the FAULT_* environment variables say, before the CLI runs
FAULTY = textwrap.dedent(
    """
    import os, re, sys, time
    from audiolesson.voices.engines import tone
    real = tone.ToneEngine.synthesize
    def synthesize(self, text, voice):
        if os.environ.get("FAULT_RAISE") and os.environ["FAULT_RAISE"] in text:
            raise RuntimeError("the engine fell over")
        if os.environ.get("FAULT_HANG") and os.environ["FAULT_HANG"] in text:
            time.sleep(600)
        return real(self, text, voice)
    tone.ToneEngine.synthesize = synthesize
    if os.environ.get("FAULT_OFFLINE"):
        import requests, responses
        from audiolesson.voices.engines import gtts_tts
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        mock.add(responses.POST, re.compile(r"https://translate\\.google\\.[a-z.]+/.*"),
                 body=requests.ConnectionError("no route to host"))
        mock.start()
        waits = open(os.environ["FAULT_OFFLINE"], "a")
        def sleep(seconds):
            waits.write(f"{seconds}\\n"); waits.flush()
        gtts_tts.GttsEngine.__init__.__defaults__ = (3, 0.05, sleep)
    """
)


def clean_env(faults: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAULT_", "AUDIOLESSON_"))}
    env.update(faults or {})
    return env


def run(root: Path, *args: str, faults: dict[str, str] | None = None, **kw):
    prelude = FAULTY if faults else ""
    return run_cli(root, *args, env=clean_env(faults), timeout=120, prelude=prelude, **kw)


def summary(proc: subprocess.CompletedProcess[str] | Ran) -> dict:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def temp_files(*folders: Path) -> list[Path]:
    return [p for folder in folders if folder.exists() for p in folder.rglob(".*.tmp")]


def one_line(stderr: str) -> str:
    assert stderr.count("\n") == 1 and stderr.endswith("\n"), stderr
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    return stderr.rstrip("\n")


# --- 3. cache integrity ----------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_a_damaged_clip_is_reported_once_and_only_it_is_synthesised_again(
    project: Path, damage: str
) -> None:
    first = summary(in_process(project, "build", "--json"))
    assert first["turns_synthesized"] == 9
    before = snapshot(project / "output")
    # the clip of "Thank you, teacher." (line 17): find it by its length (9 turns, 9 lengths)
    entries = sorted((project / ".audiolesson" / "cache").glob("clips/*/*.clip"))
    victim = sorted(entries, key=lambda p: p.stat().st_size)[0]
    data = victim.read_bytes()
    if damage == "flip":
        victim.write_bytes(data[:-100] + bytes([data[-100] ^ 0x55]) + data[-99:])
    else:
        victim.write_bytes(data[: len(data) // 2])

    proc = run(project, "build", "--force", "--json")
    result = summary(proc)
    line = one_line(proc.stderr)
    why = "checksum mismatch" if damage == "flip" else "truncated"
    assert re.fullmatch(
        rf"WARNING: .*scripts/lesson\.md:\d+: cached clip {victim.stem[:12]} is damaged "
        rf"\({why}.*\); synthesising it again",
        line,
    ), line
    assert result["turns_synthesized"] == 1 and result["turns_cached"] == 8
    assert victim.is_file() and victim.read_bytes() == data  # the tone engine is deterministic
    assert snapshot(project / "output")["lesson.mp3"] == before["lesson.mp3"]
    assert decodes(project / "output" / "lesson.mp3")


@pytest.mark.slow
def test_a_damaged_encoded_block_is_reported_once_and_encoded_again(project: Path) -> None:
    summary(in_process(project, "build", "--json"))
    before = snapshot(project / "output")
    blocks = sorted((project / ".audiolesson" / "cache" / "blocks").glob("*.mp3"))
    victim = max(blocks, key=lambda p: p.stat().st_size)
    data = victim.read_bytes()
    victim.write_bytes(data[:500] + bytes([data[500] ^ 0xFF]) + data[501:])

    proc = run(project, "build", "--force", "--json")
    result = summary(proc)
    line = one_line(proc.stderr)
    assert re.fullmatch(
        r"WARNING: block cache: block '.*' is damaged \(its MP3 fails the checksum\); "
        r"encoding it again",
        line,
    ), line
    assert result["turns_synthesized"] == 0 and result["chapters_encoded"] == 1
    assert victim.read_bytes() == data
    # the damaged byte never reaches the episode: it is the same file as before
    assert snapshot(project / "output")["lesson.mp3"] == before["lesson.mp3"]
    assert decodes(project / "output" / "lesson.mp3")
    again = run(project, "build", "--force", "--json")
    assert summary(again)["chapters_encoded"] == 0 and again.stderr == ""


# --- 4. concurrent builds --------------------------------------------------------------------


def long_script(root: Path, turns: int = 150) -> None:
    """Enough distinct turns that a build is still synthesising when the second one starts."""
    lines = [f"Teacher: This is turn number {i}, a distinct sentence." for i in range(turns)]
    (root / "scripts" / "lesson.md").write_text(
        "---\ntitle: Busy\n---\n\n# One\n\n" + "\n\n".join(lines) + "\n", "utf-8"
    )


@pytest.mark.slow
def test_a_second_build_and_a_prune_stop_while_a_build_runs(project: Path) -> None:
    long_script(project)
    first = start(project, "build", "--json", "--jobs", "1", env=clean_env())
    try:
        assert first.stdout is not None
        for raw in first.stdout:  # the first build holds the lock once it announces its start
            if json.loads(raw)["event"] == "synthesized":
                break
        for args in (["build"], ["build", "--force"], ["cache", "prune"]):
            proc = run(project, *args)
            assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
            line = one_line(proc.stderr)
            assert re.fullmatch(
                rf"error: .*\.audiolesson/build\.lock: another build is running in this project "
                rf"\(pid {first.pid}\); wait for it to finish, then run the build again",
                line,
            ), line
        plan = run(project, "build", "--plan")  # a plan writes nothing and needs no lock
        assert plan.returncode == 0, plan.stderr
        rest, errors = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, errors
    assert json.loads(rest.splitlines()[-1])["turns_synthesized"] == 150
    assert decodes(project / "output" / "lesson.mp3")
    assert not temp_files(project / "output", project / ".audiolesson")
    # every cache entry verifies, and a rebuild finds nothing to do
    from audiolesson.synth.cache import ClipCache

    cache = ClipCache(project / ".audiolesson" / "cache")
    assert all(cache.verify(k) for k in cache.keys())
    again = summary(in_process(project, "build", "--json"))
    assert again["episodes_unchanged"] == 1 and again["turns_synthesized"] == 0


def test_many_builds_at_once_leave_one_whole_episode(project: Path) -> None:
    """Four builds started together: each finishes or stops cleanly; the result verifies."""
    procs = [start(project, "build", "--quiet", "--force", env=clean_env()) for _ in range(4)]
    results = [(p.wait(timeout=120), p.communicate()[1]) for p in procs]
    assert any(code == 0 for code, _ in results)
    for code, err in results:
        if code:
            assert "another build is running" in one_line(err)
    assert decodes(project / "output" / "lesson.mp3")
    assert not temp_files(project / "output", project / ".audiolesson")
    again = summary(in_process(project, "build", "--json"))
    assert again["episodes_unchanged"] == 1


# --- 5. failing engines ----------------------------------------------------------------------


def test_a_failing_turn_is_one_line_and_the_rerun_synthesises_only_it(project: Path) -> None:
    proc = run(project, "build", "--quiet", faults={"FAULT_RAISE": "Thank you"})
    assert proc.returncode == 1
    line = one_line(proc.stderr)
    assert re.fullmatch(
        r"error: .*scripts/lesson\.md:17: voice 'student-1' \(engine tone\) failed on this turn: "
        r"the engine fell over",
        line,
    ), line
    assert not (project / "output").exists()
    rerun = summary(in_process(project, "build", "--json"))
    assert rerun["turns_synthesized"] == 1 and rerun["turns_cached"] == 8


@pytest.mark.slow
def test_a_hanging_turn_times_out_with_one_line(project: Path) -> None:
    (project / "audiolesson.toml").write_text("[build]\nturn_timeout = 2.0\n")
    proc = run(project, "build", "--quiet", faults={"FAULT_HANG": "Goodbye"})
    assert proc.returncode == 1
    line = one_line(proc.stderr)
    assert re.fullmatch(
        r"error: .*scripts/lesson\.md:36: voice 'teacher' \(engine tone\) failed on this turn: "
        r"no answer in 2 s",
        line,
    ), line
    rerun = summary(in_process(project, "build", "--json"))
    assert rerun["turns_synthesized"] == 1


def test_gtts_offline_is_retried_with_backoff_then_reported(project: Path, tmp_path: Path) -> None:
    (project / "voices" / "student-1.toml").write_text('engine = "gtts"\nmodel = "en"\n')
    waits = tmp_path / "waits.txt"
    proc = run(project, "build", "--quiet", faults={"FAULT_OFFLINE": str(waits)})
    assert proc.returncode == 1
    line = one_line(proc.stderr)
    assert re.fullmatch(
        r"error: .*scripts/lesson\.md:\d+: voice 'student-1' \(engine gtts\) failed on this turn: "
        r"gTTS needs the internet; could not reach translate\.google\.com after 3 tries; .*"
        r" \(1 more turns failed\)",
        line,
    ), line
    # two turns, each tried three times with the wait doubling in between
    assert sorted(float(w) for w in waits.read_text().split()) == [0.05, 0.05, 0.1, 0.1]
    assert len(list((project / ".audiolesson" / "cache").glob("clips/*/*.clip"))) == 7


# --- 5. failing disks ------------------------------------------------------------------------


@contextlib.contextmanager
def small_disk(where: Path, size: str = "1m", *, read_only: bool = False) -> Iterator[bool]:
    """A tiny (or read-only) tmpfs at `where`; yields False where mounting is not permitted."""
    where.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (",ro" if read_only else "")
    try:
        mount = ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)]
        mounted = subprocess.run(mount, capture_output=True).returncode == 0
    except FileNotFoundError:  # no mount command at all
        mounted = False
    try:
        yield mounted
    finally:
        if mounted:
            for _ in range(10):
                if subprocess.run(["umount", str(where)], capture_output=True).returncode == 0:
                    break
                time.sleep(0.2)


def allow_outside(project: Path) -> None:
    """Let the project write to an absolute path outside it (the disks these tests mount)."""
    (project / "audiolesson.toml").write_text("[build]\nallow_outside = true\n")


def fill(folder: Path, leave: int) -> None:
    """Fill the file system holding `folder` until about `leave` bytes are free."""
    free = shutil.disk_usage(folder).free
    with (folder / ".filler").open("wb") as fh:
        fh.write(b"\0" * max(0, free - leave))


@pytest.mark.slow  # two builds and a tmpfs: ~2.6 s
def test_a_full_disk_under_output_is_one_line_and_leaves_the_old_episode(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = tmp_path / "disk"
    allow_outside(project)
    with small_disk(disk, "2m") as mounted:
        out = disk / "out"
        summary(in_process(project, "build", "--json", "--output", str(out)))
        before = snapshot(out)
        script = project / "scripts" / "lesson.md"
        script.write_text(script.read_text().replace("What comes next?", "And then?"))
        if mounted:
            fill(disk, leave=64 * 1024)
            proc = run(project, "build", "--quiet", "--output", str(out))
            assert proc.returncode == 1
            line = one_line(proc.stderr)
        else:  # no permission to mount: every file created in output/ fails as on a full disk
            line = fail_in_process(project, out, errno.ENOSPC, monkeypatch)
        assert line == f"error: {out}: could not write episode lesson: No space left on device"
        assert snapshot(out) == before
        assert not temp_files(out, project / ".audiolesson")
        (disk / ".filler").unlink(missing_ok=True)


def test_a_full_disk_under_the_cache_blames_the_disk_not_the_voice(
    project: Path, tmp_path: Path
) -> None:
    disk = tmp_path / "disk"
    with small_disk(disk, "1m") as mounted:
        cache = disk / "cache"
        (project / "audiolesson.toml").write_text(
            f'[build]\ncache = "{cache}"\nallow_outside = true\n'
        )
        if mounted:
            fill(disk, leave=16 * 1024)
        else:  # no permission to mount: a cache folder that cannot take files
            cache.mkdir()
            (cache / "clips").write_text("not a folder")
        proc = run(project, "build", "--quiet")
        assert proc.returncode == 1
        line = one_line(proc.stderr)
        why = "No space left on device" if mounted else "(Not a directory|File exists)"
        assert re.fullmatch(
            rf"error: .*scripts/lesson\.md:\d+: could not store this turn's clip in "
            rf"{re.escape(str(cache))}\S*: {why}( \(\d+ more turns failed\))?",
            line,
        ), line
        assert not (project / "output").exists()
        assert not temp_files(cache)
        (disk / ".filler").unlink(missing_ok=True)


def fail_in_process(project: Path, out: Path, code: int, monkeypatch: pytest.MonkeyPatch) -> str:
    """Build in-process with every file created in `out` failing with errno `code`."""
    import tempfile

    from audiolesson.config import load_config
    from audiolesson.errors import AudiolessonError
    from audiolesson.pipeline import build

    real = tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        if Path(kwargs.get("dir") or ".").resolve() == out.resolve():
            path = Path(out) / ".lesson.mp3.x.tmp"
            raise OSError(code, os.strerror(code), str(path))
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    with pytest.raises(AudiolessonError) as caught:
        build(load_config(project, output=str(out), jobs=1))
    return f"error: {caught.value}"


def test_a_read_only_output_folder_is_one_line_and_writes_nothing(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "readonly"
    allow_outside(project)
    with small_disk(out, read_only=True) as mounted:
        if mounted:
            proc = run(project, "build", "--quiet", "--output", str(out))
            assert proc.returncode == 1
            line = one_line(proc.stderr)
        else:  # no permission to mount (and chmod does not stop root): fail in-process
            line = fail_in_process(project, out, errno.EROFS, monkeypatch)
        assert line == f"error: {out}: could not write episode lesson: Read-only file system"
        assert not any(out.iterdir())
