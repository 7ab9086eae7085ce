"""Running the real CLI as a user would: `python -m audiolesson ...` in a project folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def audiolesson(
    root: Path,
    *args: str,
    timeout: float = 300,
    env: dict[str, str] | None = None,
    **popen: object,
) -> subprocess.CompletedProcess[str]:
    """Run `audiolesson *args` in root; stdout and stderr captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "audiolesson", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env if env is not None else dict(os.environ),
        **popen,  # type: ignore[arg-type]
    )
