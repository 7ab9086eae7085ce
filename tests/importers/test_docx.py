"""DOCX import: documents written with python-docx, read back end to end; broken ones."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from _books import AUTHOR, TITLE, front_matter, make_docx, png, read_back, sample_book

from audiolesson.errors import ScriptError
from audiolesson.importers.batch import import_paths

pytest.importorskip("docx", reason="needs the books extra: pip install -e '.[books]'")


def test_a_docx_reads_back_with_headings_lists_and_no_page_furniture(tmp_path: Path) -> None:
    parts = sample_book()
    doc = make_docx(tmp_path / "notes.docx", parts, cover=png())
    import_paths([doc], tmp_path / "scripts")
    script = tmp_path / "scripts" / "notes.md"
    # the list under the sub-chapter is read as sentences, after that sub-chapter's paragraphs
    sub = next(p for p in parts if p.level == 2)
    sub.paragraphs += ["Rivers carry silt.", "Deltas grow at the mouth."]
    parsed = read_back(script, parts)
    meta = front_matter(script)
    assert (meta["title"], meta["author"], meta["language"]) == (TITLE, AUTHOR, "en-GB")
    assert meta["cover"] == "notes-cover.png"
    assert (tmp_path / "scripts" / "notes-cover.png").read_bytes() == png()
    spoken = [t.text for t in parsed.turns]
    assert "Rivers carry silt." in spoken and TITLE not in spoken
    assert not any("Page footer" in t or "Table of Contents" in t for t in spoken)


def _zip_with(doc: Path, member: str, data: bytes) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(doc) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, data if info.filename == member else src.read(info))
    doc.write_bytes(out.getvalue())


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("not a zip", r"is not a valid DOCX \(a DOCX is a zip archive; this one is not\)"),
        ("password", r"is a password-protected Office file or an old binary \.doc"),
        ("entity bomb", r"word/document\.xml declares a DTD, which Office files never do"),
        ("external entity", r"word/styles\.xml declares a DTD"),
        ("zip bomb", r"refused as a zip bomb: word/document\.xml unpacks to"),
        ("truncated", r"is not a valid DOCX: its zip archive is truncated or damaged"),
    ],
)
def test_a_broken_docx_is_one_line_and_nothing_is_written(
    tmp_path: Path, kind: str, message: str, run_import
) -> None:
    doc = make_docx(tmp_path / "bad.docx", sample_book(chapters=1))
    if kind == "not a zip":
        doc.write_text("Teacher: this is text saved with a .docx name\n")
    elif kind == "password":  # Office encrypts into an OLE compound file
        doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000)
    elif kind == "entity bomb":
        _zip_with(
            doc,
            "word/document.xml",
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<d>&b;</d>",
        )
    elif kind == "external entity":
        _zip_with(
            doc,
            "word/styles.xml",
            b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><s>&x;</s>',
        )
    elif kind == "zip bomb":
        _zip_with(doc, "word/document.xml", b"<w>" + b"\0" * (30 * 1024 * 1024) + b"</w>")
    elif kind == "truncated":
        doc.write_bytes(doc.read_bytes()[:3000])
    with pytest.raises(ScriptError, match=message):
        import_paths([doc], tmp_path / "scripts")
    ran = run_import(doc, cwd=tmp_path)
    assert ran.status == 1 and ran.stdout == "" and ran.stderr.count("\n") == 1
    assert ran.stderr.startswith(f"error: {doc}: ")
    assert not (tmp_path / "scripts").exists()
