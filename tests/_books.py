"""Test helper: real books made by real tools (ebooklib, python-docx, Chromium), from one text.

`sample_book()` is the text: chapters with sub-chapters, numbered sentences (so a test can ask
that every one of them is in the script, in order) and a dialogue. The makers write it as an
EPUB, a DOCX, a printed PDF, a saved web page and Markdown, each with the chrome its format
has (a copyright page and a table of contents, page headers and numbers, navigation...).
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

TITLE = "Rivers and Light"
AUTHOR = "Ada Brook"
WORDS = (
    "river light water stone valley rain delta current bank bridge spring meadow cloud "
    "harbour channel reed willow tide estuary marsh"
).split()
#: text that only the formats' chrome holds: none of it may reach a script
CHROME = [
    "All rights reserved",
    "Table of Contents",
    "Accept all cookies",
    "Popular posts",
    "Running Header",
    "Privacy policy",
    "Subscribe to our newsletter",
    "tracking",
]


@dataclass
class Part:
    """A chapter (level 1) or sub-chapter (level 2) of the sample book."""

    title: str
    level: int
    paragraphs: list[str] = field(default_factory=list)


def _sentence(n: int) -> str:
    picked = [WORDS[(n * 7 + k * 3) % len(WORDS)] for k in range(6 + n % 5)]
    return f"Sentence {n} tells of the {' '.join(picked)}."


def sample_book(chapters: int = 3, paragraphs: int = 3, sentences: int = 3) -> list[Part]:
    """Chapters of numbered sentences, the second with a sub-chapter, the last a dialogue."""
    parts: list[Part] = []
    n = 0

    def para() -> str:
        nonlocal n
        out = []
        for _ in range(sentences):
            n += 1
            out.append(_sentence(n))
        return " ".join(out)

    for c in range(1, chapters + 1):
        part = Part(f"Chapter {c}: The {WORDS[c % len(WORDS)].title()}", 1)
        part.paragraphs = [para() for _ in range(paragraphs)]
        parts.append(part)
        if c == 2:
            parts.append(Part(f"Where the {WORDS[c + 5]} begins", 2, [para() for _ in range(2)]))
    parts.append(
        Part(
            "A Conversation",
            1,
            [
                "Teacher: Why does the river bend near the old mill?",
                "Student: Because the bank is softer there, so the water cuts into it?",
                "Teacher: Exactly, and the bend grows a little every spring.",
            ],
        )
    )
    return parts


def sentences_of(parts: list[Part]) -> list[str]:
    """Every sentence (and dialogue line's text) of the sample, in order."""
    out = []
    for part in parts:
        for paragraph in part.paragraphs:
            text = re.sub(r"^(Teacher|Student): ", "", paragraph)
            out.extend(re.findall(r"[^.?!]+[.?!]", text))
    return [s.strip() for s in out]


def png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (200, 80, 40)) -> bytes:
    """A small valid PNG, written by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _html_paragraphs(part: Part, notes: bool = False) -> str:
    out = []
    for k, paragraph in enumerate(part.paragraphs):
        if notes and k == 0:
            # a footnote marker after the first sentence, pointing at a note below
            first, _, rest = paragraph.partition(". ")
            paragraph = (
                f'{escape(first)}.<sup><a epub:type="noteref" href="#fn-{id(part)}">1</a></sup> '
                + escape(rest)
            )
            out.append(f"<p>{paragraph}</p>")
        else:
            out.append(f"<p>{escape(paragraph)}</p>")
    return "\n".join(out)


def make_epub(
    path: Path, parts: list[Part], *, cover: bytes | None = None, epub2: bool = False
) -> Path:
    """An EPUB written with ebooklib: cover, copyright page, contents page, chapters, notes."""
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("rivers-and-light-test")
    book.set_title(TITLE)
    book.set_language("en")
    book.add_author(AUTHOR)
    if cover is not None:
        book.set_cover("cover.png", cover, create_page=True)
    copyright_page = epub.EpubHtml(title="Copyright", file_name="copyright.xhtml", lang="en")
    copyright_page.content = "<p>Copyright 2024 Ada Brook. All rights reserved.</p>"
    contents = epub.EpubHtml(title="Table of Contents", file_name="contents.xhtml", lang="en")
    contents.content = "<h1>Table of Contents</h1>" + "".join(
        f"<p>{escape(p.title)}</p>" for p in parts
    )
    book.add_item(copyright_page)
    book.add_item(contents)
    chapters: list[epub.EpubHtml] = []
    toc: list[object] = []
    for k, part in enumerate(parts):
        if part.level == 2:
            # a sub-chapter lives in its chapter's file, from an anchor on
            chapter = chapters[-1]
            anchor = f"sub{k}"
            chapter.content += (
                f'<h2 id="{anchor}">{escape(part.title)}</h2>{_html_paragraphs(part)}'
            )
            link = epub.Link(f"{chapter.file_name}#{anchor}", part.title, anchor)
            if isinstance(toc[-1], tuple):
                toc[-1][1].append(link)
            else:
                toc[-1] = (epub.Section(toc[-1].title, toc[-1].href), [link])
            continue
        chapter = epub.EpubHtml(title=part.title, file_name=f"chapter{k}.xhtml", lang="en")
        note = (
            f'<aside epub:type="footnote" id="fn-{id(part)}"><p>1. A note that is not read.</p>'
            "</aside>"
            if k == 0
            else ""
        )
        chapter.content = f"<h1>{escape(part.title)}</h1>{_html_paragraphs(part, k == 0)}"
        chapter.content += note
        book.add_item(chapter)
        chapters.append(chapter)
        toc.append(epub.Link(chapter.file_name, part.title, f"c{k}"))
    book.toc = toc
    book.add_item(epub.EpubNcx())
    if not epub2:
        book.add_item(epub.EpubNav())
    book.spine = [*(["cover"] if cover else []), copyright_page, contents, *chapters]
    options = {"epub3_pages": False}
    if epub2:
        options["epub2"] = True  # ebooklib still writes the package as EPUB 3; NCX only
    epub.write_epub(str(path), book, options)
    return path


def make_docx(path: Path, parts: list[Part], *, cover: bytes | None = None) -> Path:
    """A DOCX written with python-docx: properties, a cover picture, page header and footer,
    a table of contents line, headings, paragraphs and a list."""
    import io

    import docx

    document = docx.Document()
    document.core_properties.title = TITLE
    document.core_properties.author = AUTHOR
    document.core_properties.language = "en-GB"
    section = document.sections[0]
    section.header.paragraphs[0].text = f"{TITLE} Running Header"
    section.footer.paragraphs[0].text = "Page footer: All rights reserved"
    if cover is not None:
        document.add_picture(io.BytesIO(cover))
    document.add_paragraph(TITLE, style="Title")
    document.add_paragraph("Table of Contents", style="TOC Heading")
    for part in parts:
        document.add_heading(part.title, level=part.level)
        for paragraph in part.paragraphs:
            document.add_paragraph(paragraph)
        if part.level == 2:
            document.add_paragraph("Rivers carry silt", style="List Bullet")
            document.add_paragraph("Deltas grow at the mouth", style="List Bullet")
    document.save(str(path))
    return path


def book_html(parts: list[Part], *, columns: bool = False) -> str:
    """The sample as one HTML document to print: h1 chapters (each on a new page), h2 subs."""
    body = []
    for part in parts:
        tag = "h1" if part.level == 1 else "h2"
        paragraphs = "".join(f"<p>{escape(p)}</p>" for p in part.paragraphs)
        if columns:
            paragraphs = f'<div style="column-count: 2; column-gap: 2em">{paragraphs}</div>'
        body.append(f"<{tag}>{escape(part.title)}</{tag}>{paragraphs}")
    style = (
        "body { font: 11pt serif } h1 { font-size: 22pt; break-before: page } "
        "h1:first-of-type { break-before: auto } h2 { font-size: 15pt }"
    )
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{TITLE}</title>'
        f"<style>{style}</style></head><body>{''.join(body)}</body></html>"
    )


def print_pdf(
    browser: object, path: Path, html: str, *, outline: bool = True, chrome: bool = True
) -> Path:
    """Print HTML to PDF with headless Chromium: a running header and page numbers on every
    page (unless chrome=False), the headings as the PDF outline unless outline=False."""
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.set_content(html)
        page.pdf(
            path=str(path),
            format="A5",
            display_header_footer=chrome,
            header_template=(
                f'<div style="font-size:8px;width:100%;text-align:center">{TITLE} Running Header'
                "</div>"
            ),
            footer_template=(
                '<div style="font-size:8px;width:100%;text-align:center">'
                '<span class="pageNumber"></span></div>'
            ),
            margin={"top": "2cm", "bottom": "2cm", "left": "1.5cm", "right": "1.5cm"},
            outline=outline,
            tagged=outline,
        )
    finally:
        page.close()
    return path


def saved_page(path: Path, parts: list[Part]) -> Path:
    """A web page as a browser saves it: the article amid a cookie banner, navigation, a
    sidebar, a newsletter box, a footer and scripts."""
    article = [
        f"<h1>{escape(TITLE)}</h1>",
        f'<p class="byline">By <a rel="author">{AUTHOR}</a></p>',
    ]
    for part in parts:
        tag = "h2" if part.level == 1 else "h3"
        article.append(f"<{tag}>{escape(part.title)}</{tag}>")
        article.extend(f"<p>{escape(p)}</p>" for p in part.paragraphs)
    html = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{TITLE} | River Blog</title>
<meta name="author" content="{AUTHOR}">
<script>window.tracking = "tracking pixel";</script>
<style>.banner {{ position: fixed }}</style></head>
<body>
<div id="cookie-consent" class="banner">We use cookies to improve your visit. Accept all cookies?
<button>Accept</button></div>
<header><a href="/">River Blog</a><nav><ul><li><a href="/">Home</a></li>
<li><a href="/about">About us</a></li><li><a href="/shop">Shop</a></li></ul></nav></header>
<div class="layout">
<aside class="sidebar"><h3>Popular posts</h3><ul><li><a href="/a">Ten facts about otters</a></li>
<li><a href="/b">Why lakes freeze</a></li></ul></aside>
<main><article>{"".join(article)}</article></main>
<div class="newsletter"><p>Subscribe to our newsletter for weekly posts.</p></div>
</div>
<footer><p>Copyright 2024 River Blog. All rights reserved.</p><a href="/privacy">Privacy policy</a>
</footer>
<script>document.querySelector(".banner").remove();</script>
</body></html>
"""
    path.write_text(html, encoding="utf-8")
    return path


def read_back(script: Path, parts: list[Part]) -> object:
    """Check an imported script as a reader would: `audiolesson check` passes with no warning,
    the chapters are the book's in order, every sentence is there in order, no chrome."""
    from audiolesson.script.check import check_scripts

    (checked,) = check_scripts([script], script.parent)
    assert checked.error is None, checked.error
    parsed = checked.script
    assert parsed.warnings == [], parsed.warnings
    assert [(c.title, c.level) for c in parsed.chapters] == [(p.title, p.level) for p in parts]
    spoken = " ".join(t.text for t in parsed.turns)
    at = 0
    for sentence in sentences_of(parts):
        found = spoken.find(sentence, at)
        assert found >= 0, f"missing or out of order: {sentence!r}"
        at = found + len(sentence)
    body = script.read_text("utf-8").split("\n---\n", 1)[1]
    for chrome in CHROME:
        assert chrome not in body, chrome
    talk = [(t.speaker, t.text) for t in parsed.chapters[-1].turns]
    assert [s for s, _ in talk] == ["Teacher", "Student", "Teacher"]
    assert all(t.speaker is None for c in parsed.chapters[:-1] for t in c.turns)
    return parsed


def front_matter(script: Path) -> dict[str, object]:
    """A script's front matter, read with PyYAML."""
    import yaml

    text = script.read_text("utf-8")
    return yaml.safe_load(text[4 : text.index("\n---\n", 4)])
