"""Content hashes of large files (voice models), remembered between runs by each file's stamp.

Hashing the 60 MB default Piper model takes ~0.2 s, which every nothing-changed rebuild would
pay, and a rewritten (seeded) model is named after the content it came from, so that copies of
one model share one rewrite. Entries are keyed by the files' paths, sizes, inodes, mtimes and
ctimes: any write to a file changes its ctime, so a stale hash is never reused. What callers get
is always the content hash; the memo only saves reading the bytes again.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from .files import sha256_of, write_atomic
from .keys import digest
from .paths import user_cache_dir

__all__ = ["MEMO_ENTRIES", "hash_memo", "remembered_sha256"]

log = logging.getLogger(__name__)

MEMO_ENTRIES = 2000  #: hashes kept; the oldest go first (test copies of models come and go)


def hash_memo() -> Path:
    """Where the hashes are remembered: `file-hashes.json` in our user cache folder."""
    return user_cache_dir() / "file-hashes.json"


def _stamp(paths: tuple[Path, ...]) -> list[list[Any]]:
    """What identifies the files' current content without reading it."""
    stamps = []
    for p in paths:
        st = Path(p).stat()
        stamps.append(
            [str(Path(p).resolve()), st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns]
        )
    return stamps


def _read() -> dict[str, Any]:
    """The remembered hashes; empty when missing or unreadable (then they are computed again)."""
    try:
        memo = json.loads(hash_memo().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return memo if isinstance(memo, dict) else {}


def _write(memo: dict[str, Any]) -> None:
    """Save the hashes atomically; a read-only home only costs the next run a re-hash."""
    path = hash_memo()
    try:
        write_atomic(path, json.dumps(dict(list(memo.items())[-MEMO_ENTRIES:])).encode("utf-8"))
    except OSError as exc:
        log.debug("cannot remember file hashes in %s: %s", path, exc)


def remembered_sha256(*paths: Path) -> str:
    """sha256 hex over the files' bytes in order (files.sha256_of), read only when they changed."""
    stamp = _stamp(tuple(paths))
    name = digest([str(Path(p).resolve()) for p in paths], 32)
    memo = _read()
    entry = memo.get(name)
    if isinstance(entry, dict) and entry.get("stamp") == stamp and entry.get("sha256"):
        return str(entry["sha256"])
    found = sha256_of(*paths)
    memo.pop(name, None)  # re-inserted last: the newest entries are the ones kept
    memo[name] = {"stamp": stamp, "sha256": found}
    _write(memo)
    return found
