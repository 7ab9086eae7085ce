"""Lesson scripts: the data model and `parse(text, path) -> Script` (pure: no I/O, no audio)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from .errors import ScriptError, ScriptWarning
from .lexicon import apply_lexicon

if TYPE_CHECKING:  # PyYAML is imported when a script has front matter, not at CLI start-up
    import yaml

__all__ = [
    "MAX_LINE_CHARS",
    "MAX_PAUSE_SECONDS",
    "MAX_SCRIPT_BYTES",
    "PAUSE_DEFAULTS",
    "Chapter",
    "Metadata",
    "Pause",
    "Script",
    "ScriptError",
    "ScriptWarning",
    "Turn",
    "parse",
    "parse_seconds",
    "reduce_inline",
]

#: Default pause lengths in seconds, overridable with the front matter's `pauses:`.
PAUSE_DEFAULTS: dict[str, float] = {
    "same_speaker": 0.35,  # the same speaker goes on with a new turn / paragraph
    "speaker_change": 0.6,  # another speaker takes over
    "subchapter": 1.2,  # before the first turn of a `##` sub-chapter
    "chapter": 2.0,  # after the last turn of a chapter, before the next one
}

MAX_SCRIPT_BYTES = 5 * 1024 * 1024  #: a script larger than this is refused: split it into episodes
MAX_LINE_CHARS = 20_000  #: a longer line is refused (usually a binary or minified file)
MAX_PAUSE_SECONDS = 60.0  #: pauses are 0 < seconds <= this


@dataclass(frozen=True)
class Turn:
    """One stretch of speech by one speaker (None: narration)."""

    speaker: str | None
    text: str  #: written text, inline Markdown reduced; what the transcript shows
    spoken: str  #: text after the script's `say` lexicon; what the engine reads
    line: int  #: 1-based line of the turn's first line in the source file


@dataclass(frozen=True)
class Pause:
    """An explicit `[pause 1.5s]` directive."""

    seconds: float
    line: int


@dataclass
class Chapter:
    """A `#` chapter (level 1) or `##` sub-chapter (level 2) with its turns and pauses in order."""

    title: str
    level: int
    line: int  #: line of the heading (for the opening chapter: line of its first item)
    items: list[Turn | Pause] = field(default_factory=list)

    @property
    def turns(self) -> list[Turn]:
        """The chapter's turns, without pauses."""
        return [i for i in self.items if isinstance(i, Turn)]


@dataclass
class Metadata:
    """Front matter, validated. Unknown keys become warnings."""

    title: str = ""
    subtitle: str | None = None
    series: str | None = None
    episode: str | None = None
    author: str | None = None
    language: str = "en"
    description: str | None = None
    cover: str | None = None  #: as written: relative to the script's folder
    cast: dict[str, str] = field(default_factory=dict)  #: speaker name -> voice name
    narrator: str | None = None  #: voice name for narration
    say: dict[str, str] = field(default_factory=dict)  #: written word -> spoken form
    pauses: dict[str, float] = field(default_factory=dict)  #: overrides of PAUSE_DEFAULTS
    lines: dict[str, int] = field(default_factory=dict)  #: key (e.g. "cast.Teacher") -> line


@dataclass
class Script:
    """A parsed script: metadata, chapters (flat, each with a level) and warnings."""

    path: str
    meta: Metadata
    chapters: list[Chapter]
    warnings: list[ScriptWarning] = field(default_factory=list)

    @property
    def turns(self) -> list[Turn]:
        """Every turn of every chapter, in order."""
        return [t for c in self.chapters for t in c.turns]

    @property
    def speakers(self) -> list[str]:
        """Speaker names in order of first appearance."""
        seen: dict[str, None] = {}
        for t in self.turns:
            if t.speaker is not None:
                seen.setdefault(t.speaker, None)
        return list(seen)


# --- front matter --------------------------------------------------------------------------------

_FM_OPEN = re.compile(r"---[ \t]*")
_FM_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")
_TEXT_KEYS = ("title", "subtitle", "series", "episode", "author", "description")
_KNOWN_KEYS = (*_TEXT_KEYS, "language", "cover", "cast", "narrator", "say", "pauses")
_LANGUAGE_RE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")
_YAML_TAG = "tag:yaml.org,2002:"


def _yaml_loader() -> type:
    """A SafeLoader whose composer refuses aliases, so an alias bomb is a clean error."""
    import yaml

    class _NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                raise yaml.composer.ComposerError(
                    None, None, "aliases (*name) are not allowed", self.peek_event().start_mark
                )
            return super().compose_node(parent, index)

    return _NoAliasLoader


def _compose(source: str, path: str, first_line: int) -> yaml.Node | None:
    """YAML text -> node tree (never constructed to Python objects, so no tag can run code)."""
    import yaml

    loader = None
    try:
        loader = _yaml_loader()(source)  # the reader already rejects unprintable characters
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark else first_line
        column = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise ScriptError(
            f"front matter is not valid YAML ({problem}); fix it, and quote values that contain "
            "': ' or start with a special character",
            path=path,
            line=line,
            column=column,
        ) from None
    except yaml.YAMLError as exc:  # ReaderError: a character YAML does not allow
        position = getattr(exc, "position", 0) or 0
        line = first_line + source.count("\n", 0, position)
        column = position - (source.rfind("\n", 0, position) + 1) + 1
        raise ScriptError(
            f"front matter is not valid YAML ({exc}); remove the unprintable character",
            path=path,
            line=line,
            column=column,
        ) from None
    except RecursionError:
        raise ScriptError(
            "front matter is nested too deeply; keep it to simple keys and values",
            path=path,
            line=first_line,
        ) from None
    finally:
        if loader is not None:
            loader.dispose()


class _FrontMatter:
    """Reads a composed YAML mapping into Metadata, pointing errors at the offending line."""

    def __init__(self, path: str, first_line: int, meta: Metadata, warnings: list[ScriptWarning]):
        self.path = path
        self.first_line = first_line
        self.meta = meta
        self.warnings = warnings

    def line(self, node: yaml.Node) -> int:
        return self.first_line + node.start_mark.line

    def fail(self, node: yaml.Node, message: str) -> ScriptError:
        return ScriptError(
            message, path=self.path, line=self.line(node), column=node.start_mark.column + 1
        )

    @staticmethod
    def kind(node: yaml.Node) -> str:
        import yaml

        if isinstance(node, yaml.MappingNode):
            return "a mapping"
        if isinstance(node, yaml.SequenceNode):
            return "a list"
        names = {"null": "nothing", "bool": "true/false", "int": "a number", "float": "a number"}
        return names.get(node.tag.removeprefix(_YAML_TAG), f"'{node.value}'")

    def scalar(self, node: yaml.Node, what: str) -> str | None:
        """Any scalar as written (15.10 stays "15.10"); None for an empty value."""
        import yaml

        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, f"{what} must be text, not {self.kind(node)}")
        if node.tag == _YAML_TAG + "null":
            return None
        return node.value.strip() or None

    def name(self, node: yaml.Node, what: str, example: str) -> str:
        """A value that must be a non-empty string (a voice name, a path, a language code)."""
        import yaml

        if (
            not isinstance(node, yaml.ScalarNode)
            or node.tag != _YAML_TAG + "str"
            or not node.value.strip()
        ):
            raise self.fail(
                node, f"{what} must be a name (text), not {self.kind(node)}; write e.g. {example}"
            )
        return node.value.strip()

    def pairs(self, node: yaml.Node, what: str, example: str) -> list[tuple[str, yaml.Node, int]]:
        """(key, value node, key line) per entry; duplicate or non-text keys are errors."""
        import yaml

        if not isinstance(node, yaml.MappingNode):
            raise self.fail(
                node, f"{what} must be a mapping, not {self.kind(node)}; write e.g. {example}"
            )
        seen: dict[str, int] = {}
        out = []
        for key_node, value_node in node.value:
            key = self.scalar(key_node, f"a key of {what}")
            if key is None:
                raise self.fail(key_node, f"{what} has an empty key; write e.g. {example}")
            if key in seen:
                raise self.fail(
                    key_node,
                    f"'{key}' appears twice in {what} (first at line {seen[key]}); remove one",
                )
            seen[key] = self.line(key_node)
            out.append((key, value_node, seen[key]))
        return out

    def read(self, root: yaml.Node) -> None:
        meta = self.meta
        for key, node, line in self.pairs(root, "the front matter", "'title: How sound travels'"):
            meta.lines[key] = line
            if key in _TEXT_KEYS:
                setattr(meta, key, self.scalar(node, f"'{key}'"))
            elif key == "language":
                language = self.name(node, "'language'", "'language: en' or 'language: en-GB'")
                if not _LANGUAGE_RE.fullmatch(language):
                    raise self.fail(
                        node,
                        f"language '{language}' is not a language code; write e.g. en or en-GB",
                    )
                meta.language = language
            elif key == "cover":
                meta.cover = self.name(node, "'cover'", "'cover: cover.jpg'")
            elif key == "narrator":
                meta.narrator = self.name(node, "'narrator'", "'narrator: narrator'")
            elif key == "cast":
                for name, voice, vline in self.pairs(node, "'cast'", "'Teacher: teacher'"):
                    meta.lines[f"cast.{name}"] = vline
                    meta.cast[name] = self.name(
                        voice, f"the cast voice of '{name}'", f"'{name}: teacher'"
                    )
            elif key == "say":
                for written, spoken, sline in self.pairs(node, "'say'", "'GPT: G P T'"):
                    meta.lines[f"say.{written}"] = sline
                    value = self.scalar(spoken, f"the spoken form of '{written}'")
                    if value is None:
                        raise self.fail(
                            spoken,
                            f"'say' gives no spoken form for '{written}'; write e.g. "
                            f"'{written}: how to say it'",
                        )
                    meta.say[written] = value
            elif key == "pauses":
                self.read_pauses(node)
            else:
                self.warnings.append(
                    ScriptWarning(
                        f"unknown front-matter key '{key}' is ignored; known keys: "
                        + ", ".join(_KNOWN_KEYS),
                        self.path,
                        line,
                    )
                )

    def read_pauses(self, node: yaml.Node) -> None:
        kinds = ", ".join(sorted(PAUSE_DEFAULTS))
        for kind, value, line in self.pairs(node, "'pauses'", "'chapter: 2.5s'"):
            if kind not in PAUSE_DEFAULTS:
                raise ScriptError(
                    f"unknown pause kind '{kind}'; choose one of: {kinds}",
                    path=self.path,
                    line=line,
                )
            raw = self.scalar(value, f"the pause '{kind}'")
            seconds = parse_seconds(raw or "")
            if seconds is None:
                raise self.fail(
                    value, f"pause '{kind}' must be a length like 1.5, 1.5s or 500ms, not '{raw}'"
                )
            if not 0 < seconds <= MAX_PAUSE_SECONDS:
                raise self.fail(
                    value,
                    f"pause '{kind}' is {seconds:g} s; use more than 0 and at most "
                    f"{MAX_PAUSE_SECONDS:g} seconds",
                )
            self.meta.lines[f"pauses.{kind}"] = line
            self.meta.pauses[kind] = seconds


def _front_matter(
    lines: list[str], path: str, warnings: list[ScriptWarning]
) -> tuple[Metadata, int]:
    """Metadata from the `---` block at the top (if any) and the index of the first body line."""
    meta = Metadata()
    if not lines or not _FM_OPEN.fullmatch(lines[0]):
        return meta, 0
    end = next((i for i in range(1, len(lines)) if _FM_CLOSE.fullmatch(lines[i])), None)
    if end is None:
        raise ScriptError(
            "front matter opened with '---' is never closed; add a '---' line after its last key "
            "(or remove the first line if it is not front matter)",
            path=path,
            line=1,
            column=1,
        )
    root = _compose("\n".join(lines[1:end]), path, first_line=2)
    if root is not None:
        import yaml

        if not isinstance(root, yaml.MappingNode):
            raise ScriptError(
                "front matter must be a mapping of keys to values, e.g. "
                f"'title: How sound travels', not {_FrontMatter.kind(root)}",
                path=path,
                line=2 + root.start_mark.line,
                column=root.start_mark.column + 1,
            )
        _FrontMatter(path, 2, meta, warnings).read(root)
    return meta, end + 1


def _readable_title(path: str) -> str:
    """'scripts/how-sound_travels.md' -> 'How sound travels'."""
    words = re.findall(r"[^\W_]+", PurePath(path).stem) if path != "<string>" else []
    title = " ".join(words)
    return title[:1].upper() + title[1:] if title else "Untitled"


# --- inline Markdown ------------------------------------------------------------------------------

# Private-use marks around text held back from rewriting (code spans, escapes, URLs).
_HOLD_OPEN, _HOLD_CLOSE = "\ue000", "\ue001"
_HELD_RE = re.compile(_HOLD_OPEN + r"(\d+)" + _HOLD_CLOSE)
_CODE_RE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")
_AUTOLINK_RE = re.compile(r"<((?:https?|ftp|mailto):[^\s<>]*)>", re.IGNORECASE)
_URL = r"\((?:[^()\s]|\([^()\s]*\))*(?:[ \t]+(?:\"[^\"]*\"|'[^']*'))?[ \t]*\)"
_IMAGE_RE = re.compile(r"!\[([^\[\]]*)\]" + _URL)
_LINK_RE = re.compile(r"\[([^\[\]]*)\]" + _URL)
_REF_LINK_RE = re.compile(r"\[([^\[\]]+)\]\[[^\[\]]*\]")
_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
# The text between delimiters may not contain the delimiter character: that keeps matching linear
# (an opener without a closer stops at the next delimiter instead of scanning to the end of a long
# paragraph); nesting is undone from the inside out over a few rounds.
_EMPHASIS = [
    re.compile(r"\*\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*\*"),
    re.compile(r"(?<!\w)__(?=[^\s_])([^_]+?)(?<=[^\s_])__(?!\w)"),
    re.compile(r"~~(?=[^\s~])([^~]+?)(?<=[^\s~])~~"),
    re.compile(r"\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*"),
    re.compile(r"(?<!\w)_(?=[^\s_])([^_]+?)(?<=[^\s_])_(?!\w)"),
]


def reduce_inline(text: str) -> str:
    """Inline Markdown/HTML -> plain text: emphasis, code, links, images, autolinks and tags."""
    text = text.replace(_HOLD_OPEN, "").replace(_HOLD_CLOSE, "")
    held: list[str] = []

    def hold(value: str) -> str:
        held.append(value)
        return f"{_HOLD_OPEN}{len(held) - 1}{_HOLD_CLOSE}"

    text = _CODE_RE.sub(lambda m: hold(m.group(2).strip()), text)
    text = _ESCAPE_RE.sub(lambda m: hold(m.group(1)), text)
    text = _AUTOLINK_RE.sub(lambda m: hold(m.group(1)), text)
    text = _IMAGE_RE.sub(r"\1", text)
    text = _LINK_RE.sub(r"\1", text)
    text = _REF_LINK_RE.sub(r"\1", text)
    text = _TAG_RE.sub("", text)
    for _ in range(4):  # nested emphasis (***x***, **_x_**) needs a few rounds
        before = text
        for pattern in _EMPHASIS:
            text = pattern.sub(r"\1", text)
        if text == before:
            break
    text = html.unescape(text)
    text = _HELD_RE.sub(lambda m: held[int(m.group(1))], text)
    return " ".join(text.split())


# --- body ----------------------------------------------------------------------------------------

_FENCE_RE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_QUOTE_RE = re.compile(r"(?:>[ \t]?)+")
_LIST_RE = re.compile(r"(?:[-*+]|[0-9]{1,9}[.)])[ \t]+")
_HEADING_RE = re.compile(r"(#{1,6})(?=[ \t]|$)")
_CLOSING_HASHES_RE = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
_PAUSE_START_RE = re.compile(r"\[pause(?![\w-])", re.IGNORECASE)
_PAUSE_RE = re.compile(r"\[pause[ \t]+([^\]]*?)[ \t]*\][ \t]*", re.IGNORECASE)
_SECONDS_RE = re.compile(
    r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)[ \t]*(ms|s|sec|secs|seconds?)?", re.IGNORECASE
)
_BREAK_RE = re.compile(r"([-*_])(?:[ \t]*\1){2,}[ \t]*")
_LINK_DEF_RE = re.compile(r"\[[^\[\]]+\]:[ \t]*\S+")
# Without a cast a speaker line needs text after the colon ("Examples:" alone stays narration);
# a declared cast name may also stand alone, its text following on the next lines.
_SPEAKER_RE = re.compile(r"([^\W\d_][\w.'’-]*(?: [\w.'’-]+){0,3}):[ \t]+(?=\S)")
_CAST_SPEAKER_RE = re.compile(r"([^:]{1,200}):(?:[ \t]+|$)")
_PAUSE_FORMS = "[pause 1.5s], [pause 500ms] or [pause 2 s]"


def parse_seconds(value: str) -> float | None:
    """'1.5s', '500ms', '2 s' or '1.5' -> seconds; None if it is not a length."""
    m = _SECONDS_RE.fullmatch(value.strip())
    if not m:
        return None
    number = float(m.group(1))
    return number / 1000 if (m.group(2) or "").lower() == "ms" else number


def _is_capital(ch: str) -> bool:
    return ch.isupper() or ch.istitle()


class _Body:
    """Turns the lines after the front matter into chapters of turns and pauses."""

    def __init__(self, path: str, meta: Metadata, warnings: list[ScriptWarning]) -> None:
        self.path = path
        self.meta = meta
        self.warnings = warnings
        self.chapters: list[Chapter] = []
        self.speaker: str | None = None  # speaker of the open paragraph
        self.parts: list[str] | None = None  # lines of the open paragraph (None: none open)
        self.start = 0  # line of the open paragraph

    def warn(self, message: str, line: int) -> None:
        self.warnings.append(ScriptWarning(message, self.path, line))

    def fail(self, message: str, line: int, column: int | None = None) -> ScriptError:
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
            had_comment = comment is not None
            pos = 0
            while pos <= len(line):
                if comment is not None:
                    end = line.find("-->", pos)
                    if end < 0:
                        break
                    comment, pos = None, end + 3
                begin = line.find("<!--", pos)
                if begin < 0:
                    kept.append(line[pos:])
                    break
                kept.append(line[pos:begin])
                comment, pos, had_comment = (number, begin + 1), begin + 4, True
            text = "".join(kept)
            out.append((number, None if had_comment and not text.strip() else text))
        if comment is not None:
            raise self.fail(
                "comment '<!--' is never closed; add '-->' where it ends", comment[0], comment[1]
            )
        if fence is not None:
            mark = fence[0] * fence[1]
            raise self.fail(
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
        self.close_paragraph()
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
        self.chapter(start).items.append(
            Turn(speaker, text, apply_lexicon(text, self.meta.say), start)
        )

    def chapter(self, line: int) -> Chapter:
        """The current chapter; text before the first heading opens one named after the title."""
        if not self.chapters:
            self.chapters.append(Chapter(self.meta.title, 1, line))
        return self.chapters[-1]

    def heading(self, hashes: int, rest: str, number: int, column: int) -> None:
        self.close_paragraph()
        title = reduce_inline(_CLOSING_HASHES_RE.sub("", rest))
        if not title:
            raise self.fail(
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
            raise self.fail(
                f"malformed pause '{shown}'; write it on a line of its own as {_PAUSE_FORMS}",
                number,
                column,
            )
        if not 0 < seconds <= MAX_PAUSE_SECONDS:
            raise self.fail(
                f"pause of {seconds:g} s is out of bounds; use more than 0 and at most "
                f"{MAX_PAUSE_SECONDS:g} seconds, as in {_PAUSE_FORMS}",
                number,
                column,
            )
        self.chapter(number).items.append(Pause(seconds, number))


# --- the whole script ----------------------------------------------------------------------------


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
    meta, first = _front_matter(lines, path, warnings)
    if not meta.title:
        meta.title = _readable_title(path)
    chapters = _Body(path, meta, warnings).run(lines, first)
    script = Script(path, meta, chapters, warnings)
    _final_warnings(script)
    script.warnings.sort(key=lambda w: w.line or 0)
    return script
