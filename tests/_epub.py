"""Test helper: a read-along EPUB read back with zipfile and an XML parser, and epubcheck."""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pytest

EPUBCHECK = Path("/usr/share/java/epubcheck.jar")  #: Debian's epubcheck (tools/test.sh installs it)
OPF = "{http://www.idpf.org/2007/opf}"
SMIL = "{http://www.w3.org/ns/SMIL}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def epubcheck(path: Path) -> str:
    """epubcheck's report on the book (skips where it is not installed, but under CI)."""
    java = shutil.which("java")
    if (java is None or not EPUBCHECK.is_file()) and os.environ.get("CI") != "true":
        pytest.skip("needs Debian's epubcheck (apt-get install epubcheck)")
    done = subprocess.run(
        [java or "java", "-jar", str(EPUBCHECK), str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    return report


@dataclass
class Par:
    """One Media Overlay entry: the document and id it highlights, its clip in seconds."""

    doc: str
    target: str
    begin: float
    end: float


@dataclass
class Book:
    """An EPUB as a reading system sees it."""

    names: list[str]
    first: zipfile.ZipInfo
    package: ET.Element
    docs: dict[str, ET.Element] = field(default_factory=dict)  #: spine documents by href
    nav: ET.Element | None = None  #: the navigation document
    pars: list[Par] = field(default_factory=list)  #: every overlay entry, in spine order
    audio: bytes = b""

    def ids(self, doc: str) -> set[str]:
        """Every id in a document."""
        return {e.get("id") for e in self.docs[doc].iter() if e.get("id")}  # type: ignore[misc]

    def text_of(self, doc: str, target: str) -> str:
        """The text of the element with that id."""
        found = next(e for e in self.docs[doc].iter() if e.get("id") == target)
        return " ".join("".join(found.itertext()).split())

    def meta(self, prop: str) -> list[ET.Element]:
        """The package's <meta property=...> elements."""
        return [m for m in self.package.iter(f"{OPF}meta") if m.get("property") == prop]


def clock(value: str) -> float:
    """A SMIL clock value (H:MM:SS.mmm, or seconds with "s") in seconds."""
    if value.endswith("s") and ":" not in value:
        return float(value[:-1])
    parts = [float(p) for p in value.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0.0)
    return parts[0] * 3600 + parts[1] * 60 + parts[2]


def read_book(path: Path) -> Book:
    """Open the book: container, package, spine documents, overlays and audio."""
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        container = ET.fromstring(archive.read("META-INF/container.xml"))
        rootfile = next(e for e in container.iter() if e.tag.endswith("rootfile"))
        opf_path = PurePosixPath(rootfile.get("full-path", ""))
        package = ET.fromstring(archive.read(str(opf_path)))
        book = Book([i.filename for i in infos], infos[0], package)
        base = opf_path.parent
        items = {i.get("id"): i for i in package.iter(f"{OPF}item")}
        nav = next(i for i in items.values() if "nav" in (i.get("properties") or "").split())
        book.nav = ET.fromstring(archive.read(str(base / nav.get("href", ""))))
        for ref in package.iter(f"{OPF}itemref"):
            item = items[ref.get("idref")]
            href = item.get("href", "")
            book.docs[href] = ET.fromstring(archive.read(str(base / href)))
            overlay = item.get("media-overlay")
            if overlay is None:
                continue
            smil = ET.fromstring(archive.read(str(base / items[overlay].get("href", ""))))
            for par in smil.iter(f"{SMIL}par"):
                text, audio = par.find(f"{SMIL}text"), par.find(f"{SMIL}audio")
                assert text is not None and audio is not None
                doc, _, target = text.get("src", "").partition("#")
                book.pars.append(
                    Par(
                        doc,
                        target,
                        clock(audio.get("clipBegin", "")),
                        clock(audio.get("clipEnd", "")),
                    )
                )
        audio = next(i for i in items.values() if i.get("media-type") == "audio/mpeg")
        book.audio = archive.read(str(base / audio.get("href", "")))
    return book
