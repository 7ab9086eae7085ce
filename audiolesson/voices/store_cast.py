"""Default casts from installed voices: real students before pitch-shifted copies.

When the store holds Kokoro v1.0's voices file (and the kokoro engine runs) or a multi-speaker
English Piper model, the students of the default casts are real voices, women and men in turn,
in the accent the script's language asks for (en-GB: British first; en, en-US: American first),
and only after them today's students (the bundled voice shifted in pitch). The fast cast takes
Piper speakers only (Kokoro is about eight times slower); the rich cast takes Kokoro's voices,
then Piper's speakers. Teacher and narrator stay as they are (they speak most).

Kokoro's voices come in the order of the model card's grades; a Piper model's speakers are
told apart by the median pitch measured once at install (`measure_speakers`: women above
165 Hz). With nothing installed the casts are today's, and `cast_hint` says what
`audiolesson voices install` would add.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

from ..errors import ConfigError, EngineUnavailable
from ..files import write_atomic
from .engines.base import Voice, get_engine
from .presets import DESIGNED_STUDENTS, generated, student
from .store import InstalledPiper, installed_piper, installed_voice, kokoro_files, voices_in

__all__ = ["cast_hint", "cast_voices", "measure_speakers", "measured_path", "store_students"]

log = logging.getLogger(__name__)

FEMALE_F0 = 165.0  #: Hz: median F0 above this counts as a woman's voice
MEASURED = 24  #: speakers of a multi-speaker model measured at install (spread over its ids)
MEASURE_TEXT = "The quick brown fox jumps over the lazy dog, and then it rests."
#: Kokoro v1.0's English voices in the order students get them: the model card's grades, best
#: first (am_santa, a Santa voice, and am_adam, graded F+, are left out)
KOKORO_ORDER = {
    ("us", "female"): ("af_heart", "af_bella", "af_sarah", "af_aoede", "af_kore", "af_nova",
                       "af_alloy", "af_sky", "af_nicole", "af_jessica", "af_river"),
    ("us", "male"): ("am_michael", "am_fenrir", "am_puck", "am_echo", "am_eric", "am_liam",
                     "am_onyx"),
    ("gb", "female"): ("bf_emma", "bf_isabella", "bf_alice", "bf_lily"),
    ("gb", "male"): ("bm_george", "bm_fable", "bm_lewis", "bm_daniel"),
}  # fmt: skip
HINT = {
    "fast": "the fast cast's students are the bundled Piper voice shifted in pitch; "
    "`audiolesson voices install piper:en_US-libritts_r-medium` gives them real voices",
    "rich": "the rich cast's students are Kokoro's Japanese voices and shifted Piper ones; "
    "`audiolesson voices install kokoro` (28 MB) gives them American and British voices",
}
_hinted: set[str] = set()


def measured_path(model: Path) -> Path:
    """Where a model's measured speaker pitches are kept: NAME.speakers.json beside it."""
    return model.with_name(model.name.removesuffix(".onnx") + ".speakers.json")


def measure_speakers(model: Path, count: int = MEASURED) -> int:
    """Measure the median F0 of up to `count` speakers (spread over the ids); return how many."""
    import numpy as np
    import parselmouth
    from parselmouth.praat import call

    from .store import describe_piper

    speakers = sorted(describe_piper(model).speakers.items(), key=lambda kv: kv[1])
    picks = sorted({round(i * (len(speakers) - 1) / max(count - 1, 1)) for i in range(count)})
    engine = get_engine("piper")
    found: dict[str, float] = {}
    for index in picks[: len(speakers)]:
        name = speakers[index][0]
        audio = engine.synthesize(MEASURE_TEXT, Voice("measure", model=str(model), speaker=name))
        sound = parselmouth.Sound(audio.samples.T.astype(np.float64), audio.sample_rate)
        median = call(sound.to_pitch(), "Get quantile", 0, 0, 0.5, "Hertz")
        if median == median:  # NaN: nothing voiced
            found[name] = round(float(median), 1)
    data = {"text": MEASURE_TEXT, "f0": found}
    write_atomic(measured_path(model), json.dumps(data, indent=1).encode("utf-8"))
    return len(found)


def _accents(language: str) -> list[str]:
    """The accents a script's language asks for, in order; none for other languages."""
    code = language.lower().replace("_", "-")
    if code in ("en-gb", "en-uk") or code.startswith("en-gb-"):
        return ["gb", "us"]
    return ["us", "gb"] if code == "en" or code.startswith("en-") else []


def _interleave(women: list[Voice], men: list[Voice]) -> list[Voice]:
    out: list[Voice] = []
    for i in range(max(len(women), len(men))):
        out += [v[i] for v in (women, men) if i < len(v)]
    return out


def _kokoro(root: Path | None, accent: str) -> list[Voice]:
    files = kokoro_files(root)
    if files is None:
        return []
    try:
        get_engine("kokoro").check()
    except EngineUnavailable:
        return []
    present = voices_in(files.voices)
    voices = {
        gender: [
            installed_voice(f"kokoro:{n}", root)
            for n in KOKORO_ORDER[(accent, gender)]
            if n in present
        ]
        for gender in ("female", "male")
    }
    return _interleave([v for v in voices["female"] if v], [v for v in voices["male"] if v])


def _piper(models: list[InstalledPiper], root: Path | None, accent: str) -> list[Voice]:
    women: list[Voice] = []
    men: list[Voice] = []
    for model in models:
        if not model.pitch or not model.language.lower().replace("_", "-").endswith(accent):
            continue
        for speaker, f0 in model.pitch.items():  # in the order they were measured (by id)
            voice = installed_voice(f"piper:{model.name}#{speaker}", root)
            if voice is not None:
                (women if f0 >= FEMALE_F0 else men).append(voice)
    return _interleave(women, men)


def store_students(root: Path | None, cast: str, language: str) -> list[Voice]:
    """The installed real voices students get, in order (empty: none fits)."""
    accents = _accents(language)
    if not accents:
        return []
    try:
        models = [m for m in installed_piper(root) if len(m.speakers) > 1]
        found: list[Voice] = []
        for accent in accents:
            if cast == "rich":
                found += _kokoro(root, accent)
            found += _piper(models, root, accent)
    except ConfigError as exc:  # a store file gone since it was listed: today's cast then
        log.warning("installed voices left out of the cast: %s", exc.message)
        return []
    return found


def cast_voices(root: Path | None, cast: str, language: str = "en") -> dict[str, Voice]:
    """student-N of the cast from installed voices, then today's students after them.

    Empty when nothing installed fits: the cast is then today's (presets).
    """
    real = store_students(root, cast, language)
    if not real:
        return {}
    voices = {f"student-{n}": replace(v, name=f"student-{n}") for n, v in enumerate(real, 1)}
    copies = DESIGNED_STUDENTS + len(generated(cast))
    for n in range(1, copies + 1):  # no shifted copy before the real voices run out
        voices[f"student-{len(real) + n}"] = replace(
            student(n, cast), name=f"student-{len(real) + n}"
        )
    return voices


def cast_hint(cast: str, shifted_students: bool, root: Path | None) -> str | None:
    """One line, once per process and cast, on what `voices install` would add to it."""
    if not shifted_students or cast in _hinted or cast not in HINT:
        return None
    _hinted.add(cast)
    if cast == "fast" and kokoro_files(root) is not None:
        return (
            HINT[cast]
            + '; the installed Kokoro voices play in the rich cast ([voices] cast = "rich")'
        )
    return HINT[cast]
