"""The project lock: two builds (or a build and a prune) never run at once in one project."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

from ..config import Config
from ..errors import LockError

__all__ = ["project_lock"]


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
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise LockError(
                f"another build is running in this project (pid {holder}); "
                "wait for it to finish, then run the build again",
                path=path,
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock
