"""The package version: one home, read by pyproject.toml and by the cache keys."""

__version__ = "0.1.0"
