"""A fake OpenAI-compatible speech server on 127.0.0.1, for the openai engine's tests and
benchmark: POST /v1/audio/speech answers a tone whose length follows the text (WAV or raw
PCM), GET /v1/models a list; faults and a per-request delay on demand; every request counted.
"""

from __future__ import annotations

import http.server
import io
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import soundfile

RATE = 24000


@dataclass
class Speech:
    """What the server does and saw."""

    key: str | None = None  #: the bearer token it wants (None: any or none)
    delay: float = 0.0  #: seconds each speech request takes
    #: input text -> statuses to answer first (then 200), e.g. [429, 503]; "*": every text
    faults: dict[str, list[int]] = field(default_factory=dict)
    retry_after: str | None = None  #: the Retry-After header sent with 429 and 503
    requests: list[dict] = field(default_factory=list)  #: speech bodies, with "auth"
    active: int = 0
    most: int = 0  #: most speech requests in flight at once
    lock: threading.Lock = field(default_factory=threading.Lock)


def tone(text: str, fmt: str) -> bytes:
    """0.05 s per character of a 220 Hz tone, as the format asks."""
    t = np.arange(int(0.05 * RATE * max(len(text), 1))) / RATE
    samples = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    if fmt == "pcm":
        return (samples * 32767).astype("<i2").tobytes()
    if fmt == "mp3":
        from audiolesson.audio import Audio
        from audiolesson.audio_io import encode_mp3

        return encode_mp3(Audio(samples.reshape(-1, 1), RATE))
    out = io.BytesIO()
    soundfile.write(out, samples, RATE, format="FLAC" if fmt == "flac" else "WAV")
    return out.getvalue()


def _handler(state: Speech) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, body: bytes, kind: str, extra: dict | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def _authorised(self) -> bool:
            if state.key is None or self.headers.get("Authorization") == f"Bearer {state.key}":
                return True
            error = {"error": {"message": "Incorrect API key provided"}}
            self._send(401, json.dumps(error).encode(), "application/json")
            return False

        def do_GET(self) -> None:  # noqa: N802
            if self.path != "/v1/models":
                self._send(404, b"{}", "application/json")
            elif self._authorised():
                self._send(200, b'{"data": [{"id": "tts-1"}]}', "application/json")

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.path != "/v1/audio/speech" or not self._authorised():
                if self.path != "/v1/audio/speech":
                    self._send(404, b"{}", "application/json")
                return
            with state.lock:
                state.requests.append({**body, "auth": self.headers.get("Authorization")})
                queue = state.faults.get(body["input"]) or state.faults.get("*")
                status = queue.pop(0) if queue else 200
                state.active += 1
                state.most = max(state.most, state.active)
            try:
                time.sleep(state.delay)
                if status != 200:
                    extra = {"Retry-After": state.retry_after} if state.retry_after else {}
                    self._send(status, b'{"error": {"message": "busy"}}', "application/json", extra)
                    return
                fmt = body.get("response_format", "mp3")
                kinds = {"pcm": "audio/pcm", "flac": "audio/flac", "mp3": "audio/mpeg"}
                kind = kinds.get(fmt, "audio/wav")
                self._send(200, tone(body["input"], fmt), kind)
            finally:
                with state.lock:
                    state.active -= 1

    return Handler


@contextmanager
def speech_server(state: Speech | None = None) -> Iterator[tuple[str, Speech]]:
    """Run the server until the block ends: (base_url ending in /v1, its state)."""
    state = state or Speech()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
