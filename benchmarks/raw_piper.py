"""The raw-engine reference: Piper's own Python API synthesising a list of turns in one process.

Usage: python benchmarks/raw_piper.py MODEL.onnx TURNS.json, where TURNS.json is a list of
[text, speed] pairs. Prints one JSON object: load and synthesis seconds, audio seconds.
"""

from __future__ import annotations

import json
import sys
import time


def main(model: str, turns_path: str) -> None:
    """Load the model once (onnxruntime's default threads: every core) and speak every turn."""
    from piper import PiperVoice, SynthesisConfig

    started = time.perf_counter()
    voice = PiperVoice.load(model)
    loaded = time.perf_counter()
    samples = 0
    with open(turns_path, encoding="utf-8") as fh:
        turns = json.load(fh)
    for text, speed in turns:
        syn = SynthesisConfig(length_scale=voice.config.length_scale / speed)
        for chunk in voice.synthesize(text, syn_config=syn):
            samples += len(chunk.audio_float_array)
    done = time.perf_counter()
    print(
        json.dumps(
            {
                "load_seconds": loaded - started,
                "synth_seconds": done - loaded,
                "audio_seconds": samples / voice.config.sample_rate,
                "turns": len(turns),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
