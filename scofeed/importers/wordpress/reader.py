"""Reading a WXR file: its items sorted into posts, the kinds it holds besides, attachments,
and the records that cannot be imported (each with its line and why)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import unquote

from scofeed.errors import InputError, Problem
from scofeed.importers.feed.common import id_problem, short
from scofeed.importers.html import fold, markdown_from_html, plain
from scofeed.importers.model import NewPost
from scofeed.importers.wordpress.content import Media, render
from scofeed.infra.dates import parse_rfc822
from scofeed.infra.fetching import read_file
from scofeed.infra.prolog import declares_entities
from scofeed.infra.urls import is_http_url
from scofeed.infra.xmlsafe import ASCII_NOT_XML, parser
from scofeed.posts.text import body_title

MAX_EXPORT_BYTES = 256 * 2**20  # WordPress's exporter splits nothing; a big blog is well under

CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
# WXR 1.0 to 1.2; WordPress.com writes https:// namespaces, WordPress http://.
_WP_NAMESPACE = re.compile(r"https?://wordpress\.org/export/\d+(?:\.\d+)*/")
_WP_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?")
_NO_DATE = "0000-00-00 00:00:00"  # a draft's post_date_gmt: never given a time
DATE_HINT = "WordPress writes it as 2019-03-01 14:30:00"

# `wp:status` of a post -> what keeps it a draft here (None: published).
_STATUSES: dict[str, str | None] = {
    "publish": None,
    "draft": "a draft",
    "pending": "pending review",
    "private": "private",
    "future": "scheduled",
}
# Posts WordPress itself no longer shows, counted with the other kinds left out.
_GONE = {"trash": "trashed post", "auto-draft": "auto-draft"}
# What people call the kinds WordPress itself has.
_KINDS = {
    "attachment": "attachment",
    "page": "page",
    "nav_menu_item": "menu item",
    "revision": "revision",
    "trashed post": "trashed post",
    "auto-draft": "auto-draft",
    "custom_css": "custom CSS record",
    "wp_block": "reusable block",
}


@dataclass(frozen=True)
class Attachment:
    url: str
    line: int | None
    post_id: str
    parent: str  # the post it was uploaded to ("0": none)
    title: str = ""


@dataclass
class WxrImport:
    """What an export held: posts to write, what else it held (by kind), its attachments, and
    the records that are not imported (`problems`) or imported with a note (`notes`)."""

    posts: list[NewPost]
    items: int
    site: str | None  # the old blog's address (wp:base_blog_url)
    skipped: Counter[str] = field(default_factory=Counter)  # kind -> items
    drafts: int = 0
    attachments: list[Attachment] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    cleaned: int = 0  # control characters dropped so that the file parses at all

    def left_out(self) -> list[str]:
        """What else the export held, by kind: `21 pages`, `3 items of type wp_block`."""
        said = []
        for kind, n in sorted(self.skipped.items()):
            label = _KINDS.get(kind)
            if label is None:
                said.append(f"{n} item{'' if n == 1 else 's'} of type {kind}")
            else:
                said.append(f"{n} {label}{'' if n == 1 else 's'}")
        return said


def read_wordpress(path: Path | str, *, tz: tzinfo) -> WxrImport:
    """Read a WXR file; `tz` is the zone of dates WordPress wrote without one (`wp:post_date`
    of drafts) and the zone posts' dates are written in."""
    data = read_file(
        path,
        MAX_EXPORT_BYTES,
        what="an export",
        hint="export it in parts (WordPress's Tools > Export takes a date range or a category)",
    )
    return parse_wordpress(data, str(path), tz=tz)


def parse_wordpress(data: bytes, source: str, *, tz: tzinfo) -> WxrImport:
    """An export's bytes -> a `WxrImport`. Raises `InputError` only when the file as a whole
    cannot be read (not XML, not an export); a bad record is a problem, the rest imported."""
    from lxml import etree

    if declares_entities(data):
        raise InputError(
            f"{source}: its DOCTYPE declares entities; such a document can read local files or "
            "grow without end, so it is refused; nothing was imported"
        )
    cleaned = 0
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as first:
        # Editors paste control characters into posts and WordPress exports them as they are,
        # which makes the whole file ill-formed: dropped (newlines stay, so lines still count).
        kept = data.translate(None, ASCII_NOT_XML)
        cleaned = len(data) - len(kept)
        try:
            root = etree.fromstring(kept, parser()) if cleaned else None
        except etree.XMLSyntaxError:
            root = None
        if root is None:
            _not_xml(source, first)
    channel = root.find("channel") if root.tag == "rss" else None
    wp = wxr_namespace(channel) if channel is not None else None
    if channel is None or wp is None:
        raise InputError(
            f"{source}: not a WordPress export (WXR): it has no <rss><channel> with a "
            "<wp:wxr_version>; export the blog with WordPress's Tools > Export; nothing was "
            "imported"
        )
    reader = _Reader(source, wp, tz, channel)
    found = reader.read()
    found.cleaned = cleaned
    return found


def _not_xml(source: str, exc: Any) -> NoReturn:
    line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
    raise InputError(
        f"{source}: not well-formed XML; nothing was imported",
        [Problem(source, line, f"{exc.msg}; fix the export there, or export the blog again")],
    ) from None


def wxr_namespace(channel: Any) -> str | None:
    """The `wp:` namespace (`{…}`) of a channel that is a WordPress export, else None. The
    channel's own children say it (`wp:wxr_version`, `wp:author`, …); items are not read."""
    for child in channel:
        tag = child.tag
        if isinstance(tag, str) and tag.startswith("{"):
            namespace = tag[1 : tag.index("}")]
            if _WP_NAMESPACE.fullmatch(namespace):
                return "{" + namespace + "}"
    return None


class _Reader:
    def __init__(self, source: str, wp: str, tz: tzinfo, channel: Any) -> None:
        self.source, self.wp, self.tz, self.channel = source, wp, tz, channel
        self.excerpt = "{" + wp[1:-1] + "excerpt/}"
        site = _text(channel, f"{wp}base_blog_url") or _text(channel, "link")
        self.found = WxrImport(posts=[], items=0, site=site if is_http_url(site) else None)
        # wp:author records: login -> the name the blog showed.
        self.authors = {
            _text(a, f"{wp}author_login"): fold(
                _text(a, f"{wp}author_display_name") or _text(a, f"{wp}author_login")
            )
            for a in channel.iterfind(f"{wp}author")
        }
        self.media: dict[str, Media] = {}  # attachment post id -> what a gallery shows
        self.children: defaultdict[str, list[Media]] = defaultdict(list)  # by parent id
        self.guids: set[str] = set()

    def read(self) -> WxrImport:
        found, wp = self.found, self.wp
        items = list(self.channel.iterfind("item"))
        found.items = len(items)
        for item in items:  # attachments first: a post's gallery may show later ones
            if _text(item, f"{wp}post_type") == "attachment":
                self._attachment(item)
        for number, item in enumerate(items, 1):
            kind = _text(item, f"{wp}post_type")
            if kind == "post":
                self._post(item, number)
            elif not kind:
                self._fail(
                    item.sourceline,
                    f"item {number}",
                    "has no wp:post_type, so what it is cannot be told; export the blog again",
                )
            elif kind != "attachment":
                found.skipped[kind] += 1
        found.posts.sort(key=lambda p: p.date)  # oldest first, as the other importers write
        return found

    def _attachment(self, item: Any) -> None:
        wp = self.wp
        url = _text(item, f"{wp}attachment_url") or _text(item, "guid")
        post_id = _text(item, f"{wp}post_id")
        parent = _text(item, f"{wp}post_parent") or "0"
        title = plain(_text(item, "title"))
        self.found.skipped["attachment"] += 1
        if not is_http_url(url):
            self.found.notes.append(
                Problem(
                    self.source,
                    item.sourceline,
                    f"attachment {post_id} has no http(s) URL; it is not listed",
                    warning=True,
                )
            )
            return
        self.found.attachments.append(Attachment(url, item.sourceline, post_id, parent, title))
        self.media[post_id] = Media(url, title)
        self.children[parent].append(Media(url, title))

    def _post(self, item: Any, number: int) -> None:
        wp, found = self.wp, self.found
        line = item.sourceline
        post_id = _text(item, f"{wp}post_id")
        title = plain(_text(item, "title")) or None
        where = f"post {post_id or '#' + str(number)}" + (f' "{short(title)}"' if title else "")
        status = _text(item, f"{wp}status").lower()
        if status in _GONE:
            found.skipped[_GONE[status]] += 1
            return
        before = len(found.problems)
        when = self._date(item, where)
        content_el = item.find(f"{CONTENT}encoded")
        if content_el is None:
            self._fail(line, where, "has no content:encoded element; export the blog again")
        if len(found.problems) > before or when is None or content_el is None:
            return
        link = _text(item, "link")
        rendered = render(
            content_el.text or "",
            attachments=self.media,
            children=self.children.get(post_id, []),
        )
        body = markdown_from_html(rendered.html, base=link if is_http_url(link) else found.site)
        if not title and not body.strip():
            self._fail(line, where, "has neither a title nor any content; nothing to import")
            return
        if rendered.removed:
            names = ", ".join(f"[{n}]" for n in dict.fromkeys(rendered.removed))
            self._note(line, where, f"shortcodes {names} have no markup here; they are removed")

        why_draft = _STATUSES.get(status, f'of status "{short(status)}"')
        if _text(item, f"{wp}post_password"):
            why_draft = "password-protected"
        if why_draft is not None:
            found.drafts += 1
            said = {
                "scheduled": f"scheduled for {when.isoformat()}: kept as a draft with that date; "
                "delete its draft: line and scofeed publishes it when the date comes",
                "password-protected": "password-protected: kept as a draft, so that what only "
                "readers with the password saw is not published",
            }.get(why_draft)
            if said or why_draft.startswith("of status"):
                self._note(line, where, said or f"{why_draft}: kept as a draft")

        categories, tags = [], []
        for el in item.iterfind("category"):
            name = plain(el.text or "")
            domain = el.get("domain", "category")
            if name and domain == "category":
                categories.append(name)
            elif name and domain in ("post_tag", "tag"):  # "tag": WXR 1.0
                tags.append(name)
        comments = sum(
            1
            for c in item.iterfind(f"{wp}comment")
            if _text(c, f"{wp}comment_approved") == "1"
            and _text(c, f"{wp}comment_type") in ("", "comment")
        )
        login = _text(item, f"{DC}creator")
        guid = _text(item, "guid")
        meta: dict[str, object] = {
            "author": self.authors.get(login) or fold(login) or None,
            "tags": list(dict.fromkeys(tags)) or None,
            "categories": list(dict.fromkeys(categories)) or None,
            "summary": plain(_text(item, f"{self.excerpt}encoded")) or None,
            "comments": comments,
            "draft": True if why_draft is not None else None,
            "id": guid if guid and id_problem(guid) is None else None,
        }
        if enclosures := _enclosures(item, wp):
            meta["enclosures"] = enclosures
        if meta["id"] is not None and meta["id"] in self.guids:
            # A post copied by a plugin keeps its original's guid: the first keeps it.
            self._note(line, where, f"its guid {guid} is an earlier post's too; it gets its own id")
            meta["id"] = None
        self.guids.add(guid)
        name = fold(unquote(_text(item, f"{wp}post_name")))
        found.posts.append(
            NewPost(
                date=when,
                body=body,
                title=title,
                meta=meta,
                slug=name or (None if title else body_title(body)),
                # A draft never had a public address; a published post keeps its own.
                url=link if why_draft is None and is_http_url(link) else None,
            )
        )

    def _date(self, item: Any, where: str) -> datetime | None:
        """The post's time: `post_date_gmt` when WordPress gave one, else `post_date` in the
        zone of the site, else the item's RSS pubDate."""
        wp = self.wp
        for name, zone in (("post_date_gmt", UTC), ("post_date", self.tz)):
            el = item.find(f"{wp}{name}")
            value = (el.text or "").strip() if el is not None else ""
            if not value or value == _NO_DATE:
                continue
            parsed = _wp_date(value)
            if parsed is None:
                self._fail(
                    el.sourceline,
                    where,
                    f'wp:{name} "{short(value)}" does not parse; {DATE_HINT}; fix it in the '
                    "export, or remove the item",
                )
                return None
            return parsed.replace(tzinfo=zone).astimezone(self.tz)
        published = _text(item, "pubDate")
        try:
            return parse_rfc822(published).astimezone(self.tz) if published else None
        except ValueError:
            pass
        self._fail(
            item.sourceline,
            where,
            "has no date (wp:post_date, wp:post_date_gmt or pubDate); add a wp:post_date "
            "such as 2019-03-01 14:30:00 to the item",
        )
        return None

    def _fail(self, line: int | None, where: str, message: str) -> None:
        self.found.problems.append(
            Problem(self.source, line, f"{where}: {message}; it is not imported")
        )

    def _note(self, line: int | None, where: str, message: str) -> None:
        self.found.notes.append(Problem(self.source, line, f"{where}: {message}", warning=True))


def _enclosures(item: Any, wp: str) -> list[dict[str, object]]:
    """A podcast post's audio: WordPress keeps each in an `enclosure` post meta record, its value
    the URL, the length and the type on lines of their own (what its RSS feed then writes)."""
    found: list[dict[str, object]] = []
    for meta in item.iterfind(f"{wp}postmeta"):
        if _text(meta, f"{wp}meta_key") != "enclosure":
            continue
        lines = [line.strip() for line in _text(meta, f"{wp}meta_value").splitlines()]
        if not lines or not is_http_url(lines[0]):
            continue
        enclosure: dict[str, object] = {"url": lines[0]}
        if len(lines) > 1 and lines[1].isdigit():
            enclosure["length"] = int(lines[1])
        if len(lines) > 2 and "/" in lines[2]:
            enclosure["type"] = lines[2].split()[0]
        found.append(enclosure)
    return found


def _wp_date(value: str) -> datetime | None:
    match = _WP_DATE.fullmatch(value)
    if match is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(g or 0) for g in match.groups())
        return datetime(year, month, day, hour, minute, second)
    except ValueError:  # month 13, February 30
        return None


def _text(el: Any, name: str) -> str:
    child = el.find(name)
    return str(child.text or "").strip() if child is not None else ""
