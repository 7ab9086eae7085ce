"""Downloading one voice file: resumed where it broke off, checked, and renamed into place whole.

The standard library's urllib does the HTTP: a download is one GET (with a Range header to
resume), redirects are followed (Hugging Face answers with one), proxies come from the
environment, and file:// URLs work for a mirror on a shared disk. Nothing here needs a
connection pool or HTTP/2, so no HTTP client joins the dependencies for it.

A file arrives as `.NAME.part` beside its target; a broken connection keeps what arrived and the
next attempt (in this run or the next) asks for the rest. Only a file whose size and checksum
match the catalogue is renamed to its name; a mismatch removes the part and is one error line.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .._version import __version__
from ..errors import DownloadError

__all__ = ["RemoteFile", "fetch", "open_url", "part_path"]

log = logging.getLogger(__name__)

TIMEOUT = 30.0  #: seconds without a byte before a connection counts as dropped
TRIES = 4  #: attempts per file in one run (each resumes where the last one stopped)
BACKOFF = 0.5  #: seconds before the second attempt, doubling after each
BLOCK = 1 << 20
#: (bytes done, bytes in all) after every block
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RemoteFile:
    """One file of a voice: where it is, where it goes, and what it must be."""

    url: str
    target: Path
    size: int
    digest: str  #: hex digest of the whole file
    algorithm: str = "sha256"  #: "sha256" or "md5" (Piper's catalogue gives md5)

    @property
    def name(self) -> str:
        """The file's name, for messages."""
        return self.target.name


def part_path(target: Path) -> Path:
    """Where a file being downloaded waits: a hidden name beside its target."""
    return target.with_name(f".{target.name}.part")


def open_url(url: str, start: int = 0, timeout: float = TIMEOUT):  # noqa: ANN201 (a response)
    """GET url (from byte `start` on); raises urllib's errors."""
    headers = {"User-Agent": f"audiolesson/{__version__}"}
    if start:
        headers["Range"] = f"bytes={start}-"
    return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)


def _digest_of(path: Path, algorithm: str) -> str:
    h = hashlib.new(algorithm)
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(BLOCK), b""):
            h.update(block)
    return h.hexdigest()


def is_whole(file: RemoteFile) -> bool:
    """Whether the target is already there with the promised size and checksum."""
    target = file.target
    if not target.is_file() or target.stat().st_size != file.size:
        return False
    return _digest_of(target, file.algorithm) == file.digest


def _attempt(file: RemoteFile, part: Path, progress: Progress | None) -> None:
    """One GET for the rest of the file, appended to the part; raises on a broken connection."""
    have = part.stat().st_size if part.is_file() else 0
    if have > file.size:  # not a prefix of this file: start again
        part.unlink()
        have = 0
    if have == file.size:
        return
    try:
        response = open_url(file.url, have)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # the server has nothing after what we have: start again
            part.unlink()
            raise ConnectionError("the server refused to resume") from exc
        raise
    with response:
        status = getattr(response, "status", None)
        if have and status != 206:  # no range support (file:// too): the whole file again
            have = 0
        with part.open("r+b" if have else "wb") as out:
            out.seek(have)
            out.truncate()
            done = have
            while True:
                block = response.read(BLOCK)
                if not block:
                    break
                if done + len(block) > file.size:
                    raise DownloadError(
                        f"{file.name} is larger than the catalogue says ({file.size:,} bytes); "
                        "the mirror or the catalogue is out of date"
                    )
                out.write(block)
                done += len(block)
                if progress is not None:
                    progress(done, file.size)
            out.flush()
            os.fsync(out.fileno())
    if done < file.size:
        raise ConnectionError(f"the connection closed after {done:,} of {file.size:,} bytes")


def fetch(file: RemoteFile, progress: Progress | None = None) -> bool:
    """Download the file into place unless it is there whole; True if anything was downloaded.

    Raises DownloadError (one line naming the file) when the server says no, the connection
    keeps breaking (what arrived is kept for the next run), or the file is not the promised one
    (then nothing is kept).
    """
    if is_whole(file):
        if progress is not None:
            progress(file.size, file.size)
        return False
    file.target.parent.mkdir(parents=True, exist_ok=True)
    part = part_path(file.target)
    wait = BACKOFF
    for attempt in range(1, TRIES + 1):
        try:
            _attempt(file, part, progress)
            break
        except DownloadError:
            part.unlink(missing_ok=True)  # not a prefix of the promised file: keep nothing
            raise
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise DownloadError(
                    f"{file.name}: not found at {file.url} (HTTP 404); is the name right, and "
                    "does the mirror hold it?"
                ) from None
            if exc.code < 500 and exc.code != 429 or attempt == TRIES:
                raise DownloadError(
                    f"{file.name}: {file.url} answered HTTP {exc.code} {exc.reason}"
                ) from None
            why = f"HTTP {exc.code}"
        except (OSError, http.client.HTTPException) as exc:  # refused, reset, timed out, cut short
            reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc
            if isinstance(exc, http.client.IncompleteRead):
                reason = "the connection closed early"
            if attempt == TRIES:
                have = part.stat().st_size if part.is_file() else 0
                raise DownloadError(
                    f"{file.name}: {reason} ({have:,} of {file.size:,} bytes kept; run the "
                    "install again to resume)"
                ) from None
            why = str(reason)
        log.info("%s: %s; trying again in %.1f s (attempt %d)", file.name, why, wait, attempt + 1)
        time.sleep(wait)
        wait *= 2
    got = _digest_of(part, file.algorithm)
    if part.stat().st_size != file.size or got != file.digest:
        part.unlink(missing_ok=True)
        raise DownloadError(
            f"{file.name}: {file.algorithm} checksum mismatch (got {got[:12]}..., the catalogue "
            f"says {file.digest[:12]}...); nothing was kept: try again or check the mirror"
        )
    os.chmod(part, 0o644)
    os.replace(part, file.target)
    return True
