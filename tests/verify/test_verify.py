"""`audiolesson verify`: built episodes heard back by Whisper tiny.en, turn by turn.

The fast tests cover the fair comparison and the one-line errors; the slow ones build a small
project with a deliberately wrong lexicon entry and the shipped example script, and listen.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _cli import audiolesson as run_cli
from _cli import in_process

from audiolesson.config import load_config
from audiolesson.errors import BuildError, EngineUnavailable
from audiolesson.speech import lexicon_from_say
from audiolesson.verify import DEFAULT_THRESHOLD, compare, heard_as, verify
from audiolesson.verify.run import _names, _settle

REPO = Path(__file__).resolve().parents[2]

LESSON = """---
title: Leaves
---

# Leaves

Teacher: Leaves are green because of chlorophyll, which absorbs red and blue light.

Student 1: So the green light bounces back to our eyes?

Teacher: Exactly. About 21% of it, on a sunny day in 2021.
"""
#: the wrong entry: chlorophyll is said as "banana"; its line in voices/lexicon.toml is 3
LEXICON = '# deliberately wrong, for the test\n\n"chlorophyll" = "banana"\n'


def audiolesson(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(root, *args, timeout=600)


def project(root: Path, lexicon: str = LEXICON) -> Path:
    (root / "scripts").mkdir(parents=True)
    (root / "voices").mkdir()
    (root / "scripts" / "leaves.md").write_text(LESSON, encoding="utf-8")
    (root / "voices" / "lexicon.toml").write_text(lexicon, encoding="utf-8")
    return root


# --- comparing fairly -------------------------------------------------------------------------


def test_numbers_heard_as_digits_match_numbers_written_in_words() -> None:
    assert compare("twenty-one percent of it, in nineteen ninety", "21% of it, in 1990").wer == 0
    assert compare("It costs $3.50.", "It costs three dollars and fifty cents.").wer == 0


def test_case_punctuation_spelling_and_spelled_letters_do_not_count() -> None:
    assert heard_as("DNA, RNA and C.S.V. files!") == heard_as("d n a r n a and csv files")
    assert heard_as("GPT's colour centre") == heard_as("G P Ts color center")
    assert compare("The metre is a unit.", "the meter is a unit").wer == 0


def test_a_word_read_wrongly_counts_and_is_named() -> None:
    result = compare("Leaves hold chlorophyll.", "Leaves hold banana.")
    assert result.wer == pytest.approx(1 / 3)
    assert result.one_word == ("chlorophyll", "banana")
    assert compare("Leaves hold chlorophyll.", "Eaves fold banana.").one_word is None


def test_symbols_read_by_name_are_far_off() -> None:
    written = "x² − 5x + 6 = 0"
    assert compare(written, "x squared minus five x plus six equals zero").wer == 0
    assert compare(written, "x two five x plus six equal sign zero").wer > DEFAULT_THRESHOLD


def test_a_word_split_in_two_is_heard_as_one() -> None:
    assert compare("Film makers add it.", "Filmmakers add it.").wer == 0
    assert compare("OpenAI and DeepMind", "Open AI and Deep Mind").wer == 0
    assert compare("the film makers", "the film").wer > 0


def test_words_heard_across_a_turn_boundary_go_back_to_their_turn() -> None:
    # Whisper's times put "Water" in the question and the reply's "Good" in Maya's turn
    pieces = [[" In", " air", " or", " water?", " Water"], [" is", " heavier.", " Good"]]
    pieces.append([" work."])
    written = ["In air or water?", "Water is heavier.", "Good work."]
    assert _settle(pieces, written, "en") == ["In air or water?", "Water is heavier.", "Good work."]
    # where the text gives no reason to move, the times decide
    assert _settle([[" a", " b"], [" c"]], ["x", "y"], "en") == ["a b", "c"]


def test_names_hinted_to_whisper_leave_out_what_the_lexicon_changes() -> None:
    lexicon = lexicon_from_say({"Anthropic": "an throw pick"})
    text = "Claude (Anthropic) and Gemini, by Google DeepMind."
    assert _names(text, lexicon.matches(text)) == "Claude Gemini Google DeepMind"
    assert _names("all lower case", []) is None


# --- one-line errors --------------------------------------------------------------------------


def test_without_the_extra_the_message_says_what_to_install(monkeypatch, tmp_path) -> None:
    from audiolesson.verify.hearing import Listener

    monkeypatch.setitem(sys.modules, "faster_whisper", None)  # import fails as if not installed
    with pytest.raises(EngineUnavailable, match=r"pip install 'audiolesson\[verify\]'"):
        Listener()


def test_a_script_not_yet_built_is_a_one_line_error(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    proc = in_process(root, "verify")  # refused before any model loads
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "scripts/leaves.md" in proc.stderr and "audiolesson build" in proc.stderr


def test_a_threshold_out_of_range_is_refused(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    with pytest.raises(BuildError, match="from 0 to 1"):
        verify(load_config(root), threshold=5)


# --- listening (slow: builds and transcribes) ---------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = project(tmp_path_factory.mktemp("verify") / "p")
    proc = audiolesson(root, "build", "--quiet")
    assert proc.returncode == 0, proc.stderr
    return root


@pytest.fixture(scope="module")
def heard(built: Path) -> subprocess.CompletedProcess[str]:
    return audiolesson(built, "verify", "--json")


@pytest.mark.slow
def test_a_wrong_lexicon_entry_is_flagged_at_its_line(heard) -> None:
    assert heard.returncode == 1, heard.stderr
    (episode,) = json.loads(heard.stdout)
    assert episode["turns"] == 3
    (flagged,) = episode["flagged"]
    assert flagged["line"] == 7 and flagged["speaker"] == "Teacher"
    assert "banana" in flagged["heard"].lower()
    # one word in thirteen is under the threshold: the lexicon check flags it, not the rate
    assert flagged["lexicon_miss"] and 0 < flagged["wer"]
    # the suggestion points at the entry that made the word sound wrong
    assert "voices/lexicon.toml:3" in flagged["suggestion"]
    assert '"chlorophyll" = "banana"' in flagged["suggestion"]
    # the two other turns, numbers and percent included, are heard as written
    others = [t for t in episode["all_turns"] if t["line"] != 7]
    assert all(t["wer"] <= DEFAULT_THRESHOLD for t in others), others
    assert episode["audio_seconds"] > 5 and episode["seconds"] > 0


@pytest.mark.slow
def test_the_report_names_path_line_speaker_heard_and_written(built: Path) -> None:
    proc = audiolesson(built, "verify", "--threshold", "0.05")
    assert proc.returncode == 1
    first, suggestion = proc.stdout.splitlines()[:2]
    assert first.startswith("scripts/leaves.md:7: Teacher: ")
    assert "word error (a lexicon entry): heard " in first
    assert first.endswith(
        'for "Leaves are green because of chlorophyll, which absorbs red and blue light."'
    )
    assert suggestion.startswith("  suggestion: voices/lexicon.toml:3:")
    assert proc.stdout.splitlines()[-1].startswith("scripts/leaves.md: 3 turns heard")


@pytest.mark.slow
def test_fixing_the_entry_and_rebuilding_passes(built: Path, tmp_path: Path) -> None:
    root = tmp_path / "fixed"
    shutil.copytree(built, root)
    (root / "voices" / "lexicon.toml").write_text('"chlorophyll" = "chlorophyll"\n')
    # built with the old entry: verify warns that the episode is older than the lexicon, and
    # the word the lexicon changes is still heard wrongly, whatever the threshold
    stale = audiolesson(root, "verify", "--threshold", "1")
    assert stale.returncode == 1 and "built before the latest change" in stale.stderr
    assert audiolesson(root, "build", "--quiet").returncode == 0
    proc = audiolesson(root, "verify")
    assert proc.returncode == 0, proc.stdout
    assert "0 over 25% word error" in proc.stdout


@pytest.mark.slow
def test_an_edited_turn_not_yet_rebuilt_is_refused_at_its_line(built: Path, tmp_path) -> None:
    root = tmp_path / "edited"
    shutil.copytree(built, root)
    script = root / "scripts" / "leaves.md"
    script.write_text(script.read_text().replace("bounces back", "comes back"))
    proc = audiolesson(root, "verify")
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith("error: scripts/leaves.md:9: ")
    assert "audiolesson build" in proc.stderr


@pytest.mark.slow
def test_the_shipped_scripts_are_heard_as_written(tmp_path: Path) -> None:
    root = tmp_path / "example"
    shutil.copytree(REPO / "scripts", root / "scripts")
    shutil.copytree(REPO / "voices", root / "voices")
    assert audiolesson(root, "build", "--quiet").returncode == 0
    proc = audiolesson(root, "verify")
    assert proc.returncode == 0, proc.stdout
