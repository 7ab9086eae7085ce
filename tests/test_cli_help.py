"""The help of every command reads as a person expects: names for values, a line per option,
examples that are real command lines."""

from __future__ import annotations

import re
import shlex

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from audiolesson.cli import app

ROOT = get_command(app)
#: typer's type labels (`<list[Path]>`, `<str>`, `<int>`) that a person should never see
TYPE_LABEL = re.compile(r"<[A-Za-z_][\w\[\], |.]*>")
SHELL = {">", "|", "&&", ";"}


def _commands(group: object = ROOT, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path, groups included: (), ("build",), ("cache",), ("cache", "prune") ..."""
    found = [path]
    for name, command in getattr(group, "commands", {}).items():
        found += _commands(command, (*path, name))
    return found


COMMANDS = _commands()


def _help(path: tuple[str, ...]) -> str:
    result = CliRunner().invoke(app, [*path, "--help"], prog_name="audiolesson", terminal_width=80)
    assert result.exit_code == 0, result.output
    return result.output


def _section(text: str, title: str) -> list[str]:
    """The lines of one help section (`Options:`), without its title."""
    lines = text.splitlines()
    if f"{title}:" not in lines:
        return []
    start = lines.index(f"{title}:") + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def _examples(text: str) -> list[list[str]]:
    """The example command lines of a help text, as argument lists (comments and pipes cut)."""
    lines = text.splitlines()
    start = lines.index("  Examples:") + 1
    out = []
    for line in lines[start:]:
        words = shlex.split(line, comments=True)
        cut = next((i for i, w in enumerate(words) if w in SHELL), len(words))
        out.append(words[:cut])
    return out


def test_every_command_is_covered() -> None:
    names = {" ".join(p) for p in COMMANDS}
    assert {"", "build", "check", "serve", "new", "cache", "cache prune"} <= names


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "audiolesson")
def test_help_names_values_and_explains_every_option(path: tuple[str, ...]) -> None:
    text = _help(path)
    assert not TYPE_LABEL.search(text), TYPE_LABEL.search(text)
    assert "{" not in text.splitlines()[0]  # usage: `PAGE`, not typer's `{PAGE}`
    options = _section(text, "Options")
    assert options, text
    for line in options:
        if line.startswith("  -"):  # an option's first line: its flags, then its help
            flags, _, explained = line.strip().partition("  ")
            assert explained.strip(), f"no help for {flags}"
            values = re.findall(r"--[\w-]+ ([^\s/]+)", flags)
            assert all(v.isupper() or v.startswith("-") for v in values), flags
    for line in _section(text, "Arguments"):
        name, _, explained = line.strip().partition("  ")
        assert name.rstrip(".").isupper() and explained.strip(), line
    assert all(len(line) <= 80 for line in text.splitlines()), text


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "audiolesson")
def test_help_has_examples_that_parse(path: tuple[str, ...]) -> None:
    text = _help(path)
    examples = _examples(text)
    assert examples, text
    for words in examples:
        assert words[0] == "audiolesson", words
        if path:  # a command's examples use that command
            assert tuple(words[1 : 1 + len(path)]) == path, words
        # the options and arguments are ones the command takes: click parses them
        command = ROOT
        args = [w for w in words[1:] if w != "--help"]  # --help would exit the parser
        while args and args[0] in getattr(command, "commands", {}):
            command, args = command.commands[args[0]], args[1:]
        if not getattr(command, "commands", None):
            command.make_context(words[0], args)


def test_command_summaries_are_whole_sentences() -> None:
    text = _help(())
    rows = _section(text, "Commands")
    assert len(rows) == len(ROOT.commands)
    for row in rows:  # click cuts long summaries with "..."
        assert row.rstrip().endswith(".") and not row.rstrip().endswith("..."), row


def test_build_help_reads_as_a_person_expects() -> None:
    text = _help(("build",))
    assert text.splitlines()[0] == "Usage: audiolesson build [OPTIONS] [SCRIPTS]..."
    for flag, value in [("--output", "DIR"), ("--jobs", "N"), ("--base-url", "URL"),
                        ("--loudness", "LUFS"), ("--bitrate", "KBPS")]:  # fmt: skip
        assert re.search(rf"{flag} {value}\s", text), flag
    assert "SCRIPTS...  Script files" in text
