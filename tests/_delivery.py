"""Test helper: a tiny built project (tagged MP3s, sidecars) for the feed, page and server tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from mutagen.id3 import APIC, COMM, ID3, TALB, TCON, TDRC, TIT2, TIT3, TLAN, TPE1, TRCK, TXXX

DATA = Path(__file__).parent / "data" / "delivery"
SECONDS = 6.0
TRICKY_TITLE = 'Q&A <script>window.pwned = 1</script> "quotes" \U0001f3a7\x07 end'

#: slug -> ID3 text frames; "cover" marks the episodes whose MP3 carries a cover picture
EPISODES: dict[str, dict[str, str]] = {
    "foundations-1": {
        "TIT2": "What are Foundation Models?",
        "TIT3": "15. Modern Topics",
        "TRCK": "15.1",
        "COMM": "Definition & core ideas of foundation models.",
        "TXXX:AUDIOLESSON_PUBLISHED": "2025-01-02T10:00:00+00:00",
        "cover": "yes",
    },
    "foundations-2": {
        "TIT2": "Core Ideas",
        "TRCK": "15.2",
        "TXXX:AUDIOLESSON_PUBLISHED": "2025-01-01T09:30:00+01:00",
    },
    "two": {"TIT2": TRICKY_TITLE, "TRCK": "2"},  # no publish date: the feed falls back to mtime
    "ten": {
        "TIT2": "Tenth lesson",
        "TRCK": "10",
        "TXXX:AUDIOLESSON_PUBLISHED": "2025-02-01T08:00:00",
    },
}
ORDER = ["two", "ten", "foundations-1", "foundations-2"]

_mp3_cache: dict[float, bytes] = {}


def mp3_bytes(seconds: float = SECONDS) -> bytes:
    """A short mono MP3 (a sine tone) made by ffmpeg, made once per test session."""
    if seconds not in _mp3_cache:
        _mp3_cache[seconds] = subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-f", "lavfi"]
            + ["-i", f"sine=frequency=330:duration={seconds}"]
            + "-ac 1 -ar 22050 -b:a 32k -f mp3 -".split(),
            check=True,
            capture_output=True,
        ).stdout
    return _mp3_cache[seconds]


def tag(path: Path, frames: dict[str, str], cover: bytes | None) -> None:
    """Tag an MP3 the way the exporter does (ID3v2.4)."""
    tags = ID3()
    simple = {"TIT2": TIT2, "TIT3": TIT3, "TRCK": TRCK}
    for key, value in frames.items():
        if key in simple:
            tags.add(simple[key](encoding=3, text=value))
        elif key.startswith("TXXX:"):
            tags.add(TXXX(encoding=3, desc=key[5:], text=value))
        elif key == "COMM":
            tags.add(COMM(encoding=3, lang="eng", desc="", text=value))
    tags.add(TPE1(encoding=3, text="Course Team"))
    tags.add(TALB(encoding=3, text="Advanced Machine Learning"))
    tags.add(TCON(encoding=3, text="Podcast"))
    tags.add(TDRC(encoding=3, text="2025"))
    tags.add(TLAN(encoding=3, text="en"))
    tags.add(TXXX(encoding=3, desc="AUDIOLESSON_KEY", text="0" * 64))
    if cover is not None:
        tags.add(APIC(encoding=3, mime="image/png", type=3, desc="Cover", data=cover))
    tags.save(path, v2_version=4)


def make_project(tmp_path: Path, toml: str = "") -> Path:
    """Copy the fixture project to tmp_path and add its tagged MP3s to output/."""
    root = tmp_path / "project"
    shutil.copytree(DATA, root)
    cover = (root / "show-cover.png").read_bytes()
    for slug, frames in EPISODES.items():
        audio = root / "output" / f"{slug}.mp3"
        audio.write_bytes(mp3_bytes())
        tag(
            audio,
            {k: v for k, v in frames.items() if k != "cover"},
            cover if "cover" in frames else None,
        )
    if toml:
        (root / "audiolesson.toml").write_text(toml, encoding="utf-8")
    return root
