"""An existing feed (RSS 2.0, RSS 1.0 and 0.9x, Atom 1.0, JSON Feed 1.0/1.1), from a file or an
http(s) URL -> posts.

Each entry keeps its id in `id:`, whatever its form (the RSS guid, else its `rdf:about` or its
link; the Atom id; the JSON Feed id), so that subscribers of the old feed see no entry twice
after the move. Content (`content:encoded`, Atom content, `content_html`) is kept as the post's
HTML body, attachments (enclosures, Media RSS, JSON attachments, with iTunes durations) as its
`enclosures:`. `common` turns an entry into a post whatever its format; `xml` reads RSS and
Atom, `json` JSON Feed, `enclosures` the attachments of all three.

The document is untrusted: it is read with `scofeed.infra.xmlsafe` (no entity, no DTD, no
network), nothing named inside it is ever fetched, and documents over `MAX_FEED_BYTES` are
refused (`scofeed.infra.fetching`).
"""

from __future__ import annotations

from scofeed.importers.feed.common import MAX_FEED_BYTES, FeedImport, document_kind
from scofeed.importers.feed.json import JsonReader
from scofeed.importers.feed.xml import XmlReader
from scofeed.infra.fetching import fetch, read_file
from scofeed.infra.urls import has_scheme

__all__ = ["MAX_FEED_BYTES", "FeedImport", "parse_feed", "read_feed"]


def read_feed(
    source: str, *, tag_authority: str, timeout: float = 30.0, allow_private: bool = False
) -> FeedImport:
    """A feed from a file or an http(s) URL (fetched within `timeout` seconds, from a public
    address unless `allow_private`). `tag_authority` names ids made for entries whose own id a
    reader would run or open (see `common.Reader.entry_id`)."""
    if has_scheme(source):
        got = fetch(
            source,
            cap=MAX_FEED_BYTES,
            timeout=timeout,
            purpose="feed import",
            allow_private=allow_private,
        )
        return parse_feed(got.data, source, base_url=got.url, tag_authority=tag_authority)
    data = read_file(source, MAX_FEED_BYTES, hint="import it in parts")
    return parse_feed(data, source, base_url=None, tag_authority=tag_authority)


def parse_feed(
    data: bytes, source: str, *, base_url: str | None = None, tag_authority: str
) -> FeedImport:
    """A feed's bytes -> its entries as posts, oldest first. Raises `InputError` with every
    problem found (nothing is imported then), `NotAFeedError` for what is no feed at all."""
    if document_kind(data, source) == "json":
        return JsonReader(source, base_url, tag_authority).parse(data)
    return XmlReader(source, base_url, tag_authority).parse(data)
