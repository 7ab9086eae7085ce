"""`audiolesson new`: a project that builds at once, every setting in its audiolesson.toml, and
never a word written over an existing project."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from pathlib import Path

import pytest
from _books import png
from _cli import Ran, audiolesson, in_process
from _probe import ffprobe

from audiolesson.config import BuildSettings, Config, FeedSettings, VoicesSettings, load_config
from audiolesson.scaffold import new_project, settings_file
from audiolesson.script.loader import load_script
from audiolesson.voices.cast import cast_script


def cli(cwd: Path, *args: str) -> Ran:
    """The CLI in-process: these checks are about what it prints and writes."""
    return in_process(cwd, *args)


def tree(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under folder: contents and modification time."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def uncomment(text: str, keep: object = lambda key, value: True) -> str:
    """The settings file with its `# key = value` lines switched on (where keep says so)."""
    out = []
    for line in text.splitlines():
        m = re.fullmatch(r"# (\w+) = (.+)", line)
        out.append(f"{m.group(1)} = {m.group(2)}" if m and keep(*m.groups()) else line)
    return "\n".join(out) + "\n"


def test_the_settings_file_names_every_setting_with_its_default(tmp_path: Path) -> None:
    text = settings_file()
    for cls in (BuildSettings, FeedSettings, VoicesSettings):
        for f in fields(cls):
            # each setting has its line, and above it the comment config.py gives it
            assert re.search(rf"^# [^\n]+\n# {f.name} = ", text, re.M), f.name
    # switched on, the defaults shown are the defaults in effect
    unset = {f.name for cls in (BuildSettings, FeedSettings, VoicesSettings) for f in fields(cls)
             if f.default is None}  # fmt: skip
    (tmp_path / "audiolesson.toml").write_text(uncomment(text, lambda key, value: key not in unset))
    assert load_config(tmp_path) == Config(root=tmp_path.resolve())
    # and the examples of unset settings are values the config accepts (the image it names, an
    # image: [feed] image must be a whole PNG or JPEG in the project)
    (tmp_path / "cover.png").write_bytes(png())
    (tmp_path / "audiolesson.toml").write_text(uncomment(text))
    config = load_config(tmp_path)
    assert config.feed.base_url == "https://example.org/lessons/"
    assert config.build.loudness == -19.0
    # each section shows its own setting's example, even where two share a name
    assert (config.feed.language, config.voices.language) == ("en", "en-GB")
    assert config.voices.mirror == "https://mirror.example.org/voices/"


def test_new_writes_a_project_that_checks_clean(tmp_path: Path) -> None:
    folder = tmp_path / "course"
    written = new_project(folder)
    assert [p.relative_to(folder).as_posix() for p in written] == [
        "scripts/welcome.md", "voices/guide.toml", "voices/lexicon.toml", "audiolesson.toml",
        ".gitignore",
    ]  # fmt: skip
    assert (folder / ".gitignore").read_text().splitlines()[-2:] == ["/output/", "/.audiolesson/"]
    proc = cli(folder, "check", "--strict")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("scripts/welcome.md: 2 chapters, 5 turns, 2 speakers")
    # the lexicon and the voice file are in use, not just lying there
    turns = cast_script(load_script(folder / "scripts" / "welcome.md"), folder)
    assert any("a text to speech voice" in t.spoken for t in turns)
    assert {t.voice.name for t in turns} == {"guide", "student-1"}
    guide = next(t.voice for t in turns if t.voice.name == "guide")
    assert (guide.engine, guide.speed, guide.opts) == ("piper", 0.95, {"sentence_silence": 0.15})


def test_new_refuses_an_existing_project_and_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "course"
    assert cli(tmp_path, "new", "course").returncode == 0
    (folder / "scripts" / "welcome.md").write_text("Teacher: my own words.\n")
    before = tree(folder)
    proc = cli(tmp_path, "new", "course")
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "error: course: already holds a project (audiolesson.toml exists); nothing was "
        "written: choose a new folder, or edit this project"
    ]
    assert tree(folder) == before
    # a folder with only scripts/ is a project too
    other = tmp_path / "other"
    (other / "scripts").mkdir(parents=True)
    proc = cli(other, "new")
    assert proc.returncode == 1 and "scripts exists" in proc.stderr
    assert tree(other) == {}


def test_new_into_a_repository_keeps_its_gitignore(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("node_modules/\n/output/")
    (tmp_path / "README.md").write_text("my course\n")
    proc = cli(tmp_path, "new")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "next: audiolesson build && audiolesson serve --watch"
    assert (tmp_path / ".gitignore").read_text() == "node_modules/\n/output/\n/.audiolesson/\n"
    assert (tmp_path / "README.md").read_text() == "my course\n"


def test_new_in_place_of_a_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "course").write_text("a file")
    proc = cli(tmp_path, "new", "course")
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: course: not a folder")


@pytest.mark.slow
def test_new_then_build_with_the_default_piper_voice(tmp_path: Path) -> None:
    """The README's promise: `audiolesson new x && cd x && audiolesson build` works."""
    assert audiolesson(tmp_path, "new", "x", script=True).returncode == 0  # the installed command
    proc = audiolesson(tmp_path / "x", "build", "--json", script=True)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.splitlines()[-1])
    assert summary["episodes_written"] == 1 and summary["turns_synthesized"] == 5
    mp3 = tmp_path / "x" / "output" / "welcome.mp3"
    info = ffprobe(mp3)
    assert [c["tags"]["title"] for c in info["chapters"]] == ["Your first lesson", "Next steps"]
    assert 10 < float(info["format"]["duration"]) < 60
    assert info["format"]["tags"]["title"] == "Welcome to audiolesson"
    assert (tmp_path / "x" / "output" / "index.html").is_file()
