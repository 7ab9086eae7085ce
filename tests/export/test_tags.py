"""ID3 tags of an exported episode, read back with mutagen and eyeD3."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import eyed3
import pytest
from mutagen.id3 import ID3, CTOCFlags
from synth_clips import CLIPS, clip

from audiolesson.audio_settings import AudioSettings
from audiolesson.export.episode import export_episode
from audiolesson.export.tags import EpisodeMeta, language_code
from audiolesson.export.timeline import ChapterTimeline, Silence
from audiolesson.publish.catalog import read_existing

# A 1x1 PNG, so the test needs no image library.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def chapters() -> list[ChapterTimeline]:
    return [
        ChapterTimeline("Welcome", 1, "a", [clip(1, 1.0, text="Hello & <welcome>!")]),
        ChapterTimeline("Greetings", 2, "b", [Silence(0.5), clip(2, 1.0, speaker=None)]),
        ChapterTimeline("Numbers", 2, "c", [Silence(0.5), clip(3, 1.0, speaker="Ana")]),
        ChapterTimeline("Review", 1, "d", [Silence(1.0), clip(4, 1.0)]),
    ]


def export(tmp_path: Path, version: int = 4):
    cover = tmp_path / "cover.png"
    cover.write_bytes(PNG)
    meta = EpisodeMeta(
        title="Lesson 15.1: Greetings", subtitle="Saying hello", author="Ms. Rivera",
        series="Spanish for Travellers", episode="15.1", genre="Podcast", year=2026,
        description="We learn to greet people.", language="es-ES", cover=cover,
        transcript_header="Lesson 15.1", build_key="abc123", published="2026-11-24",
    )  # fmt: skip
    settings = AudioSettings(id3_version=version)
    out, cache = tmp_path / "out", tmp_path / "w"
    return export_episode(chapters(), meta, settings, out, "l15", cache, clips=CLIPS)


@pytest.mark.slow
def test_id3v24_tags_chapters_and_transcript(tmp_path):
    result = export(tmp_path)
    tag = ID3(result.mp3)
    assert tag.version == (2, 4, 0)
    assert str(tag["TIT2"]) == "Lesson 15.1: Greetings"
    assert str(tag["TIT3"]) == "Saying hello"
    assert str(tag["TPE1"]) == "Ms. Rivera"
    assert str(tag["TALB"]) == "Spanish for Travellers"
    assert str(tag["TRCK"]) == "15.1"
    assert str(tag["TCON"]) == "Podcast"
    assert str(tag["TDRC"]) == "2026"
    assert str(tag["TLAN"]) == "spa"
    assert tag.getall("COMM")[0].text == ["We learn to greet people."]
    apic = tag.getall("APIC")[0]
    assert apic.data == PNG and apic.mime == "image/png" and apic.type == 3
    lyrics = tag.getall("USLT")[0].text.splitlines()
    assert lyrics == [
        "Lesson 15.1", "", "Teacher: Hello & <welcome>!", "Narrator: Turn 2 says something.",
        "Ana: Turn 3 says something.", "Teacher: Turn 4 says something.",
    ]  # fmt: skip

    chaps = sorted(tag.getall("CHAP"), key=lambda f: f.start_time)
    assert [str(c.sub_frames["TIT2"]) for c in chaps] == [m.title for m in result.chapters]
    for frame, mark in zip(chaps, result.chapters, strict=True):
        assert frame.start_time == round(mark.start * 1000)
        assert frame.end_time == round(mark.end * 1000)
    cue_starts = [round(c.start * 1000) for c in result.cues]
    assert [c.start_time for c in chaps] == cue_starts  # each chapter starts at its first turn
    welcome, review = chaps[0], chaps[3]
    assert welcome.end_time == review.start_time  # a chapter spans its sub-chapters

    tocs = {t.element_id: t for t in tag.getall("CTOC")}
    top = [t for t in tocs.values() if t.flags & CTOCFlags.TOP_LEVEL]
    assert len(top) == 1 and top[0].flags & CTOCFlags.ORDERED
    ids = {str(c.sub_frames["TIT2"]): c.element_id for c in chaps}
    assert top[0].child_element_ids == [ids["Welcome"], ids["Review"]]
    nested = [t for t in tocs.values() if not t.flags & CTOCFlags.TOP_LEVEL]
    assert [t.child_element_ids for t in nested] == [[ids["Greetings"], ids["Numbers"]]]

    assert str(tag["TXXX:AUDIOLESSON_KEY"]) == "abc123"
    assert str(tag["TXXX:AUDIOLESSON_PUBLISHED"]) == "2026-11-24"
    built = read_existing(result.mp3, "scripts/l15.md")  # as the build and the feed read it
    assert built is not None and (built.build_key, built.published_tag) == ("abc123", "2026-11-24")

    # eyeD3, a second independent reader, sees the same episode.
    audio = eyed3.load(str(result.mp3))
    assert audio.tag.title == "Lesson 15.1: Greetings" and audio.tag.artist == "Ms. Rivera"
    assert len(list(audio.tag.chapters)) == 4 and len(list(audio.tag.table_of_contents)) == 2
    assert abs(audio.info.time_secs - result.duration) < 0.1


@pytest.mark.slow
def test_id3v23_for_older_players(tmp_path):
    result = export(tmp_path, version=3)
    tag = ID3(result.mp3, translate=False)  # as stored, not upgraded to 2.4 frames on reading
    assert tag.version == (2, 3, 0) and "TDRC" not in tag
    assert str(tag["TYER"]) == "2026" and str(tag["TIT2"]) == "Lesson 15.1: Greetings"
    assert len(tag.getall("CHAP")) == 4 and len(tag.getall("CTOC")) == 2
    assert str(tag["TXXX:AUDIOLESSON_KEY"]) == "abc123"


def test_a_missing_or_unreadable_episode_is_not_there_for_the_build(tmp_path):
    assert read_existing(tmp_path / "nope.mp3", "scripts/nope.md") is None
    plain = tmp_path / "plain.mp3"
    shutil.copyfile(Path(__file__), plain)
    assert read_existing(plain, "scripts/plain.md") is None


def test_language_codes():
    assert language_code("en") == "eng"
    assert language_code("en-US") == "eng"
    assert language_code("deu") == "deu"
    assert language_code(None) == "und"
    assert language_code("xx") == "und"
