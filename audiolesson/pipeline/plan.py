"""Planning a build: cast each script, key every clip, chapter and episode, see what is missing.

Every decision about what to redo comes from content keys:
- a clip key per turn (spoken text + voice + engine version + model hash + sample format),
- a chapter key per chapter (its clip keys, pauses, transcript text and audio settings),
- an episode key (chapter keys + tags + settings + cover) stored in the MP3 as TXXX:AUDIOLESSON_KEY.
An episode whose key matches the file in output/ is not touched at all (same bytes, same mtime).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .._version import __version__
from ..audio_settings import EXPORT_VERSION, MIX_VERSION
from ..config import Config
from ..errors import ScriptError, ScriptWarning
from ..export.anki import Deck, make_deck
from ..export.tags import EpisodeMeta
from ..export.timeline import AnswerGap, ChapterTimeline, ClipItem, Silence
from ..files import sha256_of
from ..images import ImageError, load_image
from ..keys import digest
from ..paths import EpisodeFiles, script_slug
from ..publish.catalog import EpisodeInfo, read_existing
from ..script.layout import PRACTICE_CAP, PRACTICE_FLOOR, Gap, Practice, lay_out
from ..script.loader import find_scripts, load_script
from ..script.model import Music, Script, Sound
from ..speech import spoken_words
from ..synth.cache import ClipCache, clip_key
from ..synth.clips import CachedClips
from ..synth.job import SynthJob
from ..voices.cast import CastTurn, cast_script, install_note, speech_warnings
from ..voices.render import voice_key
from ..voices.timing import TIMING_VERSION, ClipTiming
from .memo import SpokenMemo
from .script_sounds import ScriptSounds

__all__ = [
    "EpisodePlan",
    "episode_meta",
    "load_scripts",
    "plan_chapters",
    "plan_episode",
    "resolve_cover",
    "script_deck",
    "script_paths",
]

log = logging.getLogger(__name__)


@dataclass
class EpisodePlan:
    """What building one script involves."""

    script: Script
    slug: str
    turns: list[CastTurn]  #: the turns with something to say, in script.turns order
    keys: list[str]  #: clip key per turn of `turns`
    chapters: list[ChapterTimeline]
    key: str  #: episode key
    cover: Path | None
    clips: CachedClips  #: where the exporter reads the audio of `chapters` from
    #: the episode output/ holds now, read once (its build key, its date; the catalog reuses it
    #: when the build leaves the episode as it is); None: there is none, or it is unreadable
    existing: EpisodeInfo | None = None
    up_to_date: bool = False
    missing: list[SynthJob] = field(default_factory=list)  #: clips not in the cache
    sound_keys: list[str] = field(default_factory=list)  #: decoded sound files in the clip cache
    warnings: list[ScriptWarning] = field(default_factory=list)  #: from casting and spoken forms
    deck: Deck | None = None  #: the script's cards, with "anki" in [build] formats


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
    if not cover.exists():
        raise ScriptError(
            f"cover image {script.meta.cover!r} not found", path=script.path, line=line
        )
    try:
        load_image(cover)  # a whole PNG or JPEG, not only its first bytes
    except (ImageError, OSError) as exc:
        why = exc if isinstance(exc, ImageError) else f"cannot be read ({exc.strerror or exc})"
        raise ScriptError(
            f"cover {script.meta.cover!r} {why}", path=script.path, line=line
        ) from None
    return cover


def _music(script: Script) -> list[tuple[Music | None, bool]]:
    """Each chapter's music, and whether it plays on from the chapter above (a sub-chapter's)."""
    out: list[tuple[Music | None, bool]] = []
    parent: Music | None = None
    for chapter in script.chapters:
        if chapter.level == 1:
            parent = chapter.music
        inherited = parent if chapter.level > 1 else None
        music = chapter.music or inherited or script.meta.music
        out.append((music, chapter.level > 1 and chapter.music is None))
    return out


def plan_chapters(
    script: Script,
    turns: Sequence[CastTurn],
    keys: Sequence[str],
    settings: dict[str, object],
    sounds: ScriptSounds,
    gaps: bool = True,
) -> list[ChapterTimeline]:
    """Turn the script's chapters into explicit exporter input: clips, sound cues, silences and
    practice gaps, laid out by `script.layout.lay_out` (without practice gaps unless `gaps`).
    `sounds` turns the script's sound files into items and music beds, and makes the practice
    cue."""
    index = {id(ct.turn): i for i, ct in enumerate(turns)}
    laid = lay_out(script, says=lambda turn: id(turn) in index, gaps=gaps)
    units: list[ChapterTimeline] = []
    for chapter, entries, (setting, continues) in zip(
        script.chapters, laid, _music(script), strict=True
    ):
        items: list[Silence | ClipItem | AnswerGap] = []
        for item in entries:
            if isinstance(item, Gap):
                items.append(Silence(item.seconds))
            elif isinstance(item, Practice):
                items.append(sounds.cue(item.line))
                if item.seconds is not None:  # [your turn 5s]
                    items.append(Silence(item.seconds))
                else:
                    items.append(AnswerGap(keys[index[id(item.answer)]]))
            elif isinstance(item, Sound):
                items.append(sounds.item(item, _sound_kind(script, item)))
            else:
                i = index[id(item)]
                turn = turns[i].turn
                gain, said = turns[i].voice.volume, turns[i].said
                items.append(ClipItem(keys[i], turn.speaker, turn.text, turn.line, gain, said=said))
        bed = sounds.bed(setting) if setting is not None else None
        units.append(ChapterTimeline(chapter.title, chapter.level, "", items, bed, continues))
    for unit in units:
        unit.key = _chapter_key(unit, settings)
    return units


def _chapter_key(unit: ChapterTimeline, settings: dict[str, object]) -> str:
    """What changes a chapter's audio or its transcript: its clips and pauses, the settings."""
    data: dict[str, object] = {
        "items": [_item_key(it) for it in unit.items],
        "audio": settings,
        "version": __version__,
    }
    if unit.bed is not None:  # only then: chapters without music keep their keys
        data["bed"] = [*unit.bed.fingerprint(), unit.bed_continues]
    return digest(data)


def _item_key(item: Silence | ClipItem | AnswerGap) -> dict[str, object]:
    """What of a timeline item goes into its chapter's key."""
    if isinstance(item, Silence):
        return {"silence": item.seconds}
    if isinstance(item, AnswerGap):  # its length follows from the answer's clip, and the bounds
        return {"gap": item.answer, "within": [PRACTICE_FLOOR, PRACTICE_CAP]}
    found: dict[str, object] = {"clip": item.key, "speaker": item.speaker, "text": item.text}
    if item.said:  # which spoken words each written word became: the word timings follow it
        found["said"] = list(item.said)
    return found


def _sound_kind(script: Script, sound: Sound) -> str:
    """What the script calls this sound in messages: intro, outro or sound."""
    meta = script.meta
    if sound.path == meta.intro and sound.line == meta.lines.get("intro", 0):
        return "intro"
    if sound.path == meta.outro and sound.line == meta.lines.get("outro", 0):
        return "outro"
    return "sound"


def script_deck(script: Script, slug: str, turns: Sequence[CastTurn], keys: Sequence[str]) -> Deck:
    """The Anki deck of the script's cards whose question and answer both have a clip."""
    said = {id(ct.turn): (key, ct.voice.volume) for ct, key in zip(turns, keys, strict=True)}
    cards = [
        (card.question.text, *said[id(card.question)], card.answer.text, *said[id(card.answer)])
        for card in script.cards
        if id(card.question) in said and id(card.answer) in said
    ]
    m = script.meta
    return make_deck(slug, m.title, m.series, m.episode, m.description, cards)


def episode_meta(
    script: Script,
    plan_key: str,
    cover: Path | None,
    published: str,
    turns: Sequence[CastTurn] = (),
) -> EpisodeMeta:
    """Tags for one episode; the narrators are the script's narrator, else the cast's voices."""
    m = script.meta
    voices = dict.fromkeys(ct.voice.name for ct in turns)
    narrators = (m.narrator,) if m.narrator else tuple(voices)
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
        narrators=narrators,
    )


def plan_episode(
    script: Script,
    config: Config,
    clips: CachedClips,
    force: bool,
    memo: SpokenMemo | None = None,
) -> EpisodePlan:
    """Cast, key and lay out one script, and decide whether its outputs are up to date.

    Every clip it names is registered with `clips`, the cache the exporter reads them from. A
    turn with nothing to say (its spoken form is empty) gets no clip: speech_warnings says so.
    """
    cache = clips.cache
    cast = cast_script(
        script,
        config.root,
        memo,
        cast=config.voices.cast,
        language=config.voices.language,
        words=True,
    )
    note = install_note(cast, config.root, config.voices.cast)
    if note:
        log.warning("%s", note)
    turns = [ct for ct in cast if ct.spoken]
    keys = [clip_key(ct.spoken, voice_key(ct.voice)) for ct in turns]
    jobs = [
        SynthJob(k, ct.spoken, ct.voice, script.path, ct.turn.line)
        for ct, k in zip(turns, keys, strict=True)
    ]
    for job in jobs:
        clips.add_turn(job)
    cover = resolve_cover(script, config.root)
    slug = script_slug(script.path)
    settings = config.audio
    mix_settings = {k: v for k, v in vars(settings).items() if k != "id3_version"}
    sounds = ScriptSounds(script, config.root, clips, settings)
    gaps = config.build.practice_gaps
    chapters = plan_chapters(script, turns, keys, mix_settings, sounds, gaps)
    m = script.meta
    formats = config.build.formats
    deck = script_deck(script, slug, turns, keys) if "anki" in formats else None
    key = digest(
        {
            "chapters": [(c.title, c.level, c.key) for c in chapters],
            "meta": [m.title, m.subtitle, m.author, m.series, m.episode, m.language, m.description],
            "cover": sha256_of(cover) if cover else None,
            "settings": vars(settings),
            "mix": MIX_VERSION,  # a new mix sounds different: episodes are written again
            "export": EXPORT_VERSION,  # new episode files around the same cached blocks
            "timing": TIMING_VERSION,  # word times found otherwise: new transcripts
            "version": __version__,
            # only then: projects that write MP3 alone keep their keys
            **({"formats": sorted(formats)} if set(formats) != {"mp3"} else {}),
            **({"deck": deck.fingerprint()} if deck is not None and deck.notes else {}),
        }
    )
    plan = EpisodePlan(
        script,
        slug,
        turns,
        keys,
        chapters,
        key,
        cover,
        clips,
        sound_keys=sounds.keys,
        warnings=speech_warnings(script, cast),
        deck=deck,
    )
    files = EpisodeFiles(config.output_dir, slug)
    plan.existing = read_existing(files.mp3, script.path, script.meta.language or None)
    if not force and plan.existing is not None:
        sidecars = files.sidecars(formats, cards=deck is not None and bool(deck.notes))
        plan.up_to_date = all(p.is_file() for p in sidecars) and plan.existing.build_key == key
    if not plan.up_to_date:
        seen: set[str] = set()
        for job in jobs:
            if job.key in seen:
                continue
            seen.add(job.key)
            # --force reads and verifies every clip: a damaged one is synthesised with the rest
            if not (cache.verify(job.key, job.where) if force else cache.has(job.key)):
                plan.missing.append(job)
            elif not _timed(cache, job):  # a clip from before timings were kept: timed now
                plan.missing.append(job)
    return plan


def _timed(cache: ClipCache, job: SynthJob) -> bool:
    """Whether the cached clip of a job has its word timing (of this version, every word)."""
    count = len(spoken_words(job.spoken))
    return ClipTiming.from_facts(cache.facts(job.key), count) is not None


def load_scripts(paths: Sequence[Path]) -> list[Script]:
    """Parse every script; two scripts with the same file name would share outputs."""
    scripts = [load_script(p) for p in paths]
    by_slug: dict[str, str] = {}
    for s in scripts:
        slug = script_slug(s.path)
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
