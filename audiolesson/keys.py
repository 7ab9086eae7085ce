"""Content keys: the sha256 of a value's JSON, the one way every cache key and content hash is made.

`digest` is the canonical form (sorted keys, no whitespace, UTF-8) that clip, sentence, sound,
chapter and episode keys use. `spaced_digest` is json.dumps's default layout with sorted keys,
which block keys, AAC tags, lexicon digests, spoken-form memo keys and voice-preview file names
were made with before there was one helper: it stays so that every cache entry and output made
by an earlier version keeps its key. New keys use `digest`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

__all__ = ["digest", "spaced_digest"]


def digest(value: Any, size: int = 64) -> str:
    """sha256 hex of a JSON-serialisable value in canonical form (sorted keys, no whitespace,
    non-ASCII kept as UTF-8, anything else JSON lacks as its str), cut to `size` hex digits."""
    blob = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:size]


def spaced_digest(value: Any, size: int = 64, *, ascii_only: bool = True) -> str:
    """sha256 hex of `json.dumps(value, sort_keys=True)` (", " and ": " between items; with
    `ascii_only` False non-ASCII kept as UTF-8), cut to `size` hex digits: the older keys' form."""
    blob = json.dumps(value, sort_keys=True, ensure_ascii=ascii_only)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:size]
