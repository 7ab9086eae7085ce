"""The progress bars of `audiolesson voices install`: one per file, with its size and speed.

Drawn on stderr with rich, and only on a terminal (a log or a pipe gets the summary lines the
CLI prints, not a bar's frames).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["download_bars"]


@contextmanager
def download_bars() -> Iterator[Callable[[Any], Callable[[int, int], None]]]:
    """A factory of progress callbacks (one bar per file) for voices.install.install."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    console = Console(stderr=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, disable=not console.is_terminal) as bars:

        def bar(file: Any) -> Callable[[int, int], None]:
            task = bars.add_task(file.name, total=file.size)
            return lambda done, total: bars.update(task, completed=done, total=total)

        yield bar
