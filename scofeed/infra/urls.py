"""What counts as a URL, decided once for the configuration, the feeds, the pages, the importers
and the validator."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# An absolute URI (RFC 3986 scheme, then characters no URI holds unescaped): what Atom needs
# of an id, and what a post's `id:` must be.
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+\Z")
_HAS_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def is_http_url(url: object) -> bool:
    """An absolute http(s) URL with a host: what a reader can follow and scofeed may fetch."""
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced [ in the host
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def is_absolute_iri(text: str) -> bool:
    """A scheme, a colon and no character an IRI may not hold (`tag:…`, `urn:…`, `https://…`)."""
    return bool(_ABSOLUTE_IRI.match(text))


def has_scheme(text: str) -> bool:
    """`scheme://…`: a URL that a base URL must not be joined to."""
    return bool(_HAS_SCHEME.match(text))
