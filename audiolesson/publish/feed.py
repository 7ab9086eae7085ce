"""The podcast feed `output/feed.xml`: RSS 2.0 with the iTunes and Podcasting 2.0 namespaces."""

from __future__ import annotations

import logging
import re
import uuid
import xml.etree.ElementTree as ET
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from ..config import SiteSettings
from ..errors import ConfigError
from ..files import write_if_changed
from .catalog import EpisodeInfo, channel_for, clean_text, write_covers

__all__ = ["FEED_FILE", "normalize_base_url", "render_feed", "write_feed"]

log = logging.getLogger(__name__)

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ATOM_NS = "http://www.w3.org/2005/Atom"
#: Podcasting 2.0 namespace for channel GUIDs (uuid5 of the feed URL without its scheme)
PODCAST_GUID_NS = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")

FEED_FILE = "feed.xml"

for _prefix, _uri in (("itunes", ITUNES_NS), ("podcast", PODCAST_NS), ("atom", ATOM_NS)):
    ET.register_namespace(_prefix, _uri)


def normalize_base_url(base_url: str | None) -> str:
    """Check a public base URL (http/https) and make it end with one slash."""
    if not base_url or not base_url.strip():
        raise ConfigError(
            "no base URL for the feed; pass --base-url https://example.org/lessons/ or set "
            "base_url in the [feed] section of audiolesson.toml"
        )
    url = base_url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"base URL {url!r} must be an http:// or https:// address, "
            "e.g. https://example.org/lessons/"
        )
    # Spaces and other unsafe characters get percent-encoded; existing %XX escapes stay as they are.
    return quote(url.rstrip("/"), safe=":/?#[]@!$&'()*+,;=%~") + "/"


def file_url(base_url: str, path: Path) -> str:
    """Public URL of a file in output/: base URL + URL-quoted file name."""
    return base_url + quote(path.name)


def format_duration(seconds: float) -> str:
    """H:MM:SS (itunes:duration)."""
    total = max(0, round(seconds))
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def episode_numbers(episode: str | None) -> tuple[int | None, int | None]:
    """(season, episode) for iTunes: "7" -> (None, 7); "15.1" -> (15, 1); else (None, None).

    A course numbers its lessons by chapter and section, so "15.1" is the first episode of
    season 15; podcast:episode shows the number as written ("15.1") through its display.
    """
    text = (episode or "").strip()
    if m := re.fullmatch(r"0*(\d+)", text):
        return None, int(m.group(1))
    if m := re.fullmatch(r"0*(\d+)\.0*(\d+)", text):
        return int(m.group(1)), int(m.group(2))
    return None, None


def _add(parent: ET.Element, tag: str, text: str | None = None, /, **attrs: str) -> ET.Element:
    """Append a child element with cleaned text and attributes."""
    child = ET.SubElement(parent, tag, {k: clean_text(v) for k, v in attrs.items()})
    if text is not None:
        child.text = clean_text(text)
    return child


def render_feed(site: SiteSettings, episodes: list[EpisodeInfo], base_url: str) -> bytes:
    """The RSS 2.0 document (iTunes + Podcasting 2.0 namespaces) as UTF-8 bytes."""
    base = normalize_base_url(base_url)
    channel = channel_for(site, episodes)
    it, pc = f"{{{ITUNES_NS}}}", f"{{{PODCAST_NS}}}"
    rss = ET.Element("rss", {"version": "2.0"})
    ch = ET.SubElement(rss, "channel")
    feed_url = base + FEED_FILE
    _add(ch, "title", channel.title)
    _add(ch, "link", base)
    _add(ch, "description", channel.description)
    _add(ch, f"{{{ATOM_NS}}}link", href=feed_url, rel="self", type="application/rss+xml")
    if channel.language:
        _add(ch, "language", channel.language)
    _add(ch, "generator", "audiolesson")
    if episodes:
        _add(ch, "lastBuildDate", format_datetime(max(ep.published for ep in episodes)))
    if channel.author:
        _add(ch, it + "author", channel.author)
    if channel.image is not None:
        image_url = file_url(base, channel.image)
        _add(ch, it + "image", href=image_url)
        image = _add(ch, "image")
        _add(image, "url", image_url)
        _add(image, "title", channel.title)
        _add(image, "link", base)
    main, _, sub = (part.strip() for part in channel.category.partition(">"))
    category = _add(ch, it + "category", None, text=main)
    if sub:  # "Education > Language Learning": an iTunes sub-category
        _add(category, it + "category", None, text=sub)
    _add(ch, it + "explicit", "true" if channel.explicit else "false")
    _add(ch, it + "type", "serial")  # lessons are meant to be heard in order
    feed_id = re.sub(r"^[a-z]+://", "", feed_url).rstrip("/")
    _add(ch, pc + "guid", str(uuid.uuid5(PODCAST_GUID_NS, feed_id)))
    for ep in episodes:
        _add_item(ch, ep, base)
    ET.indent(rss)
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True) + b"\n"


def _add_item(ch: ET.Element, ep: EpisodeInfo, base: str) -> None:
    """One <item> per episode."""
    it, pc = f"{{{ITUNES_NS}}}", f"{{{PODCAST_NS}}}"
    item = ET.SubElement(ch, "item")
    _add(item, "title", ep.title)
    _add(item, "link", base + "index.html#" + quote(ep.slug))
    _add(item, "description", ep.description or ep.subtitle or ep.title)
    _add(item, "enclosure", url=file_url(base, ep.audio), length=str(ep.size), type="audio/mpeg")
    if ep.m4b is not None:  # the audiobook file: players that know the namespace offer it
        alternate = _add(
            item, pc + "alternateEnclosure", type="audio/mp4", length=str(ep.m4b_size),
            title="Audiobook (M4B)",
        )  # fmt: skip
        _add(alternate, pc + "source", uri=file_url(base, ep.m4b))
    _add(item, "guid", ep.guid, isPermaLink="false")
    _add(item, "pubDate", format_datetime(ep.published))
    if ep.author:
        _add(item, it + "author", ep.author)
    if ep.subtitle:
        _add(item, it + "subtitle", ep.subtitle)
    _add(item, it + "duration", format_duration(ep.duration))
    season, number = episode_numbers(ep.episode)
    if season is not None:
        _add(item, it + "season", str(season))
        _add(item, pc + "season", str(season))
    if number is not None:
        _add(item, it + "episode", str(number))
        # The value must be a number that sorts like ours ("1.10" after "1.2"), so it is the
        # iTunes episode number; the display attribute keeps the number as written.
        display = (ep.episode or "").strip()  # a number came from it, so it is there
        _add(item, pc + "episode", str(number), display=display)
    _add(item, it + "episodeType", "full")
    if ep.cover is not None:
        _add(item, it + "image", href=file_url(base, ep.cover))
    if ep.chapters is not None:
        chapters_url = file_url(base, ep.chapters)
        _add(item, pc + "chapters", url=chapters_url, type="application/json+chapters")
    if ep.transcript is not None:
        attrs = {"url": file_url(base, ep.transcript), "type": "text/vtt", "rel": "captions"}
        if ep.language:
            attrs["language"] = ep.language
        _add(item, pc + "transcript", **attrs)
    if ep.words is not None:  # every word with its time and speaker (Podcasting 2.0 JSON)
        attrs = {"url": file_url(base, ep.words), "type": "application/json"}
        if ep.language:
            attrs["language"] = ep.language
        _add(item, pc + "transcript", **attrs)


def write_feed(site: SiteSettings, episodes: list[EpisodeInfo], base_url: str) -> Path:
    """Write output/feed.xml (and the covers it points to) atomically; return its path."""
    data = render_feed(site, episodes, base_url)
    write_covers(site, episodes)
    path = site.output_dir / FEED_FILE
    write_if_changed(path, data)
    log.info("wrote %s (%d episodes)", path, len(episodes))
    return path
