"""An existing feed (RSS 2.0, Atom 1.0, JSON Feed 1.0/1.1), from a file or an http(s) URL -> posts.

Each entry keeps its id in `id:` (the RSS guid, or its link when it has none; the Atom id; the
JSON Feed id), so that subscribers of the old feed see no entry twice after the move. Content
(`content:encoded`, Atom content, `content_html`) is kept as the post's HTML body.

The document is untrusted: XML is parsed with entities left unresolved, no DTD loaded and no
network access, and a document whose DOCTYPE declares entities is refused; nothing named inside
the document is ever fetched; and documents over `MAX_FEED_BYTES` are refused.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from scofeed.errors import FetchError, NotAFeedError
from scofeed.fetching import http_opener
from scofeed.importers import (
    read_capped,
)
from scofeed.importers._feed_common import (
    _HTML_PAGE,
    _URL,
    MAX_FEED_BYTES,
    USER_AGENT,
    FeedImport,
)
from scofeed.importers._feed_json import _Json
from scofeed.importers._feed_xml import _Xml


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


def fetch(url: str, *, timeout: float) -> tuple[bytes, str]:
    """The bytes at an http(s) URL (at most `MAX_FEED_BYTES`) and the URL they came from."""
    if urlsplit(url).scheme.lower() not in ("http", "https") or not urlsplit(url).netloc:
        raise FetchError(f"{url}: only http:// and https:// URLs can be fetched")
    opener = http_opener()
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
