"""Output audio settings: one table of what is allowed, one rule that checks it.

`audiolesson.toml`'s [build] section and the exporter's AudioSettings both check their values with
`audio_problems`, so they can never disagree about what a bitrate or a true-peak ceiling may be.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ConfigError

__all__ = [
    "LOUDNESS_RANGE",
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
MP3_BITRATES = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)  #: MPEG-1 Layer III
SAMPLE_RATES = (32000, 44100, 48000)
LOUDNESS_RANGE = (-40.0, -5.0)  #: LUFS
TRUE_PEAK_RANGE = (-9.0, 0.0)  #: dBTP: below -9 the ceiling would squash speech mastered to -19
FADE_RANGE_MS = (0.0, 500.0)
ID3_VERSIONS = ("2.3", "2.4")
#: what a build can write for each episode; the MP3 always (feed, page and build keys read it)
OUTPUT_FORMATS = ("mp3", "m4b")


def default_loudness(channels: int) -> float:
    """The integrated loudness target when none is set: -19 LUFS mono, -16 LUFS stereo (AES)."""
    return -19.0 if channels == 1 else -16.0


def default_bitrate(channels: int) -> int:
    """The MP3 bitrate when none is set: 64 kb/s mono, 96 kb/s stereo (speech)."""
    return 64 if channels == 1 else 96


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
    low_lufs, high_lufs = LOUDNESS_RANGE
    low_tp, high_tp = TRUE_PEAK_RANGE
    low_fade, high_fade = FADE_RANGE_MS
    unknown = [f for f in formats if f not in OUTPUT_FORMATS]
    checks = [
        ("id3", id3 not in ID3_VERSIONS, f"'2.3' or '2.4', got {id3!r}"),
        (
            "bitrate",
            bitrate is not None and bitrate not in MP3_BITRATES,
            f"one of {MP3_BITRATES} kb/s, got {bitrate}",
        ),
        (
            "loudness",
            loudness is not None and not low_lufs <= loudness <= high_lufs,
            f"between {low_lufs:g} and {high_lufs:g} LUFS, got {loudness}",
        ),
        (
            "true_peak",
            not low_tp <= true_peak <= high_tp,
            f"between {low_tp:g} and {high_tp:g} dBTP, got {true_peak}",
        ),
        ("channels", channels not in (1, 2), f"1 (mono) or 2 (stereo), got {channels}"),
        (
            "sample_rate",
            sample_rate not in SAMPLE_RATES,
            f"one of {SAMPLE_RATES}, got {sample_rate}",
        ),
        (
            "fade",
            not low_fade <= fade_ms <= high_fade,
            f"between {low_fade:g} and {high_fade:g} ms, got {fade_ms}",
        ),
        (
            "formats",
            bool(unknown),
            f"a list of: {', '.join(OUTPUT_FORMATS)}; got {unknown[0]!r}" if unknown else "",
        ),
    ]
    return [(key, f"{key} must be {want}") for key, bad, want in checks if bad]


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
