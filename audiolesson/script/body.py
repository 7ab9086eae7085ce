"""The script body: chapters, speaker turns, narration, pauses, sounds and practice gaps
(`[your turn]`); comments and code are never spoken, except that `<!-- music: ... -->` on its
own line after a heading sets that chapter's music."""

from __future__ import annotations

import re

from ..errors import ScriptError, ScriptWarning
from .inline import reduce_inline
from .model import (
    MAX_PAUSE_SECONDS,
    Chapter,
    Metadata,
    Music,
    Pause,
    Sound,
    Turn,
    YourTurn,
    parse_seconds,
)

__all__ = ["Body"]

_FENCE_RE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_QUOTE_RE = re.compile(r"(?:>[ \t]?)+")
_LIST_RE = re.compile(r"(?:[-*+]|[0-9]{1,9}[.)])[ \t]+")
_HEADING_RE = re.compile(r"(#{1,6})(?=[ \t]|$)")
_CLOSING_HASHES_RE = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
_PAUSE_START_RE = re.compile(r"\[pause(?![\w-])", re.IGNORECASE)
_PAUSE_RE = re.compile(r"\[pause[ \t]+([^\]]*?)[ \t]*\][ \t]*", re.IGNORECASE)
_SOUND_START_RE = re.compile(r"\[sound(?![\w-])", re.IGNORECASE)
_SOUND_RE = re.compile(r"\[sound[ \t]+([^\]]*?\S)[ \t]*\][ \t]*", re.IGNORECASE)
_YOUR_TURN_START_RE = re.compile(r"\[your[ \t]+turn(?![\w-])", re.IGNORECASE)
_YOUR_TURN_RE = re.compile(r"\[your[ \t]+turn(?:[ \t]+([^\]]*?))?[ \t]*\][ \t]*", re.IGNORECASE)
_MUSIC_RE = re.compile(r"[ \t]*music[ \t]*:[ \t]*(.*?)[ \t]*", re.IGNORECASE)
_BREAK_RE = re.compile(r"([-*_])(?:[ \t]*\1){2,}[ \t]*")
_LINK_DEF_RE = re.compile(r"\[[^\[\]]+\]:[ \t]*\S+")
# Without a cast a speaker line needs text after the colon ("Examples:" alone stays narration);
# a declared cast name may also stand alone, its text following on the next lines.
_SPEAKER_RE = re.compile(r"([^\W\d_][\w.'’-]*(?: [\w.'’-]+){0,3}):[ \t]+(?=\S)")
_CAST_SPEAKER_RE = re.compile(r"([^:]{1,200}):(?:[ \t]+|$)")
_PAUSE_FORMS = "[pause 1.5s], [pause 500ms] or [pause 2 s]"
_YOUR_TURN_FORMS = "[your turn] (as long as the answer) or [your turn 5s]"


def _is_capital(ch: str) -> bool:
    return ch.isupper() or ch.istitle()


class Body:
    """Turns the lines after the front matter into chapters of turns and pauses."""

    def __init__(self, path: str, meta: Metadata, warnings: list[ScriptWarning]) -> None:
        self.path = path
        self.meta = meta
        self.warnings = warnings
        self.chapters: list[Chapter] = []
        self.speaker: str | None = None  # speaker of the open paragraph
        self.parts: list[str] | None = None  # lines of the open paragraph (None: none open)
        self.start = 0  # line of the open paragraph
        self.directives: dict[int, tuple[str, int]] = {}  # line -> (music value, column)

    def warn(self, message: str, line: int) -> None:
        self.warnings.append(ScriptWarning(message, self.path, line))

    def error(self, message: str, line: int, column: int | None = None) -> ScriptError:
        """The ScriptError for `message` at this script's line (the caller raises it)."""
        return ScriptError(message, path=self.path, line=line, column=column)

    # Pass 1: comments and fenced code blocks never reach the speech.
    def visible_lines(self, lines: list[str], first: int) -> list[tuple[int, str | None]]:
        """(line number, text without comments) per line; None for a line that was all comment."""
        out: list[tuple[int, str | None]] = []
        comment: tuple[int, int] | None = None  # where the open comment started
        fence: tuple[str, int, int] | None = None  # (char, length, line) of the open code fence
        for index in range(first, len(lines)):
            number, line = index + 1, lines[index]
            if fence is not None:
                m = _FENCE_RE.fullmatch(line)
                if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= fence[1]:
                    if not m.group(2).strip():
                        fence = None
                out.append((number, ""))  # a code block ends a paragraph like a blank line
                continue
            if comment is None:
                m = _FENCE_RE.fullmatch(line)
                if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
                    fence = (m.group(1)[0], len(m.group(1)), number)
                    self.warn("fenced code block is not spoken; describe it in words", number)
                    out.append((number, ""))
                    continue
            kept: list[str] = []
            had_comment = inside = comment is not None
            whole: list[tuple[str, int]] = []  # comments opened and closed on this line
            pos = 0
            while pos <= len(line):
                if comment is not None:
                    end = line.find("-->", pos)
                    if end < 0:
                        break
                    if comment[0] == number:
                        whole.append((line[comment[1] + 3 : end], comment[1]))
                    comment, pos = None, end + 3
                begin = line.find("<!--", pos)
                if begin < 0:
                    kept.append(line[pos:])
                    break
                kept.append(line[pos:begin])
                comment, pos, had_comment = (number, begin + 1), begin + 4, True
            text = "".join(kept)
            alone = not inside and comment is None and len(whole) == 1 and not text.strip()
            if alone:  # a comment on a line of its own may be a music directive
                if music := _MUSIC_RE.fullmatch(whole[0][0]):
                    self.directives[number] = (music.group(1), whole[0][1])
            out.append((number, None if had_comment and not text.strip() else text))
        if comment is not None:
            raise self.error(
                "comment '<!--' is never closed; add '-->' where it ends", comment[0], comment[1]
            )
        if fence is not None:
            mark = fence[0] * fence[1]
            raise self.error(
                f"code block opened with {mark} is never closed; add a {mark} line where it ends",
                fence[2],
                1,
            )
        return out

    # Pass 2: blocks.
    def run(self, lines: list[str], first: int) -> list[Chapter]:
        for number, text in self.visible_lines(lines, first):
            if text is not None:
                self.line(number, text)
            elif number in self.directives:
                self.music(*self.directives[number], number)
        self.close_paragraph()
        for chapter in self.chapters:
            self.check_practice(chapter)
        return self.chapters

    def line(self, number: int, raw: str) -> None:
        text = raw.lstrip()
        quote = _QUOTE_RE.match(text)
        if quote:
            text = text[quote.end() :].lstrip()
        column = len(raw) - len(text) + 1
        if not text.strip():
            self.close_paragraph()
        elif text.startswith("\\"):  # an escaped line is narration, whatever it looks like
            self.add_text(text[1:], number, markers=False, narration=True)
        elif heading := _HEADING_RE.match(text):
            self.heading(len(heading.group(1)), text[heading.end() :], number, column)
        elif _PAUSE_START_RE.match(text):
            self.pause(text, number, column)
        elif _SOUND_START_RE.match(text):
            self.sound(text, number, column)
        elif _YOUR_TURN_START_RE.match(text):
            self.your_turn(text, number, column)
        elif _BREAK_RE.fullmatch(text):
            self.close_paragraph()
        elif _LINK_DEF_RE.fullmatch(text.rstrip()):
            return  # a link reference definition: markup, not speech
        elif (turn := self.speaker_line(text, number)) is not None:
            if turn[0] is None:
                self.add_text(turn[1], number, narration=True)
            else:
                self.close_paragraph()
                self.speaker, self.parts, self.start = turn[0], [turn[1]], number
        else:
            self.add_text(text, number)

    def speaker_line(self, text: str, number: int) -> tuple[str | None, str] | None:
        """(speaker, rest) for a speaker line, (None, text) for a look-alike kept as narration."""
        generic = _SPEAKER_RE.match(text)
        looks_like = generic is not None and _is_capital(generic.group(1)[0])
        if not self.meta.cast:
            return (generic.group(1), text[generic.end() :]) if looks_like and generic else None
        named = _CAST_SPEAKER_RE.match(text)
        if named and named.group(1) in self.meta.cast:
            return named.group(1), text[named.end() :]
        if looks_like and generic:
            name = generic.group(1)
            self.warn(
                f"'{name}:' looks like a speaker line but '{name}' is not in the cast, so it is "
                "read as narration; add it to cast: or start the line with \\ to silence this",
                number,
            )
            return None, text
        return None

    def add_text(
        self, text: str, number: int, *, markers: bool = True, narration: bool = False
    ) -> None:
        """Continue the open paragraph (a narration line closes a speaker's turn first)."""
        if markers and (marker := _LIST_RE.match(text)):
            text = text[marker.end() :]
        if narration and self.speaker is not None:
            self.close_paragraph()
        if self.parts is None:
            self.speaker, self.parts, self.start = None, [], number
        self.parts.append(text)

    def close_paragraph(self) -> None:
        if self.parts is None:
            return
        text = reduce_inline(" ".join(self.parts))
        speaker, start = self.speaker, self.start
        self.parts, self.speaker = None, None
        if not text:
            if speaker is not None:
                self.warn(f"'{speaker}:' has nothing to say; the empty turn is skipped", start)
            return
        self.chapter(start).items.append(Turn(speaker, text, start))

    def chapter(self, line: int) -> Chapter:
        """The current chapter; text before the first heading opens one named after the title."""
        if not self.chapters:
            self.chapters.append(Chapter(self.meta.title, 1, line))
        return self.chapters[-1]

    def heading(self, hashes: int, rest: str, number: int, column: int) -> None:
        self.close_paragraph()
        title = reduce_inline(_CLOSING_HASHES_RE.sub("", rest))
        if not title:
            raise self.error(
                f"heading has no text; write a title after '{'#' * hashes}', e.g. "
                f"'{'#' * hashes} How sound travels', or remove the line",
                number,
                column,
            )
        level = min(hashes, 2)
        if hashes > 2:
            self.warn(
                f"'{'#' * hashes}' heading '{title}' is treated as a '##' sub-chapter; "
                "scripts have two levels (# and ##)",
                number,
            )
        if level == 2 and not self.chapters:
            self.warn(
                f"sub-chapter '{title}' comes before any '#' chapter, so it becomes a chapter; "
                "start the script with a '#' heading",
                number,
            )
            level = 1
        self.chapters.append(Chapter(title, level, number))

    def pause(self, text: str, number: int, column: int) -> None:
        self.close_paragraph()
        m = _PAUSE_RE.fullmatch(text)
        seconds = parse_seconds(m.group(1)) if m else None
        if seconds is None:
            shown = text.strip() if len(text.strip()) <= 40 else text.strip()[:40] + "..."
            raise self.error(
                f"malformed pause '{shown}'; write it on a line of its own as {_PAUSE_FORMS}",
                number,
                column,
            )
        if not 0 < seconds <= MAX_PAUSE_SECONDS:
            raise self.error(
                f"pause of {seconds:g} s is out of bounds; use more than 0 and at most "
                f"{MAX_PAUSE_SECONDS:g} seconds, as in {_PAUSE_FORMS}",
                number,
                column,
            )
        self.chapter(number).items.append(Pause(seconds, number))

    def sound(self, text: str, number: int, column: int) -> None:
        self.close_paragraph()
        m = _SOUND_RE.fullmatch(text)
        if m is None:
            shown = text.strip() if len(text.strip()) <= 40 else text.strip()[:40] + "..."
            raise self.error(
                f"malformed sound '{shown}'; write it on a line of its own as "
                "[sound sounds/chime.wav] (a WAV, MP3, OGG or FLAC file, relative to the script)",
                number,
                column,
            )
        self.chapter(number).items.append(Sound(m.group(1), number))

    def your_turn(self, text: str, number: int, column: int) -> None:
        """`[your turn]` or `[your turn 5s]`: a practice gap before the answer that follows."""
        self.close_paragraph()
        m = _YOUR_TURN_RE.fullmatch(text)
        written = (m.group(1) or "").strip() if m else ""
        seconds = parse_seconds(written) if written else None
        if m is None or (written and seconds is None and not written.startswith("-")):
            shown = text.strip() if len(text.strip()) <= 40 else text.strip()[:40] + "..."
            raise self.error(
                f"malformed practice gap '{shown}'; write it on a line of its own as "
                f"{_YOUR_TURN_FORMS}",
                number,
                column,
            )
        if written.startswith("-") or (seconds is not None and seconds <= 0):
            raise self.error(
                f"practice gap of {written} is not a length of time; give more than 0 seconds, "
                f"as in {_YOUR_TURN_FORMS}",
                number,
                column,
            )
        if seconds is not None and seconds > MAX_PAUSE_SECONDS:
            raise self.error(
                f"practice gap of {seconds:g} s is out of bounds; use at most "
                f"{MAX_PAUSE_SECONDS:g} seconds, or [your turn] for as long as the answer",
                number,
                column,
            )
        self.chapter(number).items.append(YourTurn(seconds, number))

    def check_practice(self, chapter: Chapter) -> None:
        """Each `[your turn]` needs its question's turn before it (pauses may come between) and
        its answer's turn right after it, in the same chapter."""
        items = chapter.items
        for index, item in enumerate(items):
            if not isinstance(item, YourTurn):
                continue
            before = next((i for i in reversed(items[:index]) if not isinstance(i, Pause)), None)
            after = items[index + 1] if index + 1 < len(items) else None
            if isinstance(after, YourTurn):
                raise self.error(
                    f"two [your turn]s in a row (lines {item.line} and {after.line}) with no "
                    "answer between them; remove one, or write the answer between them",
                    after.line,
                )
            if not isinstance(before, Turn):
                what = "is the first thing in its chapter" if before is None else "follows a sound"
                raise self.error(
                    f"[your turn] {what}; put the question's turn right above it",
                    item.line,
                )
            if after is None:
                raise self.error(
                    f"[your turn] has nothing after it in chapter '{chapter.title}'; write the "
                    "answer's turn right below it",
                    item.line,
                )
            if not isinstance(after, Turn):
                what = "a pause" if isinstance(after, Pause) else "a sound"
                raise self.error(
                    f"[your turn] is followed by {what} (line {after.line}); the answer's turn "
                    "must come right after it",
                    item.line,
                )

    def music(self, value: str, column: int, number: int) -> None:
        """`<!-- music: path -->` or `<!-- music: none -->` right after a heading."""
        self.close_paragraph()
        chapter = self.chapters[-1] if self.chapters else None
        why = None
        if chapter is None:
            why = "this one comes before any heading; for the whole script write music: in the "
            why += "front matter"
        elif chapter.music is not None:
            why = f"chapter '{chapter.title}' already has music at line {chapter.music.line}"
        elif chapter.items:
            why = f"chapter '{chapter.title}' already has turns above it"
        if why is not None or chapter is None:
            raise self.error(
                "a music comment belongs on its own line right after a chapter heading, before "
                f"its first turn ({why})",
                number,
                column,
            )
        if not value:
            raise self.error(
                "music comment names no file; write <!-- music: sounds/bed.ogg --> or "
                "<!-- music: none -->",
                number,
                column,
            )
        base = self.meta.music or Music(None, None)
        path = None if value.lower() == "none" else value
        chapter.music = Music(path, number, base.volume, base.rise)
