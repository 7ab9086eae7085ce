"""Inline Markdown and HTML reduced to the plain text a voice reads and a transcript shows."""

from __future__ import annotations

import html
import re

__all__ = ["reduce_inline"]

# Private-use marks around text held back from rewriting (code spans, escapes, URLs).
_HOLD_OPEN, _HOLD_CLOSE = "\ue000", "\ue001"
_HELD_RE = re.compile(_HOLD_OPEN + r"(\d+)" + _HOLD_CLOSE)
_CODE_RE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")
_AUTOLINK_RE = re.compile(r"<((?:https?|ftp|mailto):[^\s<>]*)>", re.IGNORECASE)
_URL = r"\((?:[^()\s]|\([^()\s]*\))*(?:[ \t]+(?:\"[^\"]*\"|'[^']*'))?[ \t]*\)"
_IMAGE_RE = re.compile(r"!\[([^\[\]]*)\]" + _URL)
_LINK_RE = re.compile(r"\[([^\[\]]*)\]" + _URL)
_REF_LINK_RE = re.compile(r"\[([^\[\]]+)\]\[[^\[\]]*\]")
_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
# The text between delimiters may not contain the delimiter character: that keeps matching linear
# (an opener without a closer stops at the next delimiter instead of scanning to the end of a long
# paragraph); nesting is undone from the inside out over a few rounds.
_EMPHASIS = [
    re.compile(r"\*\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*\*"),
    re.compile(r"(?<!\w)__(?=[^\s_])([^_]+?)(?<=[^\s_])__(?!\w)"),
    re.compile(r"~~(?=[^\s~])([^~]+?)(?<=[^\s~])~~"),
    re.compile(r"\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*"),
    re.compile(r"(?<!\w)_(?=[^\s_])([^_]+?)(?<=[^\s_])_(?!\w)"),
]


def reduce_inline(text: str) -> str:
    """Inline Markdown/HTML -> plain text: emphasis, code, links, images, autolinks and tags."""
    text = text.replace(_HOLD_OPEN, "").replace(_HOLD_CLOSE, "")
    held: list[str] = []

    def hold(value: str) -> str:
        held.append(value)
        return f"{_HOLD_OPEN}{len(held) - 1}{_HOLD_CLOSE}"

    text = _CODE_RE.sub(lambda m: hold(m.group(2).strip()), text)
    text = _ESCAPE_RE.sub(lambda m: hold(m.group(1)), text)
    text = _AUTOLINK_RE.sub(lambda m: hold(m.group(1)), text)
    text = _IMAGE_RE.sub(r"\1", text)
    text = _LINK_RE.sub(r"\1", text)
    text = _REF_LINK_RE.sub(r"\1", text)
    text = _TAG_RE.sub("", text)
    for _ in range(4):  # nested emphasis (***x***, **_x_**) needs a few rounds
        before = text
        for pattern in _EMPHASIS:
            text = pattern.sub(r"\1", text)
        if text == before:
            break
    text = html.unescape(text)
    text = _HELD_RE.sub(lambda m: held[int(m.group(1))], text)
    return " ".join(text.split())
