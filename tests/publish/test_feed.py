"""The podcast feed, read back with feedparser (and ElementTree for what feedparser ignores)."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from _cli import in_process
from _delivery import EPISODES, ORDER, TRICKY_TITLE, make_project, mp3_bytes, tag
from hypothesis import given, settings
from hypothesis import strategies as st
from mutagen.mp3 import MP3

from audiolesson.config import load_config
from audiolesson.errors import ConfigError
from audiolesson.publish.catalog import (
    EpisodeInfo,
    clean_text,
    collect_episodes,
    episode_sort_key,
)
from audiolesson.publish.feed import ITUNES_NS, render_feed, write_feed

BASE = "https://lessons.example.org/ml course"  # a space, and no trailing slash
BASE_QUOTED = "https://lessons.example.org/ml%20course/"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def parse_written(root: Path, base: str = BASE) -> tuple[feedparser.FeedParserDict, ET.Element]:
    config = load_config(root).site
    path = write_feed(config, collect_episodes(config), base)
    assert path == root / "output" / "feed.xml"
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed, ET.parse(path).getroot()


def test_episodes_in_series_then_numeric_episode_order(project: Path) -> None:
    parsed, _ = parse_written(project)
    titles = [e.title for e in parsed.entries]
    assert titles == [clean_text(EPISODES[slug]["TIT2"]) for slug in ORDER]
    assert [e.itunes_episode for e in parsed.entries] == ["2", "10", "1", "2"]


def test_sort_key_is_numeric_aware() -> None:
    def ep(episode: str | None, title: str = "t", series: str | None = "S") -> EpisodeInfo:
        when = datetime(2025, 1, 1, tzinfo=UTC)
        return EpisodeInfo(title, "s", Path("a.mp3"), 1, 1.0, title, when, "g", series=series,
                           episode=episode)  # fmt: skip

    eps = [ep("15.10"), ep(None), ep("2"), ep("15.2"), ep("10"), ep("15.1"), ep("1", series="A")]
    ordered = [(e.series, e.episode) for e in sorted(eps, key=episode_sort_key)]
    assert ordered == [
        ("A", "1"), ("S", "2"), ("S", "10"), ("S", "15.1"), ("S", "15.2"), ("S", "15.10"),
        ("S", None),
    ]  # fmt: skip


def test_channel_fields_default_from_the_episodes(project: Path) -> None:
    parsed, root = parse_written(project)
    channel = parsed.feed
    assert channel.title == "Advanced Machine Learning"  # the series
    assert channel.link == BASE_QUOTED
    assert channel.author == "Course Team"
    assert channel.language == "en"  # from the script, not the MP3's ISO 639-2 "eng"
    assert channel.image.href == BASE_QUOTED + "foundations-1.png"  # first episode with a cover
    assert [t.term for t in channel.tags] == ["Education"]
    assert root.findtext(f"channel/{{{ITUNES_NS}}}explicit") == "false"
    assert root.findtext(f"channel/{{{ITUNES_NS}}}type") == "serial"
    # the cover the feed points to exists, and is the picture from the MP3 tag
    cover = project / "output" / "foundations-1.png"
    assert cover.read_bytes() == (project / "show-cover.png").read_bytes()


def test_channel_fields_from_the_project_config(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        '[feed]\ntitle = "ML <for> you & me"\ndescription = "Learn ML by ear."\n'
        'author = "Ada"\nlanguage = "en-GB"\nimage = "show-cover.png"\n'
        'category = "Education > Courses"\nexplicit = true\n',
    )
    parsed, xml = parse_written(root)
    channel = parsed.feed
    assert channel.title == "ML <for> you & me"
    assert channel.subtitle == "Learn ML by ear."  # feedparser's name for the description
    assert channel.author == "Ada"
    assert channel.language == "en-GB"
    assert channel.image.href == BASE_QUOTED + "feed-cover.png"
    copied = root / "output" / "feed-cover.png"
    assert copied.read_bytes() == (root / "show-cover.png").read_bytes()
    category = xml.find(f"channel/{{{ITUNES_NS}}}category")
    assert category.get("text") == "Education"
    assert category.find(f"{{{ITUNES_NS}}}category").get("text") == "Courses"
    assert xml.findtext(f"channel/{{{ITUNES_NS}}}explicit") == "true"


def test_item_fields(project: Path) -> None:
    parsed, _ = parse_written(project)
    items = {e.link.rsplit("#", 1)[1]: e for e in parsed.entries}
    item = items["foundations-1"]
    audio = project / "output" / "foundations-1.mp3"
    assert item.title == "What are Foundation Models?"
    assert item.summary == "Definition & core ideas of foundation models."
    assert item.subtitle == "15. Modern Topics"
    (enclosure,) = item.enclosures
    assert enclosure.href == BASE_QUOTED + "foundations-1.mp3"
    assert int(enclosure.length) == audio.stat().st_size
    assert enclosure.type == "audio/mpeg"
    seconds = round(MP3(audio).info.length)
    assert item.itunes_duration == f"0:00:{seconds:02d}"
    assert (item.itunes_season, item.itunes_episode) == ("15", "1")
    assert item.podcast_episode["display"] == "15.1"
    assert item.guidislink is False
    assert item.published_parsed[:6] == (2025, 1, 2, 10, 0, 0)
    assert item.podcast_chapters == {
        "url": BASE_QUOTED + "foundations-1.chapters.json",
        "type": "application/json+chapters",
    }
    assert item.podcast_transcript["url"] == BASE_QUOTED + "foundations-1.vtt"
    assert item.podcast_transcript["type"] == "text/vtt"
    assert item.image.href == BASE_QUOTED + "foundations-1.png"
    # an episode without sidecars has no chapters/transcript links; the description falls back
    bare = items["ten"]
    assert "podcast_chapters" not in bare and "podcast_transcript" not in bare
    assert bare.summary == "Tenth lesson"
    assert bare.published_parsed[:6] == (2025, 2, 1, 8, 0, 0)  # naive time: local (UTC here)


def test_published_falls_back_to_the_mp3_mtime(project: Path) -> None:
    audio = project / "output" / "two.mp3"
    os.utime(audio, (1_700_000_000, 1_700_000_000))
    parsed, _ = parse_written(project)
    item = next(e for e in parsed.entries if e.link.endswith("#two"))
    assert item.published_parsed[:6] == datetime.fromtimestamp(1_700_000_000, UTC).timetuple()[:6]


def test_tricky_title_is_valid_xml(project: Path) -> None:
    parsed, _ = parse_written(project)
    title = parsed.entries[0].title
    assert title == 'Q&A <script>window.pwned = 1</script> "quotes" \U0001f3a7 end'
    assert "\x07" not in title and TRICKY_TITLE != title


def test_guid_is_stable_across_rebuilds(project: Path) -> None:
    first, _ = parse_written(project)
    audio = project / "output" / "foundations-1.mp3"
    audio.write_bytes(mp3_bytes(4.0))  # a rebuild: other audio, other size, same script
    tag(audio, {"TIT2": "What are Foundation Models? (v2)", "TRCK": "15.1"}, None)
    second, _ = parse_written(project)
    before = {e.id: e for e in first.entries}
    after = {e.id: e for e in second.entries}
    assert set(before) == set(after) and len(after) == 4
    changed = next(e for e in second.entries if e.link.endswith("#foundations-1"))
    assert before[changed.id].title == "What are Foundation Models?"
    assert int(changed.enclosures[0].length) == audio.stat().st_size
    assert int(before[changed.id].enclosures[0].length) != audio.stat().st_size


def test_scripts_without_mp3_and_mp3s_without_script_are_left_out(project: Path) -> None:
    (project / "output" / "ten.mp3").unlink()
    (project / "output" / "orphan.mp3").write_bytes(mp3_bytes())
    slugs = [ep.slug for ep in collect_episodes(load_config(project).site)]
    assert slugs == ["two", "foundations-1", "foundations-2"]


def test_no_base_url_says_how_to_set_one(project: Path) -> None:
    config = load_config(project).site
    with pytest.raises(ConfigError, match="--base-url"):
        write_feed(config, collect_episodes(config), "")
    with pytest.raises(ConfigError, match="http"):
        write_feed(config, collect_episodes(config), "ftp://example.org/")
    assert not (project / "output" / "feed.xml").exists()


def test_cli_feed_writes_feed_and_page(project: Path) -> None:
    failed = in_process(project, "feed")
    assert failed.returncode == 1
    assert failed.stderr.startswith("error: no base URL") and failed.stderr.count("\n") == 1
    done = in_process(project, "feed", "--base-url", BASE)
    assert done.returncode == 0, done.stderr
    out = project / "output"
    assert done.stdout.split() == [str(out / "feed.xml"), str(out / "index.html")]
    assert len(feedparser.parse(out / "feed.xml").entries) == 4
    assert "What are Foundation Models?" in (out / "index.html").read_text(encoding="utf-8")


@settings(max_examples=60, deadline=None)
@given(title=st.text(min_size=1, max_size=40), description=st.text(max_size=40))
def test_any_title_gives_valid_xml(title: str, description: str) -> None:
    config = load_config(Path("/nonexistent-project")).site
    ep = EpisodeInfo(
        slug="x y&z", script="scripts/x y&z.md", audio=Path("/o/x y&z.mp3"), size=10,
        duration=1.0, title=title, published=datetime(2025, 1, 1, tzinfo=UTC), guid="g",
        description=description or None, episode="1",
    )  # fmt: skip
    data = render_feed(config, [ep], "https://example.org/")
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    root = ET.fromstring(data)
    assert root.findtext("channel/item/title") == clean_text(title)
    assert parsed.entries[0].enclosures[0].href == "https://example.org/x%20y%26z.mp3"
