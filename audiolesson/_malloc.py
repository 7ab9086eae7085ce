"""The C allocator's arenas, capped for the whole process (glibc only).

glibc gives each thread that allocates under contention an arena of its own, up to eight per
core, and an arena keeps what it freed. Mixing two blocks on two threads (each turn copied
between int16 and float32 several times) so left the 10-hour book's build holding about 45 MB
more than two arenas do, at no measured cost in speed (BENCHMARKS.md, issue 27). Elsewhere
(musl, macOS, Windows) this does nothing.
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["MAX_ARENAS", "limit_arenas"]

MAX_ARENAS = 2
_M_ARENA_MAX = -8  #: mallopt's parameter number for the arena cap (glibc's malloc.h)


def limit_arenas(count: int = MAX_ARENAS) -> bool:
    """Cap the process's malloc arenas at `count` (before threads start, ideally); whether the
    C library took the setting."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_ARENA_MAX, count))
