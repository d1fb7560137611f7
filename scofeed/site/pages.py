"""What a site needs besides its feeds and pages, for subscribing and embedding: a ready HTML
fragment per feed, the code that embeds a feed in another site, the OPML subscription list,
and the embed script; `site_files` gathers them with the sitemap, robots.txt, the 404 page and
the redirects.

Pure functions from `FeedSpec`s, the configuration and the rendered `Entry` values (the same
ones the feeds carry) to bytes: no clock, no environment. Every text is escaped with
`markup.escape`; the OPML is written with lxml.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from scofeed.config import Config
from scofeed.infra.dates import rfc822, rfc3339
from scofeed.infra.urls import is_http_url
from scofeed.posts.post import Post
from scofeed.site import layout
from scofeed.site.entries import Entry
from scofeed.site.layout import EMBED_SCRIPT
from scofeed.site.markup import escape
from scofeed.site.plan import FeedSpec

if TYPE_CHECKING:
    from scofeed.site.archive import SitePages

LATEST = 10  # entries in an embed fragment and on a page

EntryFor = Callable[[Post], Entry]


def _e(text: str) -> str:
    return escape(text)


def _http(url: str) -> str | None:
    """`url` when it is an absolute http(s) URL, else None (never a `javascript:` link)."""
    return url if is_http_url(url) else None


def _time(post: Post) -> str:
    """The post's date as written (in its own offset), machine-readable and shown as a date."""
    stamp = rfc3339(post.date)
    return f'<time datetime="{_e(stamp)}">{_e(stamp[:10])}</time>'


def _entry_items(
    posts: Sequence[Post], entry_for: EntryFor, *, target: str = "", indent: str = ""
) -> list[str]:
    lines = []
    for post in posts:
        entry = entry_for(post)
        href = _http(entry.link)
        title = _e(entry.title)
        label = f'<a href="{_e(href)}"{target}>{title}</a>' if href else title
        lines.append(f'{indent}<li class="scofeed-entry">{label} {_time(post)}</li>')
    return lines


# --- the embed fragment and script -----------------------------------------------------------


def render_embed(spec: FeedSpec, config: Config, entry_for: EntryFor) -> bytes:
    """The latest `LATEST` entries of a feed as a list of links with dates, for a server-side
    include or an iframe: no scripts, no styles, absolute URLs, links that leave an iframe
    (`target="_top"`), and pure ASCII (other characters as references), so the fragment reads
    the same in a page of any encoding."""
    home = _http(layout.url(config, spec.folder))
    heading = _e(spec.title)
    if home:
        heading = f'<a href="{_e(home)}" target="_top">{heading}</a>'
    lines = [
        f'<div class="scofeed" lang="{_e(config.language)}">',
        f'<p class="scofeed-title">{heading}</p>',
    ]
    items = _entry_items(spec.entries[:LATEST], entry_for, target=' target="_top"')
    if items:
        lines += ['<ul class="scofeed-entries">', *items, "</ul>"]
    else:
        lines.append('<p class="scofeed-empty">No posts yet.</p>')
    lines.append("</div>")
    return ("\n".join(lines) + "\n").encode("ascii", "xmlcharrefreplace")


def embed_script() -> bytes:
    """The dependency-free script that renders a feed's `feed.json` into an element."""
    return (Path(__file__).parent.parent / "data" / EMBED_SCRIPT).read_bytes()


# --- the code a webmaster pastes ------------------------------------------------------------


def embed_code(folder: str, title: str, config: Config) -> str:
    """The HTML that shows a feed's latest posts on another site. Every value in it is escaped
    once for it; the page that shows it escapes the whole again (autoescape)."""
    return (
        f'<div data-scofeed="{_e(layout.url(config, folder + layout.JSON_FILE))}" '
        'data-limit="5">\n'
        f'  <a href="{_e(layout.url(config, folder))}">{_e(title)}</a>\n'
        "</div>\n"
        f'<script src="{_e(layout.url(config, EMBED_SCRIPT))}" defer></script>'
    )


# --- OPML ------------------------------------------------------------------------------------


def render_opml(specs: Sequence[FeedSpec], config: Config) -> bytes:
    """`feeds.opml` (OPML 2.0): every feed of the site, the whole category, then the countries
    and the tags each in a folder, for a feed reader to import in one step. One outline per
    feed folder, naming its Atom feed (the format with entry update dates). Dated by the
    newest entry, never by the clock."""
    from lxml import etree

    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    etree.SubElement(head, "title").text = config.title
    newest = [s.updated for s in specs if s.entries]
    if newest:
        etree.SubElement(head, "dateModified").text = rfc822(max(newest))
    etree.SubElement(head, "ownerName").text = config.author
    etree.SubElement(head, "docs").text = "https://opml.org/spec2.opml"
    body = etree.SubElement(opml, "body")
    groups = (
        (config.title, [s for s in specs if s.folder == ""]),
        (f"{config.title}: countries", [s for s in specs if s.country is not None]),
        (f"{config.title}: tags", [s for s in specs if s.folder.startswith(layout.TAGS)]),
    )
    for name, members in groups:
        if not members:
            continue
        folder = etree.SubElement(body, "outline", {"text": name, "title": name})
        for spec in members:
            home = layout.url(config, spec.folder)
            etree.SubElement(
                folder,
                "outline",
                {
                    "type": "rss",
                    "text": spec.title,
                    "title": spec.title,
                    "description": spec.description,
                    "xmlUrl": layout.url(config, spec.path("atom")),
                    "htmlUrl": home,
                    "language": config.language,
                },
            )
    data = etree.tostring(opml, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return bytes(data)


def site_files(specs: list[FeedSpec], site: SitePages, config: Config) -> dict[str, bytes]:
    """Sitemap, OPML, embed script, robots.txt, 404 page and redirects, by path."""
    from scofeed.site.html import render_not_found
    from scofeed.site.sitemap import redirects, robots, sitemap_files

    files = {
        layout.OPML_FILE: render_opml(specs, config),
        layout.EMBED_SCRIPT: embed_script(),
        layout.ROBOTS_FILE: robots(config),
        layout.NOT_FOUND_FILE: render_not_found(config),
        layout.REDIRECTS_FILE: redirects(site.redirects, config),
        **sitemap_files(site.pages, config),
    }
    assert set(files) <= {*layout.SITE_FILES, *(f for f in files if f.startswith("sitemap-"))}
    return files
