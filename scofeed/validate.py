"""Feed validation: bytes in, `Finding`s out. The only parser of untrusted XML (issue 3).

`validate_bytes` checks one RSS 2.0 or Atom 1.0 document: well-formedness, the shipped RELAX NG
schema (`schemas/atom.rng` from RFC 4287, `schemas/rss-2.0.rng` from the RSS 2.0
specification), and the rules no schema can state (`RULES`). `validate_targets` reads files,
folders and http(s) URLs for the command line.

Findings are data; exceptions (`NotAFeedError`, `FetchError`) mean the validator could not run:
the input is missing, unreachable, too large, or not a feed at all.

Safety: no DTD is loaded, nothing is fetched while parsing, entities are never expanded (a
DOCTYPE that declares entities is refused before libxml2 sees it), input is capped at
`max_bytes` before parsing, and libxml2's own limits (`huge_tree=False`) bound the rest.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from lxml import etree

from scofeed import _validate_atom, _validate_rss
from scofeed._validate_rules import ERROR, RULES, Report, Rule
from scofeed._validate_xml import (
    ATOM_NS,
    classify,
    declares_entities,
    encoding_mismatch,
    entity_line,
    not_a_feed_reason,
    parser,
    schema_check,
    sniff,
    syntax_rule,
    undefined_entities,
)
from scofeed.errors import FetchError, NotAFeedError, ScofeedError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FEED_SUFFIXES",
    "RULES",
    "DocumentResult",
    "Finding",
    "Rule",
    "ValidationRun",
    "detect_format",
    "safe_parser",
    "validate_bytes",
    "validate_targets",
]

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_TIMEOUT = 20.0
FEED_SUFFIXES = (".xml", ".rss", ".atom")
ATOM_03_NS = "http://purl.org/atom/ns#"

Format = Literal["rss", "atom"]

# The one set of parser settings for untrusted XML, used by the feed importer too.
safe_parser = parser


@dataclass(frozen=True)
class Finding:
    """One problem in one document, where it is and what to change."""

    source: str  # file path or URL as given
    line: int  # 1-based; 0 when unknown
    column: int  # 1-based; 0 when unknown
    severity: str  # "error" | "warning"
    rule: str  # stable rule name, a key of RULES
    message: str  # plain English, says what to change

    def __str__(self) -> str:
        return (
            f"{self.source}:{self.line}:{self.column}: {self.severity} {self.rule}: {self.message}"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
        }


def _size(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def _too_large(source: str, size: int, max_bytes: int) -> FetchError:
    return FetchError(
        f"{source}: {_size(size)} is more than the {_size(max_bytes)} scofeed validates "
        "(no feed reader would fetch that much); nothing was parsed"
    )


def detect_format(data: bytes) -> Format:
    """ "rss" or "atom" from the first element of `data`, without parsing the document.

    Raises NotAFeedError for anything else (HTML pages, RSS 1.0, other XML vocabularies).
    """
    info = sniff(data)
    name = info.root
    fmt = classify(name.rpartition(":")[2], info.namespace) if name else None
    if fmt is None:
        raise NotAFeedError(f"not a feed: {not_a_feed_reason(data, info)}")
    return "rss" if fmt == "rss" else "atom"


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
        raise _too_large(source, len(data), max_bytes)
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


def _check(data: bytes, report: Report) -> None:
    info = sniff(data)
    if declares_entities(data, info):
        detect_format(data)  # not a feed at all: could not run
        report.add(
            "xml-entity-declaration",
            entity_line(data, info),
            "the DOCTYPE declares entities; scofeed does not expand them (they can hide "
            "external files or expand into gigabytes) and feed readers do not agree on them; "
            "remove the DOCTYPE and write characters directly or as &#NNN; references",
        )
        return
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as exc:
        detect_format(data)  # not XML and not meant as a feed: could not run
        mismatch = encoding_mismatch(data, info)
        if mismatch:
            report.add("xml-encoding", 1, mismatch)
            return
        rule, message = syntax_rule(exc)
        line, column = exc.position
        report.add(rule, line or 0, message, column=column or 0)
        return
    namespace, _, local = root.tag[1:].rpartition("}") if root.tag[0] == "{" else ("", "", root.tag)
    fmt = classify(local, namespace or None)
    if fmt is None:
        raise NotAFeedError(
            f"not a feed: {not_a_feed_reason(data, replace(info, root=_written_name(root)))}"
        )
    if info.doctype:
        undefined_entities(root, report)
    if fmt == "rss":
        if namespace:
            report.add(
                "rss-namespace",
                root,
                f'<rss> is in the namespace "{namespace}"; RSS 2.0 elements are in no '
                "namespace: remove the default xmlns declaration",
            )
            return
        _validate_rss.check(root, report)
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
    _validate_atom.check(root, report)
    # libxml2 validates an element's content once per way of matching its optional
    # attributes; on the root that doubles the whole run for every attribute. The root's
    # attributes were checked just above (xml:lang, xml:base, no undefined ones), so the schema
    # sees the root without them.
    root.attrib.clear()
    schema_check(
        root, "atom.rng", "atom-schema", report, container=root, member=f"{{{ATOM_NS}}}entry"
    )


# --- files, folders, URLs -------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentResult:
    """The findings for one document that was read and recognised as a feed."""

    source: str
    findings: tuple[Finding, ...]

    @property
    def valid(self) -> bool:
        return not any(f.severity == ERROR for f in self.findings)


@dataclass(frozen=True)
class ValidationRun:
    """Everything `validate_targets` found; `failures` are the inputs it could not check."""

    documents: tuple[DocumentResult, ...]
    failures: tuple[ScofeedError, ...]
    skipped: tuple[str, ...]  # files found by a folder walk that are not feeds

    @property
    def findings(self) -> list[Finding]:
        return [f for doc in self.documents for f in doc.findings]

    @property
    def exit_status(self) -> int:
        """0 every document valid, 1 some finding is an error, 2 some input could not be read."""
        if self.failures:
            return 2
        return 0 if all(doc.valid for doc in self.documents) else 1


def feed_files(folder: str) -> list[str]:
    """Files under `folder` (recursively) whose names end in .xml, .rss or .atom, sorted."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        found.extend(
            os.path.join(dirpath, name)
            for name in filenames
            if name.lower().endswith(FEED_SUFFIXES) and not name.startswith(".")
        )
    return sorted(found)


def read_file(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of `path`, refusing more than `max_bytes` before reading them."""
    try:
        size = os.stat(path).st_size
        if size > max_bytes:
            raise _too_large(path, size, max_bytes)
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise FetchError(f"{path}: no such file or folder") from None
    except OSError as exc:
        raise FetchError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise _too_large(path, len(data), max_bytes)
    return data


def fetch_url(
    url: str, max_bytes: int = DEFAULT_MAX_BYTES, timeout: float = DEFAULT_TIMEOUT
) -> bytes:
    """GET an http(s) URL, following redirects; at most `max_bytes`, decompressed."""
    import urllib.error  # here, not at the top: `scofeed build` validates bytes and fetches
    import urllib.request  # nothing, and these imports cost it 30 ms

    from scofeed import __version__
    from scofeed.fetching import http_opener

    if not is_url(url):
        raise FetchError(f"{url}: only http:// and https:// URLs can be fetched")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
        url,
        headers={
            "User-Agent": f"scofeed/{__version__} (feed validator)",
            "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
            "text/xml;q=0.9, */*;q=0.1",
            "Accept-Encoding": "gzip",
        },
    )
    try:
        with http_opener().open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise _too_large(url, int(length), max_bytes)
            data = response.read(max_bytes + 1)
            encoding = (response.headers.get("Content-Encoding") or "").lower()
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: the server answered HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise FetchError(f"{url}: cannot fetch it: {exc.reason}") from None
    except TimeoutError:
        raise FetchError(f"{url}: no answer within {timeout:g} seconds") from None
    except (OSError, ValueError) as exc:
        raise FetchError(f"{url}: cannot fetch it: {exc}") from None
    if len(data) > max_bytes:
        raise _too_large(url, len(data), max_bytes)
    if encoding in ("gzip", "x-gzip", "deflate"):
        unpack = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header
        try:
            data = unpack.decompress(data, max_bytes + 1)
        except zlib.error as exc:
            raise FetchError(f"{url}: the compressed response is corrupt: {exc}") from None
        if len(data) > max_bytes or unpack.unconsumed_tail:
            raise _too_large(url, max_bytes + 1, max_bytes)
    return bytes(data)


def is_url(target: str) -> bool:
    return target.lower().startswith(("http://", "https://"))


def validate_targets(
    targets: Iterable[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
) -> ValidationRun:
    """Validate files, folders (searched recursively for *.xml, *.rss, *.atom) and URLs.

    A file or URL named on its own must be a feed: a missing file, an unreachable URL or a
    document that is not a feed is recorded as a failure (exit status 2). Files found by
    walking a folder that turn out not to be feeds (a sitemap.xml, an OPML file) are skipped
    and listed in `skipped`; a folder in which no feed is found is a failure.
    """
    documents: list[DocumentResult] = []
    failures: list[ScofeedError] = []
    skipped: list[str] = []

    def one(source: str, data: bytes, *, named: bool) -> bool:
        try:
            findings = validate_bytes(data, source, max_bytes=max_bytes)
        except NotAFeedError as exc:
            if named:
                failures.append(exc)
            else:
                skipped.append(source)
            return False
        documents.append(DocumentResult(source, tuple(findings)))
        return True

    for target in targets:
        try:
            if is_url(target):
                one(target, fetch_url(target, max_bytes, timeout), named=True)
            elif Path(target).is_dir():
                files = feed_files(target)
                validated = 0
                for path in files:
                    try:
                        validated += one(path, read_file(path, max_bytes), named=False)
                    except FetchError as exc:
                        failures.append(exc)
                        validated += 1
                if not validated:
                    failures.append(
                        FetchError(
                            f"{target}: no RSS or Atom feed in this folder (looked at "
                            f"{len(files)} file(s) named *.xml, *.rss or *.atom)"
                        )
                    )
            else:
                one(target, read_file(target, max_bytes), named=True)
        except FetchError as exc:
            failures.append(exc)
    return ValidationRun(tuple(documents), tuple(failures), tuple(skipped))
