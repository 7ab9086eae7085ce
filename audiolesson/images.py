"""Image files: the kinds a cover may be (PNG and JPEG), told by their first bytes, and the one
check that a cover or a feed image is a whole image of that kind.

`image_problem` walks the file's structure as a decoder does, without an imaging library: a
PNG's chunks (each CRC, the IHDR header, the zlib stream of its image data inflated to the size
the header promises, IEND), a JPEG's segments (frame header, quantisation tables, scans and the
entropy-coded data between markers, up to EOI). A file that only starts like an image (a PNG
signature and then garbage) is refused; the pixels themselves are not reconstructed.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

from .files import NOT_REGULAR, NotRegularFile, open_regular

__all__ = [
    "COVER_TYPES",
    "EXTENSIONS",
    "HEAD_BYTES",
    "MAX_IMAGE_BYTES",
    "MAX_PIXELS",
    "ImageError",
    "image_problem",
    "image_type",
    "load_image",
    "read_image_type",
]

#: the first bytes of each image format a cover may have, and its MIME type
COVER_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
HEAD_BYTES = max(len(magic) for magic in COVER_TYPES)  #: enough of a file to tell its type
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg"}  #: the extension each type is named with
MAX_IMAGE_BYTES = 10 * 1024 * 1024  #: a cover larger than this is refused (players want < 1 MB)
MAX_PIXELS = 50_000_000  #: width x height; a podcast cover is at most 3000 x 3000

_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  #: colour type -> samples per pixel
_PNG_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
#: Adam7 passes: first column, first row, column step, row step
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
          (0, 1, 1, 2))  # fmt: skip
_INFLATE_STEP = 1 << 20  #: bytes of image data inflated at a time (memory stays small)
#: JPEG start-of-frame markers (C4 is DHT, C8 is reserved, CC is DAC)
_JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


class ImageError(Exception):  # noqa: N818 - a reason; callers raise their own error with it
    """Why a file cannot be a cover: the end of a sentence "cover 'x' ..."."""


def image_type(head: bytes) -> str | None:
    """The MIME type of an image whose bytes begin with `head` (PNG or JPEG), or None."""
    return next((mime for magic, mime in COVER_TYPES.items() if head.startswith(magic)), None)


def read_image_type(path: Path) -> str | None:
    """The MIME type of the image file at `path` from its first bytes (OSError if unreadable)."""
    with Path(path).open("rb") as fh:
        return image_type(fh.read(HEAD_BYTES))


def image_problem(data: bytes) -> str | None:
    """Why `data` is not a whole PNG or JPEG image (the end of "cover 'x' ..."), or None."""
    kind = image_type(data)
    if kind is None:
        return "is not a PNG or JPEG image"
    if len(data) > MAX_IMAGE_BYTES:
        return (
            f"is {len(data) / 1e6:.0f} MB, over the {MAX_IMAGE_BYTES // 2**20} MB an image may be"
        )
    why = _png_problem(data) if kind == "image/png" else _jpeg_problem(data)
    if why is None:
        return None
    return f"is a damaged {kind.split('/')[1].upper()} image ({why}); export it again"


def load_image(path: Path) -> tuple[str, bytes]:
    """(MIME type, bytes) of the whole PNG or JPEG image at `path`; ImageError says why it is
    not one (a FIFO or device is not; OSError if it cannot be read)."""
    try:
        with open_regular(path) as fh:
            if os.fstat(fh.fileno()).st_size > MAX_IMAGE_BYTES:
                raise ImageError(f"is over the {MAX_IMAGE_BYTES // 2**20} MB an image may be")
            data = fh.read()
    except NotRegularFile:
        raise ImageError(NOT_REGULAR) from None
    why = image_problem(data)
    if why is not None:
        raise ImageError(why)
    return image_type(data) or "", data


def _pixels(width: int, height: int) -> str | None:
    """Why an image of this size is refused, or None."""
    if width == 0 or height == 0:
        return f"it is {width} x {height} pixels"
    if width * height > MAX_PIXELS:
        return f"it is {width} x {height} pixels, over {MAX_PIXELS // 1_000_000} million"
    return None


def _png_data_size(width: int, height: int, bits: int, interlaced: bool) -> int:
    """Bytes of filtered scanlines a PNG of this size holds (each row: a filter byte + pixels)."""
    passes = _ADAM7 if interlaced else ((0, 0, 1, 1),)
    total = 0
    for x0, y0, dx, dy in passes:
        columns, rows = -(-(width - x0) // dx), -(-(height - y0) // dy)
        if columns > 0 and rows > 0:
            total += rows * (1 + -(-(columns * bits) // 8))
    return total


def _png_problem(data: bytes) -> str | None:
    """Why a file with the PNG signature is not a whole PNG, or None."""
    pos, expected, inflated = 8, 0, 0
    inflater = zlib.decompressobj()
    colour, palette, image_data, after_data = 0, False, False, False
    while True:
        if pos + 12 > len(data):
            return "it ends before its IEND chunk"
        length, kind = struct.unpack_from(">I4s", data, pos)
        if length > 0x7FFFFFFF or pos + 12 + length > len(data):
            return "it ends inside a chunk"
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack_from(">I", data, pos + 8 + length)
        if not kind.isalpha():
            return "a chunk has no valid type"
        if zlib.crc32(kind + body) != crc:
            return f"its {kind.decode('ascii')} chunk fails its checksum"
        name = kind.decode("ascii")
        if pos == 8:
            if name != "IHDR" or length != 13:
                return "it does not start with an IHDR header"
            width, height, depth, colour, method, filtering, interlace = struct.unpack(
                ">IIBBBBB", body
            )
            why = _pixels(width, height)
            if why is not None:
                return why
            if depth not in _PNG_DEPTHS.get(colour, ()) or method or filtering or interlace > 1:
                return "its IHDR header is invalid"
            bits = depth * _PNG_CHANNELS[colour]
            expected = _png_data_size(width, height, bits, interlace == 1)
        elif name == "IDAT":
            if after_data:
                return "its image data is split by other chunks"
            image_data = True
            try:
                chunk = inflater.decompress(body, _INFLATE_STEP)
                inflated += len(chunk)
                while inflater.unconsumed_tail and inflated <= expected:
                    chunk = inflater.decompress(inflater.unconsumed_tail, _INFLATE_STEP)
                    inflated += len(chunk)
            except zlib.error:
                return "its image data does not inflate"
            if inflated > expected:
                return "it holds more image data than its size"
        else:
            after_data = after_data or image_data
            palette = palette or name == "PLTE"
            if name == "IEND":
                break
        pos += 12 + length
    if not image_data:
        return "it has no image data"
    if colour == 3 and not palette:
        return "it has no palette"
    if not inflater.eof or inflated != expected:
        return "its image data is cut short"
    return None


def _jpeg_problem(data: bytes) -> str | None:
    """Why a file with the JPEG signature is not a whole JPEG, or None."""
    pos, frame, tables, scans = 2, False, False, 0
    while True:
        if pos >= len(data):
            return "it ends before its end marker"
        if data[pos] != 0xFF:
            return "bytes where a marker should be"
        while pos < len(data) and data[pos] == 0xFF:  # fill bytes before a marker
            pos += 1
        if pos >= len(data):
            return "it ends before its end marker"
        marker = data[pos]
        pos += 1
        if marker == 0xD9:  # EOI
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # restart markers, TEM: no length
            continue
        if marker in (0x00, 0xD8):
            return f"an unexpected marker FF{marker:02X}"
        if pos + 2 > len(data):
            return "it ends inside a segment"
        (length,) = struct.unpack_from(">H", data, pos)
        if length < 2 or pos + length > len(data):
            return "it ends inside a segment"
        segment = data[pos + 2 : pos + length]
        pos += length
        if marker in _JPEG_FRAMES:
            if len(segment) < 6:
                return "its frame header is cut short"
            _, height, width, components = struct.unpack_from(">BHHB", segment)
            why = _pixels(width, height)
            if why is not None:
                return why
            if not 1 <= components <= 4 or len(segment) != 6 + 3 * components:
                return "its frame header is invalid"
            frame = True
        elif marker == 0xDB:
            tables = True
        elif marker == 0xDA:  # a scan: its entropy-coded data runs to the next real marker
            if not frame or not tables:
                return "a scan comes before the frame header and tables"
            if not segment or not 1 <= segment[0] <= 4 or len(segment) != 4 + 2 * segment[0]:
                return "its scan header is invalid"
            scans += 1
            while True:
                found = data.find(b"\xff", pos)
                if found < 0 or found + 1 >= len(data):
                    return "it ends inside its image data"
                following = data[found + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:  # a stuffed FF, a restart
                    pos = found + 2
                    continue
                pos = found
                break
    if not frame or not scans:
        return "it has no image data"
    return None
