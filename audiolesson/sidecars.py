"""Sidecar files next to each MP3: the WebVTT transcript and Podcasting 2.0 JSON chapters."""

from __future__ import annotations

import json
from collections.abc import Sequence

from .mix import ChapterMark, Cue

CHAPTERS_VERSION = "1.2.0"


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
        parts.append(
            f"{number}\n{start} --> {end}\n<v {vtt_escape(cue.label)}>{vtt_escape(cue.text)}\n"
        )
    return "\n".join(parts)


def transcript_text(cues: Sequence[Cue], header: str | None = None) -> str:
    """The plain transcript: an optional header, then one "Speaker: text" line per turn."""
    lines = [f"{one_line(cue.label)}: {one_line(cue.text)}" for cue in cues]
    if header and header.strip():
        lines = [header.strip(), ""] + lines
    return "\n".join(lines)


def chapters_json_text(chapters: Sequence[ChapterMark]) -> str:
    """Podcasting 2.0 JSON chapters, sub-chapters included, in time order."""
    # sorted() is stable: a chapter stays before a sub-chapter that starts with it
    ordered = sorted(chapters, key=lambda mark: mark.start)
    doc = {
        "version": CHAPTERS_VERSION,
        "chapters": [
            {"startTime": round(mark.start, 3), "title": one_line(mark.title)} for mark in ordered
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
