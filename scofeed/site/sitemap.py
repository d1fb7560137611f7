"""The files that tell machines about the site: `sitemap.xml` (sitemaps.org), `robots.txt`
pointing to it, and `_redirects` (the format Netlify and Cloudflare Pages read: one
`from to status` line a rule) with a 301 for every old address a post keeps and for the feed
addresses Typepad served that scofeed does not write."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from itertools import islice
from urllib.parse import quote

from scofeed.config import Config
from scofeed.infra.dates import rfc3339
from scofeed.site import layout
from scofeed.site.archive import ArchiveIndex, ListPage, Page, PostPage, TagIndex
from scofeed.site.markup import escape

# sitemaps.org: at most 50,000 addresses a file; beyond, `sitemap.xml` is an index of files.
MAX_URLS = 50_000
_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"

# Typepad's feed addresses that scofeed does not write -> the feed that replaces each.
TYPEPAD_FEEDS = (("index.rdf", layout.RSS_FILE),)


def _urls(pages: Sequence[Page], config: Config) -> Iterator[tuple[str, datetime | None]]:
    when: datetime | None
    for page in pages:
        if isinstance(page, PostPage):
            path, when = page.path, page.item.post.updated
        elif isinstance(page, ListPage):
            path, when = page.path, max((item.post.updated for item in page.items), default=None)
        elif isinstance(page, ArchiveIndex | TagIndex):
            path, when = page.path, None
        else:
            continue
        yield layout.url(config, layout.link_path(path)), when


def sitemap_files(pages: Sequence[Page], config: Config) -> dict[str, bytes]:
    """`sitemap.xml`, and `sitemap-<n>.xml` parts when the site has over `MAX_URLS` pages.
    Written as the pages are gone through: the addresses of a big site, listed and then
    joined, were the peak of its build (some 90 MB at 100,000 posts)."""
    urls = _urls(pages, config)
    parts: list[tuple[bytes, datetime | None]] = []
    while True:
        data, newest, count = _urlset(urls, MAX_URLS)
        if count or not parts:
            parts.append((data, newest))
        if count < MAX_URLS:
            break
    if len(parts) == 1:
        return {layout.SITEMAP_FILE: parts[0][0]}
    files = {f"sitemap-{n}.xml": data for n, (data, _) in enumerate(parts, 1)}
    index = [f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{_NS}">']
    for name, (_, newest) in zip(files, parts, strict=True):
        index.append(
            f"<sitemap><loc>{escape(layout.url(config, name))}</loc>{_lastmod(newest)}</sitemap>"
        )
    index.append("</sitemapindex>\n")
    files[layout.SITEMAP_FILE] = "\n".join(index).encode("utf-8")
    return files


def _urlset(
    urls: Iterator[tuple[str, datetime | None]], limit: int
) -> tuple[bytes, datetime | None, int]:
    """The next `limit` addresses at most as a urlset, with the newest date and the count."""
    out = bytearray(f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{_NS}">'.encode())
    newest: datetime | None = None
    count = 0
    for url, when in islice(urls, limit):
        out += f"\n<url><loc>{escape(url)}</loc>{_lastmod(when)}</url>".encode()
        count += 1
        if when is not None and (newest is None or when > newest):
            newest = when
    out += b"\n</urlset>\n"
    return bytes(out), newest, count


def _lastmod(when: datetime | None) -> str:
    return "" if when is None else f"<lastmod>{rfc3339(when)}</lastmod>"


def robots(config: Config) -> bytes:
    """Every page may be crawled; the sitemap is named. (Crawlers read `/robots.txt` at the
    host's root: a site served below a path should copy these lines there.)"""
    sitemap = layout.url(config, layout.SITEMAP_FILE)
    return f"User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n".encode()


def redirects(aliases: Sequence[tuple[str, str]], config: Config) -> bytes:
    """`_redirects`: every alias (old path below output/ -> new path), then Typepad's feeds,
    as paths on the host (base_url's path first), each a permanent 301."""
    base = layout.site_path(config)
    lines = ["# Written by scofeed: old addresses -> where they are now (301 Moved Permanently)."]
    rules = [(old, new) for old, new in aliases] + list(TYPEPAD_FEEDS)
    for old, new in rules:
        lines.append(f"{_on_host(base, layout.link_path(old))} {_on_host(base, new)} 301")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _on_host(base: str, path: str) -> str:
    # Percent-encoded, as requests arrive (Netlify reads a rule as whitespace-separated fields).
    return base + quote(path, safe="/-._~")
