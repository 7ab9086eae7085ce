"""Synthesis: the turns missing from the clip cache, rendered on this machine or a Ray cluster.

`job` (SynthJob in, SynthDone out), `cache` (content-addressed clips and sentences), `worker`
(what a worker process or Ray actor runs), `local` (the process pool), `cluster` (Ray),
`executors` (the table `[build] executor` names), `clips` (the cache as the mixer's clip source).
"""

from __future__ import annotations

from .cache import ClipCache, SentenceCache, clip_key, sentence_key
from .executors import EXECUTORS, synthesize_all
from .job import SynthDone, SynthJob, first_failure
from .settings import SynthSettings

__all__ = [
    "EXECUTORS",
    "ClipCache",
    "SentenceCache",
    "SynthDone",
    "SynthJob",
    "SynthSettings",
    "clip_key",
    "first_failure",
    "sentence_key",
    "synthesize_all",
]
