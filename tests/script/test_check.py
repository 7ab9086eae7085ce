"""`audiolesson check`: summaries, warnings, --strict, --json and one-line errors."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from _cli import Ran, in_process

from audiolesson.script import parse
from audiolesson.script.check import check_scripts, estimate_seconds, summarize

DATA = Path(__file__).parents[1] / "data" / "script"
EXAMPLE = Path(__file__).parents[2] / "scripts" / "example.md"


def run(cwd: Path, *args: str) -> Ran:
    """`audiolesson check *args` in-process (tests/test_bad_inputs.py runs it as a process too)."""
    return in_process(cwd, "check", *args)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    for name in ("lesson.md", "warned.md"):
        shutil.copy(DATA / name, scripts / name)
    return tmp_path


# --- library -------------------------------------------------------------------------------------


def test_summary_counts_and_estimate():
    script = parse((DATA / "lesson.md").read_text(encoding="utf-8"), "lesson.md")
    summary = summarize(script)
    assert summary.chapters == 3
    assert summary.turns == 5
    assert summary.speakers == ["Teacher", "Ada"]
    assert summary.words == sum(len(t.text.split()) for t in script.turns) == 52
    # written words at 150 wpm + a chapter and a sub-chapter + a speaker change + the [pause 1s]
    # (instead of the speaker change it stands for, as the build lays it out) + the end pause
    expected = 52 * 60 / 150 + 2.0 + 1.2 + 0.6 + 1.0 + 1.0
    assert estimate_seconds(script) == pytest.approx(expected)
    assert summary.line() == f"3 chapters, 5 turns, 2 speakers, 52 words, ~{expected / 60:.1f} min"


def test_front_matter_pauses_change_the_estimate():
    base = parse("Teacher: one two\nAda: three\n", "a.md")
    slower = parse(
        "---\npauses:\n  speaker_change: 10s\n---\nTeacher: one two\nAda: three\n", "a.md"
    )
    assert estimate_seconds(slower) - estimate_seconds(base) == pytest.approx(10 - 0.6)


def test_check_scripts_defaults_to_the_project_scripts(project: Path):
    results = check_scripts(None, project)
    assert [Path(r.path).name for r in results] == ["lesson.md", "warned.md"]
    assert [r.failed() for r in results] == [False, False]
    assert [r.failed(strict=True) for r in results] == [False, True]


# --- CLI -----------------------------------------------------------------------------------------


def test_cli_summarises_every_script_and_prints_warnings(project: Path):
    done = run(project)
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0].startswith("scripts/lesson.md: 3 chapters, 5 turns, 2 speakers, 52 words, ~")
    assert out[1].startswith("scripts/warned.md: 2 chapters, 2 turns, 1 speaker, 8 words, ~")
    warnings = done.stderr.splitlines()
    assert warnings == [
        line
        for line in warnings
        if re.match(r"scripts/warned\.md:\d+: warning: ", line)  # every line has path:line
    ]
    lines = {int(w.split(":")[1]) for w in warnings}
    assert lines == {5, 6, 11, 13}  # unused Ghost, unknown key, Note: not in cast, empty chapter


def test_cli_strict_turns_warnings_into_errors(project: Path):
    done = run(project, "--strict", "scripts/warned.md")
    assert done.returncode == 1
    assert all(line.startswith("error: scripts/warned.md:") for line in done.stderr.splitlines())
    assert len(done.stderr.splitlines()) == 4
    assert run(project, "--strict", "scripts/lesson.md").returncode == 0


def test_cli_json_gives_the_parsed_structure(project: Path):
    done = run(project, "--json", "scripts/lesson.md")
    assert done.returncode == 0, done.stderr
    [doc] = json.loads(done.stdout)
    assert doc["path"] == "scripts/lesson.md" and doc["error"] is None
    assert doc["meta"]["title"] == "Echoes" and doc["meta"]["episode"] == "2"
    assert doc["meta"]["cast"] == {"Teacher": "teacher", "Ada": "student-1"}
    assert [(c["title"], c["level"], c["line"]) for c in doc["chapters"]] == [
        ("Echoes", 1, 10),
        ("Why echoes happen", 1, 12),
        ("Numbers", 2, 23),
    ]
    items = doc["chapters"][1]["items"]
    assert items[0] == {
        "type": "turn",
        "speaker": "Teacher",
        "text": "When sound hits a hard wall, it bounces back. That returning sound is an echo.",
        "spoken": "When sound hits a hard wall, it bounces back. That returning sound is an echo.",
        "line": 14,
    }
    assert items[2] == {"type": "pause", "seconds": 1.0, "line": 19}
    last = doc["chapters"][2]["items"][0]
    assert last["text"].endswith("20 Hz upwards.")
    assert last["spoken"].endswith("twenty hertz upwards.")  # as the build will say it
    assert doc["summary"]["turns"] == 5 and doc["warnings"] == []


def test_cli_checks_the_shipped_example_without_warnings(tmp_path: Path):
    shutil.copy(EXAMPLE, tmp_path / "example.md")
    shutil.copytree(EXAMPLE.parent.parent / "voices", tmp_path / "voices")  # its students' voices
    done = run(tmp_path, "--strict", "--json", "example.md")
    assert done.returncode == 0, done.stderr
    [doc] = json.loads(done.stdout)
    levels = [c["level"] for c in doc["chapters"]]
    kinds = {i["type"] for c in doc["chapters"] for i in c["items"]}
    speakers = {i.get("speaker") for c in doc["chapters"] for i in c["items"]}
    assert 2 in levels and kinds == {"turn", "pause", "your_turn"}  # every kind of item
    assert doc["summary"]["practice"] == len(doc["cards"]) == 1
    assert {"Teacher", "Maya", "Leo", None} <= speakers


BAD_INPUTS = {
    "binary": (b"GIF89a\x00\x01\x02", 1, "binary file"),
    "invalid-utf8": (b"Teacher: ok\nStudent: caf\xe9\n", 2, "invalid UTF-8"),
    "unclosed-front-matter": (b"---\ntitle: T\n\nTeacher: hi\n", 1, "never closed"),
    "front-matter-not-mapping": (b"---\n- just\n- a list\n---\nHi.\n", 2, "must be a mapping"),
    "cast-voice-not-string": (
        b"---\ncast:\n  Teacher: [a, b]\n---\nTeacher: hi\n",
        3,
        "cast voice",
    ),
    "heading-without-text": (b"Intro.\n\n#   \nText.\n", 3, "heading has no text"),
    "malformed-pause": (b"Teacher: hi\n\n[pause for a while]\n", 3, "malformed pause"),
    "alias-bomb": (b"---\na: &a [1, 1]\nb: [*a, *a]\n---\n", 3, "aliases"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_cli_bad_input_is_one_line_with_path_and_line(tmp_path: Path, case: str):
    data, line, words = BAD_INPUTS[case]
    (tmp_path / f"{case}.md").write_bytes(data)
    done = run(tmp_path, f"{case}.md")
    assert done.returncode == 1
    assert done.stdout == ""
    [message] = done.stderr.splitlines()
    assert message.startswith(f"error: {case}.md:{line}:"), message
    assert words in message
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("target", ["missing.md", "folder"])
def test_cli_unreadable_path_is_one_line(tmp_path: Path, target: str):
    (tmp_path / "folder").mkdir()
    done = run(tmp_path, target)
    assert done.returncode == 1
    [message] = done.stderr.splitlines()
    assert message.startswith(f"error: {target}: ")


def test_cli_reports_every_failing_script_and_still_summarises_the_good_ones(tmp_path: Path):
    (tmp_path / "a.md").write_bytes(b"[pause 0s]\n")
    shutil.copy(DATA / "lesson.md", tmp_path / "b.md")
    (tmp_path / "c.md").write_bytes(b"# \n")
    done = run(tmp_path, "a.md", "b.md", "c.md")
    assert done.returncode == 1
    assert [line.split(":")[0] for line in done.stderr.splitlines()] == ["error", "error"]
    assert [line.split(" ")[1].split(":")[0] for line in done.stderr.splitlines()] == [
        "a.md",
        "c.md",
    ]
    assert done.stdout.startswith("b.md: 3 chapters")


def test_cli_bom_and_crlf_give_the_same_json_as_lf(tmp_path: Path):
    plain = (DATA / "lesson.md").read_bytes()
    (tmp_path / "lf.md").write_bytes(plain)
    (tmp_path / "bom.md").write_bytes(b"\xef\xbb\xbf" + plain.replace(b"\n", b"\r\n"))
    docs = json.loads(run(tmp_path, "--json", "lf.md", "bom.md").stdout)
    for doc in docs:
        doc.pop("path")
    assert docs[0] == docs[1]


def test_cli_with_no_scripts_says_what_to_do(tmp_path: Path):
    done = run(tmp_path)
    assert done.returncode == 1
    [message] = done.stderr.splitlines()
    assert message.startswith("error: ") and "scripts" in message
