"""Getting a document's bytes, from a file or an http(s) URL, for the validator and the feed
importer: one policy for both.

- Sizes are capped before anything is parsed: a file is checked by its size and read one byte
  past the cap at most; a response is read one byte past the cap, and a gzip body is inflated
  only that far (a small bomb cannot grow in memory).
- Redirects are followed to http(s) URLs only: urllib's own handler would also follow one to an
  `ftp:` URL, a way out of "http(s) only" that a hostile server could use.
- One deadline per fetch: `timeout` seconds for all of it (looking the host up, connecting, TLS,
  every redirect, the headers, the body). Each socket operation waits only for the time left, so
  a server that sends a byte every few seconds is cut off at the deadline like one that sends
  nothing; a timeout per read, urllib's, let such a server hold a fetch open for ever.
- Addresses: unless `allow_private` (`--allow-private`), nothing is fetched from a loopback,
  private, link-local, unspecified, multicast or reserved address (`scofeed.infra.addresses`
  says which and why). The check applies to the address the socket connects to, after one
  look-up, at every hop: a redirect to such an address is refused like a URL naming it.
- Proxies: when the environment names an HTTP(S) proxy for a URL (`http_proxy`, `https_proxy`,
  not excluded by `no_proxy`), the proxy looks the host up and connects, so scofeed cannot see
  the address reached. It then refuses what it can tell without a look-up (a host written as a
  refused address, `localhost`) and leaves names to the proxy: a service that fetches through a
  proxy should have the proxy refuse private destinations. The proxy's own address is not
  checked: the operator chose it, and it is often on a private network.
- Every failure is a `FetchError` whose text names the file or URL and what went wrong.
"""

from __future__ import annotations

import io
import os
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit

from scofeed.errors import FetchError
from scofeed.infra.urls import is_http_url

if TYPE_CHECKING:
    import http.client
    import socket
    import urllib.request

    from _typeshed import WriteableBuffer

    from scofeed.infra.addresses import Check

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


class _Deadline:
    """The one deadline of a fetch, and how many bytes of answer came before it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.received = 0

    def left(self) -> float:
        """Seconds left; TimeoutError when there are none."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"the fetch took over {self.seconds:g} s")
        return left

    def missed(self, url: str) -> FetchError:
        if self.received:  # a server that answers, too slowly to finish
            return FetchError(
                f"{url}: the answer did not arrive in full within {self.seconds:g} s; try --timeout"
            )
        return FetchError(f"{url}: no answer within {self.seconds:g} s; try --timeout")


class _TimedReader(io.RawIOBase):
    """A response's socket, read within the fetch's deadline: each read waits for the time left
    only. http.client reads the status line, the headers and the body through it."""

    def __init__(self, raw: io.RawIOBase, sock: socket.socket, deadline: _Deadline) -> None:
        super().__init__()
        self._raw, self._sock, self._deadline = raw, sock, deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int | None:
        self._sock.settimeout(self._deadline.left())
        got = self._raw.readinto(buffer)
        self._deadline.received += got or 0
        return got

    def fileno(self) -> int:
        return self._raw.fileno()

    def close(self) -> None:
        if not self.closed:
            self._raw.close()  # lets the socket close once http.client is done with it
        super().close()


def _opener(
    url: str,
    deadline: _Deadline,
    check: Check | None,
    *,
    redirects: bool = True,
    allow_hint: str = "given --allow-private",
) -> urllib.request.OpenerDirector:
    """http(s) only: proxies from the environment, errors as `HTTPError`, safe redirects (none
    unless `redirects`: then a 3xx is an `HTTPError` too); every socket operation within
    `deadline`, and every address `check`ed (unless None; `allow_hint` says how to allow)."""
    import http.client
    import urllib.request

    from scofeed.infra import addresses

    class HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
        def http_error_302(
            self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any
        ) -> Any:
            target = urljoin(req.full_url, headers.get("location") or headers.get("uri") or "")
            if not is_http_url(target):
                raise FetchError(f"{req.full_url}: redirects to {target}, which is not http(s)")
            return super().http_error_302(req, fp, code, msg, headers)

        http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    class Response(http.client.HTTPResponse):  # status line, headers, body: within the deadline
        def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
            super().__init__(sock, *args, **kwargs)
            self.fp = io.BufferedReader(_TimedReader(self.fp.detach(), sock, deadline))

    class Connection(http.client.HTTPConnection):
        response_class = Response
        checked = True  # False for a connection to a proxy

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = self._connect  # where http.client opens its socket

        def _connect(self, address: tuple[str, int], *args: object) -> socket.socket:
            host, port = address
            return addresses.connect(
                host, port, left=deadline.left, check=check if self.checked else None
            )

        def send(self, data: Any) -> None:  # the request, and a proxy's CONNECT
            if self.sock is not None:
                self.sock.settimeout(deadline.left())
            super().send(data)

    class TlsConnection(http.client.HTTPSConnection, Connection):
        pass  # HTTPSConnection.connect wraps what Connection connected (TLS: within the time left)

    def open_checked(
        handler: urllib.request.AbstractHTTPHandler,
        kind: type[Connection],
        req: urllib.request.Request,
    ) -> http.client.HTTPResponse:
        target = urlsplit(req.full_url)
        proxied = req.host != unquote(target.netloc)  # ProxyHandler made the proxy the host

        def connection(host: str, /, **kwargs: Any) -> Connection:
            made = kind(host, **kwargs)
            made.checked = not proxied
            return made

        try:
            if proxied and check is not None:
                addresses.check_name(target.hostname or "", check)
            return handler.do_open(connection, req)
        except addresses.RefusedAddress as exc:
            hop = "" if req.full_url == url else f"redirects to {req.full_url}, and "
            raise FetchError(
                f"{url}: {hop}{exc}; scofeed fetches from public addresses only, unless "
                f"{allow_hint}"
            ) from None

    class Http(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return open_checked(self, Connection, req)

    class Https(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return open_checked(self, TlsConnection, req)  # the default TLS context

    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        Http(),
        Https(),
        *([HttpOnlyRedirects()] if redirects else []),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def fetch(
    url: str,
    *,
    cap: int,
    timeout: float,
    purpose: str,
    accept: str = FEED_TYPES,
    allow_private: bool = False,
    check: Check | None = None,
) -> Fetched:
    """GET an http(s) URL: its bytes (at most `cap`, after gzip) and final URL, all of it within
    `timeout` seconds. `purpose` goes into the User-Agent (`feed import`, `feed validator`), so
    a publisher's logs tell why scofeed came by. Only public addresses are fetched from unless
    `allow_private`; `check` replaces that rule (`addresses.refusal`): what it returns for an
    address is why it is refused, None lets it through."""
    import urllib.error
    import urllib.request

    from scofeed import __version__
    from scofeed.infra import addresses

    if not is_http_url(url):
        raise FetchError(f"{url}: only http:// and https:// URLs can be fetched")
    deadline = _Deadline(timeout)
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        url,
        headers={
            "User-Agent": f"scofeed/{__version__} ({purpose}; +https://github.com/scofeed/scofeed)",
            "Accept": accept,
            "Accept-Encoding": "gzip",
        },
    )
    policy = None if allow_private else check or addresses.refusal
    try:
        with _opener(url, deadline, policy).open(request, timeout=timeout) as response:
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
            raise deadline.missed(url) from None
        raise FetchError(f"{url}: cannot be fetched: {exc.reason}") from None
    except TimeoutError:
        raise deadline.missed(url) from None
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


@dataclass(frozen=True)
class Posted:
    status: int  # the HTTP status of the answer, whatever it is
    text: str  # the start of its body on one line, for messages; "" when there is none
    location: str = ""  # where a 3xx sends the request


def post_form(
    url: str,
    fields: list[tuple[str, str]],
    *,
    timeout: float,
    purpose: str,
    allow_private: bool = False,
    allow_hint: str = "given --allow-private",
) -> Posted:
    """POST `fields` form-encoded to an http(s) URL, all of it within `timeout` seconds, from a
    public address unless `allow_private`. Any HTTP answer is returned, 2xx or not; redirects
    are not followed (urllib would make the POST a GET, and a WebSub hub's page answers a GET
    with 200: a success that told it nothing). Raises `FetchError` when no answer came."""
    import urllib.error
    import urllib.request
    from urllib.parse import urlencode

    from scofeed import __version__
    from scofeed.infra import addresses

    if not is_http_url(url):
        raise FetchError(f"{url}: only http:// and https:// URLs can be posted to")
    deadline = _Deadline(timeout)
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        url,
        data=urlencode(fields).encode("ascii"),
        headers={
            "User-Agent": f"scofeed/{__version__} ({purpose}; +https://github.com/scofeed/scofeed)",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        method="POST",
    )
    policy = None if allow_private else addresses.refusal
    try:
        opener = _opener(url, deadline, policy, redirects=False, allow_hint=allow_hint)
        with opener.open(request, timeout=timeout) as response:
            return Posted(response.status, _gist(response.read(_GIST)))
    except urllib.error.HTTPError as exc:
        body = exc.read(_GIST) if exc.fp is not None else b""
        return Posted(exc.code, _gist(body) or exc.reason, exc.headers.get("Location") or "")
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise FetchError(f"{url}: no answer within {timeout:g} s") from None
        raise FetchError(f"{url}: cannot be reached: {exc.reason}") from None
    except TimeoutError:
        raise FetchError(f"{url}: no answer within {timeout:g} s") from None
    except (OSError, ValueError) as exc:
        raise FetchError(f"{url}: cannot be reached: {exc}") from None


_GIST = 4096  # bytes of an answer's body kept for a message


def _gist(body: bytes) -> str:
    """An answer's first words, printable on one line (a hub's error says why it refused)."""
    text = " ".join(body.decode("utf-8", "replace").split())
    text = "".join(c for c in text if c.isprintable())
    return text[:200] + ("…" if len(text) > 200 else "")
