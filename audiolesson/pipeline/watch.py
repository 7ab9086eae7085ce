"""`build --watch` and `serve --watch`: rebuild after every save, tell open pages.

Watcher threads (watchfiles) put the project files that changed into `Changes`; the loop takes
them once the saves have stopped for a moment, so several saves make one rebuild, and saves
during a rebuild make exactly one more. `build()` redoes only what changed (content keys).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..config import CONFIG_FILE, Config, Overrides, load_config
from ..errors import AudiolessonError, error_line
from ..publish.live import LiveChannel
from ..script.loader import SCRIPTS_DIR
from ..voices.library import VOICES_DIR
from .build import BuildResult, build
from .events import Event

__all__ = ["Changes", "Rebuilt", "WatchListener", "is_watched", "watch_project"]

log = logging.getLogger(__name__)

QUIET_SECONDS = 0.3  #: saves this close together make one rebuild
MAX_WAIT_SECONDS = 2.0  #: ... but a rebuild starts at most this long after the first save
POLL_SECONDS = 0.5  #: how often the loop looks at its stop flag while nothing changes
DEBOUNCE_MS = 400  #: watchfiles gathers changes this long before reporting them
#: a replaced watcher runs on this long beside its successor (a stopped watcher drops what it
#: has gathered but not yet reported)
HANDOVER_SECONDS = 3 * DEBOUNCE_MS / 1000
SOUND_FILES = {".wav", ".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".aif", ".aiff"}
IMAGE_FILES = {".png", ".jpg", ".jpeg", ".webp"}
#: folders never watched: tools' environments and caches (a .venv is hidden already)
SKIPPED_DIRS = {"__pycache__", "node_modules", "site-packages", "venv", "env"}
#: editors' temporary and backup files
_SCRATCH = ("~", ".swp", ".swx", ".tmp", ".part", ".crdownload")


@dataclass(frozen=True)
class Rebuilt:
    """One rebuild: the saves that caused it (none for the first), and its result or error."""

    changes: tuple[Path, ...]
    result: BuildResult | None = None
    error: AudiolessonError | OSError | None = None

    @property
    def error_line(self) -> str | None:
        """The usual one-line error (`error: path:line:col: message`), or None."""
        return None if self.error is None else error_line(self.error)


class WatchListener(Protocol):
    """What the watch loop reports (the CLI prints it; tests record it)."""

    def started(self, changes: tuple[Path, ...]) -> None:
        """A rebuild begins."""

    def event(self, event: Event) -> None:
        """A build event, as `build(on_event=)` gives it."""

    def finished(self, rebuilt: Rebuilt) -> None:
        """A rebuild ended, built or failed."""


class Changes:
    """Files saved since the last rebuild; several saves in a row come out as one batch."""

    def __init__(self) -> None:
        self._ready = threading.Condition()
        self._paths: set[Path] = set()
        self._last = 0.0

    def add(self, paths: Sequence[Path]) -> None:
        """Note saved files (called from watcher threads)."""
        if not paths:
            return
        with self._ready:
            self._paths.update(paths)
            self._last = time.monotonic()
            self._ready.notify_all()

    def take(
        self, timeout: float, quiet: float = QUIET_SECONDS, max_wait: float = MAX_WAIT_SECONDS
    ) -> set[Path]:
        """Wait up to timeout for a save, then until `quiet` s pass without one (at most
        `max_wait` s); return every file saved so far and forget them. Empty after timeout."""
        with self._ready:
            ends = time.monotonic() + timeout
            while not self._paths:
                left = ends - time.monotonic()
                if left <= 0:
                    return set()
                self._ready.wait(left)
            latest = time.monotonic() + max_wait
            while (idle := time.monotonic() - self._last) < quiet:
                left = min(quiet - idle, latest - time.monotonic())
                if left <= 0:
                    break
                self._ready.wait(left)
            taken, self._paths = self._paths, set()
            return taken


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def is_watched(path: Path, root: Path, config: Config, scripts: Sequence[Path] = ()) -> bool:
    """Whether a save of path can change an episode: scripts, voices, the project config,
    sound and image files; never output/, the cache, hidden files or an editor's scratch."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        return False
    name = path.name
    if not rel.parts or any(part.startswith(".") for part in rel.parts):
        return False
    if name.endswith(_SCRATCH) or name.startswith("#") or name == "4913":  # vim's probe file
        return False
    if any(_inside(path, d) for d in (config.output_dir, config.cache_dir, config.state_dir)):
        return False
    top = rel.parts[0]
    if rel == Path(CONFIG_FILE) or top == VOICES_DIR or path in scripts:
        return True
    if top == SCRIPTS_DIR and path.suffix == ".md":
        return True
    if len(rel.parts) == 1 and path.is_dir():  # a new folder: its files may matter
        return True
    return path.suffix.lower() in SOUND_FILES | IMAGE_FILES


def _folders(root: Path, config: Config) -> list[Path]:
    """The project's top-level folders worth watching (recursively)."""
    skip = {config.output_dir, config.cache_dir, config.state_dir}
    found = []
    for entry in sorted(root.iterdir()):
        if not entry.is_dir() or entry.name.startswith(".") or entry.name in SKIPPED_DIRS:
            continue
        if entry.resolve() in skip or (entry / "pyvenv.cfg").is_file():
            continue
        found.append(entry)
    return found


class _Watcher:
    """Two kinds of watchfiles watcher: one on the project folder itself, not recursively (it may
    hold a virtualenv or a whole repository), for as long as the watch lasts; and one on its
    other top-level folders, recursively. When the set of those folders changes (one came or went
    at the top), a watcher on the new set starts and the old one stops a little later, so no save
    is missed in between (a save seen by both counts once). `output/` or the cache appearing changes
    nothing: the top-level watcher alone sees them, and no watcher restarts."""

    def __init__(
        self,
        root: Path,
        config: Callable[[], Config],
        scripts: Sequence[Path],
        changes: Changes,
    ) -> None:
        self.root, self.config, self.scripts, self.changes = root, config, scripts, changes
        self.stopped = threading.Event()
        self._deep: tuple[list[Path], threading.Event, threading.Thread] | None = None
        self._thread = threading.Thread(target=self._run, name="audiolesson-watch", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop watching (watchfiles looks at its stop event every step, ~50 ms)."""
        self.stopped.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        self._refresh()
        while not self.stopped.is_set():
            self._watch([self.root], False, self.stopped)
        if self._deep is not None:
            self._deep[2].join(timeout=5)

    def _refresh(self) -> None:
        """Watch the current top-level folders: start a watcher on a new set, then stop the old."""
        folders = _folders(self.root, self.config())
        old = self._deep
        if old is not None and old[0] == folders:
            return
        self._deep = None
        if folders:
            done = threading.Event()
            thread = threading.Thread(
                target=self._watch_deep, args=(folders, done), name="audiolesson-watch-deep"
            )
            thread.daemon = True
            thread.start()
            self._deep = (folders, done, thread)
        if old is not None:  # after its debounce: a save it already saw still comes out
            stop_old = threading.Timer(HANDOVER_SECONDS, old[1].set)
            stop_old.daemon = True
            stop_old.start()

    def _watch_deep(self, folders: list[Path], done: threading.Event) -> None:
        until = _Either(self.stopped, done)
        while not until.is_set():
            self._watch(folders, True, until)

    def _watch(self, paths: list[Path], recursive: bool, until: _Stop) -> None:
        """Feed one watcher's saves into `changes` until stopped."""
        import watchfiles

        try:
            for batch in watchfiles.watch(
                *paths,
                watch_filter=None,
                stop_event=until,
                recursive=recursive,
                rust_timeout=1000,
                debounce=DEBOUNCE_MS,
                ignore_permission_denied=True,
            ):
                config = self.config()
                saved = [Path(p) for _, p in batch]
                wanted = [p for p in saved if is_watched(p, self.root, config, self.scripts)]
                self.changes.add(wanted)
                if not recursive and any(p.parent == self.root and not p.is_file() for p in saved):
                    self._refresh()  # a folder came or went at the top: watch the new set
        except OSError as exc:  # a folder vanished while the watcher started: look again
            log.debug("watcher restarts: %s", exc)
            time.sleep(0.2)
            if not recursive:
                self._refresh()


class _Stop(Protocol):
    """What watchfiles asks of its stop event."""

    def is_set(self) -> bool:
        """True once the watcher should stop."""
        ...


class _Either:
    """Set when either event is (watchfiles only calls `is_set()`)."""

    def __init__(self, *events: threading.Event) -> None:
        self.events = events

    def is_set(self) -> bool:
        """True once any of the events is set."""
        return any(e.is_set() for e in self.events)


def watch_project(
    root: Path,
    scripts: Sequence[Path] | None = None,
    *,
    overrides: Overrides | None = None,
    force: bool = False,
    strict: bool = False,
    listener: WatchListener | None = None,
    live: LiveChannel | None = None,
    stop: threading.Event | None = None,
    build_fn: Callable[..., BuildResult] = build,
) -> None:
    """Build, then rebuild after every save until `stop` is set or Ctrl+C.

    Each rebuild reloads audiolesson.toml and calls `build_fn` (`build`; `force` applies to
    the first build only). A failure is reported (listener, live pages) and the loop goes on:
    output/ keeps the last good episodes. Pages on `live` hear `building`, then `ready`, or
    `failed` with the error line.
    """
    root = root.resolve()
    stop = stop or threading.Event()
    named = [p.resolve() for p in scripts or ()]
    changes = Changes()
    config = [_config_or_default(root, overrides)]  # what the watcher filters with
    watcher = _Watcher(root, lambda: config[0], named, changes)

    def rebuild(saved: tuple[Path, ...]) -> None:
        if listener is not None:
            listener.started(saved)
        if live is not None:
            live.announce("building")
        try:
            current = load_config(root, overrides)
            config[0] = current
            result = build_fn(
                current,
                scripts,
                force=force and not saved,
                strict=strict,
                on_event=listener.event if listener is not None else None,
            )
            outcome = Rebuilt(saved, result=result)
        except (AudiolessonError, OSError) as exc:
            outcome = Rebuilt(saved, error=exc)
        if live is not None:
            live.announce("failed" if outcome.error else "ready", outcome.error_line)
        if listener is not None:
            listener.finished(outcome)

    try:
        rebuild(())
        while not stop.is_set():
            saved = changes.take(POLL_SECONDS)
            if saved:
                rebuild(tuple(sorted(saved)))
    except KeyboardInterrupt:
        log.info("stopped watching")
    finally:
        watcher.close()


def _config_or_default(root: Path, overrides: Overrides | None) -> Config:
    """The project config, or the defaults while audiolesson.toml is broken."""
    try:
        return load_config(root, overrides)
    except AudiolessonError:
        return Config(root=root)
