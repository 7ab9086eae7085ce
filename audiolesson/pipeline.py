"""`build()`: orchestration only. Parse -> cast -> plan keys -> synthesise missing clips -> export.

Every decision about what to redo comes from content keys:
- a clip key per turn (spoken text + voice + engine version + model hash + sample format),
- a chapter key per chapter (its clip keys, pauses, transcript text and audio settings),
- an episode key (chapter keys + tags + settings + cover) stored in the MP3 as TXXX:AUDIOLESSON_KEY.
An episode whose key matches the file in output/ is not touched at all (same bytes, same mtime).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .cache import ClipCache, clip_key, digest
from .check import speech_seconds
from .config import Config
from .errors import BuildError, LockError, ScriptError
from .files import sha256_of
from .killpoints import killpoint
from .script import PAUSE_DEFAULTS, Pause, Script, Turn
from .synth import SynthDone, SynthJob, first_failure, synthesize_all

if TYPE_CHECKING:
    from .cast import CastTurn
    from .mix import ChapterInput

log = logging.getLogger(__name__)

Event = dict[str, Any]
EventSink = Callable[[Event], None]

#: pause at the very end of an episode, so players do not cut the last word
END_PAUSE = 1.0
#: image formats accepted as cover art, by their first bytes
COVER_MAGIC = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


@dataclass
class EpisodePlan:
    """What building one script involves."""

    script: Script
    slug: str
    turns: list[CastTurn]
    keys: list[str]  #: clip key per turn, in script.turns order
    chapters: list[ChapterInput]
    key: str  #: episode key
    cover: Path | None
    up_to_date: bool = False
    missing: list[SynthJob] = field(default_factory=list)  #: clips not in the cache


@dataclass
class BuildResult:
    """What a build did, for the summary line and for tests."""

    episodes_written: list[str] = field(default_factory=list)
    episodes_unchanged: list[str] = field(default_factory=list)
    turns_total: int = 0
    turns_synthesized: int = 0
    turns_cached: int = 0
    chapters_encoded: int = 0
    chapters_reused: int = 0
    seconds: float = 0.0
    audio_seconds_planned: float = 0.0
    plan: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The summary event (last JSON line of `build --json`)."""
        return {
            "event": "summary",
            "episodes_written": len(self.episodes_written),
            "episodes_unchanged": len(self.episodes_unchanged),
            "turns_total": self.turns_total,
            "turns_synthesized": self.turns_synthesized,
            "turns_cached": self.turns_cached,
            "chapters_encoded": self.chapters_encoded,
            "chapters_reused": self.chapters_reused,
            "seconds": round(self.seconds, 3),
        }


@contextmanager
def project_lock(config: Config) -> Iterator[None]:
    """Hold the project's build lock, or stop at once with a clear message."""
    config.state_dir.mkdir(parents=True, exist_ok=True)
    path = config.state_dir / "build.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise LockError(
                f"another build is running in this project (pid {holder}); "
                "wait for it to finish, then run the build again",
                path=path,
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def resolve_cover(script: Script, root: Path) -> Path | None:
    """The cover image named in the front matter: it must exist, lie in the project, be PNG/JPEG."""
    if not script.meta.cover:
        return None
    line = script.meta.lines.get("cover")
    base = Path(script.path).resolve().parent
    cover = (base / script.meta.cover).resolve()
    if not cover.is_relative_to(root.resolve()):
        raise ScriptError(
            f"cover {script.meta.cover!r} lies outside the project folder {root}; "
            "copy the image into the project",
            path=script.path,
            line=line,
        )
    if not cover.is_file():
        raise ScriptError(
            f"cover image {script.meta.cover!r} not found", path=script.path, line=line
        )
    with cover.open("rb") as fh:
        head = fh.read(8)
    if not any(head.startswith(m) for m in COVER_MAGIC):
        raise ScriptError(
            f"cover {script.meta.cover!r} is not a PNG or JPEG image", path=script.path, line=line
        )
    return cover


def _gap(prev: Turn | None, turn: Turn, explicit: list[Pause], pauses: dict[str, float]) -> float:
    """Silence before `turn` inside a chapter: explicit [pause]s replace the natural gap."""
    if explicit:
        return sum(p.seconds for p in explicit)
    if prev is None:
        return 0.0
    kind = "same_speaker" if prev.speaker == turn.speaker else "speaker_change"
    return pauses[kind]


def plan_chapters(
    script: Script,
    turns: Sequence[CastTurn],
    keys: Sequence[str],
    loader: Callable[[int], Callable[[], Any]],
    audio_settings: dict[str, Any],
) -> list[ChapterInput]:
    """Turn the script's chapters into explicit exporter input: clips and silences.

    Units start with their first clip (so a chapter mark sits on its first word); the pause that
    separates units is the previous unit's trailing silence: `subchapter` before a `##`, `chapter`
    before a `#`.
    """
    from .mix import ChapterInput, ClipItem, Silence

    pauses = {**PAUSE_DEFAULTS, **script.meta.pauses}
    index = {id(ct.turn): i for i, ct in enumerate(turns)}
    units: list[ChapterInput] = []
    for chapter in script.chapters:
        items: list[Any] = []
        explicit: list[Pause] = []
        chapter_prev: Turn | None = None
        for item in chapter.items:
            if isinstance(item, Pause):
                explicit.append(item)
                continue
            i = index[id(item)]
            gap = _gap(chapter_prev, item, explicit, pauses)
            if gap > 0 and items:
                items.append(Silence(gap))
            elif gap > 0 and units and not items:
                # an explicit pause at the top of a chapter belongs before its mark
                units[-1].items.append(Silence(gap))
            explicit = []
            items.append(
                ClipItem(
                    key=keys[i],
                    load=loader(i),
                    speaker=turns[i].turn.speaker,
                    text=turns[i].turn.text,
                    line=turns[i].turn.line,
                    gain_db=turns[i].voice.volume,
                )
            )
            chapter_prev = item
        if explicit and items:
            items.append(Silence(sum(p.seconds for p in explicit)))
        if units and units[-1].items:
            units[-1].items.append(
                Silence(pauses["subchapter" if chapter.level > 1 else "chapter"])
            )
        units.append(ChapterInput(title=chapter.title, level=chapter.level, key="", items=items))
    if units and units[-1].items:
        units[-1].items.append(Silence(END_PAUSE))
    for unit in units:
        unit.key = digest(
            {
                "items": [
                    {"silence": it.seconds}
                    if isinstance(it, Silence)
                    else {"clip": it.key, "speaker": it.speaker, "text": it.text}
                    for it in unit.items
                ],
                "audio": audio_settings,
                "version": __version__,
            }
        )
    return units


def _episode_meta(script: Script, plan_key: str, cover: Path | None, published: str) -> Any:
    """Tags for one episode."""
    from .export import EpisodeMeta

    m = script.meta
    narration_only = all(t.speaker is None for t in script.turns)
    return EpisodeMeta(
        title=m.title,
        subtitle=m.subtitle,
        author=m.author,
        series=m.series,
        episode=m.episode,
        genre="Audiobook" if narration_only else "Podcast",
        year=published[:4],
        description=m.description,
        language=m.language,
        cover=cover,
        build_key=plan_key,
        published=published,
    )


def _audio_settings(config: Config) -> Any:
    """Exporter settings from the project config."""
    from .export import AudioSettings

    b = config.build
    return AudioSettings(
        channels=b.channels,
        bitrate_kbps=b.bitrate_kbps,
        loudness_lufs=b.loudness_lufs,
        true_peak_dbtp=b.true_peak,
        id3_version=3 if b.id3 == "2.3" else 4,
    )


def plan_episode(script: Script, config: Config, cache: ClipCache, force: bool) -> EpisodePlan:
    """Cast, key and lay out one script, and decide whether its outputs are up to date."""
    from .cast import cast_script
    from .render import voice_key

    turns = cast_script(script, config.root)
    keys = [clip_key(ct.spoken, voice_key(ct.voice)) for ct in turns]
    cover = resolve_cover(script, config.root)
    slug = Path(script.path).stem
    settings = _audio_settings(config)
    audio_settings = {k: v for k, v in vars(settings).items() if k != "id3_version"}

    def loader(i: int) -> Callable[[], Any]:
        job = SynthJob(keys[i], turns[i].spoken, turns[i].voice, script.path, turns[i].turn.line)
        return lambda: load_clip(cache, job)

    chapters = plan_chapters(script, turns, keys, loader, audio_settings)
    m = script.meta
    key = digest(
        {
            "chapters": [(c.title, c.level, c.key) for c in chapters],
            "meta": [m.title, m.subtitle, m.author, m.series, m.episode, m.language, m.description],
            "cover": sha256_of(cover) if cover else None,
            "settings": vars(settings),
            "version": __version__,
        }
    )
    plan = EpisodePlan(script, slug, turns, keys, chapters, key, cover)
    out = config.output_dir
    if not force:
        from .tags import read_build_key

        mp3 = out / f"{slug}.mp3"
        sidecars = [out / f"{slug}.vtt", out / f"{slug}.chapters.json"]
        plan.up_to_date = (
            mp3.is_file() and all(p.is_file() for p in sidecars) and read_build_key(mp3) == key
        )
    if not plan.up_to_date:
        seen: set[str] = set()
        for ct, k in zip(turns, keys, strict=True):
            if k in seen:
                continue
            seen.add(k)
            # --force reads and verifies every clip: a damaged one is synthesised with the rest
            where = f"{script.path}:{ct.turn.line}"
            if not (cache.verify(k, where) if force else cache.has(k)):
                plan.missing.append(SynthJob(k, ct.spoken, ct.voice, script.path, ct.turn.line))
    return plan


def load_clip(cache: ClipCache, job: SynthJob) -> Any:
    """A clip from the cache; a damaged or missing entry is synthesised again, here and now."""
    existed = cache.has(job.key)
    audio = cache.get(job.key, f"{job.path}:{job.line}")  # a damaged entry is reported there
    if audio is None:
        from .render import render

        if not existed:
            log.warning(
                "%s:%s: clip missing from the cache; synthesising it again", job.path, job.line
            )
        audio = render(job.spoken, job.voice)
        cache.put(job.key, audio)
    return audio


def load_scripts(paths: Sequence[Path]) -> list[Script]:
    """Parse every script; two scripts with the same file name would share outputs."""
    from .loader import load_script

    scripts = [load_script(p) for p in paths]
    by_slug: dict[str, str] = {}
    for s in scripts:
        slug = Path(s.path).stem
        if slug in by_slug and Path(by_slug[slug]).resolve() != Path(s.path).resolve():
            raise ScriptError(
                f"has the same name as {by_slug[slug]}; both would be written to "
                f"output/{slug}.mp3: rename one of them",
                path=s.path,
            )
        by_slug[slug] = s.path
    return scripts


def script_paths(config: Config, paths: Sequence[Path] | None) -> list[Path]:
    """The scripts named on the command line, or every script in scripts/."""
    from .loader import find_scripts

    if paths:
        return list(paths)
    found = find_scripts(config.root)
    if not found:
        raise ScriptError(
            "no scripts found: put lesson scripts (*.md) in scripts/ or name them on the "
            "command line",
            path=config.root / "scripts",
        )
    return found


def build(
    config: Config,
    paths: Sequence[Path] | None = None,
    *,
    force: bool = False,
    plan_only: bool = False,
    strict: bool = False,
    on_event: EventSink | None = None,
) -> BuildResult:
    """Build every script into output/: MP3, VTT transcript, chapters JSON (and the feed/page).

    Script warnings are reported as events; with `strict` a warning stops the build (as in check).
    """
    started = time.perf_counter()
    emit = on_event or (lambda event: None)
    result = BuildResult()
    scripts = load_scripts(script_paths(config, paths))
    _warn(scripts, strict, emit)
    cache = ClipCache(config.cache_dir)
    with nullcontext() if plan_only else project_lock(config):  # a plan needs no lock
        plans = [plan_episode(s, config, cache, force) for s in scripts]
        jobs: dict[str, SynthJob] = {}
        for p in plans:
            for job in p.missing:
                jobs.setdefault(job.key, job)
        missing_keys = set(jobs)
        result.turns_total = sum(len(p.turns) for p in plans)
        result.turns_cached = sum(1 for p in plans for k in p.keys if k not in missing_keys)
        result.audio_seconds_planned = sum(speech_seconds(j.spoken) for j in jobs.values())
        for p in plans:
            entry = {
                "event": "plan",
                "script": p.script.path,
                "episode": p.slug,
                "up_to_date": p.up_to_date,
                "turns": len(p.turns),
                "to_synthesize": len(p.missing),
                "estimated_audio_seconds": round(
                    sum(speech_seconds(j.spoken) for j in p.missing), 1
                ),
                "lines": [j.line for j in p.missing],
            }
            result.plan.append(entry)
            emit(entry)
        if plan_only:
            result.seconds = time.perf_counter() - started
            return result
        emit(
            {
                "event": "start",
                "episodes": len(plans),
                "turns": result.turns_total,
                "to_synthesize": len(jobs),
            }
        )
        done: list[SynthDone] = []
        if jobs:

            def report(d: SynthDone) -> None:
                emit(
                    {
                        "event": "synthesized",
                        "script": d.job.path,
                        "line": d.job.line,
                        "voice": d.job.voice.name,
                        "seconds": round(d.seconds, 3),
                        "error": d.error,
                    }
                )
                killpoint("clip-stored")

            done = synthesize_all(
                list(jobs.values()), cache, config.build.workers, config.build.turn_timeout, report
            )
        result.turns_synthesized = sum(1 for d in done if d.error is None)
        failed = {d.job.path for d in done if d.error is not None}
        for p in plans:
            if p.up_to_date:
                result.episodes_unchanged.append(p.slug)
                emit({"event": "episode", "episode": p.slug, "status": "unchanged"})
                continue
            if p.script.path in failed:
                continue
            _export(p, config, result, emit)
        _publish(config, scripts, emit)
        result.seconds = time.perf_counter() - started
        error = first_failure(done)
        if error is not None:
            raise error
    return result


def _warn(scripts: Sequence[Script], strict: bool, emit: EventSink) -> None:
    """Emit each script warning; with strict, the first one is an error instead."""
    warnings = [w for s in scripts for w in s.warnings]
    if strict and warnings:
        first = warnings[0]
        more = len(warnings) - 1
        note = f" ({more} more warnings: see audiolesson check --strict)" if more else ""
        raise ScriptError(first.message + note, path=first.path, line=first.line)
    for w in warnings:
        emit({"event": "warning", "script": w.path, "line": w.line, "message": w.message})


def _export(plan: EpisodePlan, config: Config, result: BuildResult, emit: EventSink) -> None:
    """Master, encode and tag one episode into output/."""
    from .export import export_episode
    from .tags import read_published

    out = config.output_dir
    out.mkdir(parents=True, exist_ok=True)
    mp3 = out / f"{plan.slug}.mp3"
    published = (read_published(mp3) if mp3.is_file() else None) or dt.datetime.now(dt.UTC).replace(
        microsecond=0
    ).isoformat()
    meta = _episode_meta(plan.script, plan.key, plan.cover, published)
    try:
        episode = export_episode(
            plan.chapters,
            meta,
            _audio_settings(config),
            out,
            plan.slug,
            config.cache_dir,
            progress=lambda msg: emit({"event": "progress", "episode": plan.slug, "message": msg}),
        )
    except OSError as exc:
        where = Path(exc.filename) if exc.filename else out
        if where.name.startswith(".") and where.name.endswith(".tmp"):
            where = where.parent  # a temporary file that never came to be: name its folder
        raise BuildError(
            f"could not write episode {plan.slug}: {exc.strerror or exc}", path=where
        ) from None
    killpoint("episode-stored")
    result.episodes_written.append(plan.slug)
    result.chapters_encoded += episode.chapters_encoded
    result.chapters_reused += episode.chapters_reused
    emit(
        {
            "event": "episode",
            "episode": plan.slug,
            "status": "written",
            "path": str(episode.mp3),
            "duration": round(episode.duration, 3),
            "chapters_encoded": episode.chapters_encoded,
            "chapters_reused": episode.chapters_reused,
        }
    )


def _publish(config: Config, scripts: Sequence[Script], emit: EventSink) -> None:
    """Refresh the listening page, and the feed when a base URL is configured."""
    from . import feed, page

    if not config.output_dir.is_dir():
        return
    episodes = feed.collect_episodes(config, parsed=scripts)
    if not episodes:
        return
    written = [page.write_page(config, episodes)]
    if config.feed.base_url:
        written.append(feed.write_feed(config, episodes, config.feed.base_url))
    emit({"event": "published", "files": [str(p) for p in written]})


def used_keys(config: Config) -> tuple[set[str], set[str]]:
    """Clip keys and encoded-block keys that the project's scripts use now."""
    from .export import block_keys

    cache = ClipCache(config.cache_dir)
    settings = _audio_settings(config)
    clips: set[str] = set()
    segments: set[str] = set()
    for script in load_scripts(script_paths(config, None)):
        plan = plan_episode(script, config, cache, force=True)
        clips.update(plan.keys)
        segments.update(block_keys(plan.chapters, settings))
    return clips, segments


def prune_cache(config: Config) -> dict[str, int]:
    """Remove cache entries that no script uses any more."""
    from .export import prune_blocks

    clips, segments = used_keys(config)
    with project_lock(config):
        removed, freed = ClipCache(config.cache_dir).prune(clips)
        ch_removed, ch_freed = prune_blocks(config.cache_dir, segments)
    return {
        "clips_kept": len(clips),
        "clips_removed": removed,
        "chapters_removed": ch_removed,
        "bytes_freed": freed + ch_freed,
    }
