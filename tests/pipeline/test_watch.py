"""`--watch`: saves are collected into one rebuild, a save during a rebuild makes exactly one
more, an error is reported and the loop goes on. Real files, watchfiles, builds (tone voices)."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from _cli import in_process, start
from _probe import vtt_cues

from audiolesson.config import load_config
from audiolesson.pipeline import build
from audiolesson.pipeline.watch import Changes, Rebuilt, is_watched, watch_project


class Recorder:
    """A WatchListener that keeps what it is told and lets a test wait for it."""

    def __init__(self) -> None:
        self.begun: list[tuple[Path, ...]] = []
        self.done: list[Rebuilt] = []
        self._done = threading.Condition()

    def started(self, changes: tuple[Path, ...]) -> None:
        self.begun.append(changes)

    def event(self, event: object) -> None:
        pass

    def finished(self, rebuilt: Rebuilt) -> None:
        with self._done:
            self.done.append(rebuilt)
            self._done.notify_all()

    def wait_for(self, count: int, timeout: float = 30) -> list[Rebuilt]:
        ends = time.monotonic() + timeout
        with self._done:
            while len(self.done) < count and time.monotonic() < ends:
                self._done.wait(ends - time.monotonic())
        assert len(self.done) >= count, f"{len(self.done)} of {count} rebuilds"
        return self.done


@pytest.fixture
def project(project: Path) -> Path:
    """The shared fixture project, built by one worker, with a folder of notes beside it."""
    (project / "audiolesson.toml").write_text("[build]\njobs = 1\n")
    (project / "notes").mkdir()
    return project


def watching(
    root: Path, build_fn: Callable[..., object] = build
) -> tuple[Recorder, threading.Event, threading.Thread]:
    recorder, stop = Recorder(), threading.Event()
    thread = threading.Thread(
        target=watch_project,
        args=(root,),
        kwargs={"listener": recorder, "stop": stop, "build_fn": build_fn},
        daemon=True,
    )
    thread.start()
    return recorder, stop, thread


@pytest.fixture
def stopper() -> Iterator[list[tuple[threading.Event, threading.Thread]]]:
    running: list[tuple[threading.Event, threading.Thread]] = []
    yield running
    for stop, thread in running:
        stop.set()
        thread.join(timeout=10)
        assert not thread.is_alive(), "the watch loop did not stop"


def edit(script: Path, old: str, new: str) -> None:
    text = script.read_text()
    assert old in text
    script.write_text(text.replace(old, new))


def test_changes_come_out_as_one_batch_after_the_saves_stop() -> None:
    changes = Changes()
    assert changes.take(timeout=0.05) == set()
    started = time.monotonic()

    def saves() -> None:
        for n in range(5):
            changes.add([Path(f"scripts/{n % 2}.md")])
            time.sleep(0.05)

    writer = threading.Thread(target=saves)
    writer.start()
    taken = changes.take(timeout=2, quiet=0.2)
    writer.join()
    assert taken == {Path("scripts/0.md"), Path("scripts/1.md")}
    assert time.monotonic() - started >= 0.2 + 4 * 0.05  # waited for the saves to stop
    assert changes.take(timeout=0.05) == set()


def test_endless_saves_still_start_a_rebuild() -> None:
    changes, stop = Changes(), threading.Event()

    def saves() -> None:
        while not stop.is_set():
            changes.add([Path("scripts/a.md")])
            time.sleep(0.02)

    writer = threading.Thread(target=saves)
    writer.start()
    started = time.monotonic()
    try:
        assert changes.take(timeout=2, quiet=0.2, max_wait=0.5) == {Path("scripts/a.md")}
        assert time.monotonic() - started < 1.5
    finally:
        stop.set()
        writer.join()


def test_what_is_watched(project: Path) -> None:
    config = load_config(project)
    watched = [
        "scripts/lesson.md", "voices/teacher.toml", "voices/lexicon.toml", "voices/x.onnx",
        "audiolesson.toml", "music/bed.wav", "art/cover.png", "intro.mp3", "notes",
    ]  # fmt: skip
    ignored = [
        "output/lesson.mp3", "output/index.html", ".audiolesson/cache/clips/ab/x.clip",
        "scripts/.lesson.md.swp", "scripts/lesson.md~", "scripts/notes.txt", ".git/HEAD",
        "README.md", "scripts/4913", "notes/plan.txt",
    ]  # fmt: skip
    for name in watched:
        assert is_watched(project / name, project, config), name
    for name in ignored:
        assert not is_watched(project / name, project, config), name
    assert not is_watched(Path("/elsewhere/scripts/a.md"), project, config)
    named = project / "drafts" / "draft.md"
    assert is_watched(named, project, config, scripts=[named])
    assert not is_watched(named, project, config)


@pytest.mark.slow
def test_a_save_just_after_a_new_top_level_folder_is_not_lost(project: Path) -> None:
    """A build makes output/ at the top; the author saves a script right after. The watchers
    used to restart on a new top-level folder and miss saves in between."""
    from audiolesson.pipeline.watch import _Watcher

    config = load_config(project)
    script = project / "scripts" / "lesson.md"
    for attempt in range(3):
        changes = Changes()
        watcher = _Watcher(project, lambda: config, [], changes)
        try:
            time.sleep(1.0)  # both watchers running
            # output/ (never watched) the first time, then folders that are watched
            (project / ("output" if attempt == 0 else f"notes{attempt}")).mkdir()
            time.sleep(0.05)  # inside the old restart's gap (debounce 400 ms)
            edit(script, "Goodbye", "Farewell") if attempt % 2 == 0 else edit(
                script, "Farewell", "Goodbye"
            )
            saved = changes.take(timeout=5)
        finally:
            watcher.close()
        assert script in saved, f"attempt {attempt}: {sorted(saved)}"


@pytest.mark.slow  # waits 3.5 s for rebuilds that must not come
def test_several_saves_make_one_rebuild(project: Path, stopper: list) -> None:
    recorder, stop, thread = watching(project)
    stopper.append((stop, thread))
    first = recorder.wait_for(1)[0]
    assert first.error is None and first.changes == ()
    assert first.result.episodes_written == ["lesson"]
    script = project / "scripts" / "lesson.md"
    for n in range(5):  # an author saving five times in a row
        edit(script, "Goodbye" if n == 0 else f"Farewell {n - 1}", f"Farewell {n}")
        time.sleep(0.02)
    second = recorder.wait_for(2)[1]
    assert second.error is None and second.changes == (script,)
    assert second.result.turns_synthesized == 1  # only the edited turn: the cache does the rest
    time.sleep(2.0)  # nothing else is coming
    assert len(recorder.done) == 2
    (project / "notes" / "plan.txt").write_text("not a lesson file")  # ignored
    (project / "output" / "stray.txt").write_text("written by someone else")
    time.sleep(1.5)
    assert len(recorder.done) == 2


@pytest.mark.slow
def test_a_save_during_a_rebuild_makes_exactly_one_more(project: Path, stopper: list) -> None:
    script = project / "scripts" / "lesson.md"
    calls: list[float] = []

    def slow_build(*args: object, **kwargs: object) -> object:
        calls.append(time.monotonic())
        if len(calls) == 2:  # the first rebuild: the author saves twice while it runs
            edit(script, "Thank you, teacher.", "Thanks, teacher.")
            time.sleep(0.3)
            edit(script, "Thanks, teacher.", "Thanks a lot, teacher.")
            time.sleep(1.5)  # long enough for the watcher to see both saves
        return build(*args, **kwargs)

    recorder, stop, thread = watching(project, slow_build)
    stopper.append((stop, thread))
    recorder.wait_for(1)
    edit(script, "Goodbye", "Farewell")
    third = recorder.wait_for(3)[2]
    assert third.error is None and third.changes == (script,)
    time.sleep(2.0)
    assert len(calls) == 3 and len(recorder.done) == 3
    texts = [cue.text for cue in vtt_cues(project / "output" / "lesson.vtt")]
    assert "Thanks a lot, teacher." in texts


@pytest.mark.slow
def test_an_error_is_reported_and_the_last_good_episode_stays(project: Path, stopper: list) -> None:
    recorder, stop, thread = watching(project)
    stopper.append((stop, thread))
    recorder.wait_for(1)
    mp3 = project / "output" / "lesson.mp3"
    good = mp3.read_bytes()
    script = project / "scripts" / "lesson.md"
    edit(script, "[pause 1.5s]", "[pause 0s]")
    failed = recorder.wait_for(2)[1]
    line = script.read_text().splitlines().index("[pause 0s]") + 1
    assert failed.result is None
    assert failed.error_line.startswith(f"error: {script}:{line}:1: pause of 0 s is out of bounds")
    assert mp3.read_bytes() == good
    (project / "audiolesson.toml").write_text("[build]\njobs = 'many'\n")  # a broken config too
    edit(script, "[pause 0s]", "[pause 1s]")
    broken = recorder.wait_for(3)[2]
    assert broken.error_line.startswith(f"error: {project / 'audiolesson.toml'}:2:")
    (project / "audiolesson.toml").write_text("[build]\njobs = 1\n")
    fixed = recorder.wait_for(4)[3]
    assert fixed.error is None and fixed.result.episodes_written == ["lesson"]
    assert mp3.read_bytes() != good


def wait_for_text(path: Path, pattern: str, timeout: float = 30) -> str:
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        text = path.read_text()
        if re.search(pattern, text, re.S):
            return text
        time.sleep(0.1)
    raise AssertionError(f"no {pattern!r} in {path.read_text()!r}")


@pytest.mark.slow
def test_build_watch_in_the_terminal(project: Path, tmp_path: Path) -> None:
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    with out.open("w") as stdout, err.open("w") as stderr:
        proc = start(
            project, "build", "--watch",
            stdout=stdout, stderr=stderr, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
    try:
        wait_for_text(out, r"1 episode written.*watching for changes; Ctrl\+C stops")
        edit(project / "scripts" / "lesson.md", "Goodbye", "Farewell")
        text = wait_for_text(out, r"changed: scripts/lesson\.md\n.*1 turn synthesised, 8 from")
        assert text.count("watching for changes") == 2
        edit(project / "scripts" / "lesson.md", "[pause 1.5s]", "[pause 0s]")
        wait_for_text(err, r"error: \S+lesson\.md:\d+:1: pause of 0 s")
    finally:
        proc.send_signal(signal.SIGINT)
        status = proc.wait(timeout=15)
    assert status == 0  # Ctrl+C is how one stops watching
    [line] = err.read_text().splitlines()  # the one-line error, no traceback
    assert line.startswith("error: ")


def test_build_watch_refuses_plan(project: Path) -> None:
    proc = in_process(project, "build", "--watch", "--plan")
    assert proc.returncode == 2 and "nothing to --watch" in proc.stderr
