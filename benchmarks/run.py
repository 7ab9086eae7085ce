"""Benchmark audiolesson against the raw engines; write BENCHMARKS.md and benchmarks/results.json.

    python benchmarks/run.py [--quick] [--out BENCHMARKS.md] [--json benchmarks/results.json]

Every input is generated here (benchmarks/generate.py, seeded): nothing is downloaded. Builds run
as `audiolesson build` subprocesses in throw-away project folders, timed from outside, with the
process tree's memory polled by psutil. A previous results JSON, when there is one, is printed
side by side with the new numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import generate

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MEASURES = ("piper", "pyttsx3", "help", "rebuild100", "book", "sentences", "ray")
#: words in the long paragraph of the `sentences` measure (an audiobook paragraph, one turn)
PARAGRAPH_WORDS = 500


@dataclass(frozen=True)
class Sizes:
    """How big the generated inputs are."""

    lesson_minutes: float
    book_hours: float
    book_chapters: int
    lessons: int
    small_lesson_minutes: float
    help_runs: int
    rebuild_runs: int
    ray_lessons: int = 200  #: the catalogue built locally and through Ray


FULL = Sizes(60, 10, 40, 100, 0.5, 30, 5, 200)
QUICK = Sizes(1, 0.05, 2, 10, 0.5, 5, 3, 10)


@dataclass
class Run:
    """One timed `audiolesson build` subprocess."""

    seconds: float
    events: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    peak_tree_rss: int = 0  #: bytes, the build process plus its workers, polled
    peak_process_rss: int = 0  #: bytes, the largest single process (kernel's ru_maxrss)
    peak_tree_pss: int = 0  #: bytes, the build process plus its workers, shared pages once

    def summary(self) -> dict[str, Any]:
        """The build's own summary event."""
        return next((e for _, e in reversed(self.events) if e.get("event") == "summary"), {})


def _audiolesson() -> list[str]:
    """The installed console script, as a user runs it (not a version manager's shim)."""
    beside = Path(sys.executable).parent / "audiolesson"
    exe = str(beside) if beside.is_file() else shutil.which("audiolesson")
    return [exe] if exe else [sys.executable, "-m", "audiolesson"]


def _pss(pid: int) -> int:
    """A process's proportional set size in bytes (each shared page counted once over the
    processes sharing it: a forked worker's pages still shared with its parent are not counted
    twice), from /proc/<pid>/smaps_rollup; 0 where the kernel does not say."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _poll_rss(pid: int, stop: threading.Event, peak: list[int]) -> None:
    """Sample the RSS and the PSS of pid and all its descendants every 20 ms; keep the largest
    sums (peak[0]: RSS, peak[1]: PSS)."""
    import psutil

    try:
        root = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    while not stop.is_set():
        total = shared_once = 0
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for p in procs:
            try:
                total += p.memory_info().rss
            except psutil.NoSuchProcess:
                pass
            shared_once += _pss(p.pid)
        peak[0] = max(peak[0], total)
        peak[1] = max(peak[1], shared_once)
        stop.wait(0.02)


def build(project: Path, *extra: str, prefix: tuple[str, ...] = ()) -> Run:
    """Run `audiolesson build --json` in project; time it and watch its memory.

    `prefix` runs it through another command (nsenter, to reach a Ray cluster's namespace).
    """
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*prefix, *_audiolesson(), "build", "--json", *extra],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stop, peak = threading.Event(), [0, 0]
    poller = threading.Thread(target=_poll_rss, args=(proc.pid, stop, peak), daemon=True)
    poller.start()
    errors: list[str] = []
    drain = threading.Thread(target=lambda: errors.extend(proc.stderr), daemon=True)
    drain.start()
    events = []
    for line in proc.stdout:
        if line.startswith("{"):
            events.append((time.perf_counter() - started, json.loads(line)))
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    stop.set()
    poller.join()
    drain.join()
    if proc.returncode != 0:
        raise RuntimeError(f"audiolesson build failed in {project}:\n{''.join(errors)[-2000:]}")
    return Run(seconds, events, peak[0], usage.ru_maxrss * 1024, peak[1])


def _median_seconds(cmd: list[str], runs: int, cwd: Path | None = None) -> float:
    """Median wall time of a command run `runs` times."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _duration(mp3: Path) -> float:
    """Length of an MP3 as ffprobe reads it."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(mp3)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip())


def _edit(script: Path) -> None:
    script.write_text(generate.edit_one_turn(script.read_text(encoding="utf-8")), encoding="utf-8")


def _result(value: float, unit: str, target: float | None, better: str, **detail: Any) -> dict:
    """One measure: its value, its target and whether it met it."""
    ok = None
    if target is not None:
        ok = value <= target if better == "lower" else value >= target
    shown = {"better": better} if better == "higher" else {}  # the report's "<" is the default
    return {"value": round(value, 4), "unit": unit, "target": target, "pass": ok, **shown, **detail}


# --- measures --------------------------------------------------------------------------------


def measure_help(sizes: Sizes) -> dict[str, dict]:
    """Median wall time of `audiolesson --help`."""
    seconds = _median_seconds([*_audiolesson(), "--help"], sizes.help_runs)
    return {"help_seconds": _result(seconds, "s", 0.3, "lower", runs=sizes.help_runs)}


def _catalogue(root: Path, lessons: int, minutes: float, seed: int) -> Path:
    """A project of many short lessons (tone voices), lesson i drawn from seed + i."""
    scripts = {f"lesson-{i:03d}": generate.lesson(minutes, seed=seed + i) for i in range(lessons)}
    generate.write_project(root, scripts, "tone")
    return root


def measure_rebuild100(sizes: Sizes, work: Path) -> dict[str, dict]:
    """Nothing-changed rebuild of many small lessons (tone voices), median of several runs."""
    root = _catalogue(work / "lessons", sizes.lessons, sizes.small_lesson_minutes, seed=1000)
    first = build(root)
    runs = [build(root) for _ in range(sizes.rebuild_runs)]
    times = [r.seconds for r in runs]
    return {
        "rebuild_nothing_changed_seconds": _result(
            statistics.median(times),
            "s",
            1.0,
            "lower",
            lessons=sizes.lessons,
            runs=sizes.rebuild_runs,
            first_build_seconds=round(first.seconds, 2),
            episodes_unchanged=runs[-1].summary().get("episodes_unchanged"),
        )
    }


def measure_book(sizes: Sizes, work: Path) -> dict[str, dict]:
    """The long audiobook with tone voices: full build, peak memory, one-turn edit, then a
    rebuild with nothing changed (median of a few)."""
    root = work / "book"
    text = generate.audiobook(sizes.book_hours, chapters=sizes.book_chapters)
    generate.write_project(root, {"book": text}, "tone")
    full = build(root)
    audio = _duration(root / "output" / "book.mp3")
    _edit(root / "scripts" / "book.md")
    edit = build(root)
    unchanged = [build(root) for _ in range(3)]
    mb = 1024 * 1024
    return {
        "book_peak_rss_mb": _result(
            # polling can miss a short spike that the kernel's per-process peak still sees
            max(full.peak_tree_rss, edit.peak_tree_rss, full.peak_process_rss) / mb,
            "MB",
            300,
            "lower",
            largest_process_mb=round(max(full.peak_process_rss, edit.peak_process_rss) / mb, 1),
            polled_tree_mb=round(max(full.peak_tree_rss, edit.peak_tree_rss) / mb, 1),
            audio_hours=round(audio / 3600, 2),
            turns=full.summary().get("turns_total"),
        ),
        "book_peak_pss_mb": _result(
            max(full.peak_tree_pss, edit.peak_tree_pss) / mb,
            "MB",
            300,
            "lower",
            largest_process_mb=round(max(full.peak_process_rss, edit.peak_process_rss) / mb, 1),
        ),
        "book_full_build_seconds": _result(
            full.seconds, "s", None, "lower", realtime_factor=round(audio / full.seconds, 1)
        ),
        "book_edit_rebuild_seconds": _result(
            edit.seconds,
            "s",
            2.0,
            "lower",
            chapters_encoded=edit.summary().get("chapters_encoded"),
            turns_synthesized=edit.summary().get("turns_synthesized"),
            phases_seconds={k: round(v, 2) for k, v in _phases(edit).items()},
        ),
        "book_rebuild_unchanged_seconds": _result(
            statistics.median(r.seconds for r in unchanged),
            "s",
            1.0,
            "lower",
            runs=len(unchanged),
            episodes_unchanged=unchanged[-1].summary().get("episodes_unchanged"),
        ),
    }


def _phases(run: Run) -> dict[str, float]:
    """Wall seconds of plan, synthesis, export and publish, from the build's event times."""

    def when(kind: str, last: bool = False) -> float | None:
        times = [t for t, e in run.events if e.get("event") == kind]
        return (times[-1] if last else times[0]) if times else None

    start = when("start") or 0.0
    synth_end = when("synthesized", last=True) or start
    export_end = when("episode", last=True) or synth_end
    return {
        "plan": start,
        "synthesis": synth_end - start,
        "export": export_end - synth_end,
        "publish_and_exit": run.seconds - export_end,
    }


def _cast_turns(root: Path, slug: str) -> list[Any]:
    from audiolesson.script.loader import load_script
    from audiolesson.voices.cast import cast_script

    return cast_script(load_script(root / "scripts" / f"{slug}.md"), root)


def _shift_share(turns: list[Any], sample: int) -> float:
    """Share of a worker's render time spent in Praat shifts (a sample of turns, 1 thread)."""
    os.environ["AUDIOLESSON_ENGINE_THREADS"] = "1"
    from audiolesson.voices.engines.base import get_engine
    from audiolesson.voices.render import _effects, shift

    step = max(1, len(turns) // sample)
    engine_s = shift_s = 0.0
    engine = get_engine("piper")
    engine.synthesize("Warm up.", turns[0].voice)  # the model load is not part of either
    for ct in turns[::step]:
        started = time.perf_counter()
        audio = engine.synthesize(ct.spoken, ct.voice)
        middle = time.perf_counter()
        shift(audio, **_effects(ct.voice))
        engine_s += middle - started
        shift_s += time.perf_counter() - middle
    return shift_s / (engine_s + shift_s)


def measure_piper(sizes: Sizes, work: Path) -> dict[str, dict]:
    """Raw Piper vs `audiolesson build` (default cast: Piper + Praat shifts); a one-turn edit."""
    from audiolesson.voices.engines.piper_tts import default_model

    root = work / "piper"
    generate.write_project(root, {"lesson": generate.lesson(sizes.lesson_minutes)})
    turns = _cast_turns(root, "lesson")
    turns_json = work / "piper-turns.json"
    turns_json.write_text(json.dumps([[ct.spoken, ct.voice.speed] for ct in turns]))
    started = time.perf_counter()
    raw_out = subprocess.run(
        [sys.executable, str(HERE / "raw_piper.py"), str(default_model()), str(turns_json)],
        capture_output=True,
        text=True,
        check=True,
    )
    raw_seconds = time.perf_counter() - started
    raw = json.loads(raw_out.stdout.strip().splitlines()[-1])
    full = build(root)
    audio = _duration(root / "output" / "lesson.mp3")
    phases = _phases(full)
    share = _shift_share(turns, sample=24 if sizes is FULL else 6)
    _edit(root / "scripts" / "lesson.md")
    edit = build(root)
    return {
        "piper_overhead_ratio": _result(
            full.seconds / raw_seconds,
            "x",
            1.00,
            "lower",
            raw_seconds=round(raw_seconds, 1),
            raw_model_load_seconds=round(raw["load_seconds"], 2),
            build_seconds=round(full.seconds, 1),
            audio_minutes=round(audio / 60, 1),
            turns=len(turns),
            phases_seconds={k: round(v, 1) for k, v in phases.items()},
            synthesis_split_seconds={
                "engine": round(phases["synthesis"] * (1 - share), 1),
                "praat_shifts": round(phases["synthesis"] * share, 1),
            },
        ),
        "piper_edit_fraction": _result(
            edit.seconds / full.seconds,
            "of full build",
            0.05,
            "lower",
            edit_seconds=round(edit.seconds, 2),
            chapters_encoded=edit.summary().get("chapters_encoded"),
        ),
    }


def measure_sentences(sizes: Sizes, work: Path) -> dict[str, dict]:
    """A one-word edit in a long paragraph read by the default narrator (Piper + Praat shifts).

    After: the rebuild with the sentence cache as the first build left it. Before: another
    one-word edit, rebuilt with cache/sentences emptied first, so the whole paragraph is
    synthesised as it was before sentences were cached. Sentences synthesised are counted as the
    entries each build adds to cache/sentences (every synthesised sentence is stored).
    """
    root = work / "paragraph"
    generate.write_project(root, {"paragraph": generate.paragraph(PARAGRAPH_WORDS)})
    script = root / "scripts" / "paragraph.md"
    sentences = root / ".audiolesson" / "cache" / "sentences"

    def stored() -> int:
        return sum(1 for _ in sentences.glob("*/*.clip"))

    full = build(root)
    in_paragraph = stored()
    audio = _duration(root / "output" / "paragraph.mp3")
    text = script.read_text(encoding="utf-8")
    script.write_text(generate.edit_one_word(text, in_paragraph // 2), encoding="utf-8")
    after = build(root)
    after_synthesized = stored() - in_paragraph
    text = script.read_text(encoding="utf-8")
    script.write_text(generate.edit_one_word(text, in_paragraph // 3), encoding="utf-8")
    shutil.rmtree(sentences)
    before = build(root)
    return {
        "sentence_edit_rebuild_seconds": _result(
            after.seconds,
            "s",
            None,
            "lower",
            before_seconds=round(before.seconds, 2),
            sentences_synthesized=after_synthesized,
            before_sentences_synthesized=stored(),
            sentences_in_paragraph=in_paragraph,
            words=PARAGRAPH_WORDS,
            audio_seconds=round(audio, 1),
            full_build_seconds=round(full.seconds, 1),
            turns_synthesized=after.summary().get("turns_synthesized"),
            synthesis_seconds={
                "after": round(_phases(after)["synthesis"], 2),
                "before": round(_phases(before)["synthesis"], 2),
            },
        )
    }


#: a Ray actor's round trip: sequential calls, then calls queued two deep as the build queues turns
RAY_ROUNDTRIP = """
import json, sys, time, ray
ray.init(address=sys.argv[1], logging_level="ERROR", log_to_driver=False)
@ray.remote(num_cpus=1)
class Echo:
    def echo(self, x):
        return x
actor = Echo.remote()
ray.get(actor.echo.remote(0))
n = int(sys.argv[2])
started = time.perf_counter()
for i in range(n):
    ray.get(actor.echo.remote(i))
sequential = (time.perf_counter() - started) / n
started = time.perf_counter()
ray.get([actor.echo.remote(i) for i in range(n)])
queued = (time.perf_counter() - started) / n
print(json.dumps({"sequential": sequential, "queued": queued}))
"""


class RayCluster:
    """A one-node Ray cluster on this machine (`ray start --head --block`), every CPU.

    As root it runs in a network namespace with only loopback (`unshare -n`), since Ray
    otherwise talks to the machine's own address even when told 127.0.0.1; builds join it
    through `nsenter`. Stopping the `ray start` process stops the node.
    """

    port = 6379

    def __init__(self, work: Path) -> None:
        ray = Path(sys.executable).parent / "ray"
        exe = str(ray) if ray.is_file() else shutil.which("ray") or "ray"
        head = [exe, "start", "--head", "--block", "--port", str(self.port)]
        head += ["--node-ip-address", "127.0.0.1", "--num-cpus", str(os.cpu_count() or 1)]
        head += ["--include-dashboard=false", "--disable-usage-stats"]
        self.temp = tempfile.mkdtemp(prefix="al-ray-")  # short: Ray's socket paths live under it
        head += ["--temp-dir", self.temp]
        isolated = subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0
        if isolated:
            head = ["unshare", "-n", "bash", "-c", 'ip link set lo up && exec "$@"', "ray", *head]
        self.log = (work / "ray-head.log").open("wb")
        self.proc = subprocess.Popen(head, stdout=self.log, stderr=subprocess.STDOUT)
        self.prefix = ("nsenter", "-t", str(self.proc.pid), "-n") if isolated else ()
        probe = f"import socket; socket.create_connection(('127.0.0.1', {self.port}), 1)"
        knock = [*self.prefix, sys.executable, "-c", probe]
        deadline = time.monotonic() + 90
        while subprocess.run(knock, capture_output=True).returncode != 0:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"ray start failed; see {work / 'ray-head.log'}")
            time.sleep(0.5)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def roundtrip(self, calls: int) -> dict[str, float]:
        """Seconds per actor call: one at a time, and queued."""
        out = subprocess.run(
            [*self.prefix, sys.executable, "-c", RAY_ROUNDTRIP, self.address, str(calls)],
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()
        shutil.rmtree(self.temp, ignore_errors=True)


def _synthesis_rate(run: Run) -> tuple[float, float]:
    """(seconds from the start event to the first clip, seconds per clip after it)."""
    start = next(t for t, e in run.events if e.get("event") == "start")
    clips = [t for t, e in run.events if e.get("event") == "synthesized"]
    return clips[0] - start, (clips[-1] - clips[0]) / max(1, len(clips) - 1)


def measure_ray(sizes: Sizes, work: Path) -> dict[str, dict]:
    """A catalogue of short lessons (tone voices) built locally, then through Ray, same machine."""
    root = _catalogue(work / "catalogue", sizes.ray_lessons, sizes.small_lesson_minutes, seed=5000)
    local = build(root)
    episodes = {p.name: p.read_bytes() for p in (root / "output").glob("*.mp3")}
    cluster = RayCluster(work)
    try:
        roundtrip = cluster.roundtrip(500 if sizes is FULL else 100)
        shutil.rmtree(root / ".audiolesson" / "cache")  # every clip and block made again
        # --force keeps output/: the episodes keep their published dates, so bytes compare
        ray = build(
            root, "--force", "--executor", "ray", "--address", cluster.address,
            prefix=cluster.prefix,
        )  # fmt: skip
    finally:
        cluster.stop()
    same = episodes == {p.name: p.read_bytes() for p in (root / "output").glob("*.mp3")}
    turns = local.summary().get("turns_synthesized") or 0
    local_phases, ray_phases = _phases(local), _phases(ray)
    local_first, local_rate = _synthesis_rate(local)
    ray_first, ray_rate = _synthesis_rate(ray)
    return {
        "ray_catalogue_ratio": _result(
            ray.seconds / local.seconds,
            "x",
            None,
            "lower",
            lessons=sizes.ray_lessons,
            turns=turns,
            local_seconds=round(local.seconds, 1),
            ray_seconds=round(ray.seconds, 1),
            local_phases_seconds={k: round(v, 1) for k, v in local_phases.items()},
            ray_phases_seconds={k: round(v, 1) for k, v in ray_phases.items()},
            seconds_to_first_clip={"local": round(local_first, 2), "ray": round(ray_first, 2)},
            ms_per_clip_after_the_first={
                "local": round(local_rate * 1000, 2),
                "ray": round(ray_rate * 1000, 2),
            },
            workers=os.cpu_count(),
            episodes_identical=same,
        ),
        "ray_task_roundtrip_ms": _result(
            roundtrip["sequential"] * 1000,
            "ms",
            None,
            "lower",
            queued_ms=round(roundtrip["queued"] * 1000, 3),
        ),
    }


def _espeak(text: str, out: Path) -> None:
    subprocess.run(["espeak-ng", "-s", "200", "-w", str(out), text], check=True)


def _one_encode(mp3: Path, folder: Path) -> dict[str, Any]:
    """One single-thread LAME encode of an episode's PCM at its bitrate, timed two ways: ffmpeg's
    libmp3lame with LAME's defaults (the issue's yardstick) and lameenc at the build's quality.

    The PCM comes from decoding the build's MP3 (the same length and rate as what the export
    encoded) and is read from memory by both; only the encode is timed."""
    import lameenc

    from audiolesson.audio_io import LAME_QUALITY
    from audiolesson.export.loudness import ffmpeg_exe

    folder.mkdir(parents=True, exist_ok=True)
    pcm = folder / "episode.s16"
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
         "stream=sample_rate,channels,bit_rate", "-of", "json", str(mp3)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    stream = json.loads(probe.stdout)["streams"][0]
    rate, channels = int(stream["sample_rate"]), int(stream["channels"])
    kbps = round(int(stream["bit_rate"]) / 1000)
    ffmpeg = ffmpeg_exe()
    subprocess.run(
        [ffmpeg, "-v", "error", "-y", "-i", str(mp3), "-f", "s16le", str(pcm)], check=True
    )
    started = time.perf_counter()
    subprocess.run(
        [ffmpeg, "-v", "error", "-y", "-threads", "1", "-f", "s16le", "-ar", str(rate),
         "-ac", str(channels), "-i", str(pcm), "-c:a", "libmp3lame", "-b:a", f"{kbps}k",
         "-threads", "1", "-f", "mp3", os.devnull],
        check=True,
    )  # fmt: skip
    ffmpeg_seconds = time.perf_counter() - started
    data = pcm.read_bytes()
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(kbps)
    encoder.set_in_sample_rate(rate)
    encoder.set_channels(channels)
    encoder.set_quality(LAME_QUALITY)
    started = time.perf_counter()
    for at in range(0, len(data), 1 << 20):
        encoder.encode(data[at : at + (1 << 20)])
    encoder.flush()
    lameenc_seconds = time.perf_counter() - started
    pcm.unlink()
    return {
        "ffmpeg_seconds": round(ffmpeg_seconds, 2),
        "lameenc_seconds": round(lameenc_seconds, 2),
        "lameenc_quality": LAME_QUALITY,
        "bitrate_kbps": kbps,
    }


def measure_pyttsx3(sizes: Sizes, work: Path) -> dict[str, dict]:
    """`espeak-ng -w` per turn (as many at once as build workers) vs a build with pyttsx3 voices."""
    root = work / "pyttsx3"
    generate.write_project(root, {"lesson": generate.lesson(sizes.lesson_minutes)}, "pyttsx3")
    turns = _cast_turns(root, "lesson")
    wavs = work / "espeak"
    wavs.mkdir()
    workers = os.cpu_count() or 1
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda i: _espeak(turns[i].spoken, wavs / f"{i}.wav"), range(len(turns))))
    raw_seconds = time.perf_counter() - started
    full = build(root)
    audio = _duration(root / "output" / "lesson.mp3")
    # export alone: every clip cached, no encoded block, no episode (mastering, encoding, tags)
    shutil.rmtree(root / ".audiolesson" / "cache" / "blocks")
    shutil.rmtree(root / "output")
    export = build(root)
    encode = _one_encode(root / "output" / "lesson.mp3", work / "pcm")
    return {
        "export_vs_one_encode_ratio": _result(
            export.seconds / encode["ffmpeg_seconds"],
            "x",
            1.0,
            "lower",
            export_build_seconds=round(export.seconds, 2),
            **encode,
            vs_lameenc_ratio=round(export.seconds / encode["lameenc_seconds"], 2),
        ),
        "pyttsx3_overhead_ratio": _result(
            full.seconds / raw_seconds,
            "x",
            4.0,
            "lower",
            raw_seconds=round(raw_seconds, 1),
            build_seconds=round(full.seconds, 1),
            audio_minutes=round(audio / 60, 1),
            turns=len(turns),
            phases_seconds={k: round(v, 1) for k, v in _phases(full).items()},
        ),
        "export_realtime_factor": _result(
            audio / export.seconds,
            "x real time",
            300.0,
            "higher",
            export_build_seconds=round(export.seconds, 2),
            audio_minutes=round(audio / 60, 1),
            workers=os.cpu_count(),
        ),
    }


# --- machine and report ----------------------------------------------------------------------


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    import psutil

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    espeak = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 1e9, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": {
            name: _version(name)
            for name in (
                "audiolesson",
                "piper-tts",
                "onnxruntime",
                "praat-parselmouth",
                "lameenc",
                "numpy",
                "scipy",
                "pyttsx3",
                "ray",
            )
        },
        "espeak-ng": " ".join(espeak.stdout.split()[3:4]) or "not installed",
        "load_average_15min": round(os.getloadavg()[2], 2),
    }


LABELS = {
    "piper_overhead_ratio": "Build vs raw Piper, {lesson} lesson (ratio)",
    "pyttsx3_overhead_ratio": "Build (pyttsx3) vs raw espeak-ng, {lesson} lesson (ratio)",
    "export_realtime_factor": "Export alone (all clips cached), {lesson} lesson (x real time)",
    "export_vs_one_encode_ratio": "Export alone vs one single-thread LAME encode of its PCM "
    "(ffmpeg, ratio)",
    "rebuild_nothing_changed_seconds": "Nothing-changed rebuild, {lessons} lessons",
    "piper_edit_fraction": "One-turn edit, {lesson} lesson (share of full build)",
    "book_edit_rebuild_seconds": "One-turn edit, {book} book (tone voices)",
    "book_rebuild_unchanged_seconds": "Nothing-changed rebuild, {book} book (median)",
    "book_peak_rss_mb": "Peak RSS, {book} book build (process + workers)",
    "book_peak_pss_mb": "Peak PSS, {book} book build (process + workers, shared pages once)",
    "help_seconds": "`audiolesson --help` start-up (median)",
    "book_full_build_seconds": "Full build, {book} book (tone voices; no target)",
    "sentence_edit_rebuild_seconds": "One-word edit in a {paragraph}-word paragraph (Piper; no "
    "target)",
    "ray_catalogue_ratio": "Build of {ray_lessons} short lessons (tone), Ray / local (no target)",
    "ray_task_roundtrip_ms": "Ray actor call round trip, one at a time (no target)",
}


NOTES = [
    "How to read it:",
    "",
    "- Times are wall-clock seconds of `audiolesson build` run as a subprocess, start to exit.",
    "- Raw Piper is `PiperVoice.load` + `PiperVoice.synthesize` over the same turns (same text,",
    "  same length scale per voice) in one process with onnxruntime's default threads (every",
    "  core), its audio kept in memory; the build runs one worker per core with one thread each,",
    "  applies the Praat pitch/formant shifts of the default cast, masters, encodes and tags.",
    "  Raw espeak-ng is one `espeak-ng -s 200 -w` per turn, as many at once as there are cores.",
    "- The one encode is ffmpeg's libmp3lame (LAME's defaults, one thread) encoding the export's",
    "  PCM (decoded from its MP3) at the same bitrate; `vs_lameenc_ratio` holds the export to",
    "  lameenc at the build's own quality in one thread, the stricter yardstick.",
    "- `load_average` gives the 1, 5 and 15-minute load averages as each measure began and ended.",
    "- `synthesis_split_seconds` divides the synthesis phase by the engine/shift ratio measured",
    "  on a sample of turns in one thread; phases come from the build's `--json` event times.",
    "- The audiobook uses the deterministic `tone` engine: it measures the pipeline (parse, cast,",
    "  cache, mix, loudness, encoding, tags), not the engine. Peak RSS is the larger of the",
    "  build process plus its workers polled every 20 ms (`polled_tree_mb`) and the kernel's",
    "  peak for one process (`largest_process_mb`, which polling can miss). RSS counts a page a",
    "  forked worker still shares with the build process in both; PSS (polled from",
    "  /proc/<pid>/smaps_rollup) shares each such page out, so its sum is the tree's memory.",
    "  A Piper worker alone holds about 450 MB (the onnxruntime session), so a Piper",
    "  build of any length peaks at about 1 GB with two workers.",
]


def _fmt(m: dict[str, Any], key: str = "value") -> str:
    value = m[key]
    if m["unit"] == "of full build":
        return f"{value * 100:.1f}%"
    if m["unit"] == "x":
        return f"{value:.2f}x"
    return f"{value:.3g} {m['unit']}" if value < 100 else f"{value:.0f} {m['unit']}"


def _target(m: dict[str, Any]) -> str:
    if m["target"] is None:
        return "-"
    if m["unit"] == "of full build":
        return f"< {m['target'] * 100:.0f}%"
    if m["unit"] == "x":
        return f"<= {m['target']:.2f}x"
    if m.get("better") == "higher":
        return f">= {m['target']:g} {m['unit']}"
    return f"< {m['target']:g} {m['unit']}"


def markdown(results: dict[str, Any]) -> str:
    """BENCHMARKS.md: the machine, the table, the details."""
    s = results["sizes"]
    names = {
        "lesson": f"{s['lesson_minutes']:g}-minute",
        "lessons": s["lessons"],
        "book": f"{s['book_hours']:g}-hour",
        "paragraph": PARAGRAPH_WORDS,
        "ray_lessons": s.get("ray_lessons", 200),
    }
    m = results["machine"]
    pk = ", ".join(f"{k} {v}" for k, v in m["packages"].items())
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `python benchmarks/run.py{' --quick' if results['mode'] == 'quick' else ''}`"
        f" on {results['date']} ({results['mode']} sizes). Machine: {m['cpu']}, {m['cores']} "
        f"cores, {m['ram_gb']} GB RAM, {m['os']}, Python {m['python']}; {pk}; espeak-ng "
        f"{m['espeak-ng']}. Load average over the last 15 minutes of the run: "
        f"{m.get('load_average_15min', '?')} (above {m['cores']} means other work shared the "
        "cores).",
        "",
        "| Measure | Target | Result | |",
        "|---|---|---|---|",
    ]
    for key, label in LABELS.items():
        if key not in results["measures"]:
            continue
        r = results["measures"][key]
        verdict = {True: "pass", False: "**miss**", None: ""}[r["pass"]]
        lines.append(f"| {label.format(**names)} | {_target(r)} | {_fmt(r)} | {verdict} |")
    for name, reason in results.get("failed", {}).items():
        lines += ["", f"Not measured: `{name}`, the build failed: {reason}"]
    lines += ["", *NOTES, "", "Details (JSON: `benchmarks/results.json`):", ""]
    for key, r in results["measures"].items():
        extra = {k: v for k, v in r.items() if k not in ("value", "unit", "target", "pass")}
        lines.append(f"- `{key}`: {json.dumps(extra)}")
    return "\n".join(lines) + "\n"


def compare(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """Lines comparing this run with a previous results JSON."""
    if not old:
        return ["no previous results to compare with"]
    lines = [f"compared with {old.get('date')} ({old.get('mode')} sizes):"]
    if old.get("mode") != new["mode"]:
        lines.append("  (different sizes: the numbers are not comparable one to one)")
    for key, r in new["measures"].items():
        before = old.get("measures", {}).get(key)
        if not before:
            lines.append(f"  {key:34} {_fmt(r):>14}   (new)")
            continue
        change = (r["value"] - before["value"]) / before["value"] * 100 if before["value"] else 0
        lines.append(f"  {key:34} {_fmt(before):>14} -> {_fmt(r):>14}  {change:+.0f}%")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the table and the comparison; write the report files."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small inputs (CI-sized run)")
    parser.add_argument("--out", type=Path, help="write the Markdown report here")
    parser.add_argument("--json", type=Path, help="results JSON to compare with and write")
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(MEASURES)}")
    parser.add_argument("--work", type=Path, help="keep the generated projects in this folder")
    parser.add_argument(
        "--render", action="store_true", help="only rewrite --out from the --json results"
    )
    args = parser.parse_args(argv)
    only = args.only.split(",") if args.only else list(MEASURES)
    unknown = set(only) - set(MEASURES)
    if unknown:
        parser.error(f"unknown measure {sorted(unknown)}; choose from: {', '.join(MEASURES)}")
    sizes = QUICK if args.quick else FULL
    if args.json is None and not args.quick:
        args.json = HERE / "results.json"
    if args.out is None and not args.quick:
        args.out = REPO / "BENCHMARKS.md"
    previous_path = args.json or HERE / "results.json"
    previous = json.loads(previous_path.read_text()) if previous_path.is_file() else None
    if args.render:
        if previous is None or args.out is None:
            parser.error("--render needs an existing --json file and --out")
        _write(args.out, markdown(previous) + _hand_sections(args.out))
        return 0

    work = args.work or Path(tempfile.mkdtemp(prefix="audiolesson-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    mode = "quick" if args.quick else "full"
    measures: dict[str, dict] = {}
    failed_before: dict[str, str] = {}
    if args.only and previous and previous.get("mode") == mode:
        # measures not run now keep their earlier numbers, marked with the run they came from
        for key, value in previous.get("measures", {}).items():
            measures[key] = {"measured": previous["date"], **value}
        failed_before = {k: v for k, v in previous.get("failed", {}).items() if k not in only}
    results = {
        "date": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "mode": mode,
        "sizes": vars(sizes),
        "machine": machine(),
        "measures": measures,
        "failed": failed_before,
    }
    failed = []
    try:
        for name in only:
            started = time.perf_counter()
            # 1, 5 and 15-minute load averages as the measure starts and ends: a "before" above
            # 0.5 or so means other work was on the machine
            load_before = [round(x, 2) for x in os.getloadavg()]
            print(f"measuring {name} ...", file=sys.stderr, flush=True)
            try:
                if name == "help":
                    new = measure_help(sizes)
                else:
                    new = globals()[f"measure_{name}"](sizes, work)
            except Exception as exc:  # one broken measure must not lose the others
                traceback.print_exc()
                failed.append(name)
                reason = " ".join(str(exc).split("\n", 1)[-1].split())[:300]
                results["failed"][name] = reason
                continue
            load = {"before": load_before, "after": [round(x, 2) for x in os.getloadavg()]}
            measures.update(
                {
                    k: {"measured": results["date"], **v, "load_average": load}
                    for k, v in new.items()
                }
            )
            print(f"  {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
            if args.json:  # saved after every measure: a later failure loses nothing
                _write(args.json, json.dumps(results, indent=2) + "\n")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    results["machine"]["load_average_15min"] = round(os.getloadavg()[2], 2)
    results["benchmark_cpu_seconds"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_utime, 1)
    report = markdown(results)
    print(report)
    print("\n".join(compare(previous, results)))
    if args.json:
        _write(args.json, json.dumps(results, indent=2) + "\n")
    if args.out:
        _write(args.out, report + _hand_sections(args.out))
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def _hand_sections(path: Path) -> str:
    """The `## ` sections at the end of an existing report: written by hand, kept as they are.

    The generated report has no `## ` heading, so everything from the first one on is a person's.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    at = text.find("\n## ")
    return "" if at < 0 else "\n" + text[at + 1 :].rstrip("\n") + "\n"


def _write(path: Path, text: str) -> None:
    """Write a file atomically (temp file in the same folder, then rename)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


if __name__ == "__main__":
    sys.exit(main())
