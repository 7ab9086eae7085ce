"""Build events: small typed records that a build reports as it goes.

The CLI shows them as progress lines or, with `build --json`, as one JSON object per line
(`to_json()`: the field names, in order, after `"event"`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

__all__ = [
    "EpisodeUnchanged",
    "EpisodeWritten",
    "Event",
    "EventSink",
    "Planned",
    "Progress",
    "Published",
    "Started",
    "Summary",
    "Synthesized",
    "Warned",
]


@dataclass(frozen=True)
class Event:
    """Base of every build event."""

    kind: ClassVar[str] = ""

    def to_json(self) -> dict[str, Any]:
        """The event as `build --json` prints it."""
        return {"event": self.kind, **{f.name: getattr(self, f.name) for f in fields(self)}}


EventSink = Callable[[Event], None]


@dataclass(frozen=True)
class Warned(Event):
    """A script warning (on stderr; with --strict the build stops instead)."""

    kind: ClassVar[str] = "warning"
    script: str | None
    line: int | None
    message: str


@dataclass(frozen=True)
class Planned(Event):
    """What building one script involves."""

    kind: ClassVar[str] = "plan"
    script: str
    episode: str
    up_to_date: bool
    turns: int
    to_synthesize: int
    estimated_audio_seconds: float
    lines: list[int]


@dataclass(frozen=True)
class Started(Event):
    """Synthesis starts."""

    kind: ClassVar[str] = "start"
    episodes: int
    turns: int
    to_synthesize: int


@dataclass(frozen=True)
class Synthesized(Event):
    """One turn synthesised (or why it failed)."""

    kind: ClassVar[str] = "synthesized"
    script: str
    line: int
    voice: str
    seconds: float
    error: str | None
    elapsed: float = 0.0  #: wall time the worker spent rendering the turn


@dataclass(frozen=True)
class Progress(Event):
    """A step of exporting an episode (a block encoded, the MP3 being written)."""

    kind: ClassVar[str] = "progress"
    episode: str
    message: str


@dataclass(frozen=True)
class EpisodeWritten(Event):
    """An episode written to output/."""

    kind: ClassVar[str] = "episode"
    episode: str
    status: str = field(default="written", init=False)
    path: str
    duration: float
    chapters_encoded: int
    chapters_reused: int


@dataclass(frozen=True)
class EpisodeUnchanged(Event):
    """An episode already up to date: not touched."""

    kind: ClassVar[str] = "episode"
    episode: str
    status: str = field(default="unchanged", init=False)


@dataclass(frozen=True)
class Published(Event):
    """The listening page (and the feed) written."""

    kind: ClassVar[str] = "published"
    files: list[str]


@dataclass(frozen=True)
class Summary(Event):
    """The last event of a build: what it did."""

    kind: ClassVar[str] = "summary"
    episodes_written: int
    episodes_unchanged: int
    turns_total: int
    turns_synthesized: int
    turns_cached: int
    chapters_encoded: int
    chapters_reused: int
    seconds: float
