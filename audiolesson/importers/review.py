"""A course page's review script: its glossary, flash cards and key concepts as practice.

`audiolesson import page.txt` writes `<slug>-review.md` beside the lesson and the audiobook when
the page has any of them: for each glossary term the teacher asks what it means, a `[your turn]`
gap follows, then the definition; each flash card is its front, a gap, its back; each key concept
("Name: what it says") becomes a short recall question ("What is the idea behind Name?") with its
explanation as the answer. A page with none of them writes no review script.

The page's sections are plain lines: a glossary entry is "• Term: X", then "Definition:" and the
definition on the lines below (or on the same line); a flash card is labelled Front/Back,
Question/Answer, Q/A or Term/Definition in the same way; a key concept is a bullet under "Key
Concepts". The one-line introductions the site puts under each heading are not entries.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import ScriptWarning
from .course_page import (
    BULLET,
    CHROME,
    OVERVIEW,
    ImportedScript,
    find_sections,
    page_description,
    page_front_matter,
    parse_header,
    slugify,
)
from .script_text import TEACHER_VOICE, clean_line, heading_line, script_text

__all__ = ["GLOSSARY", "FLASH_CARDS", "KEY_CONCEPTS", "ReviewCard", "review_script"]

GLOSSARY = "Glossary of Terms"
FLASH_CARDS = "Flash Cards"
DEFINITIONS = "Definitions & Key Concepts"
KEY_CONCEPTS = "Key Concepts"  #: the sub-heading inside DEFINITIONS
TEACHER = "Teacher"
#: the review's first turn: what the chime means and what to do in the silence after it
INTRODUCTION = (
    "Let's review what this lesson covered. After each question you will hear a soft chime: "
    "say your answer out loud in the pause that follows, then listen to the answer."
)
#: chapter titles, in the order the review asks them
CHAPTERS = {GLOSSARY: "Glossary", KEY_CONCEPTS: "Key concepts", FLASH_CARDS: "Flash cards"}

_ASKS = {"term", "question", "front", "q"}
_ANSWERS = {"definition", "answer", "back", "a"}
_FIELD = re.compile(r"(term|definition|question|answer|front|back|q|a)\s*:\s*(.*)", re.IGNORECASE)
# "Name: what it says" of a key concept; the name is short (a title, not a sentence)
_CONCEPT = re.compile(r"([^:]{1,80}?)\s*:\s+(\S.*)")


@dataclass(frozen=True)
class ReviewCard:
    """One question of the review and its answer, with the page line it came from."""

    question: str
    answer: str
    line: int


def _unbulleted(text: str) -> str:
    bullet = BULLET.match(text)
    return text[bullet.end() :].strip() if bullet else text


def _fields(lines: list[tuple[int, str]]) -> Iterator[tuple[str, str, int]]:
    """(label, text, line) of each labelled field ("Term: X", "Definition:" + the lines below)."""
    label: str | None = None
    parts: list[str] = []
    start = 0
    for line, raw in lines:
        text = _unbulleted(raw)
        field = _FIELD.fullmatch(text)
        if field:
            if label is not None:
                yield label, " ".join(parts), start
            label, parts, start = field.group(1).lower(), [], line
            if field.group(2):
                parts.append(field.group(2))
        elif label is not None and text and not CHROME.fullmatch(text):
            parts.append(text)
    if label is not None:
        yield label, " ".join(parts), start


def _pairs(
    lines: list[tuple[int, str]],
    where: str,
    warnings: list[ScriptWarning],
    what: str,
    ask: Callable[[str], str] = lambda front: front,
) -> list[ReviewCard]:
    """Question-and-answer pairs of labelled fields (`ask` makes the question of the first);
    a field without its partner is a warning."""
    cards: list[ReviewCard] = []
    asked: tuple[str, int] | None = None
    for label, text, line in _fields(lines):
        if label in _ASKS:
            if asked is not None:
                warnings.append(ScriptWarning(f"{what} has no answer; left out", where, asked[1]))
            asked = (text, line) if text else None
            if not text:
                warnings.append(ScriptWarning(f"{what} is empty; left out", where, line))
        elif asked is None:
            warnings.append(ScriptWarning(f"{what} answer without a question", where, line))
        elif not text:
            warnings.append(ScriptWarning(f"{what} has an empty answer; left out", where, line))
            asked = None
        else:
            cards.append(ReviewCard(ask(asked[0]), text, asked[1]))
            asked = None
    if asked is not None:
        warnings.append(ScriptWarning(f"{what} has no answer; left out", where, asked[1]))
    return cards


def _sentence(text: str) -> str:
    """The text with a capital first letter ("a molecule that..." -> "A molecule that...")."""
    return text[:1].upper() + text[1:]


def _ask_term(term: str) -> str:
    """What the teacher asks of a glossary term ("the term" fits a plural and an adjective)."""
    return f"What does the term {term.rstrip('.')} mean?"


def _key_concepts(
    lines: list[tuple[int, str]], where: str, warnings: list[ScriptWarning]
) -> list[ReviewCard]:
    """Each "• Name: explanation" bullet under Key Concepts as a recall question."""
    heading = next((k for k, (_, text) in enumerate(lines) if text == KEY_CONCEPTS), None)
    if heading is None:
        return []
    cards = []
    for line, text in lines[heading + 1 :]:
        if not BULLET.match(text):
            continue  # the section's introduction, or a sub-heading
        concept = _CONCEPT.fullmatch(_unbulleted(text))
        if concept is None:
            warnings.append(
                ScriptWarning(
                    "key concept is not 'Name: explanation', so no question can be asked about "
                    "it; left out of the review",
                    where,
                    line,
                )
            )
            continue
        name, explanation = concept.group(1).strip(), concept.group(2).strip()
        cards.append(ReviewCard(f"What is the idea behind {name}?", explanation, line))
    return cards


def _deduplicated(
    cards: list[ReviewCard], where: str, warnings: list[ScriptWarning], seen: dict[str, int]
) -> list[ReviewCard]:
    """Each question once in the review (a learner's card is known by its question); `seen`
    holds the questions asked so far and their lines."""
    kept = []
    for card in cards:
        if card.question.casefold() in seen:
            warnings.append(
                ScriptWarning(
                    f"'{card.question}' is asked already (line {seen[card.question.casefold()]}); "
                    "left out",
                    where,
                    card.line,
                )
            )
            continue
        seen[card.question.casefold()] = card.line
        kept.append(card)
    return kept


def review_script(
    text: str, path: str | Path = "<page>"
) -> tuple[ImportedScript | None, list[ScriptWarning]]:
    """The page's review script (None if it has no glossary, flash cards or key concepts) and
    warnings about entries left out; pure, no I/O."""
    where = str(path)
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header = parse_header(lines, where)
    sections = find_sections(lines)
    warnings: list[ScriptWarning] = []
    found = {
        GLOSSARY: _pairs(
            sections.get(GLOSSARY, [])[1:], where, warnings, "glossary term", _ask_term
        ),
        KEY_CONCEPTS: _key_concepts(sections.get(DEFINITIONS, []), where, warnings),
        FLASH_CARDS: _pairs(sections.get(FLASH_CARDS, [])[1:], where, warnings, "flash card"),
    }
    seen: dict[str, int] = {}
    chapters = [
        (CHAPTERS[name], kept)
        for name, cards in found.items()
        if (kept := _deduplicated(cards, where, warnings, seen))
    ]
    if not chapters:
        return None, warnings
    meta = page_front_matter(header, page_description(sections.get(OVERVIEW, [])))
    meta["title"] = f"Review: {header.title}"
    meta["description"] = (
        f"Practice for '{header.title}': answer each question out loud in the pause after the "
        "chime, then hear the answer."
    )
    body: list[str] = []
    for number, (title, cards) in enumerate(chapters):
        body.append(heading_line(title))
        if number == 0:
            body.append(f"{TEACHER}: {INTRODUCTION}")
        for card in cards:
            body += [
                f"{TEACHER}: {clean_line(card.question)}",
                "[your turn]",
                f"{TEACHER}: {clean_line(_sentence(card.answer))}",
            ]
    script = script_text({**meta, "cast": {TEACHER: TEACHER_VOICE}}, body)
    name = f"{slugify(header.title)}-review.md"
    turns = 1 + 2 * sum(len(cards) for _, cards in chapters)
    return ImportedScript("review", name, script, len(chapters), turns), warnings
