"""`audiolesson verify`: hear every turn of the built episodes and list those that differ."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import BuildError, ScriptWarning
from ..export.sidecars import one_line, read_transcript
from ..files import shown_path
from ..paths import EpisodeFiles, script_slug
from ..pipeline.plan import load_scripts, plan_episode, script_paths
from ..script.model import Script
from ..speech import Entry, lexicon_from_say
from ..synth.cache import ClipCache
from ..synth.clips import CachedClips
from ..voices.cast import CastTurn, cast_script
from ..voices.library import load_lexicon
from .compare import Comparison, compare, heard_as
from .hearing import RATE, Listener, decode, split_by_turn

__all__ = ["DEFAULT_THRESHOLD", "EpisodeCheck", "TurnCheck", "verify"]

log = logging.getLogger(__name__)

#: a turn whose word error rate is over this is flagged. Whisper tiny.en mishears about one word
#: in thirty of our voices' speech, so a short turn can lose one word in five to the listener
#: alone; a word read wrongly in a ten-word turn is 0.1, a symbol read by its name far more.
DEFAULT_THRESHOLD = 0.25


@dataclass(frozen=True)
class TurnCheck:
    """One turn: where it is, who says it, what is written and what was heard."""

    path: str
    line: int | None
    speaker: str
    written: str
    heard: str
    wer: float
    #: a word the lexicon changes was heard as something else ("entry" names the entry)
    lexicon_miss: bool = False
    suggestion: str | None = None

    def report(self) -> list[str]:
        """The lines `verify` prints for a flagged turn."""
        why = " (a lexicon entry)" if self.lexicon_miss else ""
        lines = [
            f"{self.path}:{self.line}: {self.speaker}: {self.wer:.0%} word error{why}: heard "
            f'"{self.heard}" for "{self.written}"'
        ]
        if self.suggestion:
            lines.append(f"  suggestion: {self.suggestion}")
        return lines


@dataclass
class EpisodeCheck:
    """Every turn of one built episode, heard."""

    path: str
    episode: str
    threshold: float
    turns: list[TurnCheck] = field(default_factory=list)
    audio_seconds: float = 0.0
    seconds: float = 0.0  #: time spent listening

    @property
    def flagged(self) -> list[TurnCheck]:
        """Turns over the threshold or with a lexicon word heard wrongly, in script order."""
        return [t for t in self.turns if t.wer > self.threshold or t.lexicon_miss]

    @property
    def mean_wer(self) -> float:
        """Mean word error rate over the turns."""
        return sum(t.wer for t in self.turns) / len(self.turns) if self.turns else 0.0

    def summary(self) -> str:
        """One line: turns heard, flagged, mean error and the listening speed."""
        minutes = self.audio_seconds / 60
        per_minute = self.seconds / minutes if minutes else 0.0
        return (
            f"{self.path}: {len(self.turns)} turns heard, {len(self.flagged)} over "
            f"{self.threshold:.0%} word error (mean {self.mean_wer:.1%}); {minutes:.1f} min of "
            f"audio in {self.seconds:.1f} s ({per_minute:.1f} s per minute)"
        )

    def to_dict(self) -> dict[str, object]:
        """For `verify --json`."""
        return {
            "path": self.path,
            "episode": self.episode,
            "threshold": self.threshold,
            "turns": len(self.turns),
            "flagged": [asdict(t) for t in self.flagged],
            "mean_wer": round(self.mean_wer, 4),
            "audio_seconds": round(self.audio_seconds, 2),
            "seconds": round(self.seconds, 2),
            "all_turns": [asdict(t) for t in self.turns],
        }


def verify(
    config: Config,
    paths: Sequence[Path] | None = None,
    threshold: float | None = None,
    on_warning: Callable[[ScriptWarning], None] = lambda w: log.warning("%s", w),
    listener: Listener | None = None,
) -> list[EpisodeCheck]:
    """Hear the built episode of each script and compare every turn with what is written."""
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    if not 0 <= threshold <= 1:
        raise BuildError(f"--threshold is a word error rate from 0 to 1, not {threshold}")
    scripts = load_scripts([shown_path(p) for p in script_paths(config, paths)])
    clips = CachedClips(ClipCache(config.cache_dir))
    checks = []
    for script in scripts:
        turns, episode = _built_turns(script, config, clips, on_warning)
        listener = listener or Listener(threads=config.build.workers)
        checks.append(_hear(script, turns, episode, threshold, listener, config.root))
    return checks


def _built_turns(
    script: Script,
    config: Config,
    clips: CachedClips,
    on_warning: Callable[[ScriptWarning], None],
) -> tuple[list[tuple[CastTurn, float, float]], Path]:
    """Each spoken turn with its start and end in the built episode (read from the transcript)."""
    files = EpisodeFiles(config.output_dir, script_slug(script.path))
    episode, transcript = shown_path(files.mp3), shown_path(files.transcript)
    if not episode.is_file() or not transcript.is_file():
        raise BuildError(
            f"no built episode {episode}; run `audiolesson build {script.path}` first",
            path=script.path,
        )
    cast = [ct for ct in cast_script(script, config.root, cast=config.voices.cast) if ct.spoken]
    cues = [cue for cue in read_transcript(transcript) if not cue.practice]  # turns only
    for index, ct in enumerate(cast):
        cue = cues[index] if index < len(cues) else None
        if cue is None or cue.text != one_line(ct.turn.text):
            raise BuildError(
                f"{episode} was built from an older version of this turn; run `audiolesson "
                f"build {script.path}` first",
                path=script.path,
                line=ct.turn.line,
            )
    if len(cues) != len(cast):
        raise BuildError(
            f"{episode} has {len(cues)} turns, the script {len(cast)}; run `audiolesson build "
            f"{script.path}` first",
            path=script.path,
        )
    if not plan_episode(script, config, clips, force=False).up_to_date:
        on_warning(
            ScriptWarning(
                f"{episode} was built before the latest change to a voice, the lexicon or a "
                "setting: what is heard may not be what a build makes now",
                script.path,
            )
        )
    return [(ct, cue.start, cue.end) for ct, cue in zip(cast, cues, strict=True)], episode


def _hear(
    script: Script,
    turns: list[tuple[CastTurn, float, float]],
    episode: Path,
    threshold: float,
    listener: Listener,
    root: Path,
) -> EpisodeCheck:
    """Transcribe each turn's stretch of the episode and compare it with the script."""
    started = time.perf_counter()
    samples = decode(episode)
    language = script.meta.language
    lexicon = load_lexicon(root).merged(
        lexicon_from_say(script.meta.say, script.path, script.meta.lines)
    )
    check = EpisodeCheck(script.path, str(episode), threshold)
    pieces = split_by_turn(listener.words(samples), [a for _, a, _ in turns])
    heard_in = _settle(pieces, [ct.turn.text for ct, _, _ in turns], language)
    for (ct, start, end), heard in zip(turns, heard_in, strict=True):
        result = compare(ct.turn.text, heard, language)
        entries = lexicon.matches(ct.turn.text)
        if result.wer > threshold:
            names = _names(ct.turn.text, entries)
            again = _hear_alone(ct.turn.text, samples, start, end, listener, language, names)
            if again[1].errors < result.errors:
                heard, result = again
        missed = _missed_entry(result, entries, language)
        check.turns.append(
            TurnCheck(
                script.path,
                ct.turn.line,
                ct.turn.speaker or "Narrator",
                one_line(ct.turn.text),
                heard,
                round(result.wer, 4),
                missed is not None,
                _suggest(result, ct.turn.text, missed, language),
            )
        )
        check.audio_seconds += end - start
    check.seconds = time.perf_counter() - started
    return check


def _hear_alone(
    written: str,
    samples: Any,
    start: float,
    end: float,
    listener: Listener,
    language: str,
    names: str | None,
) -> tuple[str, Comparison]:
    """A second hearing of a turn over the threshold, cut out of the episode by its cue times
    and told how the turn's names are spelled: Whisper tiny bends a word toward the sentence
    before it and writes names it does not know as common words ("Claude and Tropic"). The
    better of the two hearings counts; a word said wrongly is heard wrongly both times."""
    pad = 0.1
    cut = samples[max(int((start - pad) * RATE), 0) : int((end + pad) * RATE)]
    heard = "".join(word for _, _, word in listener.words(cut, names)).strip()
    return heard, compare(written, heard, language)


def _names(written: str, entries: list[tuple[Entry, str]]) -> str | None:
    """The turn's capitalised words and acronyms, as spelling hints for Whisper; never a word a
    lexicon entry changes (that entry is what is being checked)."""
    changed = {word.lower() for _, matched in entries for word in re.findall(r"\w+", matched)}
    names = re.findall(r"\b[A-Z][\w'-]*", written)
    return " ".join(dict.fromkeys(n for n in names if n.lower() not in changed)) or None


def _settle(pieces: list[list[str]], written: list[str], language: str) -> list[str]:
    """Each turn's heard words, with up to three words moved across each turn boundary where
    that makes fewer errors in the two turns: Whisper's word times can be half a second off, so
    a turn's first word can land in the turn before and a reply's first word in the question."""
    pieces = [list(piece) for piece in pieces]
    for i in range(len(pieces) - 1):
        joined, cut = pieces[i] + pieces[i + 1], len(pieces[i])
        costs = {}
        for shift in (0, -1, 1, -2, 2, -3, 3):  # ties keep the cut nearest the times
            at = cut + shift
            if 0 <= at <= len(joined) and at not in costs:
                left = compare(written[i], "".join(joined[:at]), language).errors
                right = compare(written[i + 1], "".join(joined[at:]), language).errors
                costs[at] = left + right
        best = min(costs, key=costs.__getitem__)
        pieces[i], pieces[i + 1] = joined[:best], joined[best:]
    return ["".join(piece).strip() for piece in pieces]


def _missed_entry(
    result: Comparison, entries: list[tuple[Entry, str]], language: str
) -> tuple[Entry, str] | None:
    """The lexicon entry whose words were heard as something else than written, and what was
    heard instead, if any.

    An entry is there to make a word sound as written; heard otherwise, it is wrong (or Whisper
    cannot spell the name it respells: the author listens and decides).
    """
    for entry, matched in entries:
        words = set(heard_as(matched, language))
        for expected, heard in result.differences:
            if words & set(expected.split()):
                return entry, heard
    return None


def _suggest(
    result: Comparison, written: str, missed: tuple[Entry, str] | None, language: str
) -> str | None:
    """The lexicon entry to fix, or, where one written word was heard as another, one to add."""
    if missed is not None:
        entry, heard = missed
        path, _, line = entry.where.rpartition(":")
        return (
            f'{shown_path(Path(path))}:{line}: "{entry.written}" = "{entry.text}" is heard as '
            f'"{heard or "nothing"}"; correct or remove that entry'
        )
    if result.one_word is None:
        return None
    expected, heard = result.one_word
    for word in re.findall(r"[^\s]+", written):
        word = word.strip(".,;:!?\"'()[]{}“”‘’*_`")
        if word and expected in heard_as(word, language):
            return (
                f'"{word}" is heard as "{heard}": add "{word}" = "<how it sounds>" to '
                "voices/lexicon.toml (or the script's say:)"
            )
    return None
