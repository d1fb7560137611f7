"""Fetching documents over http(s) for the validator and the feed importer: one policy for both.

Redirects are followed to http(s) URLs only: urllib's own handler would also follow one to an
`ftp:` URL, a way out of "http(s) only" that a hostile server could use.
"""

from __future__ import annotations

import urllib.request
from typing import Any
from urllib.parse import urljoin, urlsplit

from scofeed.errors import FetchError


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def http_error_302(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any
    ) -> Any:
        target = urljoin(req.full_url, headers.get("location") or headers.get("uri") or "")
        if urlsplit(target).scheme.lower() not in ("http", "https"):
            raise FetchError(f"{req.full_url}: redirects to {target}, which is not http(s)")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def http_opener() -> urllib.request.OpenerDirector:
    """An opener for http(s) only: proxies from the environment, errors as `HTTPError`,
    redirects to http(s) URLs only."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        _HttpOnlyRedirects(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener
