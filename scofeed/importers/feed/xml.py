"""RSS (2.0, 1.0, 0.90 to 0.94) and Atom 1.0 documents -> posts (see scofeed.importers.feed).

RSS 1.0 and 0.90 are RDF: their items stand beside the channel, in their own namespace, and an
item's id is its `rdf:about` (as feed readers take it). RSS 0.91 items often have no guid and no
date: the link is then the id, and the channel's date (`pubDate`, `lastBuildDate`, `dc:date`)
the date, with a note; a feed with no date anywhere (RSS 0.90 has none) is refused, naming the
items, as there is nothing to date the posts by. The HTML entities of the 0.91 DTD (`&eacute;`),
which no parser here loads, are read as the characters they name.
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from html.entities import name2codepoint
from typing import Any, NoReturn

from scofeed.errors import InputError, NotAFeedError, Problem
from scofeed.importers.feed import enclosures
from scofeed.importers.feed.common import (
    ATOM,
    CONTENT,
    DC,
    SLASH,
    THR,
    XHTML,
    FeedImport,
    Reader,
    _absolute,
    _int,
    short,
)
from scofeed.importers.html import fold, html_text, text_to_html
from scofeed.infra.dates import parse_iso, parse_rfc822
from scofeed.infra.prolog import declares_entities
from scofeed.infra.urls import has_scheme, is_http_url
from scofeed.infra.xmlsafe import parser

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
RSS1 = "{http://purl.org/rss/1.0/}"
RSS090 = "{http://my.netscape.com/rdf/simple/0.9/}"
ITUNES = enclosures.ITUNES
_RSS_VERSIONS = ("2.0", "0.91", "0.92", "0.93", "0.94")


class XmlReader(Reader):
    def parse(self, data: bytes) -> FeedImport:
        from lxml import etree

        if declares_entities(data):
            self._refuse_entities("")
        try:
            root = etree.fromstring(data, parser(), base_url=self.base_url)
        except etree.XMLSyntaxError as exc:
            line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
            raise InputError(
                f"{self.source}: not well-formed XML; nothing was imported",
                [Problem(self.source, line, f"{exc.msg}; fix the feed or ask its publisher to")],
            ) from None
        dtd = root.getroottree().docinfo.internalDTD
        if dtd is not None and list(dtd.iterentities()):
            self._refuse_entities(", ".join(sorted(e.name for e in dtd.iterentities())))
        _named_entities(root)
        if root.tag == "rss":
            version = (root.get("version") or "").strip()
            self.kind = f"RSS {version}" if version in _RSS_VERSIONS else "RSS 2.0"
            return self._rss(root, "")
        if root.tag == f"{RDF}RDF":
            for ns, kind in ((RSS1, "RSS 1.0"), (RSS090, "RSS 0.90")):
                if root.find(f"{ns}channel") is not None or root.find(f"{ns}item") is not None:
                    self.kind = kind
                    return self._rss(root, ns)
        if root.tag == f"{ATOM}feed":
            self.kind = "Atom 1.0"
            return self._atom(root)
        raise NotAFeedError(
            f"{self.source}: the root element is <{etree.QName(root).localname}>"
            f"{' in ' + etree.QName(root).namespace if etree.QName(root).namespace else ''}, "
            "not an RSS <rss>, an RSS 1.0 <rdf:RDF> with a channel, or an Atom 1.0 <feed>"
        )

    def _refuse_entities(self, names: str) -> NoReturn:
        raise InputError(
            f"{self.source}: its DOCTYPE declares entities{f' ({names})' if names else ''}; such "
            "a document can read local files or grow without end, so it is refused; nothing was "
            "imported"
        )

    def _rss(self, root: Any, ns: str) -> FeedImport:
        """RSS 2.0 and 0.9x (`ns` empty: items inside the channel), or RSS 1.0 and 0.90 (`ns`
        their namespace: items beside the channel, in the RDF root)."""
        channel = root.find(f"{ns}channel")
        if channel is None:
            raise InputError(
                f"{self.source}: not a valid RSS feed",
                [
                    Problem(
                        self.source,
                        root.sourceline,
                        f"<{'rdf:RDF' if ns else 'rss'}> has no <channel>; add one",
                    )
                ],
            )
        from scofeed.importers.wordpress import wxr_namespace  # here: it imports this package

        if wxr_namespace(channel) is not None:  # its pages, attachments and drafts are no entries
            given = "FILE.xml" if has_scheme(self.source) else self.source
            raise NotAFeedError(
                f"{self.source}: is a WordPress export (WXR), not a feed; import it with "
                f"scofeed import wordpress {given}"
            )
        self.home = _absolute(_child_text(channel, f"{ns}link"), self.base_url)
        posts = []
        items = (root if ns else channel).iterfind(f"{ns}item")
        for number, item in enumerate(items, 1):
            where = f"item {number}"
            line = item.sourceline
            link = _absolute(_child_text(item, f"{ns}link"), self.home or self.base_url)
            # The id as the old feed gave it, whatever its form: its guid (RSS 2.0), its
            # rdf:about (RSS 1.0), else its link. A permalink guid is also the link if none.
            guid_el = item.find("guid")
            guid = fold(guid_el.text or "") if guid_el is not None else ""
            if guid and guid_el.get("isPermaLink", "true").strip().lower() != "false":
                permalink = _absolute(guid, self.home or self.base_url) or guid
                if is_http_url(permalink):  # a permalink readers can follow, not javascript:
                    link = link or permalink
            guid = guid or fold(item.get(f"{RDF}about") or "")
            published = self._rss_date(item, "pubDate", where)
            if published is None:
                published = self.iso_date(_child_text(item, f"{DC}date"), line, f"{where}: dc:date")
            updated = self.iso_date(_child_text(item, f"{ATOM}updated"), line, f"{where}: updated")
            if published is None and updated is None and not self._failed(where):
                published = self._channel_date(channel, line, where)
            content = item.find(f"{CONTENT}encoded")
            description = _inner(item.find(f"{ns}description"))
            if description is None:  # a podcast's words, when it gives no others
                description = _inner(item.find(f"{ITUNES}summary"))
            html = _inner(content) if content is not None else description
            post = self.post(
                line=line,
                where=where,
                entry_id=guid or link,
                title=_child_text(item, f"{ns}title"),
                link=link,
                published=published,
                updated=updated,
                author=_child_text(item, f"{DC}creator")
                or _rss_author(_child_text(item, "author"))
                or _child_text(item, f"{ITUNES}author"),
                tags=[c.text or "" for c in item.iterfind("category")]
                + [c.text or "" for c in item.iterfind(f"{DC}subject")],
                html=html,
                summary=description if content is not None else None,
                comments=_int(_child_text(item, f"{SLASH}comments")),
                base=_xml_base(item) or link,
                enclosures=enclosures.found(
                    enclosures.rss_items(item),
                    link or self.home or self.base_url,
                    self.noted(line, where),
                ),
            )
            if post is not None:
                posts.append(post)
        return self.finish(posts)

    def _channel_date(self, channel: Any, line: int | None, where: str) -> datetime | None:
        """pubDate is optional in RSS (0.91 items seldom have one): the channel's date is the
        best there is."""
        for name in ("pubDate", "lastBuildDate", f"{DC}date"):
            if name == f"{DC}date":
                published = self.iso_date(_child_text(channel, name), None, "the channel: dc:date")
            else:
                published = self._rss_date(channel, name, "the channel")
            if published is not None:
                shown = name.replace(DC, "dc:")
                self.notes.append(
                    f"{Problem(self.source, line, where)}: has no date; dated with the channel's "
                    f"{shown}, {published.isoformat()}"
                )
                return published
        return None

    def _rss_date(self, item: Any, name: str, where: str) -> datetime | None:
        el = item.find(name)
        if el is None or not (el.text or "").strip():
            return None
        value = el.text.strip()
        try:
            parsed = parse_rfc822(value)
        except ValueError:
            try:  # ISO 8601 in a pubDate is wrong, and common
                parsed = parse_iso(value)
            except ValueError:
                self.fail(
                    el.sourceline,
                    f'{where}: {name} "{short(value)}" does not parse; write it as RFC 822, such '
                    "as Mon, 19 May 2008 14:30:00 +0000",
                )
                return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    def _atom(self, root: Any) -> FeedImport:
        self.home = _atom_link(root, self.base_url)
        feed_authors = _atom_authors(root)
        posts = []
        for number, entry in enumerate(root.iterfind(f"{ATOM}entry"), 1):
            where = f"entry {number}"
            line = entry.sourceline
            link = _atom_link(entry, self.base_url)
            source = entry.find(f"{ATOM}source")
            authors = _atom_authors(entry) or (_atom_authors(source) if source is not None else [])
            content = entry.find(f"{ATOM}content")
            html = None
            if content is not None and not content.get("src"):
                html = _atom_html(content)
            summary_el = entry.find(f"{ATOM}summary")
            summary = _atom_html(summary_el) if summary_el is not None else None
            replies = [
                _int(el.get(f"{THR}count"))
                for el in entry.iterfind(f"{ATOM}link")
                if el.get("rel") == "replies" and el.get(f"{THR}count") is not None
            ]
            total = _int(_child_text(entry, f"{THR}total"))
            title_el = entry.find(f"{ATOM}title")
            post = self.post(
                line=line,
                where=where,
                entry_id=_child_text(entry, f"{ATOM}id"),
                title=html_text(_atom_html(title_el) or "") if title_el is not None else None,
                link=link,
                published=self.iso_date(
                    _child_text(entry, f"{ATOM}published"), line, f"{where}: published"
                ),
                updated=self.iso_date(
                    _child_text(entry, f"{ATOM}updated"), line, f"{where}: updated"
                ),
                author=", ".join(authors or feed_authors),
                tags=[
                    c.get("label") or c.get("term") or "" for c in entry.iterfind(f"{ATOM}category")
                ],
                html=html if html is not None else summary,
                summary=summary if html is not None else None,
                comments=total if total is not None else next(iter(replies), None),
                base=(content.base if content is not None else None) or entry.base or link,
                enclosures=enclosures.found(
                    enclosures.atom_links(entry),
                    entry.base or link or self.home or self.base_url,
                    self.noted(line, where),
                ),
            )
            if post is not None:
                posts.append(post)
        return self.finish(posts)


def _child_text(el: Any, name: str) -> str | None:
    child = el.find(name)
    if child is None:
        return None
    return str(child.text or "").strip() or None


def _inner(el: Any) -> str | None:
    """An element's content as markup: its text (escaped HTML, or CDATA), or its children when
    a publisher put the HTML in as elements."""
    if el is None:
        return None
    if len(el) == 0:
        return str(el.text or "")
    from lxml import etree

    return (el.text or "") + "".join(
        etree.tostring(child, encoding="unicode", with_tail=True) for child in el
    )


def _atom_html(el: Any) -> str | None:
    """An Atom text construct or content (type text, html or xhtml) as HTML."""
    from lxml import etree

    kind = (el.get("type") or "text").strip().lower()
    if kind in ("html", "text/html"):
        return str(el.text or "")
    if kind in ("xhtml", "application/xhtml+xml"):
        div = el.find(f"{XHTML}div")
        holder = copy.deepcopy(div if div is not None else el)
        # A copy of the tree, not a parse of its text: an entity reference the document may
        # leave undefined (it names an external DTD) is kept as it is, not a syntax error.
        for node in holder.iter():
            if isinstance(node.tag, str):
                node.tag = etree.QName(node).localname
        etree.cleanup_namespaces(holder)
        return (holder.text or "") + "".join(
            etree.tostring(child, encoding="unicode", with_tail=True) for child in holder
        )
    if kind in ("text", "text/plain"):
        return text_to_html(el.text or "")
    return None  # base64 media: not a post's words


def _atom_link(el: Any, base: str | None) -> str | None:
    for link in el.iterfind(f"{ATOM}link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return _absolute(link.get("href"), link.base or base)
    return None


def _atom_authors(el: Any) -> list[str]:
    names = []
    for author in el.iterfind(f"{ATOM}author"):
        name = _child_text(author, f"{ATOM}name") or _child_text(author, f"{ATOM}email")
        if name:
            names.append(fold(name))
    return names


def _xml_base(el: Any) -> str | None:
    base = el.base
    return str(base) if base and has_scheme(str(base)) else None


def _rss_author(value: str | None) -> str | None:
    """RSS `<author>` is an address, often with the name: `jo@example.org (Jo Smith)`."""
    if not value:
        return None
    match = _ADDRESS_AND_NAME.match(value)
    return match.group(1) if match else value


# One "@" and no "(" in the address: `\S+@\S+` took quadratic time on a long run of "a@".
_ADDRESS_AND_NAME = re.compile(r"^\s*[^\s(@]+@[^\s(@]+\s*\((.+)\)\s*$")


def _named_entities(root: Any) -> None:
    """Entity references the document does not declare (the parser neither loads a DTD nor
    expands one) -> the characters their HTML names name, as the DTD of RSS 0.91 and XHTML's
    define them; an unknown name stays as it is written."""
    from lxml import etree

    for ref in list(root.iter(etree.Entity)):
        code = name2codepoint.get(ref.name)
        text = (chr(code) if code is not None else str(ref.text)) + (ref.tail or "")
        parent, before = ref.getparent(), ref.getprevious()
        if parent is None:
            continue
        if before is not None:
            before.tail = (before.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
        parent.remove(ref)
