"""ONNX Runtime sessions whose random ops draw from the inputs: the same take every time.

ONNX Runtime seeds a RandomNormalLike kernel once, when the session is created, and draws on
from there at every run: a sentence's noise depends on what the session synthesised before it
(which worker, in which order), and `onnxruntime.set_seed` only moves where the draws start.
`open_session` therefore rewrites a model that has random ops: each RandomNormalLike /
RandomUniformLike node becomes a slice of a new graph input, reshaped to the node's shape, and
the slice's length is a new graph output. `SeededSession.run` fills those inputs from a
generator seeded with a hash of all the other inputs (a sentence's phoneme ids, speaker and
scales), so equal inputs give equal audio in any process, in any order, on any node.

A model without random ops (the Kokoro int8 model) is opened as it is; the `onnx` package is
imported only to rewrite a model, once: the rewrite is kept in the user cache. The rewrite can also
make one inner tensor a graph output (`expose`: Piper's phoneme durations, the output of its one
Ceil node), which leaves every other output as it was, bit for bit.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import mmap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...file_hashes import remembered_sha256
from ...files import write_atomic
from ...keys import digest
from ...paths import user_cache_dir

log = logging.getLogger(__name__)

__all__ = ["SEEDING_VERSION", "SeededSession", "has_random_ops", "open_session"]

#: goes into the version of every engine that seeds its noise here (it changes the sound)
SEEDING_VERSION = "seeded noise 1"
PREFIX = "audiolesson_noise"
#: the noise of one input is made of chunks this long, each from its own seed: the first n
#: values are the same whatever the total length, so a larger buffer never changes the take
CHUNK = 1 << 16
#: noise values per input element before the first run has shown what a model needs (Piper:
#: 192 channels x about 2.5 frames per phoneme id; generous, as a short buffer costs a re-run)
FIRST_GUESS = 4096
_RANDOM_LIKE = {"RandomNormalLike": "normal", "RandomUniformLike": "uniform"}
#: op names whose presence in the file's bytes means the model may draw random numbers
_MARKERS = (b"RandomNormal", b"RandomUniform", b"Multinomial", b"Bernoulli")


@dataclass(frozen=True)
class Noise:
    """One random op turned into an input: its name, the output giving its length, how to draw."""

    input: str
    size: str
    kind: str  #: "normal" or "uniform"
    a: float  #: normal: mean; uniform: low
    b: float  #: normal: scale; uniform: high

    def fill(self, seed: list[int], index: int, count: int) -> Any:
        """The input's values for a run: `count` draws scaled as the op would scale them."""
        values = draw(seed, index, count, self.kind)
        return (
            values * (self.b - self.a) + self.a
            if self.kind == "uniform"
            else values * self.b + self.a
        )


def has_random_ops(path: Path) -> bool:
    """Whether the model file names a random op (a scan of its bytes; no ONNX parsing)."""
    with Path(path).open("rb") as fh:
        if Path(path).stat().st_size == 0:
            return False
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return any(data.find(marker) != -1 for marker in _MARKERS)


def _rewrite(path: Path, expose: str | None = None) -> tuple[bytes, list[Noise]]:
    """The model with its random-like ops replaced by noise inputs, serialised, and the inputs;
    with `expose`, the output of its one node of that op type is a graph output too."""
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load(str(path))
    graph = model.graph
    opset = max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=1)
    nodes: list[Any] = []
    found: list[Noise] = []
    for node in graph.node:
        kind = _RANDOM_LIKE.get(node.op_type)
        if kind is None:
            if node.op_type in ("RandomNormal", "RandomUniform", "Multinomial", "Bernoulli"):
                log.warning("%s: its %s op is not seeded: takes may differ", path, node.op_type)
            nodes.append(node)
            continue
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        a, b = (attrs.get("mean", 0.0), attrs.get("scale", 1.0))
        if kind == "uniform":
            a, b = (attrs.get("low", 0.0), attrs.get("high", 1.0))
        name = f"{PREFIX}{len(found)}"
        x, y = node.input[0], node.output[0]
        graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, ["n"]))
        graph.output.append(helper.make_tensor_value_info(f"{name}_size", TensorProto.INT64, [1]))
        graph.initializer.extend(
            [
                helper.make_tensor(f"{name}_one", TensorProto.INT64, [1], [1]),
                helper.make_tensor(f"{name}_zero", TensorProto.INT64, [1], [0]),
            ]
        )
        zero = helper.make_tensor(f"{name}_fill", TensorProto.FLOAT, [1], [0.0])
        reshape: dict[str, Any] = {"allowzero": 1} if opset >= 14 else {}  # attributes only
        flat = f"{name}_flat"
        nodes += [
            helper.make_node("Shape", [x], [f"{name}_shape"]),
            helper.make_node("Size", [x], [f"{name}_count"]),
            helper.make_node("Reshape", [f"{name}_count", f"{name}_one"], [f"{name}_size"]),
            # zeros behind the noise: the slice always has the length the shape needs (a run
            # with too short a buffer gives wrong audio, is seen from the size output, and is
            # run again with the right length)
            helper.make_node("ConstantOfShape", [f"{name}_size"], [f"{name}_zeros"], value=zero),
            helper.make_node("Concat", [name, f"{name}_zeros"], [f"{name}_padded"], axis=0),
            helper.make_node(
                "Slice",
                [f"{name}_padded", f"{name}_zero", f"{name}_size", f"{name}_zero"],
                [flat],
            ),
        ]
        dtype = attrs.get("dtype")
        if dtype not in (None, TensorProto.FLOAT):
            nodes.append(helper.make_node("Cast", [flat], [f"{name}_typed"], to=dtype))
            flat = f"{name}_typed"
        elif dtype is None and opset >= 15:
            nodes.append(helper.make_node("CastLike", [flat, x], [f"{name}_typed"]))
            flat = f"{name}_typed"
        nodes.append(helper.make_node("Reshape", [flat, f"{name}_shape"], [y], **reshape))
        found.append(Noise(name, f"{name}_size", kind, float(a), float(b)))
    del graph.node[:]
    graph.node.extend(nodes)
    if expose is not None:
        _expose(model, path, expose)
    return model.SerializeToString(), found


def _expose(model: Any, path: Path, op_type: str) -> None:
    """Make the output of the model's one `op_type` node a graph output (none if not one)."""
    from onnx import ValueInfoProto

    outputs = [n.output[0] for n in model.graph.node if n.op_type == op_type]
    if len(outputs) != 1:
        log.warning("%s: %d %s nodes, not one; none made an output", path, len(outputs), op_type)
        return
    if any(o.name == outputs[0] for o in model.graph.output):
        return
    info = ValueInfoProto()
    info.name = outputs[0]  # no type: ONNX Runtime infers it, as for any output
    model.graph.output.append(info)


def _digest(feeds: dict[str, Any]) -> list[int]:
    """The seed of a run: sha256 of every input's name, type, shape and bytes, as 32-bit words."""
    import numpy as np

    h = hashlib.sha256(SEEDING_VERSION.encode())
    for name in sorted(feeds):
        value = np.ascontiguousarray(feeds[name])
        h.update(f"{name}|{value.dtype.str}|{value.shape}|".encode())
        h.update(value.tobytes())
    return [int(w) for w in np.frombuffer(h.digest()[:16], dtype="<u4")]


def draw(seed: list[int], index: int, count: int, kind: str = "normal") -> Any:
    """`count` float32 values of noise input `index` for a run's seed (chunked: see CHUNK)."""
    import numpy as np

    chunks = []
    for chunk in range(math.ceil(count / CHUNK)):
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([*seed, index, chunk])))
        n = min(CHUNK, count - chunk * CHUNK)
        if kind == "uniform":
            chunks.append(rng.random(n, dtype=np.float32))
        else:
            chunks.append(rng.standard_normal(n, dtype=np.float32))
    return np.concatenate(chunks) if chunks else np.zeros(0, np.float32)


class SeededSession:
    """An InferenceSession whose noise inputs are filled from a seed made of the other inputs.

    It answers `run`, `get_inputs` and `get_outputs` as the model did before the rewrite, so
    callers (PiperVoice, kokoro-onnx) use it as their session unchanged.
    """

    def __init__(self, session: Any, noise: list[Noise]) -> None:
        self.session = session
        self.noise = noise
        self._hidden = {n.input for n in noise} | {n.size for n in noise}
        self._ratio = {n.input: 0.0 for n in noise}  #: largest length / input size seen

    def get_inputs(self) -> list[Any]:
        """The model's inputs without the noise."""
        return [i for i in self.session.get_inputs() if i.name not in self._hidden]

    def get_outputs(self) -> list[Any]:
        """The model's outputs without the noise lengths."""
        return [o for o in self.session.get_outputs() if o.name not in self._hidden]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)

    def _guess(self, feeds: dict[str, Any]) -> dict[str, int]:
        """Noise lengths for a run, from the largest input (the tokens) and what runs needed."""
        import numpy as np

        tokens = max((int(np.size(v)) for v in feeds.values()), default=1)
        return {
            n.input: int(tokens * (1.5 * ratio if ratio else FIRST_GUESS)) + 16
            for n, ratio in ((n, self._ratio[n.input]) for n in self.noise)
        }

    def run(self, output_names: list[str] | None, feeds: dict[str, Any], *args: Any) -> list[Any]:
        """session.run with seeded noise; the outputs asked for, as the model gave them."""
        import numpy as np

        seed = _digest(feeds)
        names = [o.name for o in self.get_outputs()] if output_names is None else output_names
        sizes = [n.size for n in self.noise]
        lengths = self._guess(feeds)
        tokens = max((int(np.size(v)) for v in feeds.values()), default=1)
        for _attempt in range(2):  # the second run has the exact lengths
            noise = {n.input: n.fill(seed, i, lengths[n.input]) for i, n in enumerate(self.noise)}
            result = self.session.run([*names, *sizes], {**feeds, **noise}, *args)
            needed = {
                n.input: int(r[0]) for n, r in zip(self.noise, result[len(names) :], strict=True)
            }
            for name, count in needed.items():
                self._ratio[name] = max(self._ratio[name], count / tokens)
            if all(needed[name] <= lengths[name] for name in needed):
                return list(result[: len(names)])
            log.debug("seeded run: noise buffer too short (%s); running again", needed)
            lengths = needed
        raise AssertionError("a seeded run with exact noise lengths was still short")


def cache_dir() -> Path:
    """Where rewritten models are kept: `seeded/` in our user cache folder."""
    return user_cache_dir() / "seeded"


def _cached(path: Path, expose: str | None = None) -> tuple[Path, Path]:
    """The rewritten model and its noise list for this model's content (file_hashes remembers
    it by the file's stamp): copies of one model share one rewrite, a changed model gets its own."""
    content = remembered_sha256(Path(path))
    # only then: rewrites without an exposed output keep their names
    name = digest([SEEDING_VERSION, content, *([f"expose {expose}"] if expose else [])], 32)
    return cache_dir() / f"{name}.onnx", cache_dir() / f"{name}.json"


def _seeded_model(path: Path, expose: str | None = None) -> tuple[Path | bytes, list[Noise]]:
    """The rewritten model (a cached file, or bytes) and its noise inputs.

    Importing onnx takes about half a second (ml_dtypes), which every worker would pay at every
    build: the rewrite is kept in the user cache and read back without onnx.
    """
    model, index = _cached(path, expose)
    try:
        noise = [Noise(**n) for n in json.loads(index.read_text(encoding="utf-8"))]
        if model.is_file():
            return model, noise
    except (OSError, ValueError, TypeError):
        pass
    data, noise = _rewrite(path, expose)
    try:
        write_atomic(model, data)
        write_atomic(index, json.dumps([vars(n) for n in noise]).encode("utf-8"))  # commit point
    except OSError as exc:  # a read-only home: rewrite again next time
        log.debug("cannot keep the seeded model in %s: %s", model.parent, exc)
        return data, noise
    return model, noise


def open_session(
    path: Path,
    options: Any = None,
    providers: list[str] | None = None,
    expose: str | None = None,
) -> Any:
    """An InferenceSession for the model; a SeededSession when the model draws random numbers.

    `expose` names an op type whose one node's output becomes an output of the session, after
    the model's own (Piper: "Ceil", its phoneme durations).
    """
    import onnxruntime

    providers = providers or ["CPUExecutionProvider"]
    if expose is None and not has_random_ops(path):
        return onnxruntime.InferenceSession(str(path), sess_options=options, providers=providers)
    model, noise = _seeded_model(path, expose)
    source = str(model) if isinstance(model, Path) else model
    session = onnxruntime.InferenceSession(source, sess_options=options, providers=providers)
    if not noise:
        return session
    log.debug("%s: %d random ops seeded from the inputs", path, len(noise))
    return SeededSession(session, noise)
