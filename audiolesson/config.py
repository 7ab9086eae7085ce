"""Project configuration: defaults, then `audiolesson.toml`, then CLI overrides."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError

CONFIG_FILE = "audiolesson.toml"
MP3_BITRATES = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 256, 320)


@dataclass(frozen=True)
class BuildSettings:
    """How `audiolesson build` works and what it writes."""

    output: str = "output"  #: output folder, relative to the project
    cache: str = ".audiolesson/cache"  #: cache folder, relative to the project
    jobs: int = 0  #: worker processes for synthesis; 0 = number of CPUs
    stereo: bool = False  #: stereo output (default mono: speech)
    bitrate: int = 0  #: MP3 kb/s; 0 = 64 mono / 96 stereo
    loudness: float | None = None  #: integrated loudness target, LUFS; None = -19 mono / -16 stereo
    true_peak: float = -1.0  #: true-peak ceiling, dBTP
    id3: str = "2.4"  #: ID3 version: "2.4" or "2.3"
    turn_timeout: float = 300.0  #: seconds one turn may take to synthesise before it is an error

    @property
    def channels(self) -> int:
        """1 for mono, 2 for stereo."""
        return 2 if self.stereo else 1

    @property
    def bitrate_kbps(self) -> int:
        """The MP3 bitrate in effect."""
        return self.bitrate or (96 if self.stereo else 64)

    @property
    def loudness_lufs(self) -> float:
        """The loudness target in effect."""
        if self.loudness is not None:
            return self.loudness
        return -16.0 if self.stereo else -19.0

    @property
    def workers(self) -> int:
        """The number of synthesis workers in effect."""
        return self.jobs or (os.cpu_count() or 1)


@dataclass(frozen=True)
class FeedSettings:
    """The podcast channel: where episodes are published and how the show presents itself."""

    base_url: str | None = None  #: public URL of the output folder; enables the feed
    title: str | None = None  #: channel title; default: the first script's series
    description: str | None = None  #: channel description
    author: str | None = None  #: channel author
    language: str | None = None  #: channel language; default: the first script's language
    image: str | None = None  #: channel cover image, relative to the project
    category: str = "Education"  #: iTunes category
    explicit: bool = False  #: iTunes explicit flag


@dataclass(frozen=True)
class Config:
    """Everything configurable about a project."""

    root: Path
    build: BuildSettings = field(default_factory=BuildSettings)
    feed: FeedSettings = field(default_factory=FeedSettings)

    @property
    def output_dir(self) -> Path:
        """Absolute output folder."""
        return (self.root / self.build.output).resolve()

    @property
    def cache_dir(self) -> Path:
        """Absolute cache folder."""
        return (self.root / self.build.cache).resolve()

    @property
    def state_dir(self) -> Path:
        """Project-local state (locks, chapter encodes): `.audiolesson/` next to the scripts."""
        return (self.root / ".audiolesson").resolve()


_NUMBER = (int, float)
#: the TOML type each setting takes, by its annotation
_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "str | None": (str,),
    "int": (int,),
    "float": _NUMBER,
    "float | None": _NUMBER,
    "bool": (bool,),
}
_WANT = {
    (str,): "a string",
    (int,): "a whole number",
    _NUMBER: "a number",
    (bool,): "true or false",
}


def _check_fields(cls: type, table: Any, where: str, problems: list[str]) -> dict[str, Any]:
    """Validate a TOML table against a settings dataclass; collect every problem."""
    if not isinstance(table, dict):
        problems.append(f"{where} must be a table")
        return {}
    known = {f.name: _TYPES[str(f.type)] for f in fields(cls)}
    clean: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in known:
            problems.append(f"{where}: unknown key {key!r}; choose one of: {', '.join(known)}")
            continue
        types = known[name]
        if isinstance(value, bool) and bool not in types or not isinstance(value, types):
            problems.append(f"{where}: {key!r} must be {_WANT[types]}, got {value!r}")
            continue
        clean[name] = float(value) if types == _NUMBER else value
    return clean


def _validate(build: BuildSettings, problems: list[str]) -> None:
    """Range checks that types alone do not catch."""
    if build.id3 not in ("2.3", "2.4"):
        problems.append(f"id3 must be '2.3' or '2.4', got {build.id3!r}")
    if build.jobs < 0:
        problems.append(f"jobs must be 0 (all CPUs) or more, got {build.jobs}")
    if build.bitrate and build.bitrate not in MP3_BITRATES:
        problems.append(f"bitrate must be one of {MP3_BITRATES} kb/s, got {build.bitrate}")
    if build.loudness is not None and not -40 <= build.loudness <= -5:
        problems.append(f"loudness must be between -40 and -5 LUFS, got {build.loudness}")
    if not -9 <= build.true_peak <= 0:
        problems.append(f"true_peak must be between -9 and 0 dBTP, got {build.true_peak}")
    if build.turn_timeout <= 0:
        problems.append(f"turn_timeout must be positive, got {build.turn_timeout}")


def load_config(root: Path, **overrides: Any) -> Config:
    """Defaults, then `audiolesson.toml` in root, then non-None overrides (CLI flags)."""
    path = root / CONFIG_FILE
    data: dict[str, Any] = {}
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"invalid TOML: {exc}", path=path) from None
    problems: list[str] = []
    for section in data:
        if section not in ("build", "feed"):
            problems.append(f"unknown section [{section}]; choose one of: [build], [feed]")
    build_table = data.get("build", {})
    feed_table = data.get("feed", {})
    build = BuildSettings(**_check_fields(BuildSettings, build_table, "[build]", problems))
    feed = FeedSettings(**_check_fields(FeedSettings, feed_table, "[feed]", problems))
    build_over = {k: v for k, v in overrides.items() if v is not None and hasattr(build, k)}
    feed_over = {k: v for k, v in overrides.items() if v is not None and hasattr(feed, k)}
    build = replace(build, **build_over)
    feed = replace(feed, **feed_over)
    _validate(build, problems)
    if problems:
        where = path if path.is_file() else None
        raise ConfigError("; ".join(problems), path=where)
    return Config(root=root.resolve(), build=build, feed=feed)
