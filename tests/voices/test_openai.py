"""The openai engine against a fake OpenAI-compatible server on 127.0.0.1 (tests/_speech_server)."""

from __future__ import annotations

import json
import os
import re
import socket
from pathlib import Path

import pytest
from _cli import audiolesson
from _speech_server import Speech, speech_server

from audiolesson.errors import EngineError, EngineUnavailable
from audiolesson.voices.engines.base import Voice, get_engine
from audiolesson.voices.engines.openai_tts import OpenAIEngine
from audiolesson.voices.render import voice_key

TOKEN = "sk-test-0123456789abcdef"


def voice(base_url: str, **options: object) -> Voice:
    opts = {"base_url": base_url, **options}
    return Voice("api", engine="openai", model="kokoro", speaker="af_heart",
                 options=tuple(sorted(opts.items())))  # fmt: skip


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> OpenAIEngine:
    engine = OpenAIEngine()
    waits: list[float] = []
    monkeypatch.setattr(engine, "sleep", waits.append)
    engine.waits = waits  # type: ignore[attr-defined]
    monkeypatch.setenv("OPENAI_API_KEY", TOKEN)
    return engine


@pytest.mark.parametrize("fmt", ["wav", "pcm", "flac", "mp3"])
def test_a_turn_is_one_request_decoded(engine: OpenAIEngine, fmt: str) -> None:
    with speech_server(Speech(key=TOKEN)) as (url, state):
        audio = engine.synthesize("Hello there.", voice(url, format=fmt))
    assert audio.sample_rate == 24000 and audio.channels == 1
    slack = 0.08 if fmt == "mp3" else 0.002  # an MP3 carries its encoder's padding
    assert audio.duration == pytest.approx(0.05 * len("Hello there."), abs=slack)
    assert state.requests == [
        {"model": "kokoro", "input": "Hello there.", "voice": "af_heart", "speed": 1.0,
         "response_format": fmt, "auth": f"Bearer {TOKEN}"}
    ]  # fmt: skip


def test_429_and_5xx_are_retried_honouring_retry_after(engine: OpenAIEngine) -> None:
    state = Speech(faults={"Busy.": [429, 503]}, retry_after="0.25")
    with speech_server(state) as (url, _):
        audio = engine.synthesize("Busy.", voice(url))
    assert audio.frames > 0 and len(state.requests) == 3
    assert engine.waits == [0.25, 0.25]  # type: ignore[attr-defined]
    state = Speech(faults={"Down.": [500, 502]})
    with speech_server(state) as (url, _):
        engine.synthesize("Down.", voice(url))
    assert engine.waits[2:] == [0.5, 1.0]  # type: ignore[attr-defined]  # backoff, doubling


def test_opus_is_refused_as_not_decoded_here(engine: OpenAIEngine) -> None:
    from audiolesson.errors import ConfigError

    with pytest.raises(ConfigError, match="format must be one of: wav, pcm, flac, mp3"):
        engine.synthesize("Hi.", voice("http://127.0.0.1:1/v1", format="opus"))


def test_a_turn_that_keeps_failing_is_one_line(engine: OpenAIEngine) -> None:
    with speech_server(Speech(faults={"*": [503] * 10})) as (url, state):
        with pytest.raises(EngineError) as failed:
            engine.synthesize("Never.", voice(url, tries=3))
    assert len(state.requests) == 3
    assert re.fullmatch(
        r"openai: http://127\.0\.0\.1:\d+/v1/audio/speech answered HTTP 503: .*busy.* "
        r"\(after 3 tries\)",
        str(failed.value),
    )


def test_a_slow_server_times_out_per_request(engine: OpenAIEngine) -> None:
    with speech_server(Speech(delay=1.0)) as (url, state):
        with pytest.raises(EngineError, match=r"cannot reach .*timed out.*\(after 2 tries\)"):
            engine.synthesize("Slow.", voice(url, timeout=0.2, tries=2))
    assert len(state.requests) == 2


def test_preflight_says_what_is_missing_before_any_turn(
    engine: OpenAIEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(EngineUnavailable, match="no API key: set the environment variable"):
        engine.preflight(Voice("api", engine="openai"))  # OpenAI's own host: a key is needed
    with speech_server(Speech(key=TOKEN)) as (url, state):
        with pytest.raises(EngineUnavailable, match="HTTP 401.*check the key"):
            engine.preflight(voice(url))  # a server that wants a key
        monkeypatch.setenv("MY_KEY", TOKEN)
        engine.preflight(voice(url, api_key_env="MY_KEY"))
        assert state.requests == []  # nothing was synthesised
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/v1"
        with pytest.raises(EngineUnavailable, match=r"cannot reach .*start the server"):
            engine.preflight(voice(closed, api_key_env="MY_KEY"))


def test_the_cache_key_holds_server_model_voice_and_settings_never_the_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", TOKEN)
    base = voice("http://127.0.0.1:1/v1")
    keys = {
        json.dumps(voice_key(v), sort_keys=True)
        for v in (
            base,
            voice("http://127.0.0.1:2/v1"),
            Voice("api", engine="openai", model="tts-1", speaker="af_heart",
                  options=base.options),
            Voice("api", engine="openai", model="kokoro", speaker="am_adam", options=base.options),
            Voice("api", engine="openai", model="kokoro", speaker="af_heart", speed=1.2,
                  options=base.options),
            voice("http://127.0.0.1:1/v1", format="pcm"),
        )
    }  # fmt: skip
    assert len(keys) == 6 and not any(TOKEN in k for k in keys)
    assert get_engine("openai").concurrency(base) == ("http://127.0.0.1:1/v1", 4)


# --- through a build -----------------------------------------------------------------------

SCRIPT = "---\ntitle: Online\n---\n\n# One\n\n" + "\n\n".join(
    f"Teacher: Sentence number {n} is here." for n in range(1, 9)
) + "\n"  # fmt: skip


def project(root: Path, url: str, **options: object) -> Path:
    (root / "scripts").mkdir(parents=True)
    (root / "voices").mkdir()
    (root / "scripts" / "online.md").write_text(SCRIPT)
    opts = "\n".join(f"{k} = {json.dumps(v)}" for k, v in {"base_url": url, **options}.items())
    (root / "voices" / "teacher.toml").write_text(
        f'engine = "openai"\nmodel = "kokoro"\nspeaker = "af_heart"\n[options]\n{opts}\n'
    )
    return root


def env() -> dict[str, str]:
    return {**os.environ, "OPENAI_API_KEY": TOKEN}


def test_the_listing_shows_the_server_and_refuses_a_voice_it_cannot_send(tmp_path: Path) -> None:
    from audiolesson.voices.listing import list_voices

    root = project(tmp_path / "p", "http://127.0.0.1:8880/v1/")  # nothing listens: not asked
    (root / "voices" / "bad.toml").write_text(
        'engine = "openai"\n[options]\nformat = "opus"\nconcurrency = 4\n'
    )
    rows = {row.name: row for row in list_voices(root) if row.engine == "openai"}
    assert rows["teacher"].usable
    assert rows["teacher"].reason.startswith("model kokoro at http://127.0.0.1:8880/v1, speaker")
    assert not rows["bad"].usable and "opus is not decoded here" in rows["bad"].reason


@pytest.mark.slow
def test_a_build_sends_turns_at_the_concurrency_and_a_rebuild_sends_nothing(
    tmp_path: Path,
) -> None:
    with speech_server(Speech(key=TOKEN, delay=0.2)) as (url, state):
        root = project(tmp_path / "p", url, concurrency=3)
        proc = audiolesson(root, "--verbose", "build", "--json", env=env(), timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout.splitlines()[-1])["turns_synthesized"] == 8
        assert len(state.requests) == 8 and state.most == 3  # bounded, and used
        again = audiolesson(root, "build", "--json", env=env(), timeout=120)
        assert again.returncode == 0 and len(state.requests) == 8  # the cache answered
    for text in (proc.stdout, proc.stderr, again.stdout, again.stderr):
        assert TOKEN not in text
    for path in root.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path


@pytest.mark.slow
def test_a_failing_turn_names_its_line_and_the_others_are_kept(tmp_path: Path) -> None:
    state = Speech(faults={"Sentence number three is here.": [500] * 9})  # its spoken form
    with speech_server(state) as (url, _):
        root = project(tmp_path / "p", url, tries=2)
        proc = audiolesson(root, "build", env=env(), timeout=120)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1, proc.stderr
    assert re.fullmatch(
        r"error: .*scripts/online\.md:11: voice 'teacher' \(engine openai\) failed on this turn: "
        r"openai: http://127\.0\.0\.1:\d+/v1/audio/speech answered HTTP 500: .* "
        r"\(after 2 tries\)\n",
        proc.stderr,
    ), proc.stderr
    assert len(list((root / ".audiolesson" / "cache" / "clips").glob("*/*.clip"))) == 7


def test_an_unreachable_server_is_one_line_before_any_turn(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        root = project(tmp_path / "p", f"http://127.0.0.1:{s.getsockname()[1]}/v1")
        proc = audiolesson(root, "build", env=env(), timeout=120)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1, proc.stderr
    assert "cannot reach http://127.0.0.1:" in proc.stderr and "start the server" in proc.stderr
    assert not (root / ".audiolesson" / "cache" / "clips").exists()


@pytest.mark.slow
def test_online_and_local_turns_build_together(tmp_path: Path) -> None:
    with speech_server(Speech(delay=0.05)) as (url, state):
        root = project(tmp_path / "p", url)
        (root / "voices" / "student.toml").write_text('engine = "tone"\n')
        script = SCRIPT.replace(
            "title: Online", "title: Online\ncast:\n  Teacher: teacher\n  Student: student"
        )
        script += "\n" + "\n\n".join(f"Student: A local tone, turn {n}." for n in range(4)) + "\n"
        (root / "scripts" / "online.md").write_text(script)
        proc = audiolesson(root, "build", "--json", env=env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    done = [e for e in events if e["event"] == "synthesized"]
    assert len(done) == 12 and all(e["error"] is None for e in done)
    assert len(state.requests) == 8  # the tone turns ran in worker processes
    assert events[-1]["episodes_written"] == 1


@pytest.mark.slow
def test_the_turn_timeout_holds_for_online_turns(tmp_path: Path) -> None:
    with speech_server(Speech(delay=3.0)) as (url, _):
        root = project(tmp_path / "p", url, timeout=30.0)
        (root / "audiolesson.toml").write_text("[build]\nturn_timeout = 0.5\n")
        proc = audiolesson(root, "build", env=env(), timeout=120)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1, proc.stderr
    assert "failed on this turn: no answer in 0.5 s (7 more turns failed)" in proc.stderr
