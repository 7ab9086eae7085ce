"""A content-addressed cache of synthesised clips, written atomically and verified on every read.

An entry's name is the sha256 of everything that changes its sound (see `clip_key`), never a
file time.
Each entry is one file: a magic line, a JSON header (format and a sha256 of the samples) and the
16-bit PCM samples. One file means one rename makes it appear whole; the checksum catches truncation
and bit rot, and a bad entry is reported, removed and synthesised again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import struct
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .._killpoints import killpoint
from ..audio import Audio
from ..files import atomic_writer
from ..keys import digest

log = logging.getLogger(__name__)

MAGIC = b"AUDIOLESSON-CLIP 1\n"
#: stored sample format; part of every clip key, so changing it invalidates old entries
SAMPLE_FORMAT = "pcm_s16le"
#: the folder of the cache (beside clips/) that holds sentence audio
SENTENCES_FOLDER = "sentences"
#: the names the cache gives its files (`<k[:2]>/<k>.clip`, and files.atomic_writer's temporary
#: `.<k>.clip.<random>.tmp`): prune deletes nothing else, whatever else a cache folder holds
_ENTRY = re.compile(r"(?P<key>[0-9a-f]{64})\.clip")
_TEMP = re.compile(r"\.(?P<key>[0-9a-f]{64})\.clip\.[^./]+\.tmp")
_SHARD = re.compile(r"[0-9a-f]{2}")
#: the fact a sentence keeps its engine's units under (voices.engines.base.Unit: what was said
#: when), so a turn re-timed from cached sentences needs no synthesis
UNITS_FACT = "units"


def clip_key(spoken: str, voice_key: dict[str, Any]) -> str:
    """The cache key of one turn: its spoken text, its voice (engine, version, model, settings)."""
    return digest({"text": spoken, "voice": voice_key, "format": SAMPLE_FORMAT})


def sentence_key(sentence: str, engine_key: dict[str, Any]) -> str:
    """The cache key of one sentence: the engine's form of it and the engine's settings.

    `sentence` is what Engine.sentences returned (Piper: the sentence's phonemes); `engine_key`
    is voices.render.engine_key: model hash, speaker, speed, options, engine version, and not
    the effects render applies to the whole turn afterwards.
    """
    return digest({"sentence": sentence, "engine": engine_key, "format": SAMPLE_FORMAT})


class CorruptEntry(Exception):  # noqa: N818 - internal signal, never reaches the user
    """A cache entry failed verification."""


class ClipCache:
    """Clips on disk under `root/clips/<k[:2]>/<k>.clip` (or another folder of `root`)."""

    def __init__(self, root: Path, folder: str = "clips", kind: str = "clip") -> None:
        self.root = Path(root)
        self.clips = self.root / folder
        self.kind = kind  #: what an entry is, for warnings ("clip", "sentence")

    def path(self, key: str) -> Path:
        """Where the entry for `key` lives."""
        return self.clips / key[:2] / f"{key}.clip"

    def has(self, key: str) -> bool:
        """True if an entry exists (not verified; `get` verifies)."""
        return self.path(key).is_file()

    def put(self, key: str, audio: Audio, facts: Mapping[str, Any] | None = None) -> Path:
        """Store audio under key atomically (temp file + fsync + rename).

        `facts` are small JSON values measured from this audio that never change while the entry
        lives (word timings, loudness): kept in the entry's header, read back with `facts`.
        """
        pcm = audio.to_pcm16()
        fields = {
            "format": SAMPLE_FORMAT,
            "sample_rate": int(audio.sample_rate),
            "channels": int(audio.channels),
            "frames": int(audio.frames),
            "sha256": hashlib.sha256(pcm).hexdigest(),
        }
        if facts:  # only then: entries without facts keep the header they always had
            fields["facts"] = dict(facts)
        header = json.dumps(fields, sort_keys=True).encode()
        dest = self.path(key)
        with atomic_writer(dest) as fh:
            fh.write(MAGIC)
            fh.write(struct.pack("<I", len(header)))
            fh.write(header)
            fh.write(pcm)
            killpoint("clip-writing")
        return dest

    def add_facts(self, key: str, facts: Mapping[str, Any], where: str | None = None) -> bool:
        """Merge `facts` into a stored entry (rewritten whole, atomically); False if it is gone.

        For facts measured after the clip was stored (an entry from before they were kept).
        """
        audio = self.get(key, where)
        if audio is None:
            return False
        self.put(key, audio, {**self.facts(key), **facts})
        return True

    def _read(self, key: str) -> Audio:
        """Read and verify one entry; raise CorruptEntry or OSError."""
        data = self.path(key).read_bytes()
        if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 4:
            raise CorruptEntry("not a clip file")
        (hlen,) = struct.unpack_from("<I", data, len(MAGIC))
        start = len(MAGIC) + 4
        try:
            header = json.loads(data[start : start + hlen])
        except ValueError:
            raise CorruptEntry("unreadable header") from None
        pcm = data[start + hlen :]
        if not isinstance(header, dict) or header.get("format") != SAMPLE_FORMAT:
            raise CorruptEntry("unknown format")
        channels, frames = int(header["channels"]), int(header["frames"])
        if len(pcm) != frames * channels * 2:
            raise CorruptEntry(f"truncated ({len(pcm)} of {frames * channels * 2} bytes)")
        if hashlib.sha256(pcm).hexdigest() != header["sha256"]:
            raise CorruptEntry("checksum mismatch")
        return Audio.from_pcm16(pcm, int(header["sample_rate"]), channels)

    def _header(self, key: str) -> dict[str, Any] | None:
        """An entry's JSON header alone (not verified); None if absent or unreadable."""
        try:
            with self.path(key).open("rb") as fh:
                head = fh.read(len(MAGIC) + 4)
                if not head.startswith(MAGIC) or len(head) < len(MAGIC) + 4:
                    return None
                (hlen,) = struct.unpack_from("<I", head, len(MAGIC))
                header = json.loads(fh.read(hlen))
        except (OSError, ValueError, struct.error):
            return None
        return header if isinstance(header, dict) else None

    def size(self, key: str) -> tuple[int, int] | None:
        """(frames, sample rate) of an entry from its header alone; None if absent or unreadable.

        Not verified (`get` is): for laying out a timeline before its audio is read.
        """
        header = self._header(key)
        try:
            return (int(header["frames"]), int(header["sample_rate"])) if header else None
        except (KeyError, TypeError, ValueError):
            return None

    def facts(self, key: str) -> dict[str, Any]:
        """The facts stored with an entry (see `put`); {} if it has none or is unreadable."""
        header = self._header(key)
        found = header.get("facts") if header else None
        return found if isinstance(found, dict) else {}

    def get(self, key: str, where: str | None = None) -> Audio | None:
        """The verified clip for key, or None (a corrupt entry is logged and removed).

        `where` (e.g. "scripts/intro.md:12") tells the warning which turn the clip belongs to.
        """
        try:
            return self._read(key)
        except FileNotFoundError:
            return None
        except (CorruptEntry, KeyError, TypeError, ValueError, struct.error) as exc:
            log.warning(
                "%s: cached %s %s is damaged (%s); synthesising it again",
                where or self.path(key),
                self.kind,
                key[:12],
                exc,
            )
            self.path(key).unlink(missing_ok=True)
            return None

    def verify(self, key: str, where: str | None = None) -> bool:
        """True if the entry exists and passes verification (a bad one is reported and removed)."""
        return self.get(key, where) is not None

    def _files(self) -> Iterable[tuple[Path, bool]]:
        """(path, is an entry) of every file this cache wrote: entries and temporary files in
        the shards named after their keys; nothing else in the folder is ours."""
        if not self.clips.is_dir():
            return []
        found = []
        for shard in self.clips.iterdir():
            if not _SHARD.fullmatch(shard.name) or not shard.is_dir():
                continue
            for path in shard.iterdir():
                named = _ENTRY.fullmatch(path.name) or _TEMP.fullmatch(path.name)
                if named and named["key"][:2] == shard.name:
                    found.append((path, path.name.endswith(".clip")))
        return found

    def keys(self) -> Iterable[str]:
        """Every stored key."""
        return [path.stem for path, entry in self._files() if entry]

    def prune(self, keep: set[str]) -> tuple[int, int]:
        """Remove entries not in keep and stale temp files; return (removed, bytes freed).

        Only files the cache wrote (by their names) are removed, and only shard folders it made
        that are left empty; the caller holds the cache's lock, so no build is writing."""
        removed = freed = 0
        for p, entry in self._files():
            if entry and p.stem in keep:
                continue
            try:
                size = p.stat().st_size
                p.unlink()
            except FileNotFoundError:
                continue
            removed += entry
            freed += size
        for d in self.clips.iterdir() if self.clips.is_dir() else []:
            if _SHARD.fullmatch(d.name) and d.is_dir() and not any(d.iterdir()):
                d.rmdir()
        return removed, freed


class SentenceCache:
    """Sentences' engine audio under `root/sentences/`, for engines that speak sentence by sentence.

    render keeps each sentence of a long turn here (this is its voices.render.SentenceStore), so
    an edit in a 500-word paragraph synthesises one sentence again; the turn's clip is still
    kept in `clips/`. Entries are clip files: the same format, atomic writes and verification,
    and a damaged one is reported once, removed and synthesised again.
    """

    def __init__(self, root: Path, where: str | None = None) -> None:
        self.entries = ClipCache(root, SENTENCES_FOLDER, "sentence")
        self.where = where  #: the turn being rendered ("scripts/book.md:12"), for warnings

    def load(self, sentence: str, engine_key: dict[str, Any]) -> Audio | None:
        """The sentence's verified audio, or None (missing, or damaged and removed)."""
        return self.entries.get(sentence_key(sentence, engine_key), self.where)

    def units(self, sentence: str, engine_key: dict[str, Any]) -> list[Any] | None:
        """What a timed engine said when in the sentence (fact "units"), or None if not kept."""
        found = self.entries.facts(sentence_key(sentence, engine_key)).get(UNITS_FACT)
        if not isinstance(found, list):
            return None
        try:
            return [(str(label), float(a), float(b)) for label, a, b in found]
        except (TypeError, ValueError):
            return None

    def save(
        self,
        sentence: str,
        engine_key: dict[str, Any],
        audio: Audio,
        units: list[Any] | None = None,
    ) -> Audio:
        """Store the sentence's audio (and its units); return it as `load` will (16-bit).

        Using the stored form at once makes a turn's audio the same whether its sentences were
        synthesised now or read from the cache.
        """
        facts = (
            {UNITS_FACT: [[u[0], round(u[1], 5), round(u[2], 5)] for u in units]} if units else None
        )
        self.entries.put(sentence_key(sentence, engine_key), audio, facts)
        return audio.rounded_to_pcm16()

    def keys(self) -> Iterable[str]:
        """Every stored sentence key."""
        return self.entries.keys()

    def prune(self, keep: set[str]) -> tuple[int, int]:
        """Remove sentences not in keep and stale temp files; return (removed, bytes freed)."""
        return self.entries.prune(keep)
