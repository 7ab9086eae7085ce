"""`build --format m4b`: the M4B read back with ffprobe and mutagen; edits, feed, page."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from _probe import ffprobe as probe
from _project import copy_project

from audiolesson.config import load_config
from audiolesson.pipeline import build
from audiolesson.pipeline.events import Progress
from audiolesson.pipeline.prune import prune_cache

PODCAST_NS = "https://podcastindex.org/namespace/1.0"


def run_build(root: Path) -> list:
    events: list = []
    build(load_config(root, jobs=2), on_event=events.append)
    return events


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("m4b") / "project")
    (root / "audiolesson.toml").write_text(
        '[build]\nformats = ["mp3", "m4b"]\n[feed]\nbase_url = "https://example.org/l/"\n'
    )
    run_build(root)
    return root


def test_m4b_is_aac_with_the_m4b_brand_and_the_mp3s_chapters(built: Path) -> None:
    out = built / "output"
    info = probe(out / "lesson.m4b")
    assert info["format"]["tags"]["major_brand"].strip() == "M4B"
    assert [s["codec_name"] for s in info["streams"] if s["codec_type"] == "audio"] == ["aac"]
    expected = json.loads((out / "lesson.chapters.json").read_text())["chapters"]
    chapters = info["chapters"]
    assert [c["tags"]["title"] for c in chapters] == [c["title"] for c in expected]
    for got, want in zip(chapters, expected, strict=True):
        assert abs(float(got["start_time"]) - want["startTime"]) < 0.05
    mp3 = float(probe(out / "lesson.mp3")["format"]["duration"])
    assert abs(float(info["format"]["duration"]) - mp3) < 0.1


def test_m4b_tags(built: Path) -> None:
    from mutagen.mp4 import MP4

    tags = MP4(built / "output" / "lesson.m4b").tags
    assert tags["\xa9nam"] == ["Tiny Lesson"]
    assert tags["\xa9ART"] == ["Test Author"]
    assert tags["\xa9alb"] == ["Test Course"]
    assert tags["\xa9nrt"] and tags["\xa9nrt"][0]  # the cast's voice names


def test_feed_and_page_offer_the_m4b(built: Path) -> None:
    out = built / "output"
    item = ET.parse(out / "feed.xml").getroot().find("channel/item")
    alternate = item.find(f"{{{PODCAST_NS}}}alternateEnclosure")
    assert alternate.get("type") == "audio/mp4"
    assert alternate.get("length") == str((out / "lesson.m4b").stat().st_size)
    source = alternate.find(f"{{{PODCAST_NS}}}source")
    assert source.get("uri") == "https://example.org/l/lesson.m4b"
    assert 'href="lesson.m4b"' in (out / "index.html").read_text()


def test_an_edit_encodes_one_aac_block_and_prune_keeps_the_used_ones(built: Path) -> None:
    script = built / "scripts" / "lesson.md"
    script.write_text(script.read_text().replace("What comes next?", "What comes after?"))
    events = run_build(built)
    aac = [e for e in events if isinstance(e, Progress) and "encoded AAC block" in e.message]
    assert len(aac) == 1
    blocks = built / ".audiolesson" / "cache" / "blocks"
    before = sorted(p.name for p in blocks.glob("*.aac"))
    prune_cache(load_config(built))
    after = sorted(p.name for p in blocks.glob("*.aac"))
    assert len(after) == len(before) - 1  # the edited block's old AAC is gone
    assert all((blocks / (name + ".json")).is_file() for name in after)


@pytest.mark.slow
def test_a_project_whose_path_has_a_line_break_builds_its_m4b(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "my\nlessons")
    (root / "audiolesson.toml").write_text('[build]\nformats = ["mp3", "m4b"]\n')
    run_build(root)
    out = root / "output"
    expected = json.loads((out / "lesson.chapters.json").read_text())["chapters"]
    chapters = probe(out / "lesson.m4b")["chapters"]
    assert [c["tags"]["title"] for c in chapters] == [c["title"] for c in expected]
