"""Live reload: the server's event stream and page, then `audiolesson serve --watch` with an
author's page open in headless Chromium (edit, error, fix, Ctrl+C). Loopback only."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _browser import chromium
from _cli import start
from _probe import vtt_cues
from mutagen.mp3 import MP3

from audiolesson.config import load_config
from audiolesson.publish.live import LIVE_PATH, LiveChannel
from audiolesson.publish.serve import create_server, running


@pytest.fixture
def project(project: Path) -> Path:
    """The shared fixture project, built by one worker."""
    (project / "audiolesson.toml").write_text("[build]\njobs = 1\n")
    return project


def read_event(response: http.client.HTTPResponse) -> dict:
    """The next `data:` event of a server-sent event stream."""
    while True:
        line = response.readline().decode()
        assert line, "the stream ended"
        if line.startswith("data: "):
            return json.loads(line[6:])


def test_events_tell_each_state_and_end_on_close(project: Path) -> None:
    (project / "output").mkdir()
    (project / "output" / "lesson.mp3").write_bytes(b"not really audio")
    server = create_server(load_config(project).site, "127.0.0.1", 0, live=True)
    live = server.live
    assert isinstance(live, LiveChannel)
    with running(server):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", LIVE_PATH)
        response = conn.getresponse()
        assert response.status == 200
        assert response.getheader("Content-Type").startswith("text/event-stream")
        first = read_event(response)  # the state now, at once
        assert first["status"] == "ready" and set(first["files"]) == {"lesson.mp3"}
        live.announce("building")
        assert read_event(response)["status"] == "building"
        (project / "output" / "lesson.mp3").write_bytes(b"other audio, other size")
        live.announce("failed", "error: scripts/lesson.md:3:1: a problem")
        failed = read_event(response)
        assert failed["message"] == "error: scripts/lesson.md:3:1: a problem"
        assert failed["files"]["lesson.mp3"] != first["files"]["lesson.mp3"]
        live.close()
        assert response.read().strip() == b""  # the stream ends: the server can stop
        conn.close()


def test_live_page_has_the_script_and_a_page_before_the_first_build(project: Path) -> None:
    server = create_server(load_config(project).site, "127.0.0.1", 0, live=True)
    with running(server):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/")
        response = conn.getresponse()
        page = response.read().decode()
        assert response.status == 200 and "No episodes yet" in page
        state = re.search(r'id="audiolesson-live-state">(.*?)</script>', page).group(1)
        assert json.loads(state)["events"] == LIVE_PATH
        assert page.index("data-audiolesson-live") < page.index("</head>")
    # without --watch: no live script, no event stream (and output/ must exist)
    plain = create_server(load_config(project).site, "127.0.0.1", 0)
    (project / "output" / "index.html").write_text("<html><head></head><body>hi</body></html>")
    with running(plain):
        conn = http.client.HTTPConnection("127.0.0.1", plain.port, timeout=10)
        conn.request("GET", "/")
        assert "audiolesson-live" not in conn.getresponse().read().decode()
        conn.request("GET", LIVE_PATH)
        assert conn.getresponse().status == 404


# --- an author at work: serve --watch in a real process, the page in Chromium -----------------


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from chromium()


class Served:
    """`audiolesson serve --watch --port 0` in a process; its output goes to files."""

    def __init__(self, root: Path) -> None:
        self.out, self.err = root.parent / "stdout.txt", root.parent / "stderr.txt"
        with self.out.open("w") as out, self.err.open("w") as err:
            self.proc = start(
                root, "serve", "--watch", "--port", "0", stdout=out, stderr=err,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )  # fmt: skip
        self.url = self._wait_for(r"Listening page: (http://127\.0\.0\.1:\d+/)").group(1)

    def _wait_for(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        ends = time.monotonic() + timeout
        while time.monotonic() < ends:
            found = re.search(pattern, self.out.read_text())
            if found:
                return found
            assert self.proc.poll() is None, self.err.read_text()
            time.sleep(0.1)
        raise AssertionError(f"no {pattern!r} in {self.out.read_text()!r}")

    def stop(self) -> int:
        """Ctrl+C, as a person stops it; the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=15)


def audio_state(page: object) -> dict:
    return page.evaluate(  # type: ignore[attr-defined]
        """() => { const a = document.querySelector('#lesson audio');
        return {src: a.getAttribute('src'), time: a.currentTime, paused: a.paused,
                ready: a.readyState, duration: a.duration, error: a.error && a.error.code}; }"""
    )


@pytest.mark.slow
def test_the_page_follows_an_authors_saves(project: Path, browser: object) -> None:
    served = Served(project)
    try:
        out = project / "output"
        page = browser.new_page()  # type: ignore[attr-defined]
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on("request", lambda r: r.url.startswith(served.url) or problems.append(r.url))
        page.goto(served.url)
        # the first build finishes after the page opened: the page fills in by itself
        page.wait_for_selector("#lesson .turn", timeout=30_000)
        page.wait_for_function("document.querySelector('#lesson audio').readyState >= 1")
        before = vtt_cues(out / "lesson.vtt")
        # listen from the sixth turn, then pause there
        page.locator("#lesson .turn .seek").nth(5).click()
        page.wait_for_function("document.querySelector('#lesson audio').currentTime > 0.3 + "
                               f"{before[5][0]}")  # fmt: skip
        page.evaluate("document.querySelector('#lesson audio').pause()")
        heard = audio_state(page)["time"]
        assert before[5][0] <= heard < before[6][0]

        script = project / "scripts" / "lesson.md"
        script.write_text(script.read_text().replace(
            "Teacher: Welcome to the first chapter.",
            "Teacher: Welcome, everyone, to the very first chapter of this course.",
        ))  # fmt: skip
        saved = time.monotonic()
        page.wait_for_function(
            "document.querySelector('#lesson').innerText.includes('the very first chapter')",
            timeout=20_000,
        )
        seconds = time.monotonic() - saved
        assert seconds < 10, f"the page took {seconds:.1f} s to show the edit"
        page.wait_for_function("document.querySelector('#lesson audio').readyState >= 1")
        after = vtt_cues(out / "lesson.vtt")
        assert after[1].text == "Welcome, everyone, to the very first chapter of this course."
        assert after[5][0] > before[5][0] + 0.5  # the edit made the turns after it start later
        now = audio_state(page)
        assert "?v=" in now["src"] and now["error"] is None and now["paused"]
        assert now["duration"] == pytest.approx(MP3(out / "lesson.mp3").info.length, abs=0.1)
        # the same place in the same turn, in the new audio
        assert now["time"] == pytest.approx(after[5][0] + heard - before[5][0], abs=0.15)
        note = page.locator(".al-note")
        assert note.is_visible()
        assert "first change at 0:0" in note.inner_text()
        jump = note.get_by_role("button", name="Jump to it")
        assert float(jump.get_attribute("data-start")) == pytest.approx(after[1][0], abs=0.01)
        jump.click()
        page.wait_for_function(
            f"document.querySelector('#lesson audio').currentTime > {after[1][0] + 0.3}"
        )
        playing = audio_state(page)
        assert not playing["paused"] and playing["time"] < after[2][0]
        assert "the very first chapter" in page.locator("#lesson .turn.current").inner_text()

        # a mistake: the error shows on the page and in the terminal; the last audio plays on
        script.write_text(script.read_text().replace("[pause 1.5s]", "[pause 0s]"))
        error = page.locator(".al-error")
        error.wait_for(state="visible", timeout=20_000)
        line = script.read_text().splitlines().index("[pause 0s]") + 1
        shown = error.inner_text()
        where = rf"error: \S*lesson\.md:{line}:1: "
        assert re.fullmatch(where + "pause of 0 s is out of bounds.*", shown)
        served._wait_for("watching for changes.*\n.*\n?.*watching for changes", timeout=10)
        assert shown in served.err.read_text().splitlines()
        still = audio_state(page)
        assert still["src"] == playing["src"] and still["error"] is None and not still["paused"]
        script.write_text(script.read_text().replace("[pause 0s]", "[pause 1s]"))
        error.wait_for(state="hidden", timeout=20_000)
        assert problems == []
        page.close()
    finally:
        status = served.stop()
    assert status == 0, served.err.read_text()
    assert "Traceback" not in served.err.read_text()
