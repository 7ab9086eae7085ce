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

from ._malloc import limit_arenas
from .cli_shared import Command, examples, project_root
from .cli_voices import voices_app
from .errors import AudiolessonError, error_line

app = typer.Typer(
    help="Turn lesson scripts into chaptered, mastered, tagged MP3 episodes, offline.",
    epilog=examples(
        "audiolesson new mycourse          # start a project",
        "audiolesson build                 # scripts/*.md -> output/",
        "audiolesson serve                 # listen at http://127.0.0.1:8000/",
        "audiolesson build --help          # every option of a command",
    ),
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


SCRIPTS_HELP = "Script files (default: every scripts/*.md)."
#: the options several commands share, declared once
ScriptsArg = Annotated[
    list[Path] | None, typer.Argument(help=SCRIPTS_HELP, metavar="SCRIPTS", show_default=False)
]
OutputDirOption = Annotated[
    str | None,
    typer.Option("--output", "-o", metavar="DIR", help="Output folder (default: output/)."),
]
StrictOption = Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")]


@app.command(
    cls=Command,
    epilog=examples(
        "audiolesson check",
        "audiolesson check scripts/intro.md --strict",
        "audiolesson check --spoken          # what is said for numbers and formulas",
        "audiolesson check --unsure          # words no rule was sure of",
        "audiolesson check --json > scripts.json",
    ),
)
def check(
    scripts: ScriptsArg = None,
    strict: StrictOption = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the parsed scripts as JSON.")
    ] = False,
    spoken: Annotated[
        bool,
        typer.Option("--spoken", help="Print each turn whose spoken form differs from its text."),
    ] = False,
    unsure: Annotated[
        bool,
        typer.Option("--unsure", help="Print each word no rule was sure of, as a lexicon line."),
    ] = False,
) -> None:
    """Check scripts and show what will be said, without synthesising.

    Parses each script and makes its spoken forms (numbers, units, formulas in words) without
    synthesising anything; prints one summary line per script and one line per practice point
    ([your turn]); warnings and errors go to stderr as path:line: message.
    """
    import json

    from .config import load_config
    from .script.check import check_scripts
    from .voices.cast import spoken_turns

    root = project_root()
    results = check_scripts(scripts, root, speak=spoken_turns(root, load_config(root).voices))
    for result in results:
        for line in [] if as_json else result.report(spoken, unsure):
            print(line, flush=True)
        for line in result.problems(strict):
            err(line)
    if as_json:
        print(json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False))
    if any(r.failed(strict) for r in results):
        raise typer.Exit(1)


@app.command(
    cls=Command,
    epilog=examples(
        "audiolesson build",
        "audiolesson build scripts/intro.md --jobs 2",
        "audiolesson build --plan",
        "audiolesson build --watch",
        "audiolesson build --stereo --loudness -16 --id3 2.3",
        "audiolesson build --format mp3 --format m4b",
        "audiolesson build --format anki         # output/NAME.apkg: cards with audio",
        "audiolesson build --no-gaps -o review/  # the episodes without practice gaps",
        "audiolesson build --base-url https://example.org/lessons/",
        "audiolesson build --executor ray --address 10.0.0.5:6379",
    ),
)
def build(
    scripts: ScriptsArg = None,
    output: OutputDirOption = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", metavar="N", help="Worker processes (default: one per CPU)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild episodes even if they are up to date.")
    ] = False,
    strict: StrictOption = False,
    plan: Annotated[
        bool, typer.Option("--plan", help="Say what would be synthesised; build nothing.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON event per line.")] = False,
    stereo: Annotated[
        bool | None, typer.Option("--stereo/--mono", help="Channel layout (default: mono).")
    ] = None,
    bitrate: Annotated[
        int | None,
        typer.Option(
            "--bitrate", metavar="KBPS", help="MP3 bitrate (default: 64 mono, 96 stereo)."
        ),
    ] = None,
    loudness: Annotated[
        float | None,
        typer.Option(
            "--loudness", metavar="LUFS", help="Loudness target (default: -19 mono, -16 stereo)."
        ),
    ] = None,
    id3: Annotated[
        str | None,
        typer.Option("--id3", metavar="VERSION", help="ID3 tag version: 2.4 (default) or 2.3."),
    ] = None,
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help="mp3 (always), m4b (audiobook), anki (flash cards) or epub (read-along book);"
            " repeatable.",
        ),
    ] = None,
    gaps: Annotated[
        bool | None,
        typer.Option(
            "--gaps/--no-gaps",
            help="Practice gaps at [your turn] (default: on); --no-gaps to review.",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option("--base-url", metavar="URL", help="Public URL of output/; writes feed.xml."),
    ] = None,
    watch: Annotated[
        bool, typer.Option("--watch", help="Build again after every save, until Ctrl+C.")
    ] = False,
    executor: Annotated[
        str | None,
        typer.Option("--executor", metavar="NAME", help="local (processes here, default) or ray."),
    ] = None,
    address: Annotated[
        str | None,
        typer.Option("--address", metavar="HOST:PORT", help="The Ray head (with --executor ray)."),
    ] = None,
) -> None:
    """Build scripts into MP3 episodes, transcripts and chapters.

    Writes output/NAME.mp3, NAME.vtt and NAME.chapters.json for every script, and the listening
    page output/index.html. Only turns whose text or voice changed are synthesised again.
    """
    from .config import Overrides, load_config
    from .pipeline.build import build as run_build
    from .report import BuildReporter, WatchReporter

    overrides = Overrides(
        output=output, jobs=jobs, stereo=stereo, bitrate=bitrate, loudness=loudness, id3=id3,
        formats=formats, base_url=base_url, executor=executor, address=address,
        practice_gaps=gaps,
    )  # fmt: skip
    if watch:
        from .pipeline.watch import watch_project

        if plan:
            raise typer.BadParameter("--plan builds nothing, so there is nothing to --watch")
        listener = WatchReporter(project_root(), json_lines=as_json, quiet=quiet)
        watch_project(project_root(), scripts, overrides=overrides, force=force, strict=strict,
                      listener=listener)  # fmt: skip
        return
    config = load_config(project_root(), overrides)
    with BuildReporter(json_lines=as_json, quiet=quiet) as reporter:
        result = run_build(
            config, scripts, force=force, plan_only=plan, strict=strict, on_event=reporter.event
        )
    reporter.finish(result, plan_only=plan)


@app.command(
    cls=Command,
    epilog=examples(
        "audiolesson new mycourse && cd mycourse && audiolesson build",
        "audiolesson new .",
    ),
)
def new(
    folder: Annotated[
        Path,
        typer.Argument(
            help="Folder for the project (default: this one).", metavar="DIR", show_default=False
        ),
    ] = Path("."),
) -> None:
    """Start a project: an example lesson, voices and settings.

    Writes scripts/welcome.md, voices/guide.toml (a voice), voices/lexicon.toml (how to say
    words), audiolesson.toml (every setting, commented) and a .gitignore for output/ and the
    cache. A folder that already holds a project is left as it is.
    """
    from .scaffold import new_project

    for path in new_project(folder):
        print(f"wrote {path}")
    where = "" if folder == Path(".") else f"cd {folder} && "
    print(f"next: {where}audiolesson build && audiolesson serve --watch")


cache_app = typer.Typer(
    help="Inspect and tidy the synthesis cache.",
    epilog=examples("audiolesson cache prune"),
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(cache_app, name="cache")


@cache_app.command("prune", cls=Command, epilog=examples("audiolesson cache prune"))
def cache_prune() -> None:
    """Remove cached clips, sentences and encoded blocks no script uses.

    Keeps everything the current scripts need, so the next build is as fast as before.
    """
    from .config import load_config
    from .pipeline.prune import prune_cache

    stats = prune_cache(load_config(project_root()))
    print(
        f"removed {stats['clips_removed']} clips, {stats['sentences_removed']} sentences and "
        f"{stats['blocks_removed']} encoded blocks "
        f"({stats['bytes_freed'] / 1e6:.1f} MB); kept {stats['clips_kept']} clips"
    )


@app.command(
    "import",
    cls=Command,
    epilog=examples(
        "audiolesson import book.epub",
        "audiolesson import handout.pdf notes.docx article.html -o scripts/",
        "audiolesson import course/ --series 'Biology Basics'",
        "audiolesson import page.txt --force",
    ),
)
def import_page(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Books, pages or folders of them (EPUB, PDF, DOCX, HTML, text).",
            metavar="FILE",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="DIR", help="Scripts folder (default: scripts/)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite scripts that differ from the import.")
    ] = False,
    series: Annotated[
        str | None,
        typer.Option(
            "--series", metavar="NAME", help="Series of several books (default: their folder)."
        ),
    ] = None,
) -> None:
    """Turn books, documents and web pages into scripts you can edit.

    Writes one script per book (BOOK.md, its cover beside it) and, for a course page,
    SLUG-lesson.md, SLUG-audiobook.md and SLUG-review.md (its glossary, flash cards and key
    concepts as questions with practice gaps); several files make a series numbered in the order
    of their names. Nothing is written if any file cannot be read; a script you edited is
    never overwritten without --force.
    """
    from .importers.batch import import_paths

    report = import_paths(paths, output or project_root() / "scripts", force=force, series=series)
    for warning in report.warnings:
        err(f"warning: {warning}")
    for path, why in report.skipped:
        err(f"skipped {path}: {why}")
    counts: dict[str, int] = {}
    for done in report.files:
        source = "" if done.kind == "course page" else f"{done.kind}, "
        source += f"{done.pages} pages, " if done.pages else ""
        for written in done.scripts:
            script = written.script
            counts[written.status] = counts.get(written.status, 0) + 1
            print(
                f"{written.status} {written.path} ({source}{script.chapters} chapters, "
                f"{script.turns} turns)"
            )
        if done.cover is not None:
            print(f"{done.cover[1]} {done.cover[0]} (cover)")
    if len(report.files) > 1:
        states = ", ".join(f"{n} {state}" for state, n in counts.items())
        series_note = f" as the series '{report.series}'" if report.series else ""
        print(f"imported {len(report.files)} files{series_note}: {states}")


app.add_typer(voices_app, name="voices")  # voices, voices available, voices install


@app.command(
    cls=Command,
    epilog=examples(
        'audiolesson say "Hello there"',
        'audiolesson say "Photosynthesis" --voice student-2 -o word.mp3',
    ),
)
def say(
    text: Annotated[str, typer.Argument(help="What to say.", metavar="TEXT", show_default=False)],
    voice: Annotated[
        str | None, typer.Option("--voice", metavar="NAME", help="Voice (default: teacher).")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="A .wav or .mp3 (default: say.wav)."),
    ] = None,
) -> None:
    """Say one text with one voice into a WAV or MP3 file.

    A quick way to hear a voice or a pronunciation before putting it in a script.
    """
    from .config import load_config
    from .voices.render import say as render_say

    config = load_config(project_root())
    print(render_say(text, voice, output or Path("say.wav"), config.root, config.voices))


@app.command(
    cls=Command,
    epilog=examples(
        "audiolesson verify",
        "audiolesson verify scripts/intro.md --threshold 0.1",
        "audiolesson verify --json > heard.json",
    ),
)
def verify(
    scripts: ScriptsArg = None,
    output: OutputDirOption = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            metavar="WER",
            help="Flag turns over this word error rate, 0-1 (default: 0.25).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Listen to built episodes and list turns heard unlike the script.

    Transcribes every turn offline (Whisper tiny.en) and compares it with what is written:
    path:line, speaker, heard against written, word error rate, and a lexicon suggestion where
    one word differs. Exit status 1 when a turn is over the threshold. Needs the verify extra.
    """
    import json

    from .config import load_config
    from .verify import verify as run_verify

    config = load_config(project_root(), output=output)
    checks = run_verify(config, scripts, threshold, on_warning=lambda w: err(f"warning: {w}"))
    if as_json:
        print(json.dumps([c.to_dict() for c in checks], indent=2, ensure_ascii=False))
    else:
        for check in checks:
            for turn in check.flagged:
                print(*turn.report(), sep="\n", flush=True)
            print(check.summary(), flush=True)
    if any(c.flagged for c in checks):
        raise typer.Exit(1)


@app.command(
    cls=Command, epilog=examples("audiolesson feed --base-url https://example.org/lessons/")
)
def feed(
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url", metavar="URL", help="Public URL of output/ (default: [feed] base_url)."
        ),
    ] = None,
) -> None:
    """Write the podcast feed and the listening page.

    Writes output/feed.xml and output/index.html from what is already built, without building.
    """
    from .config import load_config
    from .publish.site import publish

    config = load_config(project_root(), base_url=base_url)
    for path in publish(config.site, require_feed=True):
        print(path)


@app.command(
    cls=Command,
    epilog=examples(
        "audiolesson serve",
        "audiolesson serve --watch        # rebuild on save; the page follows",
        "audiolesson serve --host 0.0.0.0 --port 8080",
    ),
)
def serve(
    host: Annotated[
        str | None,
        typer.Option(
            "--host", metavar="ADDRESS", help="Address to bind; 0.0.0.0 for phones on the LAN."
        ),
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", metavar="N", help="Port (default: 8000; 0: any free).")
    ] = None,
    watch: Annotated[
        bool,
        typer.Option("--watch", help="Build now and after every save; open pages reload."),
    ] = False,
) -> None:
    """Serve the listening page, episodes and feed.

    Serves output/ on this computer (or, with --host 0.0.0.0, the local network) with the
    byte ranges players need to seek; never anything outside output/. With --watch, a saved
    script is rebuilt and open pages show it at once, keeping their place.
    """
    from .config import load_config
    from .publish.serve import create_server, run, running, server_urls

    config = load_config(project_root())
    port = 8000 if port is None else port
    server = create_server(config.site, host or "127.0.0.1", port, live=watch)
    for url in server_urls(server):
        print(f"Listening page: {url}   Podcast feed: {url}feed.xml", flush=True)
    print("Press Ctrl+C to stop.", flush=True)
    if not watch:
        run(server)
        return
    from .pipeline.watch import watch_project
    from .report import WatchReporter

    with running(server):
        watch_project(project_root(), listener=WatchReporter(project_root()), live=server.live)


def main() -> None:
    """Console-script entry point: one line per error and exit 1, never a traceback."""
    limit_arenas()  # before any thread allocates: see audiolesson._malloc
    try:
        app()
    except AudiolessonError as exc:
        if _options["verbose"]:
            raise
        err(error_line(exc))
        sys.exit(1)
    except KeyboardInterrupt:
        err("error: interrupted")
        sys.exit(130)
    except OSError as exc:
        if _options["verbose"]:
            raise
        err(error_line(exc))
        sys.exit(1)
    except Exception as exc:  # a bug: still one line, the traceback is behind --verbose
        if _options["verbose"]:
            raise
        err(f"error: internal error: {type(exc).__name__}: {exc} (rerun with --verbose)")
        sys.exit(1)
