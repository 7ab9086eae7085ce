"""Blocks: each chapter cut into pieces of about eight turns, each mixed and encoded on its own.

A chapter's timeline is cut at content-defined points (after a turn whose clip key hashes to 0
modulo BLOCK_CUT, so an edit moves no other cut) into blocks. Each block is mixed and encoded
(lameenc, CBR, in-process) into the block cache, cache_dir/blocks/<key>.{mp3,npy,json}, keyed by
its content and checked when reused (size, mtime and edges on every build, the whole checksum
when those disagree or under --force: see `_damage`): a rebuild after a one-turn edit re-encodes
one block, about eight turns (a minute of dialogue, two or three of long narration), however long
the book.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from .._killpoints import killpoint
from ..audio import pcm16_bytes
from ..audio_io import LAME_QUALITY
from ..audio_settings import AudioSettings
from ..errors import BuildError
from ..files import sha256_of, staged_files, write_atomic
from ..keys import spaced_digest
from ..script.layout import practice_seconds
from .mix import stitch
from .mp3 import ENCODER_DELAY, SAMPLES_PER_FRAME, FrameCounter, crc16, new_encoder
from .music import place_music
from .timeline import AnswerGap, Block, ChapterTimeline, ClipItem, ClipSource, Silence

T = TypeVar("T")

__all__ = [
    "BLOCKS_FOLDER",
    "ENCODER_MODULES",
    "EncodedBlock",
    "block_key",
    "block_keys",
    "check_file",
    "encode_blocks",
    "episode_blocks",
    "block_file",
    "gap_answers",
    "prune_blocks",
    "resolve_gaps",
    "split_blocks",
    "stamp",
]

log = logging.getLogger(__name__)

#: bump when the block cache layout or its audio changes (3: checksums; 4: levels from the
#: clips' kept levels, synth.levels)
BLOCK_FORMAT = 4
BLOCKS_FOLDER = "blocks"  #: encoded blocks live in cache_dir/blocks
BLOCK_KEY_CHARS = 40  #: hex digits of a block key
#: the names of a block entry's files: <key>.mp3, .npy and .json, and the AAC encode the M4B
#: export keeps beside them (<key>.<AAC tag>.aac and its .json index: export.m4b); and their
#: temporary files (files.staged_files: .<name>.<random>.tmp). Prune deletes nothing else.
_BLOCK_NAME = re.compile(
    rf"(?P<temp>\.)?(?P<key>[0-9a-f]{{{BLOCK_KEY_CHARS}}})"
    r"\.(?:mp3|npy|json|(?P<aac>aac[0-9a-f]{12})\.aac(?:\.json)?)(?(temp)\.[^./]+\.tmp)"
)
BLOCK_CUT = 8  #: a block ends after a turn whose clip key hashes to 0 modulo this
BLOCK_MAX_CLIPS = 32  #: and after this many turns at the latest
#: what mixing and encoding a block imports on first use (they import lazily, to keep start-up
#: fast); `preload_encoders` imports them before blocks are encoded on threads beside worker
#: processes: a thread that is inside an import when a worker is forked leaves that module's
#: import lock held in the worker for ever
ENCODER_MODULES = (
    "numpy",
    "scipy.signal",
    "scipy.ndimage",
    "pyloudnorm",
    "pydub",
    "lameenc",
    "soxr",
    "soundfile",
)
EDGE_BYTES = 4096  #: a cached block's first and last bytes, read on every build (see `_damage`)


@dataclass(frozen=True)
class EncodedBlock:
    """One block encoded to MP3 in the block cache (or nothing, for a block without audio)."""

    path: Path | None
    frames: int  #: MP3 frames in the file
    samples: int  #: PCM frames of the block's audio
    spans: list[tuple[int, int]]  #: each clip's (start, end) frame within the block
    loudness_lufs: float
    true_peak_db: float
    hops_path: Path | None
    crc16: int = 0  #: CRC-16 of the MP3's bytes (the episode's LAME tag joins the blocks')

    @property
    def padding(self) -> int:
        """Samples the encoder appended after the block's audio (LAME tag convention)."""
        return self.frames * SAMPLES_PER_FRAME - ENCODER_DELAY - self.samples


def preload_encoders() -> None:
    """Import everything block encoding needs, in the calling thread (see ENCODER_MODULES)."""
    import importlib

    for name in ENCODER_MODULES:
        importlib.import_module(name)


def gap_answers(chapter: ChapterTimeline) -> set[str]:
    """The clip keys whose lengths the chapter's practice gaps wait for."""
    return {item.answer for item in chapter.items if isinstance(item, AnswerGap)}


def resolve_gaps(chapter: ChapterTimeline, *, clips: ClipSource) -> ChapterTimeline:
    """The chapter with each practice gap made a Silence as long as its answer clip lasts
    (`script.layout.practice_seconds`); a chapter without one is returned as it is."""
    if not any(isinstance(item, AnswerGap) for item in chapter.items):
        return chapter
    items: list[Silence | ClipItem | AnswerGap] = []
    for item in chapter.items:
        if isinstance(item, AnswerGap):
            frames, rate = clips.size(item.answer)
            item = Silence(practice_seconds(frames / rate))
        items.append(item)
    return replace(chapter, items=items)


def split_blocks(chapter: ChapterTimeline) -> list[Block]:
    """The chapter's timeline cut into blocks at content-defined points (never inside a turn).

    Its practice gaps must be resolved first (`resolve_gaps`): a block holds only lengths."""
    blocks: list[list[Silence | ClipItem]] = []
    current: list[Silence | ClipItem] = []
    clips = 0
    for item in chapter.items:
        if isinstance(item, AnswerGap):
            raise TypeError(f"resolve the practice gaps of {chapter.title!r} before splitting")
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
        Block(f"{chapter.title} [{n + 1}/{len(blocks)}]", items) for n, items in enumerate(blocks)
    ]


def block_key(block: Block, settings: AudioSettings) -> str:
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
        "format": BLOCK_FORMAT,
    }
    if block.music is not None:  # only then: blocks without music keep their keys
        data["music"] = block.music.fingerprint()
    return spaced_digest(data, BLOCK_KEY_CHARS)


def episode_blocks(
    chapters: Sequence[ChapterTimeline], settings: AudioSettings, *, clips: ClipSource
) -> list[list[Block]]:
    """Each chapter's blocks, each placed in its music bed if it has one (which takes the sizes
    of the clips before them); practice gaps take the size of their answer clips."""
    chapters = [resolve_gaps(chapter, clips=clips) for chapter in chapters]
    blocks = [split_blocks(chapter) for chapter in chapters]
    if any(chapter.bed is not None for chapter in chapters):
        place_music(chapters, blocks, settings.sample_rate, clips=clips)
    return blocks


def block_keys(
    chapters: Sequence[ChapterTimeline], settings: AudioSettings, *, clips: ClipSource
) -> list[str]:
    """The keys of the encoded blocks an episode made of these chapters uses."""
    blocks = episode_blocks(chapters, settings, clips=clips)
    return [block_key(b, settings) for chapter_blocks in blocks for b in chapter_blocks]


def block_file(name: str) -> tuple[str, str | None, bool] | None:
    """(block key, AAC tag or None, is a temporary file) of a file a block entry has, by its
    name; None for any other file (the block cache never touches those)."""
    found = _BLOCK_NAME.fullmatch(name)
    return None if found is None else (found["key"], found["aac"], bool(found["temp"]))


def prune_blocks(cache_dir: Path, keep: set[str]) -> tuple[int, int]:
    """Remove encoded blocks not in keep, and stale temporary files; (blocks removed, bytes).

    Only the files a block entry has (by name: `block_file`) are removed; the caller holds the
    cache's lock, so no build is writing one."""
    folder = cache_dir / BLOCKS_FOLDER
    removed = freed = 0
    stems: set[str] = set()
    for p in folder.iterdir() if folder.is_dir() else []:
        named = block_file(p.name)
        if named is None or not p.is_file():
            continue
        key, _, temporary = named
        if key in keep and not temporary:
            continue
        size = p.stat().st_size
        p.unlink(missing_ok=True)
        freed += size
        if not temporary and key not in stems:
            stems.add(key)
            removed += 1
    return removed, freed


def _edges(path: Path, size: int) -> str:
    """sha256 of a file's first and last EDGE_BYTES: the cheap check of a cached block file."""
    with path.open("rb") as fh:
        head = fh.read(EDGE_BYTES)
        fh.seek(max(0, size - EDGE_BYTES))
        return hashlib.sha256(head + fh.read(EDGE_BYTES)).hexdigest()


def check_file(path: Path, meta: dict, full: bool) -> tuple[str | None, bool]:
    """Why a cached block file differs from its index entry ("fails the checksum"; None if it
    does not), and whether the entry should be stamped again (`stamp`): it was hashed and passed.

    The entry holds the file's "bytes", "sha256", and "mtime_ns" and "edges" (see `stamp`). A
    block file (up to a megabyte; a 10-hour book has a few hundred) is hashed whole only with
    `full` (build --force) or when its mtime or edges disagree; otherwise its size, mtime and
    edges vouch for it.
    """
    try:
        stat = path.stat()
    except FileNotFoundError:
        return "is missing", False
    if stat.st_size != meta["bytes"]:
        return f"is {stat.st_size} bytes, not {meta['bytes']}", False
    stale = meta.get("mtime_ns") != stat.st_mtime_ns or meta.get("edges") != _edges(
        path, stat.st_size
    )
    if (full or stale) and sha256_of(path) != meta["sha256"]:
        return "fails the checksum", False
    return None, stale


def stamp(meta: dict, path: Path) -> dict:
    """The index entry with the file's current mtime and edges, which later builds check instead
    of hashing the file (a rename keeps the mtime: stamp the temporary file before it)."""
    stat = path.stat()
    return {**meta, "mtime_ns": stat.st_mtime_ns, "edges": _edges(path, stat.st_size)}


def _damage(meta: dict, mp3_path: Path, hops_path: Path, full: bool) -> tuple[str | None, bool]:
    """Why a cached block's files do not match their index (None if they do), and whether the
    index should be stamped again. The loudness data is small and always hashed."""
    stale = False
    if meta["frames"]:
        why, stale = check_file(mp3_path, meta, full)
        if why is not None:
            return f"its MP3 {why}", False
    if not hops_path.is_file() or sha256_of(hops_path) != meta["hops_sha256"]:
        return "its loudness data is missing or fails the checksum", False
    return None, stale


def load_block(
    folder: Path, key: str, clips: int, *, full_check: bool = False
) -> EncodedBlock | None:
    """The cached block for `key`, verified; None if absent, damaged or laid out differently.

    With `full_check` its MP3 is hashed whole even when its size, mtime and edges match the index.
    """
    meta_path, mp3_path, hops_path = (folder / f"{key}{ext}" for ext in (".json", ".mp3", ".npy"))
    why: str | None  #: what is wrong with the entry (None: nothing)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        meta, why = {}, f"unreadable index: {exc}"
    else:
        try:
            if meta["format"] != BLOCK_FORMAT or len(meta["spans"]) != clips:
                return None  # an older layout: encoded again, silently
            why, stale = _damage(meta, mp3_path, hops_path, full_check)
            if why is None and meta["frames"] and "crc16" not in meta:  # an older entry
                meta["crc16"], stale = crc16(mp3_path.read_bytes()), True
            if why is None and stale:  # copied, touched or from an older version, and whole
                write_atomic(meta_path, json.dumps(stamp(meta, mp3_path)).encode("utf-8"))
        except (OSError, KeyError, TypeError) as exc:
            why = f"unreadable index: {exc}"
    if why is not None:
        title = meta.get("title", key[:12]) if isinstance(meta, dict) else key[:12]
        log.warning("block cache: block %r is damaged (%s); encoding it again", title, why)
        return None
    return EncodedBlock(
        mp3_path if meta["frames"] else None,
        meta["frames"],
        meta["samples"],
        [tuple(span) for span in meta["spans"]],
        meta["loudness"] if meta["loudness"] is not None else -math.inf,
        meta["peak"] if meta["peak"] is not None else -math.inf,
        hops_path,
        meta.get("crc16", 0),
    )


def encode_block(
    block: Block, settings: AudioSettings, folder: Path, key: str, *, clips: ClipSource
) -> EncodedBlock:
    """Mix and encode one block into the block cache, clip by clip; its files commit together."""
    import numpy as np

    encoder, counter, checksum = new_encoder(settings), FrameCounter(), hashlib.sha256()
    mp3_path, hops_path, meta_path = (folder / f"{key}{ext}" for ext in (".mp3", ".npy", ".json"))
    # The index goes last: it is what marks the entry as complete.
    with staged_files(mp3_path, hops_path, meta_path) as staged:
        with staged.temp(mp3_path).open("wb") as out:
            size = 0

            def write(samples: np.ndarray) -> None:
                nonlocal size
                data = bytes(encoder.encode(pcm16_bytes(samples)))
                counter.feed(data)
                checksum.update(data)
                out.write(data)
                size += len(data)
                killpoint("mixing")

            mix = stitch(block, settings, write, clips=clips)
            tail = bytes(encoder.flush()) if mix.frames else b""
            counter.feed(tail)
            checksum.update(tail)
            out.write(tail)
            size += len(tail)
        counter.close()
        if mix.frames and counter.frames * SAMPLES_PER_FRAME < mix.frames + ENCODER_DELAY:
            raise BuildError(f"MP3 encoder returned too few frames for block {block.title!r}")
        with staged.temp(hops_path).open("wb") as out:
            np.save(out, mix.hops.astype(np.float32))
        meta = {
            "format": BLOCK_FORMAT,
            "title": block.title,
            "frames": counter.frames,
            "bytes": size,
            "sha256": checksum.hexdigest(),
            "crc16": counter.crc,
            "hops_sha256": sha256_of(staged.temp(hops_path)),
            "samples": mix.frames,
            "spans": mix.spans,
            "loudness": mix.loudness_lufs if math.isfinite(mix.loudness_lufs) else None,
            "peak": mix.true_peak_db if math.isfinite(mix.true_peak_db) else None,
        }
        if mix.frames:
            meta = stamp(meta, staged.temp(mp3_path))
        staged.temp(meta_path).write_text(json.dumps(meta), encoding="utf-8")

        def after(target: Path) -> None:
            if target == mp3_path:  # the crash tests stop a build between the renames here
                killpoint("block-writing")

        staged.commit(after=after)
    killpoint("block-stored")
    encoded = load_block(folder, key, len(mix.spans), full_check=True)
    if encoded is None:
        raise BuildError(f"cannot read back the encoded block {block.title!r}", path=folder)
    return encoded


def encode_blocks(
    blocks: Sequence[Block],
    settings: AudioSettings,
    folder: Path,
    jobs: int,
    progress: Callable[[str], None] | None,
    *,
    clips: ClipSource,
    full_check: bool = False,
) -> tuple[list[EncodedBlock], list[int]]:
    """Each block from the block cache or encoded (in parallel); and the indexes encoded.

    `full_check` hashes every cached block's MP3 whole (see `load_block`)."""
    folder.mkdir(parents=True, exist_ok=True)
    keys = [block_key(block, settings) for block in blocks]
    found: list[EncodedBlock | None] = []
    for block, key in zip(blocks, keys, strict=True):
        count = sum(isinstance(item, ClipItem) for item in block.items)
        found.append(load_block(folder, key, count, full_check=full_check))
    todo = [i for i, encoded in enumerate(found) if encoded is None]
    if not todo:
        return found, todo  # type: ignore[return-value]
    # lameenc releases the GIL while encoding and numpy does for most of the mix: threads suffice.

    def finished(index: int, block: EncodedBlock) -> None:
        found[index] = block
        if progress:
            progress(f"encoded block {index + 1}/{len(blocks)}: {blocks[index].title}")

    def encode(i: int) -> EncodedBlock:
        return encode_block(blocks[i], settings, folder, keys[i], clips=clips)

    in_threads(todo, encode, jobs, finished)
    return found, todo  # type: ignore[return-value]


def in_threads(
    todo: Sequence[int], work: Callable[[int], T], jobs: int, done: Callable[[int, T], None]
) -> None:
    """`work(i)` for each index on up to `jobs` threads, `done(i, result)` as each finishes (in
    the calling thread); the first failure cancels what has not started and is raised."""
    with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(todo)))) as pool:
        futures = {pool.submit(work, i): i for i in todo}
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in finished:
                if future.exception() is not None:
                    for other in pending:
                        other.cancel()
                    raise future.exception()  # type: ignore[misc]
                done(futures[future], future.result())
