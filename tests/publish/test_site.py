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
