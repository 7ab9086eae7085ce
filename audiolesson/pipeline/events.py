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

    #: keys `build --json` printed before a field was renamed: old key -> field (kept, so that
    #: scripts reading the old key go on working)
    aliases: ClassVar[dict[str, str]] = {}

    def to_json(self) -> dict[str, Any]:
        """The event as `build --json` prints it."""
        data = {"event": self.kind, **{f.name: getattr(self, f.name) for f in fields(self)}}
        return data | {old: data[new] for old, new in self.aliases.items()}


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
    aliases: ClassVar[dict[str, str]] = {"chapters_encoded": "chapters_with_new_blocks"}
    episode: str
    status: str = field(default="written", init=False)
    path: str
    duration: float
    chapters_with_new_blocks: int  #: chapters of which at least one block was encoded
    chapters_reused: int  #: chapters whose every block came from the block cache
    blocks_encoded: int = 0  #: blocks (about eight turns each) mixed and encoded
    blocks_reused: int = 0  #: blocks taken from the block cache


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
    aliases: ClassVar[dict[str, str]] = {"chapters_encoded": "chapters_with_new_blocks"}
    episodes_written: int
    episodes_unchanged: int
    turns_total: int
    turns_synthesized: int
    turns_cached: int
    chapters_with_new_blocks: int
    chapters_reused: int
    seconds: float
    blocks_encoded: int = 0
    blocks_reused: int = 0
