"""`audiolesson voices`: list the voices a project can use, and install more (a group of cli)."""

from __future__ import annotations

from typing import Annotated

import typer

from .cli_shared import Command, examples, project_root

__all__ = ["voices_app"]

voices_app = typer.Typer(
    epilog=examples("audiolesson voices --engine piper", "audiolesson voices --preview"),
    rich_markup_mode=None,
)


@voices_app.callback(invoke_without_command=True)
def voices(
    ctx: typer.Context,
    engine: Annotated[
        str | None,
        typer.Option("--engine", metavar="NAME", help="Only this engine (piper, pyttsx3, ...)."),
    ] = None,
    preview: Annotated[
        bool, typer.Option("--preview", help="Write output/voices.html: hear every voice.")
    ] = False,
) -> None:
    """List every voice and whether it works here; install more.

    Presets, voices/ files, installed voices and engines' own voices: name, engine, source, ok
    or unavailable (and why). --preview: every usable voice on a page, output/voices.html.
    """
    if ctx.invoked_subcommand is not None:
        return
    from .config import load_config
    from .voices.listing import list_voices
    from .voices.preview import write_preview

    config = load_config(project_root())
    if preview:
        return print(write_preview(config, engine=engine))
    rows = list_voices(config.root, config.voices.cast)
    print(*(row.line() for row in rows if engine in (None, row.engine)), sep="\n")


MirrorOption = Annotated[
    str | None,
    typer.Option("--mirror", metavar="URL", help="A mirror of the voice hosts ([voices] mirror)."),
]


@voices_app.command(cls=Command, epilog=examples("audiolesson voices available --language en"))
def available(
    language: Annotated[
        str | None, typer.Option("--language", metavar="CODE", help="Only this language (en_GB).")
    ] = None,
    mirror: MirrorOption = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="Fetch Piper's list again.")] = False,
) -> None:
    """List Piper's and Kokoro's voices: language, quality, speakers, size, installed."""
    from .config import load_config
    from .voices.install import available

    config = load_config(project_root(), mirror=mirror)  # --mirror is checked as the file's is
    for row in available(config.root, language, config.voices.mirror, refresh):
        print(row.line())


@voices_app.command(
    cls=Command,
    epilog=examples(
        "audiolesson voices install piper:en_GB-alba-medium kokoro",
        "audiolesson voices install piper:en_US-libritts_r-medium --project",
    ),
)
def install(
    names: Annotated[
        list[str],
        typer.Argument(help="piper:NAME or kokoro.", metavar="VOICES", show_default=False),
    ],
    project: Annotated[
        bool, typer.Option("--project", help="Into this project's voices/.")
    ] = False,
    mirror: MirrorOption = None,
    full: Annotated[
        bool, typer.Option("--full", help="kokoro: the 325 MB full model too.")
    ] = False,
) -> None:
    """Download voices (checked, resumable) for casts: piper:NAME[#SPEAKER], kokoro:NAME."""
    from .config import load_config
    from .install_report import download_bars
    from .voices.install import install

    config = load_config(project_root(), mirror=mirror)
    with download_bars() as bars:
        done = install(
            names,
            config.root,
            project=project,
            mirror=config.voices.mirror,
            full=full,
            progress=bars,
        )
    print(*(line for result in done for line in result.lines()), sep="\n")
