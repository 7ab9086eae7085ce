"""What several pipeline tests share: a tone engine slow enough to watch synthesis happen."""

from __future__ import annotations

import time

import pytest


@pytest.fixture
def slow_tone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tone voices that take 0.8 s a turn, so that export can run beside synthesis (workers are
    forked: they see the patch)."""
    from audiolesson.voices.engines import tone

    real = tone.ToneEngine.synthesize

    def slow(self, text, voice):
        time.sleep(0.8)
        return real(self, text, voice)

    monkeypatch.setattr(tone.ToneEngine, "synthesize", slow)
