"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1) beside every RSS/Atom pair, from the same
`Entry` values as the XML feeds (`scofeed.validate.jsonfeed` checks it before it is published).

The bytes are deterministic: keys in a fixed order, UTF-8 text as is (`ensure_ascii=False`),
dates in RFC 3339 exactly as the Atom feed writes them, and a trailing newline.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from scofeed import HOMEPAGE
from scofeed.config import Config
from scofeed.infra.dates import rfc3339
from scofeed.posts.media import Enclosure
from scofeed.posts.post import Post
from scofeed.site import layout
from scofeed.site.entries import Entry, enclosure_url, piece
from scofeed.site.plan import FeedSpec

VERSION = "https://jsonfeed.org/version/1.1"


def render_json(spec: FeedSpec, config: Config, entry_for: Callable[[Post], Entry]) -> bytes:
    """The feed `spec` as JSON Feed 1.1: the entries, ids, links, dates and content of its
    RSS and Atom feeds."""
    home = layout.url(config, spec.folder)

    def make(post: Post, countries: tuple[str, ...]) -> str:
        return _item_text(post, countries, entry_for(post), config)

    items = [
        piece(entry_for, "json", post, countries, make)
        for post, countries in zip(spec.entries, spec.entry_countries, strict=True)
    ]
    feed = {
        "version": VERSION,
        "title": spec.title,
        "home_page_url": home,
        "feed_url": layout.url(config, spec.files_folder + layout.JSON_FILE),
        "description": spec.description,
        "language": config.language,
        "authors": [{"name": config.author}],
        "author": {"name": config.author},  # 1.1 keeps 1.0's field for older readers
        # WebSub, on subscription feeds only, as in the RSS and Atom feeds.
        **(
            {"hubs": [{"type": "WebSub", "url": hub} for hub in config.websub_hubs]}
            if config.websub_hubs and not spec.page
            else {}
        ),
        "items": items,
    }
    # JSON Feed pages to older items through next_url: the archive documents, newest first.
    older = spec.history_links(layout.JSON_FILE, config).get("prev-archive")
    if older is not None:
        feed["next_url"] = older
    return (_json(feed, "") + "\n").encode("utf-8")


class _Encoded(str):
    """JSON text already written at its place in the document (an item: `piece`)."""


_SCALAR = json.JSONEncoder(ensure_ascii=False)


def _json(value: object, pad: str) -> str:
    """`value` as `json.dumps(value, ensure_ascii=False, indent=2)` writes it at the depth of
    `pad` (its keys are strings: a feed has no other), strings through the C encoder.
    json.dumps with an indent builds its encoder of nested functions, a reference cycle, on
    every call: a build, which runs without the cycle collector (`cli.publishing`), kept one
    per item, 70 MB at 10,000 posts."""
    if isinstance(value, _Encoded):
        return value
    inner = pad + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        fields = (f"{inner}{_SCALAR.encode(k)}: {_json(v, inner)}" for k, v in value.items())
        return "{\n" + ",\n".join(fields) + f"\n{pad}}}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + _json(v, inner) for v in value) + f"\n{pad}]"
    return _SCALAR.encode(value)


def _item_text(post: Post, countries: tuple[str, ...], entry: Entry, config: Config) -> str:
    """One item of the feed's `items`, written at its depth in the document."""
    item: dict[str, Any] = {
        "id": entry.id,
        "url": entry.link,
        "title": entry.title,
        # The whole post, or (feed_content = "summary") its summary and the link above.
        **(
            {"content_html": entry.html}
            if config.feed_content == "full"
            else {"content_text": entry.summary or entry.title}
        ),
        "summary": entry.summary or entry.title,
        "date_published": rfc3339(post.date),
        "date_modified": rfc3339(post.updated),
        "authors": [{"name": post.author or config.author}],
        "author": {"name": post.author or config.author},  # for JSON Feed 1.0 readers
        "tags": list(dict.fromkeys((config.title, *countries, *post.categories, *post.tags))),
    }
    if entry.image:  # Media RSS in the RSS and Atom feeds
        item["image"] = entry.image
    if post.enclosures:  # RSS <enclosure> (the first), Atom <link rel="enclosure">
        item["attachments"] = [_attachment(e, config) for e in post.enclosures]
    if post.comments is not None:  # RSS slash:comments, Atom thr:total
        item["_scofeed"] = {"about": HOMEPAGE, "comments": post.comments}
    return _Encoded(_json(item, "    "))


def _attachment(enclosure: Enclosure, config: Config) -> dict[str, Any]:
    _, mime, length, seconds = enclosure
    out: dict[str, Any] = {"url": enclosure_url(enclosure, config), "mime_type": mime}
    if length is not None:
        out["size_in_bytes"] = length
    if seconds is not None:
        out["duration_in_seconds"] = seconds
    return out
