"""Any OpenAI-compatible speech server: OpenAI itself, Kokoro-FastAPI, LocalAI, ...

One POST {base_url}/audio/speech per turn with {model, input, voice, speed, response_format}.
Voice settings: `model` (tts-1, gpt-4o-mini-tts, kokoro ...; default tts-1), `speaker` (the API's
voice: alloy, af_heart ...; default alloy), `speed` (native, 0.25 to 4). Options: `base_url`
(default OpenAI's), `api_key_env` (the environment variable holding the bearer token, default
OPENAI_API_KEY), `format` (wav, pcm, flac or mp3: each is decoded here), `concurrency` (turns
sent at once, default 4), `timeout` (seconds per request, default 120), `tries` (default 5).

The token is read from the environment when a request is sent: it is never in a Voice, a cache
key, a log line or an error message. 429 and 5xx answers and dropped connections are retried
with exponential backoff (Retry-After honoured); `preflight` asks the server once, before any
turn is sent, so a missing key or an unreachable server is one line. The turns run on threads
of the building process (`concurrency`), not in worker processes: they wait on the network.
The server decides the take: two clean builds may differ where its model is random, but a
rebuild sends nothing (the clip key holds base_url, model, speaker and settings).
"""

from __future__ import annotations

import http.client
import io
import json
import logging
import os
import time
import urllib.error
import urllib.request
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar

from ..._version import __version__
from ...audio import Audio
from ...errors import ConfigError, EngineError, EngineUnavailable
from ...keys import digest
from .base import Engine, Voice

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_MODEL = "tts-1"
DEFAULT_SPEAKER = "alloy"
DEFAULT_KEY_ENV = "OPENAI_API_KEY"
FORMATS = ("wav", "pcm", "flac", "mp3")
PCM_RATE = 24000  #: OpenAI's raw pcm: 24 kHz, 16-bit little-endian, mono
SPEED_RANGE = (0.25, 4.0)
MAX_WAIT = 30.0  #: seconds: the longest backoff (or Retry-After) honoured between tries
MAX_BYTES = 256 * 1024 * 1024  #: an answer larger than this is not one turn's audio
OPTIONS: dict[str, tuple[type, str]] = {
    "base_url": (str, f"the server's API root (default {DEFAULT_BASE_URL})"),
    "api_key_env": (str, f"environment variable with the bearer token (default {DEFAULT_KEY_ENV})"),
    "format": (str, "wav (default), pcm, flac or mp3"),
    "concurrency": (int, "turns sent at once (default 4)"),
    "timeout": (float, "seconds one request may take (default 120)"),
    "tries": (int, "attempts per turn on 429, 5xx or a dropped connection (default 5)"),
}


class _RetryableError(Exception):
    """A transient failure: wait (at least `after` seconds) and send again."""

    def __init__(self, why: str, after: float | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.after = after


def _retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks for (a number or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None


def _where(voice: Voice) -> str | None:
    """The voice file a voice comes from, for errors (None for presets and made-up voices)."""
    return voice.source if voice.source not in (None, "preset") else None


class OpenAIEngine(Engine):
    """An OpenAI-compatible /audio/speech endpoint; stateless, safe to call from threads."""

    name: ClassVar[str] = "openai"
    native_effects: ClassVar[frozenset[str]] = frozenset({"speed"})
    option_specs: ClassVar[dict[str, tuple[type, str]]] = OPTIONS
    backoff: ClassVar[float] = 0.5  #: seconds before the second try, doubling after each
    sleep = staticmethod(time.sleep)  # tests replace it

    def __init__(self, *, threads: int | None = None) -> None:
        super().__init__(threads=threads)
        self._checked: set[tuple[str, str]] = set()  # (base_url, key env) that answered

    def version(self) -> str:
        """The client's version (the server's model is in the key through the voice)."""
        return f"openai-compatible speech (audiolesson {__version__.split('+')[0]})"

    # --- settings ------------------------------------------------------------------------------

    @staticmethod
    def settings(voice: Voice) -> dict[str, Any]:
        """The voice's request settings with the defaults filled in (what goes into keys)."""
        opts = voice.opts
        where = _where(voice)
        fmt = str(opts.get("format", "wav")).lower()
        if fmt not in FORMATS:
            raise ConfigError(
                f"voice {voice.name!r}: openai format must be one of: {', '.join(FORMATS)} "
                f"(opus is not decoded here); got {fmt!r}",
                path=where,
            )
        base = str(opts.get("base_url", DEFAULT_BASE_URL)).rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise ConfigError(f"voice {voice.name!r}: base_url must be http(s)://...", path=where)
        low, high = SPEED_RANGE
        if not low <= voice.speed <= high:
            raise ConfigError(
                f"voice {voice.name!r}: the speech API takes speed {low:g} to {high:g}, got "
                f"{voice.speed:g}",
                path=where,
            )
        return {
            "base_url": base,
            "model": voice.model or DEFAULT_MODEL,
            "voice": str(voice.speaker) if voice.speaker is not None else DEFAULT_SPEAKER,
            "format": fmt,
            "speed": float(voice.speed),
        }

    def fingerprint(self, voice: Voice) -> str:
        """A hash of the request settings, defaults included: a new default is a new key."""
        return digest(self.settings(voice))

    def concurrency(self, voice: Voice) -> tuple[str, int]:
        """Turns of voices on one server share one pool of `concurrency` threads."""
        count = voice.opts.get("concurrency", 4)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ConfigError(
                f"voice {voice.name!r}: concurrency must be 1 or more, got {count!r}",
                path=_where(voice),
            )
        return self.settings(voice)["base_url"], count

    def check_voice(self, voice: Voice) -> None:
        """The voice's settings make a request (format, base_url, speed, concurrency); the
        server is not asked here (`preflight` asks it before a build sends anything)."""
        self.concurrency(voice)

    @classmethod
    def describe_model(cls, voice: Voice) -> str | None:
        """The server's model and where it runs: `kokoro at http://127.0.0.1:8880/v1`."""
        base = str(voice.opts.get("base_url", DEFAULT_BASE_URL)).rstrip("/")
        return f"{voice.model or DEFAULT_MODEL} at {base}"

    def _token(self, voice: Voice, base: str) -> str | None:
        env = str(voice.opts.get("api_key_env", DEFAULT_KEY_ENV))
        token = os.environ.get(env) or None
        if token is None and base == DEFAULT_BASE_URL:
            raise EngineUnavailable(
                f"openai: no API key: set the environment variable {env} (or give "
                "options.api_key_env, or a base_url of a server that needs none)"
            )
        return token

    # --- requests ------------------------------------------------------------------------------

    def _request(self, voice: Voice, path: str, body: dict[str, Any] | None) -> tuple[bytes, str]:
        """One request: (the body, its content type); raises _RetryableError or EngineError."""
        settings = self.settings(voice)
        base = settings["base_url"]
        token = self._token(voice, base)
        headers = {"User-Agent": f"audiolesson/{__version__}"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(f"{base}{path}", data=data, headers=headers)
        timeout = float(voice.opts.get("timeout", 120.0))
        started = time.monotonic()

        def secret_free(text: str) -> str:  # a server may echo what it was sent
            return text.replace(token, "***") if token else text

        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                chunks, size = [], 0
                while block := response.read(1 << 16):
                    chunks.append(block)
                    size += len(block)
                    if size > MAX_BYTES:
                        raise EngineError(f"openai: {base} sent over {MAX_BYTES >> 20} MB")
                    if time.monotonic() - started > timeout:
                        raise _RetryableError(f"no whole answer in {timeout:g} s")
                return b"".join(chunks), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            detail = secret_free(" ".join(exc.read(2000).decode(errors="replace").split()))[:200]
            why = f"{base}{path} answered HTTP {exc.code}" + (f": {detail}" if detail else "")
            if exc.code == 429 or exc.code >= 500:
                raise _RetryableError(why, _retry_after(exc.headers.get("Retry-After"))) from None
            if exc.code in (401, 403):
                raise EngineUnavailable(
                    f"openai: {why}; check the key in the environment"
                ) from None
            raise EngineError(f"openai: {why}") from None
        except (OSError, http.client.HTTPException) as exc:  # refused, reset, timed out
            reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc
            raise _RetryableError(f"cannot reach {base} ({secret_free(str(reason))})") from None

    def _send(self, voice: Voice, path: str, body: dict[str, Any] | None) -> tuple[bytes, str]:
        """The request, tried again with backoff on 429, 5xx and dropped connections."""
        tries = int(voice.opts.get("tries", 5))
        wait = self.backoff
        for attempt in range(1, max(tries, 1) + 1):
            try:
                return self._request(voice, path, body)
            except _RetryableError as exc:
                if attempt >= tries:
                    raise EngineError(f"openai: {exc.why} (after {attempt} tries)") from None
                pause = min(MAX_WAIT, exc.after if exc.after is not None else wait)
                log.info("openai: %s; trying again in %.1f s (%d of %d)", exc.why, pause,
                         attempt + 1, tries)  # fmt: skip
                self.sleep(pause)
                wait *= 2
        raise AssertionError("unreachable")  # the loop returns or raises

    def preflight(self, voice: Voice) -> None:
        """Ask the server once (GET /models) before any turn: a key or a server missing is one
        line. A 404 is fine: some servers have no /models, but they did answer."""
        settings = self.settings(voice)
        key = (settings["base_url"], str(voice.opts.get("api_key_env", DEFAULT_KEY_ENV)))
        if key in self._checked:
            return
        try:
            self._request(voice, "/models", None)
        except _RetryableError as exc:
            raise EngineUnavailable(
                f"openai: {exc.why}; start the server or fix options.base_url"
            ) from None
        except EngineUnavailable:
            raise
        except EngineError as exc:
            if "HTTP 404" not in exc.message and "HTTP 405" not in exc.message:
                raise EngineUnavailable(exc.message) from None
        self._checked.add(key)

    def synthesize(self, text: str, voice: Voice) -> Audio:
        """Send the text, decode the answer."""
        import numpy as np

        settings = self.settings(voice)
        if not text.strip():
            return Audio(np.zeros((0, 1), np.float32), PCM_RATE)
        body = {
            "model": settings["model"],
            "input": text,
            "voice": settings["voice"],
            "speed": settings["speed"],
            "response_format": settings["format"],
        }
        data, content_type = self._send(voice, "/audio/speech", body)
        try:
            return _decode(data, settings["format"])
        except Exception as exc:  # soundfile/ffmpeg raise their own classes
            raise EngineError(
                f"openai: {settings['base_url']} sent {len(data)} bytes of {content_type or '?'} "
                f"that are not {settings['format']} audio ({type(exc).__name__})"
            ) from exc


def _decode(data: bytes, fmt: str) -> Audio:
    """The server's answer as float samples."""
    import numpy as np

    if fmt == "pcm":
        samples = np.frombuffer(data[: len(data) // 2 * 2], "<i2").astype(np.float32) / 32768
        return Audio(samples.reshape(-1, 1), PCM_RATE)
    if fmt == "mp3":
        from ...audio_io import decode_mp3

        return decode_mp3(data, PCM_RATE)
    import soundfile

    samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    if samples.shape[1] > 1:
        samples = samples.mean(axis=1, keepdims=True)
    return Audio(np.ascontiguousarray(samples, np.float32), int(rate))
