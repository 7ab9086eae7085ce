"""Project configuration: defaults, then `audiolesson.toml`, then CLI overrides."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .export.settings import audio_problems, default_bitrate, default_loudness
from .files import read_toml, toml_key_line
from .voices.presets import CASTS, DEFAULT_CAST

CONFIG_FILE = "audiolesson.toml"
MIRROR_SCHEMES = ("https://", "http://", "file://")  #: what `[voices] mirror` may start with
EXECUTORS = ("local", "ray")  #: where turns are synthesised (see pipeline.synth, pipeline.cluster)
#: a Ray head's address: HOST:PORT, the host a name, an IPv4 address or a bracketed IPv6 one
_ADDRESS = re.compile(r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):(?P<port>\d{1,5})")


def split_address(address: str) -> tuple[str, int] | None:
    """(host, port) of a Ray head address `HOST:PORT`, or None if it is not one."""
    found = _ADDRESS.fullmatch(address.strip())
    if found is None or not 0 < int(found["port"]) < 65536:
        return None
    return found["host"].strip("[]"), int(found["port"])


@dataclass(frozen=True)
class BuildSettings:
    """How `audiolesson build` works and what it writes."""

    output: str = "output"  #: output folder, relative to the project
    cache: str = ".audiolesson/cache"  #: cache folder, relative to the project
    jobs: int = 0  #: synthesis workers; 0 = one per CPU (of the Ray cluster with executor "ray")
    stereo: bool = False  #: stereo output (default mono: speech)
    bitrate: int = 0  #: MP3 kb/s; 0 = 64 mono / 96 stereo
    loudness: float | None = None  #: integrated loudness target, LUFS; None = -19 mono / -16 stereo
    true_peak: float = -1.0  #: true-peak ceiling, dBTP
    id3: str = "2.4"  #: ID3 version: "2.4" or "2.3"
    turn_timeout: float = 300.0  #: seconds one turn may take to synthesise before it is an error
    formats: tuple[str, ...] = ("mp3",)  #: files per episode: "mp3" (always), "m4b" (audiobook)
    executor: str = "local"  #: where turns are synthesised: "local" processes or "ray" (a cluster)
    address: str | None = None  #: the Ray head, HOST:PORT; None = the cluster this machine is in

    @property
    def channels(self) -> int:
        """1 for mono, 2 for stereo."""
        return 2 if self.stereo else 1

    @property
    def bitrate_kbps(self) -> int:
        """The MP3 bitrate in effect."""
        return self.bitrate or default_bitrate(self.channels)

    @property
    def loudness_lufs(self) -> float:
        """The loudness target in effect."""
        return self.loudness if self.loudness is not None else default_loudness(self.channels)

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
class VoicesSettings:
    """Which default cast gives speakers their voices."""

    cast: str = DEFAULT_CAST  #: "fast": Piper only; "rich": Kokoro students (audiolesson[kokoro])
    mirror: str | None = None  #: `voices install` from this mirror of the voice hosts (a URL)


@dataclass(frozen=True)
class Config:
    """Everything configurable about a project."""

    root: Path
    build: BuildSettings = field(default_factory=BuildSettings)
    feed: FeedSettings = field(default_factory=FeedSettings)
    voices: VoicesSettings = field(default_factory=VoicesSettings)

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
    "tuple[str, ...]": (list,),
}
_WANT = {
    (str,): "a string",
    (int,): "a whole number",
    _NUMBER: "a number",
    (bool,): "true or false",
    (list,): "a list of strings",
}


#: a problem and the config-file line it is about (None: not in the file)
Problem = tuple[str, int | None]


def _section_line(text: str, section: str) -> int | None:
    """The line of the `[section]` header, for error messages."""
    header = re.compile(rf"\s*\[\s*{re.escape(section)}\s*\]")
    return next((n for n, line in enumerate(text.splitlines(), 1) if header.match(line)), None)


def _check_fields(
    cls: type, table: Any, section: str, text: str, problems: list[Problem]
) -> dict[str, Any]:
    """Validate a TOML table against a settings dataclass; collect every problem."""
    where = f"[{section}]"
    if not isinstance(table, dict):
        problems.append((f"{where} must be a table", toml_key_line(text, section)))
        return {}
    known = {f.name: _TYPES[str(f.type)] for f in fields(cls)}
    clean: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        line = toml_key_line(text, key, section)
        if name not in known:
            problems.append(
                (f"{where}: unknown key {key!r}; choose one of: {', '.join(known)}", line)
            )
            continue
        types = known[name]
        wrong = isinstance(value, bool) and bool not in types or not isinstance(value, types)
        if wrong or isinstance(value, list) and not all(isinstance(v, str) for v in value):
            problems.append((f"{where}: {key!r} must be {_WANT[types]}, got {value!r}", line))
            continue
        clean[name] = (
            float(value) if types == _NUMBER else tuple(value) if types == (list,) else value
        )
    return clean


def _validate(build: BuildSettings, line: Callable[[str], int | None]) -> list[Problem]:
    """Range checks that types alone do not catch; `line(key)` finds where a key was set.

    The audio settings go through the exporter's own rule (one table of what is allowed).
    """
    problems = [
        (message, line(key))
        for key, message in audio_problems(
            bitrate=build.bitrate or None,
            loudness=build.loudness,
            true_peak=build.true_peak,
            id3=build.id3,
            channels=build.channels,
            formats=build.formats,
        )
    ]
    checks = [
        ("jobs", build.jobs < 0, f"0 (all CPUs) or more, got {build.jobs}"),
        ("turn_timeout", build.turn_timeout <= 0, f"positive, got {build.turn_timeout}"),
        (
            "executor",
            build.executor not in EXECUTORS,
            f"one of: {', '.join(EXECUTORS)}; got {build.executor!r}",
        ),
        (
            "address",
            build.address is not None and split_address(build.address) is None,
            f"the Ray head as HOST:PORT (e.g. 10.0.0.5:6379), got {build.address!r}",
        ),
    ]
    return problems + [(f"{key} must be {want}", line(key)) for key, bad, want in checks if bad]


def load_config(root: Path, **overrides: Any) -> Config:
    """Defaults, then `audiolesson.toml` in root, then non-None overrides (CLI flags)."""
    path = root / CONFIG_FILE
    data: dict[str, Any] = {}
    text = ""
    if path.is_file():
        data, text = read_toml(path, "project config", syntax="invalid TOML")
    problems: list[Problem] = []
    for section in data:
        if section not in ("build", "feed", "voices"):
            problems.append(
                (
                    f"unknown section [{section}]; choose one of: [build], [feed], [voices]",
                    _section_line(text, section) or toml_key_line(text, section),
                )
            )
    build_table = data.get("build", {})
    feed_table = data.get("feed", {})
    build = BuildSettings(**_check_fields(BuildSettings, build_table, "build", text, problems))
    feed = FeedSettings(**_check_fields(FeedSettings, feed_table, "feed", text, problems))
    voices_table = data.get("voices", {})
    voices = VoicesSettings(**_check_fields(VoicesSettings, voices_table, "voices", text, problems))
    if voices.cast not in CASTS:
        problems.append(
            (
                f"[voices] cast must be one of: {', '.join(CASTS)}; got {voices.cast!r}",
                toml_key_line(text, "cast", "voices"),
            )
        )
    if voices.mirror is not None and not voices.mirror.startswith(MIRROR_SCHEMES):
        problems.append(
            (
                f"[voices] mirror must be a URL ({', '.join(MIRROR_SCHEMES)}...); got "
                f"{voices.mirror!r}",
                toml_key_line(text, "mirror", "voices"),
            )
        )
    if overrides.get("formats") is not None:  # the CLI's repeated --format
        overrides = {**overrides, "formats": tuple(overrides["formats"])}
    build_over = {k: v for k, v in overrides.items() if v is not None and hasattr(build, k)}
    feed_over = {k: v for k, v in overrides.items() if v is not None and hasattr(feed, k)}
    build = replace(build, **build_over)
    feed = replace(feed, **feed_over)
    # a value given on the command line is not in the file: no line to point at
    problems += _validate(
        build, lambda key: None if key in build_over else toml_key_line(text, key, "build")
    )
    if "address" in build_over and build.executor != "ray":
        problems.append(("--address names a Ray cluster: add --executor ray", None))
    if problems:
        where = path if path.is_file() else None
        line = next((n for _, n in problems if n is not None), None)
        raise ConfigError("; ".join(m for m, _ in problems), path=where, line=line)
    return Config(root=root.resolve(), build=build, feed=feed, voices=voices)
