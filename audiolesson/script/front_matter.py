"""Front matter: the YAML block at the top of a script, read into Metadata with line numbers."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from ..errors import ScriptError, ScriptWarning
from .model import (
    MAX_PAUSE_SECONDS,
    MUSIC_RISE_RANGE,
    MUSIC_VOLUME_RANGE,
    PAUSE_DEFAULTS,
    Metadata,
    Music,
    parse_seconds,
)

if TYPE_CHECKING:  # PyYAML is imported when a script has front matter, not at CLI start-up
    import yaml

__all__ = ["read_front_matter", "readable_title"]

_FM_OPEN = re.compile(r"---[ \t]*")
_FM_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")
_TEXT_KEYS = ("title", "subtitle", "series", "episode", "author", "description")
_KNOWN_KEYS = (
    *_TEXT_KEYS, "language", "cover", "cast", "narrator", "say", "pauses",
    "intro", "outro", "music",
)  # fmt: skip
#: `music:` written as a mapping: its keys
_MUSIC_KEYS = ("file", "volume", "rise")
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

    def error(self, node: yaml.Node, message: str) -> ScriptError:
        """The ScriptError for `message` at the node's line and column (the caller raises it)."""
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
            raise self.error(node, f"{what} must be text, not {self.kind(node)}")
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
            raise self.error(
                node, f"{what} must be a name (text), not {self.kind(node)}; write e.g. {example}"
            )
        return node.value.strip()

    def pairs(self, node: yaml.Node, what: str, example: str) -> list[tuple[str, yaml.Node, int]]:
        """(key, value node, key line) per entry; duplicate or non-text keys are errors."""
        import yaml

        if not isinstance(node, yaml.MappingNode):
            raise self.error(
                node, f"{what} must be a mapping, not {self.kind(node)}; write e.g. {example}"
            )
        seen: dict[str, int] = {}
        out = []
        for key_node, value_node in node.value:
            key = self.scalar(key_node, f"a key of {what}")
            if key is None:
                raise self.error(key_node, f"{what} has an empty key; write e.g. {example}")
            if key in seen:
                raise self.error(
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
                    raise self.error(
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
                        raise self.error(
                            spoken,
                            f"'say' gives no spoken form for '{written}'; write e.g. "
                            f"'{written}: how to say it'",
                        )
                    meta.say[written] = value
            elif key == "pauses":
                self.read_pauses(node)
            elif key in ("intro", "outro"):
                setattr(meta, key, self.name(node, f"'{key}'", f"'{key}: sounds/{key}.ogg'"))
            elif key == "music":
                meta.music = self.read_music(node, line)
            else:
                self.warnings.append(
                    ScriptWarning(
                        f"unknown front-matter key '{key}' is ignored; known keys: "
                        + ", ".join(_KNOWN_KEYS),
                        self.path,
                        line,
                    )
                )

    def read_music(self, node: yaml.Node, line: int) -> Music:
        """`music: path`, `music: none`, or a mapping of file, volume and rise."""
        import yaml

        example = "'music: sounds/bed.ogg'"
        if isinstance(node, yaml.ScalarNode):
            path = self.name(node, "'music'", example)
            return Music(None if path.lower() == "none" else path, line)
        music = Music(None, line)
        for key, value, vline in self.pairs(node, "'music'", "'file: sounds/bed.ogg'"):
            if key == "file":
                path = self.name(value, "music 'file'", example)
                music = replace(music, path=path, line=vline)
            elif key in ("volume", "rise"):
                low, high = MUSIC_VOLUME_RANGE if key == "volume" else MUSIC_RISE_RANGE
                raw = self.scalar(value, f"music '{key}'")
                try:
                    number = float((raw or "").removesuffix("dB").strip())
                except ValueError:
                    number = math.nan
                if not low <= number <= high:
                    raise self.error(
                        value,
                        f"music '{key}' must be a number of dB from {low:g} to {high:g}, "
                        f"not '{raw}'",
                    )
                if key == "volume":
                    music = replace(music, volume=number)
                else:
                    music = replace(music, rise=number)
            else:
                raise ScriptError(
                    f"unknown music setting '{key}'; choose one of: {', '.join(_MUSIC_KEYS)}",
                    path=self.path,
                    line=vline,
                )
        if music.path is None:
            raise self.error(node, "music gives no 'file'; write e.g. 'file: sounds/bed.ogg'")
        return music

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
                raise self.error(
                    value, f"pause '{kind}' must be a length like 1.5, 1.5s or 500ms, not '{raw}'"
                )
            if not 0 < seconds <= MAX_PAUSE_SECONDS:
                raise self.error(
                    value,
                    f"pause '{kind}' is {seconds:g} s; use more than 0 and at most "
                    f"{MAX_PAUSE_SECONDS:g} seconds",
                )
            self.meta.lines[f"pauses.{kind}"] = line
            self.meta.pauses[kind] = seconds


def read_front_matter(
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


def readable_title(path: str) -> str:
    """'scripts/how-sound_travels.md' -> 'How sound travels'."""
    words = re.findall(r"[^\W_]+", PurePath(path).stem) if path != "<string>" else []
    title = " ".join(words)
    return title[:1].upper() + title[1:] if title else "Untitled"
