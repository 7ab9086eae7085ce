"""MPEG-1 Layer III at the frame level: frame lengths, a frame counter, the LAME "Info" frame.

Blocks are encoded separately and joined frame by frame behind one Info frame, so every time in
the episode follows from frame counts: each block starts ENCODER_DELAY + DECODER_DELAY samples into
its first frame.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from ..audio_io import lame_encoder
from ..errors import BuildError

if TYPE_CHECKING:
    import lameenc

    from ..audio_settings import AudioSettings

__all__ = [
    "DECODER_DELAY",
    "ENCODER_DELAY",
    "SAMPLES_PER_FRAME",
    "FrameCounter",
    "frame_length",
    "info_frame",
    "new_encoder",
]

SAMPLES_PER_FRAME = 1152  #: MPEG-1 Layer III
ENCODER_DELAY = 576  #: LAME's fixed encoder delay
DECODER_DELAY = 529  #: what MP3 decoders add (528 + 1), as the LAME tag convention assumes
_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_RATES = (44100, 48000, 32000)


def frame_length(header: int) -> int:
    """Byte length of the MPEG-1 Layer III frame starting with this 32-bit header."""
    bitrate_index, rate_index = (header >> 12) & 0xF, (header >> 10) & 0x3
    if header >> 21 != 0x7FF or (header >> 17) & 0xF != 0b1101 or bitrate_index in (0, 15):
        raise BuildError(f"not an MPEG-1 Layer III frame header: {header:08x}")
    if rate_index == 3:
        raise BuildError(f"bad sample rate in MP3 frame header: {header:08x}")
    return 144 * _BITRATES[bitrate_index] * 1000 // _RATES[rate_index] + ((header >> 9) & 1)


class FrameCounter:
    """Counts whole MP3 frames in a byte stream as it is written, checking every header."""

    def __init__(self) -> None:
        self.frames = 0
        self.first_header: int | None = None
        self._buffer = b""

    def feed(self, data: bytes) -> None:
        """Account for the next bytes of the stream."""
        buffer, pos = self._buffer + data, 0
        while len(buffer) - pos >= 4:
            header = int.from_bytes(buffer[pos : pos + 4], "big")
            length = frame_length(header)
            if len(buffer) - pos < length:
                break
            if self.first_header is None:
                self.first_header = header
            pos += length
            self.frames += 1
        self._buffer = buffer[pos:]

    def close(self) -> None:
        """Check that the stream ended on a frame boundary."""
        if self._buffer:
            raise BuildError(f"MP3 encoder output ends with {len(self._buffer)} stray bytes")


def _crc16(data: bytes) -> int:
    """CRC-16/ARC (polynomial 0x8005, reflected), as the LAME tag uses."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def info_frame(first_header: int, frames: int, audio_bytes: int, padding: int) -> bytes:
    """A Xing "Info" frame with a LAME extension: frame count, TOC, encoder delay and padding."""
    mono = (first_header >> 6) & 0x3 == 3
    xing = 4 + (17 if mono else 32)
    needed = xing + 120 + 36
    index = (first_header >> 12) & 0xF
    header = first_header & ~(0xF << 12) & ~(1 << 9)  # no padding bit: a fixed length
    while frame_length(header | (index << 12)) < needed:  # small bitrates: a bigger info frame
        index += 1
    header |= index << 12
    length = frame_length(header)
    total = length + audio_bytes
    frame = bytearray(length)
    struct.pack_into(">I", frame, 0, header)
    struct.pack_into(">4sIII", frame, xing, b"Info", 0x0F, frames, total)
    frame[xing + 16 : xing + 116] = bytes(i * 256 // 100 for i in range(100))  # CBR: linear TOC
    lame = xing + 120
    kbps = min(255, _BITRATES[(first_header >> 12) & 0xF])
    frame[lame : lame + 9] = b"LAME3.100"
    frame[lame + 9] = 0x01  # tag revision 0, CBR
    frame[lame + 20] = kbps
    frame[lame + 21 : lame + 24] = ((ENCODER_DELAY << 12) | padding).to_bytes(3, "big")
    struct.pack_into(">I", frame, lame + 28, total)
    struct.pack_into(">H", frame, lame + 34, _crc16(bytes(frame[: lame + 34])))
    return bytes(frame)


def new_encoder(settings: AudioSettings) -> lameenc.Encoder:
    """A fresh CBR encoder for one block (each block starts with its own encoder delay)."""
    return lame_encoder(
        settings.bitrate_kbps, settings.sample_rate, settings.channels, keep_rate=True
    )
