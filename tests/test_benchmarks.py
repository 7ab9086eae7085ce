"""The benchmark's inputs are deterministic real scripts, and `benchmarks/run.py --quick` runs."""

from __future__ import annotations

import importlib.util
import json
import re
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
        "book_peak_pss_mb",
        "book_full_build_seconds",
        "book_edit_rebuild_seconds",
        "book_rebuild_unchanged_seconds",
    }
    assert all(m["value"] > 0 for m in measures.values())
    # the rebuild really found nothing to do, and the edit re-encoded one chapter of two
    assert measures["rebuild_nothing_changed_seconds"]["episodes_unchanged"] == 10
    assert measures["book_edit_rebuild_seconds"]["turns_synthesized"] == 1
    assert measures["book_edit_rebuild_seconds"]["chapters_encoded"] == 1
    assert measures["book_rebuild_unchanged_seconds"]["episodes_unchanged"] == 1
    assert measures["book_peak_rss_mb"]["audio_hours"] > 0.03
    # PSS shares out what the workers share with the build: never more than the RSS sum
    assert 0 < measures["book_peak_pss_mb"]["value"] <= measures["book_peak_rss_mb"]["value"]
    assert all(len(m["load_average"]["before"]) == 3 for m in measures.values())
    text = report.read_text()
    assert "| Peak RSS, 0.05-hour book build (process + workers) | < 300 MB |" in text
    assert data["machine"]["packages"]["piper-tts"] in text


def test_paragraph_is_one_long_turn_and_an_edit_adds_one_word_to_one_sentence() -> None:
    text = generate.paragraph(500)
    assert text == generate.paragraph(500)
    script = parse(text, "paragraph.md")
    assert len(script.turns) == 1 and script.warnings == []
    before = script.turns[0].text
    assert 500 <= len(before.split()) <= 530
    after = parse(generate.edit_one_word(text, 17), "paragraph.md").turns[0].text
    old, new = (re.split(r"(?<=[.!?]) ", t) for t in (before, after))
    assert len(old) == len(new) > 20
    changed = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
    assert changed == [17]
    assert len(new[17].split()) == len(old[17].split()) + 1


def test_rewriting_the_report_keeps_its_hand_written_sections(tmp_path: Path) -> None:
    results, report = tmp_path / "results.json", tmp_path / "BENCH.md"
    machine = {"cpu": "cpu", "cores": 2, "ram_gb": 1, "os": "os", "python": "3", "espeak-ng": "1"}
    results.write_text(
        json.dumps(
            {
                "date": "2000-01-01T00:00:00+00:00",
                "mode": "full",
                "sizes": {"lesson_minutes": 60, "book_hours": 10, "lessons": 100},
                "machine": {**machine, "packages": {"ray": "2"}},
                "measures": {
                    "help_seconds": {"value": 0.1, "unit": "s", "target": 0.3, "pass": True}
                },
            }
        )
    )
    hand = "## Measured by hand\n\nA table a person wrote.\n\n## Another\n\nMore.\n"
    report.write_text("# Benchmarks\n\nan old generated table\n\n" + hand)
    for _ in range(2):  # twice: the sections are neither lost nor doubled
        command = [sys.executable, str(BENCH / "run.py"), "--render"]
        command += ["--json", str(results), "--out", str(report)]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        text = report.read_text()
        assert "an old generated table" not in text
        assert "| `audiolesson --help` start-up (median) | < 0.3 s | 0.1 s | pass |" in text
        assert text.endswith("\n\n" + hand) and text.count("## Measured by hand") == 1
