"""The system's offline voices through pyttsx3 (espeak-ng on Linux, SAPI5, NSSpeechSynthesizer).

Voice settings: `model` (a system voice id, e.g. "gmw/en-us"), `speed` (rate factor on the
driver's 200 words per minute). Options: `rate` (words per minute, overrides speed),
`volume` (the driver's own volume, 0..1). Audio is rendered to a temporary file, never to
the speakers.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import json
import logging
import re
import subprocess
import sys
import tempfile
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any, ClassVar

from ...audio import Audio
from ...audio_io import read_wav
from ...errors import ConfigError, EngineError, EngineUnavailable
from ...speech import normal_word
from .base import Engine, EngineVoice, Unit, Voice

log = logging.getLogger(__name__)

BASE_RATE = 200  #: words per minute at speed 1.0 (pyttsx3's default)
CHUNK_CHARS = 100  #: longest piece of text handed to the driver at once
MAX_SPEAKERS = 8  #: speaking child processes kept per engine instance (one per voice setting)
OPTIONS: dict[str, tuple[type, str]] = {
    "rate": (int, "words per minute (overrides speed)"),
    "volume": (float, "the driver's volume, 0..1"),
}


def _install_hint() -> str:
    """What to install for the platform's speech driver."""
    if sys.platform.startswith("linux"):
        return "install espeak-ng: apt-get install espeak-ng (Debian/Ubuntu), dnf install espeak-ng"
    if sys.platform == "win32":
        return "pip install pywin32 (SAPI5 ships with Windows)"
    return "pip install pyobjc (NSSpeechSynthesizer ships with macOS)"


class Pyttsx3Engine(Engine):
    """The operating system's speech synthesiser via pyttsx3."""

    name: ClassVar[str] = "pyttsx3"
    native_effects: ClassVar[frozenset[str]] = frozenset({"speed"})
    option_specs: ClassVar[dict[str, tuple[type, str]]] = OPTIONS
    #: espeak-ng reports the sample at which it starts each word (its word events); a driver
    #: without them (SAPI5, NSSpeechSynthesizer) gives no units and the words are found in the
    #: audio instead
    timed: ClassVar[str | None] = "events"

    def __init__(self, *, threads: int | None = None) -> None:
        super().__init__(threads=threads)
        self._driver: Any = None
        self._speakers: dict[str, _Speaker] = {}
        self._ids: set[str] | None = None
        atexit.register(self.close)

    def version(self) -> str:
        """`pyttsx3 <version>` plus the platform's driver."""
        try:
            ver = package_version("pyttsx3")
        except PackageNotFoundError:
            ver = "(not installed)"
        # espeak-ng speaks a turn as one utterance (before: pieces of 100 characters, joined)
        whole = " whole-turns" if sys.platform.startswith("linux") else ""
        return f"pyttsx3 {ver} {sys.platform}{whole}"

    def _engine(self) -> Any:
        """The pyttsx3 engine, created once per process."""
        if self._driver is None:
            try:
                import pyttsx3
            except ImportError as exc:
                raise EngineUnavailable(
                    "pyttsx3 is not installed; run: pip install pyttsx3"
                ) from exc
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    self._driver = pyttsx3.init()
                # pyttsx3's driver fails noisily if it is collected during interpreter shutdown
                atexit.register(self._release)
            except (OSError, RuntimeError, ImportError, KeyError) as exc:
                detail = " ".join(str(exc).split())[:160]
                raise EngineUnavailable(
                    f"pyttsx3 cannot load the system speech library ({detail}); {_install_hint()}"
                ) from exc
        return self._driver

    def _release(self) -> None:
        """Let go of the driver while the interpreter is still whole."""
        self._driver = None

    def check(self) -> None:
        """Raise EngineUnavailable unless pyttsx3 and the system speech library load."""
        self._engine()

    def voices(self) -> list[EngineVoice]:
        """The system's voices."""
        found = []
        for v in self._engine().getProperty("voices"):
            langs = [
                lang.decode(errors="replace") if isinstance(lang, bytes) else str(lang)
                for lang in (getattr(v, "languages", None) or [])
            ]
            found.append(
                EngineVoice(id=str(v.id), name=str(v.name), language=langs[0] if langs else None)
            )
        return found

    def region(self, voice: Voice) -> str | None:
        """From the system voice id: "gmw/en-us" is US, espeak-ng's plain "gmw/en" British."""
        model = (voice.model or "").lower()
        found = re.search(r"(?<![a-z])en[-_]([a-z]{2})(?![a-z])", model)
        if found:
            return found[1].upper()
        return "GB" if re.search(r"(?:^|/)en$", model) else None

    def fingerprint(self, voice: Voice) -> str:
        """The system library has no model file to hash; its version is in version()."""
        return ""

    def synthesize(self, text: str, voice: Voice) -> Audio:
        """Render text to a temporary WAV file with the system voice and read it back."""
        return self.synthesize_timed(text, voice)[0]

    def synthesize_timed(self, text: str, voice: Voice) -> tuple[Audio, list[Unit] | None]:
        """The audio, and each word from where the driver started it to where its voice ends
        (None where the driver reports no word events)."""
        engine = self._engine()
        opts = voice.opts
        if voice.speed <= 0:
            raise ConfigError(f"voice {voice.name!r}: speed must be > 0, got {voice.speed}")
        ids = self._voice_ids(engine)
        if voice.model is not None and voice.model not in ids:
            english = sorted(i for i in ids if "en" in i.lower())[:8]
            raise ConfigError(
                f"voice {voice.name!r}: unknown system voice {voice.model!r}; choose one of: "
                f"{', '.join(english)} ... (see `audiolesson voices`)",
                path=voice.source if voice.source not in (None, "preset") else None,
            )
        settings = {
            "voice": voice.model,
            "rate": int(opts.get("rate", round(BASE_RATE * voice.speed))),
            "volume": float(opts.get("volume", 1.0)),
        }
        with tempfile.TemporaryDirectory(prefix="audiolesson-pyttsx3-") as tmp:
            out = Path(tmp) / "turn.wav"
            reply = self._speaker(settings).speak(chunks(text), out, text)
            if not out.is_file() or out.stat().st_size <= 44:
                raise EngineError(f"pyttsx3 produced no audio for {text[:40]!r}")
            audio = read_wav(out)
        return audio, event_units(audio, reply.get("words"))

    def _voice_ids(self, engine: Any) -> set[str]:
        """The system voices' ids, listed once per process (espeak-ng lists over a hundred)."""
        if self._ids is None:
            self._ids = {str(v.id) for v in engine.getProperty("voices")}
        return self._ids

    def _speaker(self, settings: dict[str, Any]) -> _Speaker:
        """The child process that speaks with these settings, started on first use and kept."""
        key = json.dumps(settings, sort_keys=True)
        speaker = self._speakers.pop(key, None)
        if speaker is None or not speaker.alive():
            if speaker is not None:
                speaker.close()
            speaker = _Speaker(settings)
        self._speakers[key] = speaker  # most recently used last
        while len(self._speakers) > MAX_SPEAKERS:
            self._speakers.pop(next(iter(self._speakers))).close()
        return speaker

    def close(self) -> None:
        """End every speaking child process (also done at exit)."""
        while self._speakers:
            self._speakers.popitem()[1].close()


class _Speaker:
    """A child process that speaks many turns with one setting (voice, rate, volume).

    pyttsx3's driver is reliable for one setting per process (a changed rate may be ignored by
    later utterances), so each setting gets its own process, and it stays for every turn with that
    setting: one Python start-up per voice and worker instead of one per turn. Requests and
    replies are JSON lines on the child's stdin and a private copy of its stdout; what the speech
    library prints goes to a temporary file, quoted when the child fails.
    """

    def __init__(self, settings: dict[str, Any]) -> None:
        self._log = tempfile.TemporaryFile(mode="w+", prefix="audiolesson-pyttsx3-")
        self._proc = subprocess.Popen(
            [sys.executable, "-c", _CHILD, json.dumps(settings)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )

    def alive(self) -> bool:
        return self._proc.poll() is None

    def speak(self, pieces: list[str], out: Path, text: str) -> dict[str, Any]:
        """Write the pieces, spoken one after another, to the WAV file `out`; the child's reply
        (with "words" where the driver reported word events)."""
        whole = " ".join(text.split())
        request = json.dumps({"text": whole, "chunks": pieces, "out": str(out)})
        try:
            self._proc.stdin.write(request + "\n")  # type: ignore[union-attr]
            self._proc.stdin.flush()  # type: ignore[union-attr]
            line = self._proc.stdout.readline()  # type: ignore[union-attr]
        except (BrokenPipeError, OSError):
            line = ""
        reply = json.loads(line) if line.strip() else {"error": self._failure()}
        if "error" in reply:
            self.close()  # a child that failed once is not trusted with the next turn
            raise EngineError(f"pyttsx3 failed on {text[:40]!r}: {reply['error']}")
        return dict(reply)

    def _failure(self) -> str:
        """Why the child stopped answering: the end of what it printed, or its exit status."""
        self._log.seek(0)
        detail = " ".join(self._log.read().split())[-200:]
        code = self._proc.poll()
        return detail or f"the speech process ended (status {code})"

    def close(self) -> None:
        """Ask the child to finish (end of input) and wait a moment; kill it if it lingers."""
        with contextlib.suppress(OSError):
            self._proc.stdin.close()  # type: ignore[union-attr]
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        with contextlib.suppress(OSError):
            self._proc.stdout.close()  # type: ignore[union-attr]
        self._log.close()


def chunks(text: str, limit: int = CHUNK_CHARS) -> list[str]:
    """Text cut into pieces of at most `limit` characters: at sentence ends, then commas, then
    spaces (a single longer word stays whole)."""
    pieces: list[str] = []
    for sentence in re.split(r"(?<=[.!?;:])\s+", " ".join(text.split())):
        parts = re.split(r"(?<=,)\s+", sentence) if len(sentence) > limit else [sentence]
        for part in parts:
            current = ""
            for word in part.split(" "):
                if current and len(current) + 1 + len(word) > limit:
                    pieces.append(current)
                    current = word
                else:
                    current = f"{current} {word}" if current else word
            if current:
                pieces.append(current)
    return [p for p in pieces if p.strip()]


FRAME_SECONDS = 0.01  #: the stretch whose loudness says whether a word is still being voiced
VOICED_SHARE = 0.03  #: a stretch quieter than this share of the clip's loudest is not voice


def event_units(audio: Audio, words: list[list[Any]] | None) -> list[Unit] | None:
    """Units from the driver's word events: `words` is [text, first sample] per word in order.
    A word runs from its first sample to the next word's (the last: to the end of the audio),
    less the silence before that: the pause after a comma is nobody's."""
    import numpy as np

    if not words:
        return None
    rate = audio.sample_rate
    step = max(1, int(rate * FRAME_SECONDS))
    mono = audio.samples.mean(axis=1) if audio.samples.ndim == 2 else audio.samples
    frames = len(mono) // step
    loud = np.sqrt(np.mean(np.square(mono[: frames * step].reshape(frames, step)), axis=1))
    voiced = loud > (float(loud.max()) if frames else 0.0) * VOICED_SHARE
    units: list[Unit] = []
    for i, (label, first) in enumerate(words):
        following = words[i + 1][1] if i + 1 < len(words) else len(mono)
        stop = following if following > first else len(mono)
        last = int(first) // step
        for f in range(min(stop // step, frames) - 1, int(first) // step, -1):
            if voiced[f]:
                last = f + 1
                break
        end = max(int(first), min(stop, last * step))
        units.append((normal_word(str(label)), int(first) / rate, end / rate))
    return units


# The speaking child. Its fd 1 goes to stderr at once (the speech library may print there);
# replies go to a private copy of the original stdout. With espeak-ng (Linux) the turn is one
# utterance, synthesised straight through the driver and waited for with espeak_Synchronize; its
# word events give the words' first samples. Other drivers go through pyttsx3's runAndWait, which
# writes nothing for utterances longer than about 120 characters there, so the turn comes in
# short pieces, joined here.
_CHILD = """
import contextlib, io, json, os, sys, wave
replies = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)
import pyttsx3
setting = json.loads(sys.argv[1])

def start():
    with contextlib.redirect_stdout(io.StringIO()):
        engine = pyttsx3.init()
        if setting["voice"] is not None:
            engine.setProperty("voice", setting["voice"])
        engine.setProperty("rate", setting["rate"])
        engine.setProperty("volume", setting["volume"])
    return engine

def espeak_driver(engine):
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    return driver if type(driver).__name__ == "EspeakDriver" else None

def marks(text, said, frames):  # [word, first sample] from espeak's word events
    # espeak counts characters from 1, and runs some words into the next without an event
    # ("that it needs": none for "it"): the words up to the next event share its stretch
    found = sorted((p - 1, min(s, frames)) for p, _, s in said if 0 < p <= len(text))
    words = []
    for k, (first, sample) in enumerate(found):
        last, until = found[k + 1] if k + 1 < len(found) else (len(text), frames)
        group = text[first:last].split()
        total = sum(len(w) + 1 for w in group)
        done = 0
        for word in group:
            words.append([word, sample + (until - sample) * done // total])
            done += len(word) + 1
    return words

def speak_espeak(driver, job):
    from pyttsx3.drivers import _espeak
    said = []
    on_synth = driver._onSynth
    def on_audio(wav, numsamples, events):
        i = 0
        while events[i].type != _espeak.EVENT_LIST_TERMINATED:
            event = events[i]
            if event.type == _espeak.EVENT_WORD:
                said.append((event.text_position, event.length, event.sample))
            i += 1
        return on_synth(wav, numsamples, events)
    _espeak.SetSynthCallback(on_audio)
    text = job["text"]
    with contextlib.redirect_stdout(io.StringIO()):
        # pyttsx3 queues property changes for runAndWait, which this path does not run
        if setting["voice"] is not None:
            driver.setProperty("voice", setting["voice"])
        driver.setProperty("rate", setting["rate"])
        driver.setProperty("volume", setting["volume"])
        driver.save_to_file(text, job["out"])
        driver._start_synthesis(text)
        _espeak.Synchronize()
    if not os.path.exists(job["out"]) or os.path.getsize(job["out"]) <= 44:
        return {"error": f"no audio for {text[:40]!r}"}
    with wave.open(job["out"]) as w:
        frames = w.getnframes()
    return {"ok": True, "words": marks(text, said, frames)}

def speak_pieces(engine, job):
    audio, params = [], None
    for i, chunk in enumerate(job["chunks"]):
        part = job["out"] + f".{i}.wav"
        for attempt in range(3):
            with contextlib.redirect_stdout(io.StringIO()):
                engine.save_to_file(chunk, part)
                engine.runAndWait()
            if os.path.exists(part) and os.path.getsize(part) > 44:
                break
        else:
            return {"error": f"no audio for {chunk[:40]!r}"}
        with wave.open(part) as w:
            params = w.getparams()
            audio.append(w.readframes(w.getnframes()))
        os.unlink(part)
    with wave.open(job["out"], "wb") as w:
        w.setparams(params)
        w.writeframes(b"".join(audio))
    return {"ok": True, "words": None}

def speak(job):
    engine = start()
    driver = espeak_driver(engine)
    return speak_espeak(driver, job) if driver else speak_pieces(engine, job)

for line in sys.stdin:
    job = json.loads(line)
    pid = os.fork()
    if pid == 0:  # every turn speaks from the same fresh driver state: the same audio every time
        try:
            reply = speak(job)
        except Exception as exc:
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        with open(job["out"] + ".reply", "w") as fh:
            fh.write(json.dumps(reply))
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    try:
        with open(job["out"] + ".reply") as fh:
            reply = json.load(fh)
        os.unlink(job["out"] + ".reply")
    except OSError:
        reply = {"error": f"the speaking process ended with status {status}"}
    replies.write(json.dumps(reply) + "\\n")
    replies.flush()
"""
