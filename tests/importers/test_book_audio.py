"""An imported book all the way to audio: its MP3's ID3 chapters are the book's chapters."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from _books import make_epub, png, sample_book
from _cli import audiolesson

pytest.importorskip("ebooklib", reason="needs the test extra (ebooklib writes the EPUB)")
pytest.importorskip("defusedxml", reason="needs the books extra: pip install -e '.[books]'")
PROJECT = Path(__file__).parents[1] / "data" / "project"


@pytest.mark.slow
def test_an_imported_epub_builds_into_an_mp3_with_the_books_chapters(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(PROJECT / "voices", root / "voices")  # tone voices: fast, deterministic
    parts = sample_book(chapters=2, paragraphs=1, sentences=2)
    make_epub(root / "rivers.epub", parts, cover=png(32, 32))
    done = audiolesson(root, "import", "rivers.epub")
    assert done.returncode == 0, done.stderr
    built = audiolesson(root, "build", timeout=300)
    assert built.returncode == 0, built.stderr
    mp3 = root / "output" / "rivers.mp3"
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(mp3)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    chapters = json.loads(probe.stdout)["chapters"]
    assert [c["tags"]["title"] for c in chapters] == [p.title for p in parts]
    starts = [float(c["start_time"]) for c in chapters]
    assert starts == sorted(starts) and starts[0] == 0.0

    from mutagen.id3 import ID3

    tags = ID3(mp3)
    toc = tags.getall("CTOC")[0]
    top = [tags[f"CHAP:{c}"].sub_frames["TIT2"].text[0] for c in toc.child_element_ids]
    assert top == [p.title for p in parts if p.level == 1]  # the sub-chapter sits under its own
    assert tags["TIT2"].text[0] == "Rivers and Light" and tags["TPE1"].text[0] == "Ada Brook"
    assert tags.getall("APIC")[0].data == png(32, 32)
