"""`audiolesson voices --preview`: every usable voice saying one sentence, on one page.

Writes output/voices.html (self-contained: inline style, no script, no outside resources) and one
MP3 per voice in output/voices/, named by a hash of the sentence and the voice's cache key, so a
second preview renders only voices that changed and a voice's file is whole or absent.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..audio import Audio
from ..audio_io import write_mp3
from ..errors import AudiolessonError
from ..files import write_atomic
from ..keys import spaced_digest
from .engines.base import Voice, available_engines, engine_class, get_engine
from .listing import VoiceInfo, describe_voice, engine_status, list_voices
from .render import gain, render, voice_key

if TYPE_CHECKING:
    from ..config import Config

__all__ = ["PAGE", "SENTENCE", "PreviewEntry", "render_samples", "write_preview"]

log = logging.getLogger(__name__)

SENTENCE = "Hello! This is how I sound when I read your lessons. Shall we begin?"
PAGE = "voices.html"
FOLDER = "voices"
MAX_ENGINE_VOICES = 12  #: of one engine's own voices (espeak-ng has over a hundred)
LEVEL_DBFS = -20.0  #: every sample is brought to this RMS, so voices are compared at one loudness


@dataclass(frozen=True)
class PreviewEntry:
    """One voice on the page: where its sample is, or why it has none."""

    name: str
    engine: str
    settings: str
    source: str
    file: str | None  #: path relative to the page, or None
    note: str = ""


def _engine_voices(engine: str) -> tuple[list[Voice], int]:
    """An engine's own English voices as Voices (at most MAX_ENGINE_VOICES), and their count."""
    # Lessons are English: a system's Afrikaans or Amharic voice reading them helps nobody.
    found = [
        ev
        for ev in get_engine(engine).voices()
        if ev.language is None or ev.language.lower().replace("_", "-").startswith("en")
    ]
    voices = []
    for ev in found[:MAX_ENGINE_VOICES]:
        model, speaker = ev.id, ev.details.get("speaker")
        if speaker is not None and "#" in model:  # a multi-speaker Piper model: path#id
            model = model.rsplit("#", 1)[0]
        is_file = model.endswith(".onnx")  # a model file: its name, not its path, names it
        name = ev.name if is_file else ev.id
        voices.append(Voice(name, engine=engine, model=model, speaker=speaker, source="engine"))
    return voices, len(found)


def _candidates(config: Config, engine: str | None) -> list[tuple[Voice | None, VoiceInfo]]:
    """(the Voice to render, or None if unusable; its listing row) for every voice to show.

    The cast's presets and the project's voices/ first (what a script can name), then each usable
    offline engine's own voices (what a voice file can name); online engines are never previewed.
    """
    found: list[tuple[Voice | None, VoiceInfo]] = []
    for row in list_voices(config.root, config.voices.cast):
        if row.source == "engine" or row.name == "*":
            continue  # engines' own voices come below
        broken = row.voice is None  # a voice file with an error: shown whatever the engine
        if broken or engine is None or row.engine == engine:
            found.append((row.voice if row.usable else None, row))
    status: dict[str, str] = {}
    for name in [engine] if engine else available_engines():
        if engine_status(name, status) or engine_class(name).online:
            continue
        voices, total = _engine_voices(name)
        more = f"; {total - len(voices)} more: audiolesson voices" if total > len(voices) else ""
        for voice in voices:
            found.append((voice, VoiceInfo(voice.name, name, "engine", True, f"own voice{more}")))
    return found


def _level(audio: Audio) -> Audio:
    """The audio at LEVEL_DBFS RMS over its louder half (pauses do not count), peaks kept < 1."""
    import numpy as np

    samples = audio.samples
    frame = max(1, audio.sample_rate // 50)
    usable = samples.reshape(-1)[: samples.size // frame * frame].reshape(-1, frame)
    if not usable.size:
        return audio
    rms = np.sqrt((usable**2).mean(axis=1))
    active = rms[rms >= np.median(rms)]
    level = float(np.sqrt((active**2).mean())) if active.size else 0.0
    if level <= 0:
        return audio
    gain = 10 ** (LEVEL_DBFS / 20) / level
    peak = float(np.abs(samples).max()) * gain
    if peak > 0.98:
        gain *= 0.98 / peak
    return Audio((samples * gain).astype(np.float32), audio.sample_rate)


def _sample_name(voice: Voice, sentence: str) -> str:
    """The sample's file name: the voice's name plus a hash of sentence and voice key."""
    digest = spaced_digest({"text": sentence, "voice": voice_key(voice)}, 16)
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in voice.name)[:40]
    return f"{safe}-{digest}.mp3"


def render_samples(
    config: Config, sentence: str = SENTENCE, engine: str | None = None
) -> list[PreviewEntry]:
    """Render every usable voice's sample into output/voices/ (unchanged ones are kept)."""
    folder = config.output_dir / FOLDER
    entries = []
    kept: set[str] = set()
    for voice, row in _candidates(config, engine):
        if voice is None:
            entries.append(PreviewEntry(row.name, row.engine, "", row.source, None, row.reason))
            continue
        settings = describe_voice(voice)
        try:
            name = _sample_name(voice, sentence)
            if not (folder / name).is_file():
                write_mp3(folder / name, gain(_level(render(sentence, voice)), voice.volume))
        except AudiolessonError as exc:  # one broken voice must not hide the others
            entries.append(
                PreviewEntry(voice.name, voice.engine, settings, row.source, None, str(exc))
            )
            continue
        kept.add(name)
        note = "" if row.reason == settings else row.reason
        entries.append(
            PreviewEntry(voice.name, voice.engine, settings, row.source, f"{FOLDER}/{name}", note)
        )
    for stale in folder.glob("*.mp3") if folder.is_dir() else []:
        if stale.name not in kept:  # samples of voices or sentences no longer shown
            stale.unlink(missing_ok=True)
    return entries


def page(entries: list[PreviewEntry], sentence: str, cast: str) -> str:
    """The preview page's HTML."""
    e = html.escape
    rows = []
    for entry in entries:
        player = (
            f'<audio controls preload="metadata" src="{e(entry.file)}"></audio>'
            if entry.file
            else f'<span class="off">not usable here: {e(entry.note)}</span>'
        )
        note = f'<div class="note">{e(entry.note)}</div>' if entry.file and entry.note else ""
        rows.append(
            f'<tr><th scope="row">{e(entry.name)}</th><td>{e(entry.engine)}</td>'
            f"<td>{e(entry.settings)}{note}</td><td>{e(entry.source)}</td><td>{player}</td></tr>"
        )
    playable = sum(1 for entry in entries if entry.file)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Voices</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; margin: 1rem; color: #1d1d1f; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #ddd; }}
audio {{ width: 16rem; max-width: 100%; }}
.off, .note {{ color: #6e6e73; font-size: .9em; }}
@media (max-width: 640px) {{ td:nth-child(4), th.source {{ display: none; }} }}
</style></head><body>
<h1>Voices</h1>
<p>{playable} voices say: <q>{e(sentence)}</q> (default cast: <b>{e(cast)}</b>; set it with
<code>[voices] cast</code> in audiolesson.toml). Name a voice in a script's <code>cast:</code>;
<code>student-N</code> works for any N.</p>
<table><thead><tr><th>voice</th><th>engine</th><th>settings</th><th class="source">from</th>
<th>listen</th></tr></thead><tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""


def write_preview(config: Config, sentence: str = SENTENCE, engine: str | None = None) -> Path:
    """Render the samples and write output/voices.html; returns the page's path."""
    entries = render_samples(config, sentence, engine)
    path = config.output_dir / PAGE
    write_atomic(path, page(entries, sentence, config.voices.cast).encode("utf-8"))
    return path
