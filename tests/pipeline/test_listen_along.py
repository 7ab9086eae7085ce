"""Listen along, end to end: a build's word times (VTT, JSON transcript) and its read-along EPUB,
read back with independent tools (webvtt-py, zipfile and XML, epubcheck, Whisper for Piper)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from _epub import epubcheck, read_book
from _probe import vtt_cues

from audiolesson.config import load_config
from audiolesson.pipeline import build
from audiolesson.synth.cache import ClipCache
from audiolesson.voices.engines.tone import SECONDS_PER_CHAR

E2E = Path(__file__).parents[1] / "data" / "delivery_e2e"


def e2e_project(tmp_path: Path) -> Path:
    root = tmp_path / "physics"
    shutil.copytree(E2E, root)
    toml = root / "audiolesson.toml"
    toml.write_text(toml.read_text() + '\n[build]\nformats = ["mp3", "epub"]\n')
    return root


def segments(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["segments"]


@pytest.mark.slow
def test_a_build_times_every_word_and_writes_a_read_along_book(tmp_path: Path) -> None:
    import webvtt

    root = e2e_project(tmp_path)
    build(load_config(root, jobs=1))
    out = root / "output"
    cues = vtt_cues(out / "sound.vtt")  # our reader: each word's timestamp inside its cue
    assert [c.text for c in webvtt.read(str(out / "sound.vtt"))] == [c.text for c in cues]
    words = segments(out / "sound.transcript.json")
    assert " ".join(s["body"] for s in words) == " ".join(c.text for c in cues)
    assert [s["speaker"] for s in words[:6]] == ["Teacher"] * 4 + ["Student"] * 2
    # tone voices say each word as a tone of 60 ms a letter, a space's length apart: exact
    first = cues[0]
    assert [s["body"] for s in words[:4]] == ["Sound", "is", "a", "vibration."]
    expected = [0, 6, 9, 11]  # letters and spaces before each word
    for segment, letters in zip(words[:4], expected, strict=True):
        assert segment["startTime"] == pytest.approx(
            first.start + letters * SECONDS_PER_CHAR, abs=0.002
        )
    assert all(a["endTime"] <= b["startTime"] for a, b in zip(words, words[1:], strict=False))

    book = read_book(out / "sound.epub")
    assert book.first.filename == "mimetype" and book.first.compress_type == 0
    assert book.audio == (out / "sound.mp3").read_bytes()
    # word level (the tone engine places its words exactly): a par per word, in order, whose
    # clips start where the transcript's words start and tile the whole episode
    assert [book.text_of(p.doc, p.target) for p in book.pars] == [s["body"] for s in words]
    assert book.pars[0].begin == 0.0
    for par, segment in zip(book.pars[1:], words[1:], strict=True):
        assert par.begin == pytest.approx(segment["startTime"], abs=0.0015)
    assert all(a.end == b.begin for a, b in zip(book.pars, book.pars[1:], strict=False))
    total = book.meta("media:duration")
    assert len(total) == 3 and not total[0].get("refines")  # the book, then each overlay
    assert book.pars[-1].end == pytest.approx(sum_of(total[1:]), abs=0.002)
    for par in book.pars:  # every overlay entry names an element of its document
        assert par.target in book.ids(par.doc)
    toc = book.nav
    assert toc is not None and [a.text for a in toc.iter("{http://www.w3.org/1999/xhtml}a")] == [
        "What is sound?", "How fast?"
    ]  # fmt: skip
    heading = next(book.docs["chapter-001.xhtml"].iter("{http://www.w3.org/1999/xhtml}h1"))
    assert heading.text == "What is sound?"
    assert "Teacher:" in book.text_of("chapter-001.xhtml", "t1")  # speakers named
    assert any(n.endswith("cover.png") for n in book.names)
    report = epubcheck(out / "sound.epub")
    assert "No errors or warnings detected" in report, report


def sum_of(metas: list) -> float:
    from _epub import clock

    return sum(clock(m.text or "") for m in metas)


@pytest.mark.slow
def test_an_edit_times_only_what_it_synthesised_and_old_clips_are_timed_once(
    tmp_path: Path,
) -> None:
    root = e2e_project(tmp_path)
    config = load_config(root, jobs=1)
    build(config)
    cache = ClipCache(config.cache_dir)
    stamps = {k: cache.path(k).stat().st_mtime_ns for k in cache.keys()}
    script = root / "scripts" / "sound.md"
    script.write_text(script.read_text().replace("Of what?", "Of what, exactly?"))
    result = build(load_config(root, jobs=1))
    assert result.turns_synthesized == 1
    assert all(cache.path(k).stat().st_mtime_ns == t for k, t in stamps.items())
    words = segments(root / "output" / "sound.transcript.json")
    assert [s["body"] for s in words[4:7]] == ["Of", "what,", "exactly?"]

    # a clip cached before timings were kept (no facts in its header) is timed once, same take,
    # when its episode is written again (an older build's episode lacks the JSON transcript)
    key = next(k for k in cache.keys() if cache.facts(k))
    audio = cache.get(key)
    assert audio is not None
    cache.put(key, audio)  # as older builds stored it
    assert cache.facts(key) == {}
    for old in (root / "output").glob("*.transcript.json"):
        old.unlink()
    again = build(load_config(root, jobs=1))
    assert again.turns_synthesized == 1 and "timing" in cache.facts(key)
    assert (cache.get(key) or audio).samples.tobytes() == audio.samples.tobytes()
    assert build(load_config(root, jobs=1)).turns_synthesized == 0


PIPER_SCRIPT = """---
title: Photosynthesis
language: en
---

# Light into sugar

Teacher: Plants turn 6CO2 and 6H2O into sugar and oxygen. They need light: about 400 to 700 nm.

Student: So the leaves are like small factories?

Teacher: Exactly. Each leaf catches sunlight, all day long.
"""


@pytest.mark.slow
@pytest.mark.requires_extra("verify")
def test_piper_word_times_agree_with_what_whisper_hears(tmp_path: Path) -> None:
    """Piper's own durations place the words; Whisper, hearing the episode, agrees within the
    targets (median 0.15 s, 95th percentile 0.4 s), and the book reads along word by word."""
    import difflib

    import numpy as np

    from audiolesson.speech import normal_word
    from audiolesson.verify.hearing import Listener, decode

    root = tmp_path / "piper"
    (root / "scripts").mkdir(parents=True)
    (root / "scripts" / "leaf.md").write_text(PIPER_SCRIPT, encoding="utf-8")
    (root / "audiolesson.toml").write_text('[build]\nformats = ["mp3", "epub"]\n')
    build(load_config(root, jobs=1))
    out = root / "output"
    words = [s for s in segments(out / "leaf.transcript.json") if "speaker" in s]
    assert "6CO2" in [s["body"] for s in words]  # one written word, said "six C O two"
    heard = Listener(threads=1).words(decode(out / "leaf.mp3"))
    ours = [normal_word(s["body"]) for s in words]
    theirs = [normal_word(w) for _, _, w in heard]
    matcher = difflib.SequenceMatcher(None, ours, theirs, autojunk=False)
    gaps = [
        abs(words[a + k]["startTime"] - heard[b + k][0])
        for a, b, n in matcher.get_matching_blocks()
        for k in range(n)
    ]
    assert len(gaps) >= 0.7 * len(words)
    assert np.median(gaps) <= 0.15 and np.percentile(gaps, 95) <= 0.4, sorted(gaps)[-5:]
    book = read_book(out / "leaf.epub")
    assert len(book.pars) == len(words)  # word level: Piper's timings are the engine's own
