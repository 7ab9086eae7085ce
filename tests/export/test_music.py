"""Music beds in the mix: ducked under speech, up in pauses, seamless across blocks and loops."""

from __future__ import annotations

import numpy as np
from sound_files import band_db, tone
from synth_clips import CLIPS, clip

from audiolesson.audio import Audio
from audiolesson.audio_settings import AudioSettings
from audiolesson.export.blocks import episode_blocks
from audiolesson.export.mix import stitch
from audiolesson.export.music import FALL_SECONDS, RISE_SECONDS
from audiolesson.export.segments import to_float
from audiolesson.export.timeline import Bed, Block, ChapterTimeline, MusicSpan, Silence

RATE = 44100
BED_HZ = 2000.0
BED = (BED_HZ - 100, BED_HZ + 100)


def bed(seconds: float = 3.0) -> Bed:
    audio = Audio(tone(BED_HZ, seconds, rate=48000, level=0.3)[:, None], 48000)
    return Bed(CLIPS.add(f"bed-{seconds}", lambda: audio))


def render(chapter: Block):
    pieces: list[np.ndarray] = []
    mix = stitch(chapter, AudioSettings(), pieces.append, clips=CLIPS)
    return mix, np.concatenate(pieces)[:, 0]


def test_the_bed_is_down_under_speech_up_in_pauses_and_down_again_before_speech() -> None:
    items = [clip(1, 2.0), Silence(4.0), clip(2, 2.0), Silence(1.0)]
    chapter = Block("One", items, music=MusicSpan(bed()))
    mix, pcm = render(chapter)
    (a1, b1), (a2, b2) = mix.spans
    under = band_db(pcm[a1 + RATE // 2 : b1], *BED)
    speech = band_db(pcm[a1 + RATE // 2 : b1], 80, 700)
    assert speech - under > 15
    rise, fall = round(RISE_SECONDS * RATE), round(FALL_SECONDS * RATE)
    up = band_db(pcm[b1 + rise : a2 - fall], *BED)
    assert 6 < up - under < 10  # rise_db is 8 dB
    just_before = band_db(pcm[a2 - RATE // 20 : a2], *BED)
    assert abs(just_before - under) < 1.5  # back down by the time the next turn starts
    halfway = band_db(pcm[b1 + rise // 2 - RATE // 20 : b1 + rise // 2 + RATE // 20], *BED)
    assert under + 1 < halfway < up - 1  # a ramp, not a step


def test_a_bed_plays_on_across_blocks_and_loops_without_a_seam() -> None:
    items = []
    for n in range(40):
        items += [clip(n, 0.5), Silence(0.3)]
    whole = ChapterTimeline("Long", 1, "k", items, bed=bed(1.3))
    blocks = episode_blocks([whole], AudioSettings(), clips=CLIPS)[0]
    assert len(blocks) > 2 and blocks[1].music.offset > 0 and not blocks[1].music.first
    split = np.concatenate([render(block)[1] for block in blocks])
    single = Block("Long", items, music=MusicSpan(whole.bed))
    mix, joined = render(single)
    assert split.shape == joined.shape
    # In every pause only the bed sounds: split into blocks or not, the very same samples.
    pauses = np.ones(joined.shape[0], dtype=bool)
    for a, b in mix.spans:
        pauses[a:b] = False
    assert np.abs(split[pauses] - joined[pauses]).max() < 1e-4
    # The 1.3 s bed loops some 20 times: the crossfade leaves no jump bigger than the tone's own.
    step = np.abs(np.diff(joined[pauses][: RATE * 2]))
    assert step.max() < 4 * 2 * np.pi * BED_HZ / RATE * 0.3


def test_the_bed_fades_in_at_its_start_and_out_with_its_chapter() -> None:
    chapter = Block("One", [clip(1, 2.0), Silence(2.0)], music=MusicSpan(bed(5.0)))
    _, pcm = render(chapter)
    first, middle = band_db(pcm[: RATE // 10], *BED), band_db(pcm[RATE : 2 * RATE], *BED)
    assert first < middle - 6
    assert band_db(pcm[-RATE // 20 :], *BED) < band_db(pcm[-RATE : -RATE // 2], *BED) - 10


def count_slices(monkeypatch) -> list[int]:
    """Counts pydub slices of any segment from now on: [count]."""
    from pydub import AudioSegment

    calls = [0]
    real = AudioSegment.get_sample_slice

    def counted(self, start=None, end=None):  # noqa: ANN001, ANN202 - pydub's own signature
        calls[0] += 1
        return real(self, start, end)

    monkeypatch.setattr(AudioSegment, "get_sample_slice", counted)
    return calls


def test_a_short_bed_is_tiled_not_sliced_once_per_loop(monkeypatch) -> None:
    from audiolesson.export.music import BedTrack

    settings = AudioSettings()
    items = [clip(1, 1.0), Silence(10.0)]  # a long pause under a bed of a few samples
    work = {}
    for frames in (1, 7, 4410):  # one sample (the 110x slower build), a few, 0.1 s
        audio = Audio(tone(BED_HZ, frames / 48000, rate=48000, level=0.3)[:, None], 48000)
        key = CLIPS.add(f"bed-{frames}-samples", lambda a=audio: a)
        track = BedTrack(MusicSpan(Bed(key)), items, settings, clips=CLIPS)
        calls = count_slices(monkeypatch)
        piece = track.piece(1, RATE, 10 * RATE)
        work[frames] = calls[0]
        monkeypatch.undo()
        samples = to_float(piece)[:, 0]
        loop = to_float(track.loop)[:, 0]
        assert samples.shape == (10 * RATE,)
        # the bed repeats exactly from where the first item left it (here before the ramps)
        raw = to_float(track._slice(RATE, 10 * RATE))[:, 0]
        n = len(loop)
        assert np.array_equal(raw, np.resize(np.roll(loop, -(RATE % n)), raw.shape))
    # the work of cutting the bed does not grow with the number of times it loops
    assert work[1] == work[7] == work[4410], work
    assert work[1] < 100, work  # (before: 441080 slices for the one-sample bed)


def test_a_bed_plays_the_same_tiled_as_it_did_sliced() -> None:
    from audiolesson.export.music import BedTrack

    audio = Audio(tone(BED_HZ, 2.5, rate=48000, level=0.3)[:, None], 48000)
    key = CLIPS.add("bed-2.5-tiled", lambda: audio)
    track = BedTrack(MusicSpan(Bed(key), offset=12345), [Silence(9.0)], AudioSettings(),
                     clips=CLIPS)  # fmt: skip
    loop = to_float(track.loop)[:, 0]
    n = len(loop)
    for position, frames in ((0, 100), (n - 50, 100), (3, 4 * n + 17), (n, n)):
        got = to_float(track._slice(position, frames))[:, 0]
        start = (12345 + position) % n
        assert np.array_equal(got, np.take(loop, np.arange(start, start + frames), mode="wrap"))
