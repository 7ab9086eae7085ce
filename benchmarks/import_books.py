"""Import speed and peak memory of `audiolesson import` for long EPUB and PDF books.

    python benchmarks/import_books.py [--pages 300] [--big 1000] [--runs 3]

The books are made here, as the tests make theirs (tests/_books.py): an EPUB written by ebooklib
with about 300 words a page (a printed novel's page), and a PDF printed by headless Chromium
(A5, running header, page numbers, outline), each with --pages pages; the PDF again with --big
pages for the memory target. Each import runs as its own `audiolesson import` process, timed
from outside; its peak RSS is the child's ru_maxrss. Prints one JSON object per measure.
Needs the test and books extras and Debian's chromium.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import _books  # noqa: E402 (the tests' book makers)
from _browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

WORDS_PER_PAGE = 300  #: a printed page of a novel
#: the sample's paragraphs hold 3 sentences of about 10 words
PARAGRAPHS_PER_PAGE = WORDS_PER_PAGE // 30


def _parts(pages: int, pdf: bool) -> list[_books.Part]:
    """Chapters of ten pages each: an EPUB page of words, or an A5 page (~4 paragraphs)."""
    per_page = 6 if pdf else PARAGRAPHS_PER_PAGE  # an A5 page holds about 6
    chapters = max(1, pages // 10)
    return _books.sample_book(chapters=chapters, paragraphs=10 * per_page, sentences=3)


def _run(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one command in a fresh child process."""
    probe = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "r = subprocess.run(sys.argv[1:], capture_output=True); "
        "assert r.returncode == 0, r.stderr; "
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *cmd], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), int(out[1]) / 1024


def _measure(name: str, book: Path, pages: int, runs: int, work: Path) -> dict[str, object]:
    exe = str(Path(sys.executable).with_name("audiolesson"))
    times, peaks = [], []
    for k in range(runs):
        seconds, peak = _run([exe, "import", str(book), "-o", f"out{k}"], work)
        times.append(seconds)
        peaks.append(peak)
    median = statistics.median(times)
    return {
        "measure": name,
        "pages": pages,
        "seconds": [round(t, 2) for t in times],
        "pages_per_second": round(pages / median, 1),
        "peak_rss_mb": round(max(peaks), 1),
        "load": Path("/proc/loadavg").read_text().split()[:3],
    }


def _pdf_pages(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def main() -> None:
    """Make the books, import each `--runs` times, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--big", type=int, default=1000, help="pages of the memory PDF (0: none)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        parts = _parts(args.pages, pdf=False)
        epub = _books.make_epub(work / "book.epub", parts)
        # pages of 300 words, counted from the book's own words
        words = sum(len(p.split()) for part in parts for p in part.paragraphs)
        pages = words // WORDS_PER_PAGE
        print(json.dumps(_measure("epub", epub, pages, args.runs, work)), flush=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            pdfs = {}
            for pages in [args.pages] + ([args.big] if args.big else []):
                html = _books.book_html(_parts(pages, pdf=True))
                started = time.perf_counter()
                pdfs[pages] = _books.print_pdf(browser, work / f"book{pages}.pdf", html)
                log = f"printed {pages} pages in {time.perf_counter() - started:.0f} s"
                print(log, file=sys.stderr, flush=True)
            browser.close()
        for wanted, pdf in pdfs.items():
            pages = _pdf_pages(pdf)
            runs = args.runs if wanted == args.pages else 1
            print(json.dumps(_measure(f"pdf{wanted}", pdf, pages, runs, work)), flush=True)
    print(json.dumps({"ru_maxrss_of_this_script_mb": resource.getrusage(0).ru_maxrss // 1024}))


if __name__ == "__main__":
    main()
