"""Mixing: resampling, level matching, true-peak limiting, fades and exact pause lengths."""

from __future__ import annotations

import math

import numpy as np
import pyloudnorm
import pytest
from scipy.signal import resample_poly
from synth_clips import CLIPS, clip, speechy

from audiolesson.audio import Audio
from audiolesson.audio_settings import AudioSettings
from audiolesson.errors import BuildError, ConfigError
from audiolesson.export.mix import conform, stitch
from audiolesson.export.timeline import Block, Silence

RATE = 44100


def render(chapter: Block, settings: AudioSettings | None = None):
    pieces: list[np.ndarray] = []
    mix = stitch(chapter, settings or AudioSettings(), pieces.append, clips=CLIPS)
    return mix, np.concatenate(pieces)


def bs1770(samples: np.ndarray) -> float:
    return pyloudnorm.Meter(RATE).integrated_loudness(samples.astype(np.float64))


def true_peak_8x(samples: np.ndarray) -> float:
    return 20 * math.log10(np.abs(resample_poly(samples, 8, 1, axis=0)).max())


def test_conform_resamples_and_mixes_channels():
    mono = speechy(1.0, rate=22050)
    up = conform(mono, RATE, 2)
    assert up.shape == (RATE, 2) and up.dtype == np.float32
    assert np.array_equal(up[:, 0], up[:, 1])
    stereo = Audio(np.stack([mono.samples[:, 0], -mono.samples[:, 0]], axis=1), 16000)
    down = conform(stereo, RATE, 1)
    assert down.shape[1] == 1 and abs(down.shape[0] - 22050 * RATE / 16000) <= 1
    assert np.abs(down).max() < 1e-6  # opposite channels cancel: a real downmix, not channel 0


def test_conform_rejects_nan_with_the_line():
    bad = Audio(np.full((100, 1), np.nan, dtype=np.float32), RATE)
    with pytest.raises(BuildError, match="line 7"):
        conform(bad, RATE, 1, line=7)


def test_turns_are_level_matched_and_the_chapter_hits_the_target():
    loud, quiet = clip(1, 3.0, level=0.95), clip(2, 3.0, level=0.02, speaker="Ana")
    chapter = Block("One", [loud, Silence(0.5), quiet, Silence(0.5), clip(3, 2.0)])
    mix, pcm = render(chapter)
    levels = [bs1770(pcm[a:b]) for a, b in mix.spans]
    assert max(levels) - min(levels) < 1.0, levels
    assert abs(bs1770(pcm) - (-19.0)) < 0.5
    assert abs(mix.loudness_lufs - bs1770(pcm)) < 0.05  # the streaming meter agrees with pyloudnorm


def test_a_voice_volume_offsets_its_turns_after_level_matching():
    import dataclasses

    quieter = dataclasses.replace(clip(2, 3.0, level=0.9, speaker="Ana"), gain_db=-6.0)
    chapter = Block("One", [clip(1, 3.0, level=0.1), Silence(0.5), quieter])
    mix, pcm = render(chapter)
    normal, soft = (bs1770(pcm[a:b]) for a, b in mix.spans)
    assert normal - soft == pytest.approx(6.0, abs=0.5)


def test_stereo_target_and_custom_loudness():
    chapter = Block("One", [clip(1, 3.0, stereo=True), Silence(0.3), clip(2, 3.0)])
    _, pcm = render(chapter, AudioSettings(channels=2))
    assert pcm.shape[1] == 2 and abs(bs1770(pcm) - (-16.0)) < 0.5
    _, pcm = render(chapter, AudioSettings(loudness_lufs=-23.0))
    assert abs(bs1770(pcm) - (-23.0)) < 0.5


def test_true_peak_stays_under_the_ceiling():
    # A spiky clip: loudness-normalising it alone would push its peaks far above 0 dBTP.
    rng = np.random.default_rng(3)
    spiky = np.zeros((RATE * 2, 1), dtype=np.float32)
    spiky[rng.integers(0, RATE * 2, 40)] = 0.9
    spiky += 0.001 * rng.standard_normal(spiky.shape).astype(np.float32)
    item = clip(1)
    item = type(item)(CLIPS.add("spiky", lambda: Audio(spiky, RATE)), None, "Spikes.", 3)
    _, pcm = render(Block("One", [item, clip(2, 2.0)]))
    assert true_peak_8x(pcm) <= -1.0


def test_joins_are_faded_and_pauses_exact():
    chapter = Block("One", [clip(1, 1.0, level=0.9), Silence(0.25), clip(2, 1.0, level=0.9)])
    mix, pcm = render(chapter, AudioSettings(fade_ms=10))
    (a1, b1), (a2, b2) = mix.spans
    assert a1 == 0 and b1 == RATE and a2 - b1 == round(0.25 * RATE) and b2 - a2 == RATE
    assert mix.frames == pcm.shape[0] == b2
    for edge in (a1, b1 - 1, a2, b2 - 1):
        assert abs(pcm[edge, 0]) < 1e-3  # every clip starts and ends at (near) zero: no click
    assert np.abs(pcm[b1:a2]).max() == 0.0


def test_short_and_silent_clips_do_not_break_the_mix():
    blip = clip(1, 0.05)
    nothing = Audio(np.zeros((500, 1), np.float32), 22050)
    silent = type(blip)(CLIPS.add("silent", lambda: nothing), "A", ".", 4)
    mix, pcm = render(Block("One", [blip, silent, clip(2, 1.0)]))
    assert len(mix.spans) == 3 and np.isfinite(pcm).all()
    assert np.abs(pcm[mix.spans[1][0] : mix.spans[1][1]]).max() == 0.0


def test_settings_are_validated():
    with pytest.raises(ConfigError, match="bitrate"):
        AudioSettings(bitrate_kbps=65).validate()
    assert AudioSettings(channels=2).target_lufs == -16.0
    assert AudioSettings().target_lufs == -19.0


@pytest.mark.parametrize("rate", [22050, 44100, 48000])
def test_clip_loudness_is_pyloudnorm_to_a_millionth_of_a_lu(rate: int) -> None:
    """clip_loudness re-does pyloudnorm's gating with cumulative sums (for speed): same numbers."""
    import math
    import warnings

    from audiolesson.export.loudness import BLOCK_SECONDS, clip_loudness

    rng = np.random.default_rng(rate)
    for seconds in (0.05, 0.2, 0.399, 0.4, 0.41, 1.234, 7.5, 33.3):
        for channels in (1, 2):
            n = int(seconds * rate)
            envelope = np.repeat(rng.uniform(0, 1, size=n // 2000 + 1), 2000)[:n, None]
            x = (rng.standard_normal((n, channels)) * 0.1 * envelope).astype(np.float32)
            x[: n // 3] *= 1e-4  # a near-silent start: both gates have blocks to drop
            block = min(BLOCK_SECONDS, (n - 0.5) / rate)
            with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
                warnings.simplefilter("ignore")
                meter = pyloudnorm.Meter(rate, block_size=block)
                expected = float(meter.integrated_loudness(x.astype(np.float64)))
            measured = clip_loudness(x, rate)
            assert math.isfinite(expected) and abs(measured - expected) < 1e-6, (seconds, channels)
    assert clip_loudness(np.zeros((rate, 1), dtype=np.float32), rate) == -math.inf


@pytest.mark.parametrize("channels", [1, 2])
def test_the_stitch_pass_reads_the_level_pass_clips_back_bit_for_bit(monkeypatch, channels) -> None:
    from audiolesson.export import mix

    chapter = Block("Kept", [clip(1, 1.5, 0.9), Silence(0.3), clip(2, 1.0, 0.05, stereo=True)])
    settings = AudioSettings(channels=channels)
    kept, used = render(chapter, settings), []
    real = mix._Scratch.get
    monkeypatch.setattr(mix._Scratch, "get", lambda self, i: used.append(i) or real(self, i))
    assert render(chapter, settings)[1].tobytes() == kept[1].tobytes()
    assert used == [0, 2]  # both clips came from the scratch file
    # computed again instead, the audio is the same to the last bit
    monkeypatch.setattr(mix._Scratch, "get", lambda self, i: None)
    again = render(chapter, settings)
    assert again[1].tobytes() == kept[1].tobytes() and again[0].spans == kept[0].spans
    assert again[0].loudness_lufs == kept[0].loudness_lufs
