"""The files that tell machines about the site: `sitemap.xml` (sitemaps.org), `robots.txt`
pointing to it, and `_redirects` (the format Netlify and Cloudflare Pages read: one
`from to status` line a rule) with a 301 for every old address a post keeps and for the feed
addresses Typepad served that scofeed does not write."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
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


def _urls(pages: Sequence[Page], config: Config) -> list[tuple[str, datetime | None]]:
    found: list[tuple[str, datetime | None]] = []
    for page in pages:
        if isinstance(page, PostPage):
            found.append((page.path, page.item.post.updated))
        elif isinstance(page, ListPage):
            newest = max((item.post.updated for item in page.items), default=None)
            found.append((page.path, newest))
        elif isinstance(page, ArchiveIndex | TagIndex):
            found.append((page.path, None))
    return [(layout.url(config, layout.link_path(path)), when) for path, when in found]


def sitemap_files(pages: Sequence[Page], config: Config) -> dict[str, bytes]:
    """`sitemap.xml`, and `sitemap-<n>.xml` parts when the site has over `MAX_URLS` pages."""
    urls = _urls(pages, config)
    parts = [urls[i : i + MAX_URLS] for i in range(0, len(urls), MAX_URLS)] or [[]]
    if len(parts) == 1:
        return {layout.SITEMAP_FILE: _urlset(parts[0])}
    files = {f"sitemap-{n}.xml": _urlset(part) for n, part in enumerate(parts, 1)}
    index = [f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{_NS}">']
    for name, part in zip(files, parts, strict=True):
        newest = max((when for _, when in part if when is not None), default=None)
        index.append(
            f"<sitemap><loc>{escape(layout.url(config, name))}</loc>{_lastmod(newest)}</sitemap>"
        )
    index.append("</sitemapindex>\n")
    files[layout.SITEMAP_FILE] = "\n".join(index).encode("utf-8")
    return files


def _urlset(urls: Sequence[tuple[str, datetime | None]]) -> bytes:
    lines = [f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{_NS}">']
    lines += [f"<url><loc>{escape(url)}</loc>{_lastmod(when)}</url>" for url, when in urls]
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


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
