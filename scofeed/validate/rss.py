"""The RSS 2.0 rules no schema can state (https://www.rssboard.org/rss-specification).

This module holds the document structure: one pass over rss > channel > item, which children
each allows and requires, and the dispatch of each child to its handler in `RssValues`
(`scofeed.validate.rss_values`, the rules for the elements' values). Extension elements (anything
in a namespace) are skipped except the few whose meaning the rules need: atom:link rel="self"
and content:encoded, dispatched by their Clark name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scofeed.validate.rss_values import CHANNEL, ITEM, RssValues
from scofeed.validate.rules import Report
from scofeed.validate.values import absolute_url_problem, is_element, qname

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_LINK = f"{{{ATOM_NS}}}link"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"

LEGACY_VERSIONS = ("0.91", "0.92", "0.93", "0.94", "2.0.1")
# Netscape's RSS 0.91 DTD: gone from my.netscape.com since 2008 (its files moved to the RSS
# Advisory Board), so readers that load the DOCTYPE's DTD fail on a feed that still names it.
NETSCAPE_DTD_HOST = "my.netscape.com"
RSSBOARD_DTD = "http://www.rssboard.org/rss-0.91.dtd"


class _Checker(RssValues):
    """The structure of an RSS 2.0 document over the element handlers of `RssValues`."""

    def __init__(self, report: Report) -> None:
        super().__init__(report)
        self.self_links = 0
        text = self.text
        # The handler of each child of <channel> and of <item>, by name.
        self.channel_handlers: dict[str, Callable[[Any, str, str], None]] = {
            "title": self.title,
            "link": self.url_element,
            "description": self.html,
            "language": self.language,
            "copyright": text,
            "managingEditor": self.email,
            "webMaster": self.email,
            "pubDate": self.date,
            "lastBuildDate": self.date,
            "category": text,
            "generator": text,
            "docs": self.url_element,
            "cloud": self.cloud,
            "ttl": self.ttl,
            "image": self.image,
            "rating": text,
            "textInput": self.text_input,
            "skipHours": self.skip_hours,
            "skipDays": self.skip_days,
        }
        self.item_handlers: dict[str, Callable[[Any, str, str], None]] = {
            "title": self.title,
            "link": self.url_element,
            "description": self.html,
            "author": self.email,
            "category": text,
            "comments": self.url_element,
            "enclosure": self.enclosure,
            "guid": self.guid,
            "pubDate": self.date,
            "source": self.source,
        }
        # Extension elements with rules, by Clark name ({namespace}local), so that each costs one
        # lookup however many namespaces get rules; called with (element, its parent's name).
        self.extension_handlers: dict[str, Callable[[Any, str], None]] = {
            ATOM_LINK: self.atom_link,
            CONTENT_ENCODED: self.content_encoded,
        }

    # -- extension elements -------------------------------------------------------------------

    def extension(self, el: Any, parent: str) -> None:
        handler = self.extension_handlers.get(el.tag)
        if handler is not None:
            handler(el, parent)

    def atom_link(self, el: Any, parent: str) -> None:
        """The channel's rel="self" link is counted: <channel> asks for one."""
        href = el.get("href")
        if href is None:
            self.r.add("rss-missing-attribute", el, "<atom:link> has no href attribute")
            return
        if el.get("rel") == "self" and parent == "channel":
            self.self_links += 1
            problem = absolute_url_problem(href.strip())
            if problem:
                self.r.add("self-link-relative", el, f'the rel="self" link "{href}" {problem}')

    def content_encoded(self, el: Any, parent: str) -> None:
        """Unescaped HTML parses as elements, which readers drop or mangle."""
        for child in el:
            if is_element(child):
                self.r.add(
                    "rss-html-not-escaped",
                    child,
                    f"<content:encoded> contains a {qname(child)} element; its HTML must "
                    "be escaped or wrapped in <![CDATA[ ... ]]>",
                )
                break

    # -- the structure ------------------------------------------------------------------------

    def doctype(self, root: Any) -> None:
        system_url = root.getroottree().docinfo.system_url or ""
        if NETSCAPE_DTD_HOST in system_url.lower():
            self.r.add(
                "rss-netscape-dtd",
                1,
                f'the DOCTYPE names the DTD "{system_url}", which Netscape no longer serves; '
                f'readers that load it fail: point the DOCTYPE at "{RSSBOARD_DTD}" (the RSS '
                "Advisory Board's copy) or remove the DOCTYPE and the entities it defines",
            )

    def rss(self, root: Any) -> None:
        self.doctype(root)
        version = root.get("version")
        if version is None:
            self.r.add(
                "rss-version-missing",
                root,
                '<rss> has no version attribute; write <rss version="2.0">',
            )
        elif version.strip() in LEGACY_VERSIONS:
            self.r.add(
                "rss-version-legacy",
                root,
                f'<rss version="{version}"> was checked with the RSS 2.0 rules; '
                'write version="2.0"',
            )
        elif version.strip() != "2.0":
            self.r.add(
                "rss-version",
                root,
                f'<rss version="{version}"> is not RSS 2.0; write version="2.0"',
            )
        self.attributes(root, "rss")
        channels = []
        for child in root:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag == "channel":
                channels.append(child)
            elif tag[0] == "{":
                self.extension(child, "rss")
            else:
                self.unexpected(child, "rss")
        if not channels:
            self.r.add("rss-channel", root, "<rss> holds no <channel> element")
            return
        for extra in channels[1:]:
            self.r.add(
                "rss-channel", extra, "<rss> holds more than one <channel>; keep one", scope=root
            )
        self.channel(channels[0])

    def channel(self, ch: Any) -> None:
        self.attributes(ch, "channel")
        kids = self.children(ch, "channel", CHANNEL)
        present = {name for name, _ in kids}
        self.require(ch, "channel", present, ("title", "link", "description"))
        handlers = self.channel_handlers
        for name, el in kids:
            if name == "item":
                self.item(el)
            else:
                handlers[name](el, name, "channel")
        if self.self_links == 0:
            self.r.add(
                "rss-self-link-missing",
                ch,
                'the channel has no <atom:link rel="self" href="URL of this feed" '
                'type="application/rss+xml"/>; add one so readers know where the feed lives',
            )

    def item(self, item: Any) -> None:
        self.attributes(item, "item")
        kids = self.children(item, "item", ITEM)
        handlers = self.item_handlers
        has_text = enclosures = 0
        for name, el in kids:
            if name == "title" or name == "description":
                has_text = 1
            elif name == "enclosure":
                enclosures += 1
                if enclosures == 2:
                    self.r.add(
                        "rss-multiple-enclosures",
                        el,
                        "<item> has more than one <enclosure>; many readers use only the first",
                    )
            handlers[name](el, name, "item")
        if not has_text:
            self.r.add(
                "rss-item-title-or-description",
                item,
                "<item> has neither <title> nor <description>; RSS 2.0 requires at least one",
            )


def check(root: Any, report: Report) -> None:
    """Add the findings for an `<rss>` document (root already known to be `rss`)."""
    checker = _Checker(report)
    try:
        checker.rss(root)
    finally:
        vars(checker).clear()  # its handler tables cycle back to it (`Checker.__init__`)
