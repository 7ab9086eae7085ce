"""Atomic file writes: a temporary file in the same folder, fsync, then one rename.

A reader (a podcast app, a later build) sees the old file or the new one, never a half-written one;
a failure or a kill leaves the old file in place and no stray temporary file behind.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

#: mkstemp makes files 0600; outputs and scripts are ordinary, shareable files
FILE_MODE = 0o644


@contextmanager
def atomic_writer(path: Path) -> Iterator[IO[bytes]]:
    """A binary file handle whose contents replace `path` only if the block finishes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes) -> Path:
    """Replace path's contents with data, whole or not at all."""
    with atomic_writer(path) as fh:
        fh.write(data)
    return Path(path)


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write data atomically unless path already holds exactly that (its mtime then stays)."""
    path = Path(path)
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return False
    write_atomic(path, data)
    return True


def sha256_of(*paths: Path) -> str:
    """sha256 hex over the files' bytes, in order, read in 1 MB blocks."""
    digest = hashlib.sha256()
    for path in paths:
        with Path(path).open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):  # noqa: B023 (used at once)
                digest.update(block)
    return digest.hexdigest()
