"""A post's attachments: the `enclosures:` front matter key (a podcast's audio, a PDF), read and
checked here once for every renderer.

An enclosure is a plain tuple `(url, type, length, duration)`, not an object: posts go into the
build cache, whose unpickler admits no class at all (`scofeed.publish.cache`). `url` is an
absolute http(s) URL or a path below the site's address (`media/ep1.mp3`, a file of `static/`);
`type` a MIME type, guessed from the name when not given; `length` the size in bytes and
`duration` the playing time in seconds (iTunes' `itunes:duration`), None when unknown.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable
from functools import cache
from urllib.parse import urlsplit

from scofeed.infra.urls import has_scheme, iri_to_uri, is_absolute_iri, is_http_url

Enclosure = tuple[str, str, int | None, int | None]

MAX_ENCLOSURES = 100  # a post with more is a listing, not a post
MAX_URL = 2000  # what browsers and servers reliably take

# RFC 6838's characters, as the validator reads a type (`scofeed.validate.values`).
_MIME_CHARS = r"[A-Za-z0-9!#$%&'*+.^_`|~-]+"
_MIME = re.compile(
    rf"{_MIME_CHARS}/{_MIME_CHARS}(\s*;\s*{_MIME_CHARS}=({_MIME_CHARS}|\"[^\"]*\"))*\s*\Z"
)
# A file below the site: no scheme, query, fragment, back slash, white space or `..`.
_SITE_PATH = re.compile(r"^/?[^\s?#:\\]+$")
_CLOCK = re.compile(r"^(?:(\d{1,4}):)?(\d{1,4}):(\d{1,2})$")  # [H:]M:S, as iTunes writes it
_KEYS = {
    "url": "url",
    "href": "url",
    "type": "type",
    "mime_type": "type",  # JSON Feed's names
    "length": "length",
    "size": "length",
    "size_in_bytes": "length",
    "duration": "duration",
    "duration_in_seconds": "duration",
}
# Media types that Python's own table (which, unlike the system's, is the same on every machine,
# so the output is too) lacks or names otherwise in some versions.
_TYPES = {
    ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".m4b": "audio/mp4", ".aac": "audio/aac",
    ".ogg": "audio/ogg", ".oga": "audio/ogg", ".opus": "audio/ogg", ".flac": "audio/flac",
    ".wav": "audio/wav", ".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime",
    ".webm": "video/webm", ".pdf": "application/pdf", ".epub": "application/epub+zip",
}  # fmt: skip
EXAMPLE = "enclosures: [{url: https://example.org/ep1.mp3, type: audio/mpeg, length: 1234}]"


def read_enclosures(value: object, fail: Callable[[str], None]) -> tuple[Enclosure, ...]:
    """The `enclosures:` value: a list of mappings `{url, type, length, duration}` or of URLs,
    or one of them alone. Says what is wrong through `fail` (the caller adds file and line)."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    if len(items) > MAX_ENCLOSURES:
        fail(f"enclosures lists {len(items)} files; a post may carry {MAX_ENCLOSURES} at most")
        return ()
    out: dict[str, Enclosure] = {}
    for number, item in enumerate(items, 1):
        where = "enclosures" if len(items) == 1 else f"enclosures: item {number}"

        def said(message: str, where: str = where) -> None:
            fail(f"{where}: {message}")

        enclosure = _enclosure(item, said)
        if enclosure is None:
            return ()
        out.setdefault(enclosure[0], enclosure)  # one file once
    return tuple(out.values())


def _enclosure(item: object, fail: Callable[[str], None]) -> Enclosure | None:
    if isinstance(item, str):
        item = {"url": item}
    if not isinstance(item, dict):
        fail(f"must be a URL or a table such as {{url: …, type: audio/mpeg}}; see {EXAMPLE}")
        return None
    fields: dict[str, object] = {}
    for key, value in item.items():
        name = _KEYS.get(str(key).lower())
        if name is None:
            known = "url, type, length, duration"
            fail(f"{_shown(key)} is not a key an enclosure has; use {known}")
            return None
        fields[name] = value
    url = _url(fields.get("url"), fail)
    if url is None:
        return None
    mime = fields.get("type")
    if mime is None:
        mime = guess_type(url)
    elif not isinstance(mime, str) or not is_mime_type(mime.strip()):
        fail(f"type {_shown(mime)} is not a MIME type such as audio/mpeg")
        return None
    length = _count(fields.get("length"), "length", "the size in bytes", fail)
    duration = _duration(fields.get("duration"), fail)
    if length is False or duration is False:
        return None
    return (url, str(mime).strip(), length, duration)


def _url(value: object, fail: Callable[[str], None]) -> str | None:
    url = value.strip() if isinstance(value, str) else ""
    if not url:
        fail(f"has no url; write one, such as {EXAMPLE}")
        return None
    if len(url) > MAX_URL:
        fail(f"url is over {MAX_URL} characters; shorten it")
        return None
    if has_scheme(url) or ":" in url.split("/", 1)[0]:
        if not (is_http_url(url) and is_absolute_iri(url)):
            fail(
                f"url {_shown(url)} must be an http(s) URL without spaces or quotes (write a "
                "space as %20), or a path on this site such as media/episode-1.mp3"
            )
            return None
        return iri_to_uri(url)  # RSS 2.0 wants URLs: an IDN host in punycode and so on
    if not _SITE_PATH.match(url) or ".." in url.split("/"):
        fail(
            f"url {_shown(url)} must be a path on this site such as media/episode-1.mp3 (a file "
            "of static/), without spaces, '?', '#' or '..'; or an http(s) URL"
        )
        return None
    return url.lstrip("/")


def _count(value: object, key: str, what: str, fail: Callable[[str], None]) -> int | bool | None:
    """A whole number >= 0; None when not given; False after a failure."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value >= 10**15:
        fail(f"{key} must be {what}, a whole number, not {_shown(value)}")
        return False
    return value


def _duration(value: object, fail: Callable[[str], None]) -> int | bool | None:
    """Seconds, or a clock time `1:02:03` / `45:30` (YAML reads an unquoted one as base 60)."""
    if isinstance(value, str) and (match := _CLOCK.match(value.strip())):
        hours, minutes, seconds = (int(part or 0) for part in match.groups())
        return hours * 3600 + minutes * 60 + seconds
    if isinstance(value, float) and value >= 0 and value.is_integer():
        value = int(value)
    return _count(value, "duration", "the playing time in seconds (or 1:02:03)", fail)


def is_mime_type(text: str) -> bool:
    return bool(_MIME.match(text))


def guess_type(url: str) -> str:
    """The MIME type a file's name suggests; application/octet-stream when it says nothing."""
    path = urlsplit(url).path.lower()
    suffix = path[path.rfind(".") :] if "." in path.rpartition("/")[2] else ""
    return _TYPES.get(suffix) or _python_types().guess_type(path)[0] or "application/octet-stream"


@cache
def _python_types() -> mimetypes.MimeTypes:
    # A table of Python's defaults only: `mimetypes.guess_type` also reads /etc/mime.types,
    # which differs between machines, and the same posts must give the same bytes everywhere.
    return mimetypes.MimeTypes()


def is_site_path(url: str) -> bool:
    """A path below the site's address (made absolute by the renderers), not a URL."""
    return not has_scheme(url)


def _shown(value: object) -> str:
    if isinstance(value, dict | list):
        return "a table" if isinstance(value, dict) else "a list"
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:56] + "…" + shown[-3:]


# The keys themes give a post's picture under: Jekyll's `image` (a URL, or jekyll-seo-tag's
# table with `path`), Hugo's `images` (a list: the first is the one) and its themes' `cover`
# (a table with `image`), `featured_image` / `featuredImage` / `feature_image` (Ghost).
IMAGE_KEYS = ("image", "images", "featured_image", "featuredimage", "feature_image", "cover")


def read_image(value: object, fail: Callable[[str], None]) -> str | None:
    """A post's picture: an http(s) URL or a path on the site (a file of static/, or of the
    post's page bundle), in any of the shapes `IMAGE_KEYS` come in."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = next((value[k] for k in ("path", "url", "src", "image") if k in value), None)
    if value is None or value == "":
        return None
    messages: list[str] = []
    url = _url(value, messages.append)
    for message in messages:
        fail(message.replace("url ", "image ", 1).replace("has no url", "has no image"))
    return url
