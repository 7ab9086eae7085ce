"""The bad-input corpus (tests/data/bad/cases.toml) through the CLI, and odd inputs that work.

Every malformed input gives exactly one line on stderr that names path:line where there is one,
exit status 1, no traceback, and writes nothing: no output/, no say.wav, no new scripts.

Each case runs in this process (the CLI's own main() under CliRunner: the same one-line error and
exit status, without half a second of start-up per command); a handful run again as real processes,
one through the installed console script, for what only a process shows.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _cli import audiolesson as run_cli
from _cli import in_process
from _probe import ffmpeg_decode, vtt_cues
from _project import PROJECT, copy_project

DATA = Path(__file__).parent / "data"
BAD = DATA / "bad"
CASES: list[dict[str, Any]] = tomllib.loads((BAD / "cases.toml").read_text("utf-8"))["case"]
#: run again as processes: an error in a script, in a setting, from the OS (a folder opened as a
#: file), a warning that still builds (its workers are real processes too), and a listing that
#: must print nothing at all on stderr (a stray log line or Python warning would show here)
IN_A_PROCESS = (
    "binary script",
    "audiolesson.toml with a syntax error",
    "a script that is a folder",
    "a chapter with no turns is a warning",
    "a broken voice file is listed, not fatal, by `voices`",
)


def one_megabyte_line(path: Path) -> None:
    """A valid script whose sixth line is 1 MiB of words."""
    word_line = ("word " * (1 << 20))[: 1 << 20]
    path.write_text(f"---\ntitle: Long line\n---\n\nTeacher: Hello.\n{word_line}\n", "utf-8")


def ten_megabyte_script(path: Path) -> None:
    """10 MB of short, valid turns: over the size limit, not over the line limit."""
    turn = "Teacher: A perfectly ordinary sentence that is spoken aloud.\n\n"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("---\ntitle: Huge\n---\n\n")
        fh.write(turn * (10_000_000 // len(turn) + 1))


def folder(path: Path) -> None:
    """A folder where a script should be."""
    path.mkdir()


def three_hundred_megabytes(path: Path) -> None:
    """A 300 MiB file that takes no disk space (sparse): a book too large to import."""
    with path.open("wb") as fh:
        fh.truncate(300 * 1024 * 1024)


def lesson(path: Path) -> None:
    """A copy of the fixture project's lesson (under another name)."""
    shutil.copyfile(PROJECT / "scripts" / "lesson.md", path)


def fifo(path: Path) -> None:
    """A named pipe where a file should be: opening it to read would wait for a writer."""
    os.mkfifo(path)


GENERATORS = {
    f.__name__: f
    for f in (one_megabyte_line, ten_megabyte_script, folder, three_hundred_megabytes, fifo, lesson)
}


def audiolesson(root: Path, *args: str, script: bool = False) -> Any:
    return run_cli(root, *args, timeout=120, script=script)


def make_project(root: Path, case: dict[str, Any]) -> Path:
    """The fixture project with the case's files put into it."""
    for dest, source in case.get("put", {}).items():
        target = root / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(BAD / source, target)
    for dest, generator in case.get("generate", {}).items():
        target = root / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        GENERATORS[generator](target)
    return root


def test_the_corpus_is_large_and_every_file_in_it_is_used() -> None:
    assert len(CASES) >= 40
    used = {source for case in CASES for source in case.get("put", {}).values()}
    files = {
        str(p.relative_to(BAD)) for p in BAD.rglob("*") if p.is_file() and p.name != "cases.toml"
    }
    assert files == used


def check_case(root: Path, case: dict[str, Any], run: Callable[..., Any]) -> None:
    """Run the case's commands with `run`; each must say exactly what the case says and, when it
    fails, leave the project as it was."""
    scripts_before = sorted(p.name for p in (root / "scripts").iterdir())
    status = case.get("status", 1)
    for args in case["run"]:
        proc = run(root, *args)
        where = f"audiolesson {' '.join(args)}"
        assert proc.returncode == status, (where, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, where
        stderr = proc.stderr.replace(f"{root}/", "")
        if case["stderr"]:
            assert stderr.count("\n") == 1 and stderr.endswith("\n"), (where, stderr)
            assert re.fullmatch(case["stderr"], stderr.rstrip("\n")), (where, stderr)
        else:
            assert stderr == "", (where, stderr)
        if "stdout" in case:
            assert re.search(case["stdout"], proc.stdout.replace(f"{root}/", "")), proc.stdout
        if status:
            output = root / "output"
            assert not output.exists() or not any(output.iterdir()), where
            assert not (root / "say.wav").exists(), where
            assert sorted(p.name for p in (root / "scripts").iterdir()) == scripts_before, where


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input(project: Path, case: dict[str, Any]) -> None:
    check_case(make_project(project, case), case, in_process)


def test_the_cases_run_in_a_process_exist() -> None:
    assert set(IN_A_PROCESS) <= {c["name"] for c in CASES}


@pytest.mark.parametrize(
    "case", [c for c in CASES if c["name"] in IN_A_PROCESS], ids=lambda c: c["name"]
)
def test_bad_input_in_a_real_process(project: Path, case: dict[str, Any]) -> None:
    check_case(make_project(project, case), case, audiolesson)


def test_bad_input_through_the_console_script(project: Path) -> None:
    """The `audiolesson` command pip installs (its entry point, not `python -m`) maps errors too."""
    [case] = [c for c in CASES if c["name"] == "binary script"]
    check_case(
        make_project(project, case), case, lambda root, *args: audiolesson(root, *args, script=True)
    )


# --- inputs that look odd but are fine --------------------------------------------------------

LESSON = (PROJECT / "scripts" / "lesson.md").read_text("utf-8")


def build_json(root: Path, *args: str) -> dict[str, Any]:
    proc = in_process(root, "build", "--json", *args)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def vtt_texts(vtt: Path) -> list[str]:
    """The text of each cue, read without the exporter's help."""
    return [cue.text for cue in vtt_cues(vtt)]


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture project built as it is, once for every variant."""
    root = copy_project(tmp_path_factory.mktemp("plain") / "project")
    build_json(root)
    return root


@pytest.mark.parametrize("variant", ["bom", "crlf", "cr", "tabs", "bom_crlf"])
def test_odd_but_valid_encodings_build_like_the_original(
    tmp_path: Path, plain: Path, variant: str
) -> None:
    odd = copy_project(tmp_path / "odd")
    text = LESSON
    if variant == "tabs":
        # tabs after the colon, and a tab-indented continuation line
        text = text.replace("Teacher: ", "Teacher:\t").replace("It goes on", "\tIt goes on")
    data = text.encode("utf-8")
    if "crlf" in variant:
        data = data.replace(b"\n", b"\r\n")
    if variant == "cr":
        data = data.replace(b"\n", b"\r")
    if "bom" in variant:
        data = b"\xef\xbb\xbf" + data
    (odd / "scripts" / "lesson.md").write_bytes(data)
    summary = build_json(odd)
    assert summary["episodes_written"] == 1 and summary["turns_total"] == 9
    assert vtt_texts(odd / "output" / "lesson.vtt") == vtt_texts(plain / "output" / "lesson.vtt")
    # the same clips: the odd file reuses nothing of the plain build's cache, so compare keys
    plain_clips = sorted(p.name for p in (plain / ".audiolesson").rglob("*.clip"))
    odd_clips = sorted(p.name for p in (odd / ".audiolesson").rglob("*.clip"))
    assert odd_clips == plain_clips


@pytest.mark.slow
def test_a_very_long_valid_script_builds(project: Path) -> None:
    """300 turns and a 2,500-character line: built, decoded, every cue in the transcript."""
    root = project
    long_line = " ".join(["long"] * 500)  # 2,499 characters: a long line, under the limit
    turns = [f"Teacher: Turn {i % 5}." for i in range(300)]
    body = "\n\n".join(turns[:150]) + "\n\n# Second half\n\n" + "\n\n".join(turns[150:])
    # the long line continues a turn (the tone engine speaks it in 2.5 minutes)
    text = f"---\ntitle: Long\n---\n\n# First half\n\nStudent 1: Hello.\n{long_line}\n\n{body}\n"
    (root / "scripts" / "lesson.md").write_text(text, "utf-8")
    summary = build_json(root, "--jobs", "2")
    assert summary["turns_total"] == 301 and summary["turns_synthesized"] == 6
    mp3 = root / "output" / "lesson.mp3"
    decode = ffmpeg_decode(mp3)
    assert decode.returncode == 0 and decode.stderr == ""
    cues = vtt_texts(root / "output" / "lesson.vtt")
    assert len(cues) == 301 and cues[0] == "Hello. " + long_line


def test_control_characters_reach_neither_the_transcript_nor_the_terminal(project: Path) -> None:
    """ESC and BEL in a turn (issue 24, item 14): gone from the VTT and from `check --spoken`."""
    shutil.copyfile(BAD / "scripts" / "control_characters.md", project / "scripts" / "lesson.md")
    spoken = in_process(project, "check", "--spoken")
    assert spoken.returncode == 0, spoken.stderr
    build_json(project)
    vtt = (project / "output" / "lesson.vtt").read_text("utf-8")
    for text in (spoken.stdout, spoken.stderr, vtt):
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", text), repr(text)
    assert vtt_texts(project / "output" / "lesson.vtt") == ["Hello [31mred[0m there.", "Hi."]
