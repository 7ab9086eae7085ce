"""Covers and feed images: a whole PNG or JPEG passes, one that only starts like it does not.

The good images are made by ffmpeg's own encoders (an independent writer); the bad ones are
those images cut short, with a byte changed, or a signature followed by garbage (issue 24,
item 13).
"""

from __future__ import annotations

import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from audiolesson.images import image_problem

FORMATS = ["rgb24", "rgba", "gray", "pal8", "gray16be", "rgb48be", "monob", "ya8"]


def ffmpeg(tmp_path: Path, name: str, *options: str) -> bytes:
    """One frame of ffmpeg's test pattern, encoded by ffmpeg into `name`."""
    import imageio_ffmpeg

    out = tmp_path / name
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi",
         "-i", "testsrc=s=37x23", "-frames:v", "1", *options, str(out)],
        check=True,
    )  # fmt: skip
    return out.read_bytes()


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("images")
    made = {f"{f}.png": ffmpeg(folder, f"{f}.png", "-pix_fmt", f) for f in FORMATS}
    made["baseline.jpg"] = ffmpeg(folder, "baseline.jpg")
    made["fine.jpg"] = ffmpeg(folder, "fine.jpg", "-q:v", "1")
    made["restarts.jpg"] = ffmpeg(folder, "restarts.jpg", "-huffman", "0")
    return made


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(header: bytes, rows: bytes) -> bytes:
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_whole_images_pass(images: dict[str, bytes]) -> None:
    assert {name: image_problem(data) for name, data in images.items()} == dict.fromkeys(images)


def test_an_interlaced_png_passes() -> None:
    """3 x 3 grey, Adam7: passes 1, 4 and 5 are one row of 1, 1 and 2 pixels, pass 6 two rows
    of 1, pass 7 one row of 3 (passes 2 and 3 are empty): 9 pixels, each row a filter byte."""
    rows = b"\0\x10" + b"\0\x20" + b"\0\x30\x31" + b"\0\x40\0\x41" + b"\0\x50\x51\x52"
    header = struct.pack(">IIBBBBB", 3, 3, 8, 0, 0, 0, 1)
    assert image_problem(png(header, rows)) is None
    assert "cut short" in str(image_problem(png(header, rows[:-1])))


@pytest.mark.parametrize("name", ["rgb24.png", "pal8.png", "baseline.jpg"])
def test_a_cut_image_is_refused(images: dict[str, bytes], name: str) -> None:
    data = images[name]
    for end in (len(data) - 1, len(data) // 2, 40, 12):
        why = image_problem(data[:end])
        assert why is not None and why.startswith("is a damaged "), (end, why)


@pytest.mark.parametrize("name", ["rgb24.png", "gray.png", "baseline.jpg"])
def test_a_signature_and_garbage_is_refused(images: dict[str, bytes], name: str) -> None:
    data = images[name]
    signature = 8 if name.endswith(".png") else 3
    garbage = data[:signature] + bytes(range(256)) * (len(data) // 256 + 1)
    assert str(image_problem(garbage)).startswith("is a damaged ")


def test_a_changed_byte_in_a_png_fails_its_checksum(images: dict[str, bytes]) -> None:
    data = bytearray(images["rgba.png"])
    data[len(data) // 2] ^= 0x55
    assert "fails its checksum" in str(image_problem(bytes(data)))


def test_what_is_no_image_at_all() -> None:
    assert image_problem(b"GIF89a....") == "is not a PNG or JPEG image"
    assert image_problem(b"") == "is not a PNG or JPEG image"


def test_a_huge_image_is_refused_before_it_is_inflated() -> None:
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    assert "over 50 million" in str(image_problem(png(header, b"\0" * 10)))
