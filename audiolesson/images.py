"""Image files by their first bytes: the kinds an episode's cover may be (PNG and JPEG)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["COVER_TYPES", "HEAD_BYTES", "image_type", "read_image_type"]

#: the first bytes of each image format a cover may have, and its MIME type
COVER_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
HEAD_BYTES = max(len(magic) for magic in COVER_TYPES)  #: enough of a file to tell its type


def image_type(head: bytes) -> str | None:
    """The MIME type of an image whose bytes begin with `head` (PNG or JPEG), or None."""
    return next((mime for magic, mime in COVER_TYPES.items() if head.startswith(magic)), None)


def read_image_type(path: Path) -> str | None:
    """The MIME type of the image file at `path` from its first bytes (OSError if unreadable)."""
    with Path(path).open("rb") as fh:
        return image_type(fh.read(HEAD_BYTES))
