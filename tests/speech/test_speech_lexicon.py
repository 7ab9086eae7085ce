"""Lexicons: precedence over the rules, regular expressions, phonemes per engine, bad entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from audiolesson.errors import ConfigError, ScriptError
from audiolesson.speech import Lexicon, lexicon_from_say, load_lexicon, spoken_form


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lexicon.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_entries_win_over_the_rules():
    lexicon = lexicon_from_say(
        {"CO2": "carbon dioxide", "Henry VIII": "Henry the Eighth, the king"}
    )
    text = "Henry VIII breathed out CO2 and 6CO₂."
    assert spoken_form(text, "en", lexicon) == (
        "Henry the Eighth, the king breathed out carbon dioxide and six C O two."
    )


def test_entry_text_is_final_not_read_again_by_the_rules():
    lexicon = lexicon_from_say({"pi": "3.14"})
    assert spoken_form("Take pi.", lexicon=lexicon) == "Take 3.14."


def test_whole_words_case_sensitive_longest_first_one_pass():
    lexicon = lexicon_from_say(
        {"AI": "A I", "New York": "the city", "New York City": "the big apple", "a": "b", "b": "c"}
    )
    assert spoken_form("AI AIM ai New York City and New York", lexicon=lexicon, language="xx") == (
        "A I AIM ai the big apple and the city"
    )
    assert spoken_form("a b", lexicon=lexicon, language="xx") == "b c"


def test_lexicon_applies_to_unsupported_languages_too():
    lexicon = lexicon_from_say({"Nguyen": "Win"})
    assert spoken_form("Monsieur Nguyen a 3 ans.", "fr", lexicon) == "Monsieur Win a 3 ans."


def test_regex_entries_with_groups_and_flags():
    lexicon = lexicon_from_say(
        {
            r"/\bch(\d+)\b/": r"chapter \1",
            "/sql/i": "sequel",
            r"/(?P<n>\d+) ?bp\b/": r"\g<n> base pairs",
        }
    )
    assert spoken_form("Read ch4 on SQL and Sql: 300 bp.", lexicon=lexicon) == (
        "Read chapter 4 on sequel and sequel: 300 base pairs."
    )


def test_word_entries_are_decided_before_regex_entries():
    lexicon = lexicon_from_say({"DNA": "the molecule", r"/D\w+/": "something"})
    assert spoken_form("DNA and Dogs", lexicon=lexicon) == "the molecule and something"


PHONEMES = {"Nguyen": "Win [[piper: ŋwˈɪn]] [[espeak: N'win]]"}


@pytest.mark.parametrize(
    ("dialect", "spoken"),
    [
        (None, "Doctor Win is here."),
        ("piper", "Doctor [[ŋwˈɪn]] is here."),
        ("espeak", "Doctor [[N'win]] is here."),
    ],
)
def test_phoneme_entries_per_engine(dialect, spoken):
    lexicon = lexicon_from_say(PHONEMES)
    assert spoken_form("Dr. Nguyen is here.", lexicon=lexicon, phonemes=dialect) == spoken


def test_phoneme_table_entry_without_text_falls_back_to_the_written_word():
    lexicon = lexicon_from_say({"Nguyen": {"piper": "ŋwˈɪn"}})
    assert spoken_form("Nguyen", lexicon=lexicon, phonemes="espeak") == "Nguyen"
    assert spoken_form("Nguyen", lexicon=lexicon, phonemes="piper") == "[[ŋwˈɪn]]"


def test_toml_file_flat_say_tables_and_regex(tmp_path):
    path = write(
        tmp_path,
        '[say]\n"LLaMA" = "lama"\n'
        'Nguyen = { text = "Win", piper = "ŋwˈɪn", espeak = "N\'win" }\n'
        "'/\\bv(\\d+)\\.(\\d+)\\b/' = 'version \\1 point \\2'\n",
    )
    lexicon = load_lexicon(path)
    assert len(lexicon) == 3
    assert spoken_form("LLaMA v2.0 by Nguyen", lexicon=lexicon, phonemes="piper") == (
        "lama version 2 point 0 by [[ŋwˈɪn]]"
    )
    flat = load_lexicon(write(tmp_path, '"GPT" = "gee pee tee"\n'))
    assert spoken_form("GPT", lexicon=flat) == "gee pee tee"


def test_missing_file_is_an_empty_lexicon(tmp_path):
    assert not load_lexicon(tmp_path / "absent.toml")


def test_merged_other_wins_and_digest_follows_content():
    project = lexicon_from_say({"GPT": "gee pee tee", "/x+/": "ex", "CO2": "carbon dioxide"})
    script = lexicon_from_say({"GPT": "G P T", "/y+/": "why"})
    merged = project.merged(script)
    assert spoken_form("GPT CO2", lexicon=merged) == "G P T carbon dioxide"
    assert [e.written for e in merged.entries if e.pattern] == ["y+", "x+"]
    assert merged.digest() != project.digest()
    assert (
        project.digest()
        == lexicon_from_say(
            {"GPT": "gee pee tee", "/x+/": "ex", "CO2": "carbon dioxide"}, "other.md", {"GPT": 9}
        ).digest()
    )
    assert project.merged(None) is project and Lexicon().merged(project) == project


@pytest.mark.parametrize(
    ("toml", "line", "message"),
    [
        (
            '[say]\nGPT = "gee"\nNASA = 42\n',
            3,
            "'NASA' must map to a string (how to say it), got 42",
        ),
        ('[say]\nok = "fine"\n"/a(/" = "x"\n', 3, "bad regular expression /a(/: missing ), "),
        ('[say]\n"/a*/" = "x"\n', 2, "regular expression /a*/ matches empty text"),
        ('[say]\n"/(a)b/" = "\\\\2"\n', 2, "\\2 refers to a group the expression does not have"),
        (
            '[say]\nX = { text = "x", ipa = "ks" }\n',
            2,
            "unknown field 'ipa'; choose from: text, piper",
        ),
        ('[say]\nX = "eks [[ks]]"\n', 2, "phonemes [[ks]] need an engine"),
        ('[say]\nX = "[[piper: h@l\'oU]]"\n', 2, "piper phonemes are IPA"),
        ('[say]\nX = "[[espeak: həlˈoʊ]]"\n', 2, "espeak phonemes are ASCII mnemonics"),
        ('[say]\nX = ""\n', 2, "'X' gives nothing to say"),
        ('[say]\n"" = "x"\n', 2, "empty word in the lexicon; remove it"),
        ('stray = "word"\n[say]\nGPT = "gee"\n', 1, "'stray' is outside [say]"),
        # replacement templates are checked when the lexicon loads (issue 24, item 11)
        (
            "[say]\n'/(a)b/' = 'x \\q'\n",
            2,
            "unknown escape \\q in 'x \\q'; write \\\\ for a backslash",
        ),
        ("[say]\n'/(a)b/' = 'x \\'\n", 2, "a lone \\ at the end of 'x \\'"),
        ("[say]\n'/(a)b/' = '\\g<1'\n", 2, "\\g<1 is not closed"),
        ("[say]\n'/(a)b/' = '\\g<>'\n", 2, "\\g<> names no group"),
        ("[say]\n'/(a)b/' = 'x\\0'\n", 2, "\\0 is no group (groups count from \\1"),
        ("[say]\n'/(a)b/' = '\\g<n>'\n", 2, "\\g<n> refers to a group the expression"),
        ('[say]\nCO2 = "carbon\\u0000dioxide"\n', 2, "control character U+0000 in what to say"),
        ('[say]\nCO2 = "carbon\\u001bdioxide"\n', 2, "control character U+001B in what to say"),
        # an expression the regex engine cannot run in bounded time is refused (item 3)
        ("[say]\n'/(?<=a+)b/' = 'x'\n", 2, "bad regular expression /(?<=a+)b/: look-behind"),
    ],
)
def test_bad_lexicon_files_give_one_line_errors_with_lines(tmp_path, toml, line, message):
    path = write(tmp_path, toml)
    with pytest.raises(ConfigError) as caught:
        load_lexicon(path)
    error = caught.value
    assert (error.path, error.line) == (str(path), line)
    assert message in error.message
    assert "\n" not in str(error) and str(error).startswith(f"{path}:{line}: ")


def test_toml_syntax_error_has_line_and_column(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_lexicon(write(tmp_path, '[say]\nGPT = "gee pee tee\n'))
    assert caught.value.line == 2 and caught.value.column


def test_bad_front_matter_entry_is_a_script_error_at_its_line():
    with pytest.raises(ScriptError) as caught:
        lexicon_from_say({"GPT": "G P T", "/(/": "x"}, "scripts/a.md", {"say.GPT": 4, "say./(/": 5})
    assert str(caught.value).startswith("scripts/a.md:5: bad regular expression /(/")


def test_front_matter_say_as_todays_parser_reads_it():
    from audiolesson.script import parse

    script = parse(
        "---\ntitle: T\nsay:\n  CO2: carbon dioxide\n  /\\bch(\\d+)\\b/: chapter \\1\n"
        '  Nguyen: "Win [[piper: ŋwˈɪn]] [[espeak: N\'win]]"\n---\n'
        "Teacher: Nguyen reads ch4 about CO2 and 6CO₂.\n",
        "lesson.md",
    )
    lexicon = lexicon_from_say(script.meta.say, script.path, script.meta.lines)
    text = script.turns[0].text
    assert spoken_form(text, script.meta.language, lexicon, phonemes="piper") == (
        "[[ŋwˈɪn]] reads chapter 4 about carbon dioxide and six C O two."
    )
    assert [e.where for e in lexicon.entries] == ["lesson.md:4", "lesson.md:6", "lesson.md:5"]


def test_templates_expand_groups_and_keep_backslashes():
    lexicon = lexicon_from_say(
        {
            r"/\bv(\d+)\.(?P<minor>\d+)\b/": r"version \1 point \g<minor>",
            r"/\bsize (\d+)(px)?\b/": r"\1 pixels\2",  # an unmatched group is empty
            r"/\bback(slash)\b/": r"a \\ \g<0>",
        }
    )
    text = "Get v2.10 at size 12 with a backslash."
    assert spoken_form(text, "zz", lexicon) == (
        "Get version 2 point 10 at 12 pixels with a a \\ backslash."
    )


BACKTRACKING = """
import sys, time
from audiolesson.errors import ConfigError
from audiolesson.speech import lexicon_from_say, spoken_form
lexicon = lexicon_from_say({sys.argv[1]: "x"}, "scripts/a.md", {sys.argv[1]: 5})
started = time.monotonic()
try:
    print(repr(spoken_form("a" * 40 + "!", "en", lexicon)))
except ConfigError as exc:
    print(exc)
print(f"{time.monotonic() - started:.1f}", file=sys.stderr)
"""


@pytest.mark.parametrize("pattern", ["/(a+)+$/", "/(a|aa)+$/"])
def test_a_backtracking_regex_cannot_hang_the_speech_stage(pattern: str) -> None:
    """Nested repeats against forty a's: exponential for a backtracking engine (issue 24,
    item 3). It finishes (a match, or a one-line error naming the entry) in a process given 60 s;
    Python's re took hours."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", BACKTRACKING, pattern], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    said = done.stdout.strip()
    assert said == "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!'" or said == (
        f"scripts/a.md:5: lexicon regular expression {pattern} takes more than 1 s on one "
        "turn: it backtracks (nested repeats such as (a+)+ or (a|aa)+); write it without them"
    ), said


def test_a_turn_with_more_matches_than_marks_is_said_whole():
    """139,860 matches of one word entry: each is held away from the rules by a private mark,
    and there are 65,534 marks (issue 24, item 12: private characters were left in the text
    past 65,534, an internal error past 131,071). The same replacement shares one mark."""
    lexicon = lexicon_from_say({"CO2": "carbon dioxide", r"/\bv(\d)\b/": r"version \1"})
    text = "CO2 v1 " * 69_930
    spoken = spoken_form(text, "zz", lexicon)
    assert spoken == " ".join(["carbon dioxide version 1"] * 69_930)


def test_more_different_replacements_than_marks_is_an_error_at_the_turn(tmp_path):
    from audiolesson.script import parse
    from audiolesson.voices.cast import cast_script

    versions = " ".join(f"v{i}" for i in range(70_000))
    lines = [versions[i : i + 19_000] for i in range(0, len(versions), 19_000)]
    text = '---\ntitle: T\nsay:\n  /\\bv(\\d+)\\b/: "version \\\\1"\n---\n\nTeacher: '
    script = parse(text + "\n".join(lines) + "\n", str(tmp_path / "many.md"))
    (tmp_path / "voices").mkdir()
    (tmp_path / "voices" / "teacher.toml").write_text('engine = "tone"\n')
    with pytest.raises(ScriptError) as caught:
        cast_script(script, tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'many.md'}:7: more than 65,534 different lexicon replacements in one "
        "turn; split it into shorter turns"
    )
