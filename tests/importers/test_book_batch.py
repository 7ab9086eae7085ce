"""Many books at once: a folder or several files make a series; re-imports; bad inputs."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from _books import front_matter, make_docx, make_epub, png, sample_book, saved_page

from audiolesson.importers.detect import MAX_BOOK_BYTES

pytest.importorskip("docx", reason="needs the books extra: pip install -e '.[books]'")
PAGES = Path(__file__).parents[1] / "data" / "pages"


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A folder of course material: books in five formats, a course page, a picture."""
    folder = tmp_path / "River Course"
    folder.mkdir()
    parts = sample_book(chapters=1, paragraphs=1)
    make_epub(folder / "10-delta.epub", parts, cover=png())
    make_docx(folder / "2-banks.docx", parts)
    saved_page(folder / "3-tides.html", parts)
    (folder / "1-intro.md").write_text("# Intro\n\nRivers begin in the hills.\n", "utf-8")
    (folder / "4-notes.txt").write_text("Notes\n\nThe notes of the course.\n", "utf-8")
    shutil.copyfile(PAGES / "how-vaccines-work.txt", folder / "5-page.txt")
    (folder / "map.png").write_bytes(png())
    (folder / "saved_files").mkdir()  # a saved page's folder of pictures: not looked into
    return folder


def test_a_folder_is_a_series_in_the_order_of_its_file_names(
    course: Path, tmp_path: Path, run_import
) -> None:
    ran = run_import(course, cwd=tmp_path)
    assert ran.status == 0, ran.stderr
    assert (
        ran.stderr == f"skipped {course / 'map.png'}: is a picture, sound or archive, not a book\n"
    )
    out = tmp_path / "scripts"
    names = ["1-intro", "2-banks", "3-tides", "4-notes", "10-delta"]
    for episode, name in enumerate(names, start=1):
        meta = front_matter(out / f"{name}.md")
        assert (meta["series"], meta["episode"]) == ("River Course", episode), name
    page = front_matter(out / "how-vaccines-work-lesson.md")  # a course page keeps its own
    assert (page["series"], page["episode"]) != ("River Course", 5)
    lines = ran.stdout.splitlines()
    assert lines[0] == f"written {out / '1-intro.md'} (Markdown, 1 chapters, 1 turns)"
    assert f"written {out / '10-delta-cover.png'} (cover)" in lines
    # the course page: its lesson, audiobook and review scripts
    assert lines[-1] == "imported 6 files as the series 'River Course': 8 written"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{n}.md" for n in names]
        + ["10-delta-cover.png", "how-vaccines-work-audiobook.md", "how-vaccines-work-lesson.md"]
        + ["how-vaccines-work-review.md"]
    )


def test_importing_again_changes_nothing_and_edits_need_force(
    course: Path, tmp_path: Path, run_import
) -> None:
    assert run_import(course, cwd=tmp_path).status == 0
    out = tmp_path / "scripts"
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    again = run_import(course, "--series", "River Course", cwd=tmp_path)
    assert again.status == 0 and "written" not in again.stdout
    assert again.stdout.splitlines()[-1].endswith(": 8 unchanged")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before

    edited = out / "2-banks.md"
    edited.write_text(edited.read_text("utf-8").replace("Sentence 1", "My sentence 1"), "utf-8")
    (out / "1-intro.md").unlink()
    refused = run_import(course, cwd=tmp_path)
    assert refused.status == 1 and refused.stdout == ""
    assert refused.stderr == (
        f"error: {edited}: already exists and differs from the imported script; rerun with "
        "--force to overwrite it (your edits to it are lost) or import into another folder "
        "with -o\n"
    )
    assert not (out / "1-intro.md").exists()  # nothing at all was written
    (out / "10-delta-cover.png").write_bytes(png(rgb=(1, 2, 3)))  # a cover of your own
    forced = run_import(course, "--force", cwd=tmp_path)
    assert forced.status == 0, forced.stderr
    assert f"overwritten {edited} (DOCX, 2 chapters, 4 turns)" in forced.stdout
    assert f"overwritten {out / '10-delta-cover.png'} (cover)" in forced.stdout
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_several_files_are_ordered_by_name_and_named_after_their_files(
    tmp_path: Path, run_import
) -> None:
    for name in ("10-last.txt", "2-first.txt", "notes.md"):
        (tmp_path / name).write_text(f"Title {name}\n\nText of {name}.\n", "utf-8")
    ran = run_import("10-last.txt", "notes.md", "2-first.txt", "--series", "S", cwd=tmp_path)
    assert ran.status == 0, ran.stderr
    episodes = {p.stem: front_matter(p)["episode"] for p in (tmp_path / "scripts").glob("*.md")}
    assert episodes == {"2-first": 1, "10-last": 2, "notes": 3}


def test_without_the_books_extra_the_error_names_it(
    tmp_path: Path, run_import, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = make_epub(tmp_path / "b.epub", sample_book(chapters=1))
    for module in [m for m in sys.modules if m.split(".")[0] == "defusedxml"]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setitem(sys.modules, "defusedxml", None)  # as if it were not installed
    ran = run_import(book, cwd=tmp_path)
    assert ran.status == 1
    assert ran.stderr == (
        f"error: {book}: reading EPUB needs the books extra (defusedxml is not installed); "
        "install it with pip install 'audiolesson[books]'\n"
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("huge.pdf", None, r"is \d+ MB, more than the 100 MB a book may be; split it"),
        ("empty.epub", b"", "is empty; nothing to import"),
        ("notes.docx", b"plain words", r"is not a valid DOCX \(a DOCX is a zip archive"),
        ("book.pdf", b"<html>not a pdf", r"is not a valid PDF \(a PDF is a file starting with"),
        ("photo.txt", png(), "is a picture, sound or archive, not a book"),
        ("folder", "dir", "holds no file to import"),
        ("missing.epub", "missing", "no such file or folder; check the path"),
        (
            "page.mhtml",
            b"From: <Saved by Blink>\nMIME-Version: 1.0\nContent-Type: multipart/related;\n",
            r"is a single-file web archive \(MHTML\); save the page as HTML",
        ),
    ],
)
def test_bad_files_are_one_line_and_write_nothing(
    tmp_path: Path, run_import, name: str, content: bytes | str | None, message: str
) -> None:
    path = tmp_path / name
    if content is None:
        with path.open("wb") as fh:  # sparse: hundreds of MB on no disk space
            fh.truncate(MAX_BOOK_BYTES * 3)
    elif content == "dir":
        path.mkdir()
        (path / "picture.png").write_bytes(png())
    elif isinstance(content, bytes):
        path.write_bytes(content)
    ran = run_import(path, cwd=tmp_path)
    assert ran.status == 1 and ran.stdout == "" and ran.stderr.count("\n") == 1, ran.stderr
    import re

    assert re.fullmatch(f"error: {re.escape(str(path))}: {message}.*\n", ran.stderr), ran.stderr
    assert not (tmp_path / "scripts").exists()
    if content is None:
        os.unlink(path)
