"""Which format a file is, from its first bytes (the extension only breaks ties).

EPUB and DOCX are zip archives told apart by their members; PDF starts with `%PDF-`; an old
or password-protected Office file is an OLE container; text is a course page (its title line
and sections), a web page (HTML tags), Markdown (headings or a .md name) or plain text.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

from ..errors import ScriptError
from ..files import open_regular, read_text
from ..images import COVER_TYPES
from .course_page import AUDIOBOOK, LESSON

__all__ = ["FORMATS", "MAX_BOOK_BYTES", "detect"]

#: every format `audiolesson import` reads, as the summary names them
FORMATS = ("EPUB", "PDF", "DOCX", "HTML", "Markdown", "text", "course page")
#: a larger file is refused before anything is read: no book is that large
MAX_BOOK_BYTES = 100 * 1024 * 1024
#: the extensions that promise a binary format; content that is not one of those is an error
BINARY_EXTENSIONS = {".epub": "EPUB", ".pdf": "PDF", ".docx": "DOCX"}
_HEAD_BYTES = 64 * 1024
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: other binary files a folder of course material holds (pictures, sound, archives)
_NOT_BOOKS = (*COVER_TYPES, b"GIF8", b"ID3", b"RIFF", b"OggS", b"fLaC", b"\x1f\x8b")
_HTML = re.compile(
    rb"\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!doctype\s+html|<html[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_HTML_TAG = re.compile(rb"<(html|head|body|article|main)[\s>]", re.IGNORECASE)
_MARKDOWN_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE)
# "<Title> - <episode> | <part> | <course>", the course site's title line
_COURSE_HEADER = re.compile(r"[^|]+ - \d+[A-Za-z]?(\.\d+[A-Za-z]?)*\s*\|.*")


class NotABook(ScriptError):  # noqa: N818 (a reason, raised when a file is not one)
    """A file that is no format `import` reads (a folder import skips it)."""


def _zip_kind(path: Path, head: bytes) -> str:
    """EPUB or DOCX, from the members (or, if the archive is damaged, its first member)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        # A truncated archive: its first local header still names its first member.
        if head[30:38] == b"mimetype" or path.suffix.lower() == ".epub":
            return "EPUB"
        if b"[Content_Types].xml" in head[:200] or path.suffix.lower() == ".docx":
            return "DOCX"
        raise ScriptError(
            "is a damaged zip archive, not an EPUB or DOCX; export it again", path=path
        ) from None
    if "META-INF/container.xml" in names or "mimetype" in names:
        return "EPUB"
    if "word/document.xml" in names:
        return "DOCX"
    raise NotABook(
        "is a zip archive but neither an EPUB (no META-INF/container.xml) nor a DOCX (no "
        "word/document.xml)",
        path=path,
    )


def _text_kind(path: Path, head: bytes) -> str:
    """course page, HTML, Markdown or text, from the start of a text file."""
    if _HTML.match(head) or _HTML_TAG.search(head[:4096]):
        return "HTML"
    text = head.decode("utf-8", "replace").removeprefix("\ufeff")
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    if (LESSON in lines or AUDIOBOOK in lines) or (lines and _COURSE_HEADER.fullmatch(lines[0])):
        return "course page"
    if path.suffix.lower() in (".md", ".markdown") or _MARKDOWN_HEADING.search(text):
        return "Markdown"
    return "text"


def detect(path: Path) -> str:
    """The format of a file (one of FORMATS); one-line errors for what cannot be imported."""
    try:
        with open_regular(path) as fh:
            size = os.fstat(fh.fileno()).st_size
            head = fh.read(_HEAD_BYTES)
    except FileNotFoundError:
        raise ScriptError("no such file or folder; check the path", path=path) from None
    except OSError as exc:
        raise ScriptError(f"cannot read it: {exc.strerror or exc}", path=path) from None
    if size > MAX_BOOK_BYTES:
        raise ScriptError(
            f"is {size / 1e6:.0f} MB, more than the {MAX_BOOK_BYTES // 1024 // 1024} MB a book "
            "may be; split it into smaller files (one episode each)",
            path=path,
        )
    if not head.strip():
        raise ScriptError("is empty; nothing to import", path=path)
    claimed = BINARY_EXTENSIONS.get(path.suffix.lower())
    if b"%PDF-" in head[:1024]:
        kind = "PDF"
    elif head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        kind = _zip_kind(path, head)
    elif head.startswith(_OLE):
        raise ScriptError(
            "is a password-protected Office file or an old binary .doc; save it as .docx "
            "without a password",
            path=path,
        )
    elif head.startswith(_NOT_BOOKS):
        raise NotABook("is a picture, sound or archive, not a book", path=path)
    elif claimed:
        what = "a zip archive" if claimed in ("EPUB", "DOCX") else "a file starting with %PDF-"
        raise ScriptError(
            f"is not a valid {claimed} ({'a ' + claimed + ' is ' + what}; this one is not): "
            "it is damaged or misnamed",
            path=path,
        )
    elif re.search(rb"^MIME-Version:.*?multipart/related", head[:4096], re.I | re.S | re.M):
        raise ScriptError(
            "is a single-file web archive (MHTML); save the page as HTML (Webpage, HTML only) "
            "and import that",
            path=path,
        )
    elif b"\x00" in head:
        try:  # the project's message for a binary "text" file, with the NUL's line and column
            read_text(path, "file", limit=MAX_BOOK_BYTES)
        except ScriptError as exc:
            raise NotABook(exc.message, path=path, line=exc.line, column=exc.column) from None
        raise AssertionError("read_text accepted a NUL byte")
    else:
        kind = _text_kind(path, head)
    return kind
