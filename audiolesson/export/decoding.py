"""Sound files (cues, intros, outros, music beds): recognised by their first bytes, read by pydub.

pydub reads plain integer WAV itself and decodes everything else with ffmpeg (the system's, or the
one in the imageio-ffmpeg wheel). The ffmpeg decoder is named from the file's own header, so pydub
never asks ffprobe (which imageio-ffmpeg does not ship) what the file is.
"""

from __future__ import annotations

import logging
import os
import struct
from pathlib import Path

from ..audio import Audio
from ..files import open_regular
from .resample import conform
from .segments import audio_segment, to_float

__all__ = [
    "MAX_SOUND_SECONDS",
    "SOUND_DECODER",
    "SOUND_FORMATS",
    "SoundFileError",
    "decode_sound",
    "sound_format",
]

log = logging.getLogger(__name__)

SOUND_FORMATS = "WAV, MP3, OGG or FLAC"
MAX_SOUND_SECONDS = 600  #: a longer sound file is refused (a music bed loops: it need not be long)
MAX_SOUND_BYTES = 200 * 1024 * 1024
SOUND_DECODER = "pydub-ffmpeg-1"  #: part of a decoded sound's cache key: bump when decoding changes
_HEAD_BYTES = 4096

#: WAV format tags and sample sizes that need ffmpeg (pydub reads integer PCM itself)
_WAV_CODECS = {(3, 32): "pcm_f32le", (3, 64): "pcm_f64le", (6, 8): "pcm_alaw", (7, 8): "pcm_mulaw"}


class SoundFileError(Exception):
    """Why a sound file cannot be used (a phrase; the caller adds the path and line)."""


def _wav_codec(head: bytes) -> tuple[str, str | None] | None:
    """('wav', ffmpeg decoder or None for pydub's own reader) from a RIFF/WAVE header."""
    pos = 12
    while pos + 8 <= len(head):
        chunk, size = head[pos : pos + 4], struct.unpack_from("<I", head, pos + 4)[0]
        if chunk == b"fmt " and pos + 24 <= len(head):
            tag, _, _, _, _, bits = struct.unpack_from("<HHIIHH", head, pos + 8)
            if tag == 0xFFFE and pos + 34 <= len(head):  # WAVE_FORMAT_EXTENSIBLE: the real tag
                tag = struct.unpack_from("<H", head, pos + 32)[0]
            if tag == 1 and bits in (8, 16, 24, 32):
                return "wav", None
            codec = _WAV_CODECS.get((tag, bits))
            return ("wav", codec) if codec else None
        pos += 8 + size + (size & 1)
    return None


def sound_format(head: bytes) -> tuple[str, str | None] | None:
    """(container, ffmpeg decoder) for a file starting with `head`; None if not a known format."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return _wav_codec(head)
    if head[:4] == b"fLaC":
        return "flac", "flac"
    if head[:4] == b"OggS":
        for marker, codec in ((b"\x01vorbis", "vorbis"), (b"OpusHead", "opus"), (b"FLAC", "flac")):
            if marker in head[:512]:
                return "ogg", codec
        return None
    if head[:3] == b"ID3":
        return "mp3", "mp3"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE6 == 0xE2:  # MPEG audio, layer III
        return "mp3", "mp3"
    return None


def decode_sound(path: Path, rate: int, channels: int) -> Audio:
    """The file's audio at `rate` and `channels`; SoundFileError says why it cannot be used."""
    try:
        with open_regular(path) as fh:
            size = os.fstat(fh.fileno()).st_size
            head = fh.read(_HEAD_BYTES)
    except OSError as exc:
        raise SoundFileError(f"cannot be read ({exc.strerror or exc})") from None
    if size > MAX_SOUND_BYTES:
        limit = MAX_SOUND_BYTES // 2**20
        raise SoundFileError(f"is {size / 1e6:.0f} MB, over the {limit} MB limit")
    kind = sound_format(head)
    if kind is None:
        raise SoundFileError(f"is not a {SOUND_FORMATS} file (or not an encoding pydub reads)")
    container, codec = kind
    AudioSegment = audio_segment()  # noqa: N806 - pydub's class
    try:
        if codec is None:  # integer PCM WAV: pydub's own reader
            segment = AudioSegment.from_file(str(path), format="wav")
        else:
            # A file object and no "wav" format: pydub would hand a float WAV (by its name or
            # format) to its integer reader, which misreads WAVE_FORMAT_EXTENSIBLE floats. ffmpeg
            # finds the container itself. The output options make it resample, mix, and stop
            # after the longest sound allowed.
            with path.open("rb") as fh:
                segment = AudioSegment.from_file(
                    fh,
                    format=None if container == "wav" else container,
                    codec=codec,
                    parameters=["-ar", str(rate), "-ac", str(channels)]
                    + ["-t", str(MAX_SOUND_SECONDS + 1)],
                )
    except Exception as exc:  # pydub raises many kinds (its own, OSError, struct, index errors)
        log.debug("decoding %s failed: %s", path, exc)
        raise SoundFileError(f"cannot be decoded as {container.upper()} audio") from None
    audio = Audio(to_float(segment), segment.frame_rate)
    if audio.frames == 0:
        raise SoundFileError("holds no audio")
    if audio.duration > MAX_SOUND_SECONDS:
        raise SoundFileError(
            f"is longer than {MAX_SOUND_SECONDS // 60} minutes; cut it (a music bed loops)"
        )
    if audio.sample_rate != rate or audio.channels != channels:
        audio = Audio(conform(audio, rate, channels), rate)
    return audio
