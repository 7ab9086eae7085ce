"""The sentence cache in a build: worker processes fill cache/sentences, an edit adds one sentence,
`cache prune` removes the sentences no turn says any more. The engine is the deterministic sentence
engine of tests/_sentence_engine.py, registered like a plugin (workers inherit it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from _sentence_engine import NAME, register

from audiolesson.config import load_config
from audiolesson.pipeline import build, prune_cache
from audiolesson.synth.cache import ClipCache, SentenceCache

PARAGRAPH = (
    "Light reaches the leaf. The chloroplasts catch it and split water. "
    "Sugar is what the plant keeps. By night the leaf rests!"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    register(monkeypatch)
    root = tmp_path / "book"
    (root / "scripts").mkdir(parents=True)
    (root / "voices").mkdir()
    (root / "voices" / "narrator.toml").write_text(f'engine = "{NAME}"\npitch = -2\n')
    (root / "scripts" / "book.md").write_text(
        f"---\ntitle: Book\n---\n# One\n\n{PARAGRAPH}\n\nA short line.\n"
    )
    return root


def files(root: Path, folder: str) -> set[str]:
    return {p.stem for p in (root / ".audiolesson" / "cache" / folder).glob("*/*.clip")}


def edit(root: Path, old: str, new: str) -> None:
    script = root / "scripts" / "book.md"
    script.write_text(script.read_text().replace(old, new))


def test_a_build_keeps_sentences_an_edit_adds_one_and_prune_removes_the_old(
    project: Path,
) -> None:
    config = load_config(project, jobs=2)
    first = build(config)
    assert first.turns_synthesized == 2
    sentences = files(project, "sentences")
    assert len(sentences) == 4  # the paragraph's; the one-sentence turn is only a clip
    assert len(files(project, "clips")) == 2  # turn clips are kept as before

    edit(project, "split water", "split some water")
    second = build(config)
    assert second.turns_synthesized == 1
    after = files(project, "sentences")
    assert len(after - sentences) == 1 and sentences <= after  # one new sentence, none redone

    shutil.rmtree(project / ".audiolesson" / "cache" / "clips")  # turn clips gone ...
    third = build(load_config(project, jobs=2), force=True)
    assert third.turns_synthesized == 2
    assert files(project, "sentences") == after  # ... and every sentence came from the cache

    stats = prune_cache(config)
    assert stats["sentences_removed"] == 1
    kept = files(project, "sentences")
    assert kept < after and (after - kept) <= sentences  # the edited sentence's old audio went
    assert (after - sentences) <= kept  # its new audio stays
    # what prune kept is what a build needs: no sentence is synthesised (written) again
    shutil.rmtree(project / ".audiolesson" / "cache" / "clips")
    fourth = build(load_config(project, jobs=2), force=True)
    assert fourth.turns_synthesized == 2
    assert files(project, "sentences") == kept


def test_prune_also_clears_temp_files_in_sentences(project: Path) -> None:
    config = load_config(project, jobs=1)
    build(config)
    cache = SentenceCache(config.cache_dir)
    key = next(iter(cache.keys()))
    stray = cache.entries.path(key).parent / f".{key}.clip.abc.tmp"
    stray.write_bytes(b"half a sentence")
    prune_cache(config)
    assert not stray.exists()
    assert set(cache.keys()) and ClipCache(config.cache_dir).keys()
