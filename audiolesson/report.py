"""How the CLI shows build events: a rich progress bar, plain lines, or one JSON object per line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .pipeline.build import BuildResult
from .pipeline.events import (
    EpisodeUnchanged,
    EpisodeWritten,
    Event,
    Planned,
    Published,
    Started,
    Synthesized,
    Warned,
)
from .pipeline.watch import Rebuilt


class BuildReporter:
    """Turns pipeline events into terminal output (CLI side: the library itself never prints)."""

    def __init__(self, *, json_lines: bool = False, quiet: bool = False) -> None:
        self.json_lines = json_lines
        self.quiet = quiet
        self.progress: Any = None
        self.task: Any = None

    def __enter__(self) -> BuildReporter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()

    def _stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def _line(self, text: str) -> None:
        if self.quiet:
            return
        if self.progress is not None:
            self.progress.console.print(text, highlight=False, markup=False)
        else:
            print(text, flush=True)

    def event(self, event: Event) -> None:
        """Handle one pipeline event."""
        if self.json_lines:
            print(json.dumps(event.to_json(), ensure_ascii=False), flush=True)
            return
        if isinstance(event, Warned):  # on stderr, as `check` shows it, even with --quiet
            where = ":".join(str(p) for p in (event.script, event.line) if p is not None)
            print(f"{where}: warning: {event.message}", file=sys.stderr, flush=True)
        elif isinstance(event, Planned) and not event.up_to_date and event.to_synthesize:
            self._line(
                f"{event.script}: {event.to_synthesize} of {event.turns} turns to "
                f"synthesise (about {event.estimated_audio_seconds:.0f} s of speech)"
            )
        elif isinstance(event, Started) and event.to_synthesize and not self.quiet:
            self._start_progress(event.to_synthesize)
        elif isinstance(event, Synthesized):
            if self.progress is not None:
                self.progress.advance(self.task)
            if event.error:
                self._line(f"{event.script}:{event.line}: {event.error}")
        elif isinstance(event, EpisodeWritten):
            self._stop()
            self._line(
                f"wrote {event.path} ({event.duration / 60:.1f} min, "
                f"{event.chapters_with_new_blocks} chapters encoded, "
                f"{event.chapters_reused} reused)"
            )
        elif isinstance(event, EpisodeUnchanged):
            self._line(f"{event.episode}: up to date")
        elif isinstance(event, Published):
            for f in event.files:
                self._line(f"wrote {f}")

    def _start_progress(self, total: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("synthesising"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("turns"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            transient=True,
            console=None,
        )
        self.task = self.progress.add_task("synth", total=total)
        self.progress.start()

    def finish(self, result: BuildResult, *, plan_only: bool) -> None:
        """The summary: the last JSON line, or one sentence."""
        self._stop()
        if self.json_lines:
            summary = result.summary().to_json()
            if plan_only:
                summary["plan"] = True
                summary["audio_seconds_planned"] = round(result.audio_seconds_planned, 1)
            print(json.dumps(summary, ensure_ascii=False), flush=True)
            return
        if self.quiet:
            return
        if plan_only:
            todo = sum(planned.to_synthesize for planned in result.plan)
            print(
                f"plan: {todo} turns to synthesise (about {result.audio_seconds_planned:.0f} s of "
                f"speech), {result.turns_cached} cached; nothing was built",
                file=sys.stdout,
            )
            return
        print(
            f"{_count(len(result.episodes_written), 'episode')} written, "
            f"{len(result.episodes_unchanged)} unchanged; "
            f"{_count(result.turns_synthesized, 'turn')} synthesised, "
            f"{result.turns_cached} from the cache; {result.seconds:.1f} s"
        )


class WatchReporter:
    """`--watch` in the terminal: what was saved, each build as usual, a failure as its line."""

    def __init__(self, root: Path, *, json_lines: bool = False, quiet: bool = False) -> None:
        self.root = root.resolve()
        self.json_lines = json_lines
        self.quiet = quiet
        self.build = BuildReporter(json_lines=json_lines, quiet=quiet)

    def started(self, changes: tuple[Path, ...]) -> None:
        """A rebuild begins: name the saved files."""
        self.build = BuildReporter(json_lines=self.json_lines, quiet=self.quiet)
        if changes and not (self.quiet or self.json_lines):
            names = [str(p.relative_to(self.root)) if p.is_relative_to(self.root) else str(p)
                     for p in changes]  # fmt: skip
            more = f" and {len(names) - 3} more" if len(names) > 3 else ""
            print(f"changed: {', '.join(names[:3])}{more}", flush=True)

    def event(self, event: Event) -> None:
        """A build event."""
        self.build.event(event)

    def finished(self, rebuilt: Rebuilt) -> None:
        """The build's summary, or its one-line error on stderr; then say what happens next."""
        self.build.__exit__()
        if rebuilt.error is not None:
            print(rebuilt.error_line, file=sys.stderr, flush=True)
        elif rebuilt.result is not None:  # a rebuild has one or the other
            self.build.finish(rebuilt.result, plan_only=False)
        if not (self.quiet or self.json_lines):
            print("watching for changes; Ctrl+C stops", flush=True)


def _count(n: int, noun: str) -> str:
    """`1 turn`, `2 turns`."""
    return f"{n} {noun}{'' if n == 1 else 's'}"
