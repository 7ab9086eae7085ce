"""`audiolesson check`: parse scripts, summarise them, collect warnings and errors (no printing)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ScriptError, ScriptWarning
from ..files import shown_path
from .layout import PRACTICE_CUE_SECONDS, Gap, Practice, lay_out, practice_seconds
from .loader import find_scripts, load_script
from .model import Pause, Script, Sound, Turn, YourTurn

__all__ = [
    "WORDS_PER_MINUTE",
    "ScriptCheck",
    "Summary",
    "check_scripts",
    "estimate_seconds",
    "script_to_dict",
    "summarize",
]

log = logging.getLogger(__name__)

WORDS_PER_MINUTE = 150  #: speaking rate used for the length estimate


@dataclass(frozen=True)
class Summary:
    """What a script amounts to: counts and an estimated length."""

    chapters: int
    turns: int
    speakers: list[str]
    words: int
    minutes: float
    practice: int = 0  #: practice points (`[your turn]`)

    def line(self) -> str:
        """'3 chapters, 24 turns, 4 speakers, 512 words, ~3.6 min' (and 'N practice points'
        before the length when there are any)."""

        def count(n: int, noun: str) -> str:
            return f"{n} {noun}{'' if n == 1 else 's'}"

        practice = [count(self.practice, "practice point")] if self.practice else []
        return ", ".join(
            [
                count(self.chapters, "chapter"),
                count(self.turns, "turn"),
                count(len(self.speakers), "speaker"),
                count(self.words, "word"),
                *practice,
                f"~{self.minutes:.1f} min",
            ]
        )


@dataclass
class ScriptCheck:
    """The outcome of checking one script: the parsed script or the error that stopped it."""

    path: str
    script: Script | None = None
    error: ScriptError | None = None
    summary: Summary | None = field(default=None)
    spoken: list[str] | None = None  #: each turn's spoken form, when the check asked for them

    def failed(self, strict: bool = False) -> bool:
        """True on an error, or on any warning when strict."""
        return self.error is not None or (strict and bool(self.script and self.script.warnings))

    def problems(self, strict: bool = False) -> list[str]:
        """One line per problem, ready for stderr: errors, then warnings (errors when strict)."""
        if self.error is not None:
            return [f"error: {self.error}"]
        warnings = self.script.warnings if self.script else []
        lines = []
        for w in warnings:
            where = ":".join(str(part) for part in (w.path, w.line) if part is not None)
            lines.append(
                f"error: {where}: {w.message}" if strict else f"{where}: warning: {w.message}"
            )
        return lines

    def report_line(self) -> str | None:
        """'path: summary' for a script that parsed, else None."""
        return f"{self.path}: {self.summary.line()}" if self.summary else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: path, error, summary and the parsed structure."""
        out: dict[str, Any] = {"path": self.path, "error": None, "summary": None}
        if self.error is not None:
            e = self.error
            out["error"] = {"message": e.message, "line": e.line, "column": e.column}
        if self.summary is not None:
            out["summary"] = asdict(self.summary)
        if self.script is not None:
            out.update(script_to_dict(self.script, self.spoken))
        return out

    def practice_lines(self) -> list[str]:
        """'path:line: your turn (~4 s) after "question"' for each practice point, with the
        gap's length as the build will make it (estimated from the answer's words)."""
        if self.script is None:
            return []
        lines = []
        for card in self.script.cards:
            seconds = practice_seconds(speech_seconds(card.answer.text), card.gap.seconds)
            length = f"{seconds:g} s" if card.gap.seconds is not None else f"~{seconds:.0f} s"
            lines.append(
                f"{self.path}:{card.gap.line}: your turn ({length}) after "
                f'"{_shorten(card.question.text)}"; answer at line {card.answer.line}'
            )
        return lines

    def spoken_lines(self) -> list[str]:
        """'path:line: Speaker: spoken form' for each turn said differently from its text."""
        if self.script is None or self.spoken is None:
            return []
        return [
            f"{self.path}:{t.line}: {t.speaker or 'Narrator'}: {said or '(nothing to say)'}"
            for t, said in zip(self.script.turns, self.spoken, strict=True)
            if said != t.text
        ]


def _shorten(text: str, limit: int = 60) -> str:
    """The text, cut to about `limit` characters at a word."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "..."


def speech_seconds(text: str) -> float:
    """How long text takes to say at WORDS_PER_MINUTE."""
    return len(text.split()) * 60 / WORDS_PER_MINUTE


def estimate_seconds(script: Script) -> float:
    """Speech at WORDS_PER_MINUTE plus every pause the episode will have (`layout.lay_out`, as the
    build lays them out); a sound cue's length is known only once its file is decoded. A
    practice gap is its cue and as long as its answer takes at that rate."""
    seconds = 0.0
    for chapter in lay_out(script):
        for item in chapter:
            if isinstance(item, Gap):
                seconds += item.seconds
            elif isinstance(item, Practice):
                answer = speech_seconds(item.answer.text)
                seconds += PRACTICE_CUE_SECONDS + practice_seconds(answer, item.seconds)
            elif isinstance(item, Turn):
                seconds += speech_seconds(item.text)
    return seconds


def summarize(script: Script) -> Summary:
    """Counts and estimated minutes of a parsed script."""
    return Summary(
        chapters=len(script.chapters),
        turns=len(script.turns),
        speakers=script.speakers,
        words=sum(len(t.text.split()) for t in script.turns),
        minutes=round(estimate_seconds(script) / 60, 2),
        practice=len(script.cards),
    )


def script_to_dict(script: Script, spoken: list[str] | None = None) -> dict[str, Any]:
    """The parsed structure as plain data: metadata, chapters with their items, warnings.

    With `spoken` (one spoken form per turn, in script.turns order) each turn shows it.
    """
    said = dict(zip(map(id, script.turns), spoken, strict=True)) if spoken is not None else {}

    def item(i: Turn | Pause | Sound | YourTurn) -> dict[str, Any]:
        if isinstance(i, Pause):
            return {"type": "pause", "seconds": i.seconds, "line": i.line}
        if isinstance(i, YourTurn):
            return {"type": "your_turn", "seconds": i.seconds, "line": i.line}
        if isinstance(i, Sound):
            return {"type": "sound", "path": i.path, "line": i.line}
        return {
            "type": "turn",
            "speaker": i.speaker,
            "text": i.text,
            **({"spoken": said[id(i)]} if said else {}),
            "line": i.line,
        }

    return {
        "meta": asdict(script.meta),
        "chapters": [
            {
                "title": c.title,
                "level": c.level,
                "line": c.line,
                "music": asdict(c.music) if c.music else None,
                "items": [item(i) for i in c.items],
            }
            for c in script.chapters
        ],
        "cards": [
            {"question": c.question.text, "answer": c.answer.text, "line": c.gap.line}
            for c in script.cards
        ],
        "warnings": [{"message": w.message, "line": w.line} for w in script.warnings],
    }


#: a script's spoken form per turn and the warnings found making them (voices.cast.spoken_turns)
Speaker = Callable[[Script], tuple[list[str], list[ScriptWarning]]]


def check_scripts(
    paths: Iterable[str | Path] | None, root: str | Path, speak: Speaker | None = None
) -> list[ScriptCheck]:
    """Parse each script (default: every script in root/scripts/); one ScriptCheck per script.

    With `speak`, each script's spoken forms are made too, and their warnings join the script's.
    """
    chosen = list(paths) if paths else [shown_path(p) for p in find_scripts(root)]
    if not chosen:
        raise ScriptError(
            "no .md scripts here to check; pass script paths or add scripts to scripts/",
            path=Path(root) / "scripts",
        )
    results = []
    for path in chosen:
        try:
            script = load_script(path)
        except ScriptError as exc:
            log.debug("%s failed: %s", path, exc)
            results.append(ScriptCheck(str(path), error=exc))
            continue
        spoken = None
        if speak is not None:
            try:
                spoken, warnings = speak(script)
            except ScriptError as exc:  # a bad `say` entry, for example
                results.append(ScriptCheck(str(path), error=exc))
                continue
            script.warnings.extend(warnings)
        results.append(ScriptCheck(str(path), script, summary=summarize(script), spoken=spoken))
    return results
