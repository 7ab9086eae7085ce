"""`build()`: orchestration only. Parse -> plan (cast, spoken forms, keys) -> synthesise the
missing clips -> export -> publish, each stage a named call over the plans.

What is redone follows from content keys (see `plan`): an episode whose key matches the file in
output/ is not touched at all (same bytes, same mtime).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from .._killpoints import killpoint
from ..config import Config
from ..errors import ScriptError
from ..export.episode import export_episode
from ..publish.site import publish
from ..script.check import speech_seconds
from ..script.model import Script
from ..synth import ClipCache, SynthDone, SynthJob, SynthSettings, first_failure, synthesize_all
from ..synth.clips import CachedClips
from .events import (
    EpisodeUnchanged,
    EpisodeWritten,
    Event,
    EventSink,
    Planned,
    Progress,
    Published,
    Started,
    Summary,
    Synthesized,
    Warned,
)
from .lock import cache_lock, project_lock
from .memo import SpokenMemo
from .overlap import EarlyBlocks
from .plan import (
    EpisodePlan,
    episode_meta,
    load_scripts,
    plan_episode,
    script_paths,
)

__all__ = ["BuildResult", "build"]

log = logging.getLogger(__name__)


@dataclass
class BuildResult:
    """What a build did, for the summary line and for tests."""

    episodes_written: list[str] = field(default_factory=list)
    episodes_unchanged: list[str] = field(default_factory=list)
    turns_total: int = 0
    turns_synthesized: int = 0
    turns_cached: int = 0
    chapters_with_new_blocks: int = 0  #: chapters of which at least one block was encoded
    chapters_reused: int = 0  #: chapters whose every block came from the block cache
    blocks_encoded: int = 0
    blocks_reused: int = 0
    seconds: float = 0.0
    audio_seconds_planned: float = 0.0
    plan: list[Planned] = field(default_factory=list)

    def summary(self) -> Summary:
        """The summary event (last JSON line of `build --json`)."""
        return Summary(
            episodes_written=len(self.episodes_written),
            episodes_unchanged=len(self.episodes_unchanged),
            turns_total=self.turns_total,
            turns_synthesized=self.turns_synthesized,
            turns_cached=self.turns_cached,
            chapters_with_new_blocks=self.chapters_with_new_blocks,
            chapters_reused=self.chapters_reused,
            seconds=round(self.seconds, 3),
            blocks_encoded=self.blocks_encoded,
            blocks_reused=self.blocks_reused,
        )


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

    The stages in order, each a call over the plans: parse, plan (cast, spoken forms, keys),
    synthesise the missing clips (encoding early blocks beside), export, publish. Script
    warnings are reported as events; with `strict` a warning stops the build (as in check).
    """
    started = time.perf_counter()
    emit = on_event or _ignore
    scripts = load_scripts(script_paths(config, paths))
    clips = CachedClips(ClipCache(config.cache_dir))
    with (
        nullcontext() if plan_only else project_lock(config),  # a plan needs no lock
        nullcontext() if plan_only else cache_lock(config),  # shared: no prune meanwhile
    ):
        plans = plan_scripts(scripts, config, clips, force, keep_memo=not plan_only)
        _warn(plans, strict, emit)
        jobs = missing_jobs(plans)
        result = _tally(plans, jobs, emit)
        done: list[SynthDone] = []
        if not plan_only:
            emit(Started(episodes=len(plans), turns=result.turns_total, to_synthesize=len(jobs)))
            done, encoded_early = _synthesize(plans, jobs, clips.cache, config, emit)
            _export_all(plans, done, encoded_early, config, force, result, emit)
            _publish(config, scripts, plans, emit)
        result.seconds = time.perf_counter() - started
        error = first_failure(done)
        if error is not None:
            raise error
    return result


def _ignore(event: Event) -> None:
    """The event sink of a build nobody listens to."""


def plan_scripts(
    scripts: Sequence[Script],
    config: Config,
    clips: CachedClips,
    force: bool,
    *,
    keep_memo: bool = True,
) -> list[EpisodePlan]:
    """Plan every script with one clip source; remember the spoken forms made (`keep_memo`)."""
    memo = SpokenMemo(config.cache_dir)
    plans = [plan_episode(s, config, clips, force, memo) for s in scripts]
    if keep_memo:
        memo.save()
    return plans


def missing_jobs(plans: Sequence[EpisodePlan]) -> dict[str, SynthJob]:
    """The clips to synthesise, once each (two scripts may share one), by key."""
    jobs: dict[str, SynthJob] = {}
    for plan in plans:
        for job in plan.missing:
            jobs.setdefault(job.key, job)
    return jobs


def _tally(plans: Sequence[EpisodePlan], jobs: dict[str, SynthJob], emit: EventSink) -> BuildResult:
    """What the build has to do: counted, and one Planned event per script."""
    result = BuildResult()
    result.turns_total = sum(len(p.turns) for p in plans)
    result.turns_cached = sum(1 for p in plans for k in p.keys if k not in jobs)
    result.audio_seconds_planned = sum(speech_seconds(j.spoken) for j in jobs.values())
    for p in plans:
        planned = Planned(
            script=p.script.path,
            episode=p.slug,
            up_to_date=p.up_to_date,
            turns=len(p.turns),
            to_synthesize=len(p.missing),
            estimated_audio_seconds=round(sum(speech_seconds(j.spoken) for j in p.missing), 1),
            lines=[j.line for j in p.missing],
        )
        result.plan.append(planned)
        emit(planned)
    return result


def _synthesize(
    plans: Sequence[EpisodePlan],
    jobs: dict[str, SynthJob],
    cache: ClipCache,
    config: Config,
    emit: EventSink,
) -> tuple[list[SynthDone], set[str]]:
    """Render the missing clips, encoding each block whose clips are all there meanwhile; the
    results and the keys of the blocks encoded early."""
    if not jobs:
        return [], set()
    early = EarlyBlocks(plans, config.audio, config.cache_dir)

    def report(d: SynthDone) -> None:
        emit(
            Synthesized(
                script=d.job.path,
                line=d.job.line,
                voice=d.job.voice.name,
                seconds=round(d.seconds, 3),
                error=d.error,
                elapsed=round(d.elapsed, 3),
            )
        )
        killpoint("clip-stored")
        if d.error is None:
            early.clip_ready(d.job.key)

    try:
        done = synthesize_all(list(jobs.values()), cache, synth_settings(config), report)
    except BaseException:
        early.cancel()
        raise
    early.finish()
    return done, early.encoded


def _publish(
    config: Config, scripts: Sequence[Script], plans: Sequence[EpisodePlan], emit: EventSink
) -> None:
    """The feed and the listening page, from the episodes written and those left as they were."""
    unchanged = {p.existing.audio: p.existing for p in plans if p.up_to_date and p.existing}
    written = publish(config.site, parsed=scripts, read=unchanged)
    if written:
        emit(Published(files=[str(path) for path in written]))


def synth_settings(config: Config) -> SynthSettings:
    """What the synthesis stage needs of the project config."""
    b = config.build
    # jobs 0: one per CPU, of this machine or of the Ray cluster
    return SynthSettings(b.jobs, b.turn_timeout, b.executor, b.address)


def _warn(plans: Sequence[EpisodePlan], strict: bool, emit: EventSink) -> None:
    """Emit each script warning; with strict, the first one is an error instead."""
    warnings = [w for p in plans for w in [*p.script.warnings, *p.warnings]]
    if strict and warnings:
        first = warnings[0]
        more = len(warnings) - 1
        note = f" ({more} more warnings: see audiolesson check --strict)" if more else ""
        raise ScriptError(first.message + note, path=first.path, line=first.line)
    for w in warnings:
        emit(Warned(script=w.path, line=w.line, message=w.message))


def _export_all(
    plans: Sequence[EpisodePlan],
    done: Sequence[SynthDone],
    encoded_early: set[str],
    config: Config,
    force: bool,
    result: BuildResult,
    emit: EventSink,
) -> None:
    """Write every episode that is not up to date and whose turns were all synthesised."""
    result.turns_synthesized = sum(1 for d in done if d.error is None)
    failed = {d.job.path for d in done if d.error is not None}
    for plan in plans:
        if plan.up_to_date:
            result.episodes_unchanged.append(plan.slug)
            emit(EpisodeUnchanged(episode=plan.slug))
        elif plan.script.path not in failed:
            _export(plan, config, result, emit, force, encoded_early)


def _export(
    plan: EpisodePlan,
    config: Config,
    result: BuildResult,
    emit: EventSink,
    force: bool,
    encoded_early: set[str],
) -> None:
    """Master, encode and tag one episode into output/ (some blocks may be encoded already; with
    `force`, every cached block of it is hashed whole)."""
    out = config.output_dir
    existing = plan.existing.published_tag if plan.existing is not None else None
    published = existing or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    meta = episode_meta(plan.script, plan.key, plan.cover, published, plan.turns)
    episode = export_episode(
        plan.chapters,
        meta,
        config.audio,
        out,
        plan.slug,
        config.cache_dir,
        progress=lambda message: emit(Progress(episode=plan.slug, message=message)),
        formats=config.build.formats,
        encoded_before=encoded_early,
        full_check=force,
        clips=plan.clips,
        deck=plan.deck,
    )
    killpoint("episode-stored")
    result.episodes_written.append(plan.slug)
    result.chapters_with_new_blocks += episode.chapters_with_new_blocks
    result.chapters_reused += episode.chapters_reused
    result.blocks_encoded += episode.blocks_encoded
    result.blocks_reused += episode.blocks_reused
    emit(
        EpisodeWritten(
            episode=plan.slug,
            path=str(episode.mp3),
            duration=round(episode.duration, 3),
            chapters_with_new_blocks=episode.chapters_with_new_blocks,
            chapters_reused=episode.chapters_reused,
            blocks_encoded=episode.blocks_encoded,
            blocks_reused=episode.blocks_reused,
        )
    )
