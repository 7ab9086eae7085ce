"""Reading user files: encodings, line ends, bad files, and finding the project's scripts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from audiolesson.errors import ConfigError, ScriptError
from audiolesson.files import read_text
from audiolesson.script.loader import find_scripts, load_script

DATA = Path(__file__).parents[1] / "data" / "script"


@pytest.fixture
def lesson(tmp_path: Path) -> Path:
    return Path(shutil.copy(DATA / "lesson.md", tmp_path / "lesson.md"))


def test_bom_crlf_and_cr_read_like_lf(lesson: Path):
    plain = lesson.read_bytes()
    expected = read_text(lesson)
    for name, data in {
        "bom.md": b"\xef\xbb\xbf" + plain,
        "crlf.md": plain.replace(b"\n", b"\r\n"),
        "cr.md": plain.replace(b"\n", b"\r"),
        "bom-crlf.md": b"\xef\xbb\xbf" + plain.replace(b"\n", b"\r\n"),
    }.items():
        variant = lesson.with_name(name)
        variant.write_bytes(data)
        assert read_text(variant) == expected
        got, want = load_script(variant), load_script(lesson)
        assert (got.meta, got.chapters) == (want.meta, want.chapters)


def test_load_script_parses_with_the_path_in_messages(lesson: Path):
    script = load_script(lesson)
    assert script.path == str(lesson)
    assert script.meta.title == "Echoes"
    assert [c.title for c in script.chapters] == ["Echoes", "Why echoes happen", "Numbers"]


def test_invalid_utf8_reports_line_and_column_of_the_first_bad_byte(tmp_path: Path):
    bad = tmp_path / "bad.md"
    bad.write_bytes("ok line\nnaïve \xe9t\xe9\n".encode("latin-1"))
    with pytest.raises(ScriptError) as info:
        read_text(bad)
    e = info.value
    assert (e.path, e.line, e.column) == (str(bad), 2, 3)
    assert "invalid UTF-8" in e.message and "save the script as UTF-8" in e.message


def test_binary_file_is_refused(tmp_path: Path):
    binary = tmp_path / "image.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ScriptError) as info:
        read_text(binary)
    assert (info.value.line, info.value.column) == (3, 1)  # the \r\n and \n end lines 1 and 2
    assert "binary file" in info.value.message


def test_utf16_is_named(tmp_path: Path):
    f = tmp_path / "utf16.md"
    f.write_bytes("Teacher: hi\n".encode("utf-16"))
    with pytest.raises(ScriptError, match="UTF-16"):
        read_text(f)


def test_missing_file_and_folder(tmp_path: Path):
    with pytest.raises(ScriptError, match="no such script file"):
        read_text(tmp_path / "nope.md")
    with pytest.raises(ScriptError, match="is a folder"):
        read_text(tmp_path)


def test_too_large_file_is_refused_before_reading_it_all(tmp_path: Path):
    big = tmp_path / "big.md"
    big.write_bytes(b"a\n" * 600)
    with pytest.raises(ScriptError, match="split it"):
        read_text(big, limit=1000)


def test_error_class_and_wording_follow_the_caller(tmp_path: Path):
    f = tmp_path / "teacher.toml"
    f.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="voice file"):
        read_text(f, "voice file", error=ConfigError)


def test_find_scripts_lists_markdown_files_in_scripts_sorted(tmp_path: Path):
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    for name in ("b.md", "a.md", "notes.txt"):
        (scripts / name).write_text("Hi.\n")
    (scripts / "folder.md").mkdir()
    assert find_scripts(tmp_path) == [scripts / "a.md", scripts / "b.md"]
    assert find_scripts(tmp_path / "elsewhere") == []
