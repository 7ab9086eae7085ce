"""`parse(text, path) -> Script`: pure (no I/O, no audio); errors carry path:line:column."""

from __future__ import annotations

import re

from ..errors import ScriptError, ScriptWarning
from .body import Body
from .front_matter import read_front_matter, readable_title
from .model import MAX_LINE_CHARS, MAX_SCRIPT_BYTES, Script

__all__ = ["parse"]

#: C0 and C1 control characters but the tab (line ends are split off before): nothing a voice
#: says, and ESC or BEL would reach the transcript and the terminal (`check --spoken`) raw
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x0B: "VT", 0x0C: "FF", 0x1B: "ESC",
                  0x7F: "DEL"}  # fmt: skip


def _without_controls(lines: list[str], path: str, warnings: list[ScriptWarning]) -> None:
    """Remove control characters from the lines, in place, with a warning at each line."""
    for index, line in enumerate(lines):
        found = _CONTROL.findall(line)
        if not found:
            continue
        lines[index] = _CONTROL.sub("", line)
        named = ", ".join(
            f"{_CONTROL_NAMES[ord(c)]} U+{ord(c):04X}"
            if ord(c) in _CONTROL_NAMES
            else f"U+{ord(c):04X}"
            for c in dict.fromkeys(found)
        )
        warnings.append(
            ScriptWarning(
                f"control characters removed ({named}): they cannot be spoken, and would reach "
                "the transcript and the terminal as they are",
                path,
                index + 1,
            )
        )


def _check_limits(text: str, lines: list[str], path: str) -> None:
    size = len(text) if len(text) * 4 <= MAX_SCRIPT_BYTES else len(text.encode("utf-8", "replace"))
    if size > MAX_SCRIPT_BYTES:
        raise ScriptError(
            f"script is {size / 1024 / 1024:.1f} MB, over the "
            f"{MAX_SCRIPT_BYTES // 1024 // 1024} MB limit; "
            "split it into several scripts (one episode each)",
            path=path,
        )
    for index, line in enumerate(lines):
        if len(line) > MAX_LINE_CHARS:
            raise ScriptError(
                f"line is {len(line)} characters long, over the limit of {MAX_LINE_CHARS}; "
                "break it into shorter lines or paragraphs",
                path=path,
                line=index + 1,
                column=MAX_LINE_CHARS + 1,
            )


def _final_warnings(script: Script) -> None:
    """Empty chapters and cast members who never speak."""
    chapters = script.chapters
    for i, chapter in enumerate(chapters):
        has_turns = bool(chapter.turns)
        if chapter.level == 1 and not has_turns:
            for sub in chapters[i + 1 :]:
                if sub.level == 1:
                    break
                has_turns = has_turns or bool(sub.turns)
        if not has_turns:
            script.warnings.append(
                ScriptWarning(
                    f"chapter '{chapter.title}' has nothing to say; write text under it or remove "
                    "the heading",
                    script.path,
                    chapter.line,
                )
            )
    spoken = set(script.speakers)
    for name in script.meta.cast:
        if name not in spoken:
            script.warnings.append(
                ScriptWarning(
                    f"cast member '{name}' never speaks; remove it from cast: or give it a line",
                    script.path,
                    script.meta.lines.get(f"cast.{name}"),
                )
            )


def parse(text: str, path: str = "<string>") -> Script:
    """Parse script text into a Script, or raise ScriptError(path, line, column)."""
    path = str(path)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    _check_limits(text, lines, path)
    warnings: list[ScriptWarning] = []
    _without_controls(lines, path, warnings)
    meta, first = read_front_matter(lines, path, warnings)
    if not meta.title:
        meta.title = readable_title(path)
    chapters = Body(path, meta, warnings).run(lines, first)
    script = Script(path, meta, chapters, warnings)
    _final_warnings(script)
    script.warnings.sort(key=lambda w: w.line or 0)
    return script
