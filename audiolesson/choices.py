"""The names some settings choose between, below both the config that checks a setting and the
stage that implements each name (so that config.py imports no stage package).

voices.presets defines a cast for each of CASTS; synth.executors has an executor for each of
EXECUTOR_NAMES (tests/test_house.py checks both).
"""

from __future__ import annotations

__all__ = ["CASTS", "DEFAULT_CAST", "DEFAULT_EXECUTOR", "EXECUTOR_NAMES"]

CASTS = ("fast", "rich")  #: `[voices] cast`: the default casts (voices.presets)
DEFAULT_CAST = "fast"
EXECUTOR_NAMES = ("local", "ray")  #: `[build] executor`: where turns are synthesised
DEFAULT_EXECUTOR = "local"
