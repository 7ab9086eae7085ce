"""End-to-end export read back with ffmpeg/ffprobe: decode, duration, chapters, loudness, reuse."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from _probe import ffprobe, loudness, vtt_cues
from synth_clips import CLIPS, clip, lesson

from audiolesson.audio_settings import AudioSettings
from audiolesson.export import blocks, episode
from audiolesson.export.episode import export_episode
from audiolesson.export.tags import EpisodeMeta
from audiolesson.export.timeline import ChapterTimeline, Silence

RATE = 44100


def run_export(tmp_path: Path, chapters, settings=None, **kwargs):
    meta = EpisodeMeta(title="Lesson 1", author="Teacher", build_key="key-1")
    return export_episode(
        chapters, meta, settings or AudioSettings(), tmp_path / "out", "lesson", tmp_path / "work",
        clips=CLIPS, **kwargs,
    )  # fmt: skip


def decode(mp3: Path, channels: int = 1) -> np.ndarray:
    proc = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(mp3), "-f", "s16le", "-ac", str(channels), "-"],
        capture_output=True,
        check=True,
    )
    assert proc.stderr == b"", proc.stderr.decode()  # no decoding errors at all
    return np.frombuffer(proc.stdout, dtype="<i2").reshape(-1, channels) / 32768.0


@pytest.mark.slow
def test_episode_decodes_with_exact_chapters_loudness_and_transcript(tmp_path):
    chapters = lesson(chapters=4, turns=3)
    result = run_export(tmp_path, chapters)
    assert result.mp3.name == "lesson.mp3" and result.chapters_with_new_blocks == 4

    pcm = decode(result.mp3)
    assert abs(pcm.shape[0] - result.duration * RATE) <= 1  # gapless: no extra or missing samples
    info = ffprobe(result.mp3)
    stream = info["streams"][0]
    assert stream["sample_rate"] == "44100" and stream["channels"] == 1
    assert abs(int(info["format"]["bit_rate"]) - 64000) < 2000
    # ffprobe's duration counts the encoder delay and padding that decoders trim (< 0.1 s).
    assert 0 <= float(info["format"]["duration"]) - result.duration < 0.1

    probed = info["chapters"]
    assert [c["tags"]["title"] for c in probed] == [f"Part {i}" for i in range(1, 5)]
    cues = vtt_cues(result.vtt)
    assert len(cues) == 12 and cues[0].voice == "Teacher"
    first_cue = [cues[3 * i][0] for i in range(4)]
    for chapter, cue_start in zip(probed, first_cue, strict=True):
        assert abs(float(chapter["start_time"]) - cue_start) <= 0.05

    # Audio really is where the cues say: each chapter's first turn starts at its cue.
    envelope = np.abs(pcm[:, 0])
    for cue_start in first_cue:
        lo = max(0, int((cue_start - 0.2) * RATE))
        onset = lo + int(np.argmax(envelope[lo:] > 0.01))
        assert abs(onset / RATE - cue_start) < 0.02, (onset / RATE, cue_start)

    integrated, peak = loudness(result.mp3)
    assert abs(integrated - (-19.0)) <= 1.0, integrated
    assert peak <= -1.0, peak

    doc = json.loads(result.chapters_json.read_text(encoding="utf-8"))
    assert doc["version"] == "1.2.0"
    assert [c["title"] for c in doc["chapters"]] == [f"Part {i}" for i in range(1, 5)]
    assert [c["startTime"] for c in doc["chapters"]] == sorted(
        c["startTime"] for c in doc["chapters"]
    )


@pytest.mark.slow
def test_stereo_episode_meets_the_stereo_target(tmp_path):
    settings = AudioSettings(channels=2, bitrate_kbps=96)
    result = run_export(tmp_path, lesson(chapters=2, turns=3), settings)
    info = ffprobe(result.mp3)
    assert info["streams"][0]["channels"] == 2
    decode(result.mp3, channels=2)
    integrated, peak = loudness(result.mp3)
    assert abs(integrated - (-16.0)) <= 1.0 and peak <= -1.0


@pytest.mark.slow
def test_editing_one_turn_reencodes_one_chapter(tmp_path):
    chapters = lesson(chapters=4, turns=2)
    first = run_export(tmp_path, chapters)
    again = run_export(tmp_path, chapters)
    assert (again.chapters_with_new_blocks, again.chapters_reused) == (0, 4)
    assert again.cues == first.cues and again.chapters == first.chapters

    edited = list(chapters)
    items = list(chapters[2].items)
    items[1] = clip(99, 3.0, text="An edited, longer turn.")
    edited[2] = ChapterTimeline(chapters[2].title, chapters[2].level, "edited", items)
    result = run_export(tmp_path, edited)
    assert (result.chapters_with_new_blocks, result.chapters_reused) == (1, 3)
    assert result.duration > first.duration + 0.5
    assert any(cue.text == "An edited, longer turn." for cue in result.cues)
    pcm = decode(result.mp3)
    assert abs(pcm.shape[0] - result.duration * RATE) <= 1
    probed = ffprobe(result.mp3)["chapters"]
    cue_starts = [cue.start for cue in result.cues]
    for chapter in probed:
        assert min(abs(float(chapter["start_time"]) - s) for s in cue_starts) <= 0.05


@pytest.mark.slow
def test_a_failure_mid_export_keeps_the_previous_episode(tmp_path, monkeypatch):
    chapters = lesson(chapters=3, turns=2)
    good = run_export(tmp_path, chapters)
    files = (good.mp3, good.vtt, good.words, good.chapters_json)
    before = {p.name: p.read_bytes() for p in files if p is not None}

    def broken():
        raise RuntimeError("synthesis crashed")

    bad = list(chapters)
    bad[1] = ChapterTimeline("Part 2", 2, "broken", [clip(50), Silence(0.2), clip(51)])
    bad[1].items[2] = type(bad[1].items[2])(CLIPS.add("x", broken), None, "Boom.", 3)
    with pytest.raises(RuntimeError, match="synthesis crashed"):
        run_export(tmp_path, bad)

    # A failure while writing the outputs (after all chapters were encoded) is no better.
    monkeypatch.setattr(episode, "chapters_json_text", lambda marks, markers=(): 1 / 0)
    with pytest.raises(ZeroDivisionError):
        run_export(tmp_path, chapters[:2])

    out = tmp_path / "out"
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temp files either
    assert not [p for p in (tmp_path / "work" / "blocks").iterdir() if p.suffix == ".tmp"]


def test_an_episode_without_turns_is_refused(tmp_path):
    from audiolesson.errors import BuildError

    with pytest.raises(BuildError, match="no turns"):
        run_export(tmp_path, [ChapterTimeline("Empty", 1, "e", [Silence(1.0)])])


def test_empty_heading_chapter_starts_with_its_first_subchapter(tmp_path):
    chapters = [
        ChapterTimeline("Intro", 1, "a", [clip(1, 1.0), Silence(0.3)]),
        ChapterTimeline("Unit 1", 1, "b", []),
        ChapterTimeline("Unit 1.1", 2, "c", [Silence(0.5), clip(2, 1.0)]),
    ]
    result = run_export(tmp_path, chapters)
    intro, unit, sub = result.chapters
    assert unit.start == sub.start == result.cues[1].start
    assert intro.end == unit.start and unit.end == sub.end == pytest.approx(result.duration)


def _is_cut(key: str) -> bool:
    import hashlib

    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % blocks.BLOCK_CUT == 0


@pytest.mark.slow
def test_long_chapter_edit_reencodes_one_block_and_times_stay_exact(tmp_path):
    items = []
    for n in range(48):
        items += [clip(n, 0.6, level=[0.8, 0.1][n % 2], speaker=["A", "B"][n % 2]), Silence(0.3)]
    chapters = [
        ChapterTimeline("Long", 1, "long", items),
        ChapterTimeline("End", 1, "end", [clip(99)]),
    ]
    first = run_export(tmp_path, chapters)
    assert first.blocks_encoded >= 3  # the long chapter was cut into blocks

    target = next(i for i in range(0, 96, 2) if not _is_cut(items[i].key))
    edited = next(c for c in (clip(200 + k, 1.6) for k in range(50)) if not _is_cut(c.key))
    items[target] = edited
    result = run_export(tmp_path, [ChapterTimeline("Long", 1, "long2", items), chapters[1]])
    counts = (result.blocks_encoded, result.chapters_with_new_blocks, result.chapters_reused)
    assert counts == (1, 1, 1)

    pcm = decode(result.mp3)
    assert abs(pcm.shape[0] - result.duration * RATE) <= 1
    envelope = np.abs(pcm[:, 0])
    for cue in result.cues:  # every turn, across all block joins, starts where its cue says
        lo = max(0, int((cue.start - 0.15) * RATE))
        onset = lo + int(np.argmax(envelope[lo:] > 0.01))
        assert abs(onset / RATE - cue.start) < 0.02, (cue, onset / RATE)
