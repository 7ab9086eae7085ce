"""PDF import: books printed by headless Chromium (running header, page numbers, outline or
none, two columns, hyphens), read back end to end; encrypted, truncated and scanned PDFs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from _books import TITLE, book_html, front_matter, print_pdf, read_back, sample_book
from _browser import chromium

from audiolesson.errors import ScriptError
from audiolesson.importers.batch import import_paths

pytest.importorskip("pdfminer", reason="needs the books extra: pip install -e '.[books]'")
pytestmark = pytest.mark.slow

PARTS = sample_book(chapters=4, paragraphs=7, sentences=4)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from chromium()


@pytest.mark.parametrize("layout", ["outline", "font sizes", "two columns"])
def test_a_printed_pdf_reads_back_without_headers_or_page_numbers(
    tmp_path: Path, browser: object, layout: str
) -> None:
    html = book_html(PARTS, columns=layout == "two columns")
    pdf = print_pdf(browser, tmp_path / "printed.pdf", html, outline=layout != "font sizes")
    report = import_paths([pdf], tmp_path / "scripts")
    (done,) = report.files
    assert done.kind == "PDF" and done.pages >= 8  # several pages, each with header and number
    script = tmp_path / "scripts" / "printed.md"
    parsed = read_back(script, PARTS)
    assert front_matter(script)["title"] == TITLE
    for turn in parsed.turns:
        assert not re.search(r"(^|\s)\d{1,3}$", turn.text), turn.text  # no page number
        assert "Running Header" not in turn.text


def test_a_word_hyphenated_at_a_line_end_is_joined(tmp_path: Path, browser: object) -> None:
    # lines broken as a typesetter hyphenates them: "water-" at one line's end, "mill" next
    lines = [
        "The old water-",
        "mill turned all day while the river-",
        "bank grew green and the",
        "Water-",
        "Rat sang.",
    ]
    html = f"<html><body><p>{'<br>'.join(lines)}</p></body></html>"
    pdf = print_pdf(browser, tmp_path / "narrow.pdf", html, outline=False, chrome=False)
    import_paths([pdf], tmp_path / "out")
    script = (tmp_path / "out" / "narrow.md").read_text("utf-8")
    assert script.endswith(
        "\n\nThe old watermill turned all day while the riverbank grew green and the Water-Rat "
        "sang.\n"
    )  # a capital after the hyphen: a real hyphen, kept


def test_an_encrypted_truncated_or_scanned_pdf_is_one_line(
    tmp_path: Path, browser: object, run_import
) -> None:
    from pypdf import PdfReader, PdfWriter

    printed = print_pdf(browser, tmp_path / "p.pdf", book_html(PARTS[:1]))
    writer = PdfWriter()
    for page in PdfReader(printed).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as fh:
        writer.write(fh)
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(printed.read_bytes()[: printed.stat().st_size * 2 // 3])
    scanned = print_pdf(
        browser,
        tmp_path / "scanned.pdf",
        '<html><body><div style="width:300px;height:400px;background:#999"></div>'
        '<svg width="200" height="100"><rect width="200" height="100" fill="#333"/></svg>'
        "</body></html>",
        chrome=False,  # a scanner prints no text at all
    )
    cases = {
        locked: r"is encrypted with a password; save a copy without it",
        truncated: r"is truncated \(no %%EOF at its end\)",
        scanned: r"has no text layer \(1 pages of pictures: a scanned PDF\?\); run OCR",
    }
    for pdf, message in cases.items():
        with pytest.raises(ScriptError, match=message):
            import_paths([pdf], tmp_path / "scripts")
        ran = run_import(pdf, cwd=tmp_path)
        assert ran.status == 1 and ran.stderr.count("\n") == 1, ran.stderr
        assert ran.stderr.startswith(f"error: {pdf}: ")
    assert not (tmp_path / "scripts").exists()
