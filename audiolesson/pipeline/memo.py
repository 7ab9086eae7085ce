"""The spoken-form memo: spoken forms from earlier builds, kept in the cache folder."""

from __future__ import annotations

import json
from pathlib import Path

from ..files import write_atomic

__all__ = ["SpokenMemo"]


class SpokenMemo(dict[str, str]):
    """Spoken forms from earlier builds (root/spoken.json), keyed as voices.cast keys them.

    The key holds the text, language, lexicon, phoneme dialect and rules version, so a stale
    entry can never be used; an unreadable file is simply started afresh.
    """

    LIMIT = 200_000  #: entries kept; the oldest go first (a 10-hour book has about 6,000 turns)

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / "spoken.json"
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded = {}
        ok = isinstance(loaded, dict) and all(isinstance(v, str) for v in loaded.values())
        super().__init__(loaded if ok else {})
        self._saved = len(self)

    def save(self) -> None:
        """Write the memo if this build added to it."""
        if len(self) == self._saved:
            return
        items = list(self.items())[-self.LIMIT :]
        blob = json.dumps(dict(items), ensure_ascii=False, separators=(",", ":"))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, blob.encode("utf-8"))
        self._saved = len(self)
