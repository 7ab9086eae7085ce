"""Plain text and Markdown books, and what every format shares: dialogue, long paragraphs."""

from __future__ import annotations

from pathlib import Path

from _books import AUTHOR, TITLE, front_matter, read_back, sample_book

from audiolesson.importers.batch import import_paths
from audiolesson.importers.book import Book, Section
from audiolesson.importers.render import MAX_PARAGRAPH_CHARS, render_book, speakers_of
from audiolesson.script import parse


def test_markdown_reads_back_without_code_images_or_markup(tmp_path: Path) -> None:
    parts = sample_book()
    lines = [f"---\ntitle: {TITLE}\nauthor: {AUTHOR}\nlayout: post\n---\n"]
    for part in parts:
        lines.append(f"{'#' * part.level} {part.title}\n")
        lines.extend(f"{p}\n" for p in part.paragraphs)
        if part.level == 2:
            lines.append("```python\nprint('code is not read')\n```\n")
            lines.append("![a picture](river.png)\n")
    (tmp_path / "book.md").write_text("\n".join(lines), encoding="utf-8")
    import_paths([tmp_path / "book.md"], tmp_path / "scripts")
    script = tmp_path / "scripts" / "book.md"
    read_back(script, parts)
    assert (front_matter(script)["title"], front_matter(script)["author"]) == (TITLE, AUTHOR)
    assert "code is not read" not in script.read_text("utf-8")


def test_plain_text_finds_chapter_headings_and_drops_the_gutenberg_frame(tmp_path: Path) -> None:
    text = (
        "The Project Gutenberg eBook of Rivers\n\nTitle: Rivers and Light\nAuthor: Ada Brook\n"
        "Language: English\n\n*** START OF THE PROJECT GUTENBERG EBOOK RIVERS ***\n\n"
        "CHAPTER I\nThe Source\n\nThe river starts high in the hills.\nIt is cold and clear.\n\n"
        "Note: this line is a note, not a speaker.\n\nCHAPTER II\n\n"
        "Teacher: Where does it go?\n\nStudent: To the sea, of course.\n\n"
        "THE LAST PAGES\n\nThe end of the river is the sea.\n\n"
        "*** END OF THE PROJECT GUTENBERG EBOOK RIVERS ***\n\nLicence text that is not read.\n"
    )
    (tmp_path / "rivers.txt").write_text(text, encoding="utf-8")
    import_paths([tmp_path / "rivers.txt"], tmp_path / "scripts")
    script = tmp_path / "scripts" / "rivers.md"
    parsed = parse(script.read_text("utf-8"), str(script))
    assert parsed.warnings == []
    assert [c.title for c in parsed.chapters] == [
        "CHAPTER I: The Source",
        "CHAPTER II",
        "THE LAST PAGES",
    ]
    assert [(t.speaker, t.text) for t in parsed.turns] == [
        (None, "The river starts high in the hills. It is cold and clear."),
        (None, "Note: this line is a note, not a speaker."),
        ("Teacher", "Where does it go?"),
        ("Student", "To the sea, of course."),
        (None, "The end of the river is the sea."),
    ]
    meta = front_matter(script)
    assert (meta["title"], meta["author"], meta["language"]) == (TITLE, AUTHOR, "en")
    assert "Licence" not in script.read_text("utf-8") and "Gutenberg" not in str(meta)


def test_labels_become_speakers_only_when_they_take_turns() -> None:
    def section(*paragraphs: str) -> Section:
        return Section("A", 1, list(paragraphs))

    talk = section("Ana: Hello there.", "Ben: Hi Ana.", "Ana: How are you?")
    notes = section("Note: keep the lid on.", "Warning: the pot is hot.")
    alone = section("Ana: a label once, in prose.", "Then a plain paragraph.")
    lines = section("Ana: one line\nBen: another line\nAna: a third")
    assert speakers_of([talk]) == {"Ana", "Ben"}
    assert speakers_of([notes]) == set() and speakers_of([alone]) == set()
    assert speakers_of([lines]) == {"Ana", "Ben"}  # a block of labelled lines is a dialogue


def test_a_very_long_paragraph_becomes_several_turns_with_every_word(tmp_path: Path) -> None:
    sentences = [f"Sentence {n} runs along the bank of the long river." for n in range(600)]
    book = Book(tmp_path / "long.txt", "text", [Section("One", 1, [" ".join(sentences)])])
    script = render_book(book, "long.md")
    parsed = parse(script.text, "long.md")
    assert len(parsed.turns) > 1
    assert all(len(t.text) <= MAX_PARAGRAPH_CHARS for t in parsed.turns)
    assert " ".join(t.text for t in parsed.turns) == " ".join(sentences)


def test_markdown_characters_in_a_book_are_read_literally(tmp_path: Path) -> None:
    odd = "Use *stars*, _under_ and [brackets] <tags> &amp; `ticks` as written: #1 - 2."
    book = Book(tmp_path / "odd.txt", "text", [Section("# Hash: a title", 1, [odd, "- a dash"])])
    parsed = parse(render_book(book, "odd.md").text, "odd.md")
    assert parsed.warnings == []
    assert parsed.chapters[0].title == "# Hash: a title"
    assert [t.text for t in parsed.turns] == [odd.replace("`", "'"), "- a dash"]
