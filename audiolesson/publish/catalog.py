"""The catalog of built episodes: every script's MP3 in output/, read from its tags and sidecars.

The feed and the listening page both read it; neither reads output/ on its own.
"""

from __future__ import annotations

import logging
import mimetypes
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..config import SiteSettings
from ..errors import AudiolessonError, BuildError, ConfigError
from ..export.tags import KEY_FRAME, PUBLISHED_FRAME
from ..files import write_if_changed
from ..images import EXTENSIONS, ImageError, load_image
from ..paths import EpisodeFiles, script_slug
from ..script.loader import find_scripts, load_script
from ..script.model import Script

__all__ = [
    "Channel",
    "EpisodeInfo",
    "channel_for",
    "clean_text",
    "collect_episodes",
    "read_episode",
    "read_existing",
    "write_covers",
]

log = logging.getLogger(__name__)

#: our own namespace for episode GUIDs: uuid5 of the project-relative script path
EPISODE_GUID_NS = uuid.uuid5(uuid.NAMESPACE_URL, "https://audiolesson.invalid/episode")
CHANNEL_COVER = "feed-cover"  #: stem of the channel image copied into output/

# Characters XML 1.0 cannot hold at all (control characters, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_DIGITS = re.compile(r"(\d+)")
_COVER_EXT = {"image/jpeg": ".jpg", "image/jpg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


@dataclass(frozen=True)
class EpisodeInfo:
    """One built episode: its files in output/ and what its MP3 tags say about it."""

    slug: str  #: file stem shared by the script and every output file
    script: str  #: project-relative script path, POSIX style (the GUID comes from it)
    audio: Path  #: output/<slug>.mp3
    size: int  #: exact byte length of the MP3
    duration: float  #: seconds, from the MP3 stream
    title: str
    published: datetime  #: first build of the script (timezone-aware)
    guid: str  #: stable across rebuilds of the same script
    subtitle: str | None = None
    description: str | None = None
    author: str | None = None
    series: str | None = None
    episode: str | None = None  #: as written in the script, e.g. "15.1"
    genre: str | None = None
    language: str | None = None
    transcript: Path | None = None  #: output/<slug>.vtt when it exists
    chapters: Path | None = None  #: output/<slug>.chapters.json when it exists
    cover: Path | None = None  #: output/<slug>.<ext>, written from the MP3's cover by write_covers
    cover_data: bytes | None = field(default=None, repr=False, compare=False)
    m4b: Path | None = None  #: output/<slug>.m4b when the project writes M4B and it exists
    m4b_size: int = 0  #: its exact byte length
    deck: Path | None = None  #: output/<slug>.apkg when the project writes Anki decks and it exists
    words: Path | None = None  #: output/<slug>.transcript.json (each word's time) when it exists
    epub: Path | None = None  #: output/<slug>.epub when the project writes EPUBs and it exists
    build_key: str | None = None  #: what the MP3 was built from (TXXX:AUDIOLESSON_KEY)
    published_tag: str | None = None  #: TXXX:AUDIOLESSON_PUBLISHED as written (None: absent)


@dataclass(frozen=True)
class Channel:
    """The show as a whole: the [feed] settings, defaulted from the episodes."""

    title: str
    description: str
    author: str | None
    language: str | None
    category: str
    explicit: bool
    image: Path | None  #: a file in output/ (the channel cover), or None


def clean_text(text: str | None) -> str:
    """Text safe for XML: forbidden characters dropped, line breaks as XML parsers read them."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_XML.sub("", text).strip()


def episode_sort_key(ep: EpisodeInfo) -> tuple:
    """Series, then episode number numeric-aware (2 < 10, 15.1 < 15.2), then title."""
    number: tuple = (1,)  # episodes without a number come after the numbered ones
    if ep.episode:
        parts = _DIGITS.split(ep.episode.strip())
        runs = ((0, int(p), "") if p.isdigit() else (1, 0, p.casefold()) for p in parts if p)
        number = (0, *runs)
    return ((ep.series or "").casefold(), number, ep.title.casefold(), ep.slug)


def collect_episodes(
    site: SiteSettings,
    parsed: Sequence[Script] = (),
    read: Mapping[Path, EpisodeInfo] | None = None,
) -> list[EpisodeInfo]:
    """Every script whose MP3 is in output/, read from its tags and sidecars, in episode order.

    `parsed` are scripts the caller has already parsed (a build has): they are not read again.
    `read` are episodes the caller has read already, by MP3 path, and not written since (a build
    reads every MP3 once: the ones it leaves as they are come from there).
    """
    read = read or {}
    languages = {Path(s.path).resolve(): s.meta.language or None for s in parsed}
    out = site.output_dir
    episodes = []
    for script in find_scripts(site.root):
        if script.name.startswith("."):  # never built (load_script refuses it), never served
            continue
        files = EpisodeFiles(out, script_slug(script))
        audio = files.mp3
        if not audio.is_file():
            log.info("%s: not built yet (no %s); left out of the feed", script, audio)
            continue
        relative = script.relative_to(site.root).as_posix()
        resolved = script.resolve()
        language = languages[resolved] if resolved in languages else script_language(script)
        before = read.get(audio)
        if before is not None:  # read before, perhaps by another name of the script
            found = language or before.language
            episode = replace(before, script=relative, guid=_guid(relative), language=found)
        else:
            episode = read_episode(audio, relative, language)
        if "m4b" in site.formats and files.m4b.is_file():
            episode = replace(episode, m4b=files.m4b, m4b_size=files.m4b.stat().st_size)
        if "anki" in site.formats and files.deck.is_file():
            episode = replace(episode, deck=files.deck)
        if "epub" in site.formats and files.epub.is_file():
            episode = replace(episode, epub=files.epub)
        episodes.append(episode)
    known = {ep.slug for ep in episodes}
    for audio in sorted(out.glob("*.mp3")):
        if audio.stem not in known:
            log.warning("%s: no script scripts/%s.md; left out of the feed", audio, audio.stem)
    return sorted(episodes, key=episode_sort_key)


def _guid(script: str) -> str:
    """An episode's GUID: stable across rebuilds of the same script (its project path)."""
    return str(uuid.uuid5(EPISODE_GUID_NS, script))


def _text_frame(tags: object, key: str) -> str | None:
    """The first text of an ID3 frame (e.g. "TIT2", "TXXX:AUDIOLESSON_KEY"), or None."""
    frames = tags.getall(key) if tags is not None else []  # type: ignore[attr-defined]
    for frame in frames:
        texts = [str(t) for t in getattr(frame, "text", []) if str(t).strip()]
        if texts:
            return texts[0].strip()
    return None


def _published(value: str | None, audio: Path) -> datetime:
    """The published date tag as an aware datetime; the MP3's mtime when absent or unreadable."""
    if value:
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            log.warning("%s: %s %r is not ISO 8601; using mtime", audio, PUBLISHED_FRAME, value)
        else:
            return when if when.tzinfo else when.astimezone()  # naive: local time of the build
    return datetime.fromtimestamp(audio.stat().st_mtime, tz=UTC)


def script_language(script: Path) -> str | None:
    """The language the script's front matter declares (e.g. "en-US"), or None if unreadable.

    The MP3's TLAN frame holds an ISO 639-2 code ("eng"), but RSS wants the script's tag ("en").
    """
    try:
        return load_script(script).meta.language or None
    except AudiolessonError as exc:
        log.warning("%s; using the MP3's language tag", exc)
        return None


def read_episode(audio: Path, script: str, language: str | None = None) -> EpisodeInfo:
    """Read one episode from its MP3 (tags, duration, size) and the sidecars beside it."""
    from mutagen import MutagenError
    from mutagen.mp3 import MP3

    try:
        mp3 = MP3(audio)
    except MutagenError as exc:
        raise BuildError(
            f"cannot read the MP3 ({exc}); rebuild it with `audiolesson build`", path=audio
        ) from None
    tags, info = mp3.tags, mp3.info
    if info is None:  # mutagen found no MPEG frame: MP3() raises for that, but says it may not
        raise BuildError("the MP3 has no audio; rebuild it with `audiolesson build`", path=audio)
    files = EpisodeFiles.of_mp3(audio)
    slug = files.slug
    cover_data, cover = None, None
    pictures: list[Any] = tags.getall("APIC") if tags is not None else []
    if pictures:
        front = next((p for p in pictures if p.type == 3), pictures[0])  # 3: front cover
        mime = (front.mime or "").lower()
        ext = _COVER_EXT.get(mime) or mimetypes.guess_extension(mime) or ".jpg"
        cover_data, cover = front.data, audio.with_name(slug + ext)
    comment = None
    if tags is not None:
        comments = [c for c in tags.getall("COMM") if str(c).strip()]
        comment = str(comments[0]).strip() if comments else None
    transcript, chapters = files.transcript, files.chapters
    published = _text_frame(tags, f"TXXX:{PUBLISHED_FRAME}")
    return EpisodeInfo(
        slug=slug,
        script=script,
        audio=audio,
        size=audio.stat().st_size,
        duration=float(info.length),
        title=_text_frame(tags, "TIT2") or slug,
        published=_published(published, audio),
        guid=_guid(script),
        subtitle=_text_frame(tags, "TIT3"),
        description=comment,
        author=_text_frame(tags, "TPE1"),
        series=_text_frame(tags, "TALB"),
        episode=_text_frame(tags, "TRCK"),
        genre=_text_frame(tags, "TCON"),
        language=language or _rss_language(_text_frame(tags, "TLAN")),
        transcript=transcript if transcript.is_file() else None,
        words=files.words if files.words.is_file() else None,
        chapters=chapters if chapters.is_file() else None,
        cover=cover,
        cover_data=cover_data,
        build_key=_text_frame(tags, f"TXXX:{KEY_FRAME}"),
        published_tag=published,
    )


def read_existing(audio: Path, script: str, language: str | None = None) -> EpisodeInfo | None:
    """The episode at `audio` as `read_episode` reads it; None when there is none, or it cannot
    be read (a damaged file is not current: a build writes it again)."""
    if not audio.is_file():
        return None
    try:
        return read_episode(audio, script, language)
    except Exception as exc:  # a damaged file means "not ours / not current": rebuild it
        log.debug("cannot read %s: %s", audio, exc)
        return None


def _rss_language(tag: str | None) -> str | None:
    """A TLAN value usable as an RSS language (two-letter or with a region), else None."""
    if tag and (len(tag) == 2 or "-" in tag):
        return tag
    return None


def channel_for(site: SiteSettings, episodes: list[EpisodeInfo]) -> Channel:
    """The channel's settings: [feed] in audiolesson.toml first, then the first episode's tags."""
    settings = site.feed
    first = episodes[0] if episodes else None
    title = settings.title or (first and (first.series or first.title)) or site.root.name
    image = None
    if settings.image:
        image = _channel_cover(site)
    elif first is not None:
        image = next((ep.cover for ep in episodes if ep.cover is not None), None)
    return Channel(
        title=title,
        description=settings.description or (first and first.description) or title,
        author=settings.author or (first and first.author) or None,
        language=settings.language or (first and first.language) or None,
        category=settings.category,
        explicit=settings.explicit,
        image=image,
    )


def write_covers(site: SiteSettings, episodes: list[EpisodeInfo]) -> list[Path]:
    """Write each episode's cover (from its MP3) and the channel image into output/, if changed."""
    written = []
    for ep in episodes:
        if ep.cover is not None and ep.cover_data is not None:
            if write_if_changed(ep.cover, ep.cover_data):
                written.append(ep.cover)
    if site.feed.image:
        data = _feed_image(site)[1]
        target = _channel_cover(site)
        if write_if_changed(target, data):
            written.append(target)
    return written


def _feed_image(site: SiteSettings) -> tuple[str, bytes]:
    """(MIME type, bytes) of [feed] image: a whole PNG or JPEG in the project (the config checks
    this when it loads; here it is read again, in case it changed since)."""
    written = str(site.feed.image)
    source = (site.root / written).resolve()
    where = site.root / "audiolesson.toml"
    if not source.is_relative_to(site.root.resolve()):
        raise ConfigError(f"[feed] image {written!r} lies outside the project", path=where)
    try:
        return load_image(source)
    except FileNotFoundError:
        raise ConfigError(f"[feed] image {written!r} is not found", path=where) from None
    except ImageError as exc:
        raise ConfigError(f"[feed] image {written!r} {exc}", path=where) from None
    except OSError as exc:
        raise ConfigError(
            f"[feed] image {written!r} cannot be read ({exc.strerror or exc})", path=where
        ) from None


def _channel_cover(site: SiteSettings) -> Path:
    """Where [feed] image is copied in output/: feed-cover.png or .jpg, as its content is."""
    return site.output_dir / (CHANNEL_COVER + EXTENSIONS[_feed_image(site)[0]])
