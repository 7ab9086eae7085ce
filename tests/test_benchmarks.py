"""The benchmark's inputs are deterministic real scripts, and `benchmarks/run.py --quick` runs."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from audiolesson.script import parse

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def _generate():
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate = _generate()


def test_generators_are_deterministic_and_seeded() -> None:
    assert generate.lesson(5) == generate.lesson(5)
    assert generate.audiobook(0.2, chapters=3) == generate.audiobook(0.2, chapters=3)
    assert generate.lesson(5, seed=1) != generate.lesson(5, seed=2)


def test_lesson_is_a_clean_script_of_the_asked_length() -> None:
    script = parse(generate.lesson(60), "lesson.md")
    words = sum(len(t.text.split()) for t in script.turns)
    speakers = {t.speaker for t in script.turns}
    assert speakers == {"Teacher", "Student 1", "Student 2", "Student 3", "Student 4"}
    assert 60 * 60 * 2.5 <= words <= 60 * 60 * 2.5 * 1.05
    assert len(script.chapters) == 8
    assert script.warnings == []


def test_audiobook_is_narration_in_chapters() -> None:
    script = parse(generate.audiobook(1, chapters=6), "book.md")
    assert len(script.chapters) == 6
    assert {t.speaker for t in script.turns} == {None}
    assert sum(len(t.text.split()) for t in script.turns) >= 3600 * 2.5
    assert script.warnings == []


def test_edit_changes_exactly_one_turn() -> None:
    text = generate.lesson(10)
    before = [t.text for t in parse(text, "a.md").turns]
    after = [t.text for t in parse(generate.edit_one_turn(text), "a.md").turns]
    assert len(before) == len(after)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(changed) == 1
    assert abs(changed[0] - len(before) // 2) <= 1


@pytest.mark.slow
def test_quick_run_writes_report_json_and_compares(tmp_path: Path) -> None:
    results, report = tmp_path / "results.json", tmp_path / "BENCH.md"
    results.write_text(
        json.dumps(
            {
                "date": "2000-01-01T00:00:00+00:00",
                "mode": "quick",
                "measures": {
                    "help_seconds": {"value": 9.0, "unit": "s", "target": 0.3, "pass": False}
                },
            }
        )
    )
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--quick",
            "--only",
            "help,rebuild100,book",
            "--json",
            str(results),
            "--out",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "compared with 2000-01-01T00:00:00+00:00" in proc.stdout
    assert "help_seconds" in proc.stdout.split("compared with")[1]
    data = json.loads(results.read_text())
    assert data["mode"] == "quick"
    measures = data["measures"]
    assert set(measures) == {
        "help_seconds",
        "rebuild_nothing_changed_seconds",
        "book_peak_rss_mb",
        "book_full_build_seconds",
        "book_edit_rebuild_seconds",
    }
    assert all(m["value"] > 0 for m in measures.values())
    # the rebuild really found nothing to do, and the edit re-encoded one chapter of two
    assert measures["rebuild_nothing_changed_seconds"]["episodes_unchanged"] == 10
    assert measures["book_edit_rebuild_seconds"]["turns_synthesized"] == 1
    assert measures["book_edit_rebuild_seconds"]["chapters_encoded"] == 1
    assert measures["book_peak_rss_mb"]["audio_hours"] > 0.03
    text = report.read_text()
    assert "| Peak RSS, 0.05-hour book build (process + workers) | < 300 MB |" in text
    assert data["machine"]["packages"]["piper-tts"] in text


def test_writing_the_report_again_keeps_the_hand_written_sections(tmp_path: Path) -> None:
    results, report = tmp_path / "results.json", tmp_path / "BENCH.md"
    measure = {"value": 1.5, "unit": "s", "target": 2.0, "pass": True, "phases_seconds": {}}
    results.write_text(
        json.dumps(
            {
                "date": "2000-01-01T00:00:00+00:00",
                "mode": "full",
                "sizes": {"lesson_minutes": 60, "lessons": 100, "book_hours": 10},
                "machine": {
                    "cpu": "CPU", "cores": 2, "ram_gb": 1, "os": "OS", "python": "3",
                    "packages": {}, "espeak-ng": "1",
                },
                "measures": {"book_edit_rebuild_seconds": measure},
            }
        )
    )  # fmt: skip
    written = "## Spoken forms (by hand)\n\nA number.\n\n## M4B (by hand)\n\nAnother.\n"
    report.write_text("# Benchmarks\n\nAn old table.\n\n" + written)
    for _ in range(2):  # and again: the sections are kept once, not piled up
        proc = subprocess.run(
            [sys.executable, str(BENCH / "run.py"), "--render", "--json", str(results),
             "--out", str(report)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
    text = report.read_text()
    assert "An old table." not in text
    assert "| One-turn edit, 10-hour book (tone voices) | < 2 s | 1.5 s | pass |" in text
    assert text.endswith("\n\n" + written) and text.count("## ") == 2
