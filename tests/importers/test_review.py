"""The review script of a course page: its glossary, key concepts and flash cards as practice."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from audiolesson.importers.review import INTRODUCTION, review_script
from audiolesson.script import parse

PAGES = Path(__file__).parents[1] / "data" / "pages"
ROOT = Path(__file__).parents[2]
SEED = PAGES / "foundation-models.txt"

FLASH_CARDS = """

Flash Cards

Review key concepts with flashcards.

  • Front: What does GPT stand for?

    Back:

    Generative pre-trained transformer.

  • Question: Who made BERT?
    Answer: Google.

  • Q: An unanswered card

Glossary of Terms
"""


def review_of(text: str, name: str = "page.txt"):
    script, warnings = review_script(text, name)
    assert script is not None
    return script, parse(script.text, script.name), warnings


def test_the_seed_page_gives_a_question_a_gap_and_an_answer_per_term_and_concept() -> None:
    imported, script, warnings = review_of(SEED.read_text(encoding="utf-8"))
    assert warnings == [] and script.warnings == []
    assert imported.name == "what-are-foundation-models-review.md" and imported.kind == "review"
    assert [c.title for c in script.chapters] == ["Glossary", "Key concepts"]
    assert script.turns[0].text == INTRODUCTION  # what the chime is for
    cards = [(c.question.text, c.answer.text) for c in script.cards]
    assert cards == [
        (
            "What does the term Foundation Models mean?",
            "Large-scale pre-trained models that serve as a base for a wide range of downstream "
            "tasks.",
        ),
        (
            "What does the term Finetuning mean?",
            "The process of adapting a pre-trained model to a specific task by continuing the "
            "training on a smaller dataset.",
        ),
        (
            "What does the term Transferable mean?",
            "The ability of learned knowledge to be applied across different tasks and domains.",
        ),
        (
            "What is the idea behind Large-scale Pre-training?",
            "Models are trained on large datasets to build generalized capabilities.",
        ),
        (
            "What is the idea behind Transferable Knowledge?",
            "The ability of models to apply knowledge from one area to others.",
        ),
        (
            "What is the idea behind Scalability and Reuse?",
            "The primary advantage of using a single model across multiple applications.",
        ),
    ]
    assert {t.speaker for t in script.turns} == {"Teacher"}
    assert all(c.gap.seconds is None for c in script.cards)  # as long as each answer
    meta = yaml.safe_load(imported.text.split("---")[1])
    assert meta["title"] == "Review: What are Foundation Models?"
    assert (meta["series"], meta["episode"]) == ("Advance Machine Learning", "15.1")
    assert imported.chapters == 2 and imported.turns == len(script.turns) == 13


def test_the_shipped_review_script_is_what_the_seed_page_gives() -> None:
    imported, _, _ = review_of(SEED.read_text(encoding="utf-8"))
    shipped = ROOT / "scripts" / imported.name
    assert shipped.read_text(encoding="utf-8") == imported.text


def test_flash_cards_are_read_in_each_labelling_and_half_a_card_is_a_warning() -> None:
    text = SEED.read_text(encoding="utf-8").replace("\n\nGlossary of Terms\n", FLASH_CARDS, 1)
    _, script, warnings = review_of(text)
    assert [c.title for c in script.chapters] == ["Glossary", "Key concepts", "Flash cards"]
    flash = [(c.question.text, c.answer.text) for c in script.cards[-2:]]
    assert flash == [
        ("What does GPT stand for?", "Generative pre-trained transformer."),
        ("Who made BERT?", "Google."),
    ]
    [warning] = warnings
    assert warning.message == "flash card has no answer; left out"
    assert text.splitlines()[warning.line - 1].strip() == "• Q: An unanswered card"


def test_a_term_asked_twice_is_asked_once_and_a_concept_without_a_name_is_left_out() -> None:
    text = (PAGES / "how-vaccines-work.txt").read_text(encoding="utf-8")
    text = text.replace(
        "  • Antigen: a molecule that triggers an immune response.",
        "  • Antigen: a molecule that triggers an immune response.\n\n"
        "  • Vaccines train the immune system.\n\n"
        "  • Antigen: the same again.",
    )
    _, script, warnings = review_of(text, "vaccines.txt")
    assert [(c.question.text, c.answer.text) for c in script.cards] == [
        ("What does the term Antigen mean?", "A molecule that the immune system recognises as "
         "foreign."),
        ("What is the idea behind Antigen?", "A molecule that triggers an immune response."),
    ]  # fmt: skip
    messages = [w.message for w in warnings]
    assert messages[0].startswith("key concept is not 'Name: explanation'")
    assert messages[1] == "'What is the idea behind Antigen?' is asked already (line 215); left out"


def test_a_page_without_a_glossary_flash_cards_or_key_concepts_writes_no_review() -> None:
    text = SEED.read_text(encoding="utf-8")
    text = text[: text.index("Definitions & Key Concepts")]
    assert review_script(text, "page.txt") == (None, [])


@pytest.mark.parametrize(
    "entry",
    [
        "  • Term: Markdown *stars* and [links]\n\n    Definition:\n\n    Kept <as> text & all.",
        "  • Term: Markdown *stars* and [links]\n\n    Definition: Kept <as> text & all.",
    ],
)
def test_markdown_in_a_term_is_read_as_text(entry: str) -> None:
    page = "T - 1.1 | P | C\n\nGlossary of Terms\n\nReview the Definitions for terms.\n\n" + entry
    _, script, _ = review_of(page + "\n")
    [card] = script.cards
    assert card.question.text == "What does the term Markdown *stars* and [links] mean?"
    assert card.answer.text == "Kept <as> text & all."


def test_an_edited_review_script_is_kept_unless_forced(tmp_path: Path, run_import) -> None:
    assert run_import(SEED, cwd=tmp_path).status == 0
    review = tmp_path / "scripts" / "what-are-foundation-models-review.md"
    lesson = review.with_name("what-are-foundation-models-lesson.md")
    edited = review.read_text(encoding="utf-8").replace("[your turn]", "[your turn 8s]", 1)
    review.write_text(edited, encoding="utf-8")
    lesson.unlink()
    refused = run_import(SEED, cwd=tmp_path)
    assert refused.status == 1 and refused.stdout == ""
    assert refused.stderr.startswith(f"error: {review}: already exists and differs")
    assert review.read_text(encoding="utf-8") == edited and not lesson.exists()  # all or nothing
    forced = run_import(SEED, "--force", cwd=tmp_path)
    assert forced.status == 0 and f"overwritten {review} (2 chapters, 13 turns)" in forced.stdout
    assert "[your turn 8s]" not in review.read_text(encoding="utf-8") and lesson.exists()
