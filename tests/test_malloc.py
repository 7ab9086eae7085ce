"""The allocator's arena cap (issue 27: a 10-hour book's peak memory)."""

from __future__ import annotations

import platform
import sys

import pytest

from audiolesson import _malloc


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="glibc only",
)
def test_glibc_takes_the_arena_cap() -> None:
    assert _malloc.limit_arenas() is True
    assert _malloc.limit_arenas(4) is True  # a second call is harmless


def test_elsewhere_the_cap_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_malloc.sys, "platform", "darwin")
    assert _malloc.limit_arenas() is False


def test_the_console_script_caps_the_arenas_first(monkeypatch: pytest.MonkeyPatch) -> None:
    from audiolesson import cli

    calls: list[str] = []
    monkeypatch.setattr(cli, "limit_arenas", lambda: calls.append("arenas"))
    monkeypatch.setattr(cli, "app", lambda: calls.append("app"))
    cli.main()
    assert calls == ["arenas", "app"]
