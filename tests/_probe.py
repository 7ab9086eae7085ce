"""Reading outputs back without the exporter's help: ffprobe, ffmpeg, a WebVTT reader of ours."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any, NamedTuple


def ffprobe(path: Path) -> dict[str, Any]:
    """ffprobe's JSON for a media file: its "format", "streams" and "chapters"."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-show_chapters",
         "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(out)


def chapters(path: Path) -> list[dict[str, Any]]:
    """The chapters ffprobe finds, in the order they are stored."""
    return ffprobe(path)["chapters"]


def duration(path: Path) -> float:
    """The duration in seconds ffprobe gives the container."""
    return float(ffprobe(path)["format"]["duration"])


def ffmpeg_decode(path: Path) -> subprocess.CompletedProcess[str]:
    """Decode the whole file with ffmpeg, discarding the audio: returncode 0 and no stderr at all
    (`-v error`) means every frame decoded."""
    return subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
    )


def decodes(path: Path) -> bool:
    """True if ffmpeg decodes every frame without a single error."""
    proc = ffmpeg_decode(path)
    return proc.returncode == 0 and proc.stderr == ""


def loudness(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) by ffmpeg's ebur128 filter."""
    err = subprocess.run(
        ["ffmpeg", "-nostats", "-hide_banner", "-i", str(path), "-af", "ebur128=peak=true"]
        + ["-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    summary = err[err.rindex("Summary:") :]
    integrated = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary)
    assert integrated and peak, summary
    return float(integrated.group(1)), float(peak.group(1))


class Cue(NamedTuple):
    """One WebVTT cue: start and end in seconds, the speaker its <v> tag names (None: a practice
    gap's cue, which has no voice), the text."""

    start: float
    end: float
    voice: str | None
    text: str


STAMP = r"\d\d+:\d\d:\d\d\.\d{3}"  #: a cue timestamp with its hours


def _seconds(stamp: str) -> float:
    h, m, s = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def vtt_cues(path: Path) -> list[Cue]:
    """The cues of a WebVTT file, parsed here rather than with the exporter's own code.

    The file must start with WEBVTT; each block with a timing line is a cue (its identifier line,
    if any, is skipped), whose times must be hh:mm:ss.ttt; the lines after the timing are its
    text, joined with spaces, and must open with the speaker's <v> tag (the exporter gives every
    turn one; a practice gap's cue is "[Your turn]" alone). The words' cue timestamps inside the
    text (<hh:mm:ss.ttt>) must lie within the cue, each after the one before; the text is read
    without them.
    """
    text = path.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT"), text[:40]
    cues = []
    for block in text.split("\n\n")[1:]:
        lines = [x for x in block.strip().splitlines() if x]
        timing = next((x for x in lines if "-->" in x), None)
        if timing is None:
            continue
        stamps = re.match(rf"({STAMP}) --> ({STAMP})(?: |$)", timing)
        assert stamps, timing  # WebVTT's hh:mm:ss.ttt, as the exporter writes it
        start, end = _seconds(stamps.group(1)), _seconds(stamps.group(2))
        body = " ".join(lines[lines.index(timing) + 1 :])
        voiced = re.match(r"<v ([^>]*)>(.*)", body)
        if voiced is None:
            assert body == "[Your turn]", body
            cues.append(Cue(start, end, None, body))
            continue
        inline = [_seconds(t) for t in re.findall(rf"<({STAMP})>", voiced.group(2))]
        assert all(start < t < end for t in inline), (start, end, inline)
        assert inline == sorted(set(inline)), inline  # each after the one before
        words = re.sub(rf"<{STAMP}>", "", voiced.group(2))
        cues.append(Cue(start, end, voiced.group(1), words))
    return cues


def silences(
    path: Path, noise_db: float = -50.0, seconds: float = 1.0
) -> list[tuple[float, float]]:
    """(start, end) of every stretch quieter than noise_db for at least `seconds`, by ffmpeg's
    silencedetect filter."""
    err = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-i", str(path),
         "-af", f"silencedetect=noise={noise_db}dB:d={seconds}", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    starts = [float(s) for s in re.findall(r"silence_start: (-?[\d.]+)", err)]
    ends = [float(e) for e in re.findall(r"silence_end: (-?[\d.]+)", err)]
    return list(zip(starts, ends, strict=True))


def mean_volume(path: Path, start: float, seconds: float) -> float:
    """The mean volume (dBFS, ffmpeg's volumedetect) of `seconds` of audio from `start`."""
    err = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-ss", f"{start:.3f}", "-t", f"{seconds:.3f}",
         "-i", str(path), "-af", "volumedetect", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    found = re.search(r"mean_volume: (-?[\d.]+) dB", err)
    assert found, err
    return float(found.group(1))


def audio_frames(mp3: Path) -> bytes:
    """The MP3 after its ID3v2 tag (the tag holds the build time)."""
    data = mp3.read_bytes()
    assert data[:3] == b"ID3"
    size = 0
    for byte in data[6:10]:
        size = (size << 7) | byte
    return data[10 + size :]
