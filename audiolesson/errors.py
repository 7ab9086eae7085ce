"""One error hierarchy: every error a user can cause is an AudiolessonError.

The CLI turns an AudiolessonError into one line on stderr and exit status 1.
Anything else escaping the library is a bug.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class AudiolessonError(Exception):
    """Base of every error caused by input, configuration or the environment."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column

    @property
    def location(self) -> str:
        """`path:line:column` (as much of it as is known), or an empty string."""
        if self.path is None:
            return ""
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        loc = self.location
        # A message is one line: the CLI prints exactly one line per error.
        msg = " ".join(self.message.split())
        return f"{loc}: {msg}" if loc else msg


def error_line(exc: AudiolessonError | OSError) -> str:
    """The one line a user sees for an error: `error: path:line:col: message`."""
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        text = f"{where}{exc.strerror or exc}"
    else:
        text = str(exc)
    return "error: " + " ".join(text.split())


@contextmanager
def os_errors_as(error: type[AudiolessonError], doing: str, where: str | Path) -> Iterator[None]:
    """Inside, an OSError becomes `error("<doing>: <reason>")` at the file it names, else at
    `where`: the one way a stage's file errors become ours at its boundary (mutagen's
    convert_error). A decorator too (`@os_errors_as(...)`)."""
    try:
        yield
    except OSError as exc:
        path = exc.filename if exc.filename else where
        raise error(f"{doing}: {exc.strerror or exc}", path=path) from None


class ScriptError(AudiolessonError):
    """A lesson script (or a course page being imported) is malformed."""


class ConfigError(AudiolessonError):
    """A project setting, voice file or lexicon is invalid."""


class EngineError(AudiolessonError):
    """A TTS engine failed to synthesise a turn."""


class EngineUnavailable(EngineError):  # noqa: N818 (reads better than ...Error)
    """A TTS engine cannot run on this machine; the message says how to install what is missing."""


class BuildError(AudiolessonError):
    """Building, encoding or writing an episode failed."""


class ClusterError(AudiolessonError):
    """The Ray cluster is missing, does not answer, or cannot share the project's cache."""


class DownloadError(AudiolessonError):
    """A voice could not be downloaded, or what arrived is not what the catalogue promised."""


class LockError(AudiolessonError):
    """Another build holds the project lock."""


class ScriptWarning:
    """A non-fatal problem in a script, with its location (not an exception)."""

    __slots__ = ("message", "path", "line")

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        loc = ":".join(str(p) for p in (self.path, self.line) if p is not None)
        return f"{loc}: {self.message}" if loc else self.message

    def __repr__(self) -> str:
        return f"ScriptWarning({self.message!r}, path={self.path!r}, line={self.line!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ScriptWarning) and (self.message, self.path, self.line) == (
            other.message,
            other.path,
            other.line,
        )

    def __hash__(self) -> int:
        return hash((self.message, self.path, self.line))
