"""The structural check a build runs on a JSON Feed before it publishes one
(https://jsonfeed.org/version/1.1): it must parse, name version 1.1, have a title and items, and
every item an id, an absolute URL and content, ids unique."""

from __future__ import annotations

import json

from scofeed.errors import Problem
from scofeed.infra.dates import is_rfc3339
from scofeed.infra.urls import is_http_url

VERSION = "https://jsonfeed.org/version/1.1"


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
        if key in feed and not is_http_url(feed[key]):
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
        if not is_http_url(item.get("url")):
            problems.append(f"json-url: {where} url {item.get('url')!r} is not absolute")
        if not isinstance(item.get("content_html", item.get("content_text")), str):
            problems.append(f"json-content: {where} has neither content_html nor content_text")
        for key in ("date_published", "date_modified"):
            if key in item and not is_rfc3339(item[key]):
                problems.append(f"json-date: {where} {key} {item[key]!r} is not RFC 3339")
    return [Problem(path, None, message) for message in problems]
