"""Writing script text: front matter and body blocks, headings, narration and speaker lines
escaped so that the script format reads them literally, and the default cast of a page's
speaker labels. Every importer (course pages, review scripts, books) writes through these."""

from __future__ import annotations

import itertools
import re
from html import unescape

from ..voices.library import PRIMARY_VOICE

__all__ = [
    "STUDENT_LABEL",
    "TEACHER_VOICE",
    "clean_line",
    "default_cast",
    "heading_line",
    "narration_line",
    "script_text",
]

# Preset voices come from voices/presets.py: student-N exists for every N, each its own voice,
# so a page with any number of students gets distinct voices with no warning.
TEACHER_VOICE = PRIMARY_VOICE
_TEACHER_LABELS = frozenset({"teacher", "instructor", "professor", "tutor", "host"})
STUDENT_LABEL = re.compile(r"Student\s*(\d+)?", re.IGNORECASE)  #: "Student", "Student 3"
# The part of a line before its first colon, if it could pass for a speaker name (1-4 words).
_SPEAKERISH = re.compile(r"[^\s:][^:]*:")
# Plain text: characters that script text reads as Markdown (emphasis, links, tags) get a
# backslash, which the parser removes. An underscore between letters is never emphasis.
_MARKDOWN = re.compile(r"[\\*~\[<]|(?<![^\W_])_|_(?![^\W_])")
_AMPERSAND = re.compile(r"&[^&\s]{1,40}")
# Line starts that the script format reads as something other than narration: headings, pauses,
# quotes, list markers, rules, code fences, link definitions, and the escape itself.
_LINE_START = re.compile(r"[\\#\[<>\-+*|~=_]|\d+[.)](\s|$)")
_CLOSING_HASHES = re.compile(r"(^|\s)(#+\s*)$")


def default_cast(labels: list[str]) -> dict[str, str]:
    """Speaker label -> preset voice: teacher, Student N -> student-N, others the free numbers."""
    cast: dict[str, str] = {}
    numbered = {
        int(m.group(1))
        for m in map(STUDENT_LABEL.fullmatch, labels)
        if m is not None and m.group(1)
    }
    free = (n for n in itertools.count(1) if n not in numbered)
    for label in dict.fromkeys(labels):
        student = STUDENT_LABEL.fullmatch(label)
        if label.casefold() in _TEACHER_LABELS:
            cast[label] = TEACHER_VOICE
        elif student and student.group(1) and int(student.group(1)) >= 1:
            cast[label] = f"student-{int(student.group(1))}"
        else:
            cast[label] = f"student-{next(free)}"

    def order(label: str) -> tuple[int, int, int]:
        student = STUDENT_LABEL.fullmatch(label)
        number = int(student.group(1)) if student and student.group(1) else 0
        return (cast[label] != TEACHER_VOICE, number, labels.index(label))

    return {label: cast[label] for label in sorted(cast, key=order)}


# --- writing script text ----------------------------------------------------------------------


def script_text(meta: dict[str, object], body: list[str]) -> str:
    """Front matter plus body blocks, blank-line separated, LF line ends, one trailing newline."""
    import yaml  # only the import command needs it

    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1_000_000)
    return "---\n" + front + "---\n\n" + "\n\n".join(body) + "\n"


def heading_line(title: str) -> str:
    """A `# ` chapter heading (closing hashes, which Markdown drops, escaped)."""
    return "# " + _CLOSING_HASHES.sub(lambda m: m.group(1) + "\\" + m.group(2), clean_line(title))


def narration_line(text: str) -> str:
    """A narration line, escaped where the script format would misread it."""
    head = _SPEAKERISH.match(text)
    looks_like_speaker = head is not None and len(head.group().split()) <= 4
    if looks_like_speaker or _LINE_START.match(text):
        return "\\" + text
    return text


def clean_line(text: str) -> str:
    """One line of text that the script format reads literally (Markdown characters escaped)."""
    # Backticks would open code spans, which take no escapes; the page uses them as quotes.
    text = " ".join(text.split()).replace("`", "'")
    text = _MARKDOWN.sub(lambda m: "\\" + m.group(), text)
    # "&amp;" would be read as "&"; "R&D" stays as it is.
    text = _AMPERSAND.sub(
        lambda m: m.group() if unescape(m.group()) == m.group() else "\\" + m.group(), text
    )
    # Comments are found before escapes are applied, so "<!--" must not survive as such.
    return text.replace("\\<!--", "\\<!\\-\\-")
