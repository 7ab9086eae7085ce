"""MPEG-1 Layer III at the frame level: frame lengths, a frame counter, the LAME "Info" frame.

Blocks are encoded separately and joined frame by frame behind one Info frame, so every time in
the episode follows from frame counts: each block starts ENCODER_DELAY + DECODER_DELAY samples into
its first frame.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

import anycrc

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
    "crc16",
    "frame_length",
    "info_frame",
    "join_crc16",
    "new_encoder",
]

SAMPLES_PER_FRAME = 1152  #: MPEG-1 Layer III
ENCODER_DELAY = 576  #: LAME's fixed encoder delay
DECODER_DELAY = 529  #: what MP3 decoders add (528 + 1), as the LAME tag convention assumes
_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_RATES = (44100, 48000, 32000)
_CRC16 = anycrc.Model("CRC16-ARC")  #: polynomial 0x8005 reflected, as the LAME tag's CRCs
#: LAME's lowpass for each CBR bitrate (lame.c, optimum_bandwidth); mono gets 1.5 times as much
_LOWPASS = dict(zip(_BITRATES[1:], (5500, 7000, 7500, 10000, 11000, 13500, 15100, 15600, 17000,
                                     17500, 18600, 19400, 19700, 20500), strict=True))  # fmt: skip
_SOURCE_RATES = {32000: 0, 44100: 1, 48000: 2}  #: the tag's source rate: <= 32 kHz, 44.1, 48
#: the tag's stereo mode for the frame header's: stereo, joint stereo, dual channel, mono
_STEREO_MODES = {0: 1, 1: 3, 2: 2, 3: 0}
_EYED3_CRC = 190  #: where eyeD3 reads the tag CRC, whatever the channel mode


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
        self.crc = 0  #: CRC-16 of every byte fed (the LAME tag's music CRC of a block)
        self._buffer = b""

    def feed(self, data: bytes) -> None:
        """Account for the next bytes of the stream."""
        self.crc = crc16(data, self.crc)
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


def crc16(data: bytes, crc: int = 0) -> int:
    """CRC-16/ARC of data, carried on from crc: the LAME tag's music and tag CRCs."""
    return int(_CRC16.calc(data, crc))


def join_crc16(first: int, second: int, second_length: int) -> int:
    """The CRC-16 of two byte strings back to back, from their CRCs and the second's length."""
    return int(_CRC16.combine(first, second, second_length))


def _lame_fields(header: int, quality: int) -> dict[str, int]:
    """What LAME 3.100 writes into its tag about how it encoded a CBR stream with this frame
    header at this -q quality, as lame_init_params and its presets decide it."""
    kbps, rate = _BITRATES[(header >> 12) & 0xF], _RATES[(header >> 10) & 0x3]
    mode = (header >> 6) & 0x3  # frame header: 0 stereo, 1 joint stereo, 2 dual, 3 mono
    mono = mode == 3
    lowpass = min(_LOWPASS[kbps] * (1.5 if mono else 1.0), 20500, rate / 2)
    if quality >= 7:
        noise_shaping = 0
    else:  # the ABR/CBR presets ask for more shaping in the middle bitrates
        noise_shaping = 2 if (40 if mono else 48) <= kbps <= 160 else 1
    safe_joint = not mono and kbps >= 160
    unwise = rate <= 32000  # LAME flags a source rate of 32 kHz or less as "unwise settings"
    return {
        "lowpass": min(255, int(lowpass / 100 + 0.5)),
        # Xing's quality: 100 - 10 * VBR quality (4 unless set) - the quality LAME ran at
        "quality": 100 - 40 - (7 if quality == 8 else quality),
        "flags": (1 | 2 * safe_joint) << 4 | 4,  # nspsytune (always), safe joint; ATH type 4
        "misc": noise_shaping | _STEREO_MODES[mode] << 2 | unwise << 5 | _SOURCE_RATES[rate] << 6,
        "preset": kbps,  # a CBR or ABR encode's preset is its bitrate
    }


def info_frame(
    first_header: int,
    frames: int,
    audio_bytes: int,
    padding: int,
    music_crc: int,
    *,
    quality: int,
) -> bytes:
    """The Xing "Info" frame with the LAME tag that LAME writes in front of a CBR stream: frame
    count, bytes, TOC, encoder delay and padding, how it was encoded, music and tag CRCs.

    `music_crc` is the CRC-16 of every audio frame after it, `quality` the -q the blocks were
    encoded at (audio_io.LAME_QUALITY, which new_encoder sets). Where the stream's bitrate makes a
    frame too small for the tag (32 kb/s at 32 kHz) LAME writes none; this one then takes the
    next bitrate that fits, so players still learn the delay and padding.
    """
    mono = (first_header >> 6) & 0x3 == 3
    xing = 4 + (17 if mono else 32)
    lame = xing + 120
    index = (first_header >> 12) & 0xF
    header = first_header & ~(0xF << 12) & ~(1 << 9)  # no padding bit: a fixed length
    while frame_length(header | (index << 12)) < lame + 36:  # small bitrates: a bigger frame
        index += 1
    header |= index << 12
    length = frame_length(header)
    total = length + audio_bytes
    lame_fields = _lame_fields(first_header, quality)
    frame = bytearray(length)
    struct.pack_into(">I", frame, 0, header)
    struct.pack_into(">4sIII", frame, xing, b"Info", 0x0F, frames, total)
    frame[xing + 16 : xing + 116] = bytes(i * 256 // 100 for i in range(100))  # CBR: linear TOC
    struct.pack_into(">I", frame, xing + 116, lame_fields["quality"])
    frame[lame : lame + 9] = b"LAME3.100"
    frame[lame + 9] = 0x01  # tag revision 0, CBR
    frame[lame + 10] = lame_fields["lowpass"]
    frame[lame + 19] = lame_fields["flags"]
    frame[lame + 20] = min(255, _BITRATES[(first_header >> 12) & 0xF])
    frame[lame + 21 : lame + 24] = ((ENCODER_DELAY << 12) | padding).to_bytes(3, "big")
    frame[lame + 24] = lame_fields["misc"]
    struct.pack_into(">H", frame, lame + 26, lame_fields["preset"] & 0x7FF)
    struct.pack_into(">IH", frame, lame + 28, total, music_crc)
    struct.pack_into(">H", frame, lame + 34, crc16(bytes(frame[: lame + 34])))
    # eyeD3 checks a mono tag's CRC where a stereo one has it (bytes 190-191, over bytes 0-189)
    # and warns "Lame tag CRC check failed" on LAME's own files; there, after the tag, a mono
    # frame has only padding, so a CRC there quiets it without changing what LAME writes.
    if lame + 36 <= _EYED3_CRC and length >= _EYED3_CRC + 2:
        struct.pack_into(">H", frame, _EYED3_CRC, crc16(bytes(frame[:_EYED3_CRC])))
    return bytes(frame)


def new_encoder(settings: AudioSettings) -> lameenc.Encoder:
    """A fresh CBR encoder for one block (each block starts with its own encoder delay)."""
    return lame_encoder(
        settings.bitrate_kbps, settings.sample_rate, settings.channels, keep_rate=True
    )
