"""The Ray executor on a real two-node Ray cluster on this machine, and its one-line errors.

One cluster serves the module: a head (`ray start --head`, one CPU) and a second node (`ray start
--address`, one CPU and a resource of its own), both in a network namespace of their own that has
only loopback (`unshare -n`), because Ray otherwise talks to the machine's own address even when
told 127.0.0.1. Builds run in that namespace too (`nsenter`), as `python -m audiolesson` with the
test's environment, so the cluster's workers import the same audiolesson as the tests. Episodes
built through Ray are compared byte for byte with local builds of the same scripts, which give
them their published date (a build keeps the date of the MP3 it replaces).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from _cli import Ran, command, in_process
from _cli import audiolesson as run_cli
from _project import copy_project

PORT = 6379  #: the namespace is the cluster's own: Ray's default port is free there
#: Ray's C++ core prints this when a machine cannot reach the internet (the namespace cannot)
RAY_OFFLINE_NOTE = re.compile(r"^\[[\d\- :,]+ W \d+ \d+\] network_util\.cc:\d+: .*$")


def _ray_command() -> str:
    beside = Path(sys.executable).parent / "ray"
    return str(beside) if beside.is_file() else shutil.which("ray") or "ray"


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("AUDIOLESSON_", "RAY_"))}


@dataclass
class Cluster:
    """A head and a second node, each a `ray start --block` process (stopping it stops the node)."""

    head: subprocess.Popen[bytes]
    node: subprocess.Popen[bytes]
    logs: Path

    @property
    def address(self) -> str:
        return f"127.0.0.1:{PORT}"

    def inside(self, *command: str) -> list[str]:
        """A command run in the cluster's network namespace."""
        return ["nsenter", "-t", str(self.head.pid), "-n", *command]

    def audiolesson(self, *args: str) -> list[str]:
        return self.inside(*command(*args))

    def build(self, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
        """`audiolesson build --executor ray` in root, run to its end."""
        command = self.audiolesson("build", "--executor", "ray", "--address", self.address, *args)
        return subprocess.run(
            command, cwd=root, env=_env(), capture_output=True, text=True, timeout=240
        )

    def start_build(self, root: Path, *args: str) -> subprocess.Popen[str]:
        command = self.audiolesson("build", "--executor", "ray", "--address", self.address, *args)
        return subprocess.Popen(
            command, cwd=root, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def workers(self, busy: bool = False) -> dict[str, list[int]]:
        """The pids of the ClipWorker actors on each node ("head", "node"); busy: rendering."""
        import psutil

        found: dict[str, list[int]] = {"head": [], "node": []}
        for name, proc in (("head", self.head), ("node", self.node)):
            try:
                children = psutil.Process(proc.pid).children(recursive=True)
            except psutil.NoSuchProcess:
                continue
            for child in children:
                try:
                    title = " ".join(child.cmdline())
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    continue
                if title.startswith("ray::ClipWorker.render" if busy else "ray::ClipWorker"):
                    found[name].append(child.pid)
        return found


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # `ray start --block` then stops its node's processes
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _wait_for(what: str, check: object, timeout: float, logs: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.5)
    raise AssertionError(f"{what} within {timeout:g} s; logs:\n{_tail(logs)}")


def _tail(logs: Path) -> str:
    return "\n".join(p.read_text(errors="replace")[-2000:] for p in sorted(logs.glob("*.log")))


#: joins the cluster and waits until both nodes' CPUs are there (run inside the namespace)
READY = textwrap.dedent(
    """
    import sys, time, ray
    ray.init(address=sys.argv[1], logging_level="ERROR", log_to_driver=False)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        resources = ray.cluster_resources()
        if resources.get("CPU", 0) >= 2 and resources.get("second", 0) >= 1:
            sys.exit(0)
        time.sleep(0.2)
    sys.exit(1)
    """
)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    pytest.importorskip("ray")
    pytest.importorskip("psutil")
    for tool in ("unshare", "nsenter", "ip"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is needed for a loopback-only network namespace")
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        pytest.skip("unshare -n is not permitted here (the Ray tests run as root, as in CI)")
    temp = Path(tempfile.mkdtemp(prefix="al-ray-"))  # short: Ray's socket paths live under it
    ray = _ray_command()
    common = ["--node-ip-address", "127.0.0.1", "--num-cpus", "1", "--disable-usage-stats"]
    head_cmd = [ray, "start", "--head", "--block", "--port", str(PORT), *common]
    head_cmd += ["--include-dashboard=false", "--temp-dir", str(temp / "ray")]
    with (temp / "head.log").open("wb") as log:
        head = subprocess.Popen(
            ["unshare", "-n", "bash", "-c", 'ip link set lo up && exec "$@"', "ray", *head_cmd],
            env=_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    node = None
    try:
        probe = f"import socket; socket.create_connection(('127.0.0.1', {PORT}), 1)"
        port_open = ["nsenter", "-t", str(head.pid), "-n", sys.executable, "-c", probe]
        _wait_for(
            "the head's port opens",
            lambda: (
                head.poll() is None
                and subprocess.run(port_open, capture_output=True).returncode == 0
            ),
            60,
            temp,
        )
        node_cmd = [ray, "start", "--block", "--address", f"127.0.0.1:{PORT}", *common]
        node_cmd += ["--resources", json.dumps({"second": 1})]
        with (temp / "node.log").open("wb") as log:
            node = subprocess.Popen(
                ["nsenter", "-t", str(head.pid), "-n", *node_cmd],
                env=_env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        ready = subprocess.run(
            ["nsenter", "-t", str(head.pid), "-n", sys.executable, "-c", READY, "127.0.0.1:6379"],
            env=_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert ready.returncode == 0, f"{ready.stderr[-2000:]}\n{_tail(temp)}"
        yield Cluster(head, node, temp)
    finally:
        if node is not None:
            _stop(node)
        _stop(head)
        shutil.rmtree(temp, ignore_errors=True)


# --- projects --------------------------------------------------------------------------------


def lesson(name: str, turns: int, words: int = 6) -> str:
    """A script of distinct turns by a teacher, two students and the narrator."""
    speakers = ["Teacher", "Student 1", "Teacher", "Student 2", None]
    body = []
    for i in range(turns):
        text = " ".join(f"{name}{i}w{j}" for j in range(words)) + "."
        who = speakers[i % len(speakers)]
        body.append(f"{who}: {text}" if who else text)
        if i % 7 == 6:
            body.append(f"## Part {i // 7 + 1}")
    return f"---\ntitle: {name.title()}\n---\n\n# {name.title()}\n\n" + "\n\n".join(body) + "\n"


def catalogue(root: Path) -> Path:
    """The test project (tone voices) plus three short lessons: a small catalogue."""
    copy_project(root)
    for i, turns in enumerate((6, 9, 12)):
        (root / "scripts" / f"extra-{i}.md").write_text(lesson(f"extra{i}x", turns), "utf-8")
    return root


def slow_project(root: Path, turns: int = 16) -> Path:
    """Long turns whose voices need a Praat formant shift: about 0.1 s of work per turn."""
    copy_project(root)
    for voice in (root / "voices").glob("*.toml"):
        voice.write_text(voice.read_text() + "formant = 1.15\n")
    (root / "scripts" / "lesson.md").write_text(lesson("slow", turns, words=10), "utf-8")
    return root


def local_build(root: Path, *args: str) -> dict:
    proc = run_cli(root, "build", "--json", *args, env=_env(), timeout=240)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def files(folder: Path, pattern: str = "*") -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.glob(pattern) if p.is_file()}


def clips(root: Path) -> dict[str, bytes]:
    return files(root / ".audiolesson" / "cache" / "clips", "*/*.clip")


def temp_files(root: Path) -> list[Path]:
    return list((root / ".audiolesson").rglob(".*.tmp")) + list((root / "output").rglob(".*.tmp"))


def forget_cache(root: Path) -> None:
    """Drop every clip and encoded block: the next build synthesises and encodes everything."""
    shutil.rmtree(root / ".audiolesson" / "cache")


def problems(stderr: str) -> list[str]:
    """stderr without Ray's note that the namespace has no internet."""
    return [line for line in stderr.splitlines() if not RAY_OFFLINE_NOTE.match(line)]


def events(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


# --- through the cluster ---------------------------------------------------------------------


@pytest.mark.slow
def test_a_catalogue_built_on_ray_is_byte_identical_to_a_local_build(
    cluster: Cluster, tmp_path: Path
) -> None:
    root = catalogue(tmp_path / "project")
    local = local_build(root)
    assert local["episodes_written"] == 4
    episodes, rendered = files(root / "output"), clips(root)
    forget_cache(root)

    seen: dict[str, set[int]] = {"head": set(), "node": set()}
    stop = threading.Event()

    def watch() -> None:  # which nodes ran ClipWorker actors during the build
        while not stop.is_set():
            for node, pids in cluster.workers().items():
                seen[node].update(pids)
            stop.wait(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        proc = cluster.build(root, "--force", "--json")
    finally:
        stop.set()
        watcher.join()
    assert proc.returncode == 0, proc.stderr
    assert problems(proc.stderr) == []
    summary = events(proc.stdout)[-1]
    assert summary["turns_synthesized"] == local["turns_synthesized"] == len(rendered)
    assert summary["episodes_written"] == 4
    assert seen["head"] or seen["node"]  # Ray's workers synthesised
    assert clips(root) == rendered
    assert files(root / "output") == episodes
    assert not temp_files(root)
    deadline = time.monotonic() + 20
    while cluster.workers() != {"head": [], "node": []}:  # the build stops its actors
        assert time.monotonic() < deadline, cluster.workers()
        time.sleep(0.2)


#: the default cast: Piper's noise and Praat's shifts, both seeded from each clip's inputs
TAKE = """---
title: Take
---

# Light

Teacher: Light reaches the leaf, and the sixth sheep sits still.

Student 1: Is it the chlorophyll that catches it?

Student 2: So the plant breathes out what we breathe in!

That was the whole lesson.
"""


@pytest.mark.slow
def test_the_default_cast_on_ray_is_the_same_take_as_a_local_build(
    cluster: Cluster, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    (root / "scripts").mkdir(parents=True)
    (root / "scripts" / "take.md").write_text(TAKE, "utf-8")
    local = local_build(root, "--jobs", "2")  # two local workers with a core each
    assert local["turns_synthesized"] == 4
    episodes, rendered = files(root / "output"), clips(root)
    forget_cache(root)
    proc = cluster.build(root, "--force", "--json")  # one-CPU actors on two nodes
    assert proc.returncode == 0, proc.stderr
    assert events(proc.stdout)[-1]["turns_synthesized"] == 4
    assert clips(root) == rendered
    assert files(root / "output") == episodes


@pytest.mark.slow
def test_a_worker_killed_mid_build_has_its_turns_retried(cluster: Cluster, tmp_path: Path) -> None:
    # many short turns of the deterministic tone voices: plenty still pending at the first clip
    root = copy_project(tmp_path / "project")
    (root / "scripts" / "lesson.md").write_text(lesson("many", 100, words=3), "utf-8")
    local = local_build(root)
    episodes, rendered = files(root / "output"), clips(root)
    turns = local["turns_synthesized"]
    forget_cache(root)

    build = cluster.start_build(root, "--force", "--json")
    killed = None
    ran: dict[str, set[int]] = {"head": set(), "node": set()}
    try:
        assert build.stdout is not None
        out = []
        for line in build.stdout:
            out.append(json.loads(line))
            if out[-1]["event"] == "synthesized":
                for node, pids in cluster.workers(busy=killed is None).items():
                    ran[node].update(pids)
                    if killed is None and pids:
                        killed = pids[0]  # a worker in the middle of a turn
                        os.kill(killed, signal.SIGKILL)
        _, stderr = build.communicate(timeout=240)
    finally:
        if build.poll() is None:
            build.kill()
    assert build.returncode == 0, stderr
    found = problems(stderr)
    assert len(found) == 1, stderr
    assert re.fullmatch(
        rf"WARNING: a Ray worker \(node 127\.0\.0\.1 \(.*\), pid {killed}\) died; the other "
        r"workers take over its (1 turn|2 turns) \(.*\)",
        found[0],
    ), found[0]
    done = [e for e in out if e["event"] == "synthesized"]
    assert [e["error"] for e in done] == [None] * turns
    assert len({(e["script"], e["line"]) for e in done}) == turns  # each turn reported once
    assert out[-1]["turns_synthesized"] == turns
    assert ran["head"] and ran["node"], ran  # both nodes synthesised
    assert clips(root) == rendered  # every clip once, none lost, the same bytes
    assert not temp_files(root)
    assert files(root / "output") == episodes


@pytest.mark.slow
def test_the_project_lock_keeps_ray_builds_apart(cluster: Cluster, tmp_path: Path) -> None:
    root = slow_project(tmp_path / "project")
    first = cluster.start_build(root, "--json")
    try:
        assert first.stdout is not None
        for line in first.stdout:  # the lock is held once synthesis has begun
            if json.loads(line)["event"] == "synthesized":
                break
        for second in (
            cluster.build(root),
            cluster.build(root, "--force"),
            # a local build of the same project waits its turn too
            run_cli(root, "build", env=_env(), timeout=60),
        ):
            assert second.returncode == 1, second.stderr
            assert re.fullmatch(
                rf"error: .*\.audiolesson/build\.lock: another build is running in this project "
                rf"\(pid {first.pid}\); wait for it to finish, then run the build again\n",
                second.stderr,
            ), second.stderr
        rest, stderr = first.communicate(timeout=240)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, stderr
    assert json.loads(rest.splitlines()[-1])["turns_synthesized"] == 16
    again = cluster.build(root, "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout.splitlines()[-1])["episodes_unchanged"] == 1


@pytest.mark.slow
def test_an_engine_failing_on_a_worker_is_the_local_one_line(
    cluster: Cluster, tmp_path: Path
) -> None:
    # gTTS needs the internet, which the cluster's namespace does not have: a real engine error
    root = copy_project(tmp_path / "project")
    (root / "voices" / "student-1.toml").write_text('engine = "gtts"\nmodel = "en"\n')
    proc = cluster.build(root, "--quiet")
    assert proc.returncode == 1
    found = problems(proc.stderr)
    assert len(found) == 1, proc.stderr
    assert re.fullmatch(
        r"error: .*scripts/lesson\.md:\d+: voice 'student-1' \(engine gtts\) failed on this turn: "
        r"gTTS needs the internet; could not reach translate\.google\.com after 4 tries; .*"
        r" \(1 more turns failed\)",
        found[0],
    ), found[0]
    assert len(clips(root)) == 7  # the other turns are in the cache
    assert not (root / "output").exists()


@pytest.mark.slow
def test_the_turn_timeout_holds_on_ray(cluster: Cluster, tmp_path: Path) -> None:
    root = slow_project(tmp_path / "project", turns=4)  # each turn takes over 0.1 s
    (root / "audiolesson.toml").write_text("[build]\nturn_timeout = 0.05\n")
    started = time.monotonic()
    proc = cluster.build(root, "--quiet")
    assert proc.returncode == 1
    found = problems(proc.stderr)
    assert len(found) == 1, proc.stderr
    assert re.fullmatch(
        r"error: .*scripts/lesson\.md:\d+: voice '\S+' \(engine tone\) failed on this turn: "
        r"no answer in 0\.05 s \(3 more turns failed\)",
        found[0],
    ), found[0]
    assert time.monotonic() - started < 60
    assert not (root / "output").exists()


# --- one-line errors (no cluster needed) -----------------------------------------------------

#: run before the CLI, as if ray were not installed
NO_RAY = "import sys; sys.modules['ray'] = None"


def _cli(root: Path, *args: str, prelude: str = "") -> subprocess.CompletedProcess[str]:
    return run_cli(root, *args, env=_env(), timeout=60, prelude=prelude)


def _one_line(proc: subprocess.CompletedProcess[str] | Ran) -> str:
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    return proc.stderr.rstrip("\n")


def test_without_ray_installed_the_error_names_the_extra(tmp_path: Path) -> None:
    root = catalogue(tmp_path / "project")
    proc = _cli(root, "build", "--executor", "ray", "--address", "127.0.0.1:6379", prelude=NO_RAY)
    assert _one_line(proc) == (
        "error: the ray executor needs Ray (ray is not installed): pip install 'audiolesson[ray]'"
    )
    assert not (root / "output").exists()


def test_an_address_where_nothing_answers_is_one_line(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    root = catalogue(tmp_path / "project")
    with socket.socket() as s:  # a port that is surely closed: bound, never listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        started = time.monotonic()
        proc = _cli(root, "build", "--executor", "ray", "--address", f"127.0.0.1:{port}")
    assert re.fullmatch(
        rf"error: no Ray cluster answers at 127\.0\.0\.1:{port} \(Connection refused\); start its "
        r"head there with `ray start --head --port PORT` or correct the address",
        _one_line(proc),
    )
    assert time.monotonic() - started < 30
    assert not (root / "output").exists()


@pytest.mark.parametrize(
    ("args", "toml", "expected"),
    [
        (
            ["--executor", "ray", "--address", "head-only"],
            None,
            r"error: address must be the Ray head as HOST:PORT \(e\.g\. 10\.0\.0\.5:6379\), "
            r"got 'head-only'",
        ),
        (
            ["--address", "127.0.0.1:6379"],
            None,
            r"error: --address names a Ray cluster: add --executor ray",
        ),
        (
            [],
            '[build]\nexecutor = "slurm"\n',
            r"error: .*audiolesson\.toml:2: executor must be one of: local, ray; got 'slurm'",
        ),
    ],
)
def test_bad_executor_settings_are_one_line(
    tmp_path: Path, args: list[str], toml: str | None, expected: str
) -> None:
    root = catalogue(tmp_path / "project")
    if toml:
        (root / "audiolesson.toml").write_text(toml)
    assert re.fullmatch(expected, _one_line(in_process(root, "build", *args)))
