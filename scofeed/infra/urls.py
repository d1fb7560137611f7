"""What counts as a URL, decided once for the configuration, the feeds, the pages, the importers
and the validator."""

from __future__ import annotations

import re
from contextlib import suppress
from functools import cache
from urllib.parse import quote, urlsplit

# An absolute IRI: an RFC 3986 scheme, then only what RFC 3987 lets an IRI hold (unreserved and
# reserved ASCII, %XX escapes, the non-ASCII characters of `ucschar`; no space, no control, none
# of < > " { } | \ ^ `): what Atom needs of an id, and what a post's `id:` must be.
_UCSCHAR = (
    "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"
    + "".join(f"{chr(plane << 16)}-{chr((plane << 16) + 0xFFFD)}" for plane in range(1, 14))
    + "\U000e1000-\U000efffd"
)


@cache
def _absolute_iri() -> re.Pattern[str]:
    # Compiled when first needed: the ranges of 14 planes cost every no-op build 1.5 ms.
    return re.compile(
        rf"[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;={_UCSCHAR}]"
        r"|%[0-9A-Fa-f]{2})+\Z"
    )


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def iri_to_uri(iri: str) -> str:
    """The URI an IRI maps to (RFC 3987 3.1): the host in punycode, every other character
    outside ASCII percent-encoded as UTF-8. RSS 2.0 wants URLs where Atom takes IRIs, so what a
    site writes is kept ASCII; ASCII comes back unchanged."""
    if iri.isascii():
        return iri
    scheme, sep, rest = iri.partition("://")
    if sep and scheme.isascii():
        authority, slash, path = rest.partition("/")
        userinfo, at, hostport = authority.rpartition("@")
        host, colon, port = hostport.partition(":")
        with suppress(UnicodeError):  # no IDNA name: percent-encoded (RFC 3986 3.2.2)
            host = host.encode("idna").decode("ascii")
        iri = f"{scheme}://{userinfo}{at}{host}{colon}{port}{slash}{path}"
    return _NON_ASCII_RUN.sub(lambda m: quote(m.group(), safe=""), iri)


# Schemes no id may have: a reader that shows an id as a link (RSS readers do, for a guid)
# would run or open it.
UNSAFE_ID_SCHEMES = frozenset({"javascript", "vbscript", "data", "file"})
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
    """A scheme, a colon and only characters an IRI may hold (`tag:…`, `urn:…`, `https://…`)."""
    return bool(_absolute_iri().match(text))


def unsafe_id_scheme(text: str) -> str | None:
    """The scheme of an id a reader would run or open (`javascript`, `vbscript`, `data`,
    `file`), in lower case; None for any other."""
    scheme = text.partition(":")[0].lower()
    return scheme if scheme in UNSAFE_ID_SCHEMES else None


def has_scheme(text: str) -> bool:
    """`scheme://…`: a URL that a base URL must not be joined to."""
    return bool(_HAS_SCHEME.match(text))
