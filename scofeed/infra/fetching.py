"""Getting a document's bytes, from a file or an http(s) URL, for the validator and the feed
importer: one policy for both.

- Sizes are capped before anything is parsed: a file is checked by its size and read one byte
  past the cap at most; a response is read one byte past the cap, and a gzip body is inflated
  only that far (a small bomb cannot grow in memory).
- Redirects are followed to http(s) URLs only: urllib's own handler would also follow one to an
  `ftp:` URL, a way out of "http(s) only" that a hostile server could use.
- Every failure is a `FetchError` whose text names the file or URL and what went wrong.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from scofeed.errors import FetchError
from scofeed.infra.urls import is_http_url

if TYPE_CHECKING:
    import urllib.request

# urllib.request is imported when something is fetched: it costs some 20 ms, which a build
# (that validates its own feeds but fetches nothing) would otherwise pay every time.

# What a reader would call a feed, and what the importers and the validator ask for.
FEED_TYPES = (
    "application/atom+xml, application/rss+xml, application/feed+json, "
    "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)


@dataclass(frozen=True)
class Fetched:
    data: bytes
    url: str  # where the bytes came from, after redirects


def amount(size: int) -> str:
    """`1,000 bytes`, `20.0 MiB`, `5.0 GiB`: a size as the messages give it."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size:,} bytes"


def too_large(
    source: str, cap: int, what: str = "a feed", hint: str = "", size: int | None = None
) -> FetchError:
    """`source: 5.0 GiB is over the 64.0 MiB a feed may have`; the size when it is known."""
    told = f"{amount(size)} " if size is not None else ""
    return FetchError(
        f"{source}: {told}is over the {amount(cap)} {what} may have" + (f"; {hint}" if hint else "")
    )


def read_file(path: Path | str, cap: int, *, what: str = "a feed", hint: str = "") -> bytes:
    """A file's bytes, at most `cap` of them (a bigger file is refused before it is read)."""
    source = str(path)
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > cap:  # a 5 GB file is never read
                raise too_large(source, cap, what, hint, size)
            data = fh.read(cap + 1)
    except FileNotFoundError:
        raise FetchError(f"{source}: no such file or folder") from None
    except IsADirectoryError:
        raise FetchError(f"{source}: is a folder, not a file") from None
    except OSError as exc:
        raise FetchError(f"{source}: cannot be read: {exc.strerror or exc}") from None
    if len(data) > cap:  # grew while it was read, or a special file that reports no size
        raise too_large(source, cap, what, hint)
    return data


def _opener() -> urllib.request.OpenerDirector:
    """http(s) only: proxies from the environment, errors as `HTTPError`, safe redirects."""
    import urllib.request

    class HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
        def http_error_302(
            self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any
        ) -> Any:
            target = urljoin(req.full_url, headers.get("location") or headers.get("uri") or "")
            if not is_http_url(target):
                raise FetchError(f"{req.full_url}: redirects to {target}, which is not http(s)")
            return super().http_error_302(req, fp, code, msg, headers)

        http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        HttpOnlyRedirects(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def fetch(url: str, *, cap: int, timeout: float, purpose: str, accept: str = FEED_TYPES) -> Fetched:
    """GET an http(s) URL: its bytes (at most `cap`, after gzip) and final URL. `purpose`
    goes into the User-Agent (`feed import`, `feed validator`), so a publisher's logs tell
    why scofeed came by."""
    import urllib.error
    import urllib.request

    from scofeed import __version__

    if not is_http_url(url):
        raise FetchError(f"{url}: only http:// and https:// URLs can be fetched")
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        url,
        headers={
            "User-Agent": f"scofeed/{__version__} ({purpose}; +https://github.com/scofeed/scofeed)",
            "Accept": accept,
            "Accept-Encoding": "gzip",
        },
    )
    try:
        with _opener().open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > cap:
                raise too_large(url, cap, size=int(length))
            data = response.read(cap + 1)
            encoding = (response.headers.get("Content-Encoding") or "").lower()
            final = str(response.geturl())
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: the server answered HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise FetchError(f"{url}: no answer within {timeout:g} s; try --timeout") from None
        raise FetchError(f"{url}: cannot be fetched: {exc.reason}") from None
    except TimeoutError:
        raise FetchError(f"{url}: no answer within {timeout:g} s; try --timeout") from None
    except (OSError, ValueError) as exc:
        raise FetchError(f"{url}: cannot be fetched: {exc}") from None
    if len(data) > cap:
        raise too_large(url, cap)
    if encoding in ("gzip", "x-gzip", "deflate"):
        unpack = zlib.decompressobj(zlib.MAX_WBITS | 32)  # a gzip or a zlib header
        try:
            data = unpack.decompress(data, cap + 1)
        except zlib.error as exc:
            raise FetchError(f"{url}: the compressed response is corrupt: {exc}") from None
        if len(data) > cap or unpack.unconsumed_tail:
            raise too_large(url, cap)
    return Fetched(bytes(data), final)
