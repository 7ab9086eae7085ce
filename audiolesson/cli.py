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
    rich_markup_mode=None,  # plain click help: importing rich's formatter costs ~130 ms a start
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
def check(
    scripts: Annotated[
        list[Path] | None, typer.Argument(help="Scripts (default: scripts/*.md).")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the parsed scripts as JSON.")
    ] = False,
) -> None:
    """Parse scripts and report chapters, turns, speakers, words, minutes and any problems."""
    import json

    from .script.check import check_scripts

    results = check_scripts(scripts, project_root())
    for result in results:
        if not as_json and result.report_line():
            print(result.report_line(), flush=True)
        for line in result.problems(strict):
            err(line)
    if as_json:
        print(json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False))
    if any(r.failed(strict) for r in results):
        raise typer.Exit(1)


@app.command()
def build(
    scripts: Annotated[
        list[Path] | None, typer.Argument(help="Scripts (default: scripts/*.md).")
    ] = None,
    output: Annotated[str | None, typer.Option("--output", "-o", help="Output folder.")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="Worker processes.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if up to date.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
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
    from .config import load_config
    from .pipeline.build import build as run_build
    from .report import BuildReporter

    config = load_config(
        project_root(), output=output, jobs=jobs, stereo=stereo, bitrate=bitrate,
        loudness=loudness, id3=id3, base_url=base_url,
    )
    with BuildReporter(json_lines=as_json, quiet=quiet) as reporter:
        result = run_build(
            config, scripts, force=force, plan_only=plan, strict=strict, on_event=reporter.event
        )
    reporter.finish(result, plan_only=plan)


cache_app = typer.Typer(
    help="Inspect and tidy the synthesis cache.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(cache_app, name="cache")


@cache_app.command("prune")
def cache_prune() -> None:
    """Remove cached clips and encoded blocks that no script uses any more."""
    from .config import load_config
    from .pipeline.prune import prune_cache

    stats = prune_cache(load_config(project_root()))
    print(
        f"removed {stats['clips_removed']} clips and {stats['blocks_removed']} encoded blocks "
        f"({stats['bytes_freed'] / 1e6:.1f} MB); kept {stats['clips_kept']} clips"
    )


@app.command("import")
def import_page(
    page: Annotated[Path, typer.Argument(help="A course page saved as text (PAGE.txt).")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Scripts folder (default: scripts/).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite scripts that differ.")] = False,
) -> None:
    """Turn a course page into a lesson script and an audiobook script."""
    from .importers import import_file

    report = import_file(page, output or project_root() / "scripts", force=force)
    for warning in report.warnings:
        err(f"warning: {warning}")
    for done in report.files:
        script = done.script
        print(f"{done.status} {done.path} ({script.chapters} chapters, {script.turns} turns)")


@app.command()
def voices(
    engine: Annotated[str | None, typer.Option("--engine", help="Only this engine.")] = None,
) -> None:
    """List every voice (presets, voices/ files, engines' own) and whether it works here."""
    from .voices.listing import list_voices

    for row in list_voices(project_root()):
        if engine is None or row.engine == engine:
            state = "ok" if row.usable else "unavailable"
            line = f"{row.name:<20} {row.engine:<8} {row.source:<22} {state:<11} {row.reason}"
            print(line.rstrip())


@app.command()
def say(
    text: Annotated[str, typer.Argument(help="What to say.")],
    voice: Annotated[str | None, typer.Option("--voice", help="Voice (default: teacher).")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="A .wav or .mp3 file (default: say.wav).")
    ] = None,
) -> None:
    """Render one text with one voice into a WAV or MP3 file, to hear it."""
    from .voices.render import say as render_say

    print(render_say(text, voice, output or Path("say.wav"), project_root()))


@app.command()
def feed(
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", help="Public URL of output/ (default: [feed] base_url)."),
    ] = None,
) -> None:
    """Write the podcast feed (output/feed.xml) and the listening page (output/index.html)."""
    from .config import load_config
    from .publish.site import publish

    config = load_config(project_root(), base_url=base_url)
    for path in publish(config, require_feed=True):
        print(path)


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option("--host", help="Address to bind; 0.0.0.0 for phones on the LAN.")
    ] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default 8000; 0: any).")] = None,
) -> None:
    """Serve output/ (page, episodes, feed) on this computer or the local network."""
    from .config import load_config
    from .publish.serve import create_server, run, server_urls

    config = load_config(project_root())
    server = create_server(config, host or "127.0.0.1", 8000 if port is None else port)
    for url in server_urls(server):
        print(f"Listening page: {url}   Podcast feed: {url}feed.xml", flush=True)
    print("Press Ctrl+C to stop.", flush=True)
    run(server)


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
