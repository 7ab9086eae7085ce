"""The engines: tone (fast), piper and pyttsx3 for real, gtts through a fake HTTP layer."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import requests
import responses

from audiolesson.errors import ConfigError, EngineError, EngineUnavailable
from audiolesson.voices.engines.base import Voice, available_engines, get_engine


def peak_hz(samples: np.ndarray, rate: int) -> float:
    """The strongest frequency in the signal."""
    spectrum = np.abs(np.fft.rfft(samples.reshape(-1)))
    return float(np.fft.rfftfreq(samples.shape[0], 1 / rate)[int(np.argmax(spectrum))])


def test_builtin_engines_register_through_entry_points() -> None:
    assert {"piper", "pyttsx3", "gtts", "tone"} <= set(available_engines())
    assert get_engine("tone") is get_engine("tone")  # one instance per process


def test_cli_startup_imports_no_engine() -> None:
    code = (
        "import sys, audiolesson.cli, audiolesson.voices.cast, audiolesson.voices.render;"
        "print(sorted(m for m in ('piper', 'onnxruntime', 'pyttsx3', 'gtts', 'parselmouth',"
        " 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- tone -------------------------------------------------------------------------------------


def test_tone_length_follows_text_and_speed() -> None:
    tone = get_engine("tone")
    audio = tone.synthesize("Hello there", Voice("t", engine="tone"))
    assert audio.sample_rate == 22050 and audio.channels == 1
    assert audio.duration == pytest.approx(11 * 0.06, abs=0.002)
    fast = tone.synthesize("Hello there", Voice("t", engine="tone", speed=2.0))
    assert fast.duration == pytest.approx(audio.duration / 2, abs=0.002)
    again = tone.synthesize("Hello there", Voice("t", engine="tone"))
    assert np.array_equal(audio.samples, again.samples)  # deterministic


def test_tone_pitch_follows_voice() -> None:
    tone = get_engine("tone")
    low = tone.synthesize("aaaaaaaaaa", Voice("t", engine="tone"))
    high = tone.synthesize("aaaaaaaaaa", Voice("t", engine="tone", pitch=12.0))
    assert peak_hz(high.samples, high.sample_rate) / peak_hz(low.samples, low.sample_rate) == (
        pytest.approx(2.0, rel=0.03)
    )


# --- piper (real) ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def piper():
    engine = get_engine("piper")
    engine.check()
    return engine


@pytest.mark.slow
def test_piper_speaks_with_the_bundled_voice(piper) -> None:
    audio = piper.synthesize("The quick brown fox jumps over the lazy dog.", Voice("v"))
    assert audio.sample_rate == 22050 and audio.channels == 1
    assert 1.5 < audio.duration < 5.0
    rms = float(np.sqrt(np.mean(audio.samples**2)))
    assert rms > 0.03  # speech, not silence
    slow = piper.synthesize("The quick brown fox jumps over the lazy dog.", Voice("v", speed=0.5))
    assert slow.duration > 1.6 * audio.duration


@pytest.mark.slow
def test_piper_sentence_silence_and_variation(piper) -> None:
    text = "One sentence here. Another sentence there."
    steady = Voice("v", options=(("variation", 0.0), ("variation_w", 0.0)))
    plain = piper.synthesize(text, steady)
    spaced = piper.synthesize(
        text, Voice("v", options=(*steady.options, ("sentence_silence", 0.5)))
    )
    assert spaced.duration - plain.duration == pytest.approx(0.5, abs=0.02)
    # No noise: the model is deterministic.
    assert np.array_equal(plain.samples, piper.synthesize(text, steady).samples)


@pytest.mark.slow
def test_piper_loads_each_model_once_with_thread_setting() -> None:
    from audiolesson.voices.engines.piper_tts import PiperEngine, default_model

    engine = PiperEngine(threads=1)
    engine.synthesize("Hi.", Voice("v"))
    loaded = engine._loaded[default_model()]
    engine.synthesize("Hello again.", Voice("v", speed=1.2))
    assert list(engine._loaded) == [default_model()] and engine._loaded[default_model()] is loaded
    assert loaded.session.get_session_options().intra_op_num_threads == 1


def test_piper_threads_setting_must_be_at_least_one() -> None:
    from audiolesson.voices.engines.piper_tts import PiperEngine

    with pytest.raises(ConfigError, match="piper: threads must be at least 1, got 0"):
        PiperEngine(threads=0)


def test_a_worker_passes_its_thread_share_to_every_engine_it_creates() -> None:
    from audiolesson.voices.engines import base

    try:
        base.configure_engines(threads=2)
        assert base.get_engine("piper").threads == 2
        assert base.get_engine("tone").threads == 2
    finally:
        base.configure_engines(threads=None)
    assert base.get_engine("piper").threads is None


def test_piper_fingerprint_hashes_the_model_once() -> None:
    from audiolesson.voices.engines.piper_tts import PiperEngine, default_model

    engine = PiperEngine()
    model = default_model()
    digest = hashlib.sha256(model.read_bytes() + Path(f"{model}.json").read_bytes()).hexdigest()
    assert engine.fingerprint(Voice("v")) == digest
    engine._fingerprints[model] = "memo"
    assert engine.fingerprint(Voice("v", pitch=3.0)) == "memo"  # not hashed again


def test_piper_missing_model_names_voice_file_and_path(tmp_path: Path) -> None:
    voice = Voice("mine", model=str(tmp_path / "gone.onnx"), source=str(tmp_path / "mine.toml"))
    with pytest.raises(ConfigError) as caught:
        get_engine("piper").synthesize("Hi.", voice)
    assert str(caught.value).startswith(f"{tmp_path / 'mine.toml'}: ")
    assert f"not found: {tmp_path / 'gone.onnx'}" in str(caught.value)


def test_piper_speaker_by_id_or_name() -> None:
    from types import SimpleNamespace

    from audiolesson.voices.engines.piper_tts import PiperEngine

    model = SimpleNamespace(
        config=SimpleNamespace(speaker_id_map={"amy": 0, "bob": 1}, num_speakers=2)
    )
    engine = PiperEngine()
    assert engine._speaker_id(Voice("v", speaker="bob"), model) == 1
    assert engine._speaker_id(Voice("v", speaker=0), model) == 0
    assert engine._speaker_id(Voice("v"), model) is None
    with pytest.raises(ConfigError, match="unknown speaker 'carl'; choose one of: amy, bob"):
        engine._speaker_id(Voice("v", speaker="carl"), model)


def test_piper_lists_the_bundled_voice() -> None:
    [voice] = get_engine("piper").voices()
    assert voice.name == "en_US-joe-medium" and voice.language == "en_US"


# --- pyttsx3 (real, espeak-ng) -----------------------------------------------------------------


@pytest.fixture(scope="module")
def system():
    engine = get_engine("pyttsx3")
    engine.check()
    return engine


def test_pyttsx3_renders_to_a_file_not_the_speakers(system, capsys) -> None:
    audio = system.synthesize("Hello from the system voice.", Voice("s", engine="pyttsx3"))
    assert audio.sample_rate == 22050
    assert 0.8 < audio.duration < 5.0
    assert float(np.sqrt(np.mean(audio.samples**2))) > 0.02
    fast = system.synthesize(
        "Hello from the system voice.", Voice("s", engine="pyttsx3", speed=2.0)
    )
    assert fast.duration < 0.75 * audio.duration
    assert capsys.readouterr().out == ""  # the driver's "Audio saved to" chatter is swallowed


def test_pyttsx3_speaks_long_turns_whole(system) -> None:
    # The espeak driver alone writes nothing for utterances past ~120 characters.
    sentence = "If you plot a quick sketch, you can see the curve bend as the values grow larger."
    short = system.synthesize(sentence, Voice("s", engine="pyttsx3"))
    long = system.synthesize(" ".join([sentence] * 6), Voice("s", engine="pyttsx3"))
    assert 5.0 < long.duration / short.duration < 7.0


def test_pyttsx3_one_speaking_process_per_setting_same_audio_every_time(system) -> None:
    import os
    import signal

    from audiolesson.voices.engines.pyttsx3_tts import Pyttsx3Engine

    engine = Pyttsx3Engine()
    plain, fast = Voice("s", engine="pyttsx3"), Voice("f", engine="pyttsx3", speed=1.5)
    text = "Hello from the system voice. This is a test."
    first = engine.synthesize(text, plain)
    engine.synthesize("Something else, said in between.", fast)
    engine.synthesize("And a third thing, with the first voice.", plain)
    pids = {speaker._proc.pid for speaker in engine._speakers.values()}
    again = engine.synthesize(text, plain)
    assert len(pids) == 2 and {s._proc.pid for s in engine._speakers.values()} == pids
    # what was said before does not change a turn: equal to a fresh process's first utterance
    fresh = Pyttsx3Engine()
    np.testing.assert_array_equal(first.samples, again.samples)
    np.testing.assert_array_equal(first.samples, fresh.synthesize(text, plain).samples)
    fresh.close()
    # a speaking process that died is replaced for the next turn
    [speaker] = [s for s in engine._speakers.values() if s._proc.args[-1].count('"rate": 200')]
    os.kill(speaker._proc.pid, signal.SIGKILL)
    speaker._proc.wait()
    np.testing.assert_array_equal(engine.synthesize(text, plain).samples, first.samples)
    engine.close()
    assert not engine._speakers


def test_pyttsx3_chunks_cut_at_sentences_commas_then_spaces() -> None:
    from audiolesson.voices.engines.pyttsx3_tts import chunks

    text = "One. " + "word " * 40 + "end, tail. Short!"
    pieces = chunks(text, limit=30)
    assert pieces[0] == "One."
    assert all(len(p) <= 30 for p in pieces)
    assert " ".join(pieces).split() == text.split()
    assert chunks("x" * 50, limit=10) == ["x" * 50]  # one long word stays whole


def test_pyttsx3_voice_ids(system) -> None:
    ids = {v.id for v in system.voices()}
    assert "gmw/en-us" in ids
    audio = system.synthesize("Hello.", Voice("s", engine="pyttsx3", model="gmw/en-us"))
    assert audio.duration > 0.3
    with pytest.raises(ConfigError, match="unknown system voice 'klingon'; choose one of: .*en"):
        system.synthesize("Hello.", Voice("s", engine="pyttsx3", model="klingon"))


def test_pyttsx3_missing_system_library_says_what_to_install(monkeypatch) -> None:
    import pyttsx3

    from audiolesson.voices.engines.pyttsx3_tts import Pyttsx3Engine

    def broken(*args, **kwargs):
        raise OSError("libespeak-ng.so.1: cannot open shared object file")

    monkeypatch.setattr(pyttsx3, "init", broken)
    with pytest.raises(EngineUnavailable) as caught:
        Pyttsx3Engine().check()
    assert "libespeak-ng.so.1" in str(caught.value)
    assert "apt-get install espeak-ng" in str(caught.value)


# --- gtts (fake HTTP) --------------------------------------------------------------------------

GOOGLE = re.compile(r"https://translate\.google\.[a-z.]+/.*")


def fake_mp3_body(seconds: float = 0.5) -> str:
    """A batchexecute answer carrying a real MP3 (440 Hz tone), the way Google sends one."""
    from audiolesson.audio import Audio
    from audiolesson.audio_io import encode_mp3

    t = np.arange(int(24000 * seconds)) / 24000
    mp3 = encode_mp3(Audio((0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[:, None], 24000))
    b64 = base64.b64encode(mp3).decode()
    return ")]}'\n\n" + '[["wrb.fr","jQ1olc","[\\"' + b64 + '\\"]",null,null,null,"generic"]]\n'


def gtts_engine(waits: list[float]):
    from audiolesson.voices.engines.gtts_tts import GttsEngine

    return GttsEngine(tries=3, backoff=0.25, sleep=waits.append)


@responses.activate
def test_gtts_decodes_google_mp3_with_accent() -> None:
    responses.add(responses.POST, GOOGLE, body=fake_mp3_body())
    waits: list[float] = []
    voice = Voice("g", engine="gtts", model="en", options=(("tld", "co.uk"),))
    audio = gtts_engine(waits).synthesize("Hello there.", voice)
    assert audio.sample_rate == 24000
    assert audio.duration == pytest.approx(0.5, abs=0.08)
    assert peak_hz(audio.samples, 24000) == pytest.approx(440, abs=5)
    assert responses.calls[0].request.url.startswith("https://translate.google.co.uk/")
    assert waits == []


@responses.activate
def test_gtts_retries_transient_errors_with_backoff() -> None:
    responses.add(responses.POST, GOOGLE, status=503)
    responses.add(responses.POST, GOOGLE, status=429)
    responses.add(responses.POST, GOOGLE, body=fake_mp3_body())
    waits: list[float] = []
    audio = gtts_engine(waits).synthesize("Hello.", Voice("g", engine="gtts"))
    assert audio.duration > 0.3
    assert waits == [0.25, 0.5]
    assert len(responses.calls) == 3


@responses.activate
def test_gtts_without_network_says_it_needs_the_internet() -> None:
    responses.add(responses.POST, GOOGLE, body=requests.ConnectionError("no route to host"))
    waits: list[float] = []
    with pytest.raises(EngineError) as caught:
        gtts_engine(waits).synthesize("Hello.", Voice("g", engine="gtts"))
    assert str(caught.value).startswith(
        "gTTS needs the internet; could not reach translate.google.com"
    )
    assert waits == [0.25, 0.5]  # three tries


@responses.activate
def test_gtts_does_not_retry_a_refusal() -> None:
    responses.add(responses.POST, GOOGLE, status=403)
    waits: list[float] = []
    with pytest.raises(EngineError, match="403"):
        gtts_engine(waits).synthesize("Hello.", Voice("g", engine="gtts"))
    assert waits == [] and len(responses.calls) == 1


def test_gtts_unknown_language_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="Language not supported: xx"):
        gtts_engine([]).synthesize("Hello.", Voice("g", engine="gtts", model="xx"))


def test_gtts_lists_languages_offline() -> None:
    langs = {v.id: v.name for v in get_engine("gtts").voices()}
    assert langs["en"] == "English" and "fr" in langs


def test_piper_fingerprint_is_remembered_between_runs_until_the_model_changes(
    tmp_path: Path, monkeypatch
) -> None:
    from audiolesson import file_hashes
    from audiolesson.voices.engines import piper_tts

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    model = tmp_path / "m.onnx"
    model.write_bytes(b"model one")
    Path(f"{model}.json").write_text("{}")
    voice = Voice("v", model=str(model))
    first = piper_tts.PiperEngine().fingerprint(voice)
    assert first == hashlib.sha256(b"model one{}").hexdigest()
    assert file_hashes.hash_memo().is_file()

    def no_hashing(parts):
        raise AssertionError("hashed again")

    with monkeypatch.context() as m:
        m.setattr(file_hashes, "sha256_of", no_hashing)
        assert piper_tts.PiperEngine().fingerprint(voice) == first  # a new process: the memo
    replacement = tmp_path / "new.onnx"  # a new model moved into place, same size: new inode
    replacement.write_bytes(b"model two")
    replacement.replace(model)
    assert piper_tts.PiperEngine().fingerprint(voice) == hashlib.sha256(b"model two{}").hexdigest()
    file_hashes.hash_memo().write_text("not json")
    assert piper_tts.PiperEngine().fingerprint(voice) == hashlib.sha256(b"model two{}").hexdigest()


def test_copies_of_a_model_share_one_seeded_rewrite(tmp_path: Path, monkeypatch) -> None:
    # the rewrite is named after the model's content: test copies (and a user's copy) of the
    # bundled model do not each add a 60 MB rewrite to the user cache
    import shutil

    from audiolesson.voices.engines import piper_tts, seeded

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    bundled = piper_tts.default_model()
    copies = []
    for name in ("one", "two"):
        copy = tmp_path / name / bundled.name
        copy.parent.mkdir()
        shutil.copyfile(bundled, copy)
        copies.append(copy)
    first, second = (seeded._cached(c) for c in copies)
    assert first == second
    changed = tmp_path / "three" / bundled.name
    changed.parent.mkdir()
    changed.write_bytes(bundled.read_bytes() + b"\0")
    assert seeded._cached(changed) != first
