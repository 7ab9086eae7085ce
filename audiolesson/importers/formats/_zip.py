"""Zip archives (EPUB, DOCX) opened with limits: a zip bomb or an encrypted member is refused.

Python's zipfile returns at most the size a member's central-directory entry declares (and
checks its CRC), so bounding the declared sizes bounds what reading the members can take.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from ...errors import ScriptError

__all__ = ["MAX_MEMBER_BYTES", "Archive"]

MAX_MEMBERS = 10_000  #: a book has a few hundred files at most
MAX_MEMBER_BYTES = 64 * 1024 * 1024  #: one chapter, stylesheet or image
MAX_TOTAL_BYTES = 512 * 1024 * 1024  #: everything in the archive, uncompressed
#: members this much larger than their compressed bytes (and over 1 MB) are a zip bomb: text
#: and XML compress 3 to 30 times, a bomb hundreds or thousands of times
MAX_RATIO = 200
_RATIO_FLOOR = 1024 * 1024
#: what reading a member raises when the archive is truncated or corrupt
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError)


class Archive:
    """A zip archive whose members are read whole, each within MAX_MEMBER_BYTES."""

    def __init__(self, path: Path, kind: str) -> None:
        self.path = path
        self.kind = kind
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
            raise ScriptError(
                f"is not a valid {kind}: its zip archive is truncated or damaged ({exc}); "
                "export or download it again",
                path=path,
            ) from None
        infos = self.zip.infolist()
        if len(infos) > MAX_MEMBERS:
            self._refuse(f"holds {len(infos)} files (more than {MAX_MEMBERS})")
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise ScriptError(
                    f"is encrypted ({info.filename} needs a password); save an unencrypted copy",
                    path=path,
                )
            if info.file_size > MAX_MEMBER_BYTES or (
                info.file_size > _RATIO_FLOOR
                and info.file_size > MAX_RATIO * max(info.compress_size, 1)
            ):
                self._refuse(
                    f"{info.filename} unpacks to {info.file_size / 1e6:.0f} MB from "
                    f"{info.compress_size / 1e6:.2f} MB"
                )
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            self._refuse(f"it unpacks to {total / 1e6:.0f} MB")
        self.members = {info.filename: info for info in infos}

    def _refuse(self, why: str) -> None:
        self.zip.close()
        raise ScriptError(
            f"refused as a zip bomb: {why}; a {self.kind} that large is not a book",
            path=self.path,
        )

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zip.close()

    def _damaged(self, name: str, exc: Exception) -> ScriptError:
        """The one-line error for a member that does not read back whole."""
        return ScriptError(
            f"{name} inside this {self.kind} is damaged ({exc}); the file is truncated or "
            "corrupt: export or download it again",
            path=self.path,
        )

    def head(self, name: str, size: int) -> bytes:
        """The first `size` bytes of a member (for checks that need only its start)."""
        try:
            with self.zip.open(self.members[name]) as fh:
                return fh.read(size)
        except DAMAGED as exc:
            raise self._damaged(name, exc) from None

    def read(self, name: str) -> bytes:
        """A member's bytes (CRC-checked); a damaged member is a ScriptError naming it."""
        info = self.members.get(name)
        if info is None:
            raise ScriptError(
                f"is not a valid {self.kind}: {name} is missing from it", path=self.path
            )
        try:
            with self.zip.open(info) as fh:
                return fh.read(MAX_MEMBER_BYTES + 1)
        except DAMAGED as exc:
            raise self._damaged(name, exc) from None
