"""Where things live: a script's slug, an episode's files in output/, the user's cache and data.

The slug of a script is its file stem (`scripts/intro.md` -> `intro`); every output file of its
episode is named after it. The user folders follow the XDG base directories (an unset or empty
variable means the usual folder under the home directory).
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path, PurePath

__all__ = [
    "CHAPTERS_SUFFIX",
    "DECK_SUFFIX",
    "EPUB_SUFFIX",
    "M4B_SUFFIX",
    "MP3_SUFFIX",
    "SOURCE_FOLDERS",
    "TRANSCRIPT_SUFFIX",
    "WORDS_SUFFIX",
    "EpisodeFiles",
    "reserved_folder",
    "script_slug",
    "user_cache_dir",
    "user_data_dir",
]

MP3_SUFFIX = ".mp3"
TRANSCRIPT_SUFFIX = ".vtt"  #: WebVTT, one cue per turn
CHAPTERS_SUFFIX = ".chapters.json"  #: Podcasting 2.0 chapters
M4B_SUFFIX = ".m4b"  #: the audiobook, with "m4b" in [build] formats
DECK_SUFFIX = ".apkg"  #: the Anki deck of a script's cards, with "anki" in [build] formats
WORDS_SUFFIX = ".transcript.json"  #: Podcasting 2.0 JSON transcript, one segment per word
EPUB_SUFFIX = ".epub"  #: the read-along EPUB 3 book, with "epub" in [build] formats
APP = "audiolesson"  #: the folder of ours inside the user's cache and data folders
#: the project's own folders (scripts, voices and lexicon, sound files): what it is made from
SOURCE_FOLDERS = ("scripts", "voices", "sounds")


def script_slug(path: str | PurePath) -> str:
    """The name a script's outputs share: its file stem."""
    return PurePath(path).stem


@dataclass(frozen=True)
class EpisodeFiles:
    """The files of one episode in the output folder, all named after its slug."""

    folder: Path
    slug: str

    @classmethod
    def of_mp3(cls, mp3: Path) -> EpisodeFiles:
        """The episode an MP3 in output/ belongs to."""
        return cls(mp3.parent, mp3.name.removesuffix(MP3_SUFFIX))

    def _named(self, suffix: str) -> Path:
        return self.folder / f"{self.slug}{suffix}"

    @property
    def mp3(self) -> Path:
        """The episode (its tag holds the build key a later build trusts)."""
        return self._named(MP3_SUFFIX)

    @property
    def transcript(self) -> Path:
        """The WebVTT transcript."""
        return self._named(TRANSCRIPT_SUFFIX)

    @property
    def chapters(self) -> Path:
        """The Podcasting 2.0 chapters JSON."""
        return self._named(CHAPTERS_SUFFIX)

    @property
    def m4b(self) -> Path:
        """The audiobook beside the MP3."""
        return self._named(M4B_SUFFIX)

    @property
    def deck(self) -> Path:
        """The Anki deck beside the MP3."""
        return self._named(DECK_SUFFIX)

    @property
    def words(self) -> Path:
        """The JSON transcript with each word's time (Podcasting 2.0)."""
        return self._named(WORDS_SUFFIX)

    @property
    def epub(self) -> Path:
        """The read-along EPUB 3 book beside the MP3."""
        return self._named(EPUB_SUFFIX)

    def sidecars(self, formats: Collection[str], cards: bool = False) -> list[Path]:
        """The files beside the MP3 that a complete episode in these formats has (the deck only
        for a script with `cards`)."""
        deck = [self.deck] if cards and "anki" in formats else []
        book = [self.epub] if "epub" in formats else []
        m4b = [self.m4b] if "m4b" in formats else []
        return [self.transcript, self.words, self.chapters, *m4b, *deck, *book]


def _xdg(variable: str, fallback: str) -> Path:
    base = os.environ.get(variable) or Path.home() / fallback
    return Path(base) / APP


def user_cache_dir() -> Path:
    """Our folder in the user's cache ($XDG_CACHE_HOME, or ~/.cache): what can be made again."""
    return _xdg("XDG_CACHE_HOME", ".cache")


def user_data_dir() -> Path:
    """Our folder in the user's data ($XDG_DATA_HOME, or ~/.local/share): what cannot."""
    return _xdg("XDG_DATA_HOME", ".local/share")


def reserved_folder(folder: Path, root: Path) -> str | None:
    """What `folder` is if the project may not write into it, serve it or tidy it (its output or
    cache): "/", "your home folder", "the project folder itself", "a folder that holds the
    project" or a source folder ("scripts/ or a folder in it"); None if it may. Both paths are
    compared with their symlinks resolved."""
    folder, root = Path(folder).resolve(), Path(root).resolve()
    if folder == Path(folder.anchor):
        return folder.anchor
    if folder == Path.home().resolve():
        return "your home folder"
    if folder == root:
        return "the project folder itself"
    if root.is_relative_to(folder):
        return "a folder that holds the project"
    for name in SOURCE_FOLDERS:
        if folder.is_relative_to((root / name).resolve()):
            return f"{name}/ or a folder in it"
    return None
