"""The episode timeline: what the exporter is given (clips and silences per chapter) and what it
reports back (a cue per turn, a mark per chapter), all in seconds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..audio import Audio

__all__ = ["NARRATOR", "ChapterInput", "ChapterMark", "ClipItem", "Cue", "Silence"]

NARRATOR = "Narrator"  #: transcript label of turns without a speaker


@dataclass(frozen=True)
class Silence:
    """A pause of a fixed length."""

    seconds: float


@dataclass(frozen=True)
class ClipItem:
    """One turn's synthesised audio plus what the transcript needs."""

    key: str  #: content hash of the clip (stable)
    load: Callable[[], Audio]  #: returns the clip's audio (engine-native rate, mono or stereo)
    speaker: str | None  #: display name; None = narration ("Narrator" in the transcript)
    text: str  #: written text for the transcript
    line: int  #: script line (for errors)
    gain_db: float = 0.0  #: the voice's volume: offset from the loudness target after matching


@dataclass
class ChapterInput:
    """A chapter or sub-chapter: its title, level, a hash of its audio, and its timeline."""

    title: str
    level: int  #: 1 = chapter, 2 = sub-chapter
    key: str  #: hash of everything that changes this chapter's audio
    items: list[Silence | ClipItem] = field(default_factory=list)


@dataclass(frozen=True)
class Cue:
    """One turn on the episode timeline (seconds), for the transcript."""

    start: float
    end: float
    speaker: str | None  #: None = narration
    text: str
    line: int | None = None  #: script line (None when read back from a transcript file)

    @property
    def label(self) -> str:
        """The speaker's name as the transcript shows it."""
        return self.speaker or NARRATOR


@dataclass(frozen=True)
class ChapterMark:
    """A chapter or sub-chapter on the episode timeline (seconds)."""

    title: str
    level: int
    start: float
    end: float
