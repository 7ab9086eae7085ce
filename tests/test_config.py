"""Project configuration: defaults, audiolesson.toml, CLI overrides, one-pass validation."""

from __future__ import annotations

import pytest

from audiolesson.config import load_config
from audiolesson.errors import ConfigError


def test_defaults_without_a_file(tmp_path) -> None:
    config = load_config(tmp_path)
    assert config.build.channels == 1
    assert config.build.loudness_lufs == -19.0
    assert config.build.bitrate_kbps == 64
    assert config.output_dir == (tmp_path / "output").resolve()
    assert config.feed.base_url is None


def test_stereo_changes_targets(tmp_path) -> None:
    (tmp_path / "audiolesson.toml").write_text("[build]\nstereo = true\n")
    b = load_config(tmp_path).build
    assert (b.channels, b.loudness_lufs, b.bitrate_kbps) == (2, -16.0, 96)


def test_cli_overrides_win_and_none_means_unset(tmp_path) -> None:
    (tmp_path / "audiolesson.toml").write_text(
        '[build]\njobs = 3\n[feed]\nbase_url = "http://a/"\n'
    )
    config = load_config(tmp_path, jobs=None, loudness=-18, base_url="http://b/")
    assert config.build.jobs == 3
    assert config.build.loudness_lufs == -18
    assert config.feed.base_url == "http://b/"


def test_every_problem_is_reported_in_one_line(tmp_path) -> None:
    (tmp_path / "audiolesson.toml").write_text(
        '[build]\nstereo = 1\ncolour = "red"\nid3 = "2.2"\n[extras]\n'
    )
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith(str(tmp_path / "audiolesson.toml"))
    for part in (
        "'stereo' must be true or false",
        "unknown key 'colour'",
        "id3 must be",
        "[extras]",
    ):
        assert part in text


def test_invalid_toml_names_the_file(tmp_path) -> None:
    (tmp_path / "audiolesson.toml").write_text("[build\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(tmp_path)
