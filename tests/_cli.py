"""Running the CLI as a user would: every test that runs `audiolesson` goes through here.

- `audiolesson(root, ...)`: a real process, `python -m audiolesson ...` in a project folder (or the
  console script pip installed, `script=True`); what only a process shows: its exit status, that
  no traceback reaches stderr, signals, locks held by other processes.
- `start(root, ...)`: the same process left running (serve, --watch, builds raced against others).
- `in_process(root, ...)`: `audiolesson.cli.main()` called here, under click's CliRunner, for the
  many cases where a process adds nothing but half a second of start-up (bad inputs, listings).
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner


def console_script() -> str:
    """The `audiolesson` command pip installed for this interpreter (not whichever is on PATH)."""
    for folder in (Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))):
        if (folder / "audiolesson").is_file():
            return str(folder / "audiolesson")
    found = shutil.which("audiolesson")
    assert found, "the audiolesson console script is not installed (pip install -e .)"
    return found


def command(*args: str, script: bool = False, prelude: str = "") -> list[str]:
    """The argv of `audiolesson *args`.

    script: the console script instead of `python -m audiolesson`; prelude: Python run in the
    process before the CLI's main (to patch an engine the way a fault would), then main().
    """
    if prelude:
        code = f"{prelude}\nimport sys\nsys.argv[0] = 'audiolesson'\n"
        code += "from audiolesson.cli import main\nmain()\n"
        return [sys.executable, "-c", code, *args]
    if script:
        return [console_script(), *args]
    return [sys.executable, "-m", "audiolesson", *args]


def audiolesson(
    root: Path,
    *args: str,
    timeout: float = 300,
    env: dict[str, str] | None = None,
    script: bool = False,
    prelude: str = "",
    **popen: object,
) -> subprocess.CompletedProcess[str]:
    """Run `audiolesson *args` in root to its end; stdout and stderr captured as text."""
    return subprocess.run(  # type: ignore[call-overload]  # **popen: any of run's options
        command(*args, script=script, prelude=prelude),
        cwd=root,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env if env is not None else dict(os.environ),
        **popen,
    )


def start(
    root: Path,
    *args: str,
    env: dict[str, str] | None = None,
    prelude: str = "",
    **popen: object,
) -> subprocess.Popen[str]:
    """Start `audiolesson *args` in root and leave it running; stdout and stderr are pipes."""
    options: dict[str, object] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **popen}
    return subprocess.Popen(  # type: ignore[call-overload]
        command(*args, prelude=prelude),
        cwd=root,
        text=True,
        env=env if env is not None else dict(os.environ),
        **options,
    )


@dataclass(frozen=True)
class Ran:
    """What an in-process run printed and the exit status it ended with (as a process would)."""

    returncode: int
    stdout: str
    stderr: str


class _Main:
    """`audiolesson.cli.main` in the shape CliRunner.invoke calls: main(args=..., prog_name=...)."""

    name = "audiolesson"

    def main(self, args: list[str], prog_name: str, **_: object) -> None:
        from audiolesson.cli import main

        sys.argv = [prog_name, *args]
        try:
            main()
        finally:
            sys.stderr.flush()  # click 8.1's runner reads stderr's bytes without flushing it


def in_process(root: Path, *args: str) -> Ran:
    """Run `audiolesson *args` in root inside this process: the console script's main(), whose
    error handling (one line on stderr, exit 1) is what is under test, with stdout and stderr
    captured apart. Logging is set up by the CLI as in a fresh process: pytest's own log handlers
    step aside for the run, so a stray log line shows on stderr here as it would for a user."""
    root_logger = logging.getLogger()
    handlers, level = root_logger.handlers[:], root_logger.level
    argv = sys.argv
    # click < 8.2 mixes stderr into stdout unless told not to; 8.2 keeps them apart always
    apart = "mix_stderr" in inspect.signature(CliRunner).parameters
    options: dict[str, Any] = {"mix_stderr": False} if apart else {}
    runner = CliRunner(**options)
    try:
        root_logger.handlers = []
        with contextlib.chdir(root):
            result = runner.invoke(_Main(), list(args), catch_exceptions=False)  # type: ignore[arg-type]
    finally:
        root_logger.handlers, root_logger.level = handlers, level
        sys.argv = argv
    return Ran(result.exit_code, result.stdout, result.stderr)
