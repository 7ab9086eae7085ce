"""Pronunciation lexicons: replace whole written words with how they should be spoken."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

__all__ = ["apply_lexicon"]


@lru_cache(maxsize=64)
def _pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    # Longest key first so "New York City" wins over "New York"; one alternation means one pass,
    # so a replacement is never itself replaced again.
    ordered = sorted(keys, key=lambda k: (-len(k), k))
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(k) for k in ordered) + r")(?!\w)")


def apply_lexicon(text: str, mapping: Mapping[str, str]) -> str:
    """Replace whole words that are keys of mapping (case-sensitive, one pass, longest first)."""
    keys = tuple(sorted(k for k in mapping if k))
    if not keys or not text:
        return text
    return _pattern(keys).sub(lambda m: mapping[m.group(0)], text)
