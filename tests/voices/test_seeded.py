"""The same take every time: ONNX random ops seeded from the inputs, Piper, Praat's shifts."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from audiolesson.audio import Audio
from audiolesson.voices.engines import seeded
from audiolesson.voices.engines.base import Voice, get_engine
from audiolesson.voices.render import render, shift

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")


def noisy_model(path: Path, *, uniform: bool = False) -> Path:
    """y = x + noise_like(x) (scaled as the op says): the smallest model with a random op."""
    from onnx import TensorProto, helper

    op = "RandomUniformLike" if uniform else "RandomNormalLike"
    attrs = {"low": 2.0, "high": 3.0} if uniform else {"mean": 0.0, "scale": 0.5}
    nodes = [
        helper.make_node(op, ["x"], ["n"], dtype=TensorProto.FLOAT, **attrs),
        helper.make_node("Add", ["x", "n"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "noisy",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["a", "b"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["a", "b"])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])
    onnx.save(model, str(path))
    return path


def test_onnx_runtime_alone_does_not_repeat_a_take(tmp_path: Path) -> None:
    # why the rewrite exists: the kernel's generator runs on from run to run
    session = ort.InferenceSession(str(noisy_model(tmp_path / "m.onnx")))
    x = {"x": np.zeros((2, 8), np.float32)}
    assert not np.array_equal(session.run(None, x)[0], session.run(None, x)[0])


def test_a_seeded_session_gives_equal_outputs_for_equal_inputs(tmp_path: Path) -> None:
    path = noisy_model(tmp_path / "m.onnx")
    assert seeded.has_random_ops(path)
    session = seeded.open_session(path)
    assert isinstance(session, seeded.SeededSession)
    assert [i.name for i in session.get_inputs()] == ["x"]  # the noise input is hidden
    assert [o.name for o in session.get_outputs()] == ["y"]
    x = np.zeros((3, 100), np.float32)
    first = session.run(None, {"x": x})
    assert len(first) == 1 and first[0].shape == (3, 100)
    assert np.array_equal(first[0], session.run(None, {"x": x})[0])
    assert np.array_equal(first[0], session.run(["y"], {"x": x})[0])
    other = session.run(None, {"x": x + 1})[0] - 1  # other inputs, other noise
    assert not np.allclose(other, first[0])
    noise = first[0].ravel()
    assert abs(noise.mean()) < 0.1 and 0.4 < noise.std() < 0.6  # scale 0.5 kept
    again = seeded.open_session(path)  # another session (another process, another node)
    assert np.array_equal(again.run(None, {"x": x})[0], first[0])


def test_a_short_noise_buffer_is_run_again_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = noisy_model(tmp_path / "m.onnx")
    x = np.zeros((4, 500), np.float32)
    generous = seeded.open_session(path).run(None, {"x": x})[0]
    monkeypatch.setattr(seeded, "FIRST_GUESS", 0)  # the first run's buffer is far too short
    lengths: list[int] = []
    real_draw = seeded.draw
    monkeypatch.setattr(seeded, "draw", lambda *a: lengths.append(a[2]) or real_draw(*a))
    assert np.array_equal(seeded.open_session(path).run(None, {"x": x})[0], generous)
    assert lengths == [16, 2000]  # one short run, then one with the exact length


def test_the_rewrite_is_kept_and_read_back_without_onnx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = noisy_model(tmp_path / "m.onnx")
    x = {"x": np.ones((2, 50), np.float32)}
    first = seeded.open_session(path).run(None, x)[0]
    assert len(list((tmp_path / "cache" / "audiolesson" / "seeded").glob("*.onnx"))) == 1

    def no_rewrite(path: Path, expose: str | None = None) -> None:
        raise AssertionError("rewritten again")

    monkeypatch.setattr(seeded, "_rewrite", no_rewrite)
    assert np.array_equal(seeded.open_session(path).run(None, x)[0], first)
    noisy_model(path, uniform=True)  # the model changes: its rewrite is made anew
    with pytest.raises(AssertionError, match="rewritten again"):
        seeded.open_session(path)


def test_uniform_noise_keeps_its_range(tmp_path: Path) -> None:
    session = seeded.open_session(noisy_model(tmp_path / "u.onnx", uniform=True))
    y = session.run(None, {"x": np.zeros((1, 4000), np.float32)})[0]
    assert 2.0 <= y.min() and y.max() < 3.0 and abs(y.mean() - 2.5) < 0.05


def test_a_model_without_random_ops_opens_as_it_is(tmp_path: Path) -> None:
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Neg", ["x"], ["y"])],
        "plain",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])],
    )
    path = tmp_path / "plain.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)]), str(path))
    assert not seeded.has_random_ops(path)
    assert isinstance(seeded.open_session(path), ort.InferenceSession)


def test_an_exposed_tensor_is_an_output_and_changes_no_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onnx import TensorProto, helper

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    nodes = [
        helper.make_node("RandomNormalLike", ["x"], ["n"], dtype=TensorProto.FLOAT, scale=0.5),
        helper.make_node("Ceil", ["x"], ["c"]),  # durations, as Piper's one Ceil node makes them
        helper.make_node("Add", ["c", "n"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "durations",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["a"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["a"])],
    )
    path = tmp_path / "d.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)]), str(path))
    x = {"x": np.array([0.2, 1.5, 2.0], np.float32)}
    plain = seeded.open_session(path)
    exposed = seeded.open_session(path, expose="Ceil")
    assert [o.name for o in exposed.get_outputs()] == ["y", "c"]
    y, c = exposed.run(None, x)
    assert np.array_equal(y, plain.run(None, x)[0]) and c.tolist() == [1.0, 2.0, 2.0]
    # kept apart in the cache: the plain rewrite is not replaced by the exposed one
    assert len(list(seeded.cache_dir().glob("*.onnx"))) == 2


def test_noise_chunks_make_a_long_buffer_start_like_a_short_one() -> None:
    seed = [1, 2, 3, 4]
    short = seeded.draw(seed, 0, 1000)
    long = seeded.draw(seed, 0, 3 * seeded.CHUNK + 7)
    assert np.array_equal(long[:1000], short) and long.dtype == np.float32
    assert not np.array_equal(seeded.draw(seed, 1, 1000), short)  # each input its own stream


# --- Piper and Praat -------------------------------------------------------------------------

TEXT = "Sit still, please; the sixth sheep is sick. Is this it?"
#: prints the hash of each text's audio, in the given order, with the given thread count
HASHES = """
import hashlib, sys
from audiolesson.voices.engines.base import Voice, configure_engines
from audiolesson.voices.presets import designed
from audiolesson.voices.render import render
configure_engines(threads=int(sys.argv[1]))
texts = sys.argv[2:]
voice = designed("fast")["student-3"]  # Piper, then a Praat pitch and formant shift
for text in texts:
    print(text, hashlib.sha256(render(text, voice).samples.tobytes()).hexdigest())
"""


@pytest.mark.slow
def test_piper_with_its_durations_exposed_sounds_exactly_as_without(tmp_path: Path) -> None:
    """The joe model rewritten with its Ceil (durations) output gives the very same samples as
    the rewrite without it, and the durations add up to the audio's length."""
    import json

    from piper import PiperVoice, SynthesisConfig
    from piper.config import PiperConfig

    piper = get_engine("piper")
    model = piper.model_path(Voice("t"))
    config = PiperConfig.from_dict(json.loads(Path(f"{model}.json").read_text("utf-8")))
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    plain = PiperVoice(config=config, session=seeded.open_session(model, options))
    timed = PiperVoice(config=config, session=seeded.open_session(model, options, expose="Ceil"))
    syn = SynthesisConfig()
    for sentence in plain.phonemize(TEXT + " Three hundred and forty-three metres a second."):
        ids = plain.phonemes_to_ids(sentence)
        audio = plain.phoneme_ids_to_audio(ids, syn)
        again, samples = timed.phoneme_ids_to_audio(ids, syn, include_alignments=True)
        assert again.tobytes() == audio.tobytes()
        assert len(samples) == len(ids) and int(samples.sum()) == len(audio)


@pytest.mark.slow
def test_piper_repeats_its_take_within_a_process() -> None:
    piper = get_engine("piper")
    first = piper.synthesize(TEXT, Voice("t"))
    again = piper.synthesize(TEXT, Voice("t"))
    assert np.array_equal(first.samples, again.samples)
    other = piper.synthesize(TEXT, Voice("t", options=(("variation", 0.9),)))
    assert other.samples.shape != first.samples.shape or not np.array_equal(
        other.samples, first.samples
    )


@pytest.mark.slow
def test_shifted_piper_takes_are_equal_across_processes_orders_and_threads() -> None:
    texts = [TEXT, "The quick brown fox jumps over the lazy dog.", "Why? Because."]

    def hashes(threads: int, order: list[str]) -> dict[str, str]:
        out = subprocess.run(
            [sys.executable, "-c", HASHES, str(threads), *order],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout
        return dict(line.rsplit(" ", 1) for line in out.splitlines())

    one = hashes(1, texts)
    assert hashes(2, texts[::-1]) == one
    assert len(set(one.values())) == 3


@pytest.mark.slow
def test_praat_shift_is_seeded_by_its_input() -> None:
    import parselmouth
    from parselmouth.praat import call

    voice = Voice("t")
    audio = render(TEXT, voice)
    first = shift(audio, pitch=5.0, formant=1.15)
    # Praat's generator used elsewhere in between changes nothing
    sound = parselmouth.Sound(audio.samples.T.astype(np.float64), audio.sample_rate)
    call(sound, "Change gender", 60, 600, 1.1, 120, 1.0, 1.0)
    again = shift(audio, pitch=5.0, formant=1.15)
    assert np.array_equal(first.samples, again.samples)
    louder = Audio(audio.samples * np.float32(0.5), audio.sample_rate)
    assert hashlib.sha256(shift(louder, 5.0, 1.15).samples.tobytes()).digest() != (
        hashlib.sha256(first.samples.tobytes()).digest()
    )
