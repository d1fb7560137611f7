"""One request, answered: parsed from the bytes the loop read, answered into bytes (and maybe a
file) for the loop to send. HTTP's meaning lives here; the loop only moves bytes."""

from __future__ import annotations

import email.utils
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import unquote, urlsplit

from scofeed.serve._files import Files, Opened
from scofeed.serve._reload import EVENTS_PATH, HELLO, inject
from scofeed.site.layout import content_type, is_text

# What other sites fetch from a script: any origin may read it (it is public, and sent without
# credentials). The pages are not among them.
CORS_SUFFIXES = (".json", ".js", ".xml", ".opml")
CORS_NAMES = ("embed.html",)
GZIP_MIN = 256  # bytes; smaller bodies gain nothing
_JOIN_MAX = 64 * 1024  # a body this small goes out in one piece with its head
NOT_FOUND_PAGE = "404.html"  # the site's own page for unknown paths, as hosts serve it


@dataclass(frozen=True)
class Site:
    """What the handler answers from: the folder, its files, the clock, the request log, and
    the base path's segments (decoded): the folder is served there as well as at `/`."""

    root: Path  # resolved
    files: Files
    clock: Callable[[], float]
    log: Callable[[str], None]
    base: tuple[str, ...] = ()
    live: bool = False  # `serve --watch`: the reload stream, and its script in every page


def base_segments(path: str) -> tuple[str, ...]:
    """The decoded segments of a URL path such as base_url's ("/sco/" gives ("sco",)), compared
    with a request's decoded segments, so that either may be percent-encoded."""
    return tuple(p for p in unquote(path, errors="replace").split("/") if p)


@dataclass(frozen=True)
class Reply:
    """What the loop sends: `data` pieces, then `stream` from disk (a file too big to cache),
    then closes the connection or reads the next request, which may be in `rest` already."""

    data: tuple[bytes, ...]
    stream: Opened | None
    close: bool
    rest: bytes
    subscribe: bool = False  # the reload stream: the connection stays open for its events


def answer(received: bytes, client: tuple[str, int], site: Site) -> Reply:
    """The reply to the first request in `received` (a complete head, and what followed it)."""
    handler = _Handler(received, client, site)
    head = handler.out.getvalue()
    body = handler.body
    if body is None or not body:
        data: tuple[bytes, ...] = (head,)
    else:
        data = (head + body,) if len(body) <= _JOIN_MAX else (head, body)
    return Reply(
        data, handler.stream, handler.close_connection, handler.rfile.read(), handler.subscribe
    )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "scofeed"

    def __init__(self, received: bytes, client: tuple[str, int], site: Site) -> None:
        # Not BaseRequestHandler's: there is no socket here, the loop reads and writes.
        self.site = site
        self.client_address = client
        self.rfile = io.BytesIO(received)
        self.out = io.BytesIO()
        self.wfile = self.out
        self.body: bytes | None = None
        self.stream: Opened | None = None
        self.close_connection = True
        self._said_close = False
        self.subscribe = False
        self.handle_one_request()

    def version_string(self) -> str:
        return self.server_version

    def date_time_string(self, timestamp: float | None = None) -> str:
        return email.utils.formatdate(
            self.site.clock() if timestamp is None else timestamp, usegmt=True
        )

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "connection" and value.lower() == "close":
            self._said_close = True
        super().send_header(keyword, value)

    def end_headers(self) -> None:
        if self._unread_body():  # what follows the head is a body, not the next request
            self.close_connection = True
        if self.close_connection and not self._said_close:
            self.send_header("Connection", "close")
        super().end_headers()

    def _unread_body(self) -> bool:
        headers = getattr(self, "headers", None)
        if headers is None:
            return False
        length = headers.get("Content-Length", "0").strip()
        return "Transfer-Encoding" in headers or length not in ("", "0")

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def do_OPTIONS(self) -> None:
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header("Allow", "GET, HEAD, OPTIONS")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
        self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _refuse_method(self) -> None:
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD, OPTIONS")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_DELETE = do_PATCH = _refuse_method

    # --- the one path ------------------------------------------------------------------------

    def _serve(self, *, send_body: bool) -> None:
        if self.site.live and self.path.partition("?")[0] == EVENTS_PATH:
            self._events(send_body=send_body)
            return
        found = self._resolve()
        if found == HTTPStatus.NOT_FOUND:
            self._not_found(send_body=send_body)
            return
        if isinstance(found, HTTPStatus):
            self.send_error(found)
            return
        path, folder_url = found
        if folder_url is not None:  # a folder named without its slash: relative links need it
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", folder_url)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        opened = self.site.files.open(path)
        if opened == HTTPStatus.SERVICE_UNAVAILABLE:
            self._unavailable()
            return
        if isinstance(opened, HTTPStatus):
            self._not_found(send_body=send_body)
            return
        try:
            self._send_file(path, opened, send_body=send_body)
        finally:
            if self.stream is not opened:
                opened.close()

    def _send_file(self, path: Path, file: Opened, *, send_body: bool) -> None:
        kind = content_type(path.name)
        if self.site.live and kind.startswith("text/html") and file.data is not None:
            self._send_live(kind, file, send_body=send_body)
            return
        # A file too big to cache is sent as it is: its gzip body could not be kept either,
        # and making it again for every request would let any client keep a worker busy.
        gzipped = (
            self._wants_gzip() and is_text(kind) and file.data is not None and file.size >= GZIP_MIN
        )
        etag = f'"{file.tag}-gzip"' if gzipped else f'"{file.tag}"'
        headers = {
            "Content-Type": kind,
            "ETag": etag,
            "Last-Modified": email.utils.formatdate(file.mtime, usegmt=True),
            "Cache-Control": "no-cache",  # a preview: always revalidate (cheap, with 304s)
            "X-Content-Type-Options": "nosniff",
        }
        if is_text(kind):
            headers["Vary"] = "Accept-Encoding"
        if path.suffix.lower() in CORS_SUFFIXES or path.name in CORS_NAMES:
            headers["Access-Control-Allow-Origin"] = "*"
            headers["Access-Control-Expose-Headers"] = "ETag"
        if self._not_modified(file):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            for name, value in headers.items():
                if name != "Content-Type":
                    self.send_header(name, value)
            self.end_headers()
            return
        body = self.site.files.gzipped(file) if gzipped else file.data
        self.send_response(HTTPStatus.OK)
        for name, value in headers.items():
            self.send_header(name, value)
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body) if body is not None else file.size))
        self.end_headers()
        if send_body:
            if body is not None:
                self.body = body
            else:
                self.stream = file  # too big to cache: the loop sends it from disk

    def _not_found(self, *, send_body: bool) -> None:
        """404, with the site's 404.html as its body when there is one (a production host's
        error page), else the plain one."""
        page = self._inside(self.site.root / NOT_FOUND_PAGE)
        opened = self.site.files.open(page) if page is not None else HTTPStatus.NOT_FOUND
        if isinstance(opened, HTTPStatus):  # none, or unreadable: the request still gets its 404
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        try:
            self.send_response(HTTPStatus.NOT_FOUND)
            self.send_header("Content-Type", content_type(NOT_FOUND_PAGE))
            self.send_header("Cache-Control", "no-cache")
            self.send_header("X-Content-Type-Options", "nosniff")
            live = self.site.live and opened.data is not None
            body = inject(opened.data) if live and opened.data is not None else None
            self.send_header("Content-Length", str(opened.size if body is None else len(body)))
            self.end_headers()
            if send_body and body is not None:
                self.body = body
            elif send_body:
                if opened.data is not None:
                    self.body = opened.data
                else:
                    self.stream = opened  # too big to cache: the loop sends it from disk
        finally:
            if self.stream is not opened:
                opened.close()

    def _events(self, *, send_body: bool) -> None:
        """The reload stream: a head, the retry delay, then an event after each rebuild."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.close_connection = True  # its end is the connection's end
        self.end_headers()
        if send_body:
            self.body = HELLO
            self.subscribe = True

    def _send_live(self, kind: str, file: Opened, *, send_body: bool) -> None:
        """A page as `serve --watch` sends it: with the reload script, never from a cache
        (no validators: after a rebuild the browser must get the new page)."""
        assert file.data is not None
        body = inject(file.data)
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.body = body

    def _unavailable(self) -> None:
        """No descriptor or memory left, or the disk failed: try again, on a new connection."""
        self.send_response(HTTPStatus.SERVICE_UNAVAILABLE)
        self.send_header("Retry-After", "1")
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()

    def _resolve(self) -> tuple[Path, str | None] | HTTPStatus:
        """The file a request names, or the folder URL to redirect to, or why not."""
        target = self.path
        if target.startswith(("http://", "https://")):  # the absolute form a proxy would send
            target = urlsplit(target).path or "/"
        if not target.startswith("/"):
            return HTTPStatus.BAD_REQUEST
        raw = target.split("?", 1)[0].split("#", 1)[0]
        try:
            decoded = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            return HTTPStatus.NOT_FOUND
        if "\x00" in decoded or "\\" in decoded:
            return HTTPStatus.BAD_REQUEST
        parts = [p for p in decoded.split("/") if p]
        if any(p in (".", "..") for p in parts):  # checked on the whole path, base path too
            return HTTPStatus.FORBIDDEN
        # The site where base_url puts it (/sco/x.html) as well as at the root (/x.html), so
        # links written as the public host serves them work. The base path wins over a folder
        # of the same name; hidden names are checked after it, on what names a file.
        base = self.site.base
        if base and tuple(parts[: len(base)]) == base:
            parts = parts[len(base) :]
        if any(p.startswith(".") for p in parts):  # hidden files, a build's temporary files
            return HTTPStatus.NOT_FOUND
        real = self._inside(self.site.root.joinpath(*parts))
        if real is not None and real.is_dir():
            if not raw.endswith("/"):
                # One leading slash: "//name/" would send the browser to the host "name".
                return real, "/" + raw.lstrip("/") + "/"
            real = self._inside(real / "index.html")
        if real is None or not real.is_file():
            return HTTPStatus.NOT_FOUND
        return real, None

    def _inside(self, path: Path) -> Path | None:
        """Where `path` really is, when that is inside the root (not a link that leads out)."""
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError, ValueError):  # missing, a symlink loop, a bad name
            return None
        return real if real.is_relative_to(self.site.root) else None

    def _wants_gzip(self) -> bool:
        for item in self.headers.get("Accept-Encoding", "").split(","):
            coding, _, params = item.strip().partition(";")
            if coding.strip().lower() in ("gzip", "x-gzip", "*"):
                q = params.strip().lower()
                return not (q.startswith("q=") and _q_is_zero(q[2:]))
        return False

    def _not_modified(self, file: Opened) -> bool:
        """RFC 9110 section 13: If-None-Match decides when present (weak comparison, either
        encoding's tag), else If-Modified-Since, to the second, when it is a date that has
        been (not a date, or one later than now: the header is ignored, section 13.1.3)."""
        tags = self.headers.get("If-None-Match")
        if tags is not None:
            wanted = {t.strip().removeprefix("W/") for t in tags.split(",")}
            return "*" in wanted or bool(wanted & {f'"{file.tag}"', f'"{file.tag}-gzip"'})
        since = self.headers.get("If-Modified-Since")
        when = http_date(since) if since is not None else None
        if when is None or when > self.site.clock():
            return False
        return int(file.mtime) <= when

    # --- the log -----------------------------------------------------------------------------

    def log_message(self, format: str, *args: object) -> None:
        shown = tuple(escaped(arg) if isinstance(arg, str) else arg for arg in args)
        self.site.log(f"{self.address_string()} {format % shown}")

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        status = code.value if isinstance(code, HTTPStatus) else code
        self.log_message('"%s" %s', self.requestline, status)


def http_date(text: str) -> float | None:
    """The time an HTTP date names, or None for anything else (garbage, impossible dates, a
    year no clock will reach): a date header that does not parse is as good as absent."""
    try:
        when = email.utils.parsedate_to_datetime(text)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when.timestamp()
    except (TypeError, ValueError, OverflowError):
        return None


def escaped(text: str) -> str:
    """`text` as it may reach a terminal or a log file: anything but printable ASCII as a
    \\xNN, \\uNNNN or \\UNNNNNNNN escape, and `"` and `\\` escaped too (as Apache's log does),
    so what a client sends can neither drive the terminal nor forge a line or a field."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return text
    return text.translate(_ESCAPES)


class _Escapes(dict[int, str]):
    def __missing__(self, code: int) -> str:
        if code < 0x100:
            return f"\\x{code:02x}"
        return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


_ESCAPES = _Escapes({code: chr(code) for code in range(0x20, 0x7F)})
_ESCAPES.update({ord('"'): '\\"', ord("\\"): "\\\\"})


def _q_is_zero(text: str) -> bool:
    try:
        return float(text) == 0
    except ValueError:
        return False
