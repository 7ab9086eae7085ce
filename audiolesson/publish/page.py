"""The listening page `output/index.html`: players, chapters, follow-along transcript, download.

The transcript follows the word: each turn's words (from the VTT's cue timestamps) are spans
with their start times, grouped in sentences; the page's script marks the word being said and
its sentence, keeps them in view, and plays from a sentence that is tapped.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
from dataclasses import fields
from importlib.resources import files
from pathlib import Path
from urllib.parse import quote

from ..config import SiteSettings
from ..export.sidecars import read_chapter_starts, read_transcript
from ..export.timeline import Cue, Word
from ..files import sha256_of, write_if_changed
from ..speech import sentence_starts
from .catalog import EpisodeInfo, channel_for, clean_text, write_covers
from .feed import FEED_FILE

log = logging.getLogger(__name__)

PAGE_FILE = "index.html"
_MARKER = re.compile(r"\{\{(\w+)\}\}")


def format_clock(seconds: float) -> str:
    """M:SS or H:MM:SS, as a player shows time."""
    total = max(0, int(seconds))
    hours, minutes, secs = total // 3600, total % 3600 // 60, total % 60
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _size(num_bytes: int) -> str:
    """A file size for people: 25 KB, 3.4 MB, 12 MB."""
    if num_bytes < 1_000_000:
        return f"{max(1, round(num_bytes / 1000))} KB"
    mb = num_bytes / 1_000_000
    return f"{mb:.1f} MB" if mb < 10 else f"{mb:.0f} MB"


def _e(text: str | None) -> str:
    """Escape text for HTML content and attribute values."""
    return html.escape(clean_text(text), quote=True)


def _href(path: Path) -> str:
    """A relative link to a file in output/ (works from file:// and from any server)."""
    return _e(quote(path.name))


def _render_episode(index: int, ep: EpisodeInfo) -> tuple[str, dict]:
    """One episode's HTML and its timing data (for the follow-along script)."""
    marks = read_chapter_starts(ep.chapters) if ep.chapters else []
    cues = read_transcript(ep.transcript) if ep.transcript else []
    title_id = f"title-{index}"
    meta = " · ".join(
        part
        for part in (
            _e(ep.series),
            f"Episode {_e(ep.episode)}" if ep.episode else "",
            format_clock(ep.duration),
        )
        if part
    )
    out = [
        f'<article class="episode" id="{_e(ep.slug)}" data-index="{index}"'
        f' aria-labelledby="{title_id}">'
    ]
    out.append('<header class="episode-head">')
    if ep.cover is not None:
        out.append(f'<img class="cover" src="{_href(ep.cover)}" alt="" width="88" height="88">')
    out.append(f'<div><p class="meta">{meta}</p><h2 id="{title_id}">{_e(ep.title)}</h2>')
    if ep.subtitle:
        out.append(f'<p class="subtitle">{_e(ep.subtitle)}</p>')
    out.append("</div></header>")
    if ep.description:
        out.append(f'<p class="description">{_e(ep.description)}</p>')
    out.append(
        f'<audio controls preload="metadata" src="{_href(ep.audio)}"'
        f' aria-label="Player: {_e(ep.title)}"></audio>'
    )
    links = [
        f'<a href="{_href(ep.audio)}" download>Download MP3</a>'
        f' <span class="size">({_size(ep.size)})</span>'
    ]
    if ep.m4b is not None:
        links.append(
            f'<a href="{_href(ep.m4b)}" download>Download M4B (audiobook)</a>'
            f' <span class="size">({_size(ep.m4b_size)})</span>'
        )
    if ep.epub is not None:
        links.append(f'<a href="{_href(ep.epub)}" download>Read-along book (EPUB)</a>')
    if ep.transcript:
        links.append(f'<a href="{_href(ep.transcript)}" download>Transcript (WebVTT)</a>')
    links += _deck_link(ep)
    out.append(f'<p class="links">{" · ".join(links)}</p>')
    if marks:
        out.append(f'<nav class="chapters" aria-label="Chapters: {_e(ep.title)}">')
        out.append("<h3>Chapters</h3><ol>")
        for mark in marks:
            out.append(
                f'<li><button type="button" data-start="{mark.start:.3f}">'
                f'<span class="time">{format_clock(mark.start)}</span> '
                f'<span class="chapter-title">{_e(mark.title)}</span></button></li>'
            )
        out.append("</ol></nav>")
    if cues:
        out.append(f'<section class="transcript" aria-label="Transcript: {_e(ep.title)}">')
        out.append('<h3>Transcript</h3><ol class="turns" tabindex="0">')
        out.extend(_transcript_item(cue) for cue in cues)
        out.append("</ol></section>")
    out.append("</article>")
    data = {
        "slug": ep.slug,
        "chapters": [round(m.start, 3) for m in marks],
        "cues": [[round(c.start, 3), round(c.end, 3)] for c in cues],
    }
    return "\n".join(out), data


def _deck_link(ep: EpisodeInfo) -> list[str]:
    """The download link of the episode's Anki deck, if it has one."""
    if ep.deck is None:
        return []
    return [f'<a href="{_href(ep.deck)}" download>Flash cards (Anki deck)</a>']


def _transcript_item(cue: Cue) -> str:
    """One line of the transcript: a turn, or a practice gap (`[your turn]`), marked as such."""
    speaker = f'<span class="speaker">{_e(cue.speaker)}</span> ' if cue.speaker else ""
    kind = "turn practice" if cue.practice else "turn"
    return (
        f'<li class="{kind}"><button type="button" class="seek" data-start="{cue.start:.3f}"'
        f' aria-label="Play from {format_clock(cue.start)}">'
        f"{format_clock(cue.start)}</button> {speaker}"
        f'<span class="words">{_words_html(cue)}</span></li>'
    )


def _words_html(cue: Cue) -> str:
    """A turn's text as sentences of timed words (a tap on a sentence plays it), or as plain
    text when its words have no times (a practice gap, an older VTT)."""
    if not cue.words:
        return _e(cue.text)
    starts = sentence_starts([w.text for w in cue.words]) + [len(cue.words)]
    sentences = []
    for a, b in zip(starts, starts[1:], strict=False):
        words = " ".join(_word_html(w) for w in cue.words[a:b])
        sentences.append(
            f'<span class="sentence" data-start="{cue.words[a].start:.3f}">{words}</span>'
        )
    return " ".join(sentences)


def _word_html(word: Word) -> str:
    """One timed word."""
    return f'<span class="word" data-t="{word.start:.3f}">{_e(word.text)}</span>'


def _json_for_script(data: object) -> str:
    """JSON that cannot end or break out of a <script> element."""
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_page(site: SiteSettings, episodes: list[EpisodeInfo]) -> str:
    """The whole listening page: self-contained HTML (inline CSS and JS, no external requests)."""
    channel = channel_for(site, episodes)
    parts, data = [], []
    for index, ep in enumerate(episodes):
        body, timing = _render_episode(index, ep)
        parts.append(body)
        data.append(timing)
    if not parts:
        parts.append('<p class="empty">No episodes yet: run <code>audiolesson build</code>.</p>')
    has_feed = bool(site.feed.base_url) or (site.output_dir / FEED_FILE).is_file()
    byline = f'<p class="author">{_e(channel.author)}</p>' if channel.author else ""
    same = channel.description == channel.title
    cover = ""
    if channel.image is not None:
        cover = (
            f'<img class="show-cover" src="{_href(channel.image)}" alt="" width="88" height="88">'
        )
    values = {
        "lang": _e(channel.language or "en"),
        "title": _e(channel.title),
        "description": "" if same else f"<p>{_e(channel.description)}</p>",
        "byline": byline,
        "cover": cover,
        "feed_hidden": "" if has_feed else " hidden",
        "episodes": "\n".join(parts),
        "data": _json_for_script(data),
    }
    template = files(__package__).joinpath("templates/page.html").read_text(encoding="utf-8")
    # One pass, so text inserted for one marker is never scanned for another.
    return _MARKER.sub(lambda m: values[m.group(1)], template)


def write_page(site: SiteSettings, episodes: list[EpisodeInfo]) -> Path:
    """Write output/index.html (and the covers it shows) atomically; return its path.

    The page carries a digest of what it was made from (`inputs_stamp`): when that is what it
    would be made from now, it is left as it is, unread files and all (rendering a 10-hour
    book's page reads its whole transcript: half a second on every rebuild)."""
    write_covers(site, episodes)
    path = site.output_dir / PAGE_FILE
    stamp = inputs_stamp(site, episodes)
    if _stamp_of(path) == stamp:
        log.debug("%s is up to date", path)
        return path
    text = render_page(site, episodes).replace(
        _GENERATOR, f'{_GENERATOR}\n<meta name="audiolesson-inputs" content="{stamp}">', 1
    )
    write_if_changed(path, text.encode("utf-8"))
    log.info("wrote %s (%d episodes)", path, len(episodes))
    return path


_GENERATOR = '<meta name="generator" content="audiolesson">'
_STAMP = re.compile(rb'<meta name="audiolesson-inputs" content="([0-9a-f]{64})">')


def inputs_stamp(site: SiteSettings, episodes: list[EpisodeInfo]) -> str:
    """A digest of everything the page shows: this package's version, template and page code,
    the feed settings and formats, each episode as read (its tags; files by name), its cover,
    and the contents of the files the page reads (the transcript and the chapters). It names no
    folder and no file time, so the same project gives the same page anywhere."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        ours = version("audiolesson")
    except PackageNotFoundError:
        ours = "?"
    digest = hashlib.sha256()
    template = files(__package__).joinpath("templates/page.html").read_bytes()
    digest.update(f"{ours}\n{site.feed!r}\n{site.formats!r}\n".encode())
    digest.update(hashlib.sha256(template).digest())
    digest.update(hashlib.sha256(Path(__file__).read_bytes()).digest())
    digest.update(f"feed:{(site.output_dir / FEED_FILE).is_file()}\n".encode())
    if site.feed.image:
        digest.update(_contents(site.root / str(site.feed.image)))
    for ep in episodes:
        for item in fields(ep):
            value = getattr(ep, item.name)
            if item.name == "cover_data":
                value = hashlib.sha256(value).hexdigest() if value is not None else None
            elif isinstance(value, Path):
                value = value.name
            digest.update(f"{item.name}={value!r}\n".encode())
        for read in (ep.transcript, ep.chapters):
            digest.update(_contents(read) if read is not None else b"-")
    return digest.hexdigest()


def _contents(path: Path) -> bytes:
    """The digest of a file's bytes (a few ms for a 10-hour book's transcript), or that it is
    gone."""
    try:
        return sha256_of(path).encode("ascii")
    except OSError:
        return b"none"


def _stamp_of(page: Path) -> str | None:
    """The inputs digest an existing page was made from, or None."""
    try:
        with page.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None
    found = _STAMP.search(head)
    return found[1].decode("ascii") if found else None
