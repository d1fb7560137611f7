"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1) beside every RSS/Atom pair: `render_json`
from the same `Entry` values as the XML feeds, and `check_json`, the structural check a build
runs before it publishes one.

The bytes are deterministic: keys in a fixed order, UTF-8 text as is (`ensure_ascii=False`),
dates in RFC 3339 exactly as the Atom feed writes them, and a trailing newline.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from scofeed.config import Config
from scofeed.errors import Problem
from scofeed.feeds import GENERATOR, Entry, FeedSpec, rfc3339
from scofeed.post import Post

VERSION = "https://jsonfeed.org/version/1.1"
FILE_NAME = "feed.json"
MEDIA_TYPE = "application/feed+json"


def render_json(spec: FeedSpec, config: Config, entry_for: Callable[[Post], Entry]) -> bytes:
    """The feed `spec` as JSON Feed 1.1: the entries, ids, links, dates and content of its
    RSS and Atom feeds."""
    home = config.base_url + spec.folder
    items = []
    for post, countries in zip(spec.entries, spec.entry_countries, strict=True):
        entry = entry_for(post)
        item: dict[str, Any] = {
            "id": entry.id,
            "url": entry.link,
            "title": entry.title,
            "content_html": entry.html,
            "summary": entry.summary or entry.title,
            "date_published": rfc3339(post.date),
            "date_modified": rfc3339(post.updated),
            "authors": [{"name": post.author or config.author}],
            "author": {"name": post.author or config.author},  # for JSON Feed 1.0 readers
            "tags": list(dict.fromkeys((config.title, *countries, *post.categories, *post.tags))),
        }
        if post.comments is not None:  # RSS slash:comments, Atom thr:total
            item["_scofeed"] = {"about": GENERATOR[1], "comments": post.comments}
        items.append(item)
    feed = {
        "version": VERSION,
        "title": spec.title,
        "home_page_url": home,
        "feed_url": home + FILE_NAME,
        "description": spec.description,
        "language": config.language,
        "authors": [{"name": config.author}],
        "author": {"name": config.author},  # 1.1 keeps 1.0's field for older readers
        "items": items,
    }
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def check_json(data: bytes, path: str) -> list[Problem]:
    """What is wrong with a JSON Feed we are about to publish: it must parse, name version 1.1,
    have a title and items, and every item an id and an absolute URL, ids unique."""
    try:
        feed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return [Problem(path, getattr(exc, "lineno", None), f"json-syntax: {exc}")]
    if not isinstance(feed, dict):
        return [Problem(path, None, "json-structure: the document is not a JSON object")]
    problems: list[str] = []
    if feed.get("version") != VERSION:
        problems.append(f"json-version: version must be {VERSION!r}")
    if not isinstance(feed.get("title"), str) or not feed["title"].strip():
        problems.append("json-title: the feed has no title")
    for key in ("home_page_url", "feed_url"):
        if key in feed and not _absolute(feed[key]):
            problems.append(f"json-url: {key} {feed[key]!r} is not an absolute http(s) URL")
    items = feed.get("items")
    if not isinstance(items, list):
        problems.append("json-items: the feed has no items list")
        items = []
    seen: set[str] = set()
    for n, item in enumerate(items, 1):
        where = f"item {n}"
        if not isinstance(item, dict):
            problems.append(f"json-structure: {where} is not an object")
            continue
        ident = item.get("id")
        if not isinstance(ident, str) or not ident:
            problems.append(f"json-id: {where} has no id")
        elif ident in seen:
            problems.append(f"json-id: {where} repeats the id {ident!r}")
        else:
            seen.add(ident)
        if not _absolute(item.get("url")):
            problems.append(f"json-url: {where} url {item.get('url')!r} is not absolute")
        if not isinstance(item.get("content_html", item.get("content_text")), str):
            problems.append(f"json-content: {where} has neither content_html nor content_text")
        for key in ("date_published", "date_modified"):
            if key in item and not _rfc3339(item[key]):
                problems.append(f"json-date: {where} {key} {item[key]!r} is not RFC 3339")
    return [Problem(path, None, message) for message in problems]


def _absolute(url: object) -> bool:
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _rfc3339(value: object) -> bool:
    """A full date-time with an offset (what RFC 3339 requires; a date alone is not one)."""
    if not isinstance(value, str) or len(value) < 20 or value[10] not in "Tt":
        return False
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return False
