"""A feed entry's attachments -> the post's `enclosures:` (see `scofeed.posts.media`).

Where they come from: RSS 2.0 `<enclosure>`, RSS 1.0 `enc:enclosure`, Media RSS `media:content`
of audio and video (images there are mostly thumbnails and author portraits, not attachments),
Atom `<link rel="enclosure">`, JSON Feed `attachments`; the iTunes `itunes:duration` of an item
goes with its first. Each is checked as the store will check it, so what is written is what the
build reads; one that cannot be kept (an ftp: URL, say) is left out with a note.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

from scofeed.importers.feed.common import ATOM, _absolute, short
from scofeed.infra.urls import has_scheme
from scofeed.posts.media import is_mime_type, read_enclosures

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
MEDIA = "{http://search.yahoo.com/mrss/}"
ENC = "{http://purl.oclc.org/net/rss_2.0/enc#}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"

# Characters a URL may not hold as they are (white space, quotes, brackets): percent-encoded, as
# a browser does when it follows such a link, so the store's check lets the URL through.
_UNSAFE = re.compile(r"[\x00-\x20\"<>\\^`{|}\x7f]")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


def found(
    raw: Iterable[tuple[str | None, str | None, str | None, str | None]],
    base: str | None,
    note: Callable[[str], None],
) -> list[dict[str, object]]:
    """`(url, type, length, duration)` as a feed writes them -> `enclosures:` items. A type or
    length that is no such thing is left out (the store then guesses the type); an item whose
    URL cannot be kept is left out with a note."""
    out: dict[str, dict[str, object]] = {}
    for url, mime, length, duration in raw:
        url = _absolute(url, base) if url and url.strip() else None
        if url is None:
            continue
        url = _UNSAFE.sub(lambda m: quote(m.group(), safe=""), url.strip())
        if not has_scheme(url) and ":" not in url.split("/", 1)[0]:  # not a file of this site
            note(f"the enclosure {short(url)!r} is left out: its address is relative, and the "
                 "feed gives none to resolve it against; import the feed from its URL")  # fmt: skip
            continue
        item: dict[str, object] = {"url": url}
        if mime and is_mime_type(mime.strip()):  # else the store guesses it from the name
            item["type"] = mime.strip()
        size = _whole(length)
        if size:  # 0 is what RSS writes for "unknown"
            item["length"] = size
        seconds = _seconds(duration)
        if seconds is not None:
            item["duration"] = seconds
        problems: list[str] = []
        if not read_enclosures(item, problems.append):
            note(f"the enclosure {short(url)!r} is left out: {problems[0].partition(': ')[2]}")
            continue
        out.setdefault(url, item)
    return list(out.values())


def rss_items(item: Any) -> list[tuple[str | None, str | None, str | None, str | None]]:
    """An RSS item's attachments (2.0, 1.0 and Media RSS), the item's duration with the first."""
    raw: list[tuple[str | None, str | None, str | None, str | None]] = [
        (el.get("url"), el.get("type"), el.get("length"), None) for el in item.iterfind("enclosure")
    ]
    raw += [
        (
            el.get(f"{RDF}resource"),
            el.get(f"{ENC}type"),
            el.get(f"{ENC}length"),
            None,
        )
        for el in item.iterfind(f"{ENC}enclosure")
    ]
    raw += media_content(item)
    return with_duration(raw, _text(item.find(f"{ITUNES}duration")))


def atom_links(entry: Any) -> list[tuple[str | None, str | None, str | None, str | None]]:
    """An Atom entry's `<link rel="enclosure">`s and Media RSS, the entry's iTunes duration with
    the first (podcast hosts put it in Atom entries too)."""
    raw: list[tuple[str | None, str | None, str | None, str | None]] = [
        (el.get("href"), el.get("type"), el.get("length"), None)
        for el in entry.iterfind(f"{ATOM}link")
        if (el.get("rel") or "").strip() == "enclosure"
    ]
    return with_duration(raw + media_content(entry), _text(entry.find(f"{ITUNES}duration")))


def media_content(el: Any) -> list[tuple[str | None, str | None, str | None, str | None]]:
    """Media RSS audio and video, directly inside `el` or in its `media:group`s."""
    contents = [*el.iterfind(f"{MEDIA}content"), *el.iterfind(f"{MEDIA}group/{MEDIA}content")]
    out = []
    for content in contents:
        mime = content.get("type") or ""
        medium = content.get("medium") or mime.partition("/")[0]
        if medium in ("audio", "video"):
            out.append(
                (content.get("url"), mime or None, content.get("fileSize"), content.get("duration"))
            )
    return out


def with_duration(
    raw: list[tuple[str | None, str | None, str | None, str | None]], duration: str | None
) -> list[tuple[str | None, str | None, str | None, str | None]]:
    if raw and duration and raw[0][3] is None:
        raw[0] = (*raw[0][:3], duration)
    return raw


def _text(el: Any) -> str | None:
    return None if el is None else str(el.text or "").strip() or None


def _whole(value: object) -> int | None:
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 16 else None


def _seconds(value: object) -> int | None:
    """A duration as feeds write it: seconds (`3723`, `3723.4`), or `1:02:03`, `62:03`."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return round(value) if 0 <= value < 10**9 else None
    parts = str(value).strip().split(":")
    if not 1 <= len(parts) <= 3 or not all(_NUMBER.match(p) and len(p) < 10 for p in parts):
        return None
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return round(seconds)
