"""Files: reading a user's text and TOML files safely, writing outputs atomically.

Reading: binary, non-UTF-8, UTF-16, huge and unreadable files become one-line errors with
path:line:column; a BOM is stripped and line ends become LF. Writing: a temporary file in the
same folder, fsync, then one rename, so a reader (a podcast app, a later build) sees the old file
or the new one, never a half-written one; a failure or a kill leaves the old file in place and
no stray temporary file behind. Several files that belong together commit in a stated order.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import stat
import tempfile
import tomllib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO

from .errors import AudiolessonError, ConfigError, ScriptError

log = logging.getLogger(__name__)

#: a user's text file (script, course page, voice file, lexicon) larger than this is refused
MAX_TEXT_BYTES = 5 * 1024 * 1024

#: mkstemp makes files 0600; outputs and scripts are ordinary, shareable files
FILE_MODE = 0o644


def _temp_beside(target: Path) -> tuple[int, str]:
    """A new temporary file in target's folder (fd, path). If it cannot be made, the OSError
    names the folder: a temporary file that never came to be means nothing to a user."""
    try:
        return tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(target.parent)) from exc


def _rename(tmp: str | Path, target: Path) -> None:
    """Move a finished temporary file onto its target; an OSError names the target."""
    try:
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(target)) from exc


@contextmanager
def atomic_writer(path: Path, *, durable: bool = True) -> Iterator[IO[bytes]]:
    """A binary file handle whose contents replace `path` only if the block finishes. With
    `durable` (the default) the contents reach the disk before the rename; without it, a crash
    may leave the file empty or short (for what is measured again when it does not parse)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temp_beside(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        _rename(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> Path:
    """Replace path's contents with data, whole or not at all (see atomic_writer's `durable`)."""
    with atomic_writer(path, durable=durable) as fh:
        fh.write(data)
    return Path(path)


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write data atomically unless path already holds exactly that (its mtime then stays)."""
    path = Path(path)
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return False
    write_atomic(path, data)
    return True


class StagedFiles:
    """Temporary files beside their targets that replace them together, in a stated order.

    `atomic_writer` makes one file whole or untouched; an episode (MP3 + transcript + chapters)
    or an encoded block (MP3 + loudness data + index) is several files whose last rename is the
    commit point a later build trusts. Writers fill `temp(target)`, then `commit()` renames in
    the order the targets were given; anything not committed is removed.
    """

    def __init__(self, targets: Sequence[Path]) -> None:
        self.targets = [Path(t) for t in targets]
        self._temps: dict[Path, Path] = {}

    def temp(self, target: Path) -> Path:
        """The temporary file standing in for `target` (created empty on first use)."""
        target = Path(target)
        if target not in self.targets:
            raise ValueError(f"{target} is not one of the staged files")
        if target not in self._temps:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = _temp_beside(target)
            os.close(fd)
            self._temps[target] = Path(tmp)
        return self._temps[target]

    def commit(self, after: Callable[[Path], None] | None = None) -> None:
        """Rename every written temporary file onto its target, in order; `after(target)` follows
        each rename (the crash tests stop a build between two renames there)."""
        for target in self.targets:
            tmp = self._temps.pop(target, None)
            if tmp is None:
                continue
            _rename(tmp, target)
            if after is not None:
                after(target)

    def discard(self) -> None:
        """Remove the temporary files not committed."""
        for tmp in self._temps.values():
            tmp.unlink(missing_ok=True)
        self._temps.clear()


@contextmanager
def staged_files(*targets: Path) -> Iterator[StagedFiles]:
    """Stage several files; whatever the block leaves uncommitted (an error, a kill) is removed."""
    staged = StagedFiles(targets)
    try:
        yield staged
    finally:
        staged.discard()


def sha256_of(*paths: Path) -> str:
    """sha256 hex over the files' bytes, in order, read in 1 MB blocks."""
    digest = hashlib.sha256()
    for path in paths:
        with Path(path).open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):  # noqa: B023 (used at once)
                digest.update(block)
    return digest.hexdigest()


#: errors meaning "this kernel or file system cannot copy these two files itself": try the next way
_NO_KERNEL_COPY = {errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL, errno.ENOTSUP}


def append_file(out: int, source: Path) -> int:
    """Append all of `source` to the file open at descriptor `out` (at its position); the bytes.

    The kernel copies them (copy_file_range, else sendfile): no pass through Python, and a file
    system that shares extents may share them. Where neither works (another OS, two file systems
    the kernel will not copy between), the bytes go through a 1 MB buffer.
    """
    with Path(source).open("rb") as src:
        size, done = os.fstat(src.fileno()).st_size, 0
        for copy in (_copy_file_range, _sendfile):
            try:
                while done < size and (n := copy(src.fileno(), out, done, size - done)):
                    done += n
            except OSError as exc:
                if exc.errno not in _NO_KERNEL_COPY:
                    raise
                continue  # the next way carries on from `done`: the positions are exact
            if done >= size:
                return done
        src.seek(done)
        with open(out, "wb", buffering=0, closefd=False) as dest:
            while block := src.read(1 << 20):
                dest.write(block)
                done += len(block)
    return done


def _copy_file_range(src: int, out: int, offset: int, count: int) -> int:
    if not hasattr(os, "copy_file_range"):
        raise OSError(errno.ENOSYS, "no copy_file_range")
    return os.copy_file_range(src, out, count, offset)


def _sendfile(src: int, out: int, offset: int, count: int) -> int:
    if not hasattr(os, "sendfile"):
        raise OSError(errno.ENOSYS, "no sendfile")
    return os.sendfile(out, src, offset, count)


#: what a FIFO, socket or device is, where a file is read (one open of it could wait forever)
NOT_REGULAR = "is not a regular file (a FIFO, socket or device)"


class NotRegularFile(OSError):  # noqa: N818 - an OSError, as FileNotFoundError is
    """A path that names a FIFO, socket or device where a file is to be read."""


def open_regular(path: str | Path) -> BinaryIO:
    """`path` opened for reading in binary, only if it is a regular file: the one way a user's
    file is opened. O_NONBLOCK makes opening a FIFO return at once (without it, the open waits
    for a writer forever); fstat then says what was opened. NotRegularFile (an OSError) for a
    FIFO, socket or device, IsADirectoryError for a folder."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
        if not stat.S_ISREG(mode):
            raise NotRegularFile(errno.EINVAL, f"it {NOT_REGULAR}; pass a file", str(path))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based (line, column in characters) of a byte offset; CRLF, CR and LF all end lines."""
    before = data[:offset].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    line_start = before.rfind(b"\n") + 1
    return before.count(b"\n") + 1, len(before[line_start:].decode("utf-8", "replace")) + 1


def read_text(
    path: str | Path,
    what: str = "script",
    *,
    error: type[AudiolessonError] = ScriptError,
    limit: int = MAX_TEXT_BYTES,
) -> str:
    """A user's text file as str with LF line ends and no BOM; raises `error` if it cannot be."""
    path = Path(path)
    try:
        if path.is_dir():
            raise error(f"is a folder, not a {what} file; pass the file's path", path=path)
        with open_regular(path) as f:
            data = f.read(limit + 1)
    except FileNotFoundError:
        raise error(f"no such {what} file; check the path", path=path) from None
    except PermissionError:
        raise error(
            f"cannot read the {what}: permission denied; check the file's permissions", path=path
        ) from None
    except OSError as exc:
        raise error(f"cannot read the {what}: {exc.strerror or exc}", path=path) from None
    if len(data) > limit:
        raise error(
            f"{what} is larger than the {limit // 1024 // 1024} MB limit; split it into several "
            "files (one episode each)",
            path=path,
        )
    if data.startswith(_UTF16_BOMS):
        raise error(f"{what} is UTF-16 text; save it as UTF-8", path=path, line=1, column=1)
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _position(data, nul)
        raise error(
            f"binary file (NUL byte), not a text {what}; pass a UTF-8 text file",
            path=path,
            line=line,
            column=column,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
        raise error(
            f"invalid UTF-8 (byte 0x{data[exc.start]:02X}); save the {what} as UTF-8",
            path=path,
            line=line,
            column=column,
        ) from None
    log.debug("read %s (%d bytes)", path, len(data))
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


_TOML_KEY = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""")
_TOML_HEADER = re.compile(r"\s*\[\s*([A-Za-z0-9_\"'.-]+)\s*\]\s*(?:#.*)?$")


def toml_key_lines(text: str) -> dict[tuple[str | None, str], int]:
    """(section, key) -> line of every `key = ...`, for error messages; quoted keys are decoded.

    A dotted key at the top ("say.x = ...") counts as key "x" of section "say".
    """
    lines: dict[tuple[str | None, str], int] = {}
    section = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TOML_HEADER.match(line)
        if header:
            section = header.group(1).strip("\"'")
            continue
        key = _TOML_KEY.match(line)
        if not key:
            continue
        try:
            name = next(iter(tomllib.loads(f"{key.group(1)} = 0")))
        except tomllib.TOMLDecodeError:
            continue
        lines.setdefault((section, name), number)
        if section is None and "." in key.group(1) and key.group(1)[0] not in "\"'":
            head, _, tail = key.group(1).partition(".")
            lines.setdefault((head, tail), number)
    return lines


def toml_key_line(text: str, key: str, section: str | None = None) -> int | None:
    """The line where `key = ...` is written (inside [section] if given), for error messages."""
    return toml_key_lines(text).get((section, key))


def read_toml(
    path: Path, what: str = "TOML file", syntax: str = "TOML syntax error"
) -> tuple[dict[str, Any], str]:
    """Parse a TOML file (and return its text); errors become ConfigErrors with path:line:column.

    `syntax` starts the message of a syntax error.
    """
    # read_text refuses binary, non-UTF-8 and huge files with path:line:column and strips a BOM
    text = read_text(path, what, error=ConfigError)
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        where = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        reason = re.sub(r"\s*\(at .*?\)", "", msg) or "invalid TOML"
        raise ConfigError(
            f"{syntax}: {reason}",
            path=path,
            line=int(where.group(1)) if where else None,
            column=int(where.group(2)) if where else None,
        ) from exc


def shown_path(path: Path) -> Path:
    """The path relative to the current folder when it is inside it (shorter messages)."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path
