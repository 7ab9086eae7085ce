"""Sidecar files next to each MP3: the WebVTT transcript, the Podcasting 2.0 JSON chapters and
JSON transcript (one segment per written word, with its speaker).

Written by the exporter and read back here too (by the listening page), so the format has one home.
The VTT has one cue per turn, and each word's start as a WebVTT cue timestamp in it
(`<00:00:01.250>word`), as karaoke-style captions do.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BuildError
from .timeline import PRACTICE_TEXT, ChapterMark, Cue, Word

CHAPTERS_VERSION = "1.2.0"
TRANSCRIPT_VERSION = "1.0.0"  #: of the Podcasting 2.0 JSON transcript format
#: title of a practice gap's marker in the chapters JSON (out of the table of contents)
PRACTICE_MARK = "Your turn"

_TIMESTAMP = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+([^>]*))?>")
_TAG = re.compile(r"</?[^>]*>")
#: a cue timestamp inside a cue's text: <00:00:01.250> or <00:01.250>
_INLINE = re.compile(r"<((?:\d+:)?\d{1,2}:\d{2}\.\d{3})>")


@dataclass(frozen=True)
class ChapterStart:
    """One entry of a chapters JSON file: where a chapter starts and its title."""

    start: float
    title: str


def one_line(text: str) -> str:
    """Collapse all whitespace (newlines too) into single spaces."""
    return " ".join(text.split())


def vtt_escape(text: str) -> str:
    """Escape text for a WebVTT cue payload (& < > as character references)."""
    return one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt_timestamp(seconds: float) -> str:
    """WebVTT timestamp HH:MM:SS.mmm."""
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def vtt_text(cues: Sequence[Cue], header: str | None = None) -> str:
    """A WebVTT transcript: one cue per turn with a `<v Speaker>` voice span."""
    parts = ["WEBVTT\n"]
    if header and header.strip():
        # A NOTE block ends at a blank line and may not contain "-->".
        lines = [one_line(line).replace("-->", "->") for line in header.splitlines()]
        parts.append("NOTE\n" + "\n".join(line for line in lines if line) + "\n")
    for number, cue in enumerate(cues, start=1):
        start, end = vtt_timestamp(cue.start), vtt_timestamp(max(cue.end, cue.start + 0.001))
        parts.append(f"{number}\n{start} --> {end}\n{_vtt_payload(cue)}\n")
    return "\n".join(parts)


def _vtt_payload(cue: Cue) -> str:
    """A cue's text with its `<v Speaker>` span and each word's start as a cue timestamp; a
    practice gap's has neither (nobody speaks)."""
    if cue.practice:
        return vtt_escape(cue.text)
    return f"<v {vtt_escape(cue.label)}>{_timed_text(cue)}"


def _timed_text(cue: Cue) -> str:
    """The cue's words, each after its start as a WebVTT cue timestamp. WebVTT wants each one
    after the cue's start, after the one before and before the cue's end (in milliseconds): a
    word that would break that (its start rounds to the same millisecond) goes untimed, with
    the word before it."""
    if not cue.words:
        return vtt_escape(cue.text)
    first, last = round(cue.start * 1000), round(max(cue.end, cue.start + 0.001) * 1000)
    parts = []
    at = first
    for word in cue.words:
        millis = round(word.start * 1000)
        if at < millis < last:
            parts.append(f"<{vtt_timestamp(millis / 1000)}>{vtt_escape(word.text)}")
            at = millis
        else:
            parts.append(vtt_escape(word.text))
    return " ".join(parts)


def transcript_json_text(cues: Sequence[Cue]) -> str:
    """The Podcasting 2.0 JSON transcript: one segment per word (startTime, endTime, body), each
    with its speaker; a practice gap is one segment of its own, spoken by nobody."""
    segments: list[dict[str, Any]] = []
    for cue in cues:
        if cue.practice or not cue.words:
            words = [Word(cue.start, max(cue.end, cue.start), one_line(cue.text))]
        else:
            words = list(cue.words)
        for word in words:
            segment: dict[str, Any] = {} if cue.practice else {"speaker": one_line(cue.label)}
            segment.update(
                startTime=round(word.start, 3), endTime=round(word.end, 3), body=word.text
            )
            segments.append(segment)
    # one line, by json's C encoder: with `indent` json encodes in Python (about half a second
    # for a 10-hour book, on every rebuild)
    doc = {"version": TRANSCRIPT_VERSION, "segments": segments}
    return json.dumps(doc, ensure_ascii=False) + "\n"


def read_words_json(path: Path) -> list[tuple[str | None, Word]]:
    """The segments of a Podcasting 2.0 JSON transcript: (speaker, Word) each, in order."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
        return [
            (
                str(s["speaker"]) if s.get("speaker") is not None else None,
                Word(
                    float(s["startTime"]), float(s.get("endTime", s["startTime"])), str(s["body"])
                ),
            )
            for s in data["segments"]
        ]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BuildError(
            f"not a Podcasting 2.0 JSON transcript ({exc}); rebuild it with `audiolesson build`",
            path=path,
        ) from None


def transcript_text(cues: Sequence[Cue], header: str | None = None) -> str:
    """The plain transcript: an optional header, then one "Speaker: text" line per turn."""
    lines = [
        one_line(cue.text) if cue.practice else f"{one_line(cue.label)}: {one_line(cue.text)}"
        for cue in cues
    ]
    if header and header.strip():
        lines = [header.strip(), ""] + lines
    return "\n".join(lines)


def chapters_json_text(
    chapters: Sequence[ChapterMark], markers: Sequence[dict[str, Any]] = ()
) -> str:
    """Podcasting 2.0 JSON chapters, sub-chapters included, in time order, with `markers`
    (entries of their own, such as `practice_marks`) among them."""
    entries: list[dict[str, Any]] = [
        {"startTime": round(mark.start, 3), "title": one_line(mark.title)} for mark in chapters
    ]
    # sorted() is stable: a chapter stays before a sub-chapter or marker that starts with it
    ordered = sorted([*entries, *markers], key=lambda entry: entry["startTime"])
    doc = {"version": CHAPTERS_VERSION, "chapters": ordered}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def practice_marks(cues: Sequence[Cue]) -> list[dict[str, Any]]:
    """A marker per practice gap for the chapters JSON: `toc: false` (Podcasting 2.0), so
    players that show markers show it and the table of contents stays the chapters."""
    return [
        {"startTime": round(c.start, 3), "endTime": round(c.end, 3), "title": PRACTICE_MARK,
         "toc": False}
        for c in cues
        if c.practice
    ]  # fmt: skip


def _seconds(stamp: re.Match[str]) -> float:
    """A WebVTT timestamp match as seconds."""
    hours, minutes, secs, frac = stamp.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(secs) + int(frac.ljust(3, "0")) / 1000


def read_transcript(path: Path) -> list[Cue]:
    """Cues of a WebVTT transcript as the exporter writes it (one cue per turn, `<v Speaker>`;
    a practice gap's cue without a voice span)."""
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    if not text.startswith("WEBVTT"):
        raise BuildError(
            "not a WebVTT file (no WEBVTT header); rebuild it with `audiolesson build`", path=path
        )
    cues = []
    for block in re.split(r"\n{2,}", text):
        lines = block.strip("\n").split("\n")
        timing = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing is None or lines[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        stamps = list(_TIMESTAMP.finditer(lines[timing]))
        if len(stamps) < 2:
            continue
        payload = "\n".join(lines[timing + 1 :])
        voice = _VOICE.search(payload)
        speaker = html.unescape(voice.group(1) or "").strip() if voice else ""
        words = html.unescape(_TAG.sub("", payload))
        start, end = _seconds(stamps[0]), _seconds(stamps[1])
        text = " ".join(words.split())
        practice = voice is None and text == PRACTICE_TEXT  # written so by `_vtt_payload`
        timed = () if practice else _inline_words(payload, start, end)
        cues.append(Cue(start, end, speaker or None, text, practice=practice, words=timed))
    return cues


def _inline_words(payload: str, start: float, end: float) -> tuple[Word, ...]:
    """The words of a cue's text with the starts its cue timestamps give (the text before the
    first one starts with the cue); each ends where the next starts, the last with the cue.
    None (an empty tuple) if the cue has no timestamps: an older VTT."""
    pieces = _INLINE.split(payload)  # text, stamp, text, stamp, text ...
    if len(pieces) == 1:
        return ()
    found: list[tuple[float, str]] = []
    for index, piece in enumerate(pieces):
        if index % 2:
            continue
        if "<" in piece:
            piece = _TAG.sub("", piece)
        text = " ".join((html.unescape(piece) if "&" in piece else piece).split())
        at = start if index == 0 else _seconds(_TIMESTAMP.match(pieces[index - 1]))  # type: ignore[arg-type]
        if text:
            found.append((at, text))
    return tuple(
        Word(at, found[i + 1][0] if i + 1 < len(found) else max(end, at), text)
        for i, (at, text) in enumerate(found)
    )


def read_chapter_starts(path: Path) -> list[ChapterStart]:
    """Chapters of a Podcasting 2.0 chapters JSON file, sorted by start time."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
        marks = [
            ChapterStart(float(c["startTime"]), str(c.get("title") or ""))
            for c in data["chapters"]
            if c.get("toc", True) is not False
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise BuildError(
            f"not a Podcasting 2.0 chapters file ({exc}); rebuild it with `audiolesson build`",
            path=path,
        ) from None
    return sorted(marks, key=lambda m: m.start)
