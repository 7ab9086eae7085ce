"""A local web server for output/: the listening page, the MP3s (with Range requests) and a feed."""

from __future__ import annotations

import errno
import logging
import mimetypes
import re
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..config import SiteSettings
from ..errors import AudiolessonError, ConfigError
from ..paths import reserved_folder
from .catalog import collect_episodes
from .feed import render_feed
from .live import LIVE_PATH, LiveChannel, file_tags, inject
from .page import PAGE_FILE, render_page

log = logging.getLogger(__name__)

CONTENT_TYPES = {
    ".mp3": "audio/mpeg",
    ".vtt": "text/vtt; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".txt": "text/plain; charset=utf-8",
    ".epub": "application/epub+zip",  # the read-along book (not in every system's mime.types)
}
FEED_TYPE = "application/rss+xml; charset=utf-8"
_CHUNK = 64 * 1024
_HOST = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?")
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


class Unsatisfiable(Exception):  # noqa: N818 (an HTTP outcome, not an error of the program)
    """The Range request asks for bytes the file does not have (HTTP 416)."""


def content_type(path: Path) -> str:
    """The Content-Type for a file in output/."""
    if path.name == "feed.xml":
        return FEED_TYPE
    known = CONTENT_TYPES.get(path.suffix.lower())
    return known or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The (first, last) byte of a single `Range: bytes=` request, or None to send the whole file.

    Malformed and multi-range headers are ignored (RFC 9110 allows that); a range that starts
    past the end raises Unsatisfiable.
    """
    if not header:
        return None
    m = _RANGE.fullmatch(header.strip())
    if m is None or m.group(1) == m.group(2) == "":
        return None
    first, last = m.groups()
    if first == "":  # suffix range: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            raise Unsatisfiable
        return max(0, size - length), size - 1
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        raise Unsatisfiable
    return start, min(int(last), size - 1) if last else size - 1


def request_path(target: str) -> str:
    """The path of a request target, still percent-encoded (query and fragment dropped)."""
    path = target.split("?", 1)[0].split("#", 1)[0]
    if path[:8].lower().startswith(("http://", "https://")):  # absolute-form (proxy style)
        path = urlsplit(path).path
    return path


def resolve_path(root: Path, target: str) -> Path | None:
    """The file in root that a request target names, or None if it names nothing servable.

    Refuses, rather than cleans up, anything odd: `..` and `.` segments (also percent-encoded),
    backslashes, NUL, empty segments, hidden files, and anything that resolves (through
    symlinks) outside root.
    """
    try:
        path = unquote(request_path(target), errors="strict")
    except (UnicodeDecodeError, ValueError):
        return None
    if not path.startswith("/") or "\\" in path or "\x00" in path:
        return None
    segments = path[1:].split("/")
    if segments == [""]:
        segments = ["index.html"]
    if any(s == "" or s.startswith(".") for s in segments):
        return None
    try:
        resolved = root.joinpath(*segments).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not resolved.is_relative_to(root) or not resolved.is_file():
        return None
    return resolved


class OutputServer(ThreadingHTTPServer):
    """Serves one project's output/ folder; /feed.xml points back at this server.

    With a LiveChannel (`serve --watch`), pages get the live-reload script and its events.
    """

    daemon_threads = True

    def __init__(
        self, site: SiteSettings, host: str, port: int, live: LiveChannel | None = None
    ) -> None:
        self.site = site
        self.root = site.output_dir.resolve()
        self.live = live
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), OutputHandler)

    @property
    def port(self) -> int:
        """The port actually bound (useful after asking for port 0)."""
        return int(self.server_address[1])

    @property
    def host(self) -> str:
        """The address bound (an IP address)."""
        name = self.server_address[0]
        return name.decode() if isinstance(name, bytes) else str(name)

    def handle_error(self, request: object, client_address: tuple) -> None:
        """A client that hangs up (a page reloading, a phone locking) is no error to print."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            log.debug("client %s hung up", client_address[0])
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class OutputHandler(BaseHTTPRequestHandler):
    """GET and HEAD for files in output/, with single byte ranges."""

    server: OutputServer
    server_version = "audiolesson"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (the name http.server dispatches to)
        """Send a file, a byte range of it, or the feed."""
        self._respond(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        """Send the headers a GET would."""
        self._respond(body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Access log through logging (shown with --verbose), not on stderr."""
        log.info("%s %s", self.address_string(), format % args)

    def _respond(self, body: bool) -> None:
        """Route one request."""
        target = request_path(self.path)
        if target == "/feed.xml":
            self._send_feed(body)
            return
        live = self.server.live
        if live is not None and target == LIVE_PATH:
            self._send_events(live, body)
            return
        if live is not None and target in ("/", f"/{PAGE_FILE}"):
            self._send_live_page(live, body)
            return
        path = resolve_path(self.server.root, self.path)
        if path is None:
            self._send_text(HTTPStatus.NOT_FOUND, "Not found.\n", body)
            return
        self._send_file(path, body)

    def _send_live_page(self, live: LiveChannel, body: bool) -> None:
        """The listening page with live reload (a page of no episodes until the first build)."""
        tags = file_tags(self.server.root)  # before reading the page: a newer page only adds
        try:  # a reload, an older one is caught by the next announcement
            page = (self.server.root / PAGE_FILE).read_bytes()
        except OSError:
            page = render_page(self.server.site, []).encode("utf-8")
        data = inject(page, replace(live.state, files=tags))
        self.send_response(HTTPStatus.OK)
        self._common_headers(CONTENT_TYPES[".html"], len(data))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _send_events(self, live: LiveChannel, body: bool) -> None:
        """Server-sent events: the live state now, then each change, until the page leaves."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")  # no length: the stream ends with the connection
        self.end_headers()
        self.close_connection = True
        if not body:
            return

        def write(data: bytes) -> None:
            self.wfile.write(data)
            self.wfile.flush()

        live.stream(write)

    def _base_url(self) -> str:
        """This server's URL as the client reached it (so a phone gets URLs it can open)."""
        host = (self.headers.get("Host") or "").strip()
        if not _HOST.fullmatch(host):
            name = self.server.host
            host = f"[{name}]:{self.server.port}" if ":" in name else f"{name}:{self.server.port}"
        return f"http://{host}/"

    def _send_feed(self, body: bool) -> None:
        """The podcast feed, made for the address the client used."""
        try:
            data = render_feed(
                self.server.site, collect_episodes(self.server.site), self._base_url()
            )
        except AudiolessonError as exc:
            log.error("cannot make the feed: %s", exc)
            self._send_text(
                HTTPStatus.INTERNAL_SERVER_ERROR, f"Cannot make the feed: {exc}\n", body
            )
            return
        self.send_response(HTTPStatus.OK)
        self._common_headers(FEED_TYPE, len(data))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _send_text(self, status: HTTPStatus, text: str, body: bool) -> None:
        """A short plain-text response (errors)."""
        data = text.encode("utf-8")
        self.send_response(status)
        self._common_headers("text/plain; charset=utf-8", len(data))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _common_headers(self, ctype: str, length: int) -> None:
        """Headers every response carries."""
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Cache-Control", "no-cache")  # a rebuild replaces files in place
        self.send_header("Access-Control-Allow-Origin", "*")  # web players fetch chapters/VTT
        self.send_header("X-Content-Type-Options", "nosniff")

    def _send_file(self, path: Path, body: bool) -> None:
        """A whole file (200) or one byte range of it (206), or 416."""
        try:
            fh = path.open("rb")
        except OSError:
            self._send_text(HTTPStatus.NOT_FOUND, "Not found.\n", body)
            return
        with fh:
            stat = path.stat()
            size = stat.st_size
            etag = f'"{stat.st_mtime_ns:x}-{size:x}"'
            modified = formatdate(stat.st_mtime, usegmt=True)
            if_range = self.headers.get("If-Range")
            wanted = self.headers.get("Range") if if_range in (None, etag, modified) else None
            try:
                span = parse_range(wanted, size)
            except Unsatisfiable:
                self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                self.send_header("Content-Range", f"bytes */{size}")
                self._common_headers("text/plain; charset=utf-8", 0)
                self.end_headers()
                return
            first, last = span if span is not None else (0, size - 1)
            length = last - first + 1 if size else 0
            self.send_response(HTTPStatus.PARTIAL_CONTENT if span else HTTPStatus.OK)
            if span:
                self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
            self._common_headers(content_type(path), length)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", modified)
            self.end_headers()
            if body and length:
                fh.seek(first)
                self._copy(fh, length)

    def _copy(self, fh: object, length: int) -> None:
        """Stream length bytes; a client hanging up mid-way (seeking) is normal."""
        try:
            while length > 0:
                chunk = fh.read(min(_CHUNK, length))  # type: ignore[attr-defined]
                if not chunk:
                    break
                self.wfile.write(chunk)
                length -= len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            log.debug("client closed the connection during a download")
            self.close_connection = True


def create_server(
    site: SiteSettings, host: str = "127.0.0.1", port: int = 8000, *, live: bool = False
) -> OutputServer:
    """Bind a server for the project's output folder (loopback by default); port 0: a free one.

    `live` (serve --watch): pages reload when a rebuild announces itself on `server.live`.
    Only an output folder is served: never `/`, the home folder, the project or a folder
    holding it, or a source folder (the config refuses them too; this is the server's own word).
    """
    reserved = reserved_folder(site.output_dir, site.root)
    if reserved is not None:
        raise ConfigError(
            f"serve serves only a project's output folder, not {reserved} "
            f"({site.output_dir}); set [build] output to a folder of its own, like output"
        )
    if live:
        site.output_dir.mkdir(parents=True, exist_ok=True)  # the first build is on its way
    if not site.output_dir.is_dir():
        raise ConfigError(
            f"no output folder {site.output_dir}; run `audiolesson build` first",
        )
    try:
        return OutputServer(site, host, port, LiveChannel(site.output_dir) if live else None)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ConfigError(
                f"port {port} on {host} is in use; choose another with --port"
            ) from None
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def lan_addresses() -> list[str]:
    """This machine's non-loopback IPv4 addresses (where a phone on the same network can reach)."""
    import psutil

    found = []
    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            if address.family == socket.AF_INET and not address.address.startswith("127."):
                found.append(address.address)
    return sorted(set(found))


def server_urls(server: OutputServer) -> list[str]:
    """Base URLs that reach the server: its own address, plus LAN addresses when bound to all."""
    host, port = server.host, server.port
    if host in ("0.0.0.0", "::"):
        return [f"http://127.0.0.1:{port}/"] + [f"http://{a}:{port}/" for a in lan_addresses()]
    if ":" in host:
        return [f"http://[{host}]:{port}/"]
    return [f"http://{host}:{port}/"]


def run(server: OutputServer) -> None:
    """Serve until Ctrl+C, then release the port."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        log.info("stopped")
    finally:
        server.server_close()


@contextmanager
def running(server: OutputServer) -> Iterator[OutputServer]:
    """Serve in a background thread while the block runs; then end live streams, stop, release."""
    thread = threading.Thread(
        target=server.serve_forever, args=(0.1,), name="audiolesson-serve", daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        if server.live is not None:
            server.live.close()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
