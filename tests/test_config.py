"""Project configuration: defaults, audiolesson.toml, CLI overrides, one-pass validation."""

from __future__ import annotations

import re

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


def test_a_misspelt_override_is_an_error_not_dropped(tmp_path) -> None:
    from audiolesson.config import Overrides

    with pytest.raises(TypeError):
        load_config(tmp_path, job=2)  # jobs
    with pytest.raises(TypeError):
        Overrides(base_uri="http://a/")  # type: ignore[call-arg]
    assert load_config(tmp_path, Overrides(jobs=2)).build.jobs == 2


def test_the_ray_address_is_read_once_into_host_and_port(tmp_path) -> None:
    from audiolesson.options import Address

    (tmp_path / "audiolesson.toml").write_text(
        '[build]\nexecutor = "ray"\naddress = "[::1]:6379"\n'
    )
    address = load_config(tmp_path).build.address
    assert address == Address("::1", 6379) and str(address) == "[::1]:6379"
    assert load_config(tmp_path, address="10.0.0.5:1").build.address == ("10.0.0.5", 1)
    (tmp_path / "audiolesson.toml").write_text('[build]\nexecutor = "ray"\naddress = "nowhere"\n')
    with pytest.raises(ConfigError, match=r"toml:3: address must be the Ray head as HOST:PORT"):
        load_config(tmp_path)
    (tmp_path / "audiolesson.toml").unlink()
    with pytest.raises(ConfigError, match="--address names a Ray cluster: add --executor ray"):
        load_config(tmp_path, address="10.0.0.5:6379")


def test_every_setting_declares_its_type_default_range_and_doc() -> None:
    from dataclasses import fields

    from audiolesson.config import SECTIONS, Overrides
    from audiolesson.options import Option, option_of

    names: list[str] = []
    for cls, _ in SECTIONS.values():
        for f in fields(cls):
            option = option_of(f)
            assert isinstance(option, Option) and option.doc and option.want, f.name
            assert f.default == option.default, f.name
            names.append(f.name)
    # an override names one setting of one section (sections may share other names: [feed]
    # and [voices] both have a language)
    for given in fields(Overrides):
        assert names.count(given.name) == 1, given.name
    # paths are a kind of their own, for the check that they stay inside the project
    kinds = {f.name: option_of(f).kind for cls, _ in SECTIONS.values() for f in fields(cls)}
    assert {name for name, kind in kinds.items() if kind == "path"} == {"output", "cache", "image"}


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "+inf"])
@pytest.mark.parametrize("key", ["turn_timeout", "loudness", "true_peak"])
def test_a_number_setting_is_finite(tmp_path, key: str, value: str) -> None:
    """TOML has nan and inf; no number setting means anything by them (issue 24, item 17)."""
    (tmp_path / "audiolesson.toml").write_text(f"[build]\n{key} = {value}\n")
    with pytest.raises(ConfigError, match=rf"toml:2: {key} must be a finite number, got "):
        load_config(tmp_path)


def test_a_number_given_on_the_command_line_is_finite(tmp_path) -> None:
    with pytest.raises(ConfigError, match=r"^loudness must be a finite number, got nan$"):
        load_config(tmp_path, loudness=float("nan"))


# --- paths stay inside the project (issue 24, item 1) --------------------------------------------


def _toml(root, text: str) -> None:
    (root / "audiolesson.toml").write_text(text)


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("output", ".."),
        ("output", "../elsewhere"),
        ("output", "/tmp/audiolesson-elsewhere"),
        ("cache", "../../shared-cache"),
        ("cache", "/"),
    ],
)
def test_a_path_setting_outside_the_project_is_refused(tmp_path, setting: str, value: str) -> None:
    root = tmp_path / "project"
    root.mkdir()
    _toml(root, f'[build]\n{setting} = "{value}"\n')
    with pytest.raises(ConfigError, match=rf"toml:2: {setting} must stay inside the project"):
        load_config(root)


def test_a_path_through_a_symlink_out_of_the_project_is_refused(tmp_path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (tmp_path / "public").mkdir()
    (root / "site").symlink_to(tmp_path / "public")
    _toml(root, '[build]\noutput = "site"\nallow_outside = true\n')
    # a relative path stays inside even with the opt-in: write the absolute path to leave
    with pytest.raises(ConfigError, match=r"output must stay inside the project .*'site'"):
        load_config(root)
    _toml(root, f'[build]\noutput = "{tmp_path / "public"}"\nallow_outside = true\n')
    assert load_config(root).output_dir == (tmp_path / "public").resolve()


def test_an_absolute_path_outside_needs_the_opt_in(tmp_path) -> None:
    root, shared = tmp_path / "project", tmp_path / "shared-cache"
    root.mkdir()
    _toml(root, f'[build]\ncache = "{shared}"\n')
    with pytest.raises(ConfigError, match=r"allow_outside = true"):
        load_config(root)
    _toml(root, f'[build]\ncache = "{shared}"\nallow_outside = true\n')
    assert load_config(root).cache_dir == shared.resolve()


def test_an_output_named_on_the_command_line_is_checked_too(tmp_path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    with pytest.raises(ConfigError, match=r"^output must stay inside the project"):
        load_config(root, output=str(tmp_path / "out"))
    assert load_config(root, output="out").output_dir == (root / "out").resolve()


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (".", "the project folder itself"),
        ("/", "/"),
        ("~", "your home folder"),
        ("..", "a folder that holds the project"),
        ("scripts", "scripts/"),
        ("voices/out", "voices/"),
        ("sounds", "sounds/"),
    ],
)
@pytest.mark.parametrize("setting", ["output", "cache"])
def test_a_folder_setting_may_not_be_a_folder_the_project_needs(
    tmp_path, monkeypatch: pytest.MonkeyPatch, setting: str, value: str, why: str
) -> None:
    """Even with the opt-in: serve would serve it, prune would tidy it, build would write in it."""
    home = tmp_path / "home"
    root = home / "work" / "project"
    root.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    folder = {"~": str(home), "/": "/", "..": str(home / "work")}.get(value, value)
    _toml(root, f'[build]\n{setting} = "{folder}"\nallow_outside = true\n')
    with pytest.raises(ConfigError, match=rf"toml:2: {setting} must not be {re.escape(why)}"):
        load_config(root)


@pytest.mark.parametrize("value", ["/etc/passwd", "../../secret_key.txt", "../cover.png"])
def test_the_feed_image_stays_inside_the_project_even_with_the_opt_in(tmp_path, value) -> None:
    root = tmp_path / "a" / "b" / "project"
    root.mkdir(parents=True)
    _toml(root, f'[build]\nallow_outside = true\n[feed]\nimage = "{value}"\n')
    with pytest.raises(ConfigError, match=r"toml:4: \[feed\] image must stay inside the project"):
        load_config(root)
