"""Course pages (the site's text export) -> a lesson script and an audiobook script.

A page starts with "<Title> - <episode> | <part> | <course>", then site chrome, then sections whose
headings are fixed strings (SECTIONS). Two of them are spoken:

- "Interactive Audio Lesson": sub-sections, each a title line, "Unlock Audio Lesson", "Signup and
  Enroll ...", "0:00", then speaker blocks whose label is written twice ("Teacher" / "Teacher").
- "Audio Book": chunks, each a title line, "Unlock Audio Book", "Signup and Enroll ...", the main
  text, then optionally "Detailed Explanation" + text and "Examples & Analogies" + text.

Everything else (navigation, overviews, videos, key concepts, memory aids, flash cards, glossary) is
never spoken; the quick overview only becomes the scripts' description.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ScriptError, ScriptWarning
from ..voices.library import NARRATOR_VOICE
from .script_text import (
    clean_line,
    default_cast,
    heading_line,
    narration_line,
    script_text,
)

__all__ = ["ImportResult", "ImportedScript", "import_page", "slugify"]

LESSON = "Interactive Audio Lesson"
AUDIOBOOK = "Audio Book"
OVERVIEW = "Introduction & Overview"
#: Headings of the page's top-level sections, as the site writes them. A section runs until the
#: next one of these; a new kind of section on the site has to be added here.
SECTIONS = frozenset(
    {
        "Practice",
        LESSON,
        OVERVIEW,
        "Youtube Videos",
        AUDIOBOOK,
        "Definitions & Key Concepts",
        "Examples & Real-Life Applications",
        "Memory Aids",
        "Flash Cards",
        "Glossary of Terms",
    }
)
DETAIL = "Detailed Explanation"
EXAMPLES = "Examples & Analogies"

#: Spoken lead-ins: the listener hears where a chunk's explanation and its analogy start.
DETAIL_LEAD = "Let's look at this in more detail."
EXAMPLES_LEAD = "Here is an example to make it concrete."
LEAD_PAUSE = "[pause 1s]"


_UNLOCK = re.compile(r"Unlock Audio (Lesson|Book)", re.IGNORECASE)
CHROME = re.compile(
    r"(Unlock Audio (Lesson|Book)|Signup and Enroll\b.*|\d{1,2}:\d{2}(:\d{2})?)", re.IGNORECASE
)
_EPISODE = re.compile(r"\d+[A-Za-z]?(\.\d+[A-Za-z]?)*")
# A speaker label as the script format accepts one: 1 to 4 words, the first capitalised.
_LABEL = re.compile(r"[A-Z][\w.'’-]*( [\w.'’-]+){0,3}")
BULLET = re.compile(r"([-*+•–—]|\d{1,3}[.)])\s+")
_RULE = re.compile(r"[-*_=~]{3,}")


@dataclass(frozen=True)
class ImportedScript:
    """One generated script: its file name, its text and what it holds."""

    kind: str  #: "lesson" or "audiobook"
    name: str  #: file name, e.g. "what-are-foundation-models-lesson.md"
    text: str  #: the whole script (UTF-8 text, LF line ends, trailing newline)
    chapters: int
    turns: int  #: speaker turns (lesson) or narration paragraphs (audiobook)


@dataclass(frozen=True)
class ImportResult:
    """What a page gives: its slug, one or two scripts, and warnings about skipped parts."""

    slug: str
    scripts: tuple[ImportedScript, ...]
    warnings: tuple[ScriptWarning, ...] = ()


@dataclass
class _Part:
    """A lesson sub-section or an audiobook chunk: its title and its body lines."""

    title: str
    line: int
    body: list[tuple[int, str]] = field(default_factory=list)  #: (1-based line, stripped text)


@dataclass
class _Header:
    title: str
    episode: str | None = None
    part: str | None = None
    course: str | None = None


def slugify(title: str) -> str:
    """ASCII slug of a title ("What are Foundation Models?" -> "what-are-foundation-models")."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:80].rstrip("-")
    if slug:
        return slug
    # A title with no ASCII letters at all (e.g. Greek or Hindi) still needs a stable file name.
    return "page-" + hashlib.sha256(title.encode()).hexdigest()[:10]


def import_page(text: str, path: str | Path = "<page>") -> ImportResult:
    """Turn a course page's text into a lesson script and/or an audiobook script (pure, no I/O)."""
    where = str(path)
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header = parse_header(lines, where)
    sections = find_sections(lines)
    if LESSON not in sections and AUDIOBOOK not in sections:
        raise ScriptError(
            f"no '{LESSON}' and no '{AUDIOBOOK}' section found; import a page exported from the "
            "course site (first line '<title> - <episode> | <part> | <course>', then its sections)",
            path=where,
        )
    slug = slugify(header.title)
    meta = page_front_matter(header, page_description(sections.get(OVERVIEW, [])))
    warnings: list[ScriptWarning] = []
    scripts: list[ImportedScript] = []
    if LESSON in sections:
        lesson = _lesson(sections[LESSON], meta, slug, where, warnings)
        if lesson is not None:
            scripts.append(lesson)
    if AUDIOBOOK in sections:
        book = _audiobook(sections[AUDIOBOOK], meta, slug, where, warnings)
        if book is not None:
            scripts.append(book)
    if not scripts:
        first = min(sections[name][0][0] for name in (LESSON, AUDIOBOOK) if name in sections)
        raise ScriptError(
            "nothing to speak: no sub-section with speaker blocks and no audio book chunk "
            "(a title line followed by 'Unlock Audio Lesson/Book'); check the page was exported "
            "whole",
            path=where,
            line=first,
        )
    return ImportResult(slug=slug, scripts=tuple(scripts), warnings=tuple(warnings))


# --- the page's structure -------------------------------------------------------------------


def parse_header(lines: list[str], where: str) -> _Header:
    """Title, episode, part and course from "<Title> - <episode> | <part> | <course>"."""
    fields = [" ".join(f.split()) for f in lines[0].split("|")]
    if not fields[0]:
        raise ScriptError(
            "the first line must be the page's title line "
            "'<title> - <episode> | <part> | <course>'",
            path=where,
            line=1,
        )
    title, episode = fields[0], None
    name, sep, number = fields[0].rpartition(" - ")
    if sep and name and _EPISODE.fullmatch(number):
        title, episode = name, number
    course = fields[-1] if len(fields) > 1 else ""
    part = " | ".join(f for f in fields[1:-1] if f)
    return _Header(title=title, episode=episode, part=part or None, course=course or None)


def find_sections(lines: list[str]) -> dict[str, list[tuple[int, str]]]:
    """Each known section's lines (1-based number, stripped text), heading line first."""
    sections: dict[str, list[tuple[int, str]]] = {}
    current: list[tuple[int, str]] | None = None
    for index, raw in enumerate(lines[1:], start=1):
        text = " ".join(raw.split())
        standalone = not lines[index - 1].strip() and (
            index + 1 == len(lines) or not lines[index + 1].strip()
        )
        if text in SECTIONS and text not in sections and standalone:
            current = sections[text] = []
        if current is not None:
            current.append((index + 1, text))
    return sections


def _parts(section: list[tuple[int, str]]) -> list[_Part]:
    """Split a section at its "Unlock Audio ..." markers; each part's title is the line before."""
    markers = [k for k, (_, text) in enumerate(section) if _UNLOCK.fullmatch(text)]
    titles: list[int] = []
    floor = 1  # skip the section's heading line
    for k in markers:
        # A missing title line (the marker right after the previous part's marker) gets a number.
        title = next((j for j in range(k - 1, floor - 1, -1) if section[j][1]), k)
        titles.append(k if _UNLOCK.fullmatch(section[title][1]) else title)
        floor = k + 1
    parts = []
    for number, (k, title) in enumerate(zip(markers, titles, strict=True), start=1):
        end = titles[number] if number < len(titles) else len(section)
        line, text = section[title]
        name = text if title != k else f"Part {number}"
        parts.append(_Part(title=name, line=line, body=section[k + 1 : end]))
    return parts


def _paragraphs(body: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Blank-line separated paragraphs without chrome, each flattened to one spoken line."""
    out: list[tuple[int, str]] = []
    group: list[tuple[int, str]] = []
    for line, text in [*body, (0, "")]:
        if text and not CHROME.fullmatch(text):
            group.append((line, text))
        elif group:
            out.append((group[0][0], _flatten([t for _, t in group])))
            group = []
    return [(line, text) for line, text in out if text]


def _flatten(texts: list[str]) -> str:
    """One line of speech from a paragraph: wrapped lines joined, list items made sentences."""
    pieces = []
    for text in texts:
        if _RULE.fullmatch(text):
            continue  # a separator line, nothing to say
        bullet = BULLET.match(text)
        if bullet:
            text = text[bullet.end() :].strip()
            # "- Trained on large data" reads as its own sentence, with a full stop's pause.
            if text and (text[-1].isalnum() or text[-1] in ")\"'”’"):
                text += "."
        pieces.append(text)
    return clean_line(" ".join(pieces))


def page_description(overview: list[tuple[int, str]]) -> str | None:
    """The overview's shortest version ("Quick Overview", else "Standard"), as the description."""
    for label in ("Quick Overview", "Standard"):
        for k, (_, text) in enumerate(overview):
            if text == label:
                paragraphs = _paragraphs(overview[k + 1 :])
                if paragraphs:
                    return paragraphs[0][1]
    return None


# --- the two scripts --------------------------------------------------------------------------


def page_front_matter(header: _Header, description: str | None) -> dict[str, object]:
    """Front matter shared by both scripts (the lesson adds its cast)."""
    # Front matter is YAML, read literally: no Markdown escapes here.
    meta: dict[str, object] = {"title": header.title}
    # The course is the series (a feed or album gathers one course's episodes and takes its title
    # from the series); the part ("15. Modern Topics – ...") is the unit inside the course, which
    # is what a subtitle (ID3 TIT3) is for.
    if header.part:
        meta["subtitle"] = header.part
    if header.course:
        meta["series"] = header.course
    if header.episode:
        meta["episode"] = header.episode
    meta["language"] = "en"
    if description:
        meta["description"] = description
    meta["narrator"] = NARRATOR_VOICE
    return meta


def _lesson(
    section: list[tuple[int, str]],
    meta: dict[str, object],
    slug: str,
    where: str,
    warnings: list[ScriptWarning],
) -> ImportedScript | None:
    """The Interactive Audio Lesson: one chapter per sub-section, one turn per speaker block."""
    chapters: list[tuple[str, list[tuple[str, str]]]] = []
    for part in _parts(section):
        turns = list(_speaker_turns(part, where, warnings))
        if turns:
            chapters.append((part.title, turns))
        else:
            warnings.append(
                ScriptWarning(
                    f"lesson part '{part.title}' has no speaker blocks; left out", where, part.line
                )
            )
    if not chapters:
        warnings.append(
            ScriptWarning(
                f"'{LESSON}' holds no speaker blocks; no lesson written", where, section[0][0]
            )
        )
        return None
    labels = [label for _, turns in chapters for label, _ in turns]
    cast = default_cast(labels)
    body = []
    for title, turns in chapters:
        body.append(heading_line(title))
        body.extend(f"{label}: {text}" for label, text in turns)
    text = script_text({**meta, "cast": cast}, body)
    return ImportedScript("lesson", f"{slug}-lesson.md", text, len(chapters), len(labels))


def _speaker_turns(
    part: _Part, where: str, warnings: list[ScriptWarning]
) -> Iterator[tuple[str, str]]:
    """(label, text) per paragraph of each speaker block; a label is a line written twice."""
    label: str | None = None
    block: list[tuple[int, str]] = []
    body = part.body
    k = 0
    while k < len(body):
        line, text = body[k]
        if _is_label(text) and k + 1 < len(body) and body[k + 1][1] == text:
            if label is not None:
                yield from _block_turns(label, block, where, warnings)
            label, block, k = text, [], k + 2
            continue
        if label is None and text and not CHROME.fullmatch(text):
            warnings.append(
                ScriptWarning("text before the first speaker label left out", where, line)
            )
        elif label is not None:
            block.append((line, text))
        k += 1
    if label is not None:
        yield from _block_turns(label, block, where, warnings)


def _is_label(text: str) -> bool:
    """Whether a line can be a speaker label (the script format's name rule, no chrome)."""
    return bool(_LABEL.fullmatch(text)) and not CHROME.fullmatch(text)


def _block_turns(
    label: str, block: list[tuple[int, str]], where: str, warnings: list[ScriptWarning]
) -> Iterator[tuple[str, str]]:
    """One turn per paragraph of a speaker block (a turn is one paragraph in the script format)."""
    paragraphs = _paragraphs(block)
    if not paragraphs:
        line = block[0][0] - 1 if block else None
        warnings.append(
            ScriptWarning(f"speaker block '{label}' has no text; left out", where, line)
        )
    for _, text in paragraphs:
        yield label, text


def _audiobook(
    section: list[tuple[int, str]],
    meta: dict[str, object],
    slug: str,
    where: str,
    warnings: list[ScriptWarning],
) -> ImportedScript | None:
    """The Audio Book: one chapter per chunk; explanation and analogy follow a spoken lead-in."""
    body: list[str] = []
    chapters = paragraphs = 0
    for part in _parts(section):
        segments: dict[str, list[tuple[int, str]]] = {"": [], DETAIL: [], EXAMPLES: []}
        current = ""
        for line, text in part.body:
            if text in (DETAIL, EXAMPLES):
                current = text
            else:
                segments[current].append((line, text))
        spoken = [
            (segment, [text for _, text in _paragraphs(lines)])
            for segment, lines in segments.items()
        ]
        if not any(texts for _, texts in spoken):
            warnings.append(
                ScriptWarning(
                    f"audio book chunk '{part.title}' has no text; left out", where, part.line
                )
            )
            continue
        chapters += 1
        body.append(heading_line(part.title))
        for segment, texts in spoken:
            if not texts:
                continue
            if segment:
                lead = DETAIL_LEAD if segment == DETAIL else EXAMPLES_LEAD
                texts = [lead, *texts]
                body.append(LEAD_PAUSE)
            body.extend(narration_line(text) for text in texts)
            paragraphs += len(texts)
    if not chapters:
        warnings.append(
            ScriptWarning(
                f"'{AUDIOBOOK}' holds no chunks; no audio book written", where, section[0][0]
            )
        )
        return None
    text = script_text(meta, body)
    return ImportedScript("audiobook", f"{slug}-audiobook.md", text, chapters, paragraphs)
