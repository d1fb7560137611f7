"""Validating many documents that share their entries, each entry in full once.

A build puts each post in some five documents of each format (the category's feed or one of
its archive documents, its countries', its tags'), the same bytes each time, and validating
the entries was most of the validation of a whole site. `Repeats` remembers the entries found
in a document without an error, by digest and with the root element they were read under (its
namespaces, `xml:lang` and `xml:base`, and for Atom whether the feed has an `<author>`); a
later document is checked without the entries it has seen. An entry's rules look at the entry
and that context only, but for the rules that compare entries (`rss-guid-duplicate`,
`atom-ids-all-same`): entries are left out only when their ids (an RSS item's `<guid>`, an Atom
entry's `<id>`) are plainly all different.

Only a document as lxml writes it is taken apart: no comment, CDATA section, DOCTYPE or
processing instruction after the XML declaration, entries written `<item>`/`<entry>` without
attributes, never nested, one after the other at the end of their channel or feed. Any other
document, and any document whose shortened form has an
error, is validated whole, so the findings reported are always those of `validate_bytes`.
"""

from __future__ import annotations

import hashlib
import re

from scofeed.infra.memo import Recent
from scofeed.validate.document import validate_bytes
from scofeed.validate.findings import Finding

# What entries of each root are written as, and the text of their ids.
_ROOTS = {b"<rss": b"item", b"<feed": b"entry"}
_IDS = {
    b"item": (b"<guid", re.compile(rb"<guid(?: [^>]*)?>([^<]*)</guid>")),
    b"entry": (b"<id", re.compile(rb"<id>([^<]*)</id>")),
}
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)""")
# What may follow the last entry: the closing tags alone (an element there, an Atom feed's
# metadata after its entries say, is read in the light of the entries before it).
_TAILS = {
    b"item": re.compile(rb"\s*</channel>\s*</rss>\s*"),
    b"entry": re.compile(rb"\s*</feed>\s*"),
}


class Repeats:
    """The error findings of documents, each entry validated in full once (while remembered:
    the `size` most recent)."""

    def __init__(self, size: int = 8192) -> None:
        self.clean: Recent[bytes, None] = Recent(size)

    def errors(self, data: bytes, source: str) -> list[Finding]:
        parts = _taken_apart(data)
        if parts is None:
            return _errors(data, source)
        context, pieces, tag = parts
        items = pieces[1::2]
        keys = [hashlib.blake2b(item, digest_size=16, key=context).digest() for item in items]
        clean = self.clean
        seen = [key in clean for key in keys]
        if any(seen) and _distinct_ids(items, tag):
            new = (item for item, known in zip(items, seen, strict=True) if not known)
            if _errors(b"".join((pieces[0], *new, pieces[-1])), source):
                return _errors(data, source)  # reported as the whole document has them
        elif found := _errors(data, source):
            return found
        for key in keys:
            clean[key] = None
        return []


def _errors(data: bytes, source: str) -> list[Finding]:
    return [f for f in validate_bytes(data, source=source) if f.severity == "error"]


def _taken_apart(data: bytes) -> tuple[bytes, list[bytes], bytes] | None:
    """The document's context (its root's start tag, and for Atom whether the feed has an
    author), and its text cut around each entry (odd places: the entries); None when it is
    not written so that this can be done safely."""
    if data.find(b"<?", 1) != -1 or data.find(b"<!") != -1:  # comments, CDATA, a DOCTYPE
        return None
    if data.startswith(b"<?"):  # UTF-8, the encoding ids are compared in
        declared = _ENCODING.search(data, 0, data.find(b"?>"))
        if declared is not None and declared[1].lower() not in (b"utf-8", b"utf8"):
            return None
    start = data.find(b"<", 1 if data.startswith(b"<?") else 0)
    end = data.find(b">", start)
    if start == -1 or end == -1:
        return None
    root = data[start:end].split(None, 1)[0]
    tag = _ROOTS.get(root)
    if tag is None:
        return None
    opening, closing = b"<" + tag + b">", b"</" + tag + b">"
    pieces, at = [], 0
    while (begin := data.find(opening, at)) != -1:
        finish = data.find(closing, begin)
        if finish == -1:
            return None
        finish += len(closing)
        pieces += [data[at:begin], data[begin:finish]]
        at = finish
    pieces.append(data[at:])
    # Every entry found: none nested in another, written with attributes or as the start of
    # another name; nothing but white space between them (which the shortened document leaves
    # out: an entry written with a prefix, say), and nothing after them but the closing tags.
    if len(pieces) == 1 or data.count(b"<" + tag) != len(pieces) // 2:
        return None
    if any(piece.strip() for piece in pieces[2:-1:2]) or not _TAILS[tag].fullmatch(pieces[-1]):
        return None
    context = data[start : end + 1]
    if tag == b"entry":
        context += b" author" if b"<author>" in pieces[0] else b""
    return hashlib.blake2b(context, digest_size=16).digest(), pieces, tag


def _distinct_ids(items: list[bytes], tag: bytes) -> bool:
    """Whether no two entries can share an id as the rules read it (the element's text,
    stripped): each has at most one, of text alone, without a reference or a carriage return
    (which the parser would turn into something else), and no two are alike."""
    start, pattern = _IDS[tag]
    ids = []
    for item in items:
        found = pattern.findall(item)
        if len(found) != item.count(start) or len(found) > 1:
            return False
        if found:
            if b"&" in found[0] or b"\r" in found[0]:
                return False
            try:
                ids.append(found[0].decode("utf-8").strip())
            except UnicodeDecodeError:
                return False
    return len(set(ids)) == len(ids)
