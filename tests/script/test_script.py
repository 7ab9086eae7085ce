"""The script format: one test per rule, plus a property test that parse never crashes."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audiolesson.errors import ScriptError
from audiolesson.script import Pause, Script, Turn, parse
from audiolesson.script.inline import reduce_inline
from audiolesson.script.model import MAX_LINE_CHARS, MAX_SCRIPT_BYTES, parse_seconds
from audiolesson.speech import lexicon_from_say, spoken_form


def p(text: str, path: str = "scripts/lesson.md") -> Script:
    return parse(textwrap.dedent(text).lstrip("\n"), path)


def items(script: Script) -> list[tuple]:
    """(speaker, text) for turns and ('pause', seconds) for pauses, across chapters."""
    out: list[tuple] = []
    for chapter in script.chapters:
        for item in chapter.items:
            out.append(
                ("pause", item.seconds) if isinstance(item, Pause) else (item.speaker, item.text)
            )
    return out


def error(text: str, path: str = "scripts/lesson.md") -> ScriptError:
    with pytest.raises(ScriptError) as info:
        p(text, path)
    return info.value


def warnings(script: Script) -> list[tuple[int | None, str]]:
    return [(w.line, w.message) for w in script.warnings]


# --- front matter --------------------------------------------------------------------------------


def test_front_matter_fields_and_their_lines():
    s = p(
        """
        ---
        title: How sound travels
        subtitle: Vibrations
        series: Everyday Physics
        episode: 15.10
        author: Ana
        language: en-GB
        description: A lesson.
        cover: art/cover.jpg
        narrator: narrator
        cast:
          Teacher: teacher
          Maya: student-1
        say:
          Hz: hertz
        pauses:
          chapter: 2.5s
          same_speaker: 500ms
          subchapter: 1
        ---
        Teacher: Hello.

        Maya: Hi.
        """
    )
    m = s.meta
    assert (m.title, m.subtitle, m.series, m.author) == (
        "How sound travels",
        "Vibrations",
        "Everyday Physics",
        "Ana",
    )
    assert m.episode == "15.10"  # as written, not the float 15.1
    assert (m.language, m.description, m.cover, m.narrator) == (
        "en-GB",
        "A lesson.",
        "art/cover.jpg",
        "narrator",
    )
    assert m.cast == {"Teacher": "teacher", "Maya": "student-1"}
    assert m.say == {"Hz": "hertz"}
    assert m.pauses == {"chapter": 2.5, "same_speaker": 0.5, "subchapter": 1.0}
    assert m.lines["title"] == 2
    assert m.lines["cast.Teacher"] == 12
    assert m.lines["cast.Maya"] == 13
    assert m.lines["pauses.subchapter"] == 19
    assert s.turns[0].line == 21


def test_number_episode_becomes_a_string():
    assert p("---\nepisode: 15.1\n---\nHi.\n").meta.episode == "15.1"
    assert p("---\nepisode: 3\n---\nHi.\n").meta.episode == "3"


def test_defaults_without_front_matter():
    s = p("Hello there.\n", path="scripts/how-sound_travels.md")
    assert s.meta.title == "How sound travels"
    assert s.meta.language == "en"
    assert s.meta.cast == {} and s.meta.say == {} and s.meta.pauses == {}


def test_empty_front_matter_is_allowed():
    s = p("---\n---\nHello.\n", path="scripts/intro.md")
    assert s.meta.title == "Intro"
    assert items(s) == [(None, "Hello.")]


def test_unknown_front_matter_key_is_a_warning_at_its_line():
    s = p("---\ntitle: T\nlayout: post\n---\nHi.\n")
    assert [line for line, _ in warnings(s)] == [3]
    assert "unknown front-matter key 'layout'" in s.warnings[0].message


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("---\ntitle: T\nNo closing line\n", 1, "never closed"),
        ("---\n- a\n- b\n---\nHi.\n", 2, "must be a mapping"),
        ("---\njust text\n---\nHi.\n", 2, "must be a mapping"),
        ("---\ncast:\n  Teacher: [a, b]\n---\n", 3, "cast voice of 'Teacher'"),
        ("---\ncast:\n  Teacher: 5\n---\n", 3, "cast voice of 'Teacher'"),
        ("---\ncast:\n  Teacher:\n---\n", 3, "cast voice of 'Teacher'"),
        ("---\ncast: teacher\n---\n", 2, "'cast' must be a mapping"),
        ("---\ntitle: [a, b]\n---\n", 2, "'title' must be text"),
        ("---\ntitle: a\ntitle: b\n---\n", 3, "appears twice"),
        ("---\nlanguage: English please\n---\n", 2, "language code"),
        ("---\nsay:\n  GPT:\n---\n", 3, "no spoken form"),
        ("---\npauses:\n  forever: 2s\n---\n", 3, "choose one of: chapter, same_speaker"),
        ("---\npauses:\n  chapter: soon\n---\n", 3, "must be a length"),
        ("---\npauses:\n  chapter: 61s\n---\n", 3, "at most 60"),
        ("---\npauses:\n  chapter: 0\n---\n", 3, "more than 0"),
        ("---\ntitle: 'unclosed\n---\n", 2, "not valid YAML"),
        ("---\ntitle: a: b\n---\n", 2, "not valid YAML"),
    ],
)
def test_bad_front_matter_names_the_line(text, line, words):
    e = error(text)
    assert e.path == "scripts/lesson.md"
    assert e.line == line
    assert words in e.message


def test_yaml_aliases_are_refused_so_an_alias_bomb_is_a_clean_error():
    bomb = "---\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    e = error(bomb + "---\nHi.\n")
    assert "aliases" in e.message
    assert e.line == 3


def test_yaml_tags_never_construct_objects():
    e = error("---\ntitle: !!python/object/apply:os.system ['echo hi']\n---\n")
    assert "'title' must be text" in e.message


# --- chapters ------------------------------------------------------------------------------------


def test_headings_make_chapters_and_subchapters():
    s = p(
        """
        # Waves
        Teacher: One.
        ## Sound waves
        Teacher: Two.
        # Speed
        Teacher: Three.
        """
    )
    assert [(c.title, c.level, c.line) for c in s.chapters] == [
        ("Waves", 1, 1),
        ("Sound waves", 2, 3),
        ("Speed", 1, 5),
    ]
    assert [c.turns[0].text for c in s.chapters] == ["One.", "Two.", "Three."]


def test_content_before_the_first_heading_opens_a_chapter_named_after_the_title():
    s = p("---\ntitle: Sound\n---\n\nWelcome.\n\n# Part one\nMore.\n")
    assert [(c.title, c.level, c.line) for c in s.chapters] == [("Sound", 1, 5), ("Part one", 1, 7)]


def test_no_opening_chapter_when_the_script_starts_with_a_heading():
    s = p("<!-- note -->\n\n# First\nText.\n")
    assert [c.title for c in s.chapters] == ["First"]


def test_heading_text_is_reduced_and_closing_hashes_dropped():
    s = p("# The *speed* of [sound](http://x) ##\nText.\n")
    assert s.chapters[0].title == "The speed of sound"
    assert p("# C#\nText.\n").chapters[0].title == "C#"


@pytest.mark.parametrize("heading", ["#", "# ", "##   ", "# ##", "# <!-- later -->", "# <br>"])
def test_heading_with_no_text_is_an_error(heading):
    e = error(f"Intro.\n\n{heading}\nText.\n")
    assert (e.line, e.column) == (3, 1)
    assert "heading has no text" in e.message


def test_deeper_headings_are_subchapters_with_a_warning():
    s = p("# A\nText.\n### Deep\nMore.\n")
    assert [(c.title, c.level) for c in s.chapters] == [("A", 1), ("Deep", 2)]
    assert any(line == 3 and "'###'" in msg for line, msg in warnings(s))


def test_subchapter_before_any_chapter_becomes_a_chapter():
    s = p("## Early\nText.\n")
    assert [(c.title, c.level) for c in s.chapters] == [("Early", 1)]
    assert any("comes before any '#' chapter" in msg for _, msg in warnings(s))


def test_hash_without_space_is_text_not_a_heading():
    s = p("#hashtag talk\n")
    assert items(s) == [(None, "#hashtag talk")]


def test_empty_chapters_are_warned_about():
    s = p("# Parent\n## Child\nText.\n# Empty\n## Also empty\n[pause 1s]\n")
    assert [line for line, msg in warnings(s) if "has nothing to say" in msg] == [4, 5]


# --- turns ---------------------------------------------------------------------------------------


def test_speaker_lines_start_turns_that_continue_until_a_blank_line():
    s = p(
        """
        Teacher: Sound is a wave.
        It moves through air.
        Student 1: Really?
        Ms. Rivera: Yes.

        And this is narration
        over two lines.
        """
    )
    assert items(s) == [
        ("Teacher", "Sound is a wave. It moves through air."),
        ("Student 1", "Really?"),
        ("Ms. Rivera", "Yes."),
        (None, "And this is narration over two lines."),
    ]
    assert [t.line for t in s.turns] == [1, 3, 4, 6]
    assert s.speakers == ["Teacher", "Student 1", "Ms. Rivera"]


def test_unicode_capitals_count_as_speaker_names():
    s = p("Émile: Bonjour.\nΣωκράτης: Γεια.\nÖzil: Merhaba.\n")
    assert s.speakers == ["Émile", "Σωκράτης", "Özil"]


@pytest.mark.parametrize(
    "line",
    [
        "teacher: lowercase is not a name.",
        "One two three four five: too many words.",
        "See http://example.org for more.",
        "At 10:30 we start.",
        "Teacher:no space after the colon.",
        "42: a number is not a name.",
    ],
)
def test_lines_that_are_not_speaker_lines(line):
    assert items(p(line + "\n")) == [(None, line)]


def test_cast_name_alone_on_its_line_takes_the_next_lines():
    s = p("---\ncast:\n  Teacher: teacher\n---\nTeacher:\nToday, waves.\n")
    assert items(s) == [("Teacher", "Today, waves.")]


def test_without_a_cast_a_name_alone_on_its_line_is_narration():
    assert items(p("Examples:\n- one\n- two\n")) == [(None, "Examples: one two")]


def test_speaker_with_nothing_to_say_is_skipped_with_a_warning():
    s = p("Teacher: <br>\n\nNarration.\n")
    assert items(s) == [(None, "Narration.")]
    assert any("'Teacher:' has nothing to say" in msg for _, msg in warnings(s))


def test_with_a_cast_only_cast_names_are_speakers():
    s = p(
        """
        ---
        cast:
          Teacher: teacher
          dr who: student-1
          Unused: student-2
        ---
        Teacher: Hello.
        Note: this looks like a speaker.
        dr who: Lower-case cast names work too.
        """
    )
    assert items(s) == [
        ("Teacher", "Hello."),
        (None, "Note: this looks like a speaker."),
        ("dr who", "Lower-case cast names work too."),
    ]
    ws = warnings(s)
    assert any(line == 8 and "'Note' is not in the cast" in msg for line, msg in ws)
    assert any(line == 5 and "'Unused' never speaks" in msg for line, msg in ws)


def test_backslash_line_is_narration_even_if_it_looks_like_a_speaker_line():
    s = p("Teacher: Hello.\n\\Note: a narrated remark.\n\\# not a heading\n")
    assert items(s) == [("Teacher", "Hello."), (None, "Note: a narrated remark. # not a heading")]


def test_list_markers_and_blockquotes_are_not_spoken():
    s = p(
        """
        Steps to follow
        - listen
        * tap
        + wait
        1. count
        2) stop
        > quoted line
        > > nested
        """
    )
    assert items(s) == [(None, "Steps to follow listen tap wait count stop quoted line nested")]


def test_blockquoted_speaker_line_is_still_a_turn():
    assert items(p("> Teacher: Quoted.\n")) == [("Teacher", "Quoted.")]


def test_thematic_breaks_and_link_definitions_are_not_spoken():
    s = p("One.\n\n---\n\n* * *\n[1]: https://example.org\nTwo.\n")
    assert items(s) == [(None, "One."), (None, "Two.")]


# --- pauses --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "seconds"),
    [
        ("[pause 1.5s]", 1.5),
        ("[pause 500ms]", 0.5),
        ("[pause 2 s]", 2.0),
        ("[Pause 3]", 3.0),
        ("  [pause 60s]  ", 60.0),
        ("[pause .25 seconds]", 0.25),
    ],
)
def test_pause_lines(line, seconds):
    s = p(f"Teacher: Before.\n{line}\nTeacher: After.\n")
    assert items(s) == [("Teacher", "Before."), ("pause", seconds), ("Teacher", "After.")]
    assert s.chapters[0].items[1] == Pause(seconds, 2)


@pytest.mark.parametrize(
    ("line", "column", "words"),
    [
        ("[pause]", 1, "malformed pause"),
        ("[pause soon]", 1, "malformed pause"),
        ("[pause 2 minutes]", 1, "malformed pause"),
        ("[pause 2s] and then text", 1, "malformed pause"),
        ("   [pause -1s]", 4, "malformed pause"),
        ("[pause 0s]", 1, "out of bounds"),
        ("[pause 61s]", 1, "out of bounds"),
        ("[pause 60001ms]", 1, "out of bounds"),
    ],
)
def test_bad_pauses_are_errors_with_line_column_and_accepted_forms(line, column, words):
    e = error(f"Intro.\n\n{line}\n")
    assert (e.line, e.column) == (3, column)
    assert words in e.message
    assert "[pause 1.5s]" in e.message and "[pause 500ms]" in e.message


def test_pauses_word_in_brackets_is_text():
    assert items(p("[pauses are fun]\n")) == [(None, "[pauses are fun]")]


def test_parse_seconds():
    assert parse_seconds("1.5s") == 1.5
    assert parse_seconds("500ms") == 0.5
    assert parse_seconds("2 s") == 2.0
    assert parse_seconds("2") == 2.0
    assert parse_seconds("two") is None
    assert parse_seconds("") is None


# --- comments and code ---------------------------------------------------------------------------


def test_comments_are_never_spoken_even_over_several_lines():
    s = p(
        """
        Teacher: One <!-- hidden --> two.
        <!-- a comment line does not split the paragraph -->
        three.

        <!--
        Teacher: not spoken
        -->
        Narration <!-- starts here
        and ends --> after.
        """
    )
    assert items(s) == [("Teacher", "One two. three."), (None, "Narration after.")]


def test_unclosed_comment_is_an_error_at_its_opening():
    e = error("Intro.\n\nText <!-- open\nmore\n")
    assert (e.line, e.column) == (3, 6)
    assert "never closed" in e.message


def test_fenced_code_is_not_spoken_and_warned_about():
    s = p("Before.\n```python\nTeacher: print('hi')\n<!-- not a comment\n```\nAfter.\n")
    assert items(s) == [(None, "Before."), (None, "After.")]
    assert any(line == 2 and "not spoken" in msg for line, msg in warnings(s))


def test_unclosed_code_fence_is_an_error():
    e = error("Before.\n~~~\ncode\n")
    assert e.line == 2 and "never closed" in e.message


# --- inline markdown and lexicon -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("a *b* c", "a b c"),
        ("a **b** c", "a b c"),
        ("a _b_ c", "a b c"),
        ("a __b__ c", "a b c"),
        ("a ~~b~~ c", "a b c"),
        ("***both***", "both"),
        ("**_nested_**", "nested"),
        ("snake_case_name stays", "snake_case_name stays"),
        ("2 * 3 * 4", "2 * 3 * 4"),
        ("use `x*y*z` here", "use x*y*z here"),
        ("see [the docs](https://e.org/a_(b) 'T') now", "see the docs now"),
        ("an ![owl](owl.png) image", "an owl image"),
        ("ref [link][1] here", "ref link here"),
        ("go to <https://example.org/a_b_c>", "go to https://example.org/a_b_c"),
        ("<b>bold</b> and <br/> <span class='x'>span</span>", "bold and span"),
        ("Tom &amp; Jerry", "Tom & Jerry"),
        (r"literal \*stars\* and \_under\_", "literal *stars* and _under_"),
        ("a < b and c > d", "a < b and c > d"),
        ("spaces   collapse", "spaces collapse"),
    ],
)
def test_inline_markdown_is_reduced_to_text(written, plain):
    assert reduce_inline(written) == plain


def test_emphasis_over_line_breaks_and_in_both_text_and_spoken():
    s = p("---\nsay:\n  Hz: hertz\n---\nTeacher: *twenty\nHz* is [low](x).\n")
    turn = s.turns[0]
    assert turn.text == "twenty Hz is low."
    said = spoken_form(turn.text, lexicon=lexicon_from_say(s.meta.say))
    assert said == "twenty hertz is low."


def test_say_lexicon_applies_to_whole_words_only():
    s = p(
        """
        ---
        say:
          AI: A I
          A: letter A
          GPT-4: G P T four
        ---
        AI and GPT-4 say A, but not AIM or Ai.
        """
    )
    t = s.turns[0]
    assert t.text == "AI and GPT-4 say A, but not AIM or Ai."
    said = spoken_form(t.text, lexicon=lexicon_from_say(s.meta.say))
    # AIM is not the entry AI: the acronym rule spells it; "Ai" is a word
    assert said == "A I and G P T four say letter A, but not A I M or Ai."


# --- text normalisation and limits ---------------------------------------------------------------


def test_bom_crlf_and_cr_parse_like_lf():
    lf = "---\ntitle: T\n---\n# One\nTeacher: a\nb\n\n[pause 1s]\n"
    expected = parse(lf, "x.md")
    for variant in ("\ufeff" + lf, lf.replace("\n", "\r\n"), lf.replace("\n", "\r")):
        got = parse(variant, "x.md")
        assert (got.meta, got.chapters, got.warnings) == (
            expected.meta,
            expected.chapters,
            expected.warnings,
        )


def test_a_line_over_the_limit_is_an_error():
    e = error("Intro.\n" + "a" * (MAX_LINE_CHARS + 1) + "\n")
    assert (e.line, e.column) == (2, MAX_LINE_CHARS + 1)
    assert "break it into shorter lines" in e.message


def test_a_script_over_the_size_limit_is_an_error_that_says_how_to_split():
    line = "Teacher: " + "la " * 3000 + "\n"
    text = line * (MAX_SCRIPT_BYTES // len(line) + 1)
    e = error(text)
    assert "split it into several scripts" in e.message
    assert e.line is None


def test_empty_script_parses_to_nothing():
    s = parse("", "scripts/empty.md")
    assert s.chapters == [] and s.turns == [] and s.warnings == []


def test_turn_is_a_frozen_value():
    t = Turn("Teacher", "Hi.", 1)
    with pytest.raises(AttributeError):
        t.text = "changed"  # type: ignore[misc]


def test_warnings_carry_path_and_are_in_line_order():
    s = p("---\ncast:\n  Teacher: teacher\n  Maya: student-1\nfoo: 1\n---\nTeacher: Hi.\n# Empty\n")
    assert all(w.path == "scripts/lesson.md" for w in s.warnings)
    assert [w.line for w in s.warnings] == sorted(w.line or 0 for w in s.warnings)
    assert str(s.warnings[0]).startswith("scripts/lesson.md:4: ")


# --- property: parse either returns a Script or raises ScriptError -------------------------------

_NAMES = st.sampled_from(["Teacher", "Student 1", "Ms. Rivera", "Émile", "maya", "A B C D E"])
_PIECES = st.one_of(
    st.sampled_from(
        [
            "",
            "---",
            "...",
            "# Heading",
            "#",
            "## Sub",
            "### Deep",
            "[pause 1.5s]",
            "[pause 500ms]",
            "[pause 0s]",
            "[pause x]",
            "[pause",
            "<!--",
            "-->",
            "<!-- c -->",
            "```",
            "~~~",
            "> quote",
            "- item",
            "1. item",
            "\\Teacher: escaped",
            "*a* **b** _c_ `d` [e](f) ![g](h) <i>j</i> <http://k>",
            "title: T",
            "cast:",
            "  Teacher: teacher",
            "  Teacher: [a]",
            "say:",
            "  Hz: hertz",
            "pauses:",
            "  chapter: 2s",
            "  chapter: -1",
            "language: en",
            "a: &x 1",
            "b: *x",
            "episode: 15.1",
            "- [a, b]",
            "{",
            ": :",
            "\t",
            "\x00",
            "\ufeff",
            "\r",
            "\u2028",
            "\ue000 0 \ue001",
        ]
    ),
    st.builds(lambda n, t: f"{n}: {t}", _NAMES, st.text(max_size=20)),
    st.text(max_size=30),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=25))
def test_any_script_like_text_parses_or_raises_script_error(pieces):
    _parses_or_script_error("\n".join(pieces))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_parses_or_raises_script_error(text):
    _parses_or_script_error(text)


@settings(max_examples=150, deadline=None)
@given(st.text(), st.text(max_size=200))
def test_any_front_matter_parses_or_raises_script_error(front, body):
    _parses_or_script_error(f"---\n{front}\n---\n{body}")


def _parses_or_script_error(text: str) -> None:
    try:
        script = parse(text, "scripts/p.md")
    except ScriptError as exc:
        assert exc.path == "scripts/p.md"
        assert "\n" not in str(exc)
        if exc.line is not None:
            assert 1 <= exc.line <= text.count("\n") + text.count("\r") + 1
        return
    for turn in script.turns:
        assert turn.text and turn.text == turn.text.strip()
        assert turn.line >= 1
    for chapter in script.chapters:
        assert chapter.title and chapter.level in (1, 2)
    if script.chapters:
        assert script.chapters[0].level == 1


def test_unmatched_delimiters_in_a_long_paragraph_are_kept_as_written():
    # Openers without closers must not make the reduction quadratic on long paragraphs.
    para = "*a _b ~~c [e](f <g " * 5000
    lines = para.replace("<g ", "<g\n")
    turn = parse(lines, "x.md").turns[0]
    assert turn.text == " ".join(para.split())
