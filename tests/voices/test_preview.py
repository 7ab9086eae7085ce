"""`audiolesson voices --preview`: the page, its samples, and the page in headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from _browser import chromium
from _cli import in_process
from mutagen.mp3 import MP3

from audiolesson.config import load_config
from audiolesson.voices.preview import PAGE, write_preview


class Page(HTMLParser):
    """The audio sources, the voices named in row headers, and every URL of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.audio: list[str] = []
        self.urls: list[str] = []
        self.rows: list[str] = []
        self._in_row_header = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]
        if tag == "audio":
            self.audio.append(found["src"] or "")
        self._in_row_header = tag == "th" and found.get("scope") == "row"

    def handle_data(self, data: str) -> None:
        if self._in_row_header:
            self.rows.append(data)
            self._in_row_header = False


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with two tone voices and one broken voice file."""
    voices = tmp_path / "voices"
    voices.mkdir()
    (voices / "robot.toml").write_text('engine = "tone"\npitch = 5\n', encoding="utf-8")
    (voices / "bass.toml").write_text('engine = "tone"\npitch = -7\nspeed = 0.8\n')
    (voices / "broken.toml").write_text('engine = "tone"\nsped = 2\n', encoding="utf-8")
    return tmp_path


def test_cli_writes_the_preview(project: Path) -> None:
    done = in_process(project, "voices", "--preview", "--engine", "tone")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(project / "output" / PAGE)


def read(path: Path) -> Page:
    """The preview page, parsed."""
    found = Page()
    found.feed(path.read_text(encoding="utf-8"))
    return found


def test_preview_page_has_a_sample_per_usable_voice(project: Path) -> None:
    config = load_config(project)
    path = write_preview(config, engine="tone")
    assert path == project / "output" / PAGE
    page = read(path)
    assert page.rows == ["bass", "broken", "robot", "sine"]  # files, then the engine's own
    assert len(page.audio) == 3  # the broken file is listed with its error, not played
    text = path.read_text(encoding="utf-8")
    assert "line 2: unknown key &#x27;sped&#x27;" in text
    assert "pitch -7 st" in text and "speed 0.8" in text
    for src in page.audio:
        assert (project / "output" / src).is_file() and src.startswith("voices/")
    assert all("//" not in url and not url.startswith("/") for url in page.urls)  # offline
    # Rendering again reuses every sample; a changed voice gets a new one, the old one goes.
    stamps = {src: (project / "output" / src).stat().st_mtime_ns for src in page.audio}
    (project / "voices" / "robot.toml").write_text('engine = "tone"\npitch = 6\n')
    again = read(write_preview(config, engine="tone"))
    kept = set(again.audio) & set(page.audio)
    assert len(kept) == 2 and all(
        (project / "output" / s).stat().st_mtime_ns == stamps[s] for s in kept
    )
    assert sorted(p.name for p in (project / "output" / "voices").iterdir()) == sorted(
        Path(s).name for s in again.audio
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium, launched once for the module."""
    yield from chromium()


@pytest.mark.slow
def test_every_sample_loads_in_chromium(project: Path, browser: object) -> None:
    (project / "voices" / "broken.toml").unlink()
    (project / "voices" / "piper-low.toml").write_text("pitch = -1\n", encoding="utf-8")
    path = write_preview(load_config(project), sentence="Hello there.")
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(path.as_uri())
    count = page.locator("audio").count()
    assert count >= 14  # ten presets, two tone files, a Piper file, the engines' own voices
    page.wait_for_function(
        "() => [...document.querySelectorAll('audio')].every(a => a.readyState >= 1)"
    )
    durations = page.evaluate("() => [...document.querySelectorAll('audio')].map(a => a.duration)")
    sources = read(path).audio
    for src, duration in zip(sources, durations, strict=True):
        assert duration == pytest.approx(MP3(project / "output" / src).info.length, abs=0.1)
        assert 0.3 < duration < 5.0, src
    page.close()
