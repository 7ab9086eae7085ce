"""The listening page: its HTML read back with html.parser, then used in headless Chromium."""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from _browser import PHONE, chromium
from _delivery import make_project
from mutagen.mp3 import MP3

from audiolesson.config import load_config
from audiolesson.errors import BuildError
from audiolesson.export.sidecars import read_chapter_starts, read_transcript
from audiolesson.publish.catalog import collect_episodes
from audiolesson.publish.feed import PODCAST_NS
from audiolesson.publish.page import write_page
from audiolesson.publish.serve import create_server


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path)
    config = load_config(root).site
    write_page(config, collect_episodes(config))
    return root


class Resources(HTMLParser):
    """Every URL the page refers to, and its script elements."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.urls += [v for k, v in attrs if k in ("src", "href", "srcset", "poster") and v]
        if tag == "script":
            self.scripts.append(found)
        if found.get("id"):
            self.ids.append(found["id"])


def test_read_transcript_and_chapters(project: Path) -> None:
    out = project / "output"
    cues = read_transcript(out / "two.vtt")
    assert [(c.start, c.end, c.speaker) for c in cues] == [(0, 2, "Host & Co"), (2, 6, None)]
    assert cues[0].text == 'Welcome <b>friends</b> & "guests" \U0001f3a7'
    assert [c.speaker for c in read_transcript(out / "foundations-1.vtt")] == [
        "Teacher", "Student 1", "Teacher", "Student 2"
    ]  # fmt: skip
    marks = read_chapter_starts(out / "foundations-1.chapters.json")
    assert [(m.start, m.title) for m in marks] == [
        (0.0, "Definition and Characteristics"), (3.0, "Core Ideas Behind Foundation Models")
    ]  # fmt: skip
    (out / "two.vtt").write_text("1\n00:00.000 --> 00:01.000\nhi\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"two\.vtt: not a WebVTT file"):
        read_transcript(out / "two.vtt")
    (out / "two.chapters.json").write_text('{"chapters": [{"title": "x"}]}', encoding="utf-8")
    with pytest.raises(BuildError, match=r"two\.chapters\.json: not a Podcasting 2.0 chapters"):
        read_chapter_starts(out / "two.chapters.json")


def test_page_is_self_contained_and_escaped(project: Path) -> None:
    out = project / "output"
    text = (out / "index.html").read_text(encoding="utf-8")
    found = Resources()
    found.feed(text)
    for url in found.urls:  # only files beside the page (or anchors): works from file:// offline
        assert "//" not in url and not url.startswith("/"), url
        assert url.startswith("#") or url == "feed.xml" or (out / url).is_file(), url
    # no feed.xml without a base URL: the link shows only where the server makes the feed
    assert '<a class="subscribe" id="subscribe" href="feed.xml" hidden>' in text
    assert all(script.get("src") is None for script in found.scripts)
    assert "<script>window.pwned" not in text  # titles are escaped
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in text
    assert "\x07" not in text
    assert {"two", "ten", "foundations-1", "foundations-2"} <= set(found.ids)
    assert 'href="foundations-1.mp3" download' in text


def test_the_page_is_made_again_only_when_what_it_shows_changed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild with nothing new leaves the page unread and unwritten; a changed transcript or
    setting makes it again."""
    from audiolesson.publish import page

    made: list[int] = []
    real = page.render_page
    monkeypatch.setattr(page, "render_page", lambda *a: made.append(1) or real(*a))
    config = load_config(project).site
    index = project / "output" / "index.html"
    before = index.stat().st_mtime_ns
    write_page(config, collect_episodes(config))
    assert made == [] and index.stat().st_mtime_ns == before
    vtt = project / "output" / "two.vtt"
    vtt.write_text(vtt.read_text(encoding="utf-8").replace("friends", "pals"), encoding="utf-8")
    write_page(config, collect_episodes(config))
    assert made == [1] and "pals" in index.read_text(encoding="utf-8")
    index.write_text("<p>damaged</p>", encoding="utf-8")  # no stamp: made again
    write_page(config, collect_episodes(config))
    assert made == [1, 1] and "pals" in index.read_text(encoding="utf-8")


def test_no_episodes_page_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "output").mkdir()
    path = write_page(load_config(tmp_path).site, [])
    assert "run <code>audiolesson build</code>" in path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from chromium()


def current_turn(page: object, slug: str) -> str | None:
    """The text of the highlighted turn of one episode, or None."""
    return page.evaluate(  # type: ignore[attr-defined]
        """slug => {
            const li = document.getElementById(slug).querySelector('.turn.current');
            return li && li.getAttribute('aria-current') === 'true' ? li.innerText : null;
        }""",
        slug,
    )


def check_listening(page: object, project: Path) -> None:
    """What a listener does: see the duration, jump to a chapter, follow the transcript."""
    slug = "foundations-1"
    article = page.locator(f"#{slug}")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "s => document.getElementById(s).querySelector('audio').readyState >= 1", arg=slug
    )
    duration = article.locator("audio").evaluate("a => a.duration")
    assert duration == pytest.approx(MP3(project / "output" / f"{slug}.mp3").info.length, abs=0.1)
    assert current_turn(page, slug) is None  # nothing highlighted before playing

    article.locator(".chapters button").nth(1).click()
    t = article.locator("audio").evaluate("a => a.currentTime")
    assert 3.0 <= t < 4.0  # the second chapter starts at 3.0 s
    assert "Exactly & they adapt to many domains." in current_turn(page, slug)
    assert article.locator(".chapters button").nth(1).get_attribute("aria-current") == "true"

    # keyboard: Tab to the first chapter button and press Enter: back to the start
    article.locator(".chapters button").nth(0).focus()
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    assert article.locator("audio").evaluate("a => a.currentTime") < 1.0
    page.wait_for_function(  # type: ignore[attr-defined]
        "s => document.getElementById(s).querySelector('.turn.current .speaker')", arg=slug
    )
    assert current_turn(page, slug).startswith("0:00 Teacher")
    assert page.evaluate("window.pwned") is None  # type: ignore[attr-defined]


@pytest.mark.slow
def test_page_in_chromium_from_file(project: Path, browser: object, tmp_path: Path) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # type: ignore[attr-defined]
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("requestfailed", lambda req: problems.append(req.url))
    page.on("request", lambda req: req.url.startswith("file:") or problems.append(req.url))
    page.goto((project / "output" / "index.html").as_uri())
    check_listening(page, project)
    # readable on a 360 px phone: nothing wider than the screen, text not tiny
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 16
    assert page.locator("audio").count() == 4
    assert page.get_by_role("button", name="Play from 0:03").count() == 1
    # no feed.xml next to a file:// page: no Subscribe link that would lead nowhere
    assert not (project / "output" / "feed.xml").exists()
    assert not page.locator("#subscribe").is_visible()
    assert problems == []
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
    context.close()


@pytest.mark.slow
def test_page_in_chromium_from_the_server(project: Path, browser: object) -> None:
    server = create_server(load_config(project).site, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        context = browser.new_context(viewport=PHONE)  # type: ignore[attr-defined]
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.port}/")
        check_listening(page, project)  # seeking an MP3 over HTTP needs Range requests
        assert page.locator("#subscribe").is_visible()
        context.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.slow
def test_real_build_then_feed_and_page(tmp_path: Path, browser: object) -> None:
    """End to end: `build` with tone voices, then the feed and the page on its real output."""
    import shutil

    import feedparser

    from audiolesson.pipeline import build

    root = tmp_path / "physics"
    shutil.copytree(Path(__file__).parents[1] / "data" / "delivery_e2e", root)
    build(load_config(root, jobs=1))
    out = root / "output"
    parsed = feedparser.parse(out / "feed.xml")  # base_url is configured: the build wrote it
    assert not parsed.bozo
    assert [e.title for e in parsed.entries] == ["How sound travels & why <it> matters", "Light"]
    sound = parsed.entries[0]
    audio = out / "sound.mp3"
    assert sound.enclosures[0].href == "https://example.org/physics/sound.mp3"
    assert int(sound.enclosures[0].length) == audio.stat().st_size
    assert (sound.itunes_season, sound.itunes_episode) == ("1", "2")
    assert parsed.entries[1].podcast_episode["display"] == "1.10"
    assert sound.podcast_chapters["url"] == "https://example.org/physics/sound.chapters.json"
    transcripts = {
        t.get("type"): t.get("url")
        for t in ET.parse(out / "feed.xml").iter(f"{{{PODCAST_NS}}}transcript")
        if "sound." in (t.get("url") or "")
    }
    assert transcripts == {
        "text/vtt": "https://example.org/physics/sound.vtt",
        "application/json": "https://example.org/physics/sound.transcript.json",
    }
    assert (out / "sound.png").read_bytes() == (root / "cover.png").read_bytes()
    marks = read_chapter_starts(out / "sound.chapters.json")
    cues = read_transcript(out / "sound.vtt")
    assert [c.speaker for c in cues] == ["Teacher", "Student", "Teacher", "Student"]

    # a rebuild after an edit: new audio, same GUID and publication date
    script = root / "scripts" / "sound.md"
    script.write_text(script.read_text().replace("Of what?", "Of what, exactly?"))
    build(load_config(root, jobs=1))
    again = feedparser.parse(out / "feed.xml").entries[0]
    assert (again.id, again.published) == (sound.id, sound.published)
    new_size = audio.stat().st_size
    assert int(again.enclosures[0].length) == new_size != int(sound.enclosures[0].length)

    context = browser.new_context(viewport=PHONE)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto((out / "index.html").as_uri())
    article = page.locator("#sound")
    page.wait_for_function("document.querySelector('#sound audio').readyState >= 1")
    duration = article.locator("audio").evaluate("a => a.duration")
    assert duration == pytest.approx(MP3(audio).info.length, abs=0.1)
    article.locator(".chapters button").nth(1).click()
    t = article.locator("audio").evaluate("a => a.currentTime")
    assert marks[1].start <= t < marks[1].start + 1
    assert "About three hundred metres a second in air." in current_turn(page, "sound")
    context.close()
