"""A script's sound files (`[sound]` cues, intro, outro, music): checked and decoded at plan time.

Each file must lie inside the project and decode as WAV, MP3, OGG or FLAC; a file that does not is
a one-line error naming the script line, found before any synthesis. A decoded sound is stored in
the clip cache at the output format under a key made of the file's content hash, the output
format and the decoder, so it is decoded once and a changed file changes every key it is in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..audio import Audio
from ..errors import ScriptError
from ..export.music import MIN_BED_SECONDS
from ..export.settings import AudioSettings
from ..export.sounds import SOUND_DECODER, SOUND_FORMATS, SoundFileError, decode_sound
from ..export.timeline import Bed, ClipItem
from ..files import sha256_of
from ..script.model import Music, Script, Sound
from .cache import ClipCache, digest

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

    def __init__(self, script: Script, root: Path, cache: ClipCache, settings: AudioSettings):
        self.script = script
        self.root = root.resolve()
        self.cache = cache
        self.settings = settings
        self.base = Path(script.path).resolve().parent
        self.files: dict[Path, SoundFile] = {}

    @property
    def keys(self) -> list[str]:
        """Cache keys of the decoded sounds in use (kept by `cache prune`)."""
        return [f.key for f in self.files.values()]

    def fail(self, message: str, line: int | None) -> ScriptError:
        return ScriptError(message, path=self.script.path, line=line)

    def file(self, written: str, line: int | None, what: str) -> SoundFile:
        """The sound file `written` (relative to the script), checked and decoded into the cache."""
        path = (self.base / written).resolve()
        if not path.is_relative_to(self.root):
            raise self.fail(
                f"{what} {written!r} lies outside the project folder {self.root}; copy the file "
                "into the project",
                line,
            )
        if not path.is_file():
            raise self.fail(
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
        self.files[path] = found
        return found

    def decode(self, sound: SoundFile) -> Audio:
        """Decode a sound file at the output format (a problem is the script line's error)."""
        try:
            return decode_sound(sound.path, self.settings.sample_rate, self.settings.channels)
        except SoundFileError as exc:
            raise self.fail(f"{sound.what} {sound.written!r} {exc}", sound.line) from None

    def loader(self, sound: SoundFile) -> Callable[[], Audio]:
        """Reads the decoded sound from the cache (decoding it again if the entry was damaged)."""
        where = f"{self.script.path}:{sound.line}"

        def load() -> Audio:
            audio = self.cache.get(sound.key, where)
            if audio is None:
                audio = self.decode(sound)
                self.cache.put(sound.key, audio)
            return audio

        return load

    def size(self, sound: SoundFile) -> Callable[[], tuple[int, int]]:
        """(frames, rate) of the decoded sound, from the cache entry's header when it can."""

        def size() -> tuple[int, int]:
            found = self.cache.size(sound.key)
            if found is None:
                audio = self.loader(sound)()
                found = (audio.frames, audio.sample_rate)
            return found

        return size

    def item(self, sound: Sound, what: str = "sound") -> ClipItem:
        """A `[sound]` cue (or the intro or outro) as a timeline item: mixed, not transcribed."""
        found = self.file(sound.path, sound.line, what)
        return ClipItem(
            key=found.key,
            load=self.loader(found),
            speaker=None,
            text=sound.path,
            line=sound.line or 0,
            sound=True,
            size=self.size(found),
        )

    def bed(self, music: Music) -> Bed | None:
        """The music bed for a music setting (None for `music: none`)."""
        if music.path is None:
            return None
        found = self.file(music.path, music.line, "music")
        frames, rate = self.size(found)()
        if frames < MIN_BED_SECONDS * rate:
            raise self.fail(
                f"music {music.path!r} lasts {frames / rate:.3f} s; a music bed loops under the "
                f"speech and must last at least {MIN_BED_SECONDS:g} s",
                music.line,
            )
        return Bed(found.key, self.loader(found), music.volume, music.rise)
