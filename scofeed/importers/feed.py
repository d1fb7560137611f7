"""An existing feed (RSS 2.0, Atom 1.0, JSON Feed 1.0/1.1), from a file or an http(s) URL -> posts.

Each entry keeps its id in `id:` (the RSS guid, or its link when it has none; the Atom id; the
JSON Feed id), so that subscribers of the old feed see no entry twice after the move. Content
(`content:encoded`, Atom content, `content_html`) is kept as the post's HTML body.

The document is untrusted: XML is parsed with entities left unresolved, no DTD loaded and no
network access, and a document whose DOCTYPE declares entities is refused; nothing named inside
the document is ever fetched; and documents over `MAX_FEED_BYTES` are refused.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import quote, urljoin, urlsplit

from scofeed import __version__
from scofeed.errors import FetchError, InputError, NotAFeedError, Problem
from scofeed.importers import (
    NewPost,
    body_title,
    fold,
    html_text,
    markdown_from_html,
    plain,
    read_capped,
    text_to_html,
)

MAX_FEED_BYTES = 20 * 2**20
USER_AGENT = f"scofeed/{__version__} (feed import; +https://github.com/scofeed/scofeed)"

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
SLASH = "{http://purl.org/rss/1.0/modules/slash/}"
THR = "{http://purl.org/syndication/thread/1.0}"
XHTML = "{http://www.w3.org/1999/xhtml}"
# The same rule as the store's `id:` check: an absolute URI (RFC 3987 IRI, roughly).
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_HTML_PAGE = re.compile(rb"<!doctype\s+html|<html[\s>]", re.IGNORECASE)
_DECLARES_ENTITY = re.compile(rb"<!DOCTYPE[^>\[]*\[.*?<!ENTITY", re.DOTALL)


@dataclass
class FeedImport:
    """The posts a feed holds, what kind of feed it was, and notes for the editor."""

    posts: list[NewPost]
    kind: str  # "RSS 2.0", "Atom 1.0", "JSON Feed 1.1"
    notes: list[str] = field(default_factory=list)


def read_feed(source: str, *, tag_authority: str, timeout: float = 30.0) -> FeedImport:
    """A feed from a file or an http(s) URL. `tag_authority` names ids made for entries whose
    own id is not a URI (see `_entry_id`)."""
    if _URL.match(source):
        data, url = fetch(source, timeout=timeout)
        return parse_feed(data, source, base_url=url, tag_authority=tag_authority)
    data = read_capped(
        Path(source),
        MAX_FEED_BYTES,
        f"is over the {_amount(MAX_FEED_BYTES)} a feed may have; import it in parts",
    )
    return parse_feed(data, source, base_url=None, tag_authority=tag_authority)


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are followed to http(s) URLs only (urllib would also go to ftp:)."""

    def http_error_302(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any
    ) -> Any:
        target = urljoin(req.full_url, headers.get("location") or headers.get("uri") or "")
        if urlsplit(target).scheme.lower() not in ("http", "https"):
            raise FetchError(f"{req.full_url}: redirects to {target}, which is not http(s)")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def fetch(url: str, *, timeout: float) -> tuple[bytes, str]:
    """The bytes at an http(s) URL (at most `MAX_FEED_BYTES`) and the URL they came from."""
    if urlsplit(url).scheme.lower() not in ("http", "https") or not urlsplit(url).netloc:
        raise FetchError(f"{url}: only http:// and https:// URLs can be fetched")
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        _HttpOnlyRedirects(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        url,
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "application/atom+xml, application/rss+xml, application/feed+json, "
            "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1",
        },
    )
    try:
        with opener.open(request, timeout=timeout) as response:
            data = response.read(MAX_FEED_BYTES + 1)
            final = response.geturl()
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: the server answered {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise FetchError(f"{url}: no answer within {timeout:g} s; try --timeout") from exc
        raise FetchError(f"{url}: cannot be fetched: {exc.reason}") from exc
    except TimeoutError as exc:
        raise FetchError(f"{url}: no answer within {timeout:g} s; try --timeout") from exc
    except (OSError, ValueError) as exc:
        raise FetchError(f"{url}: cannot be fetched: {exc}") from exc
    if len(data) > MAX_FEED_BYTES:
        raise FetchError(f"{url}: is over the {_amount(MAX_FEED_BYTES)} a feed may have")
    return bytes(data), str(final)


def _amount(size: int) -> str:
    return f"{size / 2**20:.1f} MiB" if size >= 2**20 else f"{size:,} bytes"


def parse_feed(
    data: bytes, source: str, *, base_url: str | None = None, tag_authority: str
) -> FeedImport:
    """A feed's bytes -> its entries as posts, oldest first. Raises `InputError` with every
    problem found (nothing is imported then), `NotAFeedError` for what is no feed at all."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return _Json(source, base_url, tag_authority).parse(data)
    if not head.startswith(b"<"):
        raise NotAFeedError(f"{source}: neither XML nor JSON, so not a feed")
    if _HTML_PAGE.search(head[:2048]) and not re.search(rb"<(rss|feed)[\s>]", head[:4096]):
        raise NotAFeedError(
            f"{source}: is an HTML page, not a feed; give the address of its feed, found in the "
            'page\'s <link rel="alternate" type="application/rss+xml"> element'
        )
    return _Xml(source, base_url, tag_authority).parse(data)


# --- shared by the three formats -------------------------------------------------------------


class _Reader:
    kind = ""

    def __init__(self, source: str, base_url: str | None, tag_authority: str) -> None:
        self.source = source
        self.base_url = base_url
        self.tag_authority = tag_authority
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.home: str | None = None  # the old site's address

    def fail(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.source, line, message))

    def finish(self, posts: list[tuple[NewPost, datetime]]) -> FeedImport:
        if self.problems:
            raise InputError(
                f"{self.source}: {len(self.problems)} problem"
                f"{'' if len(self.problems) == 1 else 's'} in the feed; nothing was imported",
                self.problems,
            )
        # One post per id: the version updated last (Atom allows several versions of an entry).
        latest: dict[str, tuple[NewPost, datetime]] = {}
        kept: list[tuple[NewPost, datetime]] = []
        for post, updated in posts:
            key = post.meta.get("id")
            if not isinstance(key, str):
                kept.append((post, updated))
                continue
            if key in latest:
                self.notes.append(f"the feed holds the id {key} twice; the later update is kept")
                if updated <= latest[key][1]:
                    continue
            latest[key] = (post, updated)
        kept += latest.values()
        ordered = sorted((p for p, _ in kept), key=lambda p: _sort_key(p.date))  # oldest first
        return FeedImport(posts=ordered, kind=self.kind, notes=self.notes)

    def entry_id(self, raw: str | None, line: int | None, where: str) -> str | None:
        """The entry's id as it is when it is an absolute URI, as the store and Atom require;
        else a `tag:` URI under the site's own authority that names the feed and the old id
        (always the same for the same entry, so importing again matches it)."""
        raw = fold(raw or "")
        if not raw:
            return None
        if _IRI.match(raw):
            return raw
        host = urlsplit(self.home or self.base_url or "").hostname or "feed"
        made = f"tag:{self.tag_authority}:imported/{quote(host)}/{quote(raw, safe='')}"
        self.notes.append(
            f"{Problem(self.source, line, where)}: the id {raw!r} is not a URI, which Atom "
            f"requires; it is kept as {made}, so readers may show this entry once more"
        )
        return made

    def post(
        self,
        *,
        line: int | None,
        where: str,
        entry_id: str | None,
        title: str | None,
        link: str | None,
        published: datetime | None,
        updated: datetime | None,
        author: str | None,
        tags: list[str],
        html: str | None,
        summary: str | None,
        comments: int | None,
        base: str | None,
    ) -> tuple[NewPost, datetime] | None:
        title = plain(title) if title and self.kind == "RSS 2.0" else fold(title or "")
        when = published or updated
        if when is None:
            if not self._failed(where):
                self.fail(line, f"{where} has no date; give it a {self._date_names()}")
            return None
        body = markdown_from_html(html, base=base or link or self.home) if html else ""
        if not body and link:
            body = markdown_from_html(f'<p><a href="{_attr(link)}">{_text(title or link)}</a></p>')
        if not title and not body:
            self.fail(line, f"{where} has no title, no content and no link; nothing to import")
            return None
        text_summary = plain(summary) if summary else ""
        meta: dict[str, object] = {
            "updated": updated if updated is not None and updated > when else None,
            "author": fold(author or "") or None,
            "tags": list(dict.fromkeys(t for t in (fold(t) for t in tags) if t)) or None,
            "summary": text_summary
            if text_summary and text_summary != html_text(html or "")
            else None,
            "comments": comments,
            "id": self.entry_id(entry_id or link, line, where),
        }
        hint = None if title else body_title(body)
        return NewPost(date=when, body=body, title=title or None, meta=meta, slug=hint), (
            updated or when
        )

    def _failed(self, where: str) -> bool:
        return any(p.message.startswith(f"{where}: ") for p in self.problems)

    def _date_names(self) -> str:
        return {
            "RSS 2.0": "<pubDate> such as Mon, 19 May 2008 14:30:00 +0000",
            "Atom 1.0": "<published> or <updated> such as 2008-05-19T14:30:00Z",
        }.get(self.kind, '"date_published" such as "2008-05-19T14:30:00Z"')

    def iso_date(self, value: str | None, line: int | None, what: str) -> datetime | None:
        if value is None or not value.strip():
            return None
        from dateutil.parser import isoparse

        try:
            parsed: datetime = isoparse(value.strip())
        except (ValueError, OverflowError):
            self.fail(
                line,
                f'{what} "{value.strip()}" does not parse; write it as RFC 3339, such as '
                "2008-05-19T14:30:00Z",
            )
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _sort_key(when: Any) -> datetime:
    return (
        when
        if isinstance(when, datetime)
        else datetime(when.year, when.month, when.day, tzinfo=UTC)
    )


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _int(value: object) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


# --- RSS 2.0 and Atom 1.0 --------------------------------------------------------------------


class _Xml(_Reader):
    def parse(self, data: bytes) -> FeedImport:
        from lxml import etree

        # Looked for before parsing (an entity in an attribute fails the parse first) and after
        # (the parser's own view, whatever the encoding).
        if _DECLARES_ENTITY.search(data[:65536].replace(b"\x00", b"")):
            self._refuse_entities("")
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
        )
        try:
            root = etree.fromstring(data, parser, base_url=self.base_url)
        except etree.XMLSyntaxError as exc:
            line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
            raise InputError(
                f"{self.source}: not well-formed XML; nothing was imported",
                [Problem(self.source, line, f"{exc.msg}; fix the feed or ask its publisher to")],
            ) from None
        dtd = root.getroottree().docinfo.internalDTD
        if dtd is not None and list(dtd.iterentities()):
            self._refuse_entities(", ".join(sorted(e.name for e in dtd.iterentities())))
        if root.tag == "rss":
            self.kind = "RSS 2.0"
            return self._rss(root)
        if root.tag == f"{ATOM}feed":
            self.kind = "Atom 1.0"
            return self._atom(root)
        raise NotAFeedError(
            f"{self.source}: the root element is <{etree.QName(root).localname}>"
            f"{' in ' + etree.QName(root).namespace if etree.QName(root).namespace else ''}, "
            "not an RSS 2.0 <rss> or an Atom 1.0 <feed>"
        )

    def _refuse_entities(self, names: str) -> NoReturn:
        raise InputError(
            f"{self.source}: its DOCTYPE declares entities{f' ({names})' if names else ''}; such "
            "a document can read local files or grow without end, so it is refused; nothing was "
            "imported"
        )

    def _rss(self, root: Any) -> FeedImport:
        channel = root.find("channel")
        if channel is None:
            raise InputError(
                f"{self.source}: not a valid RSS feed",
                [Problem(self.source, root.sourceline, "<rss> has no <channel>; add one")],
            )
        self.home = _absolute(_child_text(channel, "link"), self.base_url)
        posts = []
        for number, item in enumerate(channel.iterfind("item"), 1):
            where = f"item {number}"
            line = item.sourceline
            guid_el = item.find("guid")
            link = _absolute(_child_text(item, "link"), self.home or self.base_url)
            guid = fold(guid_el.text or "") if guid_el is not None else ""
            if guid and guid_el.get("isPermaLink", "true").strip().lower() != "false":
                guid = _absolute(guid, self.home or self.base_url) or guid
                link = link or guid
            published = self._rss_date(item, "pubDate", where)
            if published is None:
                published = self.iso_date(_child_text(item, f"{DC}date"), line, f"{where}: dc:date")
            updated = self.iso_date(_child_text(item, f"{ATOM}updated"), line, f"{where}: updated")
            if published is None and updated is None and not self._failed(where):
                # pubDate is optional in RSS: the channel's date is the best there is.
                for name in ("pubDate", "lastBuildDate"):
                    published = self._rss_date(channel, name, "the channel")
                    if published is not None:
                        self.notes.append(
                            f"{Problem(self.source, line, where)}: has no pubDate; dated with the "
                            f"channel's {name}, {published.isoformat()}"
                        )
                        break
            content = item.find(f"{CONTENT}encoded")
            description = _inner(item.find("description"))
            html = _inner(content) if content is not None else description
            post = self.post(
                line=line,
                where=where,
                entry_id=guid or link,
                title=_child_text(item, "title"),
                link=link,
                published=published,
                updated=updated,
                author=_child_text(item, f"{DC}creator")
                or _rss_author(_child_text(item, "author")),
                tags=[c.text or "" for c in item.iterfind("category")]
                + [c.text or "" for c in item.iterfind(f"{DC}subject")],
                html=html,
                summary=description if content is not None else None,
                comments=_int(_child_text(item, f"{SLASH}comments")),
                base=_xml_base(item) or link,
            )
            if post is not None:
                posts.append(post)
        return self.finish(posts)

    def _rss_date(self, item: Any, name: str, where: str) -> datetime | None:
        el = item.find(name)
        if el is None or not (el.text or "").strip():
            return None
        value = el.text.strip()
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            try:  # ISO 8601 in a pubDate is wrong, and common
                from dateutil.parser import isoparse

                parsed = isoparse(value)
            except (ValueError, OverflowError):
                self.fail(
                    el.sourceline,
                    f'{where}: {name} "{value}" does not parse; write it as RFC 822, such as '
                    "Mon, 19 May 2008 14:30:00 +0000",
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
        holder = div if div is not None else el
        copy = etree.fromstring(etree.tostring(holder))
        for node in copy.iter():
            if isinstance(node.tag, str):
                node.tag = etree.QName(node).localname
        etree.cleanup_namespaces(copy)
        return (copy.text or "") + "".join(
            etree.tostring(child, encoding="unicode", with_tail=True) for child in copy
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
    return str(base) if base and _URL.match(str(base)) else None


def _absolute(url: str | None, base: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    if _URL.match(url) or not base:
        return url
    try:
        return urljoin(base, url)
    except ValueError:
        return url


def _rss_author(value: str | None) -> str | None:
    """RSS `<author>` is an address, often with the name: `jo@example.org (Jo Smith)`."""
    if not value:
        return None
    match = re.match(r"^\s*\S+@\S+\s*\((.+)\)\s*$", value)
    return match.group(1) if match else value


# --- JSON Feed ---------------------------------------------------------------------------------


class _Json(_Reader):
    def parse(self, data: bytes) -> FeedImport:
        try:
            document = json.loads(data.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise InputError(
                f"{self.source}: not UTF-8",
                [Problem(self.source, line, "a JSON Feed must be UTF-8; save it as UTF-8")],
            ) from None
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{self.source}: not valid JSON; nothing was imported",
                [Problem(self.source, exc.lineno, f"{exc.msg} (column {exc.colno})")],
            ) from None
        except RecursionError:
            raise InputError(f"{self.source}: JSON nested too deeply to be a feed") from None
        version = document.get("version") if isinstance(document, dict) else None
        if not isinstance(version, str) or not version.startswith("https://jsonfeed.org/version/"):
            raise NotAFeedError(
                f'{self.source}: JSON without a "version" of https://jsonfeed.org/version/1.1 '
                "(or /1), so not a JSON Feed"
            )
        release = version.rsplit("/", 1)[-1]
        self.kind = "JSON Feed " + ("1.0" if release == "1" else release)
        self.home = _str(document.get("home_page_url")) or None
        items = document.get("items")
        if not isinstance(items, list):
            raise InputError(
                f"{self.source}: not a valid JSON Feed",
                [Problem(self.source, None, 'the feed has no "items" list; add "items": []')],
            )
        feed_authors = _json_authors(document)
        posts = []
        for number, item in enumerate(items, 1):
            where = f"item {number}"
            if not isinstance(item, dict):
                self.fail(None, f"{where} is not an object")
                continue
            html = _str(item.get("content_html"))
            if not html and _str(item.get("content_text")):
                html = text_to_html(_str(item.get("content_text")))
            link = _absolute(_str(item.get("url")) or None, self.home or self.base_url)
            raw_id = item.get("id")
            post = self.post(
                line=None,
                where=where,
                entry_id=str(raw_id) if isinstance(raw_id, str | int | float) else None,
                title=_str(item.get("title")) or None,
                link=link,
                published=self.iso_date(
                    _str(item.get("date_published")), None, f"{where}: date_published"
                ),
                updated=self.iso_date(
                    _str(item.get("date_modified")), None, f"{where}: date_modified"
                ),
                author=", ".join(_json_authors(item) or feed_authors),
                tags=[t for t in item.get("tags") or [] if isinstance(t, str)]
                if isinstance(item.get("tags"), list)
                else [],
                html=html or None,
                summary=_str(item.get("summary")) or None,
                comments=None,
                base=link,
            )
            if post is not None:
                posts.append(post)
        return self.finish(posts)


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _json_authors(obj: dict[str, Any]) -> list[str]:
    authors = obj.get("authors")
    if not isinstance(authors, list):
        authors = [obj["author"]] if isinstance(obj.get("author"), dict) else []
    return [
        fold(_str(a.get("name"))) for a in authors if isinstance(a, dict) and _str(a.get("name"))
    ]
