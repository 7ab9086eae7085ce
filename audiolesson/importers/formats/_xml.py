"""XML we parse ourselves (EPUB packages and chapters, DOCX parts), with entities off.

defusedxml refuses entity declarations (an entity bomb) and external entities or DTDs (XXE)
before they expand; HTML's named entities, which EPUB 2 chapters use through the XHTML DTD,
are supplied from Python's table instead of from any DTD.
"""

from __future__ import annotations

import re
from html.entities import name2codepoint
from pathlib import Path
from typing import Any

from ...errors import ScriptError

__all__ = ["check_prolog", "local", "parse_xml"]

#: elements nested deeper than this are refused (real chapters nest a few dozen at most)
MAX_DEPTH = 400
_ENTITIES = {name: chr(code) for name, code in name2codepoint.items()}
_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*>", re.IGNORECASE)
_XML_DECL = re.compile(rb"\s*<\?xml[^>]*\?>")
# An external DTD (never read) makes expat hand undefined entities to the parser's table.
_FOREIGN_DTD = b'<!DOCTYPE html SYSTEM "about:legacy-compat">'


def _refused(book: Path, where: str, exc: Exception) -> ScriptError:
    what = type(exc).__name__
    kind = {
        "EntitiesForbidden": "declares XML entities (an entity bomb or external entity, XXE)",
        "ExternalReferenceForbidden": "refers to an external entity (XXE)",
        "DTDForbidden": "declares a DTD, which Office files never do (an entity bomb or XXE)",
    }.get(what, "uses a forbidden XML construct")
    return ScriptError(f"{where} {kind}; refused, nothing imported", path=book)


class _TooDeepError(Exception):
    """Elements nested deeper than MAX_DEPTH."""


def parse_xml(data: bytes, book: Path, where: str) -> Any:
    """An ElementTree element from XML bytes; errors name the book and the part (`where`).

    Nesting is bounded (MAX_DEPTH), so ElementTree's recursive iter() and itertext() are safe.
    """
    from xml.etree.ElementTree import ParseError, TreeBuilder

    import defusedxml
    from defusedxml.ElementTree import XMLParser

    class Builder(TreeBuilder):
        depth = 0

        def start(self, tag: Any, attrs: Any) -> Any:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _TooDeepError
            return super().start(tag, attrs)

        def end(self, tag: Any) -> Any:
            self.depth -= 1
            return super().end(tag)

    def parse(raw: bytes) -> Any:
        parser = XMLParser(
            target=Builder(), forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
        parser.entity.update(_ENTITIES)
        parser.feed(raw)
        return parser.close()

    try:
        try:
            return parse(data)
        except ParseError as exc:
            if not str(exc).startswith("undefined entity"):
                raise
            # An XHTML chapter using &nbsp; without the DTD that defines it: read it as if the
            # DTD were named (never fetched), so the entity table above applies.
            decl = _XML_DECL.match(data)
            head = decl.group() if decl else b""
            rest = _DOCTYPE.sub(b"", data[len(head) :], count=1)
            return parse(head + _FOREIGN_DTD + rest)
    except defusedxml.DefusedXmlException as exc:
        raise _refused(book, where, exc) from None
    except _TooDeepError:
        raise ScriptError(
            f"{where} nests elements more than {MAX_DEPTH} deep; no book does, refused",
            path=book,
        ) from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        reason = re.sub(r":\s*line \d+, column \d+$", "", str(exc))
        raise ScriptError(
            f"{where}:{line}:{column}: not well-formed XML ({reason}); the file is damaged",
            path=book,
        ) from None


def check_prolog(data: bytes, book: Path, where: str) -> None:
    """Refuse a part that declares a DTD or entities; only its prolog is parsed (DOCX parts)."""
    from xml.sax import SAXParseException
    from xml.sax.handler import ContentHandler

    import defusedxml
    import defusedxml.sax

    class _PrologEndError(Exception):
        """The first element: the prolog, where a DTD would be, is over."""

    class _Stop(ContentHandler):
        def startElement(self, name: str, attrs: object) -> None:  # noqa: N802 (SAX's name)
            raise _PrologEndError

        def startElementNS(self, name: object, qname: object, attrs: object) -> None:  # noqa: N802
            raise _PrologEndError

    try:
        defusedxml.sax.parseString(data[:65536], _Stop(), forbid_dtd=True)
    except _PrologEndError:
        return
    except defusedxml.DefusedXmlException as exc:
        raise _refused(book, where, exc) from None
    except SAXParseException as exc:
        raise ScriptError(
            f"{where}:{exc.getLineNumber()}: not well-formed XML ({exc.getMessage()}); "
            "the file is damaged",
            path=book,
        ) from None


def local(tag: object) -> str:
    """An element's tag without its namespace ("{http://...xhtml}p" -> "p"); "" for comments."""
    return tag.rpartition("}")[2].lower() if isinstance(tag, str) else ""
