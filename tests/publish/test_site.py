"""Publishing's boundary: a file it cannot write is one project error naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from _delivery import make_project

from audiolesson.config import load_config
from audiolesson.errors import BuildError
from audiolesson.publish.site import publish


def test_a_page_that_cannot_be_written_is_a_build_error_naming_it(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    page = root / "output" / "index.html"
    page.mkdir()  # what stands there cannot be replaced by a file
    with pytest.raises(BuildError) as caught:
        publish(load_config(root).site)
    assert caught.value.path == str(page)
    assert caught.value.message == ("could not publish the feed and listening page: Is a directory")
    assert not list((root / "output").glob(".index.html.*.tmp"))  # no temporary file left


def test_a_script_with_a_hidden_name_is_never_published(tmp_path: Path) -> None:
    """A .hidden.md built by an older version left output/.hidden.mp3: the page must not link
    what the server refuses to serve (issue 24, item 15)."""
    from audiolesson.publish.catalog import collect_episodes

    root = make_project(tmp_path)
    site = load_config(root).site
    before = [ep.slug for ep in collect_episodes(site)]
    first = next((root / "scripts").glob("*.md"))
    (root / "scripts" / ".hidden.md").write_bytes(first.read_bytes())
    mp3 = root / "output" / f"{first.stem}.mp3"
    (root / "output" / ".hidden.mp3").write_bytes(mp3.read_bytes())
    assert [ep.slug for ep in collect_episodes(site)] == before
    publish(site)
    assert ".hidden.mp3" not in (root / "output" / "index.html").read_text("utf-8")
