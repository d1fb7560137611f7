"""One document's bytes -> its findings: well-formedness, then the RSS 2.0 or Atom 1.0 rules
(`rss`, `atom`), then the shipped RELAX NG schema for what the rules did not explain."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from lxml import etree

from scofeed.errors import NotAFeedError
from scofeed.infra.fetching import too_large
from scofeed.infra.xmlsafe import parser
from scofeed.validate import app, atom, opensearch, rss, rss1
from scofeed.validate.ext import check_extensions
from scofeed.validate.findings import Finding
from scofeed.validate.rules import RULES, Report
from scofeed.validate.xml import (
    ATOM_NS,
    Sniff,
    classify,
    encoding_mismatch,
    not_a_feed_reason,
    schema_check,
    sniff,
    syntax_rule,
    undefined_entities,
)

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
ATOM_03_NS = "http://purl.org/atom/ns#"

Format = Literal["rss", "atom", "rss1", "opensearch", "app"]
# OpenSearch 1.1 description documents are validated too (`opensearch`), whatever their namespace.
OPENSEARCH_ROOT = "OpenSearchDescription"
# So are AtomPub service and category documents (`app`: app:service, app:categories roots).


def detect_format(data: bytes) -> Format:
    """ "rss", "atom", "rss1" (RSS 1.0 and 0.90: an rdf:RDF root and the RSS namespace),
    "opensearch" (a description document) or "app" (an AtomPub service or category document)
    from the first element of `data`, without parsing the document.

    Raises NotAFeedError for anything else (HTML pages, other XML vocabularies).
    """
    return _format(data, sniff(data))


def _format(data: bytes, info: Sniff) -> Format:
    fmt = _kind(info.root.rpartition(":")[2], info.namespace, data, info) if info.root else None
    if fmt is None:
        raise NotAFeedError(f"not a feed: {not_a_feed_reason(data, info)}")
    return fmt


def _kind(local: str, namespace: str | None, data: bytes, info: Sniff) -> Format | None:
    """The kind of document a root element (local name, namespace) makes; None: no feed."""
    if local == OPENSEARCH_ROOT:
        return "opensearch"
    if namespace == app.NS and local in app.ROOTS:
        return "app"
    if local == "RDF" and namespace == rss1.RDF_NS:
        return "rss1" if rss1.is_rss1(data, info.encoding) else None
    fmt = classify(local, namespace)
    return None if fmt is None else "rss" if fmt == "rss" else "atom"


def _written_name(el: etree._Element) -> str:
    local = etree.QName(el).localname
    return f"{el.prefix}:{local}" if el.prefix else local


def validate_bytes(
    data: bytes, source: str = "<bytes>", *, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[Finding]:
    """Findings for one document, sorted by (line, column, rule).

    Raises scofeed.errors.NotAFeedError when the document is not an RSS/Atom feed at all, and
    scofeed.errors.FetchError when it is larger than `max_bytes`.
    """
    if len(data) > max_bytes:
        raise too_large(source, max_bytes, size=len(data))
    report = Report()
    try:
        _check(data, report)
    except NotAFeedError as exc:
        raise NotAFeedError(f"{source}: {exc}") from None
    findings = [
        Finding(source, h.line, h.column, RULES[h.rule].severity, h.rule, h.message)
        for h in report.hits
    ]
    findings.sort(key=lambda f: (f.line, f.column, f.rule))
    return findings


_ENTITIES_REFUSED = (
    "the DOCTYPE declares entities; scofeed does not expand them (they can hide external files "
    "or expand into gigabytes) and feed readers do not agree on them; remove the DOCTYPE and "
    "write characters directly or as &#NNN; references"
)


def _check(data: bytes, report: Report) -> None:
    info = sniff(data)  # the whole prolog, before libxml2 sees a byte
    if info.entity_line is not None:
        _format(data, info)  # not a feed at all: could not run
        report.add("xml-entity-declaration", info.entity_line, _ENTITIES_REFUSED)
        return
    if info.unreadable is not None:
        # libxml2 may know it (through iconv) where Python does not: UTF-7 variants, JAVA and
        # C99 (\uXXXX escapes), ISO-2022-CN... The prolog could not be read as libxml2 reads
        # it, so the document is not handed to libxml2; feed readers rarely know these either.
        _format(data, info)
        report.add(
            "xml-encoding",
            1,
            f'the document declares encoding="{info.unreadable}", which scofeed cannot read; '
            "save it as UTF-8 and declare that",
        )
        return
    xml_parser = parser()
    try:
        root = etree.fromstring(data, xml_parser)
    except etree.XMLSyntaxError as exc:
        _format(data, info)  # not XML and not meant as a feed: could not run
        mismatch = encoding_mismatch(data, info)
        if mismatch:
            report.add("xml-encoding", 1, mismatch)
            return
        rule, message = syntax_rule(exc)
        line, column = exc.position
        report.add(rule, line or 0, message, column=column or 0)
        return
    namespace, _, local = root.tag[1:].rpartition("}") if root.tag[0] == "{" else ("", "", root.tag)
    fmt = _kind(local, namespace or None, data, info)
    if fmt is None:
        raise NotAFeedError(
            f"not a feed: {not_a_feed_reason(data, replace(info, root=_written_name(root)))}"
        )
    dtd = root.getroottree().docinfo.internalDTD  # any DOCTYPE, as libxml2 read it
    if dtd is not None:
        if any(True for _ in dtd.iterentities()):
            # libxml2 read entity declarations the prolog scan did not see: never certify that.
            report.add("xml-entity-declaration", 1, _ENTITIES_REFUSED)
            return
        undefined_entities(root, report, xml_parser.error_log)
    if fmt == "opensearch":
        opensearch.check(root, report)
        return
    if fmt == "app":
        app.check(root, report)
        return
    if fmt == "rss1":
        rss1.check(root, report)
        check_extensions(root, report, "rss1")
        return
    if fmt == "rss":
        if namespace:
            report.add(
                "rss-namespace",
                root,
                f'<rss> is in the namespace "{namespace}"; RSS 2.0 elements are in no '
                "namespace: remove the default xmlns declaration",
            )
            return
        rss.check(root, report)
        check_extensions(root, report, "rss")
        channel = root.find("channel")
        schema_check(root, "rss-2.0.rng", "rss-schema", report, container=channel, member="item")
        return
    if namespace != ATOM_NS:
        what = "Atom 0.3, which is obsolete" if namespace == ATOM_03_NS else "not Atom 1.0"
        where = f'the namespace "{namespace}"' if namespace else "no namespace"
        report.add(
            "atom-namespace",
            root,
            f'<{local}> is in {where} ({what}); Atom 1.0 needs xmlns="{ATOM_NS}"',
        )
        return
    atom.check(root, report)
    check_extensions(root, report, "atom")
    # libxml2 validates an element's content once per way of matching its optional
    # attributes; on the root that doubles the whole run for every attribute. The root's
    # attributes were checked just above (xml:lang, xml:base, no undefined ones), so the schema
    # sees the root without them.
    root.attrib.clear()
    schema_check(
        root, "atom.rng", "atom-schema", report, container=root, member=f"{{{ATOM_NS}}}entry"
    )
