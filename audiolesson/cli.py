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


@app.command()
def build(
    scripts: Annotated[
        list[Path] | None, typer.Argument(help="Scripts (default: scripts/*.md).")
    ] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Output folder.")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Worker processes.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if up to date.")] = False,
    plan: Annotated[bool, typer.Option("--plan", help="Say what would be synthesised.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON event per line.")] = False,
    stereo: Annotated[bool | None, typer.Option("--stereo/--mono", help="Channel layout.")] = None,
    bitrate: Annotated[int | None, typer.Option("--bitrate", help="MP3 kb/s.")] = None,
    loudness: Annotated[float | None, typer.Option("--loudness", help="Target LUFS.")] = None,
    id3: Annotated[str | None, typer.Option("--id3", help="ID3 version: 2.4 or 2.3.")] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="Publish feed.xml.")] = None,
) -> None:
    """Build scripts into chaptered MP3s, transcripts and chapter files in output/."""
    from . import report
    from .config import load_config
    from .pipeline import build as run_build

    config = load_config(
        project_root(), output=output, jobs=jobs, stereo=stereo, bitrate=bitrate,
        loudness=loudness, id3=id3, base_url=base_url,
    )
    with report.BuildReporter(json_lines=as_json, quiet=quiet) as reporter:
        result = run_build(config, scripts, force=force, plan_only=plan, on_event=reporter.event)
    reporter.finish(result, plan_only=plan)


cache_app = typer.Typer(help="Inspect and tidy the synthesis cache.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")


@cache_app.command("prune")
def cache_prune() -> None:
    """Remove cached clips and chapters that no script uses any more."""
    from .config import load_config
    from .pipeline import prune_cache

    stats = prune_cache(load_config(project_root()))
    print(
        f"removed {stats['clips_removed']} clips and {stats['chapters_removed']} chapters "
        f"({stats['bytes_freed'] / 1e6:.1f} MB); kept {stats['clips_kept']} clips"
    )


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
