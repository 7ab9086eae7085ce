"""Live reload for `audiolesson serve --watch`: open listening pages follow the rebuilds.

The server keeps one `LiveChannel`. Each rebuild announces its state (building, ready, failed
with the one-line error) together with a tag per served file; pages listen with server-sent
events at LIVE_PATH and, when a tag changes, fetch the page again and swap it in (templates/
live.js, inlined into index.html as it is served: the page written to output/ stays static).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Literal

log = logging.getLogger(__name__)

#: where pages listen; a dot segment never names a file in output/ (the server refuses those)
LIVE_PATH = "/.audiolesson/live"
KEEPALIVE_SECONDS = 15.0  #: a comment line this often finds clients that went away
STREAM_SECONDS = 600.0  #: then the stream ends and the browser reconnects (no endless loop)

Status = Literal["building", "ready", "failed"]


def file_tags(folder: Path) -> dict[str, str]:
    """A tag per episode MP3 and for the page in folder: changes whenever the file is replaced."""
    tags = {}
    for path in sorted(folder.glob("*.mp3")) + [folder / "index.html"]:
        try:
            stat = path.stat()
        except OSError:
            continue
        tags[path.name] = f"{stat.st_mtime_ns:x}-{stat.st_size:x}"
    return tags


@dataclass(frozen=True)
class LiveState:
    """What pages are told: the build's status, its error line, and the served files' tags."""

    serial: int = 0  #: grows with every announcement (the SSE event id)
    status: Status = "ready"
    message: str | None = None  #: `error: path:line:col: ...` when status is failed
    files: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        """The state as one line of JSON."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))


class LiveChannel:
    """The latest state of one output folder, and a way to wait for the next one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._state = LiveState(files=file_tags(folder))
        self._changed = threading.Condition()
        self._closed = False

    @property
    def state(self) -> LiveState:
        """The state now."""
        with self._changed:
            return self._state

    def announce(self, status: Status, message: str | None = None) -> LiveState:
        """Tell every page: a build started, finished, or failed (with its error line)."""
        with self._changed:
            tags = self._state.files if status == "building" else file_tags(self.folder)
            serial = self._state.serial + 1
            self._state = LiveState(serial=serial, status=status, message=message, files=tags)
            self._changed.notify_all()
            return self._state

    def wait(self, after: int, timeout: float) -> LiveState:
        """The first state newer than serial `after`, or the current one after timeout/close."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._state.serial <= after and not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return self._state

    def close(self) -> None:
        """Wake every waiting stream so it ends (server shutdown)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def stream(
        self,
        write: Callable[[bytes], object],
        *,
        keepalive: float = KEEPALIVE_SECONDS,
        limit: float = STREAM_SECONDS,
    ) -> None:
        """Write server-sent events to one client until it leaves, the channel closes or `limit`.

        `write(bytes)` sends and flushes; it raises OSError when the client has gone.
        """
        ends = time.monotonic() + limit
        last = -1
        try:
            write(b"retry: 1000\n\n")
            while not self._closed and time.monotonic() < ends:
                state = self.wait(last, min(keepalive, max(0.0, ends - time.monotonic())))
                if self._closed:
                    break
                if state.serial != last:
                    last = state.serial
                    write(f"id: {state.serial}\ndata: {state.to_json()}\n\n".encode())
                else:
                    write(b": keepalive\n\n")
        except OSError:
            log.debug("a live page went away")


def inject(page: bytes, state: LiveState) -> bytes:
    """The listening page with the live-reload script and its starting state in its <head>."""
    start = json.dumps({"events": LIVE_PATH, **asdict(state)}, ensure_ascii=True)
    start = start.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    script = files(__package__).joinpath("templates/live.js").read_text(encoding="utf-8")
    tags = (
        f'<script type="application/json" id="audiolesson-live-state">{start}</script>\n'
        f"<script data-audiolesson-live>\n{script}</script>\n"
    ).encode()
    head = page.find(b"</head>")
    return page[:head] + tags + page[head:] if head >= 0 else tags + page
