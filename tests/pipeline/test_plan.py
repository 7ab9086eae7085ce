"""Planning: the build lays out its pauses as `check` estimates them; what the episode key holds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from audiolesson.config import load_config
from audiolesson.export.blocks import BLOCKS_FOLDER
from audiolesson.export.timeline import ClipItem, Silence
from audiolesson.pipeline.plan import load_scripts, plan_episode, script_paths
from audiolesson.script.check import estimate_seconds, speech_seconds
from audiolesson.synth.cache import ClipCache
from audiolesson.synth.clips import CachedClips

DATA = Path(__file__).parents[1] / "data" / "project"


def test_the_build_and_check_lay_out_the_same_pauses(tmp_path: Path) -> None:
    # check counted [pause]s on top of the speaker's pause and used `level == 2` for sub-chapters;
    # the build replaces the speaker's pause and adds the end pause: they now share one layout
    root = tmp_path / "project"
    shutil.copytree(DATA, root)
    config = load_config(root)
    (script,) = load_scripts(script_paths(config, None))
    plan = plan_episode(script, config, CachedClips(ClipCache(config.cache_dir)), force=False)
    items = [item for chapter in plan.chapters for item in chapter.items]
    silence = sum(item.seconds for item in items if isinstance(item, Silence))
    speech = sum(speech_seconds(item.text) for item in items if isinstance(item, ClipItem))
    assert silence > 0
    assert estimate_seconds(script) == pytest.approx(speech + silence)


def test_a_build_reads_each_episode_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the plan read the MP3's build key, the export its published date and the feed the whole
    # file again: now the plan reads it once and the catalog reuses what is unchanged
    import collections

    import mutagen.id3
    import mutagen.mp3

    from audiolesson.pipeline import build

    root = tmp_path / "project"
    shutil.copytree(DATA, root)
    reads: collections.Counter[str] = collections.Counter()
    for module, name in ((mutagen.mp3, "MP3"), (mutagen.id3, "ID3")):
        real = getattr(module, name)

        def counting(*args, real=real, name=name, **kwargs):  # noqa: ANN002, ANN003, ANN202
            if args:  # ID3() with no file makes a new tag (the export writes one)
                reads[f"{name} {Path(args[0]).name}"] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, counting)
    build(load_config(root, jobs=1))
    assert reads == {"MP3 lesson.mp3": 1}  # the catalog reads the new episode
    reads.clear()
    again = build(load_config(root, jobs=1))
    assert again.episodes_unchanged == ["lesson"]
    assert reads == {"MP3 lesson.mp3": 1}  # the plan reads it; the feed and page reuse that
    reads.clear()
    build(load_config(root, jobs=1), force=True)
    assert reads == {"MP3 lesson.mp3": 2}  # the old file (its date), then the one written


def build_key(mp3: Path) -> str:
    """The build key in the MP3's TXXX frame, read with mutagen."""
    from mutagen.id3 import ID3

    return str(ID3(mp3)["TXXX:AUDIOLESSON_KEY"].text[0])


def test_episodes_of_an_older_export_are_written_again_from_the_cached_blocks(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # MP3s and M4Bs an older export wrote (a LAME tag players misread, a chapter track missing
    # the long chapters) are rewritten by the next build, and only that: their blocks are good
    from audiolesson.pipeline import build, plan

    (project / "audiolesson.toml").write_text('[build]\nformats = ["mp3", "m4b"]\n')
    out, blocks = project / "output", load_config(project).cache_dir / BLOCKS_FOLDER
    with monkeypatch.context() as older:
        older.setattr(plan, "EXPORT_VERSION", "1")  # the key an older export gave the episode
        first = build(load_config(project, jobs=1))
    assert first.episodes_written == ["lesson"] and first.blocks_encoded > 0
    old_key = build_key(out / "lesson.mp3")
    cached = {p: p.stat().st_mtime_ns for p in blocks.iterdir() if p.suffix in (".mp3", ".aac")}
    assert {p.suffix for p in cached} == {".mp3", ".aac"}
    episode = {p: p.stat().st_mtime_ns for p in (out / "lesson.mp3", out / "lesson.m4b")}

    again = build(load_config(project, jobs=1))
    assert again.episodes_written == ["lesson"]  # not up to date: its key is an older export's
    assert again.turns_synthesized == 0 and again.blocks_encoded == 0
    assert again.blocks_reused == first.blocks_encoded
    assert {p: p.stat().st_mtime_ns for p in cached} == cached  # no block, MP3 or AAC, encoded
    assert all(p.stat().st_mtime_ns != mtime for p, mtime in episode.items())  # both rewritten
    assert build_key(out / "lesson.mp3") != old_key
    assert build(load_config(project, jobs=1)).episodes_unchanged == ["lesson"]
