"""What the CLI's modules share: help that reads as people write commands, the project folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from typer.core import TyperCommand

__all__ = ["Command", "examples", "project_root"]

if TYPE_CHECKING:
    from typer._click.core import Context  # the click typer builds on (typer.Context's base)


class Command(TyperCommand):
    """Help that names arguments as people write them (SCRIPTS...), not by type (<list[Path]>)."""

    def format_options(self, ctx: Context, formatter: Any) -> None:
        """An Arguments section of names and help, then the Options section as usual."""
        params = self.get_params(ctx)
        arguments = [
            ((p.metavar or str(p.name).upper()) + ("..." if p.nargs != 1 else ""), _help(p))
            for p in params
            if p.param_type_name == "argument"
        ]
        options = [p.get_help_record(ctx) for p in params if p.param_type_name == "option"]
        for title, rows in (("Arguments", arguments), ("Options", [r for r in options if r])):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        """`[OPTIONS] PAGE`, `[OPTIONS] [SCRIPTS]...`: click's usual notation."""
        pieces = [self.options_metavar] if self.options_metavar else []
        for p in self.get_params(ctx):
            if p.param_type_name == "argument":
                name = p.metavar or str(p.name).upper()
                name = name if p.required else f"[{name}]"
                pieces.append(name + ("..." if p.nargs != 1 else ""))
        return pieces


def _help(parameter: object) -> str:
    """A parameter's help text: typer's arguments have one, click's own do not."""
    return str(getattr(parameter, "help", None) or "")


def examples(*lines: str) -> str:
    """An epilog of example command lines, kept as written (click's \\b: no re-wrapping)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def project_root() -> Path:
    """The project folder (holds scripts/, voices/, output/): the current directory."""
    return Path.cwd()
