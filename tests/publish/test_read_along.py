"""The listening page follows the word, in headless Chromium on a phone-sized screen: the
highlighted word and sentence move as currentTime advances, the transcript scrolls to keep them in
view, a tap on a sentence plays from it; Chromium's own WebVTT parser reads the word timestamps."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from _browser import PHONE, chromium
from _delivery import make_project

from audiolesson.config import load_config
from audiolesson.export.sidecars import vtt_text
from audiolesson.export.timeline import Cue, Word
from audiolesson.publish.catalog import collect_episodes
from audiolesson.publish.page import write_page
from audiolesson.publish.serve import create_server

E2E = Path(__file__).parents[1] / "data" / "delivery_e2e"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from chromium()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The e2e project (tone voices) built: real word times in its VTT and JSON transcript."""
    from audiolesson.pipeline import build

    root = tmp_path_factory.mktemp("read-along") / "physics"
    shutil.copytree(E2E, root)
    build(load_config(root, jobs=1))
    return root


def now(page: object, slug: str) -> tuple[str | None, str | None]:
    """The highlighted word and sentence of an episode's transcript."""
    word, sentence = page.evaluate(  # type: ignore[attr-defined]
        """slug => {
            const a = document.getElementById(slug);
            const w = a.querySelector('.word.now'), s = a.querySelector('.sentence.now');
            return [w && w.textContent, s && s.textContent];
        }""",
        slug,
    )
    return word, sentence


def at(page: object, slug: str, seconds: float) -> None:
    """Move the episode's player to `seconds` and wait until it is there."""
    page.evaluate(  # type: ignore[attr-defined]
        "([s, t]) => { document.querySelector('#' + s + ' audio').currentTime = t; }",
        [slug, seconds],
    )
    page.wait_for_function(  # type: ignore[attr-defined]
        "([s, t]) => Math.abs(document.querySelector('#' + s + ' audio').currentTime - t) < 0.01"
        " && !document.querySelector('#' + s + ' audio').seeking",
        arg=[slug, seconds],
    )


@pytest.mark.slow
def test_the_highlighted_word_follows_the_audio_and_a_tap_seeks(
    built: Path, browser: object
) -> None:
    out = built / "output"
    words = json.loads((out / "sound.transcript.json").read_text(encoding="utf-8"))["segments"]
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # type: ignore[attr-defined]
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto((out / "index.html").as_uri())
    page.wait_for_function("document.querySelector('#sound audio').readyState >= 1")
    assert now(page, "sound") == (None, None)  # nothing before the episode is played
    seen = []
    for segment in words[:6]:  # the first turn, then the second: word by word
        at(page, "sound", segment["startTime"] + 0.03)
        word, sentence = now(page, "sound")
        assert word == segment["body"] and sentence is not None and word in sentence
        seen.append(word)
    assert seen == ["Sound", "is", "a", "vibration.", "Of", "what?"]
    at(page, "sound", words[3]["endTime"] + 0.3)  # the pause after the turn: no word is said
    assert now(page, "sound") == (None, None)

    # a tap on the last sentence plays from its start
    sentence = page.locator("#sound .sentence").last
    start = float(sentence.get_attribute("data-start"))
    sentence.tap()
    page.wait_for_function(
        "t => Math.abs(document.querySelector('#sound audio').currentTime - t) < 0.3", arg=start
    )
    assert now(page, "sound")[1] == "Faster in water."
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert problems == []
    context.close()


@pytest.mark.slow
def test_chromium_reads_the_word_timestamps_of_the_vtt(built: Path, browser: object) -> None:
    server = create_server(load_config(built).site, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        page = browser.new_page()  # type: ignore[attr-defined]
        page.goto(f"http://127.0.0.1:{server.port}/")
        found = page.evaluate(
            """() => new Promise((done, failed) => {
                const audio = document.querySelector('#sound audio');
                const track = document.createElement('track');
                track.kind = 'captions'; track.src = 'sound.vtt'; track.default = true;
                track.addEventListener('load', () => {
                    const cues = Array.from(track.track.cues);
                    done(cues.map(c => {
                        const walker = document.createTreeWalker(
                            c.getCueAsHTML(), NodeFilter.SHOW_PROCESSING_INSTRUCTION);
                        const stamps = [];
                        while (walker.nextNode()) { stamps.push(walker.currentNode.data); }
                        return [c.startTime, c.endTime, c.text.replace(/<[^>]*>/g, ''), stamps];
                    }));
                });
                track.addEventListener('error', () => failed('the track did not parse'));
                audio.appendChild(track);
                track.track.mode = 'hidden';
            })"""
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    words = json.loads((built / "output" / "sound.transcript.json").read_text())["segments"]
    assert [text for _, _, text, _ in found] == [
        "Sound is a vibration.", "Of what?", "About three hundred metres a second in air.",
        "Faster in water.",
    ]  # fmt: skip
    # every word but each cue's first has its timestamp (the first starts with the cue)
    stamps = [stamp for *_, cue_stamps in found for stamp in cue_stamps]
    assert len(stamps) == len(words) - len(found)


def scroll_project(tmp_path: Path) -> Path:
    """The delivery project with a long transcript for episode "two" (30 turns in 6 s)."""
    root = make_project(tmp_path)
    cues = []
    for n in range(30):
        start = 0.2 * n
        text = f"Turn {n} here."
        cues.append(
            Cue(
                start,
                start + 0.19,
                "Host",
                text,
                n,
                words=(
                    Word(start, start + 0.06, "Turn"),
                    Word(start + 0.07, start + 0.13, f"{n}"),
                    Word(start + 0.14, start + 0.19, "here."),
                ),
            )  # fmt: skip
        )
    (root / "output" / "two.vtt").write_text(vtt_text(cues), encoding="utf-8")
    site = load_config(root).site
    write_page(site, collect_episodes(site))
    return root


@pytest.mark.slow
def test_the_transcript_scrolls_to_keep_the_word_in_view(tmp_path: Path, browser: object) -> None:
    root = scroll_project(tmp_path)
    context = browser.new_context(viewport=PHONE)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto((root / "output" / "index.html").as_uri())
    page.wait_for_function("document.querySelector('#two audio').readyState >= 1")
    for n in (2, 29, 5):
        at(page, "two", 0.2 * n + 0.09)
        assert now(page, "two") == (f"{n}", f"Turn {n} here.")
        inside = page.evaluate(
            """() => {
                const box = document.querySelector('#two .turns').getBoundingClientRect();
                const w = document.querySelector('#two .word.now').getBoundingClientRect();
                return w.top >= box.top && w.bottom <= box.bottom;
            }"""
        )
        assert inside, n
    context.close()
