"""What `audiolesson voices install` can install: Piper's catalogue and Kokoro v1.0's files.

Piper: the upstream voices.json of rhasspy/piper-voices on Hugging Face (every voice with its
language, quality, speakers and files, each with size_bytes and md5_digest), downloaded once
into the user cache and read from there (`voices available --refresh` fetches it again).
Kokoro: the files of the kokoro-onnx release model-files-v1.0, pinned here by size and sha256;
the int8 model is the one audiolesson joins from its PyPI parts, so it is fetched only when
those are missing.

A mirror (`--mirror URL`, `[voices] mirror`) is laid out like upstream: `URL/piper-voices/` is a
copy of the piper-voices repository (voices.json, en/en_GB/alba/medium/...), and
`URL/kokoro-onnx/model-files-v1.0/` holds the release's files under their own names.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DownloadError
from ..files import write_atomic
from ..paths import user_cache_dir

__all__ = [
    "KOKORO_FULL",
    "KOKORO_INT8",
    "KOKORO_VOICES",
    "KOKORO_VOICES_FILE",
    "KokoroFile",
    "catalogue_path",
    "kokoro_url",
    "piper_catalogue",
    "piper_url",
]

log = logging.getLogger(__name__)

PIPER_UPSTREAM = "https://huggingface.co/rhasspy/piper-voices/resolve/main/"
KOKORO_UPSTREAM = "https://github.com/thewh1teagle/kokoro-onnx/releases/download/model-files-v1.0/"
MIRROR_PIPER = "piper-voices/"
MIRROR_KOKORO = "kokoro-onnx/model-files-v1.0/"
CATALOGUE_LIMIT = 64 * 1024 * 1024  #: voices.json is a few MB; anything this big is not it


@dataclass(frozen=True)
class KokoroFile:
    """A file of the Kokoro v1.0 release, as its publishers and its consumers pin it."""

    name: str
    size: int
    sha256: str
    what: str


KOKORO_VOICES_FILE = KokoroFile(
    "voices-v1.0.bin",
    28_214_398,
    "bca610b8308e8d99f32e6fe4197e7ec01679264efed0cac9140fe9c29f1fbf7d",
    "54 voices, English (US and GB) among them",
)
KOKORO_INT8 = KokoroFile(
    "kokoro-v1.0.int8.onnx",
    92_361_271,
    "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb",
    "the int8 model (what the kokoro extra joins from PyPI)",
)
KOKORO_FULL = KokoroFile(
    "kokoro-v1.0.onnx",
    325_532_387,
    "7d5df8ecf7d4b1878015a32686053fd0eebe2bc377234608764cc0ef3636a6c5",
    "the full-precision model",
)

#: Kokoro v1.0's voices: name -> (language, gender, grade). Grades are the model card's
#: (hexgrad/Kokoro-82M VOICES.md) for the English voices; the others are not graded here.
_GRADES = {
    "af_heart": "A", "af_bella": "A-", "af_nicole": "B-", "af_aoede": "C+", "af_kore": "C+",
    "af_sarah": "C+", "af_alloy": "C", "af_nova": "C", "af_sky": "C-", "af_jessica": "D",
    "af_river": "D", "am_fenrir": "C+", "am_michael": "C+", "am_puck": "C+", "am_echo": "D",
    "am_eric": "D", "am_liam": "D", "am_onyx": "D", "am_santa": "D-", "am_adam": "F+",
    "bf_emma": "B-", "bf_isabella": "C", "bf_alice": "D", "bf_lily": "D", "bm_george": "C",
    "bm_fable": "C", "bm_lewis": "D+", "bm_daniel": "D",
}  # fmt: skip
_OTHERS = (
    "ef_dora em_alex em_santa ff_siwis hf_alpha hf_beta hm_omega hm_psi if_sara im_nicola "
    "jf_alpha jf_gongitsune jf_nezumi jf_tebukuro jm_kumo pf_dora pm_alex pm_santa zf_xiaobei "
    "zf_xiaoni zf_xiaoxiao zf_xiaoyi zm_yunjian zm_yunxi zm_yunxia zm_yunyang"
).split()
_LANGUAGES = {
    "a": "en-us", "b": "en-gb", "e": "es", "f": "fr", "h": "hi", "i": "it", "j": "ja",
    "p": "pt-br", "z": "zh",
}  # fmt: skip
KOKORO_VOICES: dict[str, tuple[str, str, str]] = {
    name: (_LANGUAGES[name[0]], "female" if name[1] == "f" else "male", _GRADES.get(name, ""))
    for name in sorted([*_GRADES, *_OTHERS])
}


def _base(mirror: str | None, upstream: str, folder: str) -> str:
    if not mirror:
        return upstream
    return mirror.rstrip("/") + "/" + folder


def piper_url(path: str, mirror: str | None = None) -> str:
    """The URL of a file of the piper-voices repository (upstream, or on the mirror)."""
    return _base(mirror, PIPER_UPSTREAM, MIRROR_PIPER) + path.lstrip("/")


def kokoro_url(name: str, mirror: str | None = None) -> str:
    """The URL of a file of the kokoro-onnx release model-files-v1.0."""
    return _base(mirror, KOKORO_UPSTREAM, MIRROR_KOKORO) + name


def catalogue_path() -> Path:
    """Where Piper's voices.json is kept between runs: in our user cache folder."""
    return user_cache_dir() / "piper-voices.json"


def _check(data: Any, where: str) -> dict[str, Any]:
    """voices.json must map names to voices that list their files; one line if not."""
    if not isinstance(data, dict) or not all(
        isinstance(v, dict) and isinstance(v.get("files"), dict) for v in data.values()
    ):
        raise DownloadError(f"{where} is not Piper's voices.json (no voices with files in it)")
    return data


def piper_catalogue(mirror: str | None = None, refresh: bool = False) -> dict[str, Any]:
    """Piper's catalogue: the cached voices.json, or downloaded (and cached) when missing."""
    path = catalogue_path()
    if not refresh and path.is_file():
        try:
            return _check(json.loads(path.read_text(encoding="utf-8")), str(path))
        except (OSError, ValueError, DownloadError) as exc:
            log.warning("the cached Piper catalogue %s is unreadable (%s); fetching it", path, exc)
    import urllib.error

    from .download import open_url

    url = piper_url("voices.json", mirror)
    try:
        with open_url(url) as response:
            raw = response.read(CATALOGUE_LIMIT + 1)
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"voices.json: {url} answered HTTP {exc.code} {exc.reason}") from None
    except OSError as exc:
        reason = getattr(exc, "reason", None) or exc.strerror or exc
        raise DownloadError(
            f"voices.json: cannot reach {url} ({reason}); on a machine without the internet "
            "give a mirror: --mirror URL or [voices] mirror"
        ) from None
    if len(raw) > CATALOGUE_LIMIT:
        raise DownloadError(f"voices.json from {url} is over {CATALOGUE_LIMIT >> 20} MB")
    try:
        data = _check(json.loads(raw.decode("utf-8")), url)
    except ValueError:
        raise DownloadError(f"voices.json from {url} is not JSON") from None
    write_atomic(path, raw)
    return data


def piper_voice_info(name: str, catalogue: dict[str, Any]) -> dict[str, Any]:
    """The catalogue's entry for a voice, or a one-line error with the nearest names."""
    entry = catalogue.get(name)
    if isinstance(entry, dict):
        return entry
    import difflib

    close = difflib.get_close_matches(name, list(catalogue), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join('piper:' + c for c in close)}?" if close else ""
    raise DownloadError(
        f"piper:{name} is not in Piper's catalogue{hint} (see audiolesson voices available)"
    )


def piper_language(entry: dict[str, Any]) -> str:
    """A catalogue voice's language code as Piper writes it (en_GB)."""
    language = entry.get("language")
    return str(language.get("code", "")) if isinstance(language, dict) else ""


def matches_language(code: str, wanted: str | None) -> bool:
    """Whether a language code (en_GB, en-gb, en) is the one asked for (en matches en_GB)."""
    if not wanted:
        return True
    have = code.lower().replace("_", "-")
    want = wanted.lower().replace("_", "-")
    return have == want or have.startswith(want + "-")
