"""Saved web pages: the article only (trafilatura), read back end to end; pages with none."""

from __future__ import annotations

from pathlib import Path

import pytest
from _books import AUTHOR, TITLE, front_matter, read_back, sample_book, saved_page

from audiolesson.errors import ScriptError
from audiolesson.importers.batch import import_paths

pytest.importorskip("trafilatura", reason="needs the books extra: pip install -e '.[books]'")


@pytest.mark.parametrize("name", ["article.html", "article.htm.txt"])
def test_a_saved_page_gives_its_article_and_nothing_around_it(tmp_path: Path, name: str) -> None:
    parts = sample_book()
    page = saved_page(tmp_path / name, parts)  # the format is found from the content
    import_paths([page], tmp_path / "scripts")
    script = tmp_path / "scripts" / f"{page.stem.replace('.', '-')}.md"
    read_back(script, parts)
    meta = front_matter(script)
    assert (meta["title"], meta["author"], meta["language"]) == (TITLE, AUTHOR, "en")
    body = script.read_text("utf-8")
    for chrome in ("River Blog", "Home", "About us", "otters", "window.", "Accept"):
        assert chrome not in body.split("\n---\n", 1)[1], chrome


def test_a_page_with_no_article_is_one_line(tmp_path: Path, run_import) -> None:
    page = tmp_path / "shop.html"
    page.write_text(
        '<!DOCTYPE html><html><head><title>Shop</title></head><body><div class="cookie-banner">'
        "We use cookies. Accept all cookies?</div><nav><ul><li><a href='/'>Home</a></li>"
        "<li><a href='/a'>About</a></li></ul></nav><footer>Copyright 2024</footer></body></html>",
        encoding="utf-8",
    )
    with pytest.raises(ScriptError, match="no article found in this page"):
        import_paths([page], tmp_path / "scripts")
    ran = run_import(page, cwd=tmp_path)
    assert ran.status == 1 and ran.stdout == "" and ran.stderr.count("\n") == 1
    assert ran.stderr.startswith(f"error: {page}: no article found")
    assert not (tmp_path / "scripts").exists()
