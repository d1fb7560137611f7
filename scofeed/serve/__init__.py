"""`scofeed serve`: the output folder over HTTP, for previewing the feeds, pages and widget.

A static file server that behaves like a good production host: the feeds' own content types,
`ETag` and `Last-Modified` with `304 Not Modified` for conditional requests, gzip when the
client asks for it (with `Vary`), CORS for what other sites fetch (the feeds and `embed.js`),
HEAD, `index.html` for folder URLs, the site at base_url's path as well as at `/`, the
site's `404.html` for unknown paths, and no way out of the output folder (`..`, its
percent-encoded forms, symbolic links leading out, hidden files such as a build's temporary
files). And one that a hostile client on the network cannot take down or use: one loop does
all the waiting and a fixed pool of workers the answering (`_loop`), files and gzip bodies are
cached per version in bounded memory (`_files`), and what a client sends reaches the log
escaped (`_handler`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from scofeed.serve._files import CACHE_BYTES, Files
from scofeed.serve._handler import Site, base_segments
from scofeed.serve._loop import Limits, PreviewServer

__all__ = ["CACHE_BYTES", "Limits", "PreviewServer", "make_server", "url_of"]


def make_server(
    root: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    log: Callable[[str], None] = print,
    *,
    clock: Callable[[], float] = time.time,
    cache_bytes: int = CACHE_BYTES,
    limits: Limits = Limits(),  # noqa: B008 (frozen: one shared default is safe)
    base_path: str = "/",
    live: bool = False,
) -> PreviewServer:
    """A server for `root` bound to host:port (port 0: any free port; see `url_of`). `log`
    gets one line per request: client, request line, status; `clock` is the time now, in
    seconds since the epoch (for `Date`, and to ignore an `If-Modified-Since` not yet come);
    `base_path` is base_url's path, where `root` is served as well as at `/`; `live` adds
    the reload stream and script of `serve --watch` (`PreviewServer.reload`)."""
    site = Site(root.resolve(), Files(cache_bytes), clock, log, base_segments(base_path), live)
    return PreviewServer((host, port), site, limits)


def url_of(server: PreviewServer) -> str:
    host, port = server.server_address[:2]
    if isinstance(host, bytes):
        host = host.decode()
    shown = f"[{host}]" if ":" in str(host) else str(host)
    return f"http://{shown}:{port}/"
