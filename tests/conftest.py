"""What many test files share: the fixture project, skipping a test whose extra is missing, and
an empty voice store (the suite never sees the voices installed on the machine it runs on).

Helpers that are plain functions live beside this file: `_project.py` (copies of the fixture
project), `_cli.py` (running the CLI), `_probe.py` (reading outputs back with ffprobe, ffmpeg and
a WebVTT reader of our own).
"""

from __future__ import annotations

import importlib.metadata
import os
import tempfile
from pathlib import Path

import pytest
from _project import copy_project
from packaging.requirements import Requirement


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers this file gives meaning to; an empty voice store for the run.

    The store is $XDG_DATA_HOME, for the whole run, subprocesses included: installed voices
    change the default casts (voices/store_cast.py), and a developer's `audiolesson voices
    install` must not change what the tests hear. Tests that install voices point XDG_DATA_HOME
    at a folder of their own.
    """
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="audiolesson-test-data-")
    config.addinivalue_line(
        "markers",
        "requires_extra(name): skip, with the reason, unless audiolesson[name] is installed "
        "(under CI=true it fails instead: CI installs every extra the tests use)",
    )


def missing_from_extra(extra: str) -> list[str]:
    """The requirements of audiolesson[extra] that are not installed at a version it accepts."""
    requires = importlib.metadata.requires("audiolesson") or []
    wanted = [Requirement(r) for r in requires]
    wanted = [r for r in wanted if r.marker and r.marker.evaluate({"extra": extra})]
    assert wanted, f"audiolesson has no extra named {extra!r}"
    missing = []
    for req in wanted:
        try:
            version = importlib.metadata.version(req.name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(req.name)
            continue
        if not req.specifier.contains(version, prereleases=True):
            missing.append(f"{req.name} {version} (wants {req.specifier})")
    return missing


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a test marked requires_extra("kokoro") when that extra is not installed.

    Beets' requires_import, with its CI rule: where CI=true the test runs and fails, so a CI
    machine that lost an extra cannot pass by skipping what it was meant to test.
    """
    for marker in item.iter_markers("requires_extra"):
        (extra,) = marker.args
        missing = missing_from_extra(extra)
        if missing and os.environ.get("CI") != "true":
            pytest.skip(
                f"needs audiolesson[{extra}] (missing: {', '.join(missing)}); "
                f"pip install -e '.[{extra}]'"
            )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of tests/data/project at tmp_path/project (tone voices: no neural-model time)."""
    return copy_project(tmp_path / "project")
