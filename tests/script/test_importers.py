"""Course-page import: the seed page and a page of our own, read back with the script parser."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from _cli import Ran, in_process
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from audiolesson.errors import ScriptError
from audiolesson.importers import import_file, import_page, slugify, write_scripts
from audiolesson.importers.course_page import (
    CHROME as PAGE_CHROME,
)
from audiolesson.importers.course_page import (
    DETAIL,
    DETAIL_LEAD,
    EXAMPLES,
    EXAMPLES_LEAD,
    SECTIONS,
)
from audiolesson.script import Pause, Script, parse

DATA = Path(__file__).parents[1] / "data" / "pages"
ROOT = Path(__file__).parents[2]
SEED = "foundation-models.txt"
OWN = "how-vaccines-work.txt"

# Strings that only the site's chrome and unspoken sections contain.
CHROME = [
    "K12 Students",
    "Professional Courses",
    "Interactive Games",
    "Interactive Audio Lesson",
    "Listen to a student-teacher conversation",
    "Unlock Audio",
    "Signup and Enroll",
    "0:00",
    "Introduction & Overview",
    "Quick Overview",
    "Youtube Videos",
    "Explained in 5 Minutes",
    "How Vaccines Train Your Immune System (Animated)",
    "Audio Book",
    "Dive deep into the subject",
    "Detailed Explanation",
    "Examples & Analogies",
    "Definitions & Key Concepts",
    "Key Concepts",
    "Large-scale Pre-training",
    "Examples & Real-Life Applications",
    "Smallpox was eradicated",
    "Memory Aids",
    "Rhymes Time",
    "FARM",
    "DATS",
    "A shot today keeps the germs away",
    "Flash Cards",
    "Glossary",
    "Term:",
    "Definition:",
    "•",
]
# Chrome lines made of common words: never a whole turn or chapter title of their own.
CHROME_LINES = [
    "games",
    "Games",
    "Practice",
    "Academics",
    "Professionals",
    "Standard",
    "Detailed",
    "Examples",
    "4.2 - How Vaccines Work",
    "15.1 - What are Foundation Models?",
]


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    """The fixture pages, copied where the test may write next to them."""
    folder = tmp_path / "pages"
    shutil.copytree(DATA, folder)
    return folder


def run_import(*args: str | Path, cwd: Path) -> Ran:
    """`audiolesson import *args`: the CLI's main() in-process (its errors as processes: in
    tests/test_bad_inputs.py)."""
    return in_process(cwd, "import", *map(str, args))


def imported(pages: Path, name: str) -> dict[str, Script]:
    """Import a page and parse what it gives: {"lesson": Script, "audiobook": Script}."""
    result = import_page((pages / name).read_text(encoding="utf-8"), pages / name)
    return {s.kind: parse(s.text, s.name) for s in result.scripts}


def front_matter(text: str) -> dict[str, object]:
    """The YAML front matter of a script, read with PyYAML."""
    assert text.startswith("---\n")
    return yaml.safe_load(text[4 : text.index("\n---\n", 4)])


def test_seed_lesson_has_two_chapters_one_turn_per_speaker_block(pages: Path) -> None:
    lesson = imported(pages, SEED)["lesson"]
    assert [(c.title, c.level) for c in lesson.chapters] == [
        ("Definition and Characteristics of Foundation Models", 1),
        ("Core Ideas Behind Foundation Models", 1),
    ]
    first = [t.speaker for t in lesson.chapters[0].turns]
    # The two Teacher blocks at the end of the sub-section stay two turns.
    assert first == ["Teacher", "Student 1", "Teacher", "Student 2", "Teacher", "Student 3",
                     "Teacher", "Teacher"]  # fmt: skip
    assert len(lesson.turns) == 16
    assert lesson.speakers == ["Teacher", "Student 1", "Student 2", "Student 3", "Student 4"]
    assert lesson.chapters[1].turns[1].text == "It’s probably to save time and resources, right?"
    assert lesson.chapters[1].turns[-1].text.startswith("Let’s wrap up this session:")
    assert lesson.warnings == []


def test_seed_front_matter_and_cast(pages: Path) -> None:
    result = import_page((pages / SEED).read_text(encoding="utf-8"), pages / SEED)
    lesson, book = result.scripts
    meta = front_matter(lesson.text)
    assert meta["title"] == "What are Foundation Models?"
    assert meta["episode"] == "15.1"
    assert meta["series"] == "Advance Machine Learning"
    assert meta["subtitle"] == "15. Modern Topics – LLMs & Foundation Models"
    assert meta["language"] == "en"
    assert meta["description"].startswith("Foundation models are scalable, pre-trained models")
    assert meta["narrator"] == "narrator"
    assert meta["cast"] == {
        "Teacher": "teacher",
        "Student 1": "student-1",
        "Student 2": "student-2",
        "Student 3": "student-3",
        "Student 4": "student-4",
    }
    book_meta = front_matter(book.text)
    assert "cast" not in book_meta
    assert {k: v for k, v in meta.items() if k != "cast"} == book_meta
    parsed = parse(lesson.text, lesson.name)
    assert (parsed.meta.title, parsed.meta.episode) == ("What are Foundation Models?", "15.1")


def test_seed_audiobook_has_four_chunks_with_spoken_lead_ins(pages: Path) -> None:
    book = imported(pages, SEED)["audiobook"]
    assert [c.title for c in book.chapters] == [
        "Definition of Foundation Models",
        "Characteristics of Foundation Models",
        "Examples of Foundation Models",
        "Core Idea of Foundation Models",
    ]
    assert book.speakers == []  # all narration
    for chapter in book.chapters:
        texts = [t.text for t in chapter.turns]
        # main text, then the explanation after its lead-in, then the analogy after its lead-in
        assert texts[1] == DETAIL_LEAD and texts[3] == EXAMPLES_LEAD and len(texts) == 5
        # a pause before each lead-in lets the listener hear the new part start
        kinds = [type(item) for item in chapter.items]
        assert kinds.count(Pause) == 2 and kinds[1] is Pause and kinds[4] is Pause
    assert book.chapters[0].turns[2].text.startswith("Foundation models are essentially")
    assert book.chapters[3].turns[4].text.startswith("Think of a large factory")
    assert book.warnings == []


def test_lists_and_speaker_like_lines_read_as_narration(pages: Path) -> None:
    book = imported(pages, SEED)["audiobook"]
    texts = [t.text for t in book.turns]
    assert texts[5] == (
        "Characteristics: Trained on massive and diverse datasets. Transferable across tasks and "
        "domains. Adaptable via fine-tuning or prompting."
    )
    assert "Core Idea: A single model can act as a foundation for various applications, " \
        "promoting scalability and reuse." in texts  # fmt: skip
    assert not any(text.startswith("- ") or "\n" in text for text in texts)


@pytest.mark.parametrize("name", [SEED, OWN])
def test_no_chrome_is_ever_spoken(pages: Path, name: str) -> None:
    result = import_page((pages / name).read_text(encoding="utf-8"), pages / name)
    assert len(result.scripts) == 2
    for script in result.scripts:
        parsed = parse(script.text, script.name)
        spoken = [t.text for t in parsed.turns] + [c.title for c in parsed.chapters]
        for chrome in CHROME:
            assert not any(chrome in text for text in spoken), (script.name, chrome)
            body = script.text.split("\n---\n", 1)[1]
            assert chrome not in body, (script.name, chrome)
        assert not set(CHROME_LINES) & set(spoken)


def test_own_page_five_students_three_parts_and_a_chunk_without_analogy(pages: Path) -> None:
    scripts = imported(pages, OWN)
    lesson, book = scripts["lesson"], scripts["audiobook"]
    assert [c.title for c in lesson.chapters] == [
        "What a Vaccine Teaches the Body",
        "Memory Cells and Boosters",
        "Herd Immunity",
    ]
    assert sorted(lesson.speakers) == ["Student 1", "Student 2", "Student 3", "Student 4",
                                       "Student 5", "Teacher"]  # fmt: skip
    # A speaker block of two paragraphs gives two turns by the same speaker.
    first = lesson.chapters[0].turns
    assert [t.speaker for t in first[-2:]] == ["Teacher", "Teacher"]
    assert first[-1].text == "Key point: the body learns the enemy’s *shape*, not the illness."
    # Every student keeps their own voice: Student 5 is student-5, not a repeat of student-1.
    assert lesson.meta.cast["Student 5"] == "student-5"
    assert lesson.meta.cast["Teacher"] == "teacher"
    assert lesson.meta.episode == "4.2" and lesson.meta.series == "Biology"
    assert lesson.meta.subtitle == "4. Immunity"

    assert [c.title for c in book.chapters] == [
        "Antigens and Antibodies",
        "Types of Vaccines",
        "Herd Immunity Threshold",
    ]
    no_analogy = [t.text for t in book.chapters[1].turns]
    assert DETAIL_LEAD in no_analogy and EXAMPLES_LEAD not in no_analogy
    assert [t.text for t in book.chapters[2].turns].count(EXAMPLES_LEAD) == 1
    assert book.warnings == [] and lesson.warnings == []


def test_own_page_text_that_looks_like_markup_reads_back_literally(pages: Path) -> None:
    book = imported(pages, OWN)["audiobook"]
    texts = [t.text for t in book.turns]
    assert all(t.speaker is None for t in book.turns)
    assert texts[0] == (
        "Key Idea: A vaccine shows the immune system an antigen without the danger of the disease."
    )
    assert texts[1] == (
        "Steps: The vaccine delivers an antigen. B cells make antibodies that fit it. "
        "Memory cells keep the pattern for years."
    )
    assert "#1 rule of thumb: the closer a vaccine is to the real germ, the fewer doses it needs." \
        in texts  # fmt: skip
    # A bracketed "[Pause and think ...]" in the page is a sentence, not a pause directive.
    assert "[Pause and think: which type would you give to someone whose immune system is weak?]" \
        in texts  # fmt: skip
    # The "---" separator line in the page is dropped, not spoken.
    assert "For measles, R0 is about 15, so roughly 93% of people must be immune. For a germ " \
        "with R0 = 2, half is enough." in texts  # fmt: skip
    assert "The share of people who must be immune is about 1 - 1/R0, where R0 is how many " \
        "people one case infects." in texts  # fmt: skip


_PLAIN = st.text(
    st.characters(blacklist_categories=("Cs", "Co", "Cc")) | st.sampled_from("#[]<>!-*_`~&\\:;"),
    min_size=1,
    max_size=120,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(_PLAIN)
@example("[pause 1.5s]")
@example("# Not a heading")
@example("## Not a sub-chapter #")
@example("Teacher: not a turn")
@example("Core Idea: A single model")
@example("<!-- not a comment --> and <!--- neither")
@example("> not a quote")
@example("```python")
@example("~~~")
@example("\\ a backslash \\* and C:\\Users")
@example("&amp; &lt;b&gt; R&D AT&T")
@example("**bold**, _under_, *one*, ~~gone~~, max_tokens, 2*3*4")
@example("[a link](http://x.y) ![img](i.png) <http://x.y> <b>tag</b> [ref][1]")
@example("[1]: http://example.com")
@example("1999. A year")
@example("`code` and ``more``")
@example("--- not a rule ---")
@example("| a | table |")
@example("Student 1: yes")
def test_any_page_text_reads_back_as_written(text: str) -> None:
    line = " ".join(text.split())
    assume(any(ch.isalnum() for ch in line))
    # Lines that the page itself gives a meaning: list items, separators, chrome and headings.
    assume(not re.match(r"([-*+•–—]|\d{1,3}[.)])\s", line))
    assume(not re.fullmatch(r"[-*_=~]{3,}", line))
    assume(not PAGE_CHROME.fullmatch(line) and line not in {*SECTIONS, DETAIL, EXAMPLES})
    head = text if "|" not in text else "T"  # "|" separates the title line's fields
    page = (
        f"{head} - 1.1 | {head} | C\n\nInteractive Audio Lesson\n\nIntro.\n\n{text}\n\n"
        f"Unlock Audio Lesson\n\nTeacher\nTeacher\n\n{text}\n\nAudio Book\n\nIntro.\n\n"
        f"{text}\n\nUnlock Audio Book\n\n{text}\n"
    )
    scripts = {s.kind: parse(s.text, s.name) for s in import_page(page, "p.txt").scripts}
    expected = line.replace("`", "'")
    for script in scripts.values():
        assert [c.title for c in script.chapters] == [expected]
        # a BOM at the very start belongs to the file, not to the title
        assert script.meta.title == " ".join(head.removeprefix("\ufeff").split())
        assert script.meta.subtitle == " ".join(head.split())
    assert [(t.speaker, t.text) for t in scripts["lesson"].turns] == [("Teacher", expected)]
    assert [(t.speaker, t.text) for t in scripts["audiobook"].turns] == [(None, expected)]


def test_import_twice_gives_byte_identical_files(pages: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        for name in (SEED, OWN):
            done = run_import(pages / name, "-o", out, cwd=tmp_path)
            assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in first.iterdir())
    assert names == [
        "how-vaccines-work-audiobook.md",
        "how-vaccines-work-lesson.md",
        "how-vaccines-work-review.md",
        "what-are-foundation-models-audiobook.md",
        "what-are-foundation-models-lesson.md",
        "what-are-foundation-models-review.md",
    ]
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        data = (first / name).read_bytes()
        assert data == (second / name).read_bytes()
        assert b"\r" not in data and data.endswith(b"\n") and not data.endswith(b"\n\n")
        data.decode("utf-8")
    again = run_import(pages / SEED, "-o", first, cwd=tmp_path)
    assert again.returncode == 0
    assert again.stdout.splitlines() == [
        f"unchanged {first / 'what-are-foundation-models-lesson.md'} (2 chapters, 16 turns)",
        f"unchanged {first / 'what-are-foundation-models-audiobook.md'} (4 chapters, 20 turns)",
        f"unchanged {first / 'what-are-foundation-models-review.md'} (2 chapters, 13 turns)",
    ]


def test_bom_and_crlf_page_gives_the_same_scripts(pages: Path) -> None:
    text = (pages / SEED).read_text(encoding="utf-8")
    windows = pages / "windows.txt"
    windows.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    out_lf, out_crlf = pages / "lf", pages / "crlf"
    import_file(pages / SEED, out_lf)
    import_file(windows, out_crlf)
    for path in out_lf.iterdir():
        assert path.read_bytes() == (out_crlf / path.name).read_bytes()


def test_shipped_scripts_are_the_seed_import() -> None:
    seed = ROOT.parent / "shared" / "seeds" / "000_a6d7b3d20f50e584.txt"
    page = seed if seed.exists() else DATA / SEED
    result = import_page(page.read_text(encoding="utf-8"), page)
    for script in result.scripts:
        shipped = ROOT / "scripts" / script.name
        assert shipped.read_text(encoding="utf-8") == script.text, (
            f"{shipped} is out of date: rerun audiolesson import {page} --force"
        )


def test_page_without_lesson_or_book_is_a_one_line_error(tmp_path: Path) -> None:
    page = tmp_path / "news.txt"
    page.write_text("School news - 1 | Term 1 | Newsletter\nK12 Students\n\nSports day.\n")
    done = run_import(page, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {page}: no 'Interactive Audio Lesson'")
    assert not (tmp_path / "scripts").exists()
    with pytest.raises(ScriptError) as caught:
        import_page("\n\nInteractive Audio Lesson\n", "empty.txt")
    assert str(caught.value).startswith("empty.txt:1: the first line must be the page's title")


def test_page_with_only_an_audio_book_writes_only_that(pages: Path, tmp_path: Path) -> None:
    text = (pages / SEED).read_text(encoding="utf-8")
    start, end = text.index("Interactive Audio Lesson"), text.index("Introduction & Overview")
    page = tmp_path / "book-only.txt"
    page.write_text(text[:start] + text[end:], encoding="utf-8")
    done = run_import(page, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "scripts").iterdir()) == [
        "what-are-foundation-models-audiobook.md",
        "what-are-foundation-models-review.md",  # the glossary and key concepts are still there
    ]


def test_lesson_without_speaker_blocks_is_an_error_with_its_line(tmp_path: Path) -> None:
    page = "T - 1.1 | P | C\n\nInteractive Audio Lesson\n\nIntro.\n\nPart\n\nUnlock Audio Lesson\n"
    with pytest.raises(ScriptError) as caught:
        import_page(page, "p.txt")
    assert str(caught.value).startswith("p.txt:3: nothing to speak")


def test_differing_script_is_kept_unless_forced(pages: Path, tmp_path: Path) -> None:
    out = tmp_path / "scripts"
    assert run_import(pages / SEED, cwd=tmp_path).returncode == 0
    lesson = out / "what-are-foundation-models-lesson.md"
    book = out / "what-are-foundation-models-audiobook.md"
    edited = lesson.read_text(encoding="utf-8").replace("Today,", "This morning,")
    lesson.write_text(edited, encoding="utf-8")
    book.unlink()

    refused = run_import(pages / SEED, cwd=tmp_path)
    assert refused.returncode == 1
    assert len(refused.stderr.splitlines()) == 1
    assert f"error: {lesson}: already exists and differs" in refused.stderr
    assert "--force" in refused.stderr
    assert lesson.read_text(encoding="utf-8") == edited
    assert not book.exists()  # nothing is written when one file is refused

    forced = run_import(pages / SEED, "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.splitlines()[0].startswith(f"overwritten {lesson}")
    assert "This morning," not in lesson.read_text(encoding="utf-8") and book.exists()
    review = out / "what-are-foundation-models-review.md"
    assert sorted(p.name for p in out.iterdir()) == sorted([lesson.name, book.name, review.name])


def test_write_into_a_file_instead_of_a_folder_is_an_error(pages: Path, tmp_path: Path) -> None:
    result = import_page((pages / OWN).read_text(encoding="utf-8"), pages / OWN)
    blocker = tmp_path / "scripts"
    blocker.write_text("not a folder")
    with pytest.raises(ScriptError, match="is not a folder"):
        write_scripts(result.scripts, blocker)


def test_five_students_import_without_a_warning(pages: Path, tmp_path: Path) -> None:
    done = run_import(pages / OWN, cwd=tmp_path)
    assert done.returncode == 0
    assert done.stderr == ""  # every student has a voice of their own: nothing to warn about
    lesson = (tmp_path / "scripts" / "how-vaccines-work-lesson.md").read_text(encoding="utf-8")
    assert "Student 5: student-5" in lesson


def test_slugs_are_ascii_and_stable() -> None:
    assert slugify("What are Foundation Models?") == "what-are-foundation-models"
    assert slugify("Café – Ça va? Öl & Wasser") == "cafe-ca-va-ol-wasser"
    greek = slugify("Τι είναι;")
    assert greek.startswith("page-") and greek == slugify("Τι είναι;") and greek.isascii()


def test_other_speaker_labels_get_voices_in_turn() -> None:
    page = (
        "Chat - 2 | Unit | Course\n\nInteractive Audio Lesson\n\nIntro.\n\nPart\n\n"
        "Unlock Audio Lesson\n\n0:00\nStray text\n\nHost\nHost\n\nWelcome!\n\n"
        "Ms. Rivera\nMs. Rivera\n\nThanks.\n\nJamal\nJamal\n\nHi.\n"
    )
    result = import_page(page, "chat.txt")
    (lesson,) = result.scripts
    parsed = parse(lesson.text, lesson.name)
    assert parsed.meta.cast == {"Host": "teacher", "Ms. Rivera": "student-1", "Jamal": "student-2"}
    assert [(t.speaker, t.text) for t in parsed.turns] == [
        ("Host", "Welcome!"),
        ("Ms. Rivera", "Thanks."),
        ("Jamal", "Hi."),
    ]
    assert [str(w) for w in result.warnings] == [
        "chat.txt:12: text before the first speaker label left out"
    ]
