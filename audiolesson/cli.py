"""The command line: parse options, call one library function, report. No business logic here.

Commands raise AudiolessonError; `main` turns it into one line on stderr and exit status 1.
Tracebacks appear only with --verbose.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from .errors import AudiolessonError

app = typer.Typer(
    help="Turn lesson scripts into chaptered, mastered, tagged MP3 episodes, offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_options = {"verbose": False}


@app.callback()
def _root(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show debug logs and tracebacks.")
    ] = False,
) -> None:
    """audiolesson: lesson scripts in, podcast episodes out."""
    _options["verbose"] = verbose
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING, format="%(levelname)s: %(message)s"
    )


def err(message: str) -> None:
    """Print one line to stderr."""
    print(" ".join(str(message).split()), file=sys.stderr)


def project_root() -> Path:
    """The project folder (holds scripts/, voices/, output/): the current directory."""
    return Path.cwd()


def main() -> None:
    """Console-script entry point: one line per error and exit 1, never a traceback."""
    try:
        app()
    except AudiolessonError as exc:
        if _options["verbose"]:
            raise
        err(f"error: {exc}")
        sys.exit(1)
    except KeyboardInterrupt:
        err("error: interrupted")
        sys.exit(130)
    except OSError as exc:
        if _options["verbose"]:
            raise
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        err(f"error: {where}{exc.strerror or exc}")
        sys.exit(1)
    except Exception as exc:  # a bug: still one line, the traceback is behind --verbose
        if _options["verbose"]:
            raise
        err(f"error: internal error: {type(exc).__name__}: {exc} (rerun with --verbose)")
        sys.exit(1)
