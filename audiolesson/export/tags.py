"""ID3v2 tags for an episode (text, cover, transcript, CHAP/CTOC chapters), built with mutagen."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import BuildError
from ..images import image_type
from .sidecars import one_line, transcript_text
from .timeline import ChapterMark, Cue

log = logging.getLogger(__name__)

KEY_FRAME = "AUDIOLESSON_KEY"  #: TXXX frame: the build key (read back by publish.catalog)
PUBLISHED_FRAME = "AUDIOLESSON_PUBLISHED"  #: TXXX frame: the first build's date, kept after
TOC_ID = "toc"
TAG_PADDING = 1024  #: spare bytes in the tag so that later small edits need no rewrite

#: ID3 wants ISO 639-2 codes; feeds and front matter usually carry ISO 639-1 ("en", "en-US").
_ISO639_2 = {
    "ar": "ara", "cs": "ces", "da": "dan", "de": "deu", "el": "ell", "en": "eng", "es": "spa",
    "fi": "fin", "fr": "fra", "he": "heb", "hi": "hin", "hu": "hun", "id": "ind", "it": "ita",
    "ja": "jpn", "ko": "kor", "nl": "nld", "no": "nor", "nb": "nob", "pl": "pol", "pt": "por",
    "ro": "ron", "ru": "rus", "sk": "slk", "sv": "swe", "th": "tha", "tr": "tur", "uk": "ukr",
    "vi": "vie", "zh": "zho", "ca": "cat", "bg": "bul", "hr": "hrv", "sr": "srp", "sl": "slv",
}  # fmt: skip


@dataclass(frozen=True)
class EpisodeMeta:
    """What the tags say about an episode (None = leave that tag out)."""

    title: str
    subtitle: str | None = None
    author: str | None = None  #: artist (TPE1)
    series: str | None = None  #: album (TALB)
    episode: str | None = None  #: track (TRCK), e.g. "15.1"
    genre: str = "Podcast"  #: "Podcast" or "Audiobook"
    year: str | int | None = None
    description: str | None = None
    language: str | None = None  #: "en", "en-US" or an ISO 639-2 code like "eng"
    cover: Path | None = None  #: JPEG or PNG, already validated
    transcript_header: str | None = None  #: lines placed before the transcript (USLT, VTT NOTE)
    build_key: str | None = None  #: written as TXXX:AUDIOLESSON_KEY
    published: str | None = None  #: ISO date, written as TXXX:AUDIOLESSON_PUBLISHED
    narrators: tuple[str, ...] = ()  #: who reads it (the M4B's narrator tag)


def language_code(language: str | None) -> str:
    """The ISO 639-2 code for a language tag ("en-US" -> "eng"); "und" if unknown."""
    if not language:
        return "und"
    primary = language.strip().lower().replace("_", "-").split("-")[0]
    if len(primary) == 3 and primary.isalpha():
        return primary
    return _ISO639_2.get(primary, "und")


def _cover_frame(cover: Path):  # -> APIC
    from mutagen.id3 import APIC, PictureType

    try:
        data = cover.read_bytes()
    except OSError as exc:
        raise BuildError(f"cannot read cover image: {exc.strerror}", path=cover) from exc
    mime = image_type(data) or "image/jpeg"  # the plan let only PNG and JPEG through
    return APIC(encoding=3, mime=mime, type=PictureType.COVER_FRONT, desc="Cover", data=data)


def chapter_frames(chapters: Sequence[ChapterMark]) -> list:
    """CHAP frames (one per chapter and sub-chapter) plus a top-level CTOC and nested CTOCs."""
    from mutagen.id3 import CHAP, CTOC, TIT2, CTOCFlags

    frames: list = []
    top: list[str] = []
    nested: dict[str, list[str]] = {}
    parent: str | None = None
    for index, mark in enumerate(chapters):
        element = f"chp{index}"
        frames.append(
            CHAP(
                element_id=element,
                start_time=round(mark.start * 1000),
                end_time=round(mark.end * 1000),
                sub_frames=[TIT2(encoding=3, text=[one_line(mark.title)])],
            )
        )
        if mark.level == 1 or parent is None:  # a sub-chapter before any chapter goes on top
            top.append(element)
            parent = element if mark.level == 1 else None
        else:
            nested.setdefault(parent, []).append(element)
    if not top:
        return frames
    flags = CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED
    frames.append(
        CTOC(element_id=TOC_ID, flags=flags, child_element_ids=top,
             sub_frames=[TIT2(encoding=3, text=["Chapters"])])
    )  # fmt: skip
    titles = {f"chp{i}": one_line(mark.title) for i, mark in enumerate(chapters)}
    for element, children in nested.items():
        frames.append(
            CTOC(element_id=f"{element}-toc", flags=CTOCFlags.ORDERED, child_element_ids=children,
                 sub_frames=[TIT2(encoding=3, text=[titles[element]])])
        )  # fmt: skip
    return frames


def build_tag(
    meta: EpisodeMeta, chapters: Sequence[ChapterMark], cues: Sequence[Cue], version: int = 4
) -> bytes:
    """The complete ID3v2.4 (or 2.3) tag for an episode, as bytes to put before the audio."""
    from mutagen.id3 import (
        COMM,
        ID3,
        TALB,
        TCON,
        TDRC,
        TIT2,
        TIT3,
        TLAN,
        TPE1,
        TRCK,
        TXXX,
        USLT,
    )  # fmt: skip

    lang = language_code(meta.language)
    tag = ID3()
    texts = [
        (TIT2, meta.title), (TIT3, meta.subtitle), (TPE1, meta.author), (TALB, meta.series),
        (TRCK, meta.episode), (TCON, meta.genre),
        (TDRC, str(meta.year) if meta.year is not None else None),
    ]  # fmt: skip
    for frame, value in texts:
        if value:
            tag.add(frame(encoding=3, text=[one_line(str(value))]))
    if meta.language:
        tag.add(TLAN(encoding=3, text=[lang]))
    if meta.description:
        tag.add(COMM(encoding=3, lang=lang, desc="", text=[meta.description.strip()]))
    if meta.cover is not None:
        tag.add(_cover_frame(meta.cover))
    if cues:
        tag.add(
            USLT(encoding=3, lang=lang, desc="", text=transcript_text(cues, meta.transcript_header))
        )
    if meta.build_key:
        tag.add(TXXX(encoding=3, desc=KEY_FRAME, text=[meta.build_key]))
    if meta.published:
        tag.add(TXXX(encoding=3, desc=PUBLISHED_FRAME, text=[meta.published]))
    for frame in chapter_frames(chapters):
        tag.add(frame)
    if version == 3:
        tag.update_to_v23()
    buffer = io.BytesIO()
    tag.save(buffer, v2_version=version, padding=lambda info: TAG_PADDING)
    return order_chapter_frames(buffer.getvalue())


def order_chapter_frames(tag: bytes) -> bytes:
    """Put CTOC and then CHAP frames (in chapter order) after the other frames of an ID3v2 tag.

    mutagen orders frames by size, so CHAP frames came out shuffled; players that list chapters in
    file order (ffmpeg/ffprobe and the apps built on it) then showed them out of order.
    """
    version = tag[3]
    size = _syncsafe(tag[6:10])
    body, frames, pos = tag[10 : 10 + size], [], 0
    while pos + 10 <= len(body) and body[pos : pos + 4].strip(b"\0"):
        raw = body[pos + 4 : pos + 8]
        length = _syncsafe(raw) if version == 4 else int.from_bytes(raw, "big")
        frames.append(body[pos : pos + 10 + length])
        pos += 10 + length
    padding = body[pos:]

    def rank(frame: bytes) -> tuple[int, int]:
        if frame[:4] == b"CTOC":
            return (1, 0)
        if frame[:4] == b"CHAP":
            element = frame[10:].split(b"\0", 1)[0].decode("latin-1")
            return (2, int(element[3:]) if element[3:].isdigit() else 0)
        return (0, 0)

    ordered = sorted(frames, key=rank)  # stable: other frames keep mutagen's order
    return tag[:10] + b"".join(ordered) + padding + tag[10 + size :]


def _syncsafe(raw: bytes) -> int:
    """An ID3v2 syncsafe integer (7 bits per byte)."""
    return (raw[0] << 21) | (raw[1] << 14) | (raw[2] << 7) | raw[3]
