"""The episode timeline: what the exporter is given (clips, sound cues, silences and practice gaps
per chapter, a music bed under some chapters) and what it reports back (a cue per turn, a mark per
chapter), all in seconds. Items name their audio by key; the exporter reads it from a ClipSource."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ..audio import Audio
from ..script.model import MUSIC_RISE_DB, MUSIC_VOLUME_DB
from ..synth.levels import LevelStore
from ..voices.timing import ClipTiming

__all__ = [
    "NARRATOR",
    "PRACTICE_TEXT",
    "AnswerGap",
    "Bed",
    "Block",
    "ChapterTimeline",
    "ChapterMark",
    "ClipItem",
    "ClipSource",
    "Cue",
    "MusicSpan",
    "Silence",
    "Word",
]

NARRATOR = "Narrator"  #: transcript label of turns without a speaker
PRACTICE_TEXT = "[Your turn]"  #: what the transcript shows for a practice gap


class ClipSource(Protocol):
    """Where the mixer gets the audio that clip items and music beds name by key (the synthesis
    cache is one: synth.clips.CachedClips)."""

    def load(self, key: str) -> Audio:
        """The clip's audio (its own rate, mono or stereo)."""
        ...

    def size(self, key: str) -> tuple[int, int]:
        """(frames, sample rate) of what `load` returns, cheaply where it can (a cache header)."""
        ...

    def timing(self, key: str) -> ClipTiming | None:
        """When each spoken word of a turn's clip is said (None: not known, or a sound)."""
        ...

    @property
    def levels(self) -> LevelStore | None:
        """Where clips' measured levels are kept (synth.levels), or None: measured every time."""
        ...


@dataclass(frozen=True)
class Silence:
    """A pause of a fixed length."""

    seconds: float


@dataclass(frozen=True)
class ClipItem:
    """One turn's synthesised audio plus what the transcript needs (or a sound cue's audio)."""

    key: str  #: content hash of the clip (stable); its audio comes from the ClipSource
    speaker: str | None  #: display name; None = narration ("Narrator" in the transcript)
    text: str  #: written text for the transcript
    line: int  #: script line (for errors)
    gain_db: float = 0.0  #: the voice's volume: offset from the loudness target after matching
    sound: bool = False  #: a sound cue (`[sound x]`, intro, outro): mixed, never transcribed
    #: the practice cue of a `[your turn]` (a sound cue too): the transcript shows PRACTICE_TEXT
    #: from its start until the answer starts
    practice: bool = False
    #: how many of the clip's spoken words each written word of `text` became
    #: (speech.word_map); () if unknown: the words then share the turn's time by their length
    said: tuple[int, ...] = ()


@dataclass(frozen=True)
class AnswerGap:
    """A practice gap's silence: as long as the answer clip `answer` lasts, within the bounds of
    script.layout.practice_seconds. The exporter makes it a Silence once it knows that clip's
    length (`export.blocks.resolve_gaps`), so block keys depend on it only through the clip."""

    answer: str  #: the answer clip's key


@dataclass(frozen=True)
class Bed:
    """A music bed: a decoded file looped under speech, ducked while anyone speaks."""

    key: str  #: content hash of the decoded audio (from the ClipSource, like a clip's)
    volume_db: float = MUSIC_VOLUME_DB  #: its loudness under speech, relative to the target
    rise_db: float = MUSIC_RISE_DB  #: how much louder it gets in a pause (over about a second)

    def fingerprint(self) -> list[object]:
        """Everything about the bed that changes the sound (goes into block keys)."""
        return [self.key, self.volume_db, self.rise_db]


@dataclass(frozen=True)
class MusicSpan:
    """Where a block sits in its music bed: the bed plays on across blocks without a seam."""

    bed: Bed
    offset: int = 0  #: frames from where the bed started (a chapter's start) to this block
    first: bool = True  #: the bed starts in this block (it fades in)
    last: bool = True  #: the bed ends with this block (it fades out)

    def fingerprint(self) -> list[object]:
        """What changes the block's audio: the bed, the phase it starts at, its fades."""
        return [*self.bed.fingerprint(), self.offset, self.first, self.last]


@dataclass
class ChapterTimeline:
    """A chapter or sub-chapter as the exporter gets it: title, level, a hash of its audio, and
    its timeline of clips and silences (and the music bed under it)."""

    title: str
    level: int  #: 1 = chapter, 2 = sub-chapter
    key: str  #: hash of everything that changes this chapter's audio
    items: list[Silence | ClipItem | AnswerGap] = field(default_factory=list)
    bed: Bed | None = None  #: music under this chapter
    #: the bed plays on from the previous chapter (a sub-chapter under its chapter's music)
    bed_continues: bool = False


@dataclass
class Block:
    """A stretch of one chapter (about eight turns) that is mixed and encoded on its own."""

    title: str  #: the chapter's title and the block's place in it ("Sound [2/3]"), for messages
    items: list[Silence | ClipItem] = field(default_factory=list)
    music: MusicSpan | None = None  #: its place in its chapter's music bed (see music.place_music)


@dataclass(frozen=True)
class Word:
    """A written word of a turn on the episode timeline (seconds). Two or more written words
    that share one time (one said nothing: "—") are one Word, their text joined by a space."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Cue:
    """One turn on the episode timeline (seconds), for the transcript."""

    start: float
    end: float
    speaker: str | None  #: None = narration
    text: str
    line: int | None = None  #: script line (None when read back from a transcript file)
    practice: bool = False  #: a practice gap (`[your turn]`), not a turn: text is PRACTICE_TEXT
    #: the turn's written words with their times, in order, their texts joined by spaces the
    #: turn's text (none for a practice gap)
    words: tuple[Word, ...] = ()
    #: how the words' times were found (voices.timing.ClipTiming.method, "shares"; "" unknown)
    method: str = ""

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
