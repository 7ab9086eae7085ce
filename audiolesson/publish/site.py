"""Publishing: the listening page always, the podcast feed when a base URL is known."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..config import SiteSettings
from ..errors import BuildError, os_errors_as
from ..script.model import Script
from .catalog import EpisodeInfo, collect_episodes
from .feed import normalize_base_url, write_feed
from .page import write_page

__all__ = ["publish"]

log = logging.getLogger(__name__)


def publish(
    site: SiteSettings,
    *,
    parsed: Sequence[Script] = (),
    read: Mapping[Path, EpisodeInfo] | None = None,
    require_feed: bool = False,
) -> list[Path]:
    """Write output/feed.xml (when [feed] base_url is set) and output/index.html; their paths.

    `parsed` are scripts the caller has already parsed, `read` episodes it has read and left as
    they were (a build has both: see `catalog.collect_episodes`). `require_feed` (the `feed`
    command) makes a missing base URL or an empty output/ an error; after a build nothing built
    simply means nothing to publish. A file that cannot be read or written is a BuildError
    naming it (or output/).
    """
    out = site.output_dir
    with os_errors_as(BuildError, "could not publish the feed and listening page", out):
        return _publish(site, parsed, read, require_feed)


def _publish(
    site: SiteSettings,
    parsed: Sequence[Script],
    read: Mapping[Path, EpisodeInfo] | None,
    require_feed: bool,
) -> list[Path]:
    """`publish`, with OSError left as it is."""
    base_url = None
    if require_feed or site.feed.base_url:
        base_url = normalize_base_url(site.feed.base_url)  # fail before writing anything
    out = site.output_dir
    episodes = collect_episodes(site, parsed, read) if out.is_dir() else []
    if not episodes:
        if require_feed:
            raise BuildError(
                f"no built episodes in {site.output_dir} (scripts/*.md with an MP3 in output/); "
                "run `audiolesson build` first"
            )
        return []
    written = [] if base_url is None else [write_feed(site, episodes, base_url)]
    written.append(write_page(site, episodes))
    log.debug("published %s", ", ".join(str(p) for p in written))
    return written
