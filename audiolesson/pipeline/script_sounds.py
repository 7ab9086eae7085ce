"""A script's sound files (`[sound]` cues, intro, outro, music): checked and decoded at plan time;
and the practice cue of its `[your turn]`s, made at the output format (export.cue).

Each file must lie inside the project and decode as WAV, MP3, OGG or FLAC; a file that does not is
a one-line error naming the script line, found before any synthesis. A decoded sound is stored in
the clip cache at the output format under a key made of the file's content hash, the output
format and the decoder, so it is decoded once and a changed file changes every key it is in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from ..audio import Audio
from ..audio_settings import AudioSettings
from ..errors import ScriptError
from ..export.cue import CUE_GAIN_DB, CUE_VERSION, practice_cue
from ..export.decoding import SOUND_DECODER, SOUND_FORMATS, SoundFileError, decode_sound
from ..export.music import MIN_BED_SECONDS
from ..export.timeline import PRACTICE_TEXT, Bed, ClipItem
from ..files import NOT_REGULAR, sha256_of
from ..keys import digest
from ..script.model import Music, Script, Sound
from ..synth.clips import CachedClips

__all__ = ["ScriptSounds", "SoundFile"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SoundFile:
    """A checked sound file and the cache key of its decoded audio."""

    path: Path
    key: str
    written: str  #: as the script wrote it
    line: int | None
    what: str  #: what the script calls it in messages: sound, intro, outro or music


class ScriptSounds:
    """Every sound file one script names, each checked and decoded once."""

    def __init__(self, script: Script, root: Path, clips: CachedClips, settings: AudioSettings):
        self.script = script
        self.root = root.resolve()
        self.clips = clips
        self.cache = clips.cache
        self.settings = settings
        self.base = Path(script.path).resolve().parent
        self.files: dict[Path, SoundFile] = {}
        self.cue_key: str | None = None  #: the practice cue's clip, once a gap asked for it

    @property
    def keys(self) -> list[str]:
        """Cache keys of the decoded sounds (and the practice cue) in use (kept by `cache
        prune`)."""
        return [f.key for f in self.files.values()] + ([self.cue_key] if self.cue_key else [])

    def error(self, message: str, line: int | None) -> ScriptError:
        """The ScriptError for `message` at the script line (the caller raises it)."""
        return ScriptError(message, path=self.script.path, line=line)

    def file(self, written: str, line: int | None, what: str) -> SoundFile:
        """The sound file `written` (relative to the script), checked and decoded into the cache."""
        path = (self.base / written).resolve()
        if not path.is_relative_to(self.root):
            raise self.error(
                f"{what} {written!r} lies outside the project folder {self.root}; copy the file "
                "into the project",
                line,
            )
        if path.exists() and not path.is_file() and not path.is_dir():
            raise self.error(f"{what} file {written!r} {NOT_REGULAR}", line)
        if not path.is_file():
            raise self.error(
                f"{what} file {written!r} not found; give a {SOUND_FORMATS} file's path "
                "relative to the script",
                line,
            )
        if path in self.files:
            return self.files[path]
        rate, channels = self.settings.sample_rate, self.settings.channels
        key = digest(
            {"sound": sha256_of(path), "rate": rate, "channels": channels, "decoder": SOUND_DECODER}
        )
        found = SoundFile(path, key, written, line, what)
        if not self.cache.has(key):
            self.cache.put(key, self.decode(found))
        self.clips.add_sound(key, f"{self.script.path}:{line}", lambda: self.decode(found))
        self.files[path] = found
        return found

    def decode(self, sound: SoundFile) -> Audio:
        """Decode a sound file at the output format (a problem is the script line's error)."""
        try:
            return decode_sound(sound.path, self.settings.sample_rate, self.settings.channels)
        except SoundFileError as exc:
            raise self.error(f"{sound.what} {sound.written!r} {exc}", sound.line) from None

    def item(self, sound: Sound, what: str = "sound") -> ClipItem:
        """A `[sound]` cue (or the intro or outro) as a timeline item: mixed, not transcribed."""
        found = self.file(sound.path, sound.line, what)
        return ClipItem(
            key=found.key, speaker=None, text=sound.path, line=sound.line or 0, sound=True
        )

    def cue(self, line: int) -> ClipItem:
        """The practice cue before a `[your turn]` gap at `line`, as a timeline item."""
        rate, channels = self.settings.sample_rate, self.settings.channels
        if self.cue_key is None:
            # the gain is mixed in, not stored: it is in the key so that blocks follow a change
            cue = {"practice_cue": CUE_VERSION, "gain": CUE_GAIN_DB}
            key = digest({**cue, "rate": rate, "channels": channels})
            if not self.cache.has(key):
                self.cache.put(key, practice_cue(rate, channels))
            self.clips.add_sound(
                key, f"{self.script.path}:{line}", lambda: practice_cue(rate, channels)
            )
            self.cue_key = key
        return ClipItem(
            self.cue_key, None, PRACTICE_TEXT, line, CUE_GAIN_DB, sound=True, practice=True
        )

    def bed(self, music: Music) -> Bed | None:
        """The music bed for a music setting (None for `music: none`)."""
        if music.path is None:
            return None
        found = self.file(music.path, music.line, "music")
        frames, rate = self.clips.size(found.key)
        if frames < MIN_BED_SECONDS * rate:
            raise self.error(
                f"music {music.path!r} lasts {frames / rate:.3f} s; a music bed loops under the "
                f"speech and must last at least {MIN_BED_SECONDS:g} s",
                music.line,
            )
        return Bed(found.key, music.volume, music.rise)
