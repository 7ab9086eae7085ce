"""Locks: two builds (or a build and a prune) never run at once in one project, and a prune
never runs while any build, of any project, uses its cache folder.

The project lock is `.audiolesson/build.lock`. Projects may share one cache folder
(`cache = "/path"` with `allow_outside = true`), so the cache has its own lock in that folder,
`cache.lock`: every build holds it shared, `cache prune` exclusive. A prune refuses at once when
a build holds it; a build that finds a prune holding it waits for the prune (which takes
seconds), saying so.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

from ..config import Config
from ..errors import LockError

__all__ = ["CACHE_LOCK", "cache_lock", "project_lock"]

log = logging.getLogger(__name__)

CACHE_LOCK = "cache.lock"  #: the lock file in the cache folder (prune leaves it alone)


@contextmanager
def project_lock(config: Config) -> Iterator[None]:
    """Hold the project's build lock, or stop at once with a clear message."""
    config.state_dir.mkdir(parents=True, exist_ok=True)
    path = config.state_dir / "build.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockError(
                f"another build is running in this project (pid {_holder(fd)}); "
                "wait for it to finish, then run the build again",
                path=path,
            ) from None
        _stamp(fd)
        yield
    finally:
        os.close(fd)  # closing releases the lock


@contextmanager
def cache_lock(config: Config, *, exclusive: bool = False) -> Iterator[None]:
    """Hold the cache folder's lock: shared (a build: it waits while a prune holds it) or
    `exclusive` (`cache prune`: it stops at once while any build holds it)."""
    folder = config.cache_dir
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / CACHE_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if exclusive:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise LockError(
                    "a build is using this cache folder; run `audiolesson cache prune` again "
                    "when no build is running",
                    path=folder,
                ) from None
            _stamp(fd)  # for the message of a build that has to wait
        else:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                log.warning(
                    "waiting for `cache prune` (pid %s) to finish with %s", _holder(fd), folder
                )
                fcntl.flock(fd, fcntl.LOCK_SH)  # a prune is short; Ctrl+C still stops the wait
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _stamp(fd: int) -> None:
    """Write our pid into a lock file we hold alone (for the messages of those who wait)."""
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)


def _holder(fd: int) -> str:
    """The pid the holder of a lock file wrote into it."""
    return os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
