"""Export: encode each chapter to MP3 once, join the chapters gaplessly, tag, write sidecars.

Each chapter is cut into blocks of about 16 turns at content-defined points (a cut follows a turn
whose clip key hashes to 0 mod 16, so an edit moves no other cut), and each block is mixed and
encoded on its own (lameenc, CBR, in-process) into work_dir/chapters/, keyed by its content: a
rebuild after a one-turn edit re-encodes about two minutes of audio, however long the book.
The episode is the blocks' MP3 frames back to back behind one Xing/LAME "Info" frame carrying the
total frame count, the encoder delay and the final padding. Every block starts with a fresh
encoder, so its audio begins exactly ENCODER_DELAY + DECODER_DELAY samples into its first frame;
all times are therefore computed from frame counts and are exact. Outputs appear by rename,
whole or not at all.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import shutil
import struct
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import BuildError
from .files import sha256_of
from .killpoints import killpoint
from .loudness import BLOCK_SECONDS, HOPS_PER_BLOCK, gated_loudness
from .mix import (
    AudioSettings,
    ChapterInput,
    ChapterMark,
    ClipItem,
    Cue,
    Silence,
    stitch,
)
from .sidecars import chapters_json_text, vtt_text
from .tags import EpisodeMeta, build_tag

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "AudioSettings",
    "ChapterInput",
    "ClipItem",
    "EpisodeMeta",
    "EpisodeResult",
    "Silence",
    "export_episode",
]

log = logging.getLogger(__name__)

LAME_QUALITY = 5  #: LAME -q 5: about 250x real time for mono speech, indistinguishable at 64 kb/s
SAMPLES_PER_FRAME = 1152  #: MPEG-1 Layer III
ENCODER_DELAY = 576  #: LAME's fixed encoder delay
DECODER_DELAY = 529  #: what MP3 decoders add (528 + 1), as the LAME tag convention assumes
SEGMENT_FORMAT = 3  #: bump when the chapter cache layout changes (3: checksums)
BLOCKS_FOLDER = "chapters"  #: encoded blocks live in work_dir/chapters
BLOCK_CUT = 8  #: a block ends after a turn whose clip key hashes to 0 modulo this
BLOCK_MAX_CLIPS = 32
_COPY_BLOCK = 1 << 20
_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_RATES = (44100, 48000, 32000)


@dataclass
class EpisodeResult:
    """What export_episode wrote and measured."""

    mp3: Path
    vtt: Path
    chapters_json: Path
    duration: float  #: seconds, as decoders report it
    cues: list[Cue] = field(default_factory=list)  #: one per turn
    chapters: list[ChapterMark] = field(default_factory=list)
    chapters_encoded: int = 0  #: chapters of which at least one block was (re-)encoded
    chapters_reused: int = 0  #: chapters taken whole from the chapter cache
    blocks_encoded: int = 0  #: blocks (about 16 turns each) encoded
    blocks_reused: int = 0
    block_keys: list[str] = field(default_factory=list)  #: work_dir/chapters/<key>.* in use
    loudness_lufs: float = -math.inf  #: integrated loudness of the mix before encoding
    true_peak_dbtp: float = -math.inf  #: true peak of the mix before encoding


@dataclass(frozen=True)
class Segment:
    """One chapter encoded to MP3 in the chapter cache (or nothing, for an empty chapter)."""

    path: Path | None
    frames: int  #: MP3 frames in the file
    samples: int  #: PCM frames of the chapter's audio
    spans: list[tuple[int, int]]  #: each clip's (start, end) frame within the chapter
    loudness_lufs: float
    true_peak_db: float
    hops_path: Path | None

    @property
    def padding(self) -> int:
        """Samples the encoder appended after the chapter's audio (LAME tag convention)."""
        return self.frames * SAMPLES_PER_FRAME - ENCODER_DELAY - self.samples


def frame_length(header: int) -> int:
    """Byte length of the MPEG-1 Layer III frame starting with this 32-bit header."""
    bitrate_index, rate_index = (header >> 12) & 0xF, (header >> 10) & 0x3
    if header >> 21 != 0x7FF or (header >> 17) & 0xF != 0b1101 or bitrate_index in (0, 15):
        raise BuildError(f"not an MPEG-1 Layer III frame header: {header:08x}")
    if rate_index == 3:
        raise BuildError(f"bad sample rate in MP3 frame header: {header:08x}")
    return 144 * _BITRATES[bitrate_index] * 1000 // _RATES[rate_index] + ((header >> 9) & 1)


class FrameCounter:
    """Counts whole MP3 frames in a byte stream as it is written, checking every header."""

    def __init__(self) -> None:
        self.frames = 0
        self.first_header: int | None = None
        self._buffer = b""

    def feed(self, data: bytes) -> None:
        """Account for the next bytes of the stream."""
        buffer, pos = self._buffer + data, 0
        while len(buffer) - pos >= 4:
            header = int.from_bytes(buffer[pos : pos + 4], "big")
            length = frame_length(header)
            if len(buffer) - pos < length:
                break
            if self.first_header is None:
                self.first_header = header
            pos += length
            self.frames += 1
        self._buffer = buffer[pos:]

    def close(self) -> None:
        """Check that the stream ended on a frame boundary."""
        if self._buffer:
            raise BuildError(f"MP3 encoder output ends with {len(self._buffer)} stray bytes")


def _crc16(data: bytes) -> int:
    """CRC-16/ARC (polynomial 0x8005, reflected), as the LAME tag uses."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def info_frame(first_header: int, frames: int, audio_bytes: int, padding: int) -> bytes:
    """A Xing "Info" frame with a LAME extension: frame count, TOC, encoder delay and padding."""
    mono = (first_header >> 6) & 0x3 == 3
    xing = 4 + (17 if mono else 32)
    needed = xing + 120 + 36
    index = (first_header >> 12) & 0xF
    header = first_header & ~(0xF << 12) & ~(1 << 9)  # no padding bit: a fixed length
    while frame_length(header | (index << 12)) < needed:  # small bitrates: a bigger info frame
        index += 1
    header |= index << 12
    length = frame_length(header)
    total = length + audio_bytes
    frame = bytearray(length)
    struct.pack_into(">I", frame, 0, header)
    struct.pack_into(">4sIII", frame, xing, b"Info", 0x0F, frames, total)
    frame[xing + 16 : xing + 116] = bytes(i * 256 // 100 for i in range(100))  # CBR: linear TOC
    lame = xing + 120
    kbps = min(255, _BITRATES[(first_header >> 12) & 0xF])
    frame[lame : lame + 9] = b"LAME3.100"
    frame[lame + 9] = 0x01  # tag revision 0, CBR
    frame[lame + 20] = kbps
    frame[lame + 21 : lame + 24] = ((ENCODER_DELAY << 12) | padding).to_bytes(3, "big")
    struct.pack_into(">I", frame, lame + 28, total)
    struct.pack_into(">H", frame, lame + 34, _crc16(bytes(frame[: lame + 34])))
    return bytes(frame)


def _new_encoder(settings: AudioSettings):  # -> lameenc.Encoder
    import lameenc

    encoder = lameenc.Encoder()
    encoder.set_bit_rate(settings.bitrate_kbps)
    encoder.set_in_sample_rate(settings.sample_rate)
    encoder.set_out_sample_rate(settings.sample_rate)
    encoder.set_channels(settings.channels)
    encoder.set_quality(LAME_QUALITY)
    return encoder


def _to_pcm16(samples: np.ndarray) -> bytes:
    import numpy as np

    return (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2").tobytes()


def split_blocks(chapter: ChapterInput) -> list[ChapterInput]:
    """The chapter's timeline cut into blocks at content-defined points (never inside a turn)."""
    blocks: list[list[Silence | ClipItem]] = []
    current: list[Silence | ClipItem] = []
    clips = 0
    for item in chapter.items:
        current.append(item)
        if isinstance(item, ClipItem):
            clips += 1
            cut = int(hashlib.sha256(item.key.encode()).hexdigest()[:8], 16) % BLOCK_CUT == 0
            if cut or clips >= BLOCK_MAX_CLIPS:
                blocks.append(current)
                current, clips = [], 0
    if current:
        if clips or not blocks:
            blocks.append(current)
        else:  # trailing pauses join the last block rather than becoming a block of silence
            blocks[-1].extend(current)
    return [
        ChapterInput(f"{chapter.title} [{n + 1}/{len(blocks)}]", chapter.level, "", items)
        for n, items in enumerate(blocks)
    ]


def segment_key(block: ChapterInput, settings: AudioSettings) -> str:
    """Cache key of a block's MP3: its clips and pauses plus the mix and encoding settings."""
    import lameenc

    version = getattr(lameenc, "__version__", "") or "lameenc"
    items = [
        ["clip", item.key] if isinstance(item, ClipItem) else ["pause", item.seconds]
        for item in block.items
    ]
    data = {
        "items": items,
        "audio": settings.fingerprint(),
        "lame": [version, LAME_QUALITY],
        "format": SEGMENT_FORMAT,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:40]


def block_keys(chapters: Sequence[ChapterInput], settings: AudioSettings) -> list[str]:
    """The keys of the encoded blocks an episode made of these chapters uses."""
    return [segment_key(b, settings) for chapter in chapters for b in split_blocks(chapter)]


def prune_blocks(work_dir: Path, keep: set[str]) -> tuple[int, int]:
    """Remove encoded blocks (every file named <block key>.*) not in keep; (removed, bytes)."""
    folder = work_dir / BLOCKS_FOLDER
    removed = freed = 0
    stems: set[str] = set()
    for p in folder.glob("*") if folder.is_dir() else []:
        stem = p.name.split(".")[0] if not p.name.startswith(".") else ""
        if stem in keep:
            continue
        size = p.stat().st_size
        p.unlink(missing_ok=True)
        freed += size
        if stem and stem not in stems:
            stems.add(stem)
            removed += 1
    return removed, freed


def _atomic_tmp(folder: Path, name: str) -> Path:
    handle, path = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    os.close(handle)
    return Path(path)


def _damage(meta: dict, mp3_path: Path, hops_path: Path) -> str | None:
    """Why a cached segment's files do not match their checksums, or None if they do."""
    if meta["frames"]:
        if not mp3_path.is_file():
            return "its MP3 is missing"
        if mp3_path.stat().st_size != meta["bytes"]:
            return f"its MP3 is {mp3_path.stat().st_size} bytes, not {meta['bytes']}"
        if sha256_of(mp3_path) != meta["sha256"]:
            return "its MP3 fails the checksum"
    if not hops_path.is_file() or sha256_of(hops_path) != meta["hops_sha256"]:
        return "its loudness data is missing or fails the checksum"
    return None


def _load_segment(folder: Path, key: str, clips: int) -> Segment | None:
    """The cached segment for `key`, verified; None if absent, damaged or not for this chapter."""
    meta_path, mp3_path, hops_path = (folder / f"{key}{ext}" for ext in (".json", ".mp3", ".npy"))
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        meta, why = {}, f"unreadable index: {exc}"
    else:
        try:
            if meta["format"] != SEGMENT_FORMAT or len(meta["spans"]) != clips:
                return None  # an older layout: encoded again, silently
            why = _damage(meta, mp3_path, hops_path)
        except (OSError, KeyError, TypeError) as exc:
            why = f"unreadable index: {exc}"
    if why is not None:
        title = meta.get("title", key[:12]) if isinstance(meta, dict) else key[:12]
        log.warning("chapter cache: block %r is damaged (%s); encoding it again", title, why)
        return None
    return Segment(
        mp3_path if meta["frames"] else None,
        meta["frames"],
        meta["samples"],
        [tuple(span) for span in meta["spans"]],
        meta["loudness"] if meta["loudness"] is not None else -math.inf,
        meta["peak"] if meta["peak"] is not None else -math.inf,
        hops_path,
    )


def encode_chapter(
    chapter: ChapterInput, settings: AudioSettings, folder: Path, key: str
) -> Segment:
    """Mix and encode one chapter into the chapter cache, clip by clip; written atomically."""
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    encoder, counter, checksum = _new_encoder(settings), FrameCounter(), hashlib.sha256()
    mp3_tmp = _atomic_tmp(folder, f"{key}.mp3")
    temps = [mp3_tmp]
    try:
        with mp3_tmp.open("wb") as out:
            size = 0

            def write(samples: np.ndarray) -> None:
                nonlocal size
                data = bytes(encoder.encode(_to_pcm16(samples)))
                counter.feed(data)
                checksum.update(data)
                out.write(data)
                size += len(data)
                killpoint("mixing")

            mix = stitch(chapter, settings, write)
            tail = bytes(encoder.flush()) if mix.frames else b""
            counter.feed(tail)
            checksum.update(tail)
            out.write(tail)
            size += len(tail)
        counter.close()
        if mix.frames and counter.frames * SAMPLES_PER_FRAME < mix.frames + ENCODER_DELAY:
            raise BuildError(f"MP3 encoder returned too few frames for chapter {chapter.title!r}")
        hops_tmp = _atomic_tmp(folder, f"{key}.npy")
        temps.append(hops_tmp)
        with hops_tmp.open("wb") as out:
            np.save(out, mix.hops.astype(np.float32))
        meta = {
            "format": SEGMENT_FORMAT,
            "title": chapter.title,
            "frames": counter.frames,
            "bytes": size,
            "sha256": checksum.hexdigest(),
            "hops_sha256": sha256_of(hops_tmp),
            "samples": mix.frames,
            "spans": mix.spans,
            "loudness": mix.loudness_lufs if math.isfinite(mix.loudness_lufs) else None,
            "peak": mix.true_peak_db if math.isfinite(mix.true_peak_db) else None,
        }
        meta_tmp = _atomic_tmp(folder, f"{key}.json")
        temps.append(meta_tmp)
        meta_tmp.write_text(json.dumps(meta), encoding="utf-8")
        # The json goes last: it is what marks the entry as complete.
        os.replace(mp3_tmp, folder / f"{key}.mp3")
        killpoint("segment-writing")
        os.replace(hops_tmp, folder / f"{key}.npy")
        os.replace(meta_tmp, folder / f"{key}.json")
        killpoint("segment-stored")
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)
    segment = _load_segment(folder, key, len(mix.spans))
    if segment is None:
        raise BuildError(f"cannot read back the encoded chapter {chapter.title!r}", path=folder)
    return segment


def _segments(
    chapters: Sequence[ChapterInput],
    settings: AudioSettings,
    folder: Path,
    jobs: int,
    progress: Callable[[str], None] | None,
) -> tuple[list[Segment], list[int]]:
    """Each block's segment, from the cache or encoded (in parallel); the indexes encoded."""
    keys = [segment_key(chapter, settings) for chapter in chapters]
    segments: list[Segment | None] = []
    for chapter, key in zip(chapters, keys, strict=True):
        clips = sum(isinstance(item, ClipItem) for item in chapter.items)
        segments.append(_load_segment(folder, key, clips))
    todo = [i for i, segment in enumerate(segments) if segment is None]
    if not todo:
        return segments, todo  # type: ignore[return-value]
    # lameenc releases the GIL while encoding and numpy does for most of the mix: threads suffice.
    with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(todo)))) as pool:
        futures = {
            pool.submit(encode_chapter, chapters[i], settings, folder, keys[i]): i for i in todo
        }
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in done:
                if future.exception() is not None:
                    for other in pending:
                        other.cancel()
                    raise future.exception()  # type: ignore[misc]
                index = futures[future]
                segments[index] = future.result()
                if progress:
                    progress(f"encoded block {index + 1}/{len(chapters)}: {chapters[index].title}")
    return segments, todo  # type: ignore[return-value]


def _timeline(
    chapters: Sequence[ChapterInput],
    blocks: Sequence[list[ChapterInput]],
    segments: Sequence[Segment],
    rate: int,
) -> tuple[list[Cue], list[ChapterMark], float]:
    """Cues, chapter marks and duration in seconds, all from the segments' frame counts."""
    block_starts, position, end = [], 0, 0
    for segment in segments:
        block_starts.append(position)
        if segment.frames:
            end = position + segment.samples
            position += segment.frames * SAMPLES_PER_FRAME
    duration = end / rate
    cues: list[Cue] = []
    first_cue: list[float | None] = []
    starts: list[int] = []
    index = 0
    for chapter_blocks in blocks:
        starts.append(block_starts[index] if index < len(block_starts) else position)
        first: float | None = None
        for block in chapter_blocks:
            segment, start = segments[index], block_starts[index]
            clips = [item for item in block.items if isinstance(item, ClipItem)]
            for item, (a, b) in zip(clips, segment.spans, strict=True):
                cue = Cue(
                    (start + a) / rate, (start + b) / rate, item.speaker, item.text, item.line
                )
                cues.append(cue)
                first = cue.start if first is None else first
            index += 1
        first_cue.append(first)
    # A chapter starts with its first turn (not with the pause before it); an empty chapter (a
    # heading straight followed by a sub-heading) starts where the next turn does.
    mark_starts: list[float] = []
    following: float | None = None
    for index in reversed(range(len(chapters))):
        following = first_cue[index] if first_cue[index] is not None else following
        mark_starts.append(
            following if following is not None else min(starts[index] / rate, duration)
        )
    mark_starts.reverse()
    marks = []
    for index, chapter in enumerate(chapters):
        later = [
            mark_starts[j]
            for j in range(index + 1, len(chapters))
            if chapter.level != 1 or chapters[j].level == 1
        ]
        stop = later[0] if later else duration
        marks.append(
            ChapterMark(
                chapter.title, chapter.level, mark_starts[index], max(stop, mark_starts[index])
            )
        )
    return cues, marks, duration


def _episode_levels(segments: Sequence[Segment], rate: int) -> tuple[float, float]:
    """Integrated loudness (from the chapters' stored energies) and true peak of the whole mix."""
    import numpy as np

    arrays = [np.load(s.hops_path) for s in segments if s.frames and s.hops_path is not None]
    hop_frames = round(rate * BLOCK_SECONDS / HOPS_PER_BLOCK)
    loudness = gated_loudness(np.concatenate(arrays), hop_frames) if arrays else -math.inf
    peak = max((s.true_peak_db for s in segments if s.frames), default=-math.inf)
    return loudness, peak


def _clean_stale(folder: Path, prefix: str) -> None:
    """Remove temporary files an interrupted export (killed, power lost) left behind."""
    for stale in folder.glob(f".{prefix}*.tmp"):
        stale.unlink(missing_ok=True)


def export_episode(
    chapters: Sequence[ChapterInput],
    meta: EpisodeMeta,
    settings: AudioSettings,
    out_dir: Path,
    slug: str,
    work_dir: Path,
    progress: Callable[[str], None] | None = None,
    jobs: int | None = None,
) -> EpisodeResult:
    """Write <slug>.mp3 (mastered, chaptered, tagged), <slug>.vtt and <slug>.chapters.json."""
    settings.validate()
    if not any(isinstance(item, ClipItem) for chapter in chapters for item in chapter.items):
        raise BuildError("nothing to export: the episode has no turns")
    out_dir.mkdir(parents=True, exist_ok=True)
    folder = work_dir / BLOCKS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    _clean_stale(out_dir, f"{slug}.")
    blocks = [split_blocks(chapter) for chapter in chapters]
    flat = [block for chapter_blocks in blocks for block in chapter_blocks]
    segments, encoded = _segments(flat, settings, folder, jobs or os.cpu_count() or 1, progress)
    cues, marks, duration = _timeline(chapters, blocks, segments, settings.sample_rate)
    owner = [n for n, chapter_blocks in enumerate(blocks) for _ in chapter_blocks]
    touched = {owner[i] for i in encoded}
    audible = [segment for segment in segments if segment.frames]
    last = audible[-1]
    first_header = _first_header(audible[0])
    frames = sum(segment.frames for segment in audible)
    audio_bytes = sum(segment.path.stat().st_size for segment in audible)  # type: ignore[union-attr]
    tag = build_tag(meta, marks, cues, settings.id3_version)
    info = info_frame(first_header, frames, audio_bytes, last.padding)
    loudness, peak = _episode_levels(segments, settings.sample_rate)

    targets = {ext: out_dir / f"{slug}{ext}" for ext in (".mp3", ".vtt", ".chapters.json")}
    temps = {ext: _atomic_tmp(out_dir, target.name) for ext, target in targets.items()}
    try:
        if progress:
            progress(f"writing {targets['.mp3'].name}")
        with temps[".mp3"].open("wb") as out:
            out.write(tag)
            out.write(info)
            for segment in audible:
                with segment.path.open("rb") as part:  # type: ignore[union-attr]
                    shutil.copyfileobj(part, out, _COPY_BLOCK)
            out.flush()
            os.fsync(out.fileno())
        killpoint("episode-writing")
        temps[".vtt"].write_text(vtt_text(cues, meta.transcript_header), encoding="utf-8")
        temps[".chapters.json"].write_text(chapters_json_text(marks), encoding="utf-8")
        # The MP3 goes last: its build key is what later builds trust.
        for ext in (".vtt", ".chapters.json", ".mp3"):
            os.chmod(temps[ext], 0o644)
            os.replace(temps[ext], targets[ext])
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
    log.info("wrote %s (%.1f s, %d blocks encoded)", targets[".mp3"], duration, len(encoded))
    return EpisodeResult(
        mp3=targets[".mp3"],
        vtt=targets[".vtt"],
        chapters_json=targets[".chapters.json"],
        duration=duration,
        cues=cues,
        chapters=marks,
        chapters_encoded=len(touched),
        chapters_reused=len(chapters) - len(touched),
        blocks_encoded=len(encoded),
        blocks_reused=len(flat) - len(encoded),
        block_keys=[segment_key(block, settings) for block in flat],
        loudness_lufs=loudness,
        true_peak_dbtp=peak,
    )


def _first_header(segment: Segment) -> int:
    with segment.path.open("rb") as part:  # type: ignore[union-attr]
        header = int.from_bytes(part.read(4), "big")
    frame_length(header)
    return header
