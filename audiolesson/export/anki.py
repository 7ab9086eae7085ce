"""Anki decks: a script's cards (question / `[your turn]` / answer) as notes, with their audio.

With "anki" in `[build] formats`, a script that has cards gets `output/<slug>.apkg` (genanki):
one note per card, its front the question's text and audio, its back the answer's text and
audio. The audio is the turns' clips from the clip cache (nothing is synthesised again),
conformed to the output format, brought to the loudness target with the voice's volume and the
true-peak ceiling like a turn in the episode, and encoded with the episode's LAME settings
(`audio_io.lame_encoder`). A media file is named after a hash of its MP3, so names never collide
in a learner's collection and an unchanged clip keeps its name.

A learner's review history lives with the note's guid (Anki matches imported notes by it) and
its deck: the guid comes from the script's slug and the question's text (and how many times
that question was asked before it in the script), never from a line number, and the deck id from
the series and the slug, so an edit elsewhere in the script, a rebuild or a new voice keeps both.
The note type's id is fixed (MODEL_ID): every audiolesson deck shares one note type.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import math
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..audio import pcm16_bytes
from ..audio_io import lame_encoder
from ..audio_settings import AudioSettings
from ..keys import digest
from .loudness import clip_loudness, db_to_gain, limit_true_peak
from .mix import CODEC_HEADROOM_DB, MAX_CLIP_GAIN_DB
from .resample import conform
from .timeline import ClipSource

__all__ = ["MODEL_ID", "Deck", "DeckNote", "make_deck", "note_audio", "write_deck"]

#: the id of audiolesson's note type in every deck (never change it: Anki keys it by this id)
MODEL_ID = 1_719_530_246
MODEL_NAME = "audiolesson card"
FIELDS = ("Question", "QuestionAudio", "Answer", "AnswerAudio")
_CSS = """.card { font-family: sans-serif; font-size: 22px; text-align: center; color: black;
  background-color: white; }
.question { margin-bottom: .5em; }
.answer { margin-top: .5em; }"""
#: the back shows the question's text but not its sound: Anki would play it again
_FRONT = '<div class="question">{{Question}}</div>{{QuestionAudio}}'
_BACK = (
    '<div class="question">{{Question}}</div><hr id="answer">'
    '<div class="answer">{{Answer}}</div>{{AnswerAudio}}'
)


@dataclass(frozen=True)
class DeckNote:
    """One card: the question and the answer, each its written text and its clip."""

    question: str
    question_clip: str  #: clip key
    answer: str
    answer_clip: str
    guid: str  #: Anki's identity of the note (see the module doc)
    question_gain: float = 0.0  #: the voices' volume, dB from the loudness target
    answer_gain: float = 0.0


@dataclass(frozen=True)
class Deck:
    """A script's deck: its name, its stable id and its notes."""

    name: str  #: "Series::Episode Title" (Anki shows "::" as a deck inside a deck)
    id: int
    description: str
    notes: tuple[DeckNote, ...]

    def fingerprint(self) -> list[object]:
        """What changes the deck file (goes into the episode key when it is written)."""
        return [self.name, self.id, self.description, [vars(n) for n in self.notes]]


def _part(text: str) -> str:
    """One part of a deck name: "::" would open another deck level."""
    return " ".join(text.replace("::", ":").split())


def make_deck(
    slug: str,
    title: str,
    series: str | None,
    episode: str | None,
    description: str | None,
    cards: Sequence[tuple[str, str, float, str, str, float]],
) -> Deck:
    """The deck of a script's cards, each (question, its clip, its gain, answer, its clip, its
    gain); named after the series and the episode, its id from the series and the slug."""
    import genanki

    name = _part(f"{episode} {title}" if episode else title)
    if series:
        name = f"{_part(series)}::{name}"
    deck_id = (1 << 30) + int(digest({"anki deck": slug, "series": series or ""})[:12], 16) % (
        1 << 30
    )
    asked: dict[str, int] = {}
    notes = []
    for question, q_clip, q_gain, answer, a_clip, a_gain in cards:
        asked[question] = asked.get(question, 0) + 1
        guid = genanki.guid_for("audiolesson", slug, question, asked[question])
        notes.append(DeckNote(question, q_clip, answer, a_clip, guid, q_gain, a_gain))
    return Deck(name, deck_id, description or "", tuple(notes))


def note_audio(key: str, gain_db: float, settings: AudioSettings, *, clips: ClipSource) -> bytes:
    """A clip as the episode plays it (format, loudness, true peak), encoded to MP3."""
    rate, channels = settings.sample_rate, settings.channels
    samples = conform(clips.load(key), rate, channels)
    loudness = clip_loudness(samples, rate)
    aim = settings.target_lufs + gain_db
    gain = min(aim - loudness, MAX_CLIP_GAIN_DB) if math.isfinite(loudness) else 0.0
    ceiling = settings.true_peak_dbtp - CODEC_HEADROOM_DB
    limited, _ = limit_true_peak(samples * db_to_gain(gain), rate, ceiling)
    encoder = lame_encoder(settings.bitrate_kbps, rate, channels, keep_rate=True)
    return bytes(encoder.encode(pcm16_bytes(limited)) + encoder.flush())


def write_deck(
    path: Path,
    deck: Deck,
    settings: AudioSettings,
    *,
    clips: ClipSource,
    timestamp: float | None = None,
) -> None:
    """Write the deck with its audio to `path` (an .apkg; the caller renames it into place).

    `timestamp` sets the notes' modification time (default: now), which tells Anki on import
    that the notes are newer than the ones a learner has, so edits reach them."""
    import genanki

    model = genanki.Model(
        MODEL_ID,
        MODEL_NAME,
        fields=[{"name": name} for name in FIELDS],
        templates=[{"name": "Card", "qfmt": _FRONT, "afmt": _BACK}],
        css=_CSS,
    )
    target = genanki.Deck(deck.id, deck.name, html.escape(deck.description))
    with tempfile.TemporaryDirectory(prefix="audiolesson-deck-") as folder:
        media: dict[str, Path] = {}  #: file name in the deck -> the MP3 here
        named: dict[tuple[str, float], str] = {}

        def sound(key: str, gain: float) -> str:
            if (key, gain) not in named:
                data = note_audio(key, gain, settings, clips=clips)
                name = f"audiolesson-{hashlib.sha256(data).hexdigest()[:24]}.mp3"
                media[name] = Path(folder) / name
                media[name].write_bytes(data)
                named[key, gain] = name
            return f"[sound:{named[key, gain]}]"

        for note in deck.notes:
            fields = [
                html.escape(note.question),
                sound(note.question_clip, note.question_gain),
                html.escape(note.answer),
                sound(note.answer_clip, note.answer_gain),
            ]
            target.add_note(genanki.Note(model=model, fields=fields, guid=note.guid))
        _package(genanki.Package(target), media, Path(folder), path, timestamp)


def _package(
    package: Any, media: dict[str, Path], folder: Path, path: Path, timestamp: float | None
) -> None:
    """The .apkg: genanki's collection database, the media map and the media files, zipped.

    genanki's own write_to_file leaves its database behind in the system's temporary folder on
    every call; this writes it in `folder` (removed by the caller) and compresses it."""
    moment = time.time() if timestamp is None else timestamp
    database = folder / "collection.anki2"
    connection = sqlite3.connect(database)
    try:
        package.write_to_db(connection.cursor(), moment, itertools.count(int(moment * 1000)))
        connection.commit()
    finally:
        connection.close()
    names = sorted(media)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        out.write(database, "collection.anki2")
        out.writestr("media", json.dumps({str(i): name for i, name in enumerate(names)}))
        for i, name in enumerate(names):
            out.write(media[name], str(i), zipfile.ZIP_STORED)  # MP3 does not compress
