"""The prolog of an untrusted XML document, read the way libxml2 will read it: the whole of it,
however long, in the encoding libxml2 will use (`read_prolog`), so that a DOCTYPE declaring
entities is found wherever it hides (`declares_entities`). Kept apart from `xmlsafe`, which
every build imports: only what reads untrusted XML pays for these patterns.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, replace

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# The first bytes of a document without a byte order mark, as XML 1.0 Appendix F reads them
# (and libxml2 with it): UTF-32 from its "<" alone, UTF-16 from "<?".
_SIGNATURES = (
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
)
_UNICODE = ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be")
_AS_LATIN_1 = ("utf-8", "utf-8-sig", "ascii", "iso8859-1")  # markup reads the same
# Python codecs that are no document encoding; libxml2 knows none of them.
_NOT_DOCUMENT_CODECS = ("punycode", "idna", "unicode-escape", "raw-unicode-escape", "undefined")

CHUNK = 1 << 20  # bytes decoded at a time while scanning a prolog
ROOT_WINDOW = 1 << 16  # characters kept from where the prolog ends, for the root's start tag


def detect_codec(data: bytes) -> tuple[str, int]:
    """The codec to read a document's markup with, and the length of its byte order mark.
    "latin-1" stands for every ASCII-compatible encoding: markup names read right in all (the
    encoding such a document declares is `read_prolog`'s business)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    for signature, name in _SIGNATURES:
        if data.startswith(signature):
            return name, 0
    return "latin-1", 0


@dataclass(frozen=True)
class Prolog:
    """What a document says before its first element, read the way libxml2 reads it."""

    codec: str  # the Python codec its markup was read with; "latin-1" for UTF-8 and ASCII
    bom: int  # the length of its byte order mark
    unreadable: str | None  # the encoding it declares when Python has no codec for it
    doctype: str | None  # the DOCTYPE's name as written ("rss", "html"); None without one
    external_dtd: bool  # the DOCTYPE names an external DTD (SYSTEM or PUBLIC)
    entity_line: int | None  # the line of the first entity declaration in the internal subset
    rest: str  # up to ROOT_WINDOW characters from where the prolog ends: the root's start tag


_SPACE = re.compile(r"\s*")  # wider than XML's white space: a scan that reads on is only safer
_NAME = re.compile(r"[^\s\[>]{1,256}")
_ELEMENT = re.compile(r"<[^\s/>!?]")  # a start tag begins
_DOCTYPE_STOP = re.compile("[\\[>\"']")
_SUBSET_STOP = re.compile("[\\]<\"']")
_DECLARATION_STOP = re.compile("[>\"']")
# Runs of items read in one C call each instead of a Python step per item: white space,
# comments and processing instructions in the prolog; also parameter entity references and
# declarations other than <!ENTITY in the internal subset; quoted ids in the DOCTYPE. Possessive
# quantifiers never give back what they matched, so no match backtracks; an item cut by the end
# of the decoded text is left to the step-by-step reading.
_LITERAL = r""""[^"]*+"|'[^']*+'"""
_MISC_RUN = re.compile(r"(?:\s++|<!--.*?-->|<\?.*?\?>)*+", re.S)
_DOCTYPE_RUN = re.compile(rf"""(?:[^\[>"']++|{_LITERAL})*+""")
_SUBSET_RUN = re.compile(
    rf"""(?:\s++|<!--.*?-->|<\?.*?\?>|%[^\s;<>"'%\]]*+;"""
    rf"""|<!(?:ELEMENT|ATTLIST|NOTATION)(?:[^>"']++|{_LITERAL})*+>)*+""",
    re.S,
)
_PSEUDO_NAME = re.compile(r"[A-Za-z]{1,32}")
_PSEUDO_VALUE = re.compile(r"""(["'])([^"'<>]{0,256})\1""")


class _Chars:
    """A document's characters from byte `start` on, decoded CHUNK bytes at a time. Only what
    is not yet consumed is kept, so a comment or internal subset of any length costs time in
    proportion to its length and memory of a chunk."""

    def __init__(self, data: bytes, codec: str, start: int) -> None:
        self._data = data
        self._next = start
        self._decoder = codecs.getincrementaldecoder(codec)(errors="replace")
        self.text = ""
        self.pos = 0  # the next character to read, in `text`
        self._line = 1  # the line `text` starts on

    def more(self) -> bool:
        """Decode the next chunk (dropping what was consumed); False at the end."""
        if self._next >= len(self._data):
            return False
        chunk = self._data[self._next : self._next + CHUNK]
        self._next += len(chunk)
        self._line += self.text.count("\n", 0, self.pos)
        final = self._next >= len(self._data)
        self.text = self.text[self.pos :] + self._decoder.decode(chunk, final)
        self.pos = 0
        return True

    @property
    def line(self) -> int:
        return self._line + self.text.count("\n", 0, self.pos)

    def ensure(self, n: int) -> bool:
        """At least `n` characters ahead, unless the document ends first."""
        while len(self.text) - self.pos < n:
            if not self.more():
                return False
        return True

    def startswith(self, prefix: str, *, fold: bool = False) -> bool:
        self.ensure(len(prefix))
        ahead = self.text[self.pos : self.pos + len(prefix)]
        return (ahead.upper() if fold else ahead) == prefix

    def skip_run(self, run: re.Pattern[str]) -> None:
        """Move past what `run` (a pattern that may match nothing) matches in the decoded text."""
        found = run.match(self.text, self.pos)
        self.pos = found.end() if found else self.pos

    def skip_space(self) -> None:
        while True:
            self.skip_run(_SPACE)
            if self.pos < len(self.text) or not self.more():
                return

    def skip_past(self, end: str) -> bool:
        """Move past the next `end`; False (at the end of the document) when there is none."""
        while True:
            found = self.text.find(end, self.pos)
            if found >= 0:
                self.pos = found + len(end)
                return True
            self.pos = max(self.pos, len(self.text) - len(end) + 1)
            if not self.more():
                self.pos = len(self.text)
                return False

    def seek(self, chars: re.Pattern[str]) -> str:
        """Move to the next character in the class `chars` and return it ("" at the end)."""
        while True:
            found = chars.search(self.text, self.pos)
            if found:
                self.pos = found.start()
                return found.group()
            self.pos = len(self.text)
            if not self.more():
                return ""


def _declared_encoding(data: bytes, start: int) -> str | None:
    """The encoding named by the XML declaration, if the document starts with one."""
    chars = _Chars(data, "latin-1", start)
    if not chars.startswith("<?xml") or not chars.ensure(6) or not chars.text[5].isspace():
        return None
    chars.pos += 5
    while True:
        chars.skip_space()
        chars.ensure(300)
        name = _PSEUDO_NAME.match(chars.text, chars.pos)
        if not name:
            return None
        chars.pos = name.end()
        chars.skip_space()
        if not chars.startswith("="):
            return None
        chars.pos += 1
        chars.skip_space()
        chars.ensure(300)
        value = _PSEUDO_VALUE.match(chars.text, chars.pos)
        if not value:
            return None
        if name.group() == "encoding":
            return value.group(2)
        chars.pos = value.end()


def _reading(name: str) -> str | None:
    """The codec to read the markup of ASCII-based bytes declared as `name` with: "latin-1"
    where that reads the same, the Python codec otherwise, None when Python cannot decode it."""
    try:
        info = codecs.lookup(name)
        if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_DOCUMENT_CODECS:
            return None  # base64, rot13 and the like
        if info.name in _UNICODE or info.name in _AS_LATIN_1:
            return "latin-1"  # UTF-16/32 declared on ASCII-based bytes: libxml2 refuses them
        if not isinstance(codecs.getincrementaldecoder(info.name)().decode(b"<?xml"), str):
            return None
    except (LookupError, UnicodeError, TypeError, ValueError):  # "undefined" raises on use
        return None
    return info.name


def read_prolog(data: bytes) -> Prolog:
    """Read everything before the first element, however long, in the encoding libxml2 will
    use: the byte order mark or Appendix F's first bytes, else the declared encoding. Linear
    in the prolog's length, with memory bounded by CHUNK.

    A document declaring another encoding is read both ways (UTF-7, ISO-2022 and EBCDIC hide
    markup from a byte search; libxml2 may or may not know the encoding): an entity declaration
    seen either way counts, and the root's start tag is taken from whichever way shows one.
    """
    codec, bom = detect_codec(data)
    if codec != "latin-1":
        return _scan(data, codec, bom)
    declared = _declared_encoding(data, bom)
    reading = _reading(declared) if declared is not None else "latin-1"
    if reading is None:
        return replace(_scan(data, "latin-1", bom), unreadable=declared)
    if reading == "latin-1":
        return _scan(data, "latin-1", bom)
    first, second = _scan(data, reading, bom), _scan(data, "latin-1", bom)
    return replace(
        first,
        doctype=first.doctype if first.doctype is not None else second.doctype,
        external_dtd=first.external_dtd or second.external_dtd,
        entity_line=first.entity_line if first.entity_line is not None else second.entity_line,
        rest=first.rest if _ELEMENT.match(first.rest) else second.rest,
    )


def _scan(data: bytes, codec: str, bom: int) -> Prolog:
    chars = _Chars(data, codec, bom)
    doctype: str | None = None
    external = False
    entity_line: int | None = None
    while True:
        chars.skip_run(_MISC_RUN)
        chars.skip_space()
        if chars.startswith("<?"):
            chars.pos += 2
            chars.skip_past("?>")
        elif chars.startswith("<!--"):
            chars.pos += 4
            chars.skip_past("-->")
        elif chars.startswith("<!DOCTYPE", fold=True):  # a second one is read too, to be safe
            chars.pos += 9
            chars.skip_space()
            chars.ensure(256)
            name = _NAME.match(chars.text, chars.pos)
            if doctype is None:
                doctype = name.group() if name else ""
            chars.pos = name.end() if name else chars.pos
            chars.skip_space()
            external = external or chars.startswith("SYSTEM") or chars.startswith("PUBLIC")
            line = _doctype(chars)
            entity_line = line if entity_line is None else entity_line
        else:
            break
    chars.ensure(ROOT_WINDOW)
    rest = chars.text[chars.pos : chars.pos + ROOT_WINDOW]
    return Prolog(codec, bom, None, doctype, external, entity_line, rest)


def _doctype(chars: _Chars) -> int | None:
    """Read the rest of a DOCTYPE; the line of its first entity declaration, if any."""
    entity_line = None
    while True:
        chars.skip_run(_DOCTYPE_RUN)
        stop = chars.seek(_DOCTYPE_STOP)
        if not stop:
            break
        chars.pos += 1
        if stop == ">":
            break
        if stop != "[":
            chars.skip_past(stop)  # a quoted system or public id
            continue
        while True:  # the internal subset
            chars.skip_run(_SUBSET_RUN)
            stop = chars.seek(_SUBSET_STOP)
            if stop in ("", "]"):
                break
            if stop != "<":
                chars.pos += 1
                chars.skip_past(stop)  # a stray literal: not well-formed, read past it
            elif chars.startswith("<!--"):
                chars.pos += 4
                chars.skip_past("-->")
            elif chars.startswith("<?"):
                chars.pos += 2
                chars.skip_past("?>")
            else:  # a markup declaration: <!ENTITY, <!ELEMENT, <!ATTLIST, <!NOTATION
                if entity_line is None and chars.startswith("<!ENTITY", fold=True):
                    entity_line = chars.line
                chars.pos += 1
                while (stop := chars.seek(_DECLARATION_STOP)) not in ("", ">"):
                    chars.pos += 1
                    chars.skip_past(stop)  # a quoted value, which may hold ">"
                chars.pos += len(stop)
        chars.pos += len(stop)  # past "]"
    return entity_line


def declares_entities(data: bytes) -> bool:
    """True when the document's DOCTYPE declares entities in its internal subset, wherever the
    DOCTYPE lies in the prolog and whatever the encoding. Such a document is never handed to
    libxml2. (A declared encoding Python cannot decode is read as ASCII: the caller should
    still look at what libxml2 parsed.)"""
    return read_prolog(data).entity_line is not None
