"""EPUB 2 and 3 import: books written with ebooklib, read back end to end; broken EPUBs."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from _books import AUTHOR, TITLE, front_matter, make_epub, png, read_back, sample_book

from audiolesson.errors import ScriptError
from audiolesson.importers.batch import import_paths

pytest.importorskip("ebooklib", reason="needs the test extra (ebooklib writes the EPUBs)")
pytest.importorskip("defusedxml", reason="needs the books extra: pip install -e '.[books]'")


@pytest.mark.parametrize("epub2", [False, True], ids=["epub3-nav", "epub2-ncx"])
def test_an_epub_reads_back_chapter_by_chapter(tmp_path: Path, epub2: bool) -> None:
    parts = sample_book()
    book = make_epub(tmp_path / "rivers.epub", parts, cover=png(), epub2=epub2)
    report = import_paths([book], tmp_path / "scripts")
    (done,) = report.files
    script = tmp_path / "scripts" / "rivers.md"
    assert [w.path for w in done.scripts] == [script] and done.kind == "EPUB"
    parsed = read_back(script, parts)
    meta = front_matter(script)
    assert (meta["title"], meta["author"], meta["language"]) == (TITLE, AUTHOR, "en")
    assert meta["cover"] == "rivers-cover.png" and meta["cast"] == {
        "Teacher": "teacher",
        "Student": "student-1",
    }
    assert (tmp_path / "scripts" / "rivers-cover.png").read_bytes() == png()
    spoken = " ".join(t.text for t in parsed.turns)
    # the copyright page, the contents page, the footnote and its marker are not read
    assert "A note that is not read" not in spoken and ".1 " not in spoken
    assert "series" not in meta and "episode" not in meta


def test_series_metadata_of_the_book_is_kept(tmp_path: Path) -> None:
    book = make_epub(tmp_path / "b.epub", sample_book(chapters=1))
    # calibre's series tags, as calibre writes them into the package
    data = io.BytesIO()
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(data, "w") as dst:
        for info in src.infolist():
            raw = src.read(info)
            if info.filename.endswith(".opf"):
                raw = raw.replace(
                    b"</metadata>",
                    b'<meta name="calibre:series" content="River Tales"/>'
                    b'<meta name="calibre:series_index" content="3.0"/></metadata>',
                )
            dst.writestr(info, raw)
    book.write_bytes(data.getvalue())
    import_paths([book], tmp_path / "out")
    meta = front_matter(tmp_path / "out" / "b.md")
    assert (meta["series"], meta["episode"]) == ("River Tales", 3)


def _rewrite(book: Path, member: str, change: bytes | None, compress: bool = True) -> None:
    """Replace (or add) one member of a zip."""
    data = io.BytesIO()
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != member:
                dst.writestr(info, src.read(info))
        if change is not None:
            dst.writestr(member, change, zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED)
    book.write_bytes(data.getvalue())


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<html xmlns="http://www.w3.org/1999/xhtml"><body><p>&d;&d;&d;&d;</p></body></html>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE html [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<html xmlns="http://www.w3.org/1999/xhtml"><body><p>&secret;</p></body></html>"""


def _broken(kind: str, book: Path) -> None:
    if kind == "truncated":
        book.write_bytes(book.read_bytes()[: book.stat().st_size // 2])
    elif kind == "entity bomb":
        _rewrite(book, "EPUB/chapter0.xhtml", BOMB)
    elif kind == "external entity":
        _rewrite(book, "EPUB/chapter0.xhtml", XXE)
    elif kind == "zip bomb":
        _rewrite(book, "EPUB/chapter0.xhtml", b"<p>" + b" " * (20 * 1024 * 1024) + b"</p>")
    elif kind == "DRM":
        _rewrite(
            book,
            "META-INF/encryption.xml",
            b'<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
            b'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
            b'<enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>'
            b'<enc:CipherData><enc:CipherReference URI="EPUB/chapter0.xhtml"/></enc:CipherData>'
            b"</enc:EncryptedData></encryption>",
        )
    elif kind == "damaged chapter":
        _rewrite(book, "EPUB/chapter3.xhtml", b"<html><body><p>unclosed</body></html>")


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("truncated", r"is not a valid EPUB: its zip archive is truncated or damaged"),
        ("entity bomb", r"EPUB/chapter0\.xhtml declares XML entities .*; refused"),
        ("external entity", r"EPUB/chapter0\.xhtml declares XML entities .*XXE"),
        ("zip bomb", r"refused as a zip bomb: EPUB/chapter0\.xhtml unpacks to 21 MB"),
        ("DRM", r"is encrypted \(DRM: EPUB/chapter0\.xhtml cannot be read\)"),
        ("damaged chapter", r"EPUB/chapter3\.xhtml:1:\d+: not well-formed XML \(mismatched tag\)"),
    ],
)
def test_a_broken_epub_is_one_line_naming_the_file_and_nothing_is_written(
    tmp_path: Path, kind: str, message: str, run_import
) -> None:
    good = make_epub(tmp_path / "good.epub", sample_book(chapters=1))
    book = make_epub(tmp_path / "bad.epub", sample_book())
    _broken(kind, book)
    with pytest.raises(ScriptError, match=message):
        import_paths([book], tmp_path / "scripts")
    ran = run_import(good, book, cwd=tmp_path)  # one bad book: the good one is not written either
    assert ran.status == 1 and ran.stdout == ""
    assert ran.stderr.count("\n") == 1 and ran.stderr.startswith(f"error: {book}: ")
    assert not (tmp_path / "scripts").exists()
