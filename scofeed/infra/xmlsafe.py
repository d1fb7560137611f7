"""XML safety, decided once: the characters XML cannot carry, and how untrusted XML is parsed.

Untrusted documents (feeds given to the validator or the importer) are parsed with no DTD
loaded, no network access and no entity expanded (`parser`); a document whose DOCTYPE declares
entities is refused before the parser sees it (`scofeed.infra.prolog`: entities can read local
files or grow into gigabytes), and libxml2's own limits (`huge_tree=False`) bound the rest.
"""

from __future__ import annotations

import re
from typing import Any

# Characters XML 1.0 forbids (C0 controls but tab and newlines, surrogates, U+FFFE/U+FFFF),
# plus C1 controls, which XML allows but no reader shows. Dropped wherever text enters scofeed.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Those of them that are ASCII, for deleting from bytes before decoding: `bytes.translate` is a
# C loop several times quicker than the regex, which then runs only on text that is not ASCII.
ASCII_NOT_XML = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


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
