"""Measure `audiolesson verify`: a sample of the spoken-form corpus built and heard back.

    python tools/measure_verify.py               # every 8th corpus sentence
    python tools/measure_verify.py --every 4 --json
    python tools/measure_verify.py --heldout --every 1   # every held-out sentence instead

Builds the sample as one script per language in a temporary project (default Piper voice, the
script's `language` set from the rows'), runs
`audiolesson verify --json` on it, and reports: the word error of what Whisper tiny.en heard
against the corpus's hand-written spoken form (mean, worst, sentences over 20%), the turns verify
flags, and listening speed in seconds per minute of audio. Then the same for the shipped scripts
(they must pass: exit status 0). Numbers go to BENCHMARKS.md by hand.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "speech" / "corpus.tsv"
HELDOUT = sorted((ROOT / "tests" / "data" / "speech").glob("heldout*.tsv"))


def rows(every: int, paths: list[Path]) -> list[dict[str, str]]:
    """Every `every`-th row of the files (subject, categories, language, written, spoken)."""
    table: list[dict[str, str]] = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
        table += csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    return table[::every]


def audiolesson(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a project folder."""
    command = [sys.executable, "-m", "audiolesson", *args]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)


def sample_project(folder: Path, sample: list[dict[str, str]]) -> Path:
    """A project with a script per language: each sample sentence is a turn of the one reader."""
    (folder / "scripts").mkdir(parents=True)
    for language in sorted({row["language"] for row in sample}):
        said = [row for row in sample if row["language"] == language]
        turns = "\n\n".join(f"Reader: {row['written']}" for row in said)
        script = (
            f"---\ntitle: Corpus sample {language}\nlanguage: {language}\n"
            f"cast:\n  Reader: narrator\n---\n\n# Sample\n\n{turns}\n"
        )
        (folder / "scripts" / f"sample-{language}.md").write_text(script, encoding="utf-8")
    return folder


def verified(root: Path) -> tuple[int, list[dict], float]:
    """Exit status, the episodes verify reports, and wall time."""
    started = time.perf_counter()
    done = audiolesson(root, "verify", "--json")
    if not done.stdout.strip():
        sys.exit(f"verify failed in {root}: {done.stderr.strip()}")
    return done.returncode, json.loads(done.stdout), time.perf_counter() - started


def main() -> None:
    """Build, verify, print the numbers."""
    from audiolesson.verify import compare

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=8, help="take every N-th corpus row")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON too")
    parser.add_argument("--heldout", action="store_true", help="the held-out files, not the corpus")
    args = parser.parse_args()
    sample = rows(args.every, HELDOUT if args.heldout else [CORPUS])
    numbers: dict[str, object] = {"sentences": len(sample)}
    with tempfile.TemporaryDirectory() as tmp:
        root = sample_project(Path(tmp) / "sample", sample)
        build = audiolesson(root, "build", "--quiet")
        if build.returncode:
            sys.exit(build.stderr)
        status, episodes, wall = verified(root)
        turns = [t for episode in episodes for t in episode["all_turns"]]
        by_line = {t["written"]: t for t in turns}
        errors = []
        for row in sample:
            turn = by_line.get(" ".join(row["written"].split()))
            if turn is not None:  # both sides read with the row's own conventions
                wer = compare(row["spoken"], turn["heard"], row["language"]).wer
                errors.append((wer, row, turn["heard"]))
        wers = [e for e, *_ in errors]
        minutes = sum(e["audio_seconds"] for e in episodes) / 60
        numbers |= {
            "heard_turns": len(turns),
            "mean_wer_vs_hand_spoken": round(sum(wers) / len(wers), 4),
            "worst_wer": round(max(wers), 4),
            "over_20_percent": sum(w > 0.2 for w in wers),
            "flagged_by_verify": sum(len(e["flagged"]) for e in episodes),
            "audio_minutes": round(minutes, 2),
            "seconds_per_audio_minute": round(sum(e["seconds"] for e in episodes) / minutes, 2),
            "verify_wall_seconds": round(wall, 1),
        }
        for wer, row, heard in sorted(errors, key=lambda e: -e[0])[:8]:
            print(f"{wer:5.0%}  {row['written']!r}\n       heard {heard!r}")
        shipped = Path(tmp) / "shipped"
        shutil.copytree(ROOT / "scripts", shipped / "scripts")
        shutil.copytree(ROOT / "voices", shipped / "voices")
        if audiolesson(shipped, "build", "--quiet").returncode:
            sys.exit("the shipped scripts do not build")
        status, episodes, wall = verified(shipped)
        minutes = sum(e["audio_seconds"] for e in episodes) / 60
        numbers |= {
            "shipped_exit_status": status,
            "shipped_turns": sum(e["turns"] for e in episodes),
            "shipped_flagged": sum(len(e["flagged"]) for e in episodes),
            "shipped_mean_wer": round(
                sum(e["mean_wer"] * e["turns"] for e in episodes)
                / sum(e["turns"] for e in episodes),
                4,
            ),
            "shipped_seconds_per_audio_minute": round(
                sum(e["seconds"] for e in episodes) / minutes, 2
            ),
        }
    for key, value in numbers.items():
        print(f"{key}: {value}")
    if args.json:
        print(json.dumps(numbers))


if __name__ == "__main__":
    main()
