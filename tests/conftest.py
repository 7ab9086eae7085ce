"""Shared test set-up: the suite never sees the voices installed on the machine it runs on."""

from __future__ import annotations

import os
import tempfile

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """An empty voice store ($XDG_DATA_HOME) for the whole run, subprocesses included.

    Installed voices change the default casts (voices/store_cast.py): a developer's
    `audiolesson voices install` must not change what the tests hear. Tests that install
    voices point XDG_DATA_HOME at a folder of their own.
    """
    os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="audiolesson-test-data-")
