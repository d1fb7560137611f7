"""The rule registry and the collector of findings for one document.

Private to `scofeed.validate`: every rule the validator can emit, with its fixed severity, and
`Report`, which the checks add findings to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Rule:
    """One check: a stable kebab-case name, a fixed severity, what it is about, and the clause
    of the specification it comes from (e.g. "RFC 4287 4.1.1")."""

    name: str
    severity: str
    summary: str
    reference: str


def _rules(*rows: tuple[str, str, str, str]) -> dict[str, Rule]:
    return {row[0]: Rule(*row) for row in rows}


# Every rule the validator can emit. The severity belongs to the rule: errors are MUST-level
# requirements of XML 1.0, RFC 4287 or the RSS 2.0 specification; warnings are SHOULD-level
# advice or forms the specifications allow but readers handle badly.
RULES: dict[str, Rule] = _rules(
    # The document as XML.
    ("xml-not-well-formed", ERROR, "the document is not well-formed XML",
     "XML 1.0 (Fifth Edition) 2.1, well-formed documents"),
    ("xml-invalid-character", ERROR, "a character XML 1.0 does not allow (control characters)",
     "XML 1.0 (Fifth Edition) 2.2, Char"),
    ("xml-encoding", ERROR, "bytes that do not match the declared or detected encoding",
     "XML 1.0 (Fifth Edition) 4.3.3, character encoding in entities"),
    ("xml-entity-declaration", ERROR, "a DOCTYPE declaring entities; refused, never expanded",
     "XML 1.0 (Fifth Edition) 4.2, entity declarations"),
    ("xml-undefined-entity", ERROR, "an entity reference such as &nbsp; that XML does not define",
     "XML 1.0 (Fifth Edition) 4.1, WFC: Entity Declared"),
    ("xml-lang", ERROR, "an xml:lang value that is not a language tag",
     "XML 1.0 (Fifth Edition) 2.12, xml:lang; RFC 3066"),
    ("self-link-relative", WARNING, 'a rel="self" link that is not an absolute URL',
     "RFC 4287 4.2.7.2 (self); RSS Best Practices Profile, atom:link"),
    # RSS 2.0.
    ("rss-namespace", ERROR, "an <rss> root element in a namespace",
     "RSS 2.0, Extending RSS (RSS elements are in no namespace)"),
    ("rss-version-missing", ERROR, "an <rss> root element without a version attribute",
     "RSS 2.0, Required channel elements (<rss> version attribute)"),
    ("rss-version", ERROR, 'an <rss> version attribute other than "2.0"',
     "RSS 2.0, Required channel elements (<rss> version attribute)"),
    ("rss-version-legacy", WARNING, "an RSS 0.91-0.94 version, checked by the RSS 2.0 rules",
     "RSS 2.0, Roadmap and compatibility with RSS 0.91 and 0.92"),
    ("rss-netscape-dtd", ERROR, "a DOCTYPE naming Netscape's RSS 0.91 DTD, no longer served",
     "RSS 0.91 (Netscape), DOCTYPE; its DTD moved to www.rssboard.org in 2008"),
    ("rss-channel", ERROR, "<rss> must hold exactly one <channel>",
     "RSS 2.0, Required channel elements (one <channel>)"),
    ("rss-unexpected-element", ERROR, "an element in no namespace that RSS 2.0 does not define",
     "RSS 2.0, Extending RSS"),
    ("rss-unexpected-attribute", ERROR, "an attribute in no namespace RSS 2.0 does not define",
     "RSS 2.0, Extending RSS"),
    ("rss-duplicate-element", ERROR, "an element that may appear only once, repeated",
     "RSS 2.0, Required and optional channel elements, Elements of <item>"),
    ("rss-missing-element", ERROR, "a required element is missing",
     "RSS 2.0, Required channel elements; <image>, <textInput>, <skipDays>"),
    ("rss-missing-attribute", ERROR, "a required attribute is missing",
     "RSS 2.0, <enclosure>, <source> and <cloud> sub-elements"),
    ("rss-item-title-or-description", ERROR, "an item with neither title nor description",
     "RSS 2.0, Elements of <item>"),
    ("rss-html-not-escaped", ERROR, "markup inside an element whose HTML must be escaped",
     "RSS 2.0, Elements of <item> (description: entity-encoded HTML)"),
    ("rss-title-blank", WARNING, "an empty title",
     "RSS Best Practices Profile, <title>"),
    ("rss-date-rfc822", ERROR, "a date that is not an RFC 822 date-time",
     "RSS 2.0, Optional channel elements (pubDate); RFC 822 5"),
    ("rss-date-weekday", ERROR, "a date whose day name does not match its date",
     "RFC 822 5.1; RSS 2.0, Optional channel elements (pubDate)"),
    ("rss-date-nonstandard", WARNING, "an RFC 822 date in a form readers misread",
     "RSS Best Practices Profile, <pubDate>; RFC 822 5"),
    ("rss-url", ERROR, "a URL that is relative or not a URL where RSS needs an absolute one",
     "RSS 2.0, Required channel elements (link: the URL); RFC 3986 4.3"),
    ("rss-email", ERROR, "an e-mail field without an e-mail address",
     "RSS 2.0, Optional channel elements (managingEditor, webMaster), <author>"),
    ("rss-language", ERROR, "a <language> that is not a language code",
     "RSS 2.0, Optional channel elements (language)"),
    ("rss-guid-ispermalink", ERROR, 'an isPermaLink attribute other than "true" or "false"',
     "RSS 2.0, <guid> sub-element of <item>"),
    ("rss-guid-permalink", ERROR, "a permalink guid that is not an absolute URL",
     "RSS 2.0, <guid> sub-element of <item>"),
    ("rss-guid-duplicate", ERROR, "two items with the same guid",
     "RSS 2.0, <guid> sub-element of <item> (uniquely identifies the item)"),
    ("rss-enclosure", ERROR, "an enclosure length or type that is not valid",
     "RSS 2.0, <enclosure> sub-element of <item>"),
    ("rss-multiple-enclosures", WARNING, "an item with more than one enclosure",
     "RSS Best Practices Profile, <enclosure>"),
    ("rss-cloud", ERROR, "a <cloud> attribute that is not valid",
     "RSS 2.0, <cloud> sub-element of <channel>"),
    ("rss-ttl", ERROR, "a <ttl> that is not a positive whole number of minutes",
     "RSS 2.0, <ttl> sub-element of <channel>"),
    ("rss-text-input-name", ERROR, "a <textInput><name> that is not a form field name",
     "RSS 2.0, <textInput> sub-element of <channel> (name); HTML 4.01 6.2 (NAME)"),
    ("rss-image-size", ERROR, "an image width or height out of range",
     "RSS 2.0, <image> sub-element of <channel>"),
    ("rss-skip-hours", ERROR, "a <skipHours> hour outside 0-23, or more than 24 hours",
     "RSS 2.0, Optional channel elements (skipHours)"),
    ("rss-skip-days", ERROR, "a <skipDays> day that is not an English day name, or over 7",
     "RSS 2.0, Optional channel elements (skipDays)"),
    ("rss-self-link-missing", WARNING, 'no <atom:link rel="self"> in the channel',
     "RSS Best Practices Profile, atom:link"),
    ("rss-schema", ERROR, "content the RSS 2.0 schema rejects that no other rule explains",
     "RSS 2.0 (scofeed's schema schemas/rss-2.0.rng)"),
    # Atom 1.0 (RFC 4287).
    ("atom-namespace", ERROR, "a <feed> root element outside the Atom 1.0 namespace",
     "RFC 4287 2, the Atom namespace"),
    ("atom-unexpected-element", ERROR, "an Atom element where RFC 4287 does not allow it",
     "RFC 4287 4.1 and 4.2 (the children each element allows)"),
    ("atom-unexpected-attribute", ERROR, "an attribute in no namespace RFC 4287 does not define",
     "RFC 4287 6.2 and Appendix B (undefinedAttribute)"),
    ("atom-misplaced-metadata", ERROR, "feed metadata after the first entry",
     "RFC 4287 4.1.1 (atom:feed metadata, then entries)"),
    ("atom-duplicate-element", ERROR, "an element that may appear only once, repeated",
     "RFC 4287 4.1.1, 4.1.2, 3.2 (elements that MUST NOT repeat)"),
    ("atom-missing-element", ERROR, "a required element is missing",
     "RFC 4287 4.1.1, 4.1.2, 3.2 (elements that MUST appear)"),
    ("atom-missing-attribute", ERROR, "a required attribute is missing",
     "RFC 4287 4.2.2.1 (term), 4.2.7.1 (href)"),
    ("atom-author-missing", ERROR, "an entry without author in a feed without author",
     "RFC 4287 4.1.1 and 4.1.2 (atom:author)"),
    ("atom-entry-content-or-alternate", ERROR, "an entry with no content and no alternate link",
     "RFC 4287 4.1.2"),
    ("atom-summary-required", ERROR, "an entry whose content is out of line or binary, no summary",
     "RFC 4287 4.1.2 (atom:summary)"),
    ("atom-content-src-not-empty", ERROR, "an atom:content with src that also has content",
     "RFC 4287 4.1.3.2"),
    ("atom-content-src-type", WARNING, "an atom:content with src but no type",
     "RFC 4287 4.1.3.2"),
    ("atom-content-xml", ERROR, "XML content with text beside its root element, or several roots",
     "RFC 4287 4.1.3.3 (4)"),
    ("atom-content-base64", ERROR, "binary content that is not Base64",
     "RFC 4287 4.1.3.3 (5)"),
    ("atom-type-invalid", ERROR, "a type attribute value RFC 4287 does not allow there",
     "RFC 4287 3.1.1 and 4.1.3.1"),
    ("atom-html-not-escaped", ERROR, "child elements in text, html or text/* content",
     "RFC 4287 3.1.1.1 and 3.1.1.2"),
    ("atom-xhtml-misplaced", ERROR, "an Atom or AtomPub element inside xhtml content",
     "RFC 4287 3.1.1.3 (content that could validly appear within an xhtml:div)"),
    ("atom-xhtml-div", ERROR, "xhtml content that is not exactly one xhtml:div",
     "RFC 4287 3.1.1.3"),
    ("atom-date-rfc3339", ERROR, "a date that is not an RFC 3339 date-time with time zone",
     "RFC 4287 3.3; RFC 3339 5.6"),
    ("atom-id", ERROR, "an atom:id that is not an absolute IRI",
     "RFC 4287 4.2.6"),
    ("atom-id-duplicate", WARNING, "two entries with the same id (versions of one entry)",
     "RFC 4287 4.1.1 (entries sharing an atom:id)"),
    ("atom-id-tag", ERROR, "an atom:id tag: URI that breaks RFC 4151's syntax",
     "RFC 4151 2.1 (tagURI = tag:authorityName,date:specific); RFC 4287 4.2.6"),
    ("atom-id-urn", ERROR, "an atom:id urn: (or urn:uuid:) that breaks RFC 2141's (RFC 4122's)",
     "RFC 2141 2 (urn:NID:NSS); RFC 4122 3 (urn:uuid:); RFC 4287 4.2.6"),
    ("atom-ids-all-same", ERROR, "every entry of a feed (three or more) with the same id",
     "RFC 4287 4.1.1 (entries sharing an atom:id are one entry), 4.2.6"),
    ("atom-iri", ERROR, "an IRI reference that is none: white space, bad characters or %-escapes",
     "RFC 3987 2.2; RFC 4287 3.2.2, 4.2.7.1 (IRI references)"),
    ("atom-category-scheme", ERROR, "a category scheme that is not an absolute IRI",
     "RFC 4287 4.2.2.2"),
    ("atom-email", ERROR, "an atom:email that is not an e-mail address",
     "RFC 4287 3.2.3; RFC 2822 3.4.1 (addr-spec)"),
    ("atom-link-rel", ERROR, "a link rel that is empty or neither a name nor an IRI",
     "RFC 4287 4.2.7.2"),
    ("atom-link-length", ERROR, "a link length that is not a whole number of octets",
     "RFC 4287 4.2.7.6"),
    ("atom-hreflang", ERROR, "a link hreflang that is not a language tag",
     "RFC 4287 4.2.7.4"),
    ("atom-link-alternate-duplicate", ERROR, "two alternate links with the same type and hreflang",
     "RFC 4287 4.1.1 and 4.1.2 (one alternate per type and hreflang)"),
    ("atom-self-link-missing", WARNING, 'no <link rel="self"> in the feed',
     "RFC 4287 4.2.7.2 (self)"),
    ("atom-schema", ERROR, "content the RFC 4287 schema rejects that no other rule explains",
     "RFC 4287 Appendix B (RELAX NG schema)"),
    # Feed History (RFC 5005): scofeed.validate.ext.history.
)  # fmt: skip


# The rules of the other document kinds (RSS 1.0, OpenSearch descriptions, AtomPub documents)
# and of the extension namespaces (`scofeed.validate.ext`), each module's own; imported here,
# after the core rows, so that `RULES` is the one registry every rule is in.
from scofeed.validate import app as _app  # noqa: E402
from scofeed.validate import opensearch as _opensearch  # noqa: E402
from scofeed.validate import rss1 as _rss1  # noqa: E402
from scofeed.validate.ext import EXTENSION_RULES  # noqa: E402

for _row in (*_rss1.RULES, *_opensearch.RULES, *_app.RULES, *EXTENSION_RULES):
    if _row[0] in RULES:  # pragma: no cover - a programming error, caught at import
        raise ValueError(f"rule {_row[0]} registered twice")
    RULES[_row[0]] = Rule(*_row)


@dataclass(frozen=True, eq=False)
class Hit:
    """A finding before it knows its source; `element` ties it to the tree (schema de-dup)."""

    line: int
    column: int
    rule: str
    message: str
    element: Any = None
    scope: Any = None  # the element whose content the hit explains (for schema de-dup)


MAX_PER_RULE = 200  # findings kept per rule and document: memory stays bounded on any input


class Report:
    """Collects hits for one document."""

    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.counts: dict[str, int] = {}

    def add(self, rule: str, where: Any, message: str, column: int = 0, scope: Any = None) -> None:
        """Record `rule` at an element (or at a line number given as an int).

        `scope` is the element whose content the finding explains when that is not `where`
        itself: a repeated or misplaced child explains its parent's content model.
        """
        if rule not in RULES:  # pragma: no cover - a programming error, caught by the tests
            raise KeyError(rule)
        count = self.counts[rule] = self.counts.get(rule, 0) + 1
        if count > MAX_PER_RULE + 1:
            return
        if count == MAX_PER_RULE + 1:
            message = f"and more like this: only the first {MAX_PER_RULE} are listed"
        if isinstance(where, int):
            self.hits.append(Hit(where, column, rule, message))
        else:
            line = where.sourceline or 0
            self.hits.append(Hit(line, column, rule, message, where, scope))

    def error_elements(self) -> list[Any]:
        """The elements (or scopes) the error findings explain."""
        return [
            h.scope if h.scope is not None else h.element
            for h in self.hits
            if h.element is not None and RULES[h.rule].severity == ERROR
        ]
