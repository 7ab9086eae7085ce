"""The listening page of a practice episode: its gaps in the transcript and its Anki deck."""

from __future__ import annotations

from pathlib import Path

from _delivery import make_project

from audiolesson.config import load_config
from audiolesson.publish.catalog import collect_episodes
from audiolesson.publish.page import render_page

PRACTICE_VTT = """WEBVTT

1
00:00:00.000 --> 00:00:02.000
<v Teacher>What is an antigen?

2
00:00:02.600 --> 00:00:06.050
[Your turn]

3
00:00:06.050 --> 00:00:09.000
<v Teacher>A molecule seen as foreign.
"""


def test_the_page_marks_each_gap_and_links_the_deck(tmp_path: Path) -> None:
    root = make_project(tmp_path, '[build]\nformats = ["mp3", "anki"]\n')
    out = root / "output"
    (out / "two.vtt").write_text(PRACTICE_VTT, encoding="utf-8")
    (out / "two.apkg").write_bytes(b"PK\x05\x06" + bytes(18))  # the page only links it
    site = load_config(root).site
    episodes = {ep.slug: ep for ep in collect_episodes(site)}
    assert episodes["two"].deck == out / "two.apkg" and episodes["foundations-1"].deck is None
    page = render_page(site, list(episodes.values()))
    assert page.count('<li class="turn practice">') == 1
    assert '<span class="words">[Your turn]</span></li>' in page
    assert '<a href="two.apkg" download>Flash cards (Anki deck)</a>' in page
    without = load_config(root, formats=["mp3"]).site  # not asked for: not offered
    assert "two.apkg" not in render_page(without, collect_episodes(without))
