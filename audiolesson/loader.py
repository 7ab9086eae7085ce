"""Reading user files safely (scripts, course pages, voice files, lexicons) and finding scripts."""

from __future__ import annotations

import logging
import re
import tomllib
from pathlib import Path
from typing import Any

from .errors import AudiolessonError, ConfigError, ScriptError
from .script import MAX_SCRIPT_BYTES, Script, parse

__all__ = ["find_scripts", "load_script", "read_text", "read_toml", "toml_key_line"]

log = logging.getLogger(__name__)

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
    limit: int = MAX_SCRIPT_BYTES,
) -> str:
    """A user's text file as str with LF line ends and no BOM; raises `error` if it cannot be."""
    path = Path(path)
    try:
        if path.is_dir():
            raise error(f"is a folder, not a {what} file; pass the file's path", path=path)
        with path.open("rb") as f:
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


def toml_key_line(text: str, key: str, section: str | None = None) -> int | None:
    """The line where `key = ...` is written (inside [section] if given), for error messages."""
    current = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"\[\s*([^\]]+?)\s*\]", stripped)
        if header:
            current = header.group(1).strip("\"'")
            continue
        written = re.match(r"([A-Za-z0-9_.\"'\- ]+?)\s*=", stripped)
        if not written:
            continue
        name = written.group(1).strip().strip("\"'")
        if current == section and name == key:
            return number
        if section and current is None and name == f"{section}.{key}":
            return number
    return None


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


def load_script(path: str | Path) -> Script:
    """Read and parse one script file; a script with no turns is an error (check and build)."""
    script = parse(read_text(path, "script"), str(path))
    if not script.turns:
        raise ScriptError(
            "nothing to say: the script has no turns; write some text below the front matter "
            "(comments, headings and pauses alone are not spoken) or remove the file",
            path=path,
        )
    return script


def find_scripts(root: str | Path) -> list[Path]:
    """The project's scripts: root/scripts/*.md, sorted by name."""
    folder = Path(root) / "scripts"
    return sorted(p for p in folder.glob("*.md") if p.is_file())
