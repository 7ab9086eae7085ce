"""The MP3's Xing/LAME "Info" frame: what LAME itself writes, read back by LAME-aware readers.

The reference is LAME: the system's libmp3lame (Debian's libmp3lame0, which ffmpeg depends on),
called through ctypes with the settings lameenc is given, writes its own Info frame for a stream,
and ours for the same stream must say the same. Then eyeD3, mp3guessenc (which checks both CRCs),
mutagen and ffmpeg read a built episode.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import logging
import re
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
from _probe import ffprobe
from synth_clips import CLIPS, lesson

from audiolesson.audio_io import LAME_QUALITY
from audiolesson.audio_settings import MP3_BITRATES, SAMPLE_RATES, AudioSettings
from audiolesson.export.episode import export_episode
from audiolesson.export.mp3 import DECODER_DELAY, ENCODER_DELAY, SAMPLES_PER_FRAME, info_frame
from audiolesson.export.tags import EpisodeMeta

LIBMP3LAME = ctypes.util.find_library("mp3lame")


def _crc16_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return table


CRC16_TABLE = _crc16_table()


def crc16_arc(data: bytes) -> int:
    """CRC-16/ARC (the LAME tag's CRCs), written out here to check the module's."""
    crc = 0
    for byte in data:
        crc = CRC16_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc


def music_crc(mp3: Path) -> tuple[int, int]:
    """(the music CRC the LAME tag holds, the CRC of the audio frames after the Info frame)."""
    data = mp3.read_bytes()
    if data[:3] == b"ID3":
        data = data[10 + sum((data[6 + i] & 0x7F) << (7 * (3 - i)) for i in range(4)) :]
    from audiolesson.export.mp3 import frame_length

    info = frame_length(int.from_bytes(data[:4], "big"))
    lame = data.index(b"LAME", 0, info)
    return struct.unpack(">H", data[lame + 32 : lame + 34])[0], crc16_arc(data[info:])


def lame_encode(pcm: np.ndarray, rate: int, kbps: int, quality: int) -> tuple[bytes, bytes]:
    """(LAME's Info frame, the audio frames after it) for int16 PCM (frames x channels), with
    the calls lameenc makes: channels, rates, CBR bitrate, quality."""
    lib = ctypes.CDLL(LIBMP3LAME)
    lib.lame_init.restype = ctypes.c_void_p
    lib.lame_close.argtypes = [ctypes.c_void_p]
    for name in ("num_channels", "in_samplerate", "out_samplerate", "brate", "quality"):
        getattr(lib, f"lame_set_{name}").argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.lame_init_params.argtypes = [ctypes.c_void_p]
    buffer = ctypes.c_char_p
    lib.lame_encode_buffer_interleaved.argtypes = [
        ctypes.c_void_p, buffer, ctypes.c_int, buffer, ctypes.c_int,
    ]  # fmt: skip
    lib.lame_encode_flush.argtypes = [ctypes.c_void_p, buffer, ctypes.c_int]
    lib.lame_get_lametag_frame.argtypes = [ctypes.c_void_p, buffer, ctypes.c_size_t]
    lib.lame_get_lametag_frame.restype = ctypes.c_size_t
    frames, channels = pcm.shape
    lame = lib.lame_init()
    try:
        lib.lame_set_num_channels(lame, channels)
        lib.lame_set_in_samplerate(lame, rate)
        lib.lame_set_out_samplerate(lame, rate)
        lib.lame_set_brate(lame, kbps)
        lib.lame_set_quality(lame, quality)
        assert lib.lame_init_params(lame) >= 0
        out = ctypes.create_string_buffer(frames + frames // 4 + 16384)
        size = lib.lame_encode_buffer_interleaved(
            lame, pcm.astype("<i2").tobytes(), frames, out, len(out)
        )
        assert size >= 0
        tail = ctypes.create_string_buffer(16384)
        rest = lib.lame_encode_flush(lame, tail, len(tail))
        stream = out.raw[:size] + tail.raw[:rest]
        tag = ctypes.create_string_buffer(4096)
        tag_size = lib.lame_get_lametag_frame(lame, tag, len(tag))
    finally:
        lib.lame_close(lame)
    # LAME's stream starts with a zeroed frame as long as the Info frame that replaces it.
    return tag.raw[:tag_size], stream[tag_size:]


def frame_starts(stream: bytes) -> list[int]:
    """Byte offset of each MPEG-1 Layer III frame."""
    from audiolesson.export.mp3 import frame_length

    starts, pos = [], 0
    while pos < len(stream):
        starts.append(pos)
        pos += frame_length(int.from_bytes(stream[pos : pos + 4], "big"))
    assert pos == len(stream)
    return starts


SETTINGS = [(rate, channels, kbps) for rate in SAMPLE_RATES for channels in (1, 2)
            for kbps in MP3_BITRATES]  # fmt: skip


@pytest.mark.skipif(LIBMP3LAME is None, reason="libmp3lame (Debian's libmp3lame0) not installed")
@pytest.mark.parametrize("quality", range(10))
def test_the_info_frame_is_the_one_lame_writes_for_the_same_stream(quality: int) -> None:
    checked = 0
    for rate, channels, kbps in SETTINGS:
        t = np.arange(rate // 5) / rate
        tone = (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16)
        pcm = np.repeat(tone[:, None], channels, axis=1)
        lames, stream = lame_encode(pcm, rate, kbps, quality)
        frames = len(frame_starts(stream))
        padding = frames * SAMPLES_PER_FRAME - ENCODER_DELAY - len(pcm)
        first = int.from_bytes(stream[:4], "big")
        ours = info_frame(first, frames, len(stream), padding, crc16_arc(stream), quality=quality)
        side_info = 17 if channels == 1 else 32
        if not lames:  # LAME writes none where the tag does not fit a frame at this bitrate
            assert 144 * kbps * 1000 // rate < 4 + side_info + 120 + 36
            assert len(ours) > 144 * kbps * 1000 // rate  # ours takes a larger frame
            continue
        assert len(ours) == len(lames), (rate, channels, kbps)
        # Our tag, with LAME's TOC (where LAME found each percent of this short stream, in
        # coarse steps; ours is the CBR straight line) and the tag CRC redone over it.
        toc, lame = toc_of(ours), ours.index(b"LAME")
        assert struct.unpack(">H", ours[lame + 34 : lame + 36])[0] == crc16_arc(ours[: lame + 34])
        patched = bytearray(ours)
        patched[toc] = lames[toc]
        patched[lame + 34 : lame + 36] = struct.pack(">H", crc16_arc(patched[: lame + 34]))
        if channels == 1 and len(ours) >= 192:  # ours has eyeD3's CRC at the stereo place too
            assert ours[190:192] == struct.pack(">H", crc16_arc(ours[:190]))
            assert lames[190:192] == b"\0\0"
            patched[190:192] = b"\0\0"
        assert bytes(patched) == lames, (rate, channels, kbps, quality)
        checked += 1
    assert checked == 66  # of the 84 settings: the others leave no room for LAME's tag


def toc_of(frame: bytes) -> slice:
    """Where the Xing TOC is in an Info frame."""
    start = frame.index(b"Info") + 16
    return slice(start, start + 100)


@pytest.mark.skipif(LIBMP3LAME is None, reason="libmp3lame (Debian's libmp3lame0) not installed")
def test_the_toc_is_lames_for_a_longer_stream() -> None:
    rate = 44100
    t = np.arange(rate * 10) / rate
    pcm = (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16)[:, None]
    lames, stream = lame_encode(pcm, rate, 64, LAME_QUALITY)
    frames = len(frame_starts(stream))
    padding = frames * SAMPLES_PER_FRAME - ENCODER_DELAY - len(pcm)
    first = int.from_bytes(stream[:4], "big")
    ours = info_frame(first, frames, len(stream), padding, 0, quality=LAME_QUALITY)
    toc = toc_of(ours)
    lame_toc, our_toc = np.frombuffer(lames[toc], np.uint8), np.frombuffer(ours[toc], np.uint8)
    assert np.abs(lame_toc.astype(int) - our_toc).max() <= 2  # CBR: a straight line


def eyed3_warnings(path: Path, caplog: pytest.LogCaptureFixture) -> tuple[dict, list[str]]:
    import eyed3

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="eyed3"):
        audio = eyed3.load(str(path))
    return audio.info.lame_tag, [r.getMessage() for r in caplog.records]


@pytest.fixture(scope="module")
def episode(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("lame-tag")
    meta = EpisodeMeta(title="Lesson", author="Teacher", build_key="key-1")
    return export_episode(
        lesson(chapters=4, turns=3), meta, AudioSettings(), tmp / "out", "lesson", tmp / "cache",
        clips=CLIPS,
    )  # fmt: skip


@pytest.mark.slow
def test_eyed3_and_mutagen_read_lames_tag_in_the_episode(episode, caplog) -> None:
    from mutagen.mp3 import MP3, BitrateMode

    tag, warnings = eyed3_warnings(episode.mp3, caplog)
    assert warnings == []  # before: "Lame tag CRC check failed"
    assert tag["sample_freq"] == "44.1 kHz"  # before: "<= 32 kHz"
    assert tag["encoder_delay"] == ENCODER_DELAY
    assert tag["lowpass_filter"] == 16500 and tag["ath_type"] == 4
    assert tag["bitrate"] == (64, "Constant")
    assert tag["preset"] == "CBR 64" and tag["stereo_mode"] == "Mono"
    assert tag["encoding_flags"] == ["--nspsytune"] and tag["noise_shaping"] == 0
    info = MP3(episode.mp3).info
    assert info.bitrate_mode == BitrateMode.CBR and info.sample_rate == 44100
    assert info.encoder_info == "LAME 3.100.0+" and info.encoder_settings == "-b 64"
    assert info.length == pytest.approx(episode.duration, abs=1e-9)  # delay and padding read


@pytest.mark.slow
def test_ffmpeg_checks_the_tag_and_plays_the_episode_gaplessly(episode) -> None:
    stream = ffprobe(episode.mp3)["streams"][0]
    assert stream["tags"]["encoder"] == "LAME3.100"  # ffmpeg names it only if the tag CRC holds
    assert float(stream["start_time"]) == pytest.approx((ENCODER_DELAY + DECODER_DELAY) / 44100,
                                                        abs=1e-6)  # fmt: skip
    # decoded to samples (not _probe.decodes, which discards them): every frame, none extra
    done = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(episode.mp3), "-f", "s16le", "-ac", "1", "-"],
        capture_output=True, check=True,
    )  # fmt: skip
    assert done.stderr == b""
    assert abs(len(done.stdout) // 2 - round(episode.duration * 44100)) <= 1  # delay, padding cut


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("mp3guessenc") is None, reason="mp3guessenc not installed")
def test_mp3guessenc_verifies_both_crcs(episode) -> None:
    done = subprocess.run(["mp3guessenc", "-v", "-r", str(episode.mp3)], capture_output=True,
                          text=True)  # fmt: skip
    report = done.stdout + done.stderr  # (its exit status names the encoder it guessed)
    fields = dict(re.findall(r"^\s*([A-Z][^:\n]*?)\s*:\s*(.+?)\s*$", report, re.M))
    assert fields["Tag verification"] == "passed"
    assert "Music CRC verification passed" in report, report
    assert fields["Source frequency"] == "44.1 kHz"
    assert fields["Lowpass value"] == "16500" and fields["ATH type"] == "4"
    assert fields["Preset"] == "64 kbps"
    assert fields["Encoder delay (start)"] == f"{ENCODER_DELAY} samples"
    frames = int(fields["Number of frames"])
    padding = int(fields["Encoder padding (end)"].split()[0])
    assert round(episode.duration * 44100) == frames * SAMPLES_PER_FRAME - ENCODER_DELAY - padding


def test_the_info_frame_crc_is_crc16_arc() -> None:
    frame = info_frame(0xFFFB50C4, 100, 100 * 208, 500, 0x1234, quality=LAME_QUALITY)
    lame = frame.index(b"LAME")
    assert struct.unpack(">H", frame[lame + 34 : lame + 36])[0] == crc16_arc(frame[: lame + 34])
    assert struct.unpack(">H", frame[lame + 32 : lame + 34])[0] == 0x1234  # the music CRC
    assert struct.unpack(">H", frame[190:192])[0] == crc16_arc(frame[:190])  # eyeD3's place


def test_blocks_cached_before_the_music_crc_get_it_when_reused(tmp_path: Path) -> None:
    meta = EpisodeMeta(title="Lesson", author="Teacher", build_key="key-1")

    def export(chapters):
        return export_episode(
            chapters, meta, AudioSettings(), tmp_path / "out", "lesson", tmp_path / "cache",
            clips=CLIPS,
        )  # fmt: skip

    first = export(lesson(chapters=2, turns=3))
    stored, found = music_crc(first.mp3)
    assert stored == found != 0
    indexes = sorted((tmp_path / "cache" / "blocks").glob("*.json"))
    assert len(indexes) > 1
    for index in indexes:  # as an earlier version wrote them
        entry = json.loads(index.read_text())
        del entry["crc16"]
        index.write_text(json.dumps(entry))
    again = export(lesson(chapters=2, turns=3))
    assert again.blocks_encoded == 0  # reused, not encoded again
    assert music_crc(again.mp3) == (stored, stored)
    assert all("crc16" in json.loads(index.read_text()) for index in indexes)
