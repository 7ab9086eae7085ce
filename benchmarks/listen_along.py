"""Listen along (issue 25): how close the word times are, and what timing costs a build.

    python benchmarks/listen_along.py [--runs 2] [--base DIR] [--json out.json]

Accuracy: the shipped scripts (scripts/*.md) are built in a throw-away copy of the project; each
episode's word starts (output/NAME.transcript.json: Piper's phoneme durations) are compared with
Whisper's word timestamps (faster-whisper, tiny.en, the whole episode heard as `verify` hears it,
words matched by their text with difflib): an independent reference, with its own error. That
error is measured too, where the audio itself says when a word starts: for each word that follows
a pause of 0.25 s or more, its onset is the first 10 ms frame louder than -35 dB of the episode's
peak after 150 ms of quiet, looked for from 0.6 s before the word's start (by our times) to 0.5 s
after it (pauses under music are left out), and both Piper's times and Whisper's are compared
with it.

Cost: clean builds of the same scripts (a fresh project cache each, the user cache warm) with this
code and with `--base DIR`, a checkout of the code before word timings (run with PYTHONPATH=DIR),
timed from outside as `audiolesson build` subprocesses, `--runs` times each, alternating.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PAUSE = 0.25  #: seconds of silence before a word whose onset the audio shows
ONSET_DB = -35.0
QUIET = 15  #: 10 ms frames of quiet an onset must follow
REACH = 0.6  #: seconds before a word's start (by our times) that its onset is looked for from


def project(where: Path) -> Path:
    """A copy of the repository's project: scripts, voices, sounds."""
    root = where / "project"
    root.mkdir(parents=True)
    for name in ("scripts", "voices", "sounds"):
        shutil.copytree(REPO / name, root / name)
    return root


def timed_build(root: Path, base: Path | None) -> tuple[float, float]:
    """Wall and CPU seconds (the build and its workers) of a clean `audiolesson build` (the
    project cache and output/ removed first). CPU time is what the comparison uses: other
    work on the machine changes the wall time far more than the build does."""
    for name in (".audiolesson", "output"):
        shutil.rmtree(root / name, ignore_errors=True)
    env = dict(os.environ)
    if base is not None:
        env["PYTHONPATH"] = str(base)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "audiolesson", "build", "--quiet"],
        cwd=root,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return round(wall, 2), round(cpu, 2)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (linear interpolation, as numpy's default)."""
    import numpy as np

    return float(np.percentile(values, q))


def onsets(samples, rate: int, words: list[dict]) -> dict[int, float]:  # noqa: ANN001
    """Word index -> the audio's onset, for words after a pause: the first 10 ms frame louder
    than ONSET_DB (of the episode's peak) that follows QUIET frames of true quiet, between the
    end of the word before and half a second after the word's start. A pause that is not quiet
    (a music bed, a sound) gives no onset: the word is left out."""
    import numpy as np

    hop = rate // 100
    frames = len(samples) // hop
    level = np.sqrt((samples[: frames * hop].reshape(frames, hop) ** 2).mean(axis=1))
    loud = level > level.max() * 10 ** (ONSET_DB / 20)
    found = {}
    for i in range(1, len(words)):
        before, here = words[i - 1], words[i]
        if here["startTime"] - before["endTime"] < PAUSE:
            continue
        # the last REACH seconds of the pause: a chime or a sound earlier in it is no onset
        a = max(int(before["endTime"] * 100) + QUIET, int((here["startTime"] - REACH) * 100))
        b = min(frames, int((here["startTime"] + 0.5) * 100))
        hit = next((f for f in range(a, b) if loud[f] and not loud[f - QUIET : f].any()), None)
        if hit is not None:
            found[i] = hit / 100
    return found


def accuracy(root: Path) -> dict[str, object]:
    """Word-start gaps: ours against Whisper, and both against the audio's onsets."""
    from audiolesson.speech import normal_word
    from audiolesson.verify.hearing import RATE, Listener, decode

    listener = Listener(threads=2)
    gaps, ours_onset, whisper_onset = [], [], []
    words_total = matched_total = 0
    for words_file in sorted((root / "output").glob("*.transcript.json")):
        mp3 = words_file.with_name(words_file.name.replace(".transcript.json", ".mp3"))
        words = [s for s in json.loads(words_file.read_text())["segments"] if "speaker" in s]
        samples = decode(mp3)
        heard = listener.words(samples)
        matcher = difflib.SequenceMatcher(
            None, [normal_word(s["body"]) for s in words], [normal_word(w) for *_, w in heard],
            autojunk=False,
        )  # fmt: skip
        pairs = [(a + k, b + k) for a, b, n in matcher.get_matching_blocks() for k in range(n)]
        gaps += [abs(words[i]["startTime"] - heard[j][0]) for i, j in pairs]
        whisper_of = dict(pairs)
        for i, onset in onsets(samples, RATE, words).items():
            ours_onset.append(abs(words[i]["startTime"] - onset))
            if i in whisper_of:
                whisper_onset.append(abs(heard[whisper_of[i]][0] - onset))
        words_total += len(words)
        matched_total += len(pairs)

    def summary(values: list[float]) -> dict[str, float]:
        return {
            "n": len(values),
            "median": round(statistics.median(values), 3),
            "p95": round(percentile(values, 95), 3),
            "mean": round(statistics.fmean(values), 3),
        }

    return {
        "words": words_total,
        "matched": matched_total,
        "ours_vs_whisper": summary(gaps),
        "ours_vs_onset": summary(ours_onset),
        "whisper_vs_onset": summary(whisper_onset),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2, help="clean builds per variant")
    parser.add_argument("--base", type=Path, help="a checkout of the code without word timings")
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="listen-along-") as tmp:
        root = project(Path(tmp))
        loads = [os.getloadavg()[0]]
        timed_build(root, None)  # warm the user cache (the seeded models) and the disk
        results: dict[str, object] = {"accuracy": accuracy(root)}
        if args.base is not None:
            with_timing, without = [], []
            timed_build(root, args.base)  # its own seeded model, warmed too
            for _ in range(args.runs):
                without.append(timed_build(root, args.base))
                loads.append(os.getloadavg()[0])
                with_timing.append(timed_build(root, None))
                loads.append(os.getloadavg()[0])
            for name, runs in (("with", with_timing), ("without", without)):
                results[f"build_{name}"] = {
                    "wall": [w for w, _ in runs],
                    "cpu": [c for _, c in runs],
                }
            cpu = statistics.median(c for _, c in with_timing) / statistics.median(
                c for _, c in without
            )
            wall = statistics.median(w for w, _ in with_timing) / statistics.median(
                w for w, _ in without
            )
            results["timing_cost"] = {"cpu": f"{cpu - 1:+.1%}", "wall": f"{wall - 1:+.1%}"}
        results["load_average"] = [round(x, 2) for x in loads]
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
