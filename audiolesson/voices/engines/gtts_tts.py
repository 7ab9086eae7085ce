"""Google's online voices through gTTS: the only engine that needs the internet (at build time).

Voice settings: `model` (language code, default "en"). Options: `tld` (accent: com, co.uk,
com.au, co.in, ca, ie, co.za ...), `slow` (bool). Transient failures (no answer, HTTP 429 or
5xx) are retried with exponential backoff.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import ClassVar

from ...audio import Audio
from ...audio_io import decode_mp3
from ...errors import ConfigError, EngineError, EngineUnavailable
from .base import Engine, EngineVoice, Voice

log = logging.getLogger(__name__)

SAMPLE_RATE = 24000  #: gTTS serves 24 kHz mono MP3
OPTIONS: dict[str, tuple[type, str]] = {
    "tld": (str, "Google host, sets the accent: com, co.uk, com.au, co.in, ca, ie, co.za ..."),
    "slow": (bool, "read slowly"),
}


class GttsEngine(Engine):
    """gTTS with retries; `sleep`, `tries` and `backoff` are injectable so tests never wait."""

    name: ClassVar[str] = "gtts"
    option_specs: ClassVar[dict[str, tuple[type, str]]] = OPTIONS
    online: ClassVar[bool] = True  #: needs the internet to synthesise

    def __init__(
        self,
        tries: int = 4,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        *,
        threads: int | None = None,
    ) -> None:
        super().__init__(threads=threads)
        self.tries = max(1, tries)
        self.backoff = backoff
        self.sleep = sleep

    def version(self) -> str:
        """`gTTS <version>`: Google's voices themselves are not versioned."""
        try:
            return f"gTTS {package_version('gTTS')}"
        except PackageNotFoundError:
            return "gTTS (not installed)"

    def check(self) -> None:
        """Raise EngineUnavailable unless gTTS imports (the network is tried only to synthesise)."""
        try:
            import gtts  # noqa: F401
        except ImportError as exc:
            raise EngineUnavailable("gtts: gTTS is not installed; run: pip install gTTS") from exc

    def voices(self) -> list[EngineVoice]:
        """gTTS's languages (accents come from the tld option)."""
        self.check()
        from gtts.lang import tts_langs

        return [
            EngineVoice(id=code, name=name, language=code) for code, name in tts_langs().items()
        ]

    def fingerprint(self, voice: Voice) -> str:
        """No local model data."""
        return ""

    def synthesize(self, text: str, voice: Voice) -> Audio:
        """Fetch the MP3 from Google (retrying transient failures) and decode it."""
        self.check()
        from gtts import gTTS, gTTSError

        opts = voice.opts
        tld = str(opts.get("tld", "com"))
        try:
            tts = gTTS(
                text,
                lang=voice.model or "en",
                tld=tld,
                slow=bool(opts.get("slow", False)),
                timeout=10,
            )
        except (ValueError, AssertionError) as exc:  # unknown language, empty text
            raise ConfigError(
                f"voice {voice.name!r}: gTTS: {exc}",
                path=voice.source if voice.source not in (None, "preset") else None,
            ) from exc
        host = f"translate.google.{tld}"
        for attempt in range(1, self.tries + 1):
            buf = io.BytesIO()
            try:
                tts.write_to_fp(buf)
                return decode_mp3(buf.getvalue(), SAMPLE_RATE)
            except gTTSError as exc:
                status = exc.rsp.status_code if exc.rsp is not None else None
                transient = status is None or status == 429 or status >= 500
                if not transient or attempt == self.tries:
                    if status is None:
                        raise EngineError(
                            f"gTTS needs the internet; could not reach {host} after {attempt} "
                            f"tries; check the connection or use the offline engine 'piper'"
                        ) from exc
                    raise EngineError(f"gTTS failed: {exc} (after {attempt} tries)") from exc
                wait = self.backoff * 2 ** (attempt - 1)
                log.info(
                    "gtts: %s; retrying in %.1fs (try %d of %d)", exc, wait, attempt, self.tries
                )
                self.sleep(wait)
        raise AssertionError("unreachable")  # the loop returns or raises
