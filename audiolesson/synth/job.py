"""What a synthesis run is given (one SynthJob per missing clip) and gives back (a SynthDone each).

Every executor keeps the same contract: a turn that fails is returned with its reason, not
raised, so the other turns go on; `first_failure` makes the build's one error of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import AudiolessonError, EngineError
from ..voices.engines.base import Voice
from .cache import ClipCache
from .settings import SynthSettings

__all__ = ["Executor", "SynthDone", "SynthJob", "describe_failure", "first_failure"]


@dataclass(frozen=True)
class SynthJob:
    """One clip to render: where it came from, what to say, with which voice."""

    key: str
    spoken: str
    voice: Voice
    path: str  #: script path, for errors
    line: int  #: script line, for errors

    @property
    def where(self) -> str:
        """`path:line` of the turn, for messages."""
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class SynthDone:
    """A rendered clip (or why it failed)."""

    job: SynthJob
    seconds: float  #: audio length
    elapsed: float  #: wall time spent rendering
    error: str | None = None


#: how an executor is called: (jobs, cache, settings, on_done) -> every job's SynthDone
Executor = Callable[
    [Sequence[SynthJob], ClipCache, SynthSettings, Callable[[SynthDone], None] | None],
    list[SynthDone],
]


def describe_failure(job: SynthJob, exc: BaseException | str, cache: Path | None = None) -> str:
    """One line naming the script line, the voice and the engine (or the disk, if it failed)."""
    if isinstance(exc, OSError) and exc.errno is not None:
        # the clip was rendered but could not be stored: a full or read-only disk, not the voice
        where = Path(exc.filename).parent if exc.filename else cache or "the cache"
        return f"could not store this turn's clip in {where}: {exc.strerror}"
    why = exc.message if isinstance(exc, AudiolessonError) else str(exc) or type(exc).__name__
    return f"voice {job.voice.name!r} (engine {job.voice.engine}) failed on this turn: {why}"


def first_failure(results: list[SynthDone]) -> EngineError | None:
    """An EngineError for the first failed turn (with path:line), or None."""
    for r in results:
        if r.error is not None:
            failed = sum(1 for x in results if x.error is not None)
            more = f" ({failed - 1} more turns failed)" if failed > 1 else ""
            return EngineError(r.error + more, path=r.job.path, line=r.job.line)
    return None
