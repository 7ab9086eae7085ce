"""The shape of the package: no import circles, stages import only downwards, small modules,
one home for the facts that were once kept twice."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import audiolesson
from audiolesson import _killpoints
from audiolesson.audio import Audio
from audiolesson.audio_settings import MP3_BITRATES, AudioSettings, default_loudness
from audiolesson.config import load_config
from audiolesson.errors import ConfigError
from audiolesson.files import staged_files
from audiolesson.voices.engines.base import Engine, Voice

PACKAGE = Path(audiolesson.__file__).parent
#: stage packages from the bottom up: a stage may import only from stages before it
STAGES = [
    "script",
    "speech",
    "voices",
    "synth",
    "export",
    "publish",
    "importers",
    "pipeline",
    "verify",
]
MAX_LINES = 600


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """audiolesson modules this file imports at module level (not inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = _module(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If):  # `if TYPE_CHECKING:` blocks are not run
            continue
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = f"{base}.{node.module}" if node.level and node.module else node.module or base
            if target.startswith("audiolesson"):
                found.add(target)
                for alias in node.names:  # `from . import x` may name a submodule
                    found.add(f"{target}.{alias.name}")
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("audiolesson"))
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module(p): p for p in PACKAGE.rglob("*.py")}
    return {
        name: {m for m in _imports(path) if m in files and m != name}
        for name, path in files.items()
    }


def test_no_import_circles() -> None:
    graph = _graph()
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = trail[trail.index(nxt) :] + [nxt] if nxt in trail else [node, nxt]
                pytest.fail("import circle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def test_stages_import_only_stages_below_them() -> None:
    def stage(module: str) -> str | None:
        parts = module.split(".")
        return parts[1] if len(parts) > 1 and parts[1] in STAGES else None

    for module, imported in _graph().items():
        here = stage(module)
        if here is None:
            continue
        for other in imported:
            there = stage(other)
            if there is not None and there != here:
                assert STAGES.index(there) < STAGES.index(here), f"{module} imports {other}"


def test_no_module_is_over_600_lines() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long


def test_the_facade_exports_the_public_api() -> None:
    assert set(audiolesson.__all__) >= {"parse", "build", "load_config", "Script", "ScriptError"}
    for name in audiolesson.__all__:
        assert getattr(audiolesson, name) is not None
    assert audiolesson.build.__module__ == "audiolesson.pipeline.build"


def test_every_kill_point_in_the_code_is_a_declared_point() -> None:
    used = set()
    for path in PACKAGE.rglob("*.py"):
        used.update(re.findall(r'killpoint\("([^"]+)"\)', path.read_text(encoding="utf-8")))
    assert used == set(_killpoints.POINTS)


# --- one home per fact (bugs when the facts lived twice) -----------------------------------------


def test_the_config_accepts_every_bitrate_the_exporter_supports(tmp_path: Path) -> None:
    # audiolesson.toml used to refuse 224 kb/s, which the exporter encodes
    for kbps in MP3_BITRATES:
        (tmp_path / "audiolesson.toml").write_text(f"[build]\nbitrate = {kbps}\n")
        config = load_config(tmp_path)
        assert config.build.bitrate_kbps == kbps
        AudioSettings(bitrate_kbps=kbps).validate()


@pytest.mark.parametrize("peak", [-15.0, 0.5])
def test_config_and_exporter_agree_on_the_true_peak_range(tmp_path: Path, peak: float) -> None:
    # the exporter used to accept -20..0 dBTP while audiolesson.toml allowed -9..0
    (tmp_path / "audiolesson.toml").write_text(f"[build]\ntrue_peak = {peak}\n")
    where = r"audiolesson\.toml:2: true_peak must be between -9"
    with pytest.raises(ConfigError, match=where) as e:
        load_config(tmp_path)
    with pytest.raises(ConfigError) as exported:
        AudioSettings(true_peak_dbtp=peak).validate()
    assert exported.value.message in e.value.message


def test_one_loudness_default_for_config_and_exporter(tmp_path: Path) -> None:
    for stereo, channels in ((False, 1), (True, 2)):
        config = load_config(tmp_path, stereo=stereo)
        assert config.build.loudness_lufs == AudioSettings(channels=channels).target_lufs
        assert config.build.loudness_lufs == default_loudness(channels)


def test_audio_converts_to_and_from_16_bit_pcm() -> None:
    import numpy as np

    mono = Audio(np.array([0.0, 0.5, -0.5, 1.5, -2.0], np.float32), 16000)
    pcm = mono.to_pcm16()
    assert np.frombuffer(pcm, "<i2").tolist() == [0, 16384, -16384, 32767, -32767]
    back = Audio.from_pcm16(pcm, 16000)
    assert back.channels == 1 and back.sample_rate == 16000
    assert np.allclose(back.samples, [0.0, 0.5, -0.5, 1.0, -1.0], atol=1e-4)
    stereo = Audio(np.array([[0.25, -0.25], [0.5, -0.5]], np.float32), 8000)
    again = Audio.from_pcm16(stereo.to_pcm16(), 8000, channels=2)
    assert again.samples.shape == (2, 2) and np.allclose(again.samples, stereo.samples, atol=1e-4)
    assert stereo.to_int16().shape == (2, 2) and mono.to_int16().shape == (5, 1)


def test_staged_files_commit_in_the_stated_order_or_not_at_all(tmp_path: Path) -> None:
    first, last = tmp_path / "a.vtt", tmp_path / "a.mp3"
    last.write_text("old")
    order: list[str] = []
    with staged_files(first, last) as staged:
        staged.temp(last).write_text("new audio")
        staged.temp(first).write_text("new text")
        staged.commit(after=lambda target: order.append(target.name))
    assert order == ["a.vtt", "a.mp3"] and last.read_text() == "new audio"
    with pytest.raises(RuntimeError), staged_files(first, last) as staged:
        staged.temp(last).write_text("broken")
        raise RuntimeError("a failure before the commit")
    assert last.read_text() == "new audio" and sorted(p.name for p in tmp_path.iterdir()) == [
        "a.mp3",
        "a.vtt",
    ]


def test_the_engine_base_declares_every_attribute_with_its_default() -> None:
    class Outside(Engine):
        name = "outside"

        def version(self) -> str:
            return "outside 1"

    engine = Outside()
    assert engine.native_effects == frozenset() and engine.online is False
    assert engine.option_specs is None  # undeclared options reach the engine unchecked
    assert engine.threads is None and Outside(threads=3).threads == 3
    voice = Voice("v", engine="outside", model="a-name")
    assert engine.voices() == [] and engine.fingerprint(voice) == ""
    engine.check()
    assert engine.concurrency(voice) is None  # worker processes
    engine.preflight(voice)  # nothing outside to ask
    # what voice files, listings and the cache ask of every engine, so none tests a name
    assert engine.model_path(voice) is None and engine.check_voice(voice) is None
    assert Outside.describe_model(voice) == "a-name" and Outside.claimed_files(voice) == set()
    assert Outside.voice_file_keys == {} and Outside.models_are_files is False
    assert Outside.read_voice_model({"model": "a-name"}, Path("voices/v.toml"), "") == "a-name"


def test_callers_never_branch_on_an_engine_name() -> None:
    named = re.compile(r"""(engine|name)\s*[!=]=\s*["'](piper|kokoro|pyttsx3|gtts|tone)["']""")
    found = [
        f"{name}: {line.strip()}"
        for name, text in _sources().items()
        if not name.startswith("voices/engines/")
        for line in text.splitlines()
        if named.search(line)
    ]
    assert not found


# --- one home per fact: checked in the source ------------------------------------------------


def _sources() -> dict[str, str]:
    return {
        str(p.relative_to(PACKAGE)): p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")
    }


def _hashed_json(function: ast.AST) -> bool:
    """Whether a function hashes what json.dumps made (directly or through a variable)."""

    def dumps(node: ast.AST) -> bool:
        return any(
            isinstance(c, ast.Call) and ast.unparse(c.func) == "json.dumps" for c in ast.walk(node)
        )

    made = {
        target.id
        for node in ast.walk(function)
        if isinstance(node, ast.Assign) and dumps(node.value)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    for call in ast.walk(function):
        if isinstance(call, ast.Call) and ast.unparse(call.func).endswith("sha256"):
            names = {n.id for arg in call.args for n in ast.walk(arg) if isinstance(n, ast.Name)}
            if any(dumps(arg) for arg in call.args) or names & made:
                return True
    return False


def test_one_helper_hashes_json() -> None:
    # five hashers once made keys with five sets of json.dumps options
    found = [
        f"{name}: {node.name}"
        for name, text in _sources().items()
        if name != "keys.py"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef) and _hashed_json(node)
    ]
    assert not found, "hash JSON with audiolesson.keys: " + ", ".join(found)


@pytest.mark.parametrize(
    ("fact", "home"),
    [
        (r"\\x89PNG", "images.py"),  # what a cover image may be
        (r'"XDG_\w+_HOME"', "paths.py"),  # the user's cache and data folders
        (r'"\.chapters\.json"', "paths.py"),  # an episode's files
        (r"\bset_quality\(", "audio_io.py"),  # the LAME settings (`say` used -q 2, blocks -q 7)
    ],
)
def test_a_fact_has_one_home(fact: str, home: str) -> None:
    homes = sorted(name for name, text in _sources().items() if re.search(fact, text))
    assert homes == [home]


#: the shared modules at the top of the package: they import no stage package (config included)
BOTTOM = [
    "_killpoints", "_version", "audio", "audio_io", "audio_settings", "choices", "config",
    "errors", "files", "images", "keys", "options", "paths",
]  # fmt: skip


def test_the_shared_modules_and_the_config_import_no_stage() -> None:
    graph = _graph()
    for name in BOTTOM:
        module = f"audiolesson.{name}"
        assert module in graph, module
        stages = {m for m in graph[module] if m.split(".")[1] in STAGES}
        assert not stages, f"{module} imports {sorted(stages)}"


def test_the_names_config_accepts_are_the_names_stages_implement() -> None:
    from audiolesson.choices import CASTS, EXECUTOR_NAMES
    from audiolesson.synth.executors import EXECUTORS
    from audiolesson.voices.presets import designed

    assert tuple(EXECUTORS) == EXECUTOR_NAMES
    assert all(designed(cast) for cast in CASTS)


def test_the_architecture_names_the_stage_order_this_test_uses() -> None:
    doc = (PACKAGE.parent / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    assert f"`{', '.join(STAGES)}`" in " ".join(doc.split())
    for stage in STAGES:
        assert f"\n      {stage}/" in doc, stage  # the layout lists every stage package
