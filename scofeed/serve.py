"""`scofeed serve`: the output folder over HTTP, for previewing the feeds, pages and widget.

A static file server on the standard library's `ThreadingHTTPServer` that behaves like a good
production host: the feeds' own content types, `ETag` and `Last-Modified` with `304 Not
Modified` for conditional requests, gzip when the client asks for it (with `Vary`), CORS for
what other sites fetch (the feeds and `embed.js`), HEAD, `index.html` for folder URLs, and
no way out of the output folder (`..`, its percent-encoded forms, symbolic links leading out,
hidden files such as a build's temporary files).
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from stat import S_ISREG
from urllib.parse import unquote, urlsplit

from scofeed.site.layout import content_type, is_text

# What other sites fetch from a script: any origin may read it (it is public, and sent without
# credentials). The pages are not among them.
CORS_SUFFIXES = (".json", ".js", ".xml", ".opml")
CORS_NAMES = ("embed.html",)
GZIP_MIN = 256  # bytes; smaller bodies gain nothing
MAX_FILE = 64 * 1024 * 1024  # a preview server has no business sending more


@dataclass(frozen=True)
class _File:
    data: bytes
    etag: str  # strong, of the bytes: the same bytes always give the same tag
    mtime: float


class _Handler(BaseHTTPRequestHandler):
    """One request against `server.root`; `server.log` gets one line per request."""

    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "scofeed"
    timeout = 30  # an idle kept-alive connection is closed, so it cannot hold a thread forever

    def version_string(self) -> str:
        return self.server_version

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
        found = self._resolve()
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
        file = self.server.read(path)
        if file is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        kind = content_type(path.name)
        gzipped = self._wants_gzip() and is_text(kind) and len(file.data) >= GZIP_MIN
        etag = f'"{file.etag}-gzip"' if gzipped else f'"{file.etag}"'
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
        body = gzip.compress(file.data, mtime=0) if gzipped else file.data
        self.send_response(HTTPStatus.OK)
        for name, value in headers.items():
            self.send_header(name, value)
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

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
        if any(p in (".", "..") for p in parts):
            return HTTPStatus.FORBIDDEN
        if any(p.startswith(".") for p in parts):  # hidden files, a build's temporary files
            return HTTPStatus.NOT_FOUND
        real = self._inside(self.server.root.joinpath(*parts))
        if real is not None and real.is_dir():
            if not raw.endswith("/"):
                return real, raw + "/"
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
        return real if real.is_relative_to(self.server.root) else None

    def _wants_gzip(self) -> bool:
        for item in self.headers.get("Accept-Encoding", "").split(","):
            coding, _, params = item.strip().partition(";")
            if coding.strip().lower() in ("gzip", "x-gzip", "*"):
                q = params.strip().lower()
                return not (q.startswith("q=") and _q_is_zero(q[2:]))
        return False

    def _not_modified(self, file: _File) -> bool:
        """RFC 9110 section 13: If-None-Match decides when present (weak comparison, either
        encoding's tag), else If-Modified-Since, to the second."""
        tags = self.headers.get("If-None-Match")
        if tags is not None:
            wanted = {t.strip().removeprefix("W/") for t in tags.split(",")}
            return "*" in wanted or bool(wanted & {f'"{file.etag}"', f'"{file.etag}-gzip"'})
        since = self.headers.get("If-Modified-Since")
        if since is None:
            return False
        try:
            when = email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False  # not a date: ignore the header, as RFC 9110 says
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return int(file.mtime) <= when.timestamp()

    def log_message(self, format: str, *args: object) -> None:
        self.server.log(f"{self.address_string()} {format % args}")

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        status = code.value if isinstance(code, HTTPStatus) else code
        self.log_message('"%s" %s', self.requestline, status)


def _q_is_zero(text: str) -> bool:
    try:
        return float(text) == 0
    except ValueError:
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], root: Path, log: Callable[[str], None]) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.root = root.resolve()
        self.log = log
        self._cache: dict[tuple[str, int, int, int], _File] = {}
        super().__init__(address, _Handler)

    def read(self, path: Path) -> _File | None:
        """The file's bytes and tag, hashed once per version of the file."""
        try:
            with path.open("rb") as fh:
                stat = os.fstat(fh.fileno())
                if not S_ISREG(stat.st_mode) or stat.st_size > MAX_FILE:
                    return None
                key = (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
                cached = self._cache.get(key)
                if cached is not None:
                    return cached
                data = fh.read()
        except OSError:
            return None
        file = _File(data, hashlib.sha256(data).hexdigest()[:32], stat.st_mtime)
        if len(self._cache) > 512:
            self._cache.clear()
        self._cache[key] = file
        return file


def make_server(
    root: Path, host: str = "127.0.0.1", port: int = 8000, log: Callable[[str], None] = print
) -> ThreadingHTTPServer:
    """A server for `root` bound to host:port (port 0: any free port; see `url_of`). `log`
    gets one line per request: client, request line, status."""
    return _Server((host, port), root, log)


def url_of(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    if isinstance(host, bytes):
        host = host.decode()
    shown = f"[{host}]" if ":" in str(host) else str(host)
    return f"http://{shown}:{port}/"
