"""Episodes: join a script's encoded blocks gaplessly behind one Info frame, tag, write sidecars.

The episode is the blocks' MP3 frames back to back behind one Xing/LAME "Info" frame carrying the
total frame count, the encoder delay and the final padding; all times (chapter marks, transcript
cues) are computed from frame counts and are exact. The MP3, the transcript and the chapters JSON
appear by rename, whole or not at all, the MP3 last.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .._killpoints import killpoint
from ..audio_io import LAME_QUALITY
from ..audio_settings import AudioSettings
from ..errors import BuildError, os_errors_as
from ..files import append_file, staged_files
from ..paths import EpisodeFiles
from .anki import Deck, write_deck
from .blocks import BLOCKS_FOLDER, EncodedBlock, block_key, encode_blocks, episode_blocks
from .epub import ReadAlong, write_epub
from .loudness import BLOCK_SECONDS, HOPS_PER_BLOCK, gated_loudness
from .m4b import (
    SAMPLES_PER_AAC_FRAME,
    AacBlock,
    encode_aac_blocks,
    remove_join_leftovers,
    write_m4b,
)
from .mp3 import SAMPLES_PER_FRAME, frame_length, info_frame, join_crc16
from .sidecars import chapters_json_text, practice_marks, transcript_json_text, vtt_text
from .tags import EpisodeMeta, build_tag
from .timeline import (
    PRACTICE_TEXT,
    Block,
    ChapterMark,
    ChapterTimeline,
    ClipItem,
    ClipSource,
    Cue,
)
from .words import turn_words

__all__ = ["EpisodeResult", "export_episode"]

log = logging.getLogger(__name__)


@dataclass
class EpisodeResult:
    """What export_episode wrote and measured."""

    mp3: Path
    vtt: Path
    chapters_json: Path
    duration: float  #: seconds, as decoders report it
    cues: list[Cue] = field(default_factory=list)  #: one per turn
    chapters: list[ChapterMark] = field(default_factory=list)
    chapters_with_new_blocks: int = 0  #: chapters of which at least one block was encoded
    chapters_reused: int = 0  #: chapters whose every block came from the block cache
    blocks_encoded: int = 0  #: blocks (about 8 turns each) encoded
    blocks_reused: int = 0
    block_keys: list[str] = field(default_factory=list)  #: cache_dir/blocks/<key>.* in use
    loudness_lufs: float = -math.inf  #: integrated loudness of the mix before encoding
    true_peak_dbtp: float = -math.inf  #: true peak of the mix before encoding
    m4b: Path | None = None  #: the M4B, when asked for
    aac_blocks_encoded: int = 0
    deck: Path | None = None  #: the Anki deck, when asked for and the script has cards
    words: Path | None = None  #: the JSON transcript with every word's time
    epub: Path | None = None  #: the read-along EPUB 3 book, when asked for


def _timeline(
    chapters: Sequence[ChapterTimeline],
    blocks: Sequence[list[Block]],
    encoded: Sequence[EncodedBlock | AacBlock],
    rate: int,
    frame_samples: int = SAMPLES_PER_FRAME,
    source: ClipSource | None = None,
) -> tuple[list[Cue], list[ChapterMark], float]:
    """Cues, chapter marks and duration in seconds, all from the blocks' frame counts; with
    `source` (the clips), each cue's written words too: their clip's word timing offset by the
    cue's start."""
    block_starts, position, end = [], 0, 0
    for piece in encoded:
        block_starts.append(position)
        if piece.frames:
            end = position + piece.samples
            position += piece.frames * frame_samples
    duration = end / rate
    cues: list[Cue] = []
    practice: Cue | None = None  #: a practice gap waiting for its answer's start
    first_cue: list[float | None] = []
    starts: list[int] = []
    index = 0
    for chapter_blocks in blocks:
        starts.append(block_starts[index] if index < len(block_starts) else position)
        first: float | None = None
        for block in chapter_blocks:
            piece, start = encoded[index], block_starts[index]
            clips = [item for item in block.items if isinstance(item, ClipItem)]
            for item, (a, b) in zip(clips, piece.spans, strict=True):
                if item.practice:  # shown from the cue until the answer starts
                    practice = _practice_cue(item, (start + a) / rate)
                    continue
                if item.sound:  # a sound cue is heard, not transcribed
                    continue
                cue = Cue(
                    (start + a) / rate, (start + b) / rate, item.speaker, item.text, item.line
                )
                if source is not None:
                    words, method = turn_words(item, source.timing(item.key), cue.start, cue.end)
                    cue = replace(cue, words=words, method=method)
                if practice is not None:
                    cues.append(replace(practice, end=cue.start))
                    practice = None
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


def _practice_cue(item: ClipItem, start: float) -> Cue:
    """The transcript's cue of a practice gap (its end is the answer's start)."""
    return Cue(start, start, None, PRACTICE_TEXT, item.line, practice=True)


def _episode_levels(encoded: Sequence[EncodedBlock], rate: int) -> tuple[float, float]:
    """Integrated loudness (from the blocks' stored energies) and true peak of the whole mix."""
    import numpy as np

    arrays = [np.load(b.hops_path) for b in encoded if b.frames and b.hops_path is not None]
    hop_frames = round(rate * BLOCK_SECONDS / HOPS_PER_BLOCK)
    loudness = gated_loudness(np.concatenate(arrays), hop_frames) if arrays else -math.inf
    peak = max((b.true_peak_db for b in encoded if b.frames), default=-math.inf)
    return loudness, peak


def _clean_stale(folder: Path, prefix: str) -> None:
    """Remove temporary files an interrupted export (killed, power lost) left behind."""
    for stale in folder.glob(f".{prefix}*.tmp"):
        stale.unlink(missing_ok=True)


def export_episode(
    chapters: Sequence[ChapterTimeline],
    meta: EpisodeMeta,
    settings: AudioSettings,
    out_dir: Path,
    slug: str,
    cache_dir: Path,
    progress: Callable[[str], None] | None = None,
    jobs: int | None = None,
    formats: Sequence[str] = ("mp3",),
    encoded_before: Collection[str] = (),
    full_check: bool = False,
    *,
    clips: ClipSource,
    deck: Deck | None = None,
) -> EpisodeResult:
    """Write <slug>.mp3 (mastered, chaptered, tagged), <slug>.vtt, <slug>.transcript.json (every
    word's time) and <slug>.chapters.json.

    With "m4b" in formats also <slug>.m4b (AAC, chapters, tags), from AAC blocks cached like the
    MP3's; without it, an M4B an earlier build left is removed with the commit. With "anki" in
    formats and a `deck` with notes also <slug>.apkg (export.anki); otherwise an old one goes.
    With "epub", also <slug>.epub (export.epub: the text and the MP3 as a read-along book).
    `encoded_before` names blocks this build already encoded (beside synthesis): they count as
    encoded, not reused. `full_check` hashes every cached block whole (build --force), not only
    those whose mtime changed. A file that cannot be written (a full or read-only disk) is a
    BuildError naming it, or out_dir.
    """
    with os_errors_as(BuildError, f"could not write episode {slug}", out_dir):
        return _write_episode(
            chapters, meta, settings, out_dir, slug, cache_dir, progress, jobs, formats,
            encoded_before, full_check, clips, deck,
        )  # fmt: skip


def _write_episode(
    chapters: Sequence[ChapterTimeline],
    meta: EpisodeMeta,
    settings: AudioSettings,
    out_dir: Path,
    slug: str,
    cache_dir: Path,
    progress: Callable[[str], None] | None,
    jobs: int | None,
    formats: Sequence[str],
    encoded_before: Collection[str],
    full_check: bool,
    clips: ClipSource,
    deck: Deck | None = None,
) -> EpisodeResult:
    """`export_episode`, with OSError left as it is."""
    settings.validate()
    if not any(isinstance(item, ClipItem) for chapter in chapters for item in chapter.items):
        raise BuildError("nothing to export: the episode has no turns")
    out_dir.mkdir(parents=True, exist_ok=True)
    folder = cache_dir / BLOCKS_FOLDER
    _clean_stale(out_dir, f"{slug}.")
    for leftover in remove_join_leftovers(out_dir):
        log.info("removed %s, left by an M4B join that was killed", leftover)
    blocks = episode_blocks(chapters, settings, clips=clips)
    flat = [block for chapter_blocks in blocks for block in chapter_blocks]
    workers = jobs or os.cpu_count() or 1
    pieces, encoded = encode_blocks(
        flat, settings, folder, workers, progress, clips=clips, full_check=full_check
    )
    cues, marks, duration = _timeline(chapters, blocks, pieces, settings.sample_rate, source=clips)
    owner = [n for n, chapter_blocks in enumerate(blocks) for _ in chapter_blocks]
    keys = [block_key(block, settings) for block in flat]
    fresh = [i for i, key in enumerate(keys) if i in encoded or key in encoded_before]
    touched = {owner[i] for i in fresh}
    audible = [piece for piece in pieces if piece.frames]
    block_mp3s = [piece.path for piece in audible if piece.path is not None]  # each has one
    last = audible[-1]
    first_header = _first_header(block_mp3s[0])
    frames = sum(piece.frames for piece in audible)
    sizes = [path.stat().st_size for path in block_mp3s]
    audio_bytes = sum(sizes)
    tag = build_tag(meta, marks, cues, settings.id3_version)
    music_crc = 0
    for piece, size in zip(audible, sizes, strict=True):  # the blocks' CRCs: none read again
        music_crc = join_crc16(music_crc, piece.crc16, size)
    info = info_frame(
        first_header, frames, audio_bytes, last.padding, music_crc, quality=LAME_QUALITY
    )
    loudness, peak = _episode_levels(pieces, settings.sample_rate)

    files = EpisodeFiles(out_dir, slug)
    mp3, vtt, chapters_json, m4b = files.mp3, files.transcript, files.chapters, files.m4b
    aac_encoded: list[int] = []
    if "m4b" in formats:
        aac, aac_encoded = encode_aac_blocks(
            flat, pieces, keys, settings, folder, workers, progress, clips=clips,
            full_check=full_check,
        )  # fmt: skip
        _, aac_marks, aac_duration = _timeline(
            chapters, blocks, aac, settings.sample_rate, SAMPLES_PER_AAC_FRAME
        )
    cards = deck if "anki" in formats and deck is not None and deck.notes else None
    # The MP3 goes last: its build key is what later builds trust.
    with staged_files(vtt, files.words, chapters_json, m4b, files.deck, files.epub, mp3) as staged:
        if cards is not None:
            _write_deck(staged.temp(files.deck), cards, settings, clips, progress)
        if "m4b" in formats:
            if progress:
                progress(f"writing {m4b.name}")
            write_m4b(staged.temp(m4b), aac, aac_marks, aac_duration, meta, settings)
        if progress:
            progress(f"writing {mp3.name}")
        with staged.temp(mp3).open("wb") as out:
            out.write(tag)
            out.write(info)
            out.flush()
            for path in block_mp3s:  # the kernel copies the blocks: hundreds of MB for a book
                append_file(out.fileno(), path)
            os.fsync(out.fileno())
        killpoint("episode-writing")
        if "epub" in formats:  # the book holds the MP3: written once the MP3 is whole
            if progress:
                progress(f"writing {files.epub.name}")
            book = ReadAlong(chapters, cues, marks, duration, meta, slug)
            write_epub(staged.temp(files.epub), book, staged.temp(mp3))
        staged.temp(vtt).write_text(vtt_text(cues, meta.transcript_header), encoding="utf-8")
        staged.temp(files.words).write_text(transcript_json_text(cues), encoding="utf-8")
        staged.temp(chapters_json).write_text(
            chapters_json_text(marks, practice_marks(cues)), encoding="utf-8"
        )
        staged.commit()
    if "m4b" not in formats and m4b.is_file():
        m4b.unlink()  # an M4B no longer asked for would be offered in the feed, out of date
    if cards is None and files.deck.is_file():
        files.deck.unlink()  # a deck no longer asked for (or of no cards) would be out of date
    if "epub" not in formats and files.epub.is_file():
        files.epub.unlink()  # a book no longer asked for would be out of date
    log.info("wrote %s (%.1f s, %d blocks encoded)", mp3, duration, len(encoded))
    return EpisodeResult(
        mp3=mp3,
        vtt=vtt,
        chapters_json=chapters_json,
        duration=duration,
        cues=cues,
        chapters=marks,
        chapters_with_new_blocks=len(touched),
        chapters_reused=len(chapters) - len(touched),
        blocks_encoded=len(fresh),
        blocks_reused=len(flat) - len(fresh),
        block_keys=keys,
        loudness_lufs=loudness,
        true_peak_dbtp=peak,
        m4b=m4b if "m4b" in formats else None,
        aac_blocks_encoded=len(aac_encoded),
        deck=files.deck if cards is not None else None,
        words=files.words,
        epub=files.epub if "epub" in formats else None,
    )


def _write_deck(
    path: Path,
    deck: Deck,
    settings: AudioSettings,
    clips: ClipSource,
    progress: Callable[[str], None] | None,
) -> None:
    """The Anki deck of the episode's cards, into the staged file `path`."""
    if progress:
        progress(f"writing the Anki deck ({len(deck.notes)} cards)")
    write_deck(path, deck, settings, clips=clips)


def _first_header(mp3: Path) -> int:
    """The first frame header of a block's MP3 (checked), for the episode's Info frame."""
    with mp3.open("rb") as part:
        header = int.from_bytes(part.read(4), "big")
    frame_length(header)
    return header
