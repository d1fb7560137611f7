"""The Atom 1.0 rules no schema can state (RFC 4287), including its own Schematron rules.

This module holds the document structure: one pass over feed > entry (> source), which metadata
each allows, requires and allows once, what must come before the first entry, the feed-wide
rules (rel="self", one author for every entry, unique ids, one alternate link per type and
language), and the dispatch of each child to its handler in `AtomValues`
(`scofeed.validate.atom_values`, the rules for the elements' values). Foreign markup (elements
outside the Atom namespace) is left alone, as RFC 4287 section 6 asks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scofeed.validate.atom_values import (
    ENTRY,
    ENTRY_ONCE,
    FEED,
    METADATA_ONCE,
    A,
    AtomValues,
    is_text_type,
    is_xml_type,
)
from scofeed.validate.rules import Report
from scofeed.validate.values import XML_BASE, is_absolute, qname, text_of

IANA_REL = "http://www.iana.org/assignments/relation/"


def _shown(attr: str, value: str | None) -> str:
    return f"no {attr}" if value is None else f'{attr}="{value}"'


class _Checker(AtomValues):
    """The structure of an Atom feed or entry document over the element handlers of
    `AtomValues`."""

    def __init__(self, report: Report) -> None:
        super().__init__(report)
        # Each entry id seen, with its entry and <updated>: ids repeat only across versions.
        self.ids: dict[str, tuple[Any, str]] = {}
        # The handler of each Atom child of <feed>, <entry> and <source>, by local name.
        self.handlers: dict[str, Callable[[Any, str], None]] = {
            "author": self.person,
            "contributor": self.person,
            "title": self.text_construct,
            "subtitle": self.text_construct,
            "summary": self.text_construct,
            "rights": self.text_construct,
            "updated": self.date,
            "published": self.date,
            "id": self.atom_id,
            "link": self.link,
            "category": self.category,
            "generator": self.generator,
            "icon": self.icon,
            "logo": self.icon,
            "content": self.content,
            "source": self.source,
        }

    # -- the structure ------------------------------------------------------------------------

    def metadata(
        self, el: Any, name: str, groups: dict[str, list[Any]], required: tuple[str, ...]
    ) -> None:
        """The metadata of a feed, entry or source: none twice that may appear once, the
        required ones present, each checked by its handler, the alternate links unique."""
        for child_name, children in groups.items():
            if len(children) > 1 and (child_name in METADATA_ONCE or child_name in ENTRY_ONCE):
                self.r.add(
                    "atom-duplicate-element",
                    children[1],
                    f"<{name}> has more than one <{child_name}>; RFC 4287 allows one",
                    scope=el,
                )
        for child_name in required:
            if child_name not in groups:
                self.r.add(
                    "atom-missing-element",
                    el,
                    f"<{name}> has no <{child_name}>; RFC 4287 requires one",
                )
        for child_name, children in groups.items():
            for child in children:
                self.dispatch(child, child_name)
        self.alternates(name, groups.get("link", []))

    def dispatch(self, el: Any, name: str) -> None:
        self.handlers[name](el, name)

    def source(self, el: Any, name: str) -> None:
        self.attributes(el, name)
        self.metadata(el, "source", self.groups(el, "source", FEED), ())

    def alternates(self, parent: str, links: list[Any]) -> None:
        seen: dict[tuple[str | None, str | None], Any] = {}
        for link in links:
            rel = link.get("rel", "alternate")
            if rel not in ("alternate", IANA_REL + "alternate"):
                continue
            key = (link.get("type"), link.get("hreflang"))
            if key in seen:
                self.r.add(
                    "atom-link-alternate-duplicate",
                    link,
                    f"<{parent}> has two alternate links with {_shown('type', key[0])} and "
                    f"{_shown('hreflang', key[1])} (the other on line {seen[key].sourceline}); "
                    "RFC 4287 allows one per type and language",
                )
            else:
                seen[key] = link

    def feed(self, feed: Any) -> None:
        self.attributes(feed, "feed")
        groups: dict[str, list[Any]] = {}
        entries: list[Any] = []
        for child in feed:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == A + "entry":
                entries.append(child)
                continue
            if entries:
                self.r.add(
                    "atom-misplaced-metadata",
                    child,
                    f"{qname(child)} comes after an <entry>; RFC 4287 puts feed metadata "
                    "before the first entry",
                    scope=feed,
                )
            if not tag.startswith(A):
                continue
            local = tag[len(A) :]
            if local not in FEED:
                self.unexpected(child, "feed")
                continue
            groups.setdefault(local, []).append(child)
        self.metadata(feed, "feed", groups, ("id", "title", "updated"))
        self.self_link(feed, groups.get("link", []))
        feed_author = "author" in groups
        for entry in entries:
            self.entry(entry, feed_author)
        same = len(self.ids) == 1 and self.r.counts.get("atom-id-duplicate") == len(entries) - 1
        if len(entries) > 2 and same:  # two may be versions of one entry (RFC 4287 4.1.1)
            # Versions of one entry are allowed; a feed whose every entry is one is a generator
            # writing one id (often the feed's own) into each: readers show a single entry.
            self.r.add(
                "atom-ids-all-same",
                entries[1],
                f'all {len(entries)} entries have the id "{next(iter(self.ids))}"; readers '
                "take them for one entry and show only one: give each entry its own permanent "
                "id (a tag: URI or its permalink)",
            )

    def self_link(self, feed: Any, links: list[Any]) -> None:
        selfs = [link for link in links if link.get("rel") in ("self", IANA_REL + "self")]
        if not selfs:
            self.r.add(
                "atom-self-link-missing",
                feed,
                'the feed has no <link rel="self" href="URL of this feed"/>; add one so '
                "readers know where the feed lives",
            )
            return
        href = (selfs[0].get("href") or "").strip()
        if href and not is_absolute(href):
            bases = [e.get(XML_BASE) for e in (selfs[0], feed) if e.get(XML_BASE)]
            if not any(is_absolute(b.strip()) for b in bases):
                self.r.add(
                    "self-link-relative",
                    selfs[0],
                    f'the rel="self" link "{href}" is relative; write the feed\'s full URL',
                )

    def entry(self, entry: Any, feed_author: bool) -> None:
        self.attributes(entry, "entry")
        groups = self.groups(entry, "entry", ENTRY)
        self.metadata(entry, "entry", groups, ("id", "title", "updated"))
        if "author" not in groups and not feed_author:
            source = groups.get("source", [None])[0]
            if source is None or source.find(A + "author") is None:
                self.r.add(
                    "atom-author-missing",
                    entry,
                    "<entry> has no <author> and neither has the feed; add an <author> with "
                    "a <name> to the feed or to every entry",
                )
        content = groups.get("content", [None])[0]
        if content is None:
            if not any(
                link.get("rel", "alternate") in ("alternate", IANA_REL + "alternate")
                for link in groups.get("link", [])
            ):
                self.r.add(
                    "atom-entry-content-or-alternate",
                    entry,
                    '<entry> has neither <content> nor <link rel="alternate">; add one',
                )
        elif "summary" not in groups:
            kind = content.get("type", "text")
            binary = kind not in ("text", "html", "xhtml") and not (
                is_text_type(kind) or is_xml_type(kind)
            )
            if content.get("src") is not None or binary:
                self.r.add(
                    "atom-summary-required",
                    entry,
                    "<entry> has out-of-line or binary <content> but no <summary>; add one",
                )
        ids = groups.get("id")
        if ids:
            value = text_of(ids[0]).strip()
            updated = text_of(groups["updated"][0]).strip() if "updated" in groups else ""
            if value in self.ids:
                other, other_updated = self.ids[value]
                same = " and the same <updated>" if other_updated == updated else ""
                self.r.add(
                    "atom-id-duplicate",
                    entry,
                    f'<entry> has id "{value}" like the entry on line {other.sourceline}'
                    f"{same}; entries sharing an id are versions of one entry and should "
                    "differ in <updated>",
                )
            else:
                self.ids[value] = (entry, updated)


def check(root: Any, report: Report) -> None:
    """Add the findings for an Atom feed or entry document (root in the Atom namespace)."""
    checker = _Checker(report)
    try:
        if root.tag == A + "feed":
            checker.feed(root)
        else:
            checker.entry(root, feed_author=False)
    finally:
        vars(checker).clear()  # its handler tables cycle back to it (`Checker.__init__`)
