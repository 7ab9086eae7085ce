"""Measure the spoken-form stage on the corpus: accuracy, start-up, cost per sentence, install size.

    python tools/measure_speech.py            # audiolesson.speech (and NeMo, if importable)
    python tools/measure_speech.py --json     # the numbers as JSON too
    python tools/measure_speech.py --misses   # print every sentence that differs
    python tools/measure_speech.py --heldout  # the held-out sentences (never tuned to) instead
    python tools/measure_speech.py --corpus tests/data/speech/heldout-2.tsv   # any such file

NeMo (nemo-text-processing) is measured when it can be imported; its compiled English grammars are
kept in ~/.cache/audiolesson/nemo ($XDG_CACHE_HOME), so only its first run compiles them (~40 s).
Prints a markdown table: exact matches (strict, and after lower-casing and dropping punctuation),
mean word error rate against the hand-written spoken forms, start-up in a fresh interpreter, cost
per sentence, the installed size of the packages each needs beyond audiolesson's own, platforms.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "speech" / "corpus.tsv"
#: Sentences written before the rules for them and never tuned to (a language column per row).
HELDOUT = ROOT / "tests" / "data" / "speech" / "heldout.tsv"
#: Categories a general-purpose normaliser is made for (no formulas, units, symbols or names).
GENERIC = {
    "cardinal",
    "decimal",
    "ordinal",
    "percent",
    "money",
    "date",
    "time",
    "year",
    "decade",
    "large",
    "century",
    "range",
    "fraction",
    "phone",
    "digits",
    "era",
}
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "audiolesson" / "nemo"


def read_corpus(path: Path = CORPUS) -> list[dict[str, str]]:
    """The corpus rows, comments skipped."""
    with path.open(encoding="utf-8", newline="") as f:
        lines = [line for line in f if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def loose(text: str) -> str:
    """Lower case, hyphens as spaces, no punctuation: what a listener could tell apart."""
    text = text.lower().replace("-", " ")
    return " ".join(re.sub(r"[^\w\s']", " ", text).split())


def word_error_rate(reference: str, hypothesis: str) -> float:
    """jiwer's word error rate on the loose forms."""
    import jiwer

    return jiwer.wer(loose(reference) or "-", loose(hypothesis) or "-")


def closure_size(names: list[str], exclude: set[str] = frozenset()) -> tuple[int, list[str]]:
    """Bytes installed by these distributions and everything they require, less `exclude`."""
    seen: set[str] = set()
    todo = [n.lower().replace("_", "-") for n in names]
    total = 0
    while todo:
        name = todo.pop()
        if name in seen or name in exclude:
            continue
        seen.add(name)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        total += sum(f.size or 0 for f in dist.files or [])
        for requirement in dist.requires or []:
            if "extra ==" in requirement:
                continue
            todo.append(
                re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0].lower().replace("_", "-")
            )
    return total, sorted(seen)


def startup(code: str, env: dict[str, str] | None = None) -> float:
    """Seconds for a fresh interpreter to run `code` (the import and the first sentence)."""
    timer = f"import time; t = time.perf_counter()\n{code}\nprint(time.perf_counter() - t)"
    out = subprocess.run(
        [sys.executable, "-c", timer], capture_output=True, text=True, check=True, env=env
    )
    return float(out.stdout.strip().splitlines()[-1])


def measure(
    name: str, say: Callable[[str, str], str], rows: list[dict[str, str]], repeat: int
) -> dict:
    """Accuracy and cost of one implementation over the corpus (say(text, language))."""
    # warm-up, and the outputs compared
    outputs = [say(r["written"], r.get("language", "en")) for r in rows]
    start = time.perf_counter()
    for _ in range(repeat):
        for row in rows:
            say(row["written"], row.get("language", "en"))
    per_sentence = (time.perf_counter() - start) / (repeat * len(rows))
    errors = [word_error_rate(r["spoken"], o) for r, o in zip(rows, outputs, strict=True)]
    generic = [i for i, r in enumerate(rows) if set(r["categories"].split(",")) <= GENERIC]
    return {
        "generic_sentences": len(generic),
        "generic_exact_loose": sum(loose(outputs[i]) == loose(rows[i]["spoken"]) for i in generic)
        / len(generic),
        "generic_wer_mean": statistics.fmean(errors[i] for i in generic),
        "name": name,
        "sentences": len(rows),
        "exact": sum(o == r["spoken"] for r, o in zip(rows, outputs, strict=True)) / len(rows),
        "exact_loose": sum(
            loose(o) == loose(r["spoken"]) for r, o in zip(rows, outputs, strict=True)
        )
        / len(rows),
        "wer_mean": statistics.fmean(errors),
        "wer_max": max(errors),
        "over_20": sum(e > 0.2 for e in errors),
        "ms_per_sentence": per_sentence * 1000,
        "outputs": outputs,
    }


def nemo_normalizer() -> Callable[[str], str] | None:
    """NeMo's English TTS normaliser (grammars cached in CACHE), or None if not installed."""
    try:
        from nemo_text_processing.text_normalization.normalize import Normalizer
    except ImportError:
        return None
    import logging

    logging.disable(logging.INFO)  # NeMo logs every sentence it cannot post-process
    CACHE.mkdir(parents=True, exist_ok=True)
    normalizer = Normalizer(input_case="cased", lang="en", cache_dir=str(CACHE))
    return lambda text, language: normalizer.normalize(text, punct_post_process=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON too")
    parser.add_argument("--misses", action="store_true", help="print the sentences that differ")
    parser.add_argument("--no-nemo", action="store_true", help="skip NeMo even if installed")
    parser.add_argument(
        "--heldout", action="store_true", help="measure the held-out sentences, not the corpus"
    )
    parser.add_argument("--corpus", type=Path, help="measure this TSV (the corpus's columns)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from audiolesson.speech import spoken_form

    rows = read_corpus(args.corpus or (HELDOUT if args.heldout else CORPUS))
    own_deps, _ = closure_size(["audiolesson"])
    _, base = closure_size(["audiolesson"], {"num2words"})
    results = [measure("audiolesson.speech (num2words + rules)", spoken_form, rows, repeat=5)]
    if "language" in rows[0]:
        by_language: dict[str, list[float]] = {}
        for row, out in zip(rows, results[0]["outputs"], strict=True):
            by_language.setdefault(row["language"], []).append(word_error_rate(row["spoken"], out))
        results[0]["wer_by_language"] = {k: statistics.fmean(v) for k, v in by_language.items()}
    results[0]["startup_s"] = startup(
        "from audiolesson.speech import spoken_form\nspoken_form('x = 2, 3 km')",
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    results[0]["install_mb"] = closure_size(["num2words"], set(base))[0] / 1e6
    results[0]["platforms"] = "any (pure Python)"
    nemo = None if args.no_nemo else nemo_normalizer()
    if nemo is not None:
        result = measure("nemo-text-processing (WFST)", nemo, rows, repeat=1)
        result["startup_s"] = startup(
            "from nemo_text_processing.text_normalization.normalize import Normalizer\n"
            f"n = Normalizer(input_case='cased', lang='en', cache_dir={str(CACHE)!r})\n"
            "n.normalize('x = 2, 3 km')"
        )
        result["install_mb"] = closure_size(["nemo-text-processing"], set(base))[0] / 1e6
        result["platforms"] = "pynini wheels: Linux x86_64 only (no Windows)"
        results.append(result)
    print(
        "| implementation | exact | exact (case, punctuation ignored) | mean WER | max WER "
        "| over 20% | start-up | per sentence | install | platforms |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['name']} | {r['exact']:.1%} | {r['exact_loose']:.1%} | {r['wer_mean']:.2%} "
            f"| {r['wer_max']:.0%} | {r['over_20']} | {r['startup_s']:.2f} s "
            f"| {r['ms_per_sentence']:.2f} ms | {r['install_mb']:.1f} MB | {r['platforms']} |"
        )
    print(f"\n{len(rows)} sentences; audiolesson's own dependencies: {own_deps / 1e6:.0f} MB.")
    for language, wer in results[0].get("wer_by_language", {}).items():
        print(f"- {language}: mean WER {wer:.2%}")
    print(
        f"\nOnly the {results[0]['generic_sentences']} sentences of generic categories "
        f"({', '.join(sorted(GENERIC))}):\n"
    )
    print("| implementation | exact (case, punctuation ignored) | mean WER |\n|---|---|---|")
    for r in results:
        print(f"| {r['name']} | {r['generic_exact_loose']:.1%} | {r['generic_wer_mean']:.2%} |")
    if args.misses:
        for r in results:
            print(f"\n## {r['name']}")
            for row, out in zip(rows, r["outputs"], strict=True):
                if out != row["spoken"]:
                    print(f"- {row['written']}\n  want: {row['spoken']}\n  got:  {out}")
    if args.json:
        print(
            json.dumps([{k: v for k, v in r.items() if k != "outputs"} for r in results], indent=2)
        )


if __name__ == "__main__":
    main()
