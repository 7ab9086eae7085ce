"""The M4B's chapters, read back as players read them: the QuickTime chapter track (Apple Books,
iOS, VLC...) parsed box by box here, and ffprobe; plus the join's leftovers and odd paths."""

from __future__ import annotations

import json
import struct
import subprocess
from pathlib import Path

import pytest
from _probe import ffprobe
from synth_clips import CLIPS, clip

from audiolesson.audio_settings import AudioSettings
from audiolesson.export.episode import export_episode
from audiolesson.export.tags import EpisodeMeta
from audiolesson.export.timeline import ChapterTimeline, Silence

#: boxes that hold other boxes, on the way from the file to a track's sample table
CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"tref", b"udta", b"edts", b"dinf"}


def boxes(data: bytes, start: int = 0, end: int | None = None) -> list[tuple[bytes, bytes]]:
    """(type, payload) of each ISO BMFF box between start and end (no recursion)."""
    end = len(data) if end is None else end
    found, pos = [], start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", data[pos + 8 : pos + 16])[0], 16
        elif size == 0:
            size = end - pos
        assert size >= header, f"bad box size at {pos}"
        found.append((kind, data[pos + header : pos + size]))
        pos += size
    return found


def child(payload: bytes, *path: bytes) -> bytes:
    """The payload of the first box along path inside a container's payload."""
    for kind in path:
        payload = next(body for name, body in boxes(payload) if name == kind)
    return payload


def full_box(payload: bytes) -> tuple[int, bytes]:
    """(version, rest) of a full box (version and 24 flag bits first)."""
    return payload[0], payload[4:]


def qt_chapters(path: Path) -> list[tuple[float, float, str]]:
    """(start, duration, title) of each sample of the text track the audio track's tref/chap
    names, in seconds: what QuickTime-chapter players list. Fails if there is no such track."""
    data = path.read_bytes()
    moov = child(data, b"moov")
    tracks = {}
    references = []
    for kind, trak in boxes(moov):
        if kind != b"trak":
            continue
        version, tkhd = full_box(child(trak, b"tkhd"))
        track_id = struct.unpack(">I", tkhd[16:20] if version else tkhd[8:12])[0]
        tracks[track_id] = trak
        tref = [body for name, body in boxes(trak) if name == b"tref"]
        if tref:
            chap = child(tref[0], b"chap")
            references += struct.unpack(f">{len(chap) // 4}I", chap)
    assert references, "no tref/chap: the M4B has no QuickTime chapters"
    assert all(ref in tracks for ref in references), (references, sorted(tracks))
    trak = tracks[references[0]]
    mdia = child(trak, b"mdia")
    _, hdlr = full_box(child(mdia, b"hdlr"))
    assert hdlr[4:8] == b"text", hdlr[4:8]
    version, mdhd = full_box(child(mdia, b"mdhd"))
    timescale = struct.unpack(">I", mdhd[16:20] if version else mdhd[8:12])[0]
    stbl = child(mdia, b"minf", b"stbl")
    _, stts = full_box(child(stbl, b"stts"))
    durations = []
    for n in range(struct.unpack(">I", stts[:4])[0]):
        count, delta = struct.unpack(">II", stts[4 + 8 * n : 12 + 8 * n])
        durations += [delta] * count
    _, stsz = full_box(child(stbl, b"stsz"))
    fixed, count = struct.unpack(">II", stsz[:8])
    sizes = [fixed] * count if fixed else list(struct.unpack(f">{count}I", stsz[8 : 8 + 4 * count]))
    _, stsc = full_box(child(stbl, b"stsc"))
    runs = [struct.unpack(">III", stsc[4 + 12 * n : 16 + 12 * n]) for n in range(stsc[3])]
    stco = [body for name, body in boxes(stbl) if name in (b"stco", b"co64")]
    _, offsets_box = full_box(stco[0])
    wide = any(name == b"co64" for name, _ in boxes(stbl))
    chunks = struct.unpack(f">{offsets_box[3]}{'Q' if wide else 'I'}", offsets_box[4:])
    offsets: list[int] = []
    for n, position in enumerate(chunks, start=1):
        for _ in range([run[1] for run in runs if run[0] <= n][-1]):  # samples in chunk n
            offsets.append(position)
            position += sizes[len(offsets) - 1]
    titles = []
    for offset, size in zip(offsets, sizes, strict=True):
        length = struct.unpack(">H", data[offset : offset + 2])[0]
        assert 2 + length <= size
        titles.append(data[offset + 2 : offset + 2 + length].decode("utf-8"))
    assert len(durations) == len(titles)
    out, start = [], 0
    for delta, title in zip(durations, titles, strict=True):
        out.append((start / timescale, delta / timescale, title))
        start += delta
    return out


def ffprobe_warnings(path: Path) -> list[str]:
    """What ffprobe warns about as it reads the file's chapters and format."""
    done = subprocess.run(
        ["ffprobe", "-v", "warning", "-show_chapters", "-show_format", "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stderr.splitlines()


def long_chapters() -> list[ChapterTimeline]:
    """Three chapters, the first and the last well over 76 s (a few turns and long pauses:
    cheap to mix and encode)."""

    def chapter(n: int, title: str, pause: float) -> ChapterTimeline:
        items = [clip(n, 1.5), Silence(pause), clip(n + 1, 1.5), Silence(0.5)]
        return ChapterTimeline(title, 1, f"chapter-{n}-{pause}", items)

    return [chapter(0, "Opening, long", 80.0), chapter(2, "Short", 3.0), chapter(4, "Long", 90.0)]


def export_m4b(tmp_path: Path, chapters: list[ChapterTimeline], out: Path | None = None):
    meta = EpisodeMeta(title="Book", author="Author", build_key="key-1")
    return export_episode(
        chapters, meta, AudioSettings(), out or tmp_path / "out", "book", tmp_path / "cache",
        formats=("mp3", "m4b"), clips=CLIPS,
    )  # fmt: skip


@pytest.mark.slow
def test_chapters_over_76_seconds_are_in_the_quicktime_chapter_track(tmp_path: Path) -> None:
    result = export_m4b(tmp_path, long_chapters())
    assert result.chapters[0].end - result.chapters[0].start > 80
    track = qt_chapters(result.m4b)
    assert [title for *_, title in track] == ["Opening, long", "Short", "Long"]
    for (start, duration, _), mark in zip(track, result.chapters, strict=True):
        assert abs(start - mark.start) < 0.05, (start, mark)
        assert abs(duration - (mark.end - mark.start)) < 0.05, (duration, mark)
    from mutagen.mp4 import MP4

    nero = MP4(result.m4b).chapters  # mutagen reads the Nero chapters (chpl): the same marks
    assert [c.title for c in nero] == ["Opening, long", "Short", "Long"]
    for chapter, mark in zip(nero, result.chapters, strict=True):
        assert abs(chapter.start - mark.start) < 0.05
    # ffprobe lists the chapter track as a data stream it cannot decode, and says so
    known = "Unsupported codec with id 98314 for input stream 1"
    warnings = ffprobe_warnings(result.m4b)
    assert [line for line in warnings if line != known] == [], warnings
    info = ffprobe(result.m4b)
    chapters = info["chapters"]
    assert [c["tags"]["title"] for c in chapters] == ["Opening, long", "Short", "Long"]
    for got, mark in zip(chapters, result.chapters, strict=True):
        assert abs(float(got["start_time"]) - mark.start) < 0.05
    assert abs(float(info["format"]["duration"]) - result.duration) < 0.05
    # Every AAC frame lasts its 1024 samples: the blocks are joined with exact timestamps (the
    # concat demuxer offset each block by a duration estimated from its bitrate: seconds off).
    durations = packet_durations(result.m4b)
    assert set(durations[:-1]) == {1024}, sorted(set(durations))


def packet_durations(path: Path) -> list[int]:
    """Each audio packet's duration in samples, as ffprobe reads them from the MP4 tables."""
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
         "packet=duration", "-of", "json", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return [int(packet["duration"]) for packet in json.loads(done.stdout)["packets"]]


def short_chapters() -> list[ChapterTimeline]:
    """Two short chapters of two turns each."""
    chapters = []
    for n in range(2):
        items = [clip(2 * n, 1.0), Silence(0.4), clip(2 * n + 1, 1.0), Silence(0.4)]
        chapters.append(ChapterTimeline(f"Part {n + 1}", 1, f"part-{n}", items))
    return chapters


def test_a_path_with_a_line_break_makes_an_m4b(tmp_path: Path) -> None:
    root = tmp_path / "two\nlines"
    result = export_m4b(root, short_chapters())
    assert "\n" in str(result.m4b)
    info = ffprobe(result.m4b)
    assert [c["tags"]["title"] for c in info["chapters"]] == ["Part 1", "Part 2"]
    assert [title for *_, title in qt_chapters(result.m4b)] == ["Part 1", "Part 2"]
    assert abs(float(info["format"]["duration"]) - result.duration) < 0.05


def test_a_killed_joins_folders_go_and_nothing_else(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    # What an M4B join killed by an earlier version left: tempfile's folder, its two files.
    for name, files in ((".m4b-k3j_x9aq", ("blocks.txt", "chapters.txt")), (".m4b-0a1b2c3d", ())):
        (out / name).mkdir()
        for file in files:
            (out / name / file).write_text("left by a killed build\n")
    # What the build did not make: kept, whatever the name looks like.
    mine = {
        ".m4b-notes/notes.txt": "a user's folder",
        ".m4b-abcdefgh/blocks.txt": "the build's name, but",
        ".m4b-abcdefgh/mine.txt": "a file the build never writes",
        ".m4b-deep0000/sub/blocks.txt": "a folder inside",
    }
    for name, text in mine.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    (out / ".m4b-12345678").write_text("a file, not a folder")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "blocks.txt").write_text("behind a symlink")
    (out / ".m4b-linklink").symlink_to(elsewhere)

    during: list[list[str]] = []
    popen = subprocess.Popen

    def watch(command, *args, **kwargs):  # noqa: ANN001, ANN202 - subprocess.Popen's own
        if "ipod" in command:  # the join: what is in output/ while it runs
            during.append(sorted(p.name for p in out.iterdir() if p.is_dir()))
        return popen(command, *args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", watch)
    export_m4b(tmp_path, short_chapters(), out)
    assert not (out / ".m4b-k3j_x9aq").exists() and not (out / ".m4b-0a1b2c3d").exists()
    for name, text in mine.items():
        assert (out / name).read_text() == text
    assert (out / ".m4b-12345678").read_text() == "a file, not a folder"
    assert (out / ".m4b-linklink").is_symlink() and (elsewhere / "blocks.txt").is_file()
    # and the join itself makes no folder a kill could leave behind
    assert during == [[".m4b-abcdefgh", ".m4b-deep0000", ".m4b-linklink", ".m4b-notes"]]


def test_the_movie_timescale_is_the_sample_rate_unless_a_chapter_is_too_long_for_it() -> None:
    from audiolesson.export.m4b import MAX_SAMPLE_TICKS, movie_timescale
    from audiolesson.export.timeline import ChapterMark

    marks = [ChapterMark("One", 1, 0.0, 80.0), ChapterMark("Two", 1, 80.0, 36000.0)]
    assert movie_timescale(marks, 36000.0, 44100) == 44100  # a 10-hour chapter fits
    longest = MAX_SAMPLE_TICKS / 44100  # 13.5 hours
    marks = [ChapterMark("One", 1, 0.0, 10.0), ChapterMark("Two", 1, 10.0, 10.0 + longest)]
    assert movie_timescale(marks, 10.0 + longest, 44100) == 1000
    assert MAX_SAMPLE_TICKS / 1000 > 20 * 86400  # milliseconds: any chapter a book has
