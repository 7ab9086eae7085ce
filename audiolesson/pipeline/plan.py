"""Planning a build: cast each script, key every clip, chapter and episode, see what is missing.

Every decision about what to redo comes from content keys:
- a clip key per turn (spoken text + voice + engine version + model hash + sample format),
- a chapter key per chapter (its clip keys, pauses, transcript text and audio settings),
- an episode key (chapter keys + tags + settings + cover) stored in the MP3 as TXXX:AUDIOLESSON_KEY.
An episode whose key matches the file in output/ is not touched at all (same bytes, same mtime).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .._version import __version__
from ..audio import Audio
from ..config import Config
from ..errors import ScriptError
from ..export.settings import MIX_VERSION, AudioSettings
from ..export.tags import EpisodeMeta, read_build_key
from ..export.timeline import ChapterInput, ClipItem, Silence
from ..files import sha256_of
from ..script.loader import find_scripts, load_script
from ..script.model import PAUSE_DEFAULTS, Pause, Script, Turn
from ..voices.cast import CastTurn, cast_script
from ..voices.render import render, voice_key
from .cache import ClipCache, clip_key, digest
from .synth import SynthJob

__all__ = [
    "EpisodePlan",
    "audio_settings",
    "episode_meta",
    "load_clip",
    "load_scripts",
    "plan_chapters",
    "plan_episode",
    "resolve_cover",
    "script_paths",
]

log = logging.getLogger(__name__)

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
    loader: Callable[[int], Callable[[], Audio]],
    settings: dict[str, object],
) -> list[ChapterInput]:
    """Turn the script's chapters into explicit exporter input: clips and silences.

    Units start with their first clip (so a chapter mark sits on its first word); the pause that
    separates units is the previous unit's trailing silence: `subchapter` before a `##`, `chapter`
    before a `#`.
    """
    pauses = {**PAUSE_DEFAULTS, **script.meta.pauses}
    index = {id(ct.turn): i for i, ct in enumerate(turns)}
    units: list[ChapterInput] = []
    for chapter in script.chapters:
        items: list[Silence | ClipItem] = []
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
                "audio": settings,
                "version": __version__,
            }
        )
    return units


def episode_meta(
    script: Script, plan_key: str, cover: Path | None, published: str
) -> EpisodeMeta:
    """Tags for one episode."""
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


def audio_settings(config: Config) -> AudioSettings:
    """Exporter settings from the project config."""
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
    turns = cast_script(script, config.root)
    keys = [clip_key(ct.spoken, voice_key(ct.voice)) for ct in turns]
    cover = resolve_cover(script, config.root)
    slug = Path(script.path).stem
    settings = audio_settings(config)
    mix_settings = {k: v for k, v in vars(settings).items() if k != "id3_version"}

    def loader(i: int) -> Callable[[], Audio]:
        job = SynthJob(keys[i], turns[i].spoken, turns[i].voice, script.path, turns[i].turn.line)
        return lambda: load_clip(cache, job)

    chapters = plan_chapters(script, turns, keys, loader, mix_settings)
    m = script.meta
    key = digest(
        {
            "chapters": [(c.title, c.level, c.key) for c in chapters],
            "meta": [m.title, m.subtitle, m.author, m.series, m.episode, m.language, m.description],
            "cover": sha256_of(cover) if cover else None,
            "settings": vars(settings),
            "mix": MIX_VERSION,  # a new mix sounds different: episodes are written again
            "version": __version__,
        }
    )
    plan = EpisodePlan(script, slug, turns, keys, chapters, key, cover)
    out = config.output_dir
    if not force:
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


def load_clip(cache: ClipCache, job: SynthJob) -> Audio:
    """A clip from the cache; a damaged or missing entry is synthesised again, here and now."""
    existed = cache.has(job.key)
    audio = cache.get(job.key, f"{job.path}:{job.line}")  # a damaged entry is reported there
    if audio is None:
        if not existed:
            log.warning(
                "%s:%s: clip missing from the cache; synthesising it again", job.path, job.line
            )
        audio = render(job.spoken, job.voice)
        cache.put(job.key, audio)
    return audio


def load_scripts(paths: Sequence[Path]) -> list[Script]:
    """Parse every script; two scripts with the same file name would share outputs."""
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
