"""How a build synthesises: the settings the synthesis stage gets (not the whole project config)."""

from __future__ import annotations

from dataclasses import dataclass

from ..choices import DEFAULT_EXECUTOR
from ..options import Address

__all__ = ["SynthSettings"]


@dataclass(frozen=True)
class SynthSettings:
    """Where and how the missing clips are rendered."""

    workers: int = 0  #: worker processes or Ray actors; 0 = one per CPU (here, or of the cluster)
    timeout: float = 300.0  #: seconds one turn may take before it fails
    executor: str = DEFAULT_EXECUTOR  #: a name in `synth.executors.EXECUTORS`
    address: Address | None = None  #: the Ray head; None = the cluster this machine is in
