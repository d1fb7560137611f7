"""XML safety, decided once: the characters XML cannot carry, and how untrusted XML is read.

Untrusted documents (feeds given to the validator or the importer) are parsed with no DTD
loaded, no network access and no entity expanded; a document whose DOCTYPE declares entities is
refused before the parser sees it (entities can read local files or grow into gigabytes), and
libxml2's own limits (`huge_tree=False`) bound the rest.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

# Characters XML 1.0 forbids (C0 controls but tab and newlines, surrogates, U+FFFE/U+FFFF),
# plus C1 controls, which XML allows but no reader shows. Dropped wherever text enters scofeed.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Those of them that are ASCII, for deleting from bytes before decoding: `bytes.translate` is a
# C loop several times quicker than the regex, which then runs only on text that is not ASCII.
ASCII_NOT_XML = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def detect_codec(data: bytes) -> tuple[str, int]:
    """The codec to read a document's markup with, and the length of its byte order mark.
    "latin-1" stands for every ASCII-compatible encoding: markup names read right in all."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    if data[:4] == b"<\x00?\x00":
        return "utf-16-le", 0
    if data[:4] == b"\x00<\x00?":
        return "utf-16-be", 0
    return "latin-1", 0


def declares_entities(data: bytes) -> bool:
    """True when the document has a DOCTYPE with an entity declaration after it. Such a
    document is never handed to libxml2."""
    codec, skip = detect_codec(data)
    if codec == "latin-1":
        codec = "ascii"
    doctype = data.find("<!DOCTYPE".encode(codec), skip)
    return doctype >= 0 and data.find("<!ENTITY".encode(codec), doctype) >= 0


def parser() -> Any:
    """The parser for untrusted XML: never loads a DTD, never touches the network, never
    expands an entity, keeps libxml2's size limits."""
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def clean(text: str) -> str:
    """Text with Unix line ends and without the characters XML forbids."""
    return NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def fold(text: str) -> str:
    """One line of text: white space runs folded to one space, forbidden characters dropped."""
    return " ".join(NOT_XML.sub("", text).split())
