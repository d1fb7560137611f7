"""Knowing what a document is before and after parsing, and running the shipped RELAX NG
schemas, keeping only what the rules did not already explain.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from scofeed.infra.prolog import read_prolog
from scofeed.infra.xmlsafe import parser
from scofeed.validate.rules import Report
from scofeed.validate.values import local_name

ATOM_NS = "http://www.w3.org/2005/Atom"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
MAX_SCHEMA_FINDINGS = 20
BATCH = 200  # entries or items shown to the schema at a time
MAX_CHILDREN = 2000  # children of any other element shown to the schema


@dataclass(frozen=True)
class Sniff:
    """What the start of a document says: its first element and what its prolog declares."""

    root: str | None  # the first start tag's name as written ("rss", "atom:feed", "html")
    namespace: str | None  # the namespace that name is in, when the start tag declares it
    doctype: bool
    doctype_html: bool
    encoding: str  # the codec used to read the prolog
    external_dtd: bool = False  # the DOCTYPE names a SYSTEM or PUBLIC DTD
    entity_line: int | None = None  # the line of the first entity declaration in the DOCTYPE
    unreadable: str | None = None  # the encoding declared, when scofeed has no codec for it


_START_TAG = re.compile(r"<([^\s/>!?]+)([^>]*)>?", re.S)
_XMLNS = re.compile(r"""xmlns(?::([\w.\-]+))?\s*=\s*(["'])(.*?)\2""", re.S)


def sniff(data: bytes) -> Sniff:
    """Find the first start tag without parsing (for documents libxml2 cannot or must not read),
    reading the whole prolog whatever its length and encoding (`prolog.read_prolog`)."""
    prolog = read_prolog(data)
    doctype = prolog.doctype is not None
    doctype_html = (prolog.doctype or "").lower().startswith("html")
    rest = prolog.rest
    tag = _START_TAG.match(rest) or _START_TAG.search(rest)
    name = namespace = None
    if tag is not None:
        name, attrs = tag.group(1), tag.group(2)
        prefix = name.partition(":")[0] if ":" in name else None
        for decl in _XMLNS.finditer(attrs):
            if decl.group(1) == prefix:
                namespace = decl.group(3)
    return Sniff(
        name,
        namespace,
        doctype,
        doctype_html,
        prolog.codec,
        prolog.external_dtd,
        prolog.entity_line,
        prolog.unreadable,
    )


_DECLARED = re.compile(r"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._\-]+)["']""")


def encoding_mismatch(data: bytes, info: Sniff) -> str | None:
    """A declaration of UTF-16/32 on bytes that are plainly ASCII-compatible (libxml2 then
    reports a confusing syntax error instead)."""
    if info.encoding != "latin-1":
        return None
    m = _DECLARED.match(data[:200].decode("latin-1"))
    if m and m.group(1).lower().replace("_", "-").startswith(("utf-16", "utf-32", "ucs-", "utf16")):
        return (
            f'the document declares encoding="{m.group(1)}" but its bytes are in an '
            "ASCII-compatible encoding such as UTF-8; fix the declaration"
        )
    return None


def classify(local: str, namespace: str | None) -> str | None:
    """ "rss" or "atom" for a root element meant as a feed, None for anything else."""
    if local == "rss":
        return "rss"
    if local == "feed":
        return "atom"
    if local == "entry" and namespace == ATOM_NS:
        return "atom"
    return None


def not_a_feed_reason(data: bytes, info: Sniff) -> str:
    """Why a document is not a feed, for NotAFeedError (`info` is `sniff(data)`)."""
    name, namespace = info.root, info.namespace
    if not data.strip():
        return "the document is empty"
    local = name.rpartition(":")[2] if name else ""
    if info.doctype_html or local.lower() == "html":
        return "it is an HTML page; point at the feed's own URL (the page's <link rel=alternate>)"
    if name is None:
        return "it is not XML (no element found)"
    if local == "RDF" and namespace in (RDF_NS, None):
        return (
            "it is an RDF document without the RSS 1.0 namespace (http://purl.org/rss/1.0/); "
            "an RSS 1.0 feed declares it for its channel and items"
        )
    return f"its root element is <{name}>, not <rss> or <feed>"


def syntax_rule(error: Any) -> tuple[str, str]:
    """(rule, message) for an lxml XMLSyntaxError."""
    E = etree.ErrorTypes
    code, msg = error.code, str(error.msg).split(", line ")[0].strip()  # libxml2 ends it "\n"
    if code in (E.ERR_INVALID_CHAR, E.ERR_INVALID_CHARREF) or "invalid xmlChar value" in msg:
        return "xml-invalid-character", (
            f"{msg}: XML 1.0 does not allow this character (control characters other than "
            "tab, line feed and carriage return); remove it"
        )
    if code in (E.ERR_UNSUPPORTED_ENCODING, E.ERR_UNKNOWN_ENCODING):
        return "xml-encoding", f"{msg}: declare a known encoding, best UTF-8, and save as such"
    if code == E.ERR_INVALID_ENCODING:
        return "xml-encoding", (
            f"{msg}: the bytes do not match the encoding the document declares (UTF-8 when "
            "it declares none); re-save it as UTF-8 or fix the encoding declaration"
        )
    if code in (E.ERR_UNDECLARED_ENTITY, E.WAR_UNDECLARED_ENTITY):
        return "xml-undefined-entity", (
            f"{msg}: XML knows only &amp; &lt; &gt; &quot; &apos;; write a character "
            "reference such as &#160; or wrap HTML in <![CDATA[ ... ]]>"
        )
    if code == E.NS_ERR_UNDEFINED_NAMESPACE:
        return "xml-not-well-formed", f"{msg}: declare it on the root element (xmlns:prefix=...)"
    if msg.startswith("xmlParseEntityRef: no name"):
        return "xml-not-well-formed", f"{msg}: write a bare & as &amp;"
    if code == E.ERR_DOCUMENT_EMPTY:
        return "xml-not-well-formed", "the document is empty"
    return "xml-not-well-formed", msg


_UNDECLARED = re.compile(r"Entity '(.*)' not defined")


def undefined_entities(root: Any, report: Report, log: Any = ()) -> None:
    """Entity references libxml2 could not resolve: possible only when the DOCTYPE names an
    external DTD (never loaded) or refers to a parameter entity. In element content they stay in
    the tree; in an attribute value or the DOCTYPE libxml2 drops them and only warns (`log`, the
    parser's error log), so a reference there is reported from the warning."""
    reported: set[str] = set()
    for ref in root.iter(etree.Entity):
        reported.add(ref.text)
        report.add(
            "xml-undefined-entity",
            ref.getparent() if ref.getparent() is not None else ref,
            f"the entity reference {ref.text} is defined only in an external DTD, which "
            "feed readers do not load; write a character reference such as &#160; instead",
        )
    for entry in log:
        undeclared = _UNDECLARED.match(entry.message)
        if entry.type != etree.ErrorTypes.WAR_UNDECLARED_ENTITY or undeclared is None:
            continue
        name = undeclared.group(1)
        if f"&{name};" in reported:
            continue  # reported above at its element, or at an earlier warning
        reported.add(f"&{name};")
        report.add(
            "xml-undefined-entity",
            entry.line or 0,
            f"the entity {name} is referred to in an attribute value or the DOCTYPE but not "
            "defined in the document (an external DTD, which feed readers do not load, is the "
            "only place it could be), so readers drop it; write a character reference such as "
            "&#160; instead",
            column=entry.column or 0,
        )


@cache
def _schema_document(name: str) -> Any:
    with (Path(__file__).parent / "schemas" / name).open("rb") as handle:
        return etree.parse(handle, parser())


_per_thread = threading.local()


def schema(name: str) -> Any:
    """The shipped RELAX NG schema `name`, compiled once per thread (a validator keeps its error
    log on itself, so threads validating at once must not share one)."""
    compiled: dict[str, Any] = _per_thread.__dict__.setdefault("schemas", {})
    if name not in compiled:
        compiled[name] = etree.RelaxNG(_schema_document(name))
    return compiled[name]


def _ancestors_or_self(el: Any) -> list[Any]:
    out = []
    while el is not None:
        out.append(el)
        el = el.getparent()
    return out


@dataclass
class _SchemaError:
    element: Any  # None when libxml2 gave no path
    line: int
    message: str
    ancestors: list[Any]  # the element and its ancestors when the error was found
    about: Any  # the element whose content the message is about (the parent, for "extra")


_EXTRA = re.compile(r"Element (\S+) has extra content: (\S+)")


def _bound_work(root: Any, container: Any, member: str) -> list[Any]:
    """Keep libxml2's RELAX NG validation linear; returns the members to validate in batches.

    libxml2 keeps every intermediate state of a repetition, so validating an element's content
    costs time quadratic in its number of children. Entries and items are therefore taken out of
    their feed or channel and validated `BATCH` at a time (they are independent repetitions, so
    the verdict is the same); any other element keeps only its first `MAX_CHILDREN` children
    for the schema (the rules have already seen them all).
    """
    crowded = [el for el in root.iter() if len(el) > MAX_CHILDREN]
    members: list[Any] = []
    if container is not None:
        members = list(container.iterchildren(member))
        if len(members) > BATCH:
            for el in members:
                container.remove(el)
        else:
            members = []
    for el in reversed(crowded):  # inner ones first: a trimmed subtree is cheap to move
        if len(el) > MAX_CHILDREN:
            child = el[MAX_CHILDREN]
            while child is not None:  # one by one: lxml's slice deletion is quadratic
                following = child.getnext()
                el.remove(child)
                child = following
    return members


def _validation_errors(validator: Any, root: Any) -> list[_SchemaError]:
    if validator.validate(root):
        return []
    tree = root.getroottree()
    out = []
    for entry in validator.error_log:
        el = None
        if entry.path:
            try:
                found: list[Any] = tree.xpath(entry.path)
                el = found[0] if found and not isinstance(found[0], str) else None
            except etree.XPathError:
                el = None
        ancestors = _ancestors_or_self(el) if el is not None else []
        about = el
        extra = _EXTRA.match(entry.message)
        if extra and len(ancestors) > 1 and local_name(ancestors[1].tag) == extra.group(1):
            about = ancestors[1]  # "feed has extra content: entry", reported at the entry
        out.append(_SchemaError(el, entry.line, entry.message, ancestors, about))
    return out


def schema_check(
    root: Any,
    schema_name: str,
    rule: str,
    report: Report,
    *,
    container: Any = None,
    member: str = "",
) -> None:
    """Validate with the schema; report what the specific rules did not already explain.

    `container` and `member` name the long repetition (the channel's items, the feed's
    entries) that is validated in batches.
    """
    validator = schema(schema_name)
    explained_elements = report.error_elements()
    covered: set[Any] = set()  # elements the rules reported, and all their ancestors
    for el in explained_elements:
        covered.update(_ancestors_or_self(el))
    errors = set(explained_elements)
    members = _bound_work(root, container, member)
    found = _validation_errors(validator, root)
    for start in range(0, len(members), BATCH):
        batch = members[start : start + BATCH]
        container.extend(batch)
        found.extend(_validation_errors(validator, root))
        for el in batch:
            container.remove(el)
    unexplained = [
        e
        for e in found
        if not (e.element is None and errors)  # no position, and the rules found the problem
        and not (
            e.element is not None and (e.element in covered or errors.intersection(e.ancestors))
        )
    ]
    if any(e.element is not None for e in unexplained):  # positionless ones add nothing then
        unexplained = [e for e in unexplained if e.element is not None]
    # libxml2 also blames every ancestor of a failing element; keep the deepest ones.
    below: dict[int, set[int]] = {}  # element id -> the errors found strictly inside it
    for index, e in enumerate(unexplained):
        for ancestor in e.ancestors[1:]:
            below.setdefault(id(ancestor), set()).add(index)
    seen: set[int] = set()
    reported = 0
    for index, e in enumerate(unexplained):
        deeper = below.get(id(e.about), set()) - {index}
        if e.element is not None and (deeper or id(e.element) in seen):
            continue
        seen.add(id(e.element))
        if reported == MAX_SCHEMA_FINDINGS:
            break
        reported += 1
        if e.element is None:
            report.add(rule, e.line, f"the schema rejects the document: {e.message}")
        else:
            name = local_name(e.element.tag)
            report.add(rule, e.element, f"the schema rejects <{name}>: {e.message}")
