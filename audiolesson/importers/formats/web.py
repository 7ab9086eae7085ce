"""A saved web page (HTML) -> Book: the article only, found by trafilatura.

trafilatura (maintained, the best-scoring open-source main-text extractor in its published
comparisons) drops navigation, cookie banners, sidebars, comments, footers and scripts; its
body keeps the article's headings, paragraphs, lists and quotes, which `_markup.Walker` reads.
The page's h1 is the title (h2/h3 become chapters and sub-chapters), its byline the author,
its `lang` the language. A page with no article is an error, not an empty script.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ...errors import ScriptError
from ..book import Book, Outline
from ._markup import Walker

__all__ = ["MAX_PAGE_BYTES", "read_html"]

#: a saved page larger than this is refused (pictures saved inline make pages large)
MAX_PAGE_BYTES = 50 * 1024 * 1024
#: an "article" with less text than this is a page of links and banners
MIN_ARTICLE_CHARS = 150
#: cookie and consent banners, removed before extraction (trafilatura's fallback can keep them)
_BANNERS = " or ".join(
    f"contains(@{attr}, '{word}')"
    for attr in ("class", "id")
    for word in ("cookie", "consent", "gdpr", "newsletter", "subscribe")
)


def _read_bytes(path: Path, limit: int) -> bytes:
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise ScriptError(f"cannot read the page: {exc.strerror or exc}", path=path) from None
    if len(data) > limit:
        raise ScriptError(f"page is larger than the {limit // 1024 // 1024} MB limit", path=path)
    return data


def read_html(path: Path) -> Book:
    """The article of a saved web page, as a Book."""
    import trafilatura
    from trafilatura.settings import Document
    from trafilatura.utils import load_html

    tree = load_html(_read_bytes(path, MAX_PAGE_BYTES))
    if tree is None:
        raise ScriptError("is not an HTML page that can be read", path=path)
    language = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    page_h1 = [" ".join(h.text_content().split()) for h in tree.iter("h1")]
    # trafilatura logs what it discards as warnings; the import reports in its own words.
    quiet = logging.getLogger("trafilatura")
    level, quiet.level = quiet.level, logging.CRITICAL
    try:
        doc = trafilatura.bare_extraction(
            tree,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_formatting=False,
            include_links=False,
            deduplicate=False,
            favor_precision=True,
            prune_xpath=f"//*[{_BANNERS}]",
        )
    finally:
        quiet.setLevel(level)
    body = doc.body if isinstance(doc, Document) else None
    text = "".join(body.itertext()) if body is not None else ""
    if (
        not isinstance(doc, Document)
        or body is None
        or len(" ".join(text.split())) < MIN_ARTICLE_CHARS
    ):
        raise ScriptError(
            "no article found in this page (only navigation, forms or short texts); save the "
            "article's own page and import that",
            path=path,
        )
    outline = Outline()
    Walker(outline).walk(body)
    heads = [text for rank, text in outline.blocks if rank == 1]
    title = (heads[0] if heads else None) or (page_h1[0] if len(page_h1) == 1 else None)
    title = title or doc.title
    outline.drop_title(title)
    return Book(
        source=path,
        kind="HTML",
        sections=outline.sections(),
        title=title,
        author=doc.author,
        language=language,
    )
