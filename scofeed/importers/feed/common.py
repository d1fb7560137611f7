"""What the feed importers share: `Reader`, which turns an entry into a post whatever its format."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import quote, urljoin, urlsplit

from scofeed.errors import InputError, NotAFeedError, Problem
from scofeed.importers.html import fold, html_text, markdown_from_html, plain
from scofeed.importers.model import NewPost
from scofeed.infra.dates import parse_iso
from scofeed.infra.prolog import detect_codec
from scofeed.infra.urls import has_scheme, is_http_url, unsafe_id_scheme
from scofeed.posts.text import body_title

MAX_FEED_BYTES = 20 * 2**20

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
SLASH = "{http://purl.org/rss/1.0/modules/slash/}"
THR = "{http://purl.org/syndication/thread/1.0}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass
class FeedImport:
    """The posts a feed holds, what kind of feed it was, and notes for the editor."""

    posts: list[NewPost]
    kind: str  # "RSS 2.0", "RSS 1.0", "RSS 0.91", "Atom 1.0", "JSON Feed 1.1"
    notes: list[str] = field(default_factory=list)


# --- which reader a document is for ---------------------------------------------------------

_SNIFF_CHARS = 4096
_HTML_PAGE = re.compile(r"<!doctype\s+html|<html[\s>]", re.IGNORECASE)
_FEED_ROOT = re.compile(r"<(rss|feed|rdf:RDF)[\s>]")


def document_kind(data: bytes, source: str) -> Literal["json", "xml"]:
    """Which reader a document is for, from its first characters read in the encoding its byte
    order mark names (or, without one, its first bytes, as XML 1.0 Appendix F and libxml2
    read UTF-16 and UTF-32): "json" for `{`, "xml" for `<`. Raises `NotAFeedError` for anything
    else and for an HTML page."""
    codec, skip = detect_codec(data)
    # Four bytes a character at most; NULs dropped, so UTF-16 without a byte order mark is
    # still seen for what it is, and its reader can say what is wrong with it.
    head = data[skip : skip + 4 * _SNIFF_CHARS].decode(codec, errors="replace")
    head = head.replace("\x00", "").lstrip("\ufeff \t\r\n")
    if head.startswith("{"):
        return "json"
    if not head.startswith("<"):
        raise NotAFeedError(f"{source}: neither XML nor JSON, so not a feed")
    if _HTML_PAGE.search(head[:2048]) and not _FEED_ROOT.search(head):
        raise NotAFeedError(
            f"{source}: is an HTML page, not a feed; give the address of its feed, found in the "
            'page\'s <link rel="alternate" type="application/rss+xml"> element'
        )
    return "xml"


# --- ids -------------------------------------------------------------------------------------


def id_problem(text: str) -> str | None:
    """Why `text` cannot be an entry's id, or None when it can: the store's rule, any text
    (`12345`, `abc@example`: the feeds carry it as it is, and Atom an IRI made of it) but an id
    a reader showing it as a link would run or open."""
    scheme = unsafe_id_scheme(text)
    if scheme is not None:
        return f"has the scheme {scheme}:, which a reader showing it as a link would run or open"
    return None


# --- shared by the three formats -------------------------------------------------------------


class Reader:
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
        """The entry's id as it is, whatever its form, unless a reader would run or open it
        (`id_problem`); then a `tag:` URI under the site's own authority that names the feed
        and the old id, every character escaped (always the same for the same entry, so
        importing again matches it). The import goes on either way: the old id cannot be kept,
        and the note says why."""
        raw = fold(raw or "")
        if not raw:
            return None
        why = id_problem(raw)
        if why is None:
            return raw
        host = urlsplit(self.home or self.base_url or "").hostname or "feed"
        made = f"tag:{self.tag_authority}:imported/{quote(host)}/{quote(raw, safe='')}"
        self.notes.append(
            f"{Problem(self.source, line, where)}: the id {short(raw)!r} {why}; it is kept as "
            f"{short(made, 120)}, so readers may show this entry once more"
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
        enclosures: list[dict[str, object]] | None = None,
    ) -> tuple[NewPost, datetime] | None:
        # An RSS title is HTML to many publishers (`&amp;amp;`); Atom and JSON say what theirs is.
        title = plain(title) if title and self.kind.startswith("RSS") else fold(title or "")
        when = published or updated
        if when is None:
            if not self._failed(where):
                self.fail(line, f"{where} has no date; give it a {self._date_names()}")
            return None
        body = markdown_from_html(html, base=base or link or self.home) if html else ""
        if not body and link and is_http_url(link):  # never a javascript: link, say
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
        if enclosures:
            meta["enclosures"] = enclosures
        hint = None if title else body_title(body)
        url = link.strip() if link and is_http_url(link.strip()) else None
        new = NewPost(date=when, body=body, title=title or None, meta=meta, slug=hint, url=url)
        return new, updated or when

    def noted(self, line: int | None, where: str) -> Callable[[str], None]:
        """A note about an entry, naming it (and its line)."""
        return lambda message: self.notes.append(f"{Problem(self.source, line, where)}: {message}")

    def _failed(self, where: str) -> bool:
        return any(p.message.startswith(f"{where}: ") for p in self.problems)

    def _date_names(self) -> str:
        if self.kind == "RSS 1.0":
            return "<dc:date> such as 2008-05-19T14:30:00Z"
        if self.kind.startswith("RSS"):
            return "<pubDate> such as Mon, 19 May 2008 14:30:00 +0000"
        if self.kind.startswith("Atom"):
            return "<published> or <updated> such as 2008-05-19T14:30:00Z"
        return '"date_published" such as "2008-05-19T14:30:00Z"'

    def iso_date(self, value: str | None, line: int | None, what: str) -> datetime | None:
        if value is None or not value.strip():
            return None
        try:
            parsed = parse_iso(value)
        except ValueError:
            self.fail(
                line,
                f'{what} "{short(value.strip())}" does not parse; write it as RFC 3339, such as '
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


def short(text: str, limit: int = 60) -> str:
    """A value as a message quotes it: a long one cut, so that one bad value of megabytes
    does not bury the others."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


MAX_COUNT_DIGITS = 9  # no entry has a billion comments


def _int(value: object) -> int | None:
    """A count (of comments); None for anything else, such as a number of more digits than
    any count has (past 4,300 Python would not even turn it into a number)."""
    text = str(value).strip().lstrip("+")
    if not text.isascii() or not text.isdigit() or len(text.lstrip("0")) > MAX_COUNT_DIGITS:
        return None
    return int(text)


def _absolute(url: str | None, base: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    if has_scheme(url) or not base:
        return url
    try:
        return urljoin(base, url)
    except ValueError:
        return url
