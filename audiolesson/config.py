"""Project configuration: defaults, then `audiolesson.toml`, then CLI overrides, in one pass.

Each setting is declared once, as an option (see `options`) beside its field: its type, default,
range and doc (which `audiolesson new` writes into audiolesson.toml). Values are read into their
types here and nowhere else (`address` becomes an Address); every problem is collected and
reported in one error. This module imports no stage package: what it shares with a stage lives
below both (audio_settings, choices, options).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .audio_settings import (
    BITRATE,
    FORMATS,
    ID3,
    LOUDNESS,
    TRUE_PEAK,
    AudioSettings,
    default_bitrate,
    default_loudness,
)
from .choices import CASTS, DEFAULT_CAST, DEFAULT_EXECUTOR, EXECUTOR_NAMES
from .errors import ConfigError
from .files import read_toml, toml_key_line
from .options import (
    Address,
    AddressSetting,
    Choice,
    Flag,
    LanguageCode,
    Number,
    OutOfRange,
    PathSetting,
    Text,
    Url,
    Whole,
    WrongType,
    option_of,
    setting,
)

__all__ = [
    "CONFIG_FILE",
    "BuildSettings",
    "Config",
    "FeedSettings",
    "Overrides",
    "SiteSettings",
    "VoicesSettings",
    "load_config",
]

CONFIG_FILE = "audiolesson.toml"


@dataclass(frozen=True)
class BuildSettings:
    """How `audiolesson build` works and what it writes."""

    output: str = setting(
        PathSetting(
            "output",
            "output folder, relative to the project",
            folder=True,
            use="it would be served, and builds write into it",
            may_leave=True,
        )
    )
    cache: str = setting(
        PathSetting(
            ".audiolesson/cache",
            "cache folder, relative to the project",
            folder=True,
            use="builds write into it and `cache prune` deletes files in it",
            may_leave=True,
        )
    )
    jobs: int = setting(
        Whole(
            0,
            'synthesis workers; 0 = one per CPU (of the Ray cluster with executor "ray")',
            minimum=0,
            must="0 (all CPUs) or more, got {value}",
        )
    )
    stereo: bool = setting(Flag(False, "stereo output (default mono: speech)"))
    bitrate: int = setting(BITRATE)
    loudness: float | None = setting(LOUDNESS)
    true_peak: float = setting(TRUE_PEAK)
    id3: str = setting(ID3)
    turn_timeout: float = setting(
        Number(
            300.0, "seconds one turn may take to synthesise before it is an error", positive=True
        )
    )
    formats: tuple[str, ...] = setting(FORMATS)
    executor: str = setting(
        Choice(
            EXECUTOR_NAMES,
            DEFAULT_EXECUTOR,
            'where turns are synthesised: "local" processes or "ray" (a cluster)',
            must="one of: {listed}; got {value!r}",
        )
    )
    address: Address | None = setting(
        AddressSetting(
            None,
            "the Ray head, HOST:PORT; None = the cluster this machine is in",
            example="10.0.0.5:6379",
        )
    )
    practice_gaps: bool = setting(
        Flag(True, "a practice gap at each [your turn]; false: the same episodes, no gaps")
    )
    allow_outside: bool = setting(
        Flag(False, "let output and cache be absolute paths outside the project (a shared cache)")
    )

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
        """The number of local workers in effect: jobs (0: one per CPU), at most one per CPU."""
        cpus = os.cpu_count() or 1
        return min(self.jobs or cpus, cpus)


@dataclass(frozen=True)
class FeedSettings:
    """The podcast channel: where episodes are published and how the show presents itself."""

    base_url: str | None = setting(
        Text(
            None,
            "public URL of the output folder; enables the feed",
            example="https://example.org/lessons/",
        )
    )
    title: str | None = setting(
        Text(None, "channel title; default: the first script's series", example="My First Course")
    )
    description: str | None = setting(
        Text(None, "channel description", example="Short lessons you can listen to anywhere.")
    )
    author: str | None = setting(Text(None, "channel author", example="Your Name"))
    language: str | None = setting(
        Text(None, "channel language; default: the first script's language", example="en")
    )
    image: str | None = setting(
        PathSetting(
            None,
            "channel cover image (PNG or JPEG), in the project",
            example="cover.png",
            image=True,
        )  # fmt: skip
    )
    category: str = setting(Text("Education", "iTunes category"))
    explicit: bool = setting(Flag(False, "iTunes explicit flag"))


@dataclass(frozen=True)
class VoicesSettings:
    """The default cast, whose English the voices read, and where voices are installed from."""

    cast: str = setting(
        Choice(
            CASTS,
            DEFAULT_CAST,
            '"fast": Piper only; "rich": Kokoro students (audiolesson[kokoro])',
            must="one of: {listed}; got {value!r}",
        )
    )
    language: str | None = setting(
        LanguageCode(
            None,
            'how numbers, dates and units are read ("en-US", "en-GB", "en-IN"); None = the '
            "script's language if it names a region, else each voice's region",
            example="en-GB",
        )
    )
    mirror: str | None = setting(
        Url(
            None,
            "`voices install` from this mirror of the voice hosts (laid out like upstream)",
            schemes=("https://", "http://", "file://"),  # what voices.download opens
            example="https://mirror.example.org/voices/",
        )
    )


#: the sections of audiolesson.toml, and how their range problems begin (as they always have)
SECTIONS: dict[str, tuple[type, str]] = {
    "build": (BuildSettings, ""),
    "feed": (FeedSettings, "[feed] "),
    "voices": (VoicesSettings, "[voices] "),
}


@dataclass(frozen=True)
class Overrides:
    """Settings given on the command line; None: not given (the file or the default stands).

    A typed record: a misspelt name is a TypeError, never a setting silently dropped.
    """

    output: str | None = None
    jobs: int | None = None
    stereo: bool | None = None
    bitrate: int | None = None
    loudness: float | None = None
    id3: str | None = None
    formats: Sequence[str] | None = None
    executor: str | None = None
    address: str | None = None
    base_url: str | None = None
    practice_gaps: bool | None = None
    mirror: str | None = None

    def given(self) -> dict[str, Any]:
        """The settings given, by name."""
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}


@dataclass(frozen=True)
class SiteSettings:
    """What publishing needs of a project: its folders, its feed, the formats it writes."""

    root: Path
    output_dir: Path
    feed: FeedSettings = field(default_factory=FeedSettings)
    formats: tuple[str, ...] = ("mp3",)


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

    @property
    def site(self) -> SiteSettings:
        """What the publish stage needs: the folders, [feed], the formats written."""
        return SiteSettings(self.root, self.output_dir, self.feed, self.build.formats)

    @property
    def audio(self) -> AudioSettings:
        """What the exporter needs: the output format and mastering targets."""
        b = self.build
        return AudioSettings(
            channels=b.channels,
            bitrate_kbps=b.bitrate_kbps,
            loudness_lufs=b.loudness_lufs,
            true_peak_dbtp=b.true_peak,
            id3_version=3 if b.id3 == "2.3" else 4,
        )


#: a problem and the config-file line it is about (None: not in the file)
Problem = tuple[str, int | None]


def _section_line(text: str, section: str) -> int | None:
    """The line of the `[section]` header, for error messages."""
    header = re.compile(rf"\s*\[\s*{re.escape(section)}\s*\]")
    return next((n for n, line in enumerate(text.splitlines(), 1) if header.match(line)), None)


class _Reader:
    """One pass over audiolesson.toml and the overrides: typed values, and every problem."""

    def __init__(self, text: str, root: Path) -> None:
        self.text = text
        self.root = root
        self.problems: list[Problem] = []
        self.values: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
        self.impossible: dict[tuple[str, str], str] = {}  #: read, but no value (OutOfRange)
        self.from_cli: set[tuple[str, str]] = set()  #: (section, name) given on the command line

    def table(self, section: str, table: Any) -> None:
        """Read one section of the file."""
        where = f"[{section}]"
        if not isinstance(table, dict):
            self.problems.append((f"{where} must be a table", toml_key_line(self.text, section)))
            return
        options = {f.name: option_of(f) for f in fields(SECTIONS[section][0])}
        for key, value in table.items():
            name = key.replace("-", "_")
            line = toml_key_line(self.text, key, section)
            if name not in options:
                choices = ", ".join(options)
                self.problems.append(
                    (f"{where}: unknown key {key!r}; choose one of: {choices}", line)
                )
                continue
            try:
                self.values[section][name] = options[name].read(value)
            except WrongType as exc:
                self.problems.append((f"{where}: {key!r} must be {exc.want}, got {value!r}", line))
            except OutOfRange as exc:
                self.impossible[section, name] = str(exc)

    def overrides(self, overrides: Overrides) -> None:
        """The command line's settings, read as the file's are (they win over it)."""
        for name, value in overrides.given().items():
            # two sections may share a name ([feed] and [voices] language); an override's is
            # in one section only (tests/test_config.py checks it)
            section = next(s for s, (cls, _) in SECTIONS.items() if name in _names(cls))
            option = next(option_of(f) for f in fields(SECTIONS[section][0]) if f.name == name)
            self.from_cli.add((section, name))
            self.impossible.pop((section, name), None)
            try:
                self.values[section][name] = option.read(value)
            except OutOfRange as exc:
                self.impossible[section, name] = str(exc)

    def ranges(self, section: str, settings: Any) -> None:
        """Range problems of one section, in the order of its fields; a setting given on the
        command line has no line to point at."""
        prefix = SECTIONS[section][1]
        allow_outside = bool(self.values["build"].get("allow_outside", False))
        for f in fields(settings):
            option, value = option_of(f), getattr(settings, f.name)
            phrase = self.impossible.get((section, f.name))
            if phrase is None:
                phrase = option.problem(value)
            if phrase is not None:
                phrase = f"be {phrase}"
            elif isinstance(option, PathSetting):  # every path stays in the project (issue 24)
                phrase = option.place(value, self.root, allow_outside)
            if phrase is not None:
                given = (section, f.name) in self.from_cli
                line = None if given else toml_key_line(self.text, f.name, section)
                self.problems.append((f"{prefix}{f.name} must {phrase}", line))


def _names(cls: type) -> set[str]:
    return {f.name for f in fields(cls)}


def load_config(root: Path, overrides: Overrides | None = None, **given: Any) -> Config:
    """Defaults, then `audiolesson.toml` in root, then the overrides (CLI flags; `given` names
    them as keywords: a misspelt one is a TypeError)."""
    if given:
        overrides = replace(overrides or Overrides(), **given)
    path = root / CONFIG_FILE
    data: dict[str, Any] = {}
    text = ""
    if path.exists():  # a FIFO or a folder here is an error (read_toml says so), not "no file"
        data, text = read_toml(path, "project config", syntax="invalid TOML")
    reader = _Reader(text, root)
    for section in data:
        if section not in SECTIONS:
            reader.problems.append(
                (
                    f"unknown section [{section}]; choose one of: [build], [feed], [voices]",
                    _section_line(text, section) or toml_key_line(text, section),
                )
            )
    for section in SECTIONS:
        if section in data:
            reader.table(section, data[section])
    if overrides is not None:
        reader.overrides(overrides)
    build = BuildSettings(**reader.values["build"])
    feed = FeedSettings(**reader.values["feed"])
    voices = VoicesSettings(**reader.values["voices"])
    for section, settings in (("voices", voices), ("build", build), ("feed", feed)):
        reader.ranges(section, settings)
    if ("build", "address") in reader.from_cli and build.executor != "ray":
        reader.problems.append(("--address names a Ray cluster: add --executor ray", None))
    if reader.problems:
        where = path if path.is_file() else None
        line = next((n for _, n in reader.problems if n is not None), None)
        message = "; ".join(m for m, _ in reader.problems)
        raise ConfigError(message, path=where, line=line)
    return Config(root=root.resolve(), build=build, feed=feed, voices=voices)
