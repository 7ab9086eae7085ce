"""`audiolesson build` end to end, read back with independent tools (ffprobe, ffmpeg, mutagen).

The fixture project uses tone voices (voices/*.toml with engine = "tone"): the real pipeline, cache,
workers, mixer, encoder and tagger, without neural-model time. One test builds with real Piper.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from pathlib import Path

import pytest
from _cli import audiolesson as cli
from _cli import in_process
from _probe import chapters as ffprobe_chapters
from _probe import ffmpeg_decode, ffprobe, loudness, vtt_cues

from audiolesson.config import load_config
from audiolesson.errors import EngineError, LockError
from audiolesson.pipeline import build, project_lock

LESSON = "lesson"


def run_build(root: Path, *paths: Path, **kw):
    return build(load_config(root, jobs=2), list(paths) or None, **kw)


def test_build_writes_a_chaptered_mastered_episode(project: Path) -> None:
    result = run_build(project)
    out = project / "output"
    mp3, vtt, chapters_json = out / "lesson.mp3", out / "lesson.vtt", out / "lesson.chapters.json"
    assert result.episodes_written == [LESSON]
    assert result.turns_total == 9 and result.turns_synthesized == 9 and result.turns_cached == 0

    decode = ffmpeg_decode(mp3)
    assert decode.returncode == 0 and decode.stderr == ""

    chapters = ffprobe_chapters(mp3)
    # chapters are stored in playing order (players that list CHAP frames in file order rely on it)
    titles = [c["tags"]["title"] for c in chapters]
    starts = [float(c["start_time"]) for c in chapters]
    assert starts == sorted(starts)
    assert titles == ["Tiny Lesson", "First chapter", "A sub-chapter", "Second chapter"]

    cues = vtt_cues(vtt)
    assert len(cues) == 9
    assert cues[0][2] == "Narrator" and cues[1][2] == "Teacher" and cues[2][2] == "Student 1"
    # the transcript keeps the written text; the lexicon only changes what is spoken
    assert "GPT is one example. It goes on over two lines." in cues[3][3]
    # every chapter starts within 50 ms of the cue of its first turn
    first_turn_cue = {"Tiny Lesson": 0, "First chapter": 1, "A sub-chapter": 5, "Second chapter": 7}
    for c in chapters:
        cue = cues[first_turn_cue[c["tags"]["title"]]]
        assert abs(float(c["start_time"]) - cue[0]) <= 0.05, (c, cue)
    # pauses: speaker change < explicit 1.5 s pause < chapter pause
    change = cues[2][0] - cues[1][1]
    explicit = cues[4][0] - cues[3][1]
    chapter_gap = cues[7][0] - cues[6][1]
    assert 0.4 < change < 1.0 and 1.4 < explicit < 1.7 and chapter_gap > 1.7

    doc = json.loads(chapters_json.read_text())
    assert [c["title"] for c in doc["chapters"]] == titles
    assert doc["chapters"][0]["startTime"] == 0

    integrated, peak = loudness(mp3)
    assert abs(integrated - (-19.0)) <= 1.0
    assert peak <= -1.0

    from mutagen.id3 import ID3

    tags = ID3(mp3)
    assert str(tags["TIT2"]) == "Tiny Lesson"
    assert str(tags["TALB"]) == "Test Course"
    assert str(tags["TPE1"]) == "Test Author"
    assert str(tags["TCON"]) == "Podcast"
    assert "Student 1: Thank you, teacher." in tags.getall("USLT")[0].text


def test_nothing_changed_touches_nothing(project: Path) -> None:
    run_build(project)
    mp3 = project / "output" / "lesson.mp3"
    before = (mp3.read_bytes(), mp3.stat().st_mtime_ns)
    again = run_build(project)
    assert again.turns_synthesized == 0 and again.episodes_unchanged == [LESSON]
    assert (mp3.read_bytes(), mp3.stat().st_mtime_ns) == before


def test_editing_one_turn_resynthesises_exactly_one_turn(project: Path) -> None:
    run_build(project)
    script = project / "scripts" / "lesson.md"
    script.write_text(script.read_text().replace("And ends here.", "And it ends right here."))
    result = run_build(project)
    assert result.turns_synthesized == 1
    assert result.turns_cached == 8
    assert result.chapters_with_new_blocks == 1 and result.chapters_reused == 3
    cues = vtt_cues(project / "output" / "lesson.vtt")
    assert cues[6][3] == "And it ends right here."


def test_a_lexicon_change_resynthesises_only_turns_with_that_word(project: Path) -> None:
    run_build(project)
    script = project / "scripts" / "lesson.md"
    script.write_text(script.read_text().replace("gee pee tee", "G P T"))
    result = run_build(project)
    assert result.turns_synthesized == 1


def test_plan_synthesises_nothing(project: Path) -> None:
    result = run_build(project, plan_only=True)
    assert result.plan[0].to_synthesize == 9 and result.plan[0].estimated_audio_seconds > 0
    assert not (project / "output").exists()
    assert not any((project / ".audiolesson" / "cache").glob("clips/*/*.clip"))


def test_cli_json_events_end_with_a_summary(project: Path) -> None:
    proc = in_process(project, "build", "--json", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    assert events[-1]["event"] == "summary"
    assert events[-1]["episodes_written"] == 1 and events[-1]["turns_synthesized"] == 9
    assert sum(e["event"] == "synthesized" for e in events) == 9
    proc = in_process(project, "build", "--json")
    summary = json.loads(proc.stdout.splitlines()[-1])
    assert summary["turns_synthesized"] == 0 and summary["turns_cached"] == 9


def test_cli_plan_and_quiet(project: Path) -> None:
    proc = in_process(project, "build", "--plan")
    assert proc.returncode == 0
    assert "9 of 9 turns to synthesise" in proc.stdout and "nothing was built" in proc.stdout
    proc = in_process(project, "build", "--quiet")
    assert proc.returncode == 0 and proc.stdout == ""
    assert (project / "output" / "lesson.mp3").is_file()


def test_output_option_and_stereo_id3v23(project: Path) -> None:
    proc = in_process(project, "build", "--output", "elsewhere", "--stereo", "--id3", "2.3")
    assert proc.returncode == 0, proc.stderr
    mp3 = project / "elsewhere" / "lesson.mp3"
    streams = ffprobe(mp3)["streams"]
    assert streams[0]["channels"] == 2 and streams[0]["sample_rate"] == "44100"
    assert mp3.read_bytes()[:4] == b"ID3\x03"
    integrated, _ = loudness(mp3)
    assert abs(integrated - (-16.0)) <= 1.0


def test_cache_prune_removes_only_unused_clips(project: Path) -> None:
    run_build(project)
    script = project / "scripts" / "lesson.md"
    script.write_text(script.read_text().replace("What comes next?", "What follows?"))
    run_build(project)
    clips = list((project / ".audiolesson" / "cache").glob("clips/*/*.clip"))
    assert len(clips) == 10
    proc = in_process(project, "cache", "prune")
    assert proc.returncode == 0, proc.stderr
    assert "removed 1 clips" in proc.stdout
    again = run_build(project, force=True)
    assert again.turns_synthesized == 0
    # blocks in use were kept
    assert again.chapters_reused == 4 and again.chapters_with_new_blocks == 0


def test_a_second_build_stops_with_a_clear_message(project: Path) -> None:
    config = load_config(project)
    with project_lock(config):
        with pytest.raises(LockError, match="another build is running"):
            run_build(project)
        proc = cli(project, "build")
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "another build is running" in proc.stderr


def test_failing_turn_names_line_voice_engine_and_keeps_the_rest(project, monkeypatch) -> None:
    from audiolesson.voices.engines import tone

    real = tone.ToneEngine.synthesize

    def flaky(self, text, voice):
        if "Thank you" in text:
            raise RuntimeError("the engine fell over")
        return real(self, text, voice)

    monkeypatch.setattr(tone.ToneEngine, "synthesize", flaky)  # workers are forked: they see it
    with pytest.raises(EngineError) as info:
        run_build(project)
    message = str(info.value)
    assert "lesson.md:17:" in message and "'student-1'" in message and "tone" in message
    assert not (project / "output" / "lesson.mp3").exists()
    monkeypatch.setattr(tone.ToneEngine, "synthesize", real)
    result = run_build(project)
    assert result.turns_synthesized == 1 and result.turns_cached == 8


@pytest.mark.slow  # waits out its 2 s turn timeout
def test_hanging_turn_times_out(project, monkeypatch) -> None:
    import time

    from audiolesson.voices.engines import tone

    real = tone.ToneEngine.synthesize

    def hang(self, text, voice):
        if "Goodbye" in text:
            time.sleep(60)
        return real(self, text, voice)

    monkeypatch.setattr(tone.ToneEngine, "synthesize", hang)
    (project / "audiolesson.toml").write_text("[build]\nturn_timeout = 2.0\n")
    with pytest.raises(EngineError, match="no answer in 2 s"):
        run_build(project)


@pytest.mark.slow
def test_real_piper_build(tmp_path: Path) -> None:
    """The default cast (Piper, joe-medium) on a short script, read back with ffprobe."""
    root = tmp_path / "piper"
    (root / "scripts").mkdir(parents=True)
    (root / "scripts" / "hello.md").write_text(
        "---\ntitle: Hello\n---\n# One\n\nTeacher: Good morning, everyone.\n\n"
        "Student 1: Good morning!\n\n# Two\n\nThat was the whole lesson.\n"
    )
    result = run_build(root)
    assert result.turns_synthesized == 3
    mp3 = root / "output" / "hello.mp3"
    chapters = ffprobe_chapters(mp3)
    assert [c["tags"]["title"] for c in chapters] == ["One", "Two"]
    integrated, peak = loudness(mp3)
    assert abs(integrated + 19.0) <= 1.0 and peak <= -1.0
    cues = vtt_cues(root / "output" / "hello.vtt")
    assert [c[2] for c in cues] == ["Teacher", "Student 1", "Narrator"]
    assert abs(float(chapters[1]["start_time"]) - cues[2][0]) <= 0.05


def test_concurrent_cli_builds_never_corrupt(project: Path) -> None:
    """Two builds at once: one wins, the other stops cleanly; the result is whole."""
    procs: list[subprocess.CompletedProcess[str]] = []

    def go() -> None:
        procs.append(cli(project, "build", "--quiet"))

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(p.returncode for p in procs)
    assert codes[0] == 0 and codes[1] in (0, 1)
    for p in procs:
        if p.returncode == 1:
            assert "another build is running" in p.stderr and "Traceback" not in p.stderr
    decode = ffmpeg_decode(project / "output" / "lesson.mp3")
    assert decode.returncode == 0 and decode.stderr == ""
    assert os.listdir(project / "output")
