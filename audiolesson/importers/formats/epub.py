"""EPUB 2 and 3 -> Book: chapters from the navigation (nav or NCX), read straight from the zip.

The package (OPF) gives title, author, language, series and cover; the spine gives the reading
order; the navigation gives the chapters (depth 1 and 2: `#` and `##`), each starting at the
element its link points to. Not read: the cover and title pages, tables of contents, copyright
pages, indexes, colophons (by landmarks, guide, epub:type or the navigation's own label), spine
items marked linear="no", footnotes and their markers. Every XML part is parsed with defusedxml.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ...errors import ScriptError
from ..book import Book, Cover, Outline, sentence
from ._markup import EPUB_TYPE, Walker
from ._xml import local, parse_xml
from ._zip import Archive

__all__ = ["read_epub"]

#: landmark / guide / epub:type values of pages that are not reading text
SKIP_TYPES = frozenset(
    """cover coverimage titlepage title-page halftitlepage toc landmarks loi lot
    copyright-page copyright index colophon imprint other.ms-coverimage-standard""".split()
)
_SKIP_TITLE = re.compile(
    r"(table of )?contents|index|copyright( page)?|(front )?cover|title page|colophon|"
    r"list of (figures|tables|illustrations)|about the (ebook|e-book|publisher)",
    re.IGNORECASE,
)
#: font obfuscation (IDPF, Adobe): fonts only, the text stays readable
_FONT_MANGLING = frozenset({"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"})
_DOCUMENTS = frozenset({"application/xhtml+xml", "text/html", "application/x-dtbook+xml"})


@dataclass(frozen=True)
class _Entry:
    """A navigation entry: its label, depth (1 = top) and the place it points to."""

    title: str
    depth: int
    doc: str
    fragment: str | None


def _resolve(base: str, href: str) -> tuple[str, str | None]:
    """An href relative to a part's folder -> (zip member name, fragment)."""
    path, _, fragment = href.strip().partition("#")
    name = posixpath.normpath(posixpath.join(base, unquote(path))) if path else base
    return name.lstrip("/"), unquote(fragment) or None


def _text(el: Any) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def _children(el: Any, name: str) -> list[Any]:
    return [c for c in el if local(c.tag) == name]


class _Chapters(Walker):
    """One spine document: navigation entries cut it into chapters at the ids they point to."""

    def __init__(self, outline: Outline, entries: list[_Entry], use_headings: bool) -> None:
        super().__init__(outline)
        self.by_id: dict[str, list[_Entry]] = {}
        for entry in entries:
            self.by_id.setdefault(entry.fragment or "", []).append(entry)
        self.use_headings = use_headings
        self.last_cut: str | None = None  #: the nav label of a chapter with no paragraph yet

    def start(self, ids: set[str]) -> None:
        """Entries pointing at the document itself (or at an id it lacks) start here."""
        for key in [k for k in self.by_id if not k or k not in ids]:
            for entry in self.by_id.pop(key):
                self.cut(entry)

    def cut(self, entry: _Entry) -> None:
        self.flush()
        self.outline.heading(entry.title, entry.depth)
        self.last_cut = entry.title

    def element_id(self, value: str) -> None:
        for entry in self.by_id.pop(value, []):
            self.cut(entry)

    def skipped(self, el: Any) -> bool:
        return bool(set((el.get(EPUB_TYPE) or "").split()) & SKIP_TYPES)

    def flush(self, item: bool = False) -> None:
        had = len(self.outline.blocks)
        super().flush(item)
        if len(self.outline.blocks) > had:
            self.last_cut = None

    def heading(self, text: str, rank: int) -> None:
        if self.use_headings:
            self.outline.heading(text, rank)
        elif self.last_cut is not None and _within(text, self.last_cut):
            return  # the chapter's own heading, already its title
        else:
            # A heading the navigation does not list is read, as a sentence of its own.
            self.outline.paragraph(sentence(text))
            self.last_cut = None


def _within(text: str, label: str) -> bool:
    """Whether a heading's words run inside a nav label ("Chapter 1" in "Chapter 1: Light")."""
    words = " ".join(re.findall(r"[^\W_]+", text.casefold()))
    return (
        bool(words)
        and f" {words} " in " " + " ".join(re.findall(r"[^\W_]+", label.casefold())) + " "
    )


class _Package:
    """The OPF: metadata, manifest, spine and guide."""

    def __init__(self, zf: Archive, book: Path) -> None:
        self.zf, self.book = zf, book
        container = parse_xml(zf.read("META-INF/container.xml"), book, "META-INF/container.xml")
        rootfile = next((e for e in container.iter() if local(e.tag) == "rootfile"), None)
        if rootfile is None or not rootfile.get("full-path"):
            raise ScriptError(
                "is not a valid EPUB: META-INF/container.xml names no package", path=book
            )
        self.path = rootfile.get("full-path").lstrip("/")
        self.base = posixpath.dirname(self.path)
        self.opf = parse_xml(zf.read(self.path), book, self.path)
        self.manifest: dict[str, tuple[str, str, set[str]]] = {}
        for item in self.opf.iter():
            if local(item.tag) == "item" and item.get("id") and item.get("href"):
                name, _ = _resolve(self.base, item.get("href"))
                props = set((item.get("properties") or "").split())
                self.manifest[item.get("id")] = (name, item.get("media-type") or "", props)
        spine = next((e for e in self.opf if local(e.tag) == "spine"), None)
        if spine is None:
            raise ScriptError(f"is not a valid EPUB: {self.path} has no spine", path=book)
        self.toc_id = spine.get("toc")
        self.spine = [
            (self.manifest[ref.get("idref")][0], ref.get("linear") != "no")
            for ref in _children(spine, "itemref")
            if ref.get("idref") in self.manifest
            and self.manifest[ref.get("idref")][1] in _DOCUMENTS
        ]
        self.guide: dict[str, str] = {}
        for ref in self.opf.iter():
            if local(ref.tag) == "reference" and ref.get("href"):
                self.guide[_resolve(self.base, ref.get("href"))[0]] = (
                    ref.get("type") or ""
                ).lower()
        self.meta = next((e for e in self.opf if local(e.tag) == "metadata"), None)

    def dc(self, name: str) -> list[Any]:
        return [e for e in (self.meta if self.meta is not None else []) if local(e.tag) == name]

    def metas(self) -> dict[str, str]:
        """<meta name= content=> (EPUB 2, calibre) and <meta property=> (EPUB 3) values."""
        out: dict[str, str] = {}
        for e in self.meta if self.meta is not None else []:
            if local(e.tag) != "meta":
                continue
            if e.get("name"):
                out.setdefault(e.get("name"), e.get("content") or "")
            elif e.get("property") and not e.get("refines"):
                out.setdefault(e.get("property"), _text(e))
        return out

    def authors(self) -> str | None:
        roles = {
            (e.get("refines") or "").lstrip("#"): _text(e)
            for e in (self.meta if self.meta is not None else [])
            if local(e.tag) == "meta" and e.get("property") == "role"
        }
        names = []
        for e in self.dc("creator"):
            role = next((v for k, v in e.attrib.items() if k.endswith("role")), None)
            role = role or roles.get(e.get("id") or "")
            if (role or "aut") == "aut" and _text(e):
                names.append(_text(e))
        return ", ".join(names[:3]) or None

    def cover(self) -> Cover | None:
        named = self.metas().get("cover")
        for item_id, (name, media, props) in self.manifest.items():
            if ("cover-image" in props or item_id == named) and media.startswith("image/"):
                if name in self.zf.members:
                    return Cover.of(self.zf.read(name))
        return None


def _check_drm(zf: Archive, book: Path) -> None:
    """Encrypted content (DRM) is refused; obfuscated fonts are fine."""
    if "META-INF/rights.xml" in zf.members:
        raise ScriptError(
            "is protected by DRM (META-INF/rights.xml); import a DRM-free copy", path=book
        )
    if "META-INF/encryption.xml" not in zf.members:
        return
    tree = parse_xml(zf.read("META-INF/encryption.xml"), book, "META-INF/encryption.xml")
    for data in tree.iter():
        if local(data.tag) != "encrypteddata":
            continue
        method = next(
            (e.get("Algorithm") for e in data.iter() if local(e.tag) == "encryptionmethod"), None
        )
        uri = next((e.get("URI") for e in data.iter() if local(e.tag) == "cipherreference"), "")
        is_font = re.search(r"\.(otf|ttf|woff2?)$", uri or "", re.IGNORECASE)
        if method not in _FONT_MANGLING or not is_font:
            raise ScriptError(
                f"is encrypted (DRM: {uri or 'its content'} cannot be read); import a DRM-free "
                "copy",
                path=book,
            )


def _toc(ol: Any, depth: int, base: str, out: list[_Entry]) -> None:
    """An EPUB 3 nav's <ol> of <li><a href>label</a><ol>...</ol></li> entries, in order."""
    for li in _children(ol, "li"):
        link = next((c for c in li if local(c.tag) in ("a", "span")), None)
        if link is not None and link.get("href"):
            doc, fragment = _resolve(base, link.get("href"))
            out.append(_Entry(_text(link), depth, doc, fragment))
        for sub in _children(li, "ol"):
            _toc(sub, depth + 1, base, out)  # nesting is bounded by parse_xml's MAX_DEPTH


def _ncx(parent: Any, depth: int, base: str, out: list[_Entry]) -> None:
    """An EPUB 2 NCX's navPoints (navLabel/text, content src), in order."""
    for point in _children(parent, "navpoint"):
        label = next((c for c in point if local(c.tag) == "navlabel"), None)
        content = next((c for c in point if local(c.tag) == "content"), None)
        if content is not None and content.get("src"):
            doc, fragment = _resolve(base, content.get("src"))
            out.append(_Entry(_text(label), depth, doc, fragment))
        _ncx(point, depth + 1, base, out)


def _nav_entries(pkg: _Package) -> tuple[list[_Entry], dict[str, str], str | None]:
    """(entries in reading order, landmark types by document, the nav document)."""
    zf, book = pkg.zf, pkg.book
    nav_doc = next((n for n, _, props in pkg.manifest.values() if "nav" in props), None)
    entries: list[_Entry] = []
    landmarks: dict[str, str] = {}
    if nav_doc and nav_doc in zf.members:
        tree = parse_xml(zf.read(nav_doc), book, nav_doc)
        base = posixpath.dirname(nav_doc)
        for nav in (e for e in tree.iter() if local(e.tag) == "nav"):
            kind = set((nav.get(EPUB_TYPE) or "").split())
            lists = _children(nav, "ol")
            if "landmarks" in kind:
                for a in (e for e in nav.iter() if local(e.tag) == "a" and e.get("href")):
                    doc, _ = _resolve(base, a.get("href"))
                    landmarks[doc] = (a.get(EPUB_TYPE) or "").lower()
            elif "toc" in kind and lists and not entries:
                _toc(lists[0], 1, base, entries)
    if not entries and pkg.toc_id in pkg.manifest:
        ncx_doc = pkg.manifest[pkg.toc_id][0]
        if ncx_doc in zf.members:
            tree = parse_xml(zf.read(ncx_doc), book, ncx_doc)
            base = posixpath.dirname(ncx_doc)
            nav_map = next((e for e in tree.iter() if local(e.tag) == "navmap"), None)
            if nav_map is not None:
                _ncx(nav_map, 1, base, entries)
    return entries, landmarks, nav_doc


def _is_skipped_page(tree: Any) -> bool:
    """A page whose own title says it is a contents page, an index or a copyright page."""
    title = next((e for e in tree.iter() if local(e.tag) == "title"), None)
    heading = next((e for e in tree.iter() if local(e.tag) in ("h1", "h2")), None)
    return any(
        _SKIP_TITLE.fullmatch(_text(e).strip(" .:")) for e in (title, heading) if e is not None
    )


def read_epub(path: Path) -> Book:
    """Read an EPUB file into a Book (chapters in reading order)."""
    with Archive(path, "EPUB") as zf:
        _check_drm(zf, path)
        pkg = _Package(zf, path)
        entries, landmarks, nav_doc = _nav_entries(pkg)
        skip = {doc for doc, linear in pkg.spine if not linear} | {nav_doc}
        skip |= {d for d, kind in {**pkg.guide, **landmarks}.items() if kind in SKIP_TYPES}
        for entry in entries:
            if entry.fragment is None and _SKIP_TITLE.fullmatch(entry.title.strip(" .:")):
                skip.add(entry.doc)
        entries = [
            e
            for e in entries
            if e.doc not in skip and not _SKIP_TITLE.fullmatch(e.title.strip(" .:"))
        ]
        by_doc: dict[str, list[_Entry]] = {}
        for entry in entries:
            by_doc.setdefault(entry.doc, []).append(entry)
        # Pages before the first one the navigation lists, and not listed themselves, are
        # front matter (cover, title page, copyright, contents, dedication): not read.
        spine = [doc for doc, _ in pkg.spine]
        first = next((k for k, doc in enumerate(spine) if doc in by_doc), 0)
        skip |= set(spine[:first])
        outline = Outline()
        for doc in spine:
            if doc in skip or doc not in zf.members:
                continue
            tree = parse_xml(zf.read(doc), path, doc)
            body = next((e for e in tree.iter() if local(e.tag) == "body"), tree)
            if set((body.get(EPUB_TYPE) or "").split()) & SKIP_TYPES or _is_skipped_page(tree):
                continue
            walker = _Chapters(outline, by_doc.get(doc, []), use_headings=not entries)
            walker.start({e.get("id") for e in body.iter() if e.get("id")})
            walker.walk(body)
        title = next((_text(e) for e in pkg.dc("title") if _text(e)), None)
        language = next((_text(e) for e in pkg.dc("language") if _text(e)), None)
        metas = pkg.metas()
        series = metas.get("calibre:series") or metas.get("belongs-to-collection") or None
        index = metas.get("calibre:series_index") or None
        if index and re.fullmatch(r"\d+(\.0+)?", index):
            index = str(int(float(index)))
        outline.drop_title(title)
        return Book(
            source=path,
            kind="EPUB",
            sections=outline.sections(),
            title=title,
            author=pkg.authors(),
            language=language,
            cover=pkg.cover(),
            series=series,
            episode=index if series else None,
        )
