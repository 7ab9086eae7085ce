"""files.append_file: the kernel copies a file onto the end of another, or Python does."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from audiolesson import files


def _append(tmp_path: Path, parts: list[bytes]) -> bytes:
    """Write a header, then append each part from its own file; the result's bytes."""
    out = tmp_path / "out.bin"
    with out.open("wb") as fh:
        fh.write(b"HEAD")
        fh.flush()
        for n, data in enumerate(parts):
            source = tmp_path / f"part{n}"
            source.write_bytes(data)
            assert files.append_file(fh.fileno(), source) == len(data)
        fh.write(b"TAIL")  # the handle's position followed the kernel's copies
    return out.read_bytes()


PARTS = [os.urandom(3 << 20), b"", os.urandom(1000)]


def test_the_kernel_appends_every_byte_in_order(tmp_path: Path) -> None:
    assert _append(tmp_path, PARTS) == b"HEAD" + b"".join(PARTS) + b"TAIL"


@pytest.mark.parametrize("missing", [("_copy_file_range",), ("_copy_file_range", "_sendfile")])
def test_each_fallback_appends_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, missing: tuple[str, ...]
) -> None:
    used = []

    def refuse(name: str):
        def copy(*args: object) -> int:
            used.append(name)
            raise OSError(errno.EXDEV, "Invalid cross-device link")

        return copy

    for name in missing:
        monkeypatch.setattr(files, name, refuse(name))
    assert _append(tmp_path, PARTS) == b"HEAD" + b"".join(PARTS) + b"TAIL"
    assert set(used) == set(missing)


def test_a_fallback_carries_on_where_the_kernel_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = files._copy_file_range
    calls = []

    def once(src: int, out: int, offset: int, count: int) -> int:
        calls.append(offset)
        if len(calls) > 1:
            raise OSError(errno.EINVAL, "Invalid argument")
        return real(src, out, offset, min(count, 12345))

    monkeypatch.setattr(files, "_copy_file_range", once)
    monkeypatch.setattr(files, "_sendfile", once)
    assert _append(tmp_path, PARTS[:1]) == b"HEAD" + PARTS[0] + b"TAIL"
    assert calls[:2] == [0, 12345]


def test_a_full_disk_is_an_error_not_a_fallback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files, "_copy_file_range", full)
    monkeypatch.setattr(files, "_sendfile", lambda *a: pytest.fail("fell back after ENOSPC"))
    with pytest.raises(OSError) as caught:
        _append(tmp_path, PARTS[:1])
    assert caught.value.errno == errno.ENOSPC
