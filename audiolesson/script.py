"""Lesson scripts: the data model and `parse(text, path) -> Script` (pure: no I/O, no audio)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import ScriptError, ScriptWarning

__all__ = [
    "PAUSE_DEFAULTS",
    "Chapter",
    "Metadata",
    "Pause",
    "Script",
    "ScriptError",
    "ScriptWarning",
    "Turn",
    "parse",
]

#: Default pause lengths in seconds, overridable with the front matter's `pauses:`.
PAUSE_DEFAULTS: dict[str, float] = {
    "same_speaker": 0.35,  # the same speaker goes on with a new turn / paragraph
    "speaker_change": 0.6,  # another speaker takes over
    "subchapter": 1.2,  # before the first turn of a `##` sub-chapter
    "chapter": 2.0,  # after the last turn of a chapter, before the next one
}


@dataclass(frozen=True)
class Turn:
    """One stretch of speech by one speaker (None: narration)."""

    speaker: str | None
    text: str  #: written text, inline Markdown reduced; what the transcript shows
    spoken: str  #: text after the script's `say` lexicon; what the engine reads
    line: int  #: 1-based line of the turn's first line in the source file


@dataclass(frozen=True)
class Pause:
    """An explicit `[pause 1.5s]` directive."""

    seconds: float
    line: int


@dataclass
class Chapter:
    """A `#` chapter (level 1) or `##` sub-chapter (level 2) with its turns and pauses in order."""

    title: str
    level: int
    line: int  #: line of the heading (for the opening chapter: line of its first item)
    items: list[Turn | Pause] = field(default_factory=list)

    @property
    def turns(self) -> list[Turn]:
        """The chapter's turns, without pauses."""
        return [i for i in self.items if isinstance(i, Turn)]


@dataclass
class Metadata:
    """Front matter, validated. Unknown keys become warnings."""

    title: str = ""
    subtitle: str | None = None
    series: str | None = None
    episode: str | None = None
    author: str | None = None
    language: str = "en"
    description: str | None = None
    cover: str | None = None  #: as written: relative to the script's folder
    cast: dict[str, str] = field(default_factory=dict)  #: speaker name -> voice name
    narrator: str | None = None  #: voice name for narration
    say: dict[str, str] = field(default_factory=dict)  #: written word -> spoken form
    pauses: dict[str, float] = field(default_factory=dict)  #: overrides of PAUSE_DEFAULTS
    lines: dict[str, int] = field(default_factory=dict)  #: key (e.g. "cast.Teacher") -> line


@dataclass
class Script:
    """A parsed script: metadata, chapters (flat, each with a level) and warnings."""

    path: str
    meta: Metadata
    chapters: list[Chapter]
    warnings: list[ScriptWarning] = field(default_factory=list)

    @property
    def turns(self) -> list[Turn]:
        """Every turn of every chapter, in order."""
        return [t for c in self.chapters for t in c.turns]

    @property
    def speakers(self) -> list[str]:
        """Speaker names in order of first appearance."""
        seen: dict[str, None] = {}
        for t in self.turns:
            if t.speaker is not None:
                seen.setdefault(t.speaker, None)
        return list(seen)


def parse(text: str, path: str = "<string>") -> Script:
    """Parse script text into a Script, or raise ScriptError(path, line, column)."""
    raise NotImplementedError  # implemented by the script-format work (issue 2)
