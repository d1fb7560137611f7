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
from typing import Any

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


# What an entry seen clean is remembered with: the text of its id (None: it has none), or
# `_UNSURE` when two spellings of one id could be read alike (a reference, a carriage return)
# or it has more than one: then no document it is in leaves any entry out.
_UNSURE = "\x00unsure"  # no id's text: a NUL is no XML character
_NEW = "\x00new"


class Repeats:
    """The error findings of documents, each entry validated in full once (while remembered:
    the `size` most recent)."""

    def __init__(self, size: int = 8192) -> None:
        self.clean: Recent[bytes, str | None] = Recent(size)

    def errors(self, data: bytes, source: str) -> list[Finding]:
        parts = _taken_apart(data)
        if parts is None:
            return _errors(data, source)
        context, head, items, tail, tag = parts
        # Every entry's digest under its root; what is known of an entry seen clean (it was
        # taken apart then, under the same root: the same tag) is not worked out again.
        keys = []
        for item in items:
            digest = context.copy()
            digest.update(item)
            keys.append(digest.digest())
        clean = self.clean
        ids = [clean.get(key, _NEW) for key in keys]
        fresh = [i for i, known in enumerate(ids) if known == _NEW]
        start = b"<" + tag
        for i in fresh:
            if items[i].count(start) != 1:  # nested in it, or another name starting so
                return _errors(data, source)
            ids[i] = _id_of(items[i], tag)
        if len(fresh) < len(items) and _distinct(ids):
            new = (items[i] for i in fresh)
            if _errors(b"".join((head, *new, tail)), source):
                return _errors(data, source)  # reported as the whole document has them
        elif found := _errors(data, source):
            return found
        for key, id_ in zip(keys, ids, strict=True):
            clean[key] = id_
        return []


def _errors(data: bytes, source: str) -> list[Finding]:
    return [f for f in validate_bytes(data, source=source) if f.severity == "error"]


def _taken_apart(data: bytes) -> tuple[Any, bytes, list[bytes], bytes, bytes] | None:
    """The document's context (a digest of its root's start tag, and for Atom of whether the
    feed has an author, to go on with each entry's), its text before the first entry, its
    entries, its text after the last, and their tag; None when it is not written so that this
    can be done safely. Each step is one pass of C over the text: this runs on every feed
    document of a build, and took as long as validating their new entries."""
    if _pair_in(data, b"?", 1) or _pair_in(data, b"!", 0):  # comments, CDATA, a DOCTYPE
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
    # Cut after each closing tag: every piece but the last is then (white space and) an entry
    # written without attributes; the first has the document's head before it.
    chunks = data.split(closing)
    first = chunks[0].find(opening)
    if len(chunks) < 2 or first == -1:
        return None
    head = chunks[0][:first]
    items = [chunks[0][first:] + closing]
    for chunk in chunks[1:-1]:
        at = chunk.find(opening)
        if at == -1 or (at and not chunk[:at].isspace()):
            return None
        items.append(chunk[at:] + closing)
    # Nothing after the entries but the closing tags: an element there, an Atom feed's metadata
    # after its entries say, is read in the light of the entries before it. (Each entry is
    # checked for another start of its tag inside it by `Repeats.errors`, once.)
    tail = chunks[-1]
    if b"<" + tag in head or not _TAILS[tag].fullmatch(tail):
        return None
    context = data[start : end + 1]
    if tag == b"entry":
        context += b" author" if b"<author>" in head else b""
    # The context's own digest first: a prefix of fixed length, so that no other root's start
    # tag and entry can make the same bytes.
    return hashlib.sha256(hashlib.sha256(context).digest()), head, items, tail, tag


def _pair_in(data: bytes, second: bytes, start: int) -> bool:
    """Whether `<` + `second` is in `data` from `start`, found by its second byte (C's memchr):
    `<` is in every tag, `!` and `?` in few places of a feed."""
    at = data.find(second, start + 1)
    for _ in range(64):
        if at == -1:
            return False
        if data[at - 1] == 0x3C:  # "<"
            return True
        at = data.find(second, at + 1)
    return data.find(b"<" + second, start) != -1


def _id_of(item: bytes, tag: bytes) -> str | None:
    """The text of the entry's id as the rules read it (stripped), None when it has none,
    `_UNSURE` when it has more than one, or text that the parser would turn into something
    else (a reference, a carriage return)."""
    start, pattern = _IDS[tag]
    found: list[bytes] = pattern.findall(item)
    if len(found) != item.count(start) or len(found) > 1:
        return _UNSURE
    if not found:
        return None
    if b"&" in found[0] or b"\r" in found[0]:
        return _UNSURE
    try:
        return found[0].decode("utf-8").strip()
    except UnicodeDecodeError:
        return _UNSURE


def _distinct(ids: list[str | None]) -> bool:
    """Whether no two entries can share an id as the rules read it."""
    texts = [i for i in ids if i is not None]
    return _UNSURE not in texts and len(set(texts)) == len(texts)
