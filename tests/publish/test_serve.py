"""The local server: Range requests, content types, the feed for phones, nothing outside output/."""

from __future__ import annotations

import http.client
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import feedparser
import pytest
from _cli import start
from _delivery import make_project

from audiolesson.config import load_config
from audiolesson.errors import ConfigError
from audiolesson.publish.catalog import collect_episodes
from audiolesson.publish.page import write_page
from audiolesson.publish.serve import (
    OutputServer,
    Unsatisfiable,
    create_server,
    parse_range,
    server_urls,
)

SECRET = b"top secret, outside output/"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path)
    config = load_config(root).site
    write_page(config, collect_episodes(config))
    (tmp_path / "secret.txt").write_bytes(SECRET)
    return root


@pytest.fixture
def server(project: Path) -> Iterator[OutputServer]:
    srv = create_server(load_config(project).site, "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=10)


def get(
    srv: OutputServer, target: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    """Send one request exactly as written (no client-side path clean-up)."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        skip_host = "Host" in (headers or {})
        conn.putrequest(method, target, skip_host=skip_host, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_parse_range() -> None:
    assert parse_range(None, 100) is None
    assert parse_range("bytes=0-9", 100) == (0, 9)
    assert parse_range("bytes=90-", 100) == (90, 99)
    assert parse_range("bytes=90-500", 100) == (90, 99)
    assert parse_range("bytes=-10", 100) == (90, 99)
    assert parse_range("bytes=-500", 100) == (0, 99)
    assert parse_range("bytes=5-2", 100) is None  # malformed: ignored, whole file
    assert parse_range("bytes=0-1,5-6", 100) is None  # several ranges: whole file
    assert parse_range("items=0-1", 100) is None
    for header in ("bytes=100-", "bytes=500-600", "bytes=-0"):
        with pytest.raises(Unsatisfiable):
            parse_range(header, 100)


def test_whole_file_and_ranges(server: OutputServer, project: Path) -> None:
    data = (project / "output" / "foundations-1.mp3").read_bytes()
    size = len(data)
    status, headers, body = get(server, "/foundations-1.mp3")
    assert (status, body) == (200, data)
    assert headers["content-type"] == "audio/mpeg"
    assert headers["accept-ranges"] == "bytes"
    assert headers["content-length"] == str(size)

    status, headers, body = get(server, "/foundations-1.mp3", {"Range": "bytes=100-199"})
    assert (status, body) == (206, data[100:200])
    assert headers["content-range"] == f"bytes 100-199/{size}"
    assert headers["content-length"] == "100"

    status, headers, body = get(server, "/foundations-1.mp3", {"Range": "bytes=-16"})
    assert (status, body, headers["content-range"]) == (
        206,
        data[-16:],
        f"bytes {size - 16}-{size - 1}/{size}",
    )

    status, headers, body = get(server, "/foundations-1.mp3", {"Range": f"bytes={size - 5}-"})
    assert (status, body) == (206, data[-5:])

    status, headers, body = get(server, "/foundations-1.mp3", {"Range": f"bytes={size}-"})
    assert status == 416
    assert headers["content-range"] == f"bytes */{size}"

    # a Range with a stale If-Range validator gets the whole (new) file
    stale = {"Range": "bytes=0-9", "If-Range": '"not-the-etag"'}
    assert get(server, "/foundations-1.mp3", stale)[0] == 200
    fresh = {"Range": "bytes=0-9", "If-Range": get(server, "/foundations-1.mp3")[1]["etag"]}
    assert get(server, "/foundations-1.mp3", fresh)[::2] == (206, data[:10])

    status, headers, body = get(server, "/foundations-1.mp3", {"Range": "bytes=0-9"}, "HEAD")
    assert (status, body, headers["content-length"]) == (206, b"", "10")


def test_content_types(server: OutputServer) -> None:
    expected = {
        "/": "text/html; charset=utf-8",
        "/index.html": "text/html; charset=utf-8",
        "/two.vtt": "text/vtt; charset=utf-8",
        "/two.chapters.json": "application/json; charset=utf-8",
        "/feed.xml": "application/rss+xml; charset=utf-8",
        "/foundations-1.png": "image/png",
        "/two.mp3?download=1": "audio/mpeg",
    }
    for target, ctype in expected.items():
        status, headers, _ = get(server, target)
        assert (target, status, headers["content-type"]) == (target, 200, ctype)


def test_feed_points_back_at_the_address_used(server: OutputServer, project: Path) -> None:
    status, _, body = get(server, "/feed.xml", {"Host": f"127.0.0.1:{server.port}"})
    parsed = feedparser.parse(body)
    assert status == 200 and not parsed.bozo
    assert len(parsed.entries) == 4
    url = parsed.entries[2].enclosures[0].href
    assert url == f"http://127.0.0.1:{server.port}/foundations-1.mp3"
    status, headers, audio = get(server, urlsplit(url).path)
    assert status == 200 and audio == (project / "output" / "foundations-1.mp3").read_bytes()
    assert int(parsed.entries[2].enclosures[0].length) == len(audio)
    transcript = parsed.entries[2].podcast_transcript["url"]
    assert get(server, urlsplit(transcript).path)[0] == 200
    # a phone on the LAN sees its own address; a forged Host header cannot inject markup
    lan = feedparser.parse(get(server, "/feed.xml", {"Host": "192.0.2.7:8000"})[2])
    assert lan.entries[0].enclosures[0].href == "http://192.0.2.7:8000/two.mp3"
    forged = feedparser.parse(get(server, "/feed.xml", {"Host": 'x"/><evil>'})[2])
    assert not forged.bozo
    assert forged.entries[0].enclosures[0].href == f"http://127.0.0.1:{server.port}/two.mp3"


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "/output/../../secret.txt",
        "/./../secret.txt",
        "//secret.txt",
        "/%00",
        "/.hidden",
        "/%ff%fe",
        "http://127.0.0.1/../secret.txt",
        "/link-out.txt",
        "/dir-out/secret.txt",
        "/sub",
    ],
)
def test_nothing_outside_output(server: OutputServer, project: Path, target: str) -> None:
    out = project / "output"
    (out / "link-out.txt").symlink_to(project.parent / "secret.txt")
    (out / "dir-out").symlink_to(project.parent, target_is_directory=True)
    (out / ".hidden").write_text("temp file of an atomic write")
    (out / "sub").mkdir()
    status, _, body = get(server, target)
    assert status in (403, 404)
    assert SECRET not in body


def test_absolute_paths_are_refused(server: OutputServer, project: Path) -> None:
    secret = project.parent / "secret.txt"
    for target in (
        "/" + str(secret).lstrip("/"),
        quote(str(secret), safe=""),
        "/" + quote(str(secret), safe=""),
    ):
        status, _, body = get(server, target)
        assert status in (403, 404) and SECRET not in body, target
    # a symlink that stays inside output/ is fine
    (project / "output" / "latest.mp3").symlink_to("ten.mp3")
    assert get(server, "/latest.mp3")[0] == 200


def test_binds_loopback_and_lists_lan_addresses(project: Path) -> None:
    config = load_config(project).site
    local = create_server(config, port=0)
    try:
        assert local.server_address[0] == "127.0.0.1"
        assert server_urls(local) == [f"http://127.0.0.1:{local.port}/"]
        with pytest.raises(ConfigError, match="in use; choose another with --port"):
            create_server(config, "127.0.0.1", local.port)
    finally:
        local.server_close()
    everywhere = create_server(config, "0.0.0.0", 0)
    try:
        urls = server_urls(everywhere)
        assert urls[0] == f"http://127.0.0.1:{everywhere.port}/"
        assert all(u.endswith(f":{everywhere.port}/") and "127.0.0.1" not in u for u in urls[1:])
    finally:
        everywhere.server_close()


def test_missing_output_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="run `audiolesson build` first"):
        create_server(load_config(tmp_path).site, port=0)


@pytest.mark.parametrize("where", ["/", "home", "project"])
def test_the_server_serves_only_an_output_folder(
    project: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """Not /, not the home folder, not the project itself, whatever made the settings (item 1)."""
    from audiolesson.config import SiteSettings

    monkeypatch.setenv("HOME", str(project.parent))
    folder = {"/": Path("/"), "home": project.parent, "project": project}[where]
    with pytest.raises(ConfigError, match=r"serves only a project's output folder"):
        create_server(SiteSettings(project, folder), "127.0.0.1", 0)


@pytest.mark.parametrize("watch", [[], ["--watch"]])
def test_cli_serve_refuses_an_output_folder_of_slash(project: Path, watch: list[str]) -> None:
    """`output = "/"` made `serve` answer /etc/shadow; now the config is refused at load."""
    from _cli import audiolesson

    (project / "audiolesson.toml").write_text('[build]\noutput = "/"\nallow_outside = true\n')
    proc = audiolesson(project, "serve", "--port", "0", *watch, timeout=30)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr == (
        f"error: {project / 'audiolesson.toml'}:2: output must not be / (it would be served, "
        "and builds write into it); name a folder of its own, like output\n"
    )


def test_cli_serve_prints_the_feed_url_and_serves(project: Path) -> None:
    proc = start(project, "serve", "--port", "0")
    try:
        line = proc.stdout.readline()
        assert line.startswith("Listening page: http://127.0.0.1:"), line + proc.stderr.read()
        feed_url = line.split("Podcast feed: ")[1].strip()
        assert feed_url.endswith("/feed.xml")
        port = urlsplit(feed_url).port
        deadline = time.monotonic() + 10
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/feed.xml")
                body = conn.getresponse().read()
                conn.close()
                break
            except ConnectionRefusedError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert len(feedparser.parse(body).entries) == 4
    finally:
        os.kill(proc.pid, signal.SIGINT)
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == 0
