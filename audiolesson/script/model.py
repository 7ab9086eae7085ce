"""The script data model: Script, Metadata, Chapter, Turn, Pause, Sound, YourTurn, Music, Card,
and their limits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import ScriptWarning
from ..files import MAX_TEXT_BYTES

__all__ = [
    "MAX_LINE_CHARS",
    "MAX_PAUSE_SECONDS",
    "MAX_SCRIPT_BYTES",
    "MUSIC_RISE_DB",
    "MUSIC_RISE_RANGE",
    "MUSIC_VOLUME_DB",
    "MUSIC_VOLUME_RANGE",
    "PAUSE_DEFAULTS",
    "Card",
    "Chapter",
    "Metadata",
    "Music",
    "Pause",
    "Script",
    "Sound",
    "Turn",
    "YourTurn",
    "parse_seconds",
]

#: Default pause lengths in seconds, overridable with the front matter's `pauses:`.
PAUSE_DEFAULTS: dict[str, float] = {
    "same_speaker": 0.35,  # the same speaker goes on with a new turn / paragraph
    "speaker_change": 0.6,  # another speaker takes over
    "subchapter": 1.2,  # before the first turn of a `##` sub-chapter
    "chapter": 2.0,  # after the last turn of a chapter, before the next one
}


MAX_SCRIPT_BYTES = MAX_TEXT_BYTES  #: a script larger than this is refused: split it into episodes
MAX_LINE_CHARS = 20_000  #: a longer line is refused (usually a binary or minified file)
MAX_PAUSE_SECONDS = 60.0  #: pauses are 0 < seconds <= this
MUSIC_VOLUME_RANGE = (-40.0, -6.0)  #: dB of a music bed under speech, relative to the voice
MUSIC_RISE_RANGE = (0.0, 20.0)  #: dB a music bed rises by in pauses
MUSIC_VOLUME_DB = -18.0  #: a music bed's level under speech when the script sets none
MUSIC_RISE_DB = 8.0  #: how far a music bed rises in pauses when the script sets nothing


@dataclass(frozen=True)
class Turn:
    """One stretch of speech by one speaker (None: narration)."""

    speaker: str | None
    text: str  #: written text, inline Markdown reduced; what the transcript shows
    line: int  #: 1-based line of the turn's first line in the source file


@dataclass(frozen=True)
class Pause:
    """An explicit `[pause 1.5s]` directive."""

    seconds: float
    line: int


@dataclass(frozen=True)
class Sound:
    """A `[sound path]` directive: a sound file played at this point."""

    path: str  #: as written: relative to the script's folder
    line: int


@dataclass(frozen=True)
class YourTurn:
    """A `[your turn]` directive between a question and its answer: a practice gap.

    The listener hears a soft cue, then silence as long as the answer takes to say (or
    `seconds`, for `[your turn 5s]`), then the answer (see script.layout.practice_seconds).
    """

    seconds: float | None  #: a fixed gap; None: as long as the answer that follows
    line: int


@dataclass(frozen=True)
class Card:
    """A question, the practice gap after it and the answer that follows: one flash card."""

    question: Turn
    gap: YourTurn
    answer: Turn


@dataclass(frozen=True)
class Music:
    """A music bed under the narration and dialogue (`path` None: no music)."""

    path: str | None  #: as written: relative to the script's folder
    line: int | None  #: where it was set (front matter or a chapter's comment)
    volume: float = MUSIC_VOLUME_DB  #: dB under the voice while anyone speaks
    rise: float = MUSIC_RISE_DB  #: dB it rises by in pauses


@dataclass
class Chapter:
    """A `#` chapter (level 1) or `##` sub-chapter (level 2) with its turns, pauses and sounds."""

    title: str
    level: int
    line: int  #: line of the heading (for the opening chapter: line of its first item)
    items: list[Turn | Pause | Sound | YourTurn] = field(default_factory=list)
    #: `<!-- music: ... -->` right after the heading (None: the script's or the chapter's above)
    music: Music | None = None

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
    intro: str | None = None  #: sound file played before the first turn
    outro: str | None = None  #: sound file played after the last turn
    music: Music | None = None  #: music bed under the whole script
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
    def cards(self) -> list[Card]:
        """Every question / `[your turn]` / answer of the script, in order (the parser checked
        that each `[your turn]` has a turn before it in its chapter and its answer right after)."""
        found = []
        for chapter in self.chapters:
            question: Turn | None = None
            items = chapter.items
            for index, item in enumerate(items):
                if isinstance(item, Turn):
                    question = item
                elif isinstance(item, YourTurn) and question is not None:
                    answer = items[index + 1] if index + 1 < len(items) else None
                    if isinstance(answer, Turn):
                        found.append(Card(question, item, answer))
        return found

    @property
    def speakers(self) -> list[str]:
        """Speaker names in order of first appearance."""
        seen: dict[str, None] = {}
        for t in self.turns:
            if t.speaker is not None:
                seen.setdefault(t.speaker, None)
        return list(seen)


_SECONDS_RE = re.compile(
    r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)[ \t]*(ms|s|sec|secs|seconds?)?", re.IGNORECASE
)


def parse_seconds(value: str) -> float | None:
    """'1.5s', '500ms', '2 s' or '1.5' -> seconds; None if it is not a length."""
    m = _SECONDS_RE.fullmatch(value.strip())
    if not m:
        return None
    number = float(m.group(1))
    return number / 1000 if (m.group(2) or "").lower() == "ms" else number
