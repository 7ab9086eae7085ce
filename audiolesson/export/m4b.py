"""M4B audiobooks: each block's PCM in AAC beside its MP3, joined by stream copy into one MP4.

Like the MP3 blocks, each block is encoded once (ffmpeg's native AAC encoder, ADTS, from the
ffmpeg binary imageio-ffmpeg ships) into cache_dir/blocks/<block key>.<AAC tag>.aac with an index
(.aac.json: frames, samples, checksum, mtime and edges, checked as MP3 blocks are) and reused
while its content and the AAC settings stay the same. The episode is the blocks' ADTS frames
piped back to back into ffmpeg (no re-encode), which muxes them into an MP4 with the M4B brand;
every block starts AAC_PRIMING samples into its first frame, and the join is shifted by that
much so the MP4's edit list hides the first block's priming: the block starts are then sums of
frame counts, exactly as in the MP3, and the chapter marks follow from them. Chapters go in as
ffmetadata (ffmpeg writes both the QuickTime chapter track and Nero chapters, in a movie
timescale every chapter fits: `movie_timescale`), tags (title, artist, album, narrator, cover)
through mutagen afterwards."""

from __future__ import annotations

import json
import logging
import re
import struct
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..audio import pcm16_bytes
from ..audio_settings import AudioSettings
from ..errors import BuildError
from ..files import append_file, sha256_of, staged_files, write_atomic
from ..images import image_type
from ..keys import spaced_digest
from .blocks import EncodedBlock, block_file, check_file, in_threads, stamp
from .mix import stitch
from .tags import EpisodeMeta
from .timeline import Block, ChapterMark, ClipSource

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "AAC_PRIMING",
    "SAMPLES_PER_AAC_FRAME",
    "AacBlock",
    "aac_tag",
    "encode_aac_blocks",
    "prune_aac",
    "remove_join_leftovers",
    "write_m4b",
]

log = logging.getLogger(__name__)

AAC_FORMAT = 1  #: bump when the AAC block layout changes
SAMPLES_PER_AAC_FRAME = 1024  #: AAC-LC
AAC_PRIMING = 1024  #: samples ffmpeg's AAC encoder puts before the audio (its initial padding)
_ADTS_SYNC = 0xFFF0


@dataclass(frozen=True)
class AacBlock:
    """One block encoded to AAC (ADTS) in the block cache, or nothing for a block without audio."""

    path: Path | None
    frames: int  #: AAC frames (1024 samples each)
    samples: int  #: PCM frames of the block's audio (the same as its MP3's)
    spans: list[tuple[int, int]]  #: each clip's (start, end) frame within the block


def ffmpeg_exe() -> str:
    """The ffmpeg binary that imageio-ffmpeg ships (a pip dependency: no system ffmpeg needed)."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def aac_kbps(settings: AudioSettings) -> int:
    """The AAC bitrate: the MP3's (AAC sounds at least as good at the same rate)."""
    return settings.bitrate_kbps


def aac_tag(settings: AudioSettings) -> str:
    """What, beside the block key, names a block's AAC file: encoder version and settings."""
    import imageio_ffmpeg

    data = {"ffmpeg": imageio_ffmpeg.get_ffmpeg_version(), "kbps": aac_kbps(settings),
            "format": AAC_FORMAT}  # fmt: skip
    return "aac" + spaced_digest(data, 12)


def _paths(folder: Path, key: str, tag: str) -> tuple[Path, Path]:
    aac = folder / f"{key}.{tag}.aac"
    return aac, aac.with_name(aac.name + ".json")


def count_adts_frames(path: Path) -> int:
    """AAC frames in an ADTS file, checking every header."""
    data, frames, pos = path.read_bytes(), 0, 0
    while pos < len(data):
        header = data[pos : pos + 7]
        if len(header) < 7 or (header[0] << 8 | header[1]) & _ADTS_SYNC != _ADTS_SYNC:
            raise BuildError(f"not an ADTS frame at byte {pos}", path=path)
        length = (header[3] & 3) << 11 | header[4] << 3 | header[5] >> 5
        if length < 7:
            raise BuildError(f"bad ADTS frame length at byte {pos}", path=path)
        pos += length
        frames += 1
    return frames


def _load(folder: Path, key: str, tag: str, samples: int, full: bool) -> int | None:
    """The cached block's AAC frame count, checked as MP3 blocks are (`check_file`; `full`
    hashes it whole); None if absent or damaged."""
    aac, index = _paths(folder, key, tag)
    try:
        meta = json.loads(index.read_text(encoding="utf-8"))
        if meta["format"] != AAC_FORMAT or meta["samples"] != samples:
            return None
        why, stale = check_file(aac, meta, full)
        if why is not None:
            log.warning(
                "block cache: AAC block %s is damaged (it %s); encoding it again", aac.name, why
            )
            return None
        if stale:  # copied, touched or from an older version, and whole
            write_atomic(index, json.dumps(stamp(meta, aac)).encode("utf-8"))
        return int(meta["frames"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("block cache: AAC block %s is unreadable (%s); encoding it again", aac, exc)
        return None


def encode_aac_block(
    block: Block, settings: AudioSettings, folder: Path, key: str, tag: str, *, clips: ClipSource
) -> int:
    """Mix the block again and stream its PCM through ffmpeg into AAC; its AAC frame count."""
    aac, index = _paths(folder, key, tag)
    with staged_files(aac, index) as staged:
        command = [
            ffmpeg_exe(), "-nostdin", "-v", "error", "-y",
            "-f", "s16le", "-ar", str(settings.sample_rate), "-ac", str(settings.channels),
            "-i", "pipe:0", "-c:a", "aac", "-b:a", f"{aac_kbps(settings)}k",
            "-f", "adts", str(staged.temp(aac)),
        ]  # fmt: skip
        with tempfile.TemporaryFile() as errors:
            proc = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=errors)
            assert proc.stdin is not None  # stdin=PIPE
            pipe = proc.stdin

            def feed(samples: np.ndarray) -> None:
                pipe.write(pcm16_bytes(samples))

            try:
                mix = stitch(block, settings, feed, clips=clips)
            except BrokenPipeError:
                mix = None
            finally:
                pipe.close()
                code = proc.wait()
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace").strip().splitlines()
        if code != 0 or mix is None:
            why = message[-1] if message else f"exit status {code}"
            raise BuildError(f"AAC encoder failed for block {block.title!r}: {why}")
        frames = count_adts_frames(staged.temp(aac))
        if frames * SAMPLES_PER_AAC_FRAME < mix.frames + AAC_PRIMING:
            raise BuildError(f"AAC encoder returned too few frames for block {block.title!r}")
        meta = {
            "format": AAC_FORMAT,
            "title": block.title,
            "frames": frames,
            "samples": mix.frames,
            "bytes": staged.temp(aac).stat().st_size,
            "sha256": sha256_of(staged.temp(aac)),
        }
        meta = stamp(meta, staged.temp(aac))
        staged.temp(index).write_text(json.dumps(meta), encoding="utf-8")
        staged.commit()  # the index last: it marks the entry as complete
    return frames


def encode_aac_blocks(
    blocks: Sequence[Block],
    encoded: Sequence[EncodedBlock],
    keys: Sequence[str],
    settings: AudioSettings,
    folder: Path,
    jobs: int,
    progress: Callable[[str], None] | None,
    *,
    clips: ClipSource,
    full_check: bool = False,
) -> tuple[list[AacBlock], list[int]]:
    """Each block's AAC from the block cache or encoded (in parallel); and the indexes encoded.

    `encoded` are the same blocks' MP3s: a block without audio there has none here either.
    """
    tag = aac_tag(settings)
    frames: list[int | None] = [
        0 if not mp3.frames else _load(folder, key, tag, mp3.samples, full_check)
        for mp3, key in zip(encoded, keys, strict=True)
    ]
    todo = [i for i, found in enumerate(frames) if found is None]
    if todo:
        # ffmpeg encodes in its own process and the mix releases the GIL: threads suffice.

        def finished(index: int, block_frames: int) -> None:
            frames[index] = block_frames
            if progress:
                progress(f"encoded AAC block {index + 1}/{len(blocks)}: {blocks[index].title}")

        in_threads(
            todo,
            lambda i: encode_aac_block(blocks[i], settings, folder, keys[i], tag, clips=clips),
            jobs,
            finished,
        )
    pieces = [
        AacBlock(
            _paths(folder, key, tag)[0] if mp3.frames else None,
            count or 0,
            mp3.samples,
            mp3.spans,
        )  # fmt: skip
        for mp3, key, count in zip(encoded, keys, frames, strict=True)
    ]
    return pieces, todo


def prune_aac(cache_dir: Path, folder_name: str, settings: AudioSettings) -> tuple[int, int]:
    """Remove AAC blocks encoded with other AAC settings (or encoders); (files removed, bytes)."""
    folder, tag = cache_dir / folder_name, aac_tag(settings)
    removed = freed = 0
    for path in folder.glob("*.aac*") if folder.is_dir() else []:
        named = block_file(path.name)  # only a block's own AAC files, by their names
        if named is None or named[1] is None or named[2] or named[1] == tag:
            continue
        freed += path.stat().st_size
        path.unlink(missing_ok=True)
        removed += 1
    return removed, freed


def _metadata_value(text: str) -> str:
    """A value as ffmetadata files need it: =, ;, #, \\ and line breaks escaped."""
    text = " ".join(text.split())
    return "".join("\\" + c if c in "=;#\\" else c for c in text)


def ffmetadata(chapters: Sequence[ChapterMark], duration: float) -> str:
    """An ffmetadata file with the chapters as one flat list (each ends where the next starts)."""
    lines = [";FFMETADATA1"]
    starts = [round(mark.start * 1000) for mark in chapters]
    total = round(duration * 1000)
    for index, mark in enumerate(chapters):
        end = starts[index + 1] if index + 1 < len(chapters) else total
        lines += [
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={starts[index]}",
            f"END={max(end, starts[index])}",
            f"title={_metadata_value(mark.title)}",
        ]
    return "\n".join(lines) + "\n"


#: A sample of an MP4 track may last at most this many ticks of its timescale (ffmpeg's muxer
#: drops a longer one with only a warning).
MAX_SAMPLE_TICKS = 2**31 - 1
#: The movie timescale when a chapter is too long for the sample rate (ffmpeg 7's default).
MILLISECONDS = 1000


def movie_timescale(chapters: Sequence[ChapterMark], duration: float, rate: int) -> int:
    """The MP4 movie timescale for these chapters: the sample rate, or milliseconds for a
    chapter longer than MAX_SAMPLE_TICKS samples (13.5 hours at 44.1 kHz).

    The QuickTime chapter track (what Apple Books and most players list) is a text track with one
    sample per chapter, timed in the movie timescale. Since ffmpeg 8 that defaults to 28224000
    ticks a second, so a chapter over 76.1 s does not fit: ffmpeg drops it from the track (which
    then lists only the short chapters, at the wrong times, or is not written at all), and only
    the Nero chapters keep it. The sample rate keeps every time sample-exact.
    """
    starts = [mark.start for mark in chapters] + [duration]
    longest = max((b - a for a, b in zip(starts, starts[1:], strict=False)), default=duration)
    return rate if (longest + 1) * rate < MAX_SAMPLE_TICKS else MILLISECONDS


def _boxes(data: bytes, start: int, end: int) -> dict[bytes, list[tuple[int, int]]]:
    """Each MP4 box between start and end: type -> [(payload start, payload end)]."""
    found: dict[bytes, list[tuple[int, int]]] = {}
    while start + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, start)
        header = 8
        if size == 1:
            size, header = struct.unpack_from(">Q", data, start + 8)[0], 16
        elif size == 0:
            size = end - start
        if size < header or start + size > end:
            break
        found.setdefault(kind, []).append((start + header, start + size))
        start += size
    return found


def _moov(path: Path) -> bytes:
    """The payload of the file's moov box (b"" if it has none)."""
    with path.open("rb") as fh:
        size = fh.seek(0, 2)
        position = 0
        while position + 8 <= size:
            fh.seek(position)
            head = fh.read(16)
            length, kind = struct.unpack_from(">I4s", head)
            header = 8
            if length == 1:
                length, header = struct.unpack_from(">Q", head, 8)[0], 16
            elif length == 0:
                length = size - position
            if length < header:
                break
            if kind == b"moov":
                fh.seek(position + header)
                return fh.read(length - header)
            position += length
    return b""


def chapter_track_samples(path: Path) -> int:
    """How many chapters the M4B's QuickTime chapter track holds: samples of the text track the
    audio track's tref/chap points at (0 if it points at none)."""
    moov = _moov(path)
    tracks: dict[int, dict[bytes, list[tuple[int, int]]]] = {}
    chapters: list[int] = []
    for a, b in _boxes(moov, 0, len(moov)).get(b"trak", []):
        trak = _boxes(moov, a, b)
        if b"tkhd" not in trak:
            continue
        tkhd = trak[b"tkhd"][0][0]
        track_id = struct.unpack_from(">I", moov, tkhd + (20 if moov[tkhd] else 12))[0]
        tracks[track_id] = trak
        for ta, tb in trak.get(b"tref", []):
            for ca, cb in _boxes(moov, ta, tb).get(b"chap", []):
                chapters += struct.unpack_from(f">{(cb - ca) // 4}I", moov, ca)
    if not chapters or chapters[0] not in tracks:
        return 0
    level = tracks[chapters[0]]
    for kind in (b"mdia", b"minf", b"stbl"):
        if kind not in level:
            return 0
        level = _boxes(moov, *level[kind][0])
    if b"stsz" not in level:
        return 0
    return int(struct.unpack_from(">I", moov, level[b"stsz"][0][0] + 8)[0])


def write_m4b(
    target: Path,
    pieces: Sequence[AacBlock],
    chapters: Sequence[ChapterMark],
    duration: float,
    meta: EpisodeMeta,
    settings: AudioSettings,
) -> None:
    """Join the AAC blocks (stream copy) into an M4B at target, with chapters, then tag it.

    The blocks' ADTS frames go to ffmpeg on its standard input (ADTS frames stand alone, so the
    blocks' bytes back to back are one stream), the chapters through an unnamed temporary file:
    no file list to quote (a path may hold any character, a line break too) and nothing on disk
    for a killed build to leave behind.
    """
    audible = [piece.path for piece in pieces if piece.frames and piece.path is not None]
    timescale = movie_timescale(chapters, duration, settings.sample_rate)
    with tempfile.TemporaryFile() as metadata, tempfile.TemporaryFile() as errors:
        metadata.write(ffmetadata(chapters, duration).encode("utf-8"))
        metadata.flush()
        metadata.seek(0)
        # Starting the join AAC_PRIMING samples before zero makes the muxer write an edit list
        # that skips the first block's priming, as players expect of an AAC track.
        command = [
            ffmpeg_exe(), "-nostdin", "-v", "error", "-y",
            "-itsoffset", f"{-AAC_PRIMING / settings.sample_rate:.9f}",
            "-f", "aac", "-i", "pipe:0",
            "-f", "ffmetadata", "-i", f"pipe:{metadata.fileno()}",
            "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1", "-c", "copy",
            "-movie_timescale", str(timescale),
            "-f", "ipod", "-brand", "M4B ", "-movflags", "+faststart", str(target),
        ]  # fmt: skip
        proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stderr=errors, pass_fds=(metadata.fileno(),)
        )
        assert proc.stdin is not None  # stdin=PIPE
        pipe = proc.stdin
        try:
            for path in audible:
                append_file(pipe.fileno(), path)
        except BrokenPipeError:
            pass  # ffmpeg stopped early: its exit status and message say why
        finally:
            pipe.close()
            code = proc.wait()
        errors.seek(0)
        lines = errors.read().decode("utf-8", "replace").strip().splitlines()
    if code != 0:
        why = lines[-1] if lines else f"exit status {code}"
        raise BuildError(f"could not join the AAC blocks into an M4B: {why}", path=target)
    found = chapter_track_samples(target)
    if found != len(chapters):
        raise BuildError(
            f"ffmpeg wrote {found} of {len(chapters)} chapters into the M4B's chapter track",
            path=target,
        )
    tag_m4b(target, meta)


#: the folder an M4B join made in output/ while it listed the blocks in a file: tempfile's name for
#: TemporaryDirectory(prefix=".m4b-"), holding the join's file list and its chapters
_JOIN_FOLDER = re.compile(r"\.m4b-[a-z0-9_]{8}")
_JOIN_FILES = frozenset({"blocks.txt", "chapters.txt"})


def remove_join_leftovers(folder: Path) -> list[Path]:
    """Remove the folders killed M4B joins left in folder; the folders removed.

    Only a real folder (not a symlink) named as the join named it, holding nothing but the
    join's own two files, is the build's; anything else is left alone, whatever its name.
    """
    removed = []
    for path in sorted(folder.glob(".m4b-*")):
        if not _JOIN_FOLDER.fullmatch(path.name) or path.is_symlink() or not path.is_dir():
            continue
        entries = list(path.iterdir())
        if all(e.name in _JOIN_FILES and e.is_file() and not e.is_symlink() for e in entries):
            for entry in entries:
                entry.unlink()
            path.rmdir()
            removed.append(path)
    return removed


def narrator_text(meta: EpisodeMeta) -> str | None:
    """What ©nrt says: the narrator names joined."""
    return ", ".join(meta.narrators) if meta.narrators else None


def tag_m4b(path: Path, meta: EpisodeMeta) -> None:
    """Title, artist, album, narrator, genre, year, description and cover, as iTunes atoms."""
    from mutagen.mp4 import MP4, MP4Cover

    audio = MP4(path)
    if audio.tags is None:
        audio.add_tags()
    tags = audio.tags
    texts = {
        "\xa9nam": meta.title, "\xa9ART": meta.author, "aART": meta.author,
        "\xa9alb": meta.series, "\xa9nrt": narrator_text(meta), "\xa9gen": meta.genre,
        "\xa9day": str(meta.year) if meta.year is not None else None, "desc": meta.description,
        "\xa9cmt": meta.subtitle,
    }  # fmt: skip
    for atom, value in texts.items():
        if value:
            tags[atom] = [" ".join(str(value).split())]  # type: ignore[index]
    if meta.cover is not None:
        try:
            data = meta.cover.read_bytes()
        except OSError as exc:
            raise BuildError(f"cannot read cover image: {exc.strerror}", path=meta.cover) from exc
        png = image_type(data) == "image/png"  # else JPEG: the plan let no other kind through
        kind = MP4Cover.FORMAT_PNG if png else MP4Cover.FORMAT_JPEG
        tags["covr"] = [MP4Cover(data, imageformat=kind)]  # type: ignore[index]
    audio.save()
