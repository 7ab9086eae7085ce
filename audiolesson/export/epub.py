"""The read-along book: `output/NAME.epub`, EPUB 3 with the episode's MP3 and Media Overlays.

One XHTML document per chapter (a `#` heading and the `##` sections under it; the turns before the
first heading are a chapter of their own), each turn a paragraph with its speaker named, its
sentences and words in spans with ids; a SMIL document per chapter plays the MP3 along with them.
The overlays are at word level where the words' times come from the engine itself (Piper's
phoneme durations, the tone engine), and at sentence level where they were found in the audio
(Whisper, or shares): a listener's highlight is then never ahead of what is said by a word. The
overlays' clips tile the audio with no gap (each ends where the next begins), so a reading
system plays the pauses and the sounds between the words too. The navigation document lists the
chapters and sections; a title page shows the cover. The package is written with the standard
library (zipfile, ElementTree): the mimetype entry first and stored, everything else deflated
but the MP3, which is stored as it is.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import shutil
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..images import read_image_type
from ..speech import sentence_starts
from .tags import EpisodeMeta
from .timeline import ChapterMark, ChapterTimeline, ClipItem, Cue, Word

__all__ = ["WORD_LEVEL", "ReadAlong", "write_epub"]

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
SMIL_NS = "http://www.w3.org/ns/SMIL"
OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"
#: timing methods whose words are read along one by one (the engine's own account of them)
WORD_LEVEL = frozenset({"durations", "exact"})
ACTIVE_CLASS = "-epub-media-overlay-active"  #: what a reading system sets on what is read
BOOK_NS = uuid.uuid5(uuid.NAMESPACE_URL, "https://audiolesson.invalid/epub")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
STYLE = f"""body {{ font-family: serif; line-height: 1.5; margin: 1em; }}
h1, h2 {{ font-family: sans-serif; line-height: 1.2; }}
p.turn {{ margin: 0 0 0.8em; }}
.speaker {{ font-weight: bold; font-family: sans-serif; }}
p.practice {{ font-style: italic; color: #555; }}
.{ACTIVE_CLASS} {{ background-color: #fff1b8; color: black; }}
.cover {{ text-align: center; }}
.cover img {{ max-width: 100%; max-height: 70vh; }}
"""

SECTION = "text"  #: the id of a chapter document's section, which its overlay's sequence reads
EPUB_TYPE = "epub:type"  #: ElementTree writes names as given: the root declares the prefix


@dataclass(frozen=True)
class ReadAlong:
    """What the book is made of: the episode's chapters and cues (with their words), chapter
    marks, length and tags, and the slug its files are named after."""

    chapters: Sequence[ChapterTimeline]
    cues: Sequence[Cue]
    marks: Sequence[ChapterMark]
    duration: float
    meta: EpisodeMeta
    slug: str


@dataclass
class _Doc:
    """One chapter document: its chapters (heading level, title, id) and cues, in order."""

    name: str
    parts: list[tuple[int, str, str, list[Cue]]] = field(default_factory=list)


@dataclass(frozen=True)
class _Clip:
    """One overlay entry: the element it highlights and where in the MP3 it starts (ms)."""

    doc: int
    target: str
    start: int


def _text(value: str | None) -> str:
    """Text XML can hold (forbidden characters dropped)."""
    return _NOT_XML.sub("", value or "")


def _documents(book: ReadAlong) -> list[_Doc]:
    """The chapters grouped into documents (a new one at every `#` chapter), with their cues."""
    line_chapter: dict[int, int] = {}
    for index, chapter in enumerate(book.chapters):
        for item in chapter.items:
            if isinstance(item, ClipItem) and (not item.sound or item.practice):
                line_chapter.setdefault(item.line, index)
    cues_of: list[list[Cue]] = [[] for _ in book.chapters]
    last = 0
    for cue in book.cues:
        last = line_chapter.get(cue.line, last) if cue.line is not None else last
        cues_of[last].append(cue)
    docs: list[_Doc] = []
    for index, chapter in enumerate(book.chapters):
        if not docs or chapter.level == 1:
            docs.append(_Doc(f"chapter-{len(docs) + 1:03d}.xhtml"))
        docs[-1].parts.append(
            (min(chapter.level, 2), chapter.title, f"c{index + 1}", cues_of[index])
        )
    return docs


def _sentences(words: Sequence[Word]) -> list[list[Word]]:
    """A turn's words split into sentences (speech.sentence_starts)."""
    starts = sentence_starts([w.text for w in words]) + [len(words)]
    return [list(words[a:b]) for a, b in zip(starts, starts[1:], strict=False)]


def _xhtml(book: ReadAlong, title: str, body: ET.Element) -> bytes:
    """A complete XHTML document around `body`."""
    language = book.meta.language or "en"
    html = ET.Element(
        "html", {"xmlns": XHTML_NS, "xmlns:epub": EPUB_NS, "lang": language, "xml:lang": language}
    )
    head = ET.SubElement(html, "head")
    ET.SubElement(head, "meta", {"charset": "utf-8"})
    ET.SubElement(head, "title").text = _text(title)
    link = {"rel": "stylesheet", "type": "text/css", "href": "style.css"}
    ET.SubElement(head, "link", link)
    html.append(body)
    text = ET.tostring(html, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n' + text + "\n").encode()


def _chapter_body(doc: _Doc, number: int, clips: list[_Clip], turns: Iterator[int]) -> ET.Element:
    """A chapter's body: headings, turns (numbered from `turns`), sentences and words; its
    overlay entries into `clips`."""
    body = ET.Element("body")
    section = ET.SubElement(body, "section", {EPUB_TYPE: "chapter", "id": SECTION})
    for level, title, anchor, cues in doc.parts:
        ET.SubElement(section, f"h{level}", {"id": anchor}).text = _text(title)
        for cue in cues:
            turn = f"t{next(turns)}"
            if cue.practice or not cue.words:
                p = ET.SubElement(
                    section, "p", {"class": "practice" if cue.practice else "turn", "id": turn}
                )
                p.text = _text(cue.text)
                clips.append(_Clip(number, turn, round(cue.start * 1000)))
                continue
            p = ET.SubElement(section, "p", {"class": "turn", "id": turn})
            last: ET.Element | None = None
            if cue.speaker:
                speaker = ET.SubElement(p, "span", {"class": "speaker"})
                speaker.text = _text(cue.speaker) + ":"
                last = speaker
            for s, sentence in enumerate(_sentences(cue.words), start=1):
                sid = f"{turn}s{s}"
                span = ET.Element("span", {"class": "sentence", "id": sid})
                _space(p, last)
                p.append(span)
                last = span
                by_word = cue.method in WORD_LEVEL
                if not by_word:
                    clips.append(_Clip(number, sid, round(sentence[0].start * 1000)))
                previous: ET.Element | None = None
                for w, word in enumerate(sentence, start=1):
                    wid = f"{sid}w{w}"
                    element = ET.Element("span", {"class": "word", "id": wid})
                    element.text = _text(word.text)
                    _space(span, previous)
                    span.append(element)
                    previous = element
                    if by_word:
                        clips.append(_Clip(number, wid, round(word.start * 1000)))
    return body


def _space(parent: ET.Element, before: ET.Element | None) -> None:
    """A space between the element `before` (or the start of `parent`) and the next child."""
    if before is None:
        if len(parent) or parent.text:
            parent.text = (parent.text or "") + " "
        return
    before.tail = (before.tail or "") + " "


def _clock(millis: int) -> str:
    """A SMIL / EPUB clock value, H:MM:SS.mmm."""
    hours, rest = divmod(max(0, millis), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _tiles(clips: Sequence[_Clip], total: int) -> Iterator[tuple[_Clip, int, int]]:
    """Each overlay entry with its clip (ms): from its start (the first from 0) to the next
    one's, so the clips tile the whole audio; starts that went back are moved up."""
    begin = 0
    for i, clip in enumerate(clips):
        following = clips[i + 1].start if i + 1 < len(clips) else total
        end = min(total, max(begin, following))
        yield clip, begin, end
        begin = end


def _smil(doc: _Doc, entries: Sequence[tuple[_Clip, int, int]], audio: str) -> bytes:
    """The Media Overlay of one chapter document."""
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<smil xmlns="{SMIL_NS}" xmlns:epub="{EPUB_NS}" version="3.0">',
        " <body>",
        f'  <seq id="seq1" epub:textref="{doc.name}#{SECTION}">',
    ]
    for n, (clip, begin, end) in enumerate(entries, start=1):
        lines += [
            f'   <par id="par{n}">',
            f'    <text src="{doc.name}#{clip.target}"/>',
            f'    <audio src="{_attr(audio)}" clipBegin="{_clock(begin)}"'
            f' clipEnd="{_clock(end)}"/>',
            "   </par>",
        ]
    lines += ["  </seq>", " </body>", "</smil>", ""]
    return "\n".join(lines).encode()


def _nav(book: ReadAlong, docs: Sequence[_Doc]) -> bytes:
    """The navigation document: the chapters, with their sections under them."""
    body = ET.Element("body")
    nav = ET.SubElement(body, "nav", {EPUB_TYPE: "toc", "id": "toc"})
    ET.SubElement(nav, "h1").text = "Contents"
    top = ET.SubElement(nav, "ol")
    current: ET.Element | None = None
    for doc in docs:
        for level, title, anchor, _ in doc.parts:
            parent = top
            if level > 1 and current is not None:
                inner = current.find("ol")
                parent = inner if inner is not None else ET.SubElement(current, "ol")
            li = ET.SubElement(parent, "li")
            ET.SubElement(li, "a", {"href": f"{doc.name}#{anchor}"}).text = (
                _text(title) or "Untitled"
            )
            if level == 1 or current is None:
                current = li
    return _xhtml(book, "Contents", body)


def _cover_page(book: ReadAlong, image: str | None) -> bytes:
    """The title page: the cover image (if any), the title, the author."""
    body = ET.Element("body")
    section = ET.SubElement(body, "section", {"class": "cover", EPUB_TYPE: "titlepage"})
    if image:
        ET.SubElement(section, "img", {"src": image, "alt": _text(book.meta.title)})
    ET.SubElement(section, "h1").text = _text(book.meta.title)
    for line in (book.meta.subtitle, book.meta.author):
        if line:
            ET.SubElement(section, "p").text = _text(line)
    return _xhtml(book, book.meta.title, body)


def _modified(published: str | None) -> str:
    """dcterms:modified (CCYY-MM-DDThh:mm:ssZ) from the episode's first publication."""
    try:
        when = dt.datetime.fromisoformat((published or "").replace("Z", "+00:00"))
    except ValueError:
        when = dt.datetime.now(dt.UTC)
    when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _package(
    book: ReadAlong,
    docs: Sequence[_Doc],
    durations: Sequence[int | None],
    cover: tuple[str, str] | None,
    audio: str,
) -> bytes:
    """The package document: metadata (with the overlays' durations), manifest and spine."""
    meta, language = book.meta, book.meta.language or "en"
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<package xmlns="{OPF_NS}" version="3.0" unique-identifier="book-id"'
        f' xml:lang="{_attr(language)}">',
        f' <metadata xmlns:dc="{DC_NS}">',
        f'  <dc:identifier id="book-id">urn:uuid:{uuid.uuid5(BOOK_NS, book.slug)}</dc:identifier>',
        f"  <dc:title>{_esc(meta.title)}</dc:title>",
        f"  <dc:language>{_esc(language)}</dc:language>",
    ]
    if meta.author:
        lines.append(f"  <dc:creator>{_esc(meta.author)}</dc:creator>")
    if meta.description:
        lines.append(f"  <dc:description>{_esc(meta.description)}</dc:description>")
    if meta.series:
        lines.append(
            f'  <meta property="belongs-to-collection" id="series">{_esc(meta.series)}</meta>'
        )
        if meta.episode:
            lines.append(
                f'  <meta refines="#series" property="group-position">{_esc(meta.episode)}</meta>'
            )
    lines.append(f'  <meta property="dcterms:modified">{_modified(meta.published)}</meta>')
    for narrator in meta.narrators:
        lines.append(f'  <meta property="media:narrator">{_esc(narrator)}</meta>')
    lines.append(f'  <meta property="media:active-class">{ACTIVE_CLASS}</meta>')
    total = sum(d for d in durations if d is not None)
    lines.append(f'  <meta property="media:duration">{_clock(total)}</meta>')
    for n, millis in enumerate(durations, start=1):
        if millis is not None:
            lines.append(
                f'  <meta property="media:duration" refines="#smil-{n:03d}">{_clock(millis)}</meta>'
            )
    if cover:
        lines.append('  <meta name="cover" content="cover-image"/>')
    lines += [" </metadata>", " <manifest>"]
    lines.append(
        '  <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
    )
    lines.append('  <item id="style" href="style.css" media-type="text/css"/>')
    lines.append('  <item id="title-page" href="cover.xhtml" media-type="application/xhtml+xml"/>')
    if cover:
        lines.append(
            f'  <item id="cover-image" href="{cover[0]}" media-type="{cover[1]}"'
            ' properties="cover-image"/>'
        )
    for n, (doc, millis) in enumerate(zip(docs, durations, strict=True), start=1):
        overlay = f' media-overlay="smil-{n:03d}"' if millis is not None else ""
        lines.append(
            f'  <item id="chapter-{n:03d}" href="{doc.name}"'
            f' media-type="application/xhtml+xml"{overlay}/>'
        )
        if millis is not None:
            lines.append(
                f'  <item id="smil-{n:03d}" href="{_smil_name(doc)}"'
                ' media-type="application/smil+xml"/>'
            )
    lines.append(f'  <item id="audio" href="{_attr(audio)}" media-type="audio/mpeg"/>')
    lines += [" </manifest>", " <spine>", '  <itemref idref="title-page"/>']
    lines += [f'  <itemref idref="chapter-{n:03d}"/>' for n in range(1, len(docs) + 1)]
    lines += [" </spine>", "</package>", ""]
    return "\n".join(lines).encode()


def _esc(text: str | None) -> str:
    """Text for XML content."""
    return _text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str) -> str:
    """Text for an XML attribute value."""
    return _esc(text).replace('"', "&quot;")


CONTAINER = b"""<?xml version="1.0" encoding="utf-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
 <rootfiles>
  <rootfile full-path="OEBPS/package.opf" media-type="application/oebps-package+xml"/>
 </rootfiles>
</container>
"""


def write_epub(path: Path, book: ReadAlong, mp3: Path) -> None:
    """Write the read-along EPUB of `book` to `path`, with the MP3 at `mp3` as its audio."""
    docs = _documents(book)
    clips: list[_Clip] = []
    turns = itertools.count(1)
    bodies = [_chapter_body(doc, n, clips, turns) for n, doc in enumerate(docs)]
    tiles = list(_tiles(clips, round(book.duration * 1000)))
    audio = f"audio/{book.slug}.mp3"
    cover: tuple[str, str] | None = None
    if book.meta.cover is not None:
        mime = read_image_type(book.meta.cover)
        if mime is not None:
            cover = ("cover." + ("png" if mime == "image/png" else "jpg"), mime)
    overlays: list[bytes | None] = []
    durations: list[int | None] = []
    for n, doc in enumerate(docs):
        mine = [t for t in tiles if t[0].doc == n]
        overlays.append(_smil(doc, mine, audio) if mine else None)  # a chapter of sounds only
        durations.append(sum(end - begin for _, begin, end in mine) if mine else None)
    package = _package(book, docs, durations, cover, audio)
    with zipfile.ZipFile(path, "w") as archive:
        _add(archive, "mimetype", b"application/epub+zip", zipfile.ZIP_STORED)  # first, stored
        _add(archive, "META-INF/container.xml", CONTAINER)
        _add(archive, "OEBPS/package.opf", package)
        _add(archive, "OEBPS/nav.xhtml", _nav(book, docs))
        _add(archive, "OEBPS/style.css", STYLE.encode())
        _add(archive, "OEBPS/cover.xhtml", _cover_page(book, cover[0] if cover else None))
        if cover is not None and book.meta.cover is not None:
            _add(archive, f"OEBPS/{cover[0]}", book.meta.cover.read_bytes(), zipfile.ZIP_STORED)
        for doc, body, overlay in zip(docs, bodies, overlays, strict=True):
            _add(archive, f"OEBPS/{doc.name}", _xhtml(book, doc.parts[0][1], body))
            if overlay is not None:
                _add(archive, f"OEBPS/{_smil_name(doc)}", overlay)
        entry = _info(f"OEBPS/{audio}", zipfile.ZIP_STORED)
        entry.file_size = mp3.stat().st_size
        with mp3.open("rb") as source, archive.open(entry, "w") as target:
            shutil.copyfileobj(source, target, 1 << 20)


def _smil_name(doc: _Doc) -> str:
    """The Media Overlay document of a chapter document."""
    return doc.name.replace(".xhtml", ".smil")


def _info(name: str, compress: int) -> zipfile.ZipInfo:
    """A zip entry dated 1980-01-01: the same book has the same bytes at every build."""
    entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    entry.compress_type = compress
    entry.external_attr = 0o644 << 16
    return entry


def _add(
    archive: zipfile.ZipFile, name: str, data: bytes, compress: int = zipfile.ZIP_DEFLATED
) -> None:
    """One entry of the book."""
    archive.writestr(_info(name, compress), data)
