"""Output audio settings: one table of what is allowed, one rule that checks it.

`audiolesson.toml`'s [build] section declares its audio fields with these options and the
exporter's AudioSettings checks its values with `audio_problems` (the same options), so they can
never disagree about what a bitrate or a true-peak ceiling may be.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ConfigError
from .options import Choice, Number, Texts

__all__ = [
    "BITRATE",
    "FORMATS",
    "ID3",
    "LOUDNESS",
    "LOUDNESS_RANGE",
    "TRUE_PEAK",
    "EXPORT_VERSION",
    "MIX_VERSION",
    "MP3_BITRATES",
    "OUTPUT_FORMATS",
    "SAMPLE_RATES",
    "TRUE_PEAK_RANGE",
    "AudioSettings",
    "audio_problems",
    "default_bitrate",
    "default_loudness",
]

#: Bump when the mix changes the sound, so cached blocks are re-encoded. 3: pydub stitches the
#: blocks (32-bit gains, linear fades at the joins instead of raised-cosine ones): the same
#: script gives different bytes than with 2, so every block is encoded again once.
MIX_VERSION = "3"
#: Bump when the episode files change around the same blocks (the MP3's Info frame, the M4B's
#: boxes), so episodes are written again from the cached blocks; only the episode key has it, not
#: the block keys. 2: the Info frame is the one LAME writes (source rate, lowpass, music CRC) and
#: the M4B's QuickTime chapter track holds every chapter (1, before: no entry in the key).
EXPORT_VERSION = "2"
MP3_BITRATES = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)  #: MPEG-1 Layer III
SAMPLE_RATES = (32000, 44100, 48000)
LOUDNESS_RANGE = (-40.0, -5.0)  #: LUFS
TRUE_PEAK_RANGE = (-9.0, 0.0)  #: dBTP: below -9 the ceiling would squash speech mastered to -19
FADE_RANGE_MS = (0.0, 500.0)
ID3_VERSIONS = ("2.3", "2.4")
#: what a build can write for each episode; the MP3 always (feed, page and build keys read it);
#: "anki": a deck of the script's cards (question / [your turn] / answer), for scripts with any;
#: "epub": a read-along EPUB 3 book (the text, the MP3, Media Overlays)
OUTPUT_FORMATS = ("mp3", "m4b", "anki", "epub")


def default_loudness(channels: int) -> float:
    """The integrated loudness target when none is set: -19 LUFS mono, -16 LUFS stereo (AES)."""
    return -19.0 if channels == 1 else -16.0


def default_bitrate(channels: int) -> int:
    """The MP3 bitrate when none is set: 64 kb/s mono, 96 kb/s stereo (speech)."""
    return 64 if channels == 1 else 96


#: The audio settings as options (see `options`): one declaration of each rule, which
#: audiolesson.toml's [build] fields are and AudioSettings.validate checks with.
BITRATE = Choice(
    MP3_BITRATES, 0, "MP3 kb/s; 0 = 64 mono / 96 stereo", must="one of {values} kb/s, got {value}",
    unset=0,
)  # fmt: skip
LOUDNESS = Number(
    None,
    "integrated loudness target, LUFS; None = -19 mono / -16 stereo",
    within=LOUDNESS_RANGE,
    unit="LUFS",
    example=-19.0,
)
TRUE_PEAK = Number(-1.0, "true-peak ceiling, dBTP", within=TRUE_PEAK_RANGE, unit="dBTP")
ID3 = Choice(
    ID3_VERSIONS, "2.4", 'ID3 version: "2.4" or "2.3"', must="'2.3' or '2.4', got {value!r}"
)
CHANNELS = Choice((1, 2), 1, "1 = mono, 2 = stereo", must="1 (mono) or 2 (stereo), got {value}")
SAMPLE_RATE = Choice(SAMPLE_RATES, 44100, "output sample rate", must="one of {values}, got {value}")
FADE = Number(10.0, "fade at every join, against clicks", within=FADE_RANGE_MS, unit="ms")
FORMATS = Texts(
    ("mp3",),
    'files per episode: "mp3" (always), "m4b" (audiobook), "anki" (flash cards), "epub" '
    "(read-along book)",
    choices=OUTPUT_FORMATS,
)


def audio_problems(
    *,
    bitrate: int | None,
    loudness: float | None,
    true_peak: float,
    id3: str = "2.4",
    channels: int = 1,
    sample_rate: int = 44100,
    fade_ms: float = 10.0,
    formats: tuple[str, ...] = ("mp3",),
) -> list[tuple[str, str]]:
    """(setting, problem) for every audio setting out of range, named as in audiolesson.toml.

    `bitrate` and `loudness` None mean "the default for the channel layout".
    """
    checks = [
        ("id3", ID3, id3),
        ("bitrate", BITRATE, bitrate or 0),
        ("loudness", LOUDNESS, loudness),
        ("true_peak", TRUE_PEAK, true_peak),
        ("channels", CHANNELS, channels),
        ("sample_rate", SAMPLE_RATE, sample_rate),
        ("fade", FADE, fade_ms),
        ("formats", FORMATS, formats),
    ]
    return [
        (key, f"{key} must be {problem}")
        for key, option, value in checks
        if (problem := option.problem(value)) is not None
    ]


@dataclass(frozen=True)
class AudioSettings:
    """Output format and mastering targets."""

    sample_rate: int = 44100
    channels: int = 1  #: 1 = mono, 2 = stereo
    bitrate_kbps: int = 64  #: CBR; 64 suits mono speech, 96 or 128 stereo
    loudness_lufs: float | None = None  #: None = -19 LUFS mono, -16 LUFS stereo
    true_peak_dbtp: float = -1.0
    id3_version: int = 4  #: 4 = ID3v2.4, 3 = ID3v2.3 for older players
    fade_ms: float = 10.0  #: fade at every join, against clicks

    @property
    def target_lufs(self) -> float:
        """The integrated loudness to master to."""
        if self.loudness_lufs is not None:
            return self.loudness_lufs
        return default_loudness(self.channels)

    def validate(self) -> None:
        """Raise ConfigError naming the first setting out of range."""
        problems = audio_problems(
            bitrate=self.bitrate_kbps,
            loudness=self.target_lufs,
            true_peak=self.true_peak_dbtp,
            id3=f"2.{self.id3_version}",
            channels=self.channels,
            sample_rate=self.sample_rate,
            fade_ms=self.fade_ms,
        )
        if problems:
            raise ConfigError(problems[0][1])

    def fingerprint(self) -> dict[str, object]:
        """Everything here that changes a chapter's encoded audio (goes into chapter cache keys)."""
        return {
            "mix": MIX_VERSION,
            "rate": self.sample_rate,
            "channels": self.channels,
            "kbps": self.bitrate_kbps,
            "lufs": self.target_lufs,
            "tp": self.true_peak_dbtp,
            "fade": self.fade_ms,
        }
