"""What a site needs besides its feeds, for subscribing and embedding: the HTML pages that list
the feeds (with autodiscovery links), a ready HTML fragment per feed, the OPML subscription
list, and the embed script.

Pure functions from `FeedSpec`s, the configuration and the rendered `Entry` values (the same
ones the feeds carry) to bytes: no clock, no environment. Every text is escaped with
`markup.escape`; the OPML is written with lxml.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from scofeed.config import Config
from scofeed.infra.dates import rfc822, rfc3339
from scofeed.infra.urls import is_http_url
from scofeed.posts.post import Post
from scofeed.site import layout
from scofeed.site.entries import Entry
from scofeed.site.layout import EMBED_FILE, EMBED_SCRIPT, FEED_FILES, INDEX_FILE, OPML_FILE
from scofeed.site.markup import escape
from scofeed.site.plan import FeedSpec

LATEST = 10  # entries in an embed fragment and on a page

EntryFor = Callable[[Post], Entry]

_CSS = (
    "body{font:1rem/1.5 system-ui,sans-serif;max-width:48rem;margin:0 auto;padding:1rem;"
    "color:#1b1b1b;background:#fff}"
    "a{color:#0b57a4}table{border-collapse:collapse;width:100%}"
    "th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ccc;vertical-align:top}"
    "td.n{text-align:right}ul.feeds{list-style:none;padding:0}ul.feeds li{display:inline}"
    "td ul.feeds{margin:0}"
    "ul.feeds li+li::before{content:' · '}"
    "pre{overflow-x:auto;background:#f3f3f3;padding:.5rem}"
    "@media (prefers-color-scheme:dark){body{color:#e8e8e8;background:#121212}"
    "a{color:#8ab4f8}pre{background:#222}th,td{border-color:#444}}"
)


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


# --- the pages -------------------------------------------------------------------------------


def _page(config: Config, title: str, alternates: str, body: Iterable[str]) -> bytes:
    lines = [
        "<!DOCTYPE html>",
        f'<html lang="{_e(config.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light dark">',
        f"<title>{_e(title)}</title>",
        '<meta name="generator" content="scofeed">',
        alternates,
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _alternates(spec: FeedSpec, config: Config) -> str:
    """`<link rel="alternate">` autodiscovery tags for a feed folder's three feeds."""
    home = layout.url(config, spec.folder)
    return "\n".join(
        f'<link rel="alternate" type="{kind}" title="{_e(f"{spec.title} ({label})")}" '
        f'href="{_e(home + name)}">'
        for name, kind, label in FEED_FILES
    )


def _feed_links(prefix: str, about: str | None = None) -> str:
    """Links to a folder's feeds; `about` names them for screen readers in a table of many."""
    links = "".join(
        f'<li><a href="{_e(prefix + name)}" type="{kind}"'
        + (f' aria-label="{_e(f"{label}: {about}")}"' if about else "")
        + f">{label}</a></li>"
        for name, kind, label in FEED_FILES
    )
    return f'<ul class="feeds">{links}</ul>'


def _entries(n: int) -> str:
    return f"{n} {'entry' if n == 1 else 'entries'}"


def _latest(spec: FeedSpec) -> str:
    return _time(spec.entries[0]) if spec.entries else "none yet"


def _embed_snippet(spec: FeedSpec, config: Config) -> list[str]:
    # The code a webmaster pastes is HTML too: every value in it escaped once for it, then
    # the whole escaped again to be shown on this page.
    snippet = (
        f'<div data-scofeed="{_e(layout.url(config, spec.folder + layout.JSON_FILE))}" '
        'data-limit="5">\n'
        f'  <a href="{_e(layout.url(config, spec.folder))}">{_e(spec.title)}</a>\n'
        "</div>\n"
        f'<script src="{_e(layout.url(config, EMBED_SCRIPT))}" defer></script>'
    )
    return [
        '<h2 id="embed">Embed</h2>',
        "<p>Show the latest posts on another site: paste this where they should appear "
        f'(the link shows until the feed loads), or include <a href="{EMBED_FILE}">'
        f"{EMBED_FILE}</a>, a ready HTML fragment, server-side or in an iframe.</p>",
        f"<pre><code>{_e(snippet)}</code></pre>",
    ]


def render_index(specs: Sequence[FeedSpec], config: Config, entry_for: EntryFor) -> bytes:
    """`index.html`: every feed of the site (the whole category, then each country with its
    entry count and latest post date), autodiscovery links for the category's feeds, and the
    category's latest posts."""
    site = next(s for s in specs if s.country is None)
    countries = [s for s in specs if s.country is not None]
    body = [
        "<header>",
        f"<h1>{_e(config.title)}</h1>",
        f"<p>{_e(config.description)}</p>",
        "</header>",
        "<main>",
        '<h2 id="subscribe">Subscribe</h2>',
        f"<p>Every post of {_e(config.title)}: {_entries(len(site.entries))}, "
        f"latest post {_latest(site)}.</p>",
        _feed_links(""),
        f'<p>Every feed of this site at once, for a feed reader: <a href="{OPML_FILE}" '
        f'type="text/x-opml">{OPML_FILE}</a> (OPML).</p>',
        '<h2 id="countries">By country</h2>',
    ]
    if countries:
        body += [
            "<table>",
            "<caption>One set of feeds for each country the posts concern</caption>",
            '<thead><tr><th scope="col">Country</th><th scope="col">Entries</th>'
            '<th scope="col">Latest post</th><th scope="col">Feeds</th></tr></thead>',
            "<tbody>",
        ]
        for spec in countries:
            body.append(
                f'<tr><th scope="row"><a href="{_e(spec.folder)}">{_e(spec.country or "")}</a>'
                f'</th><td class="n">{len(spec.entries)}</td><td>{_latest(spec)}</td>'
                f"<td>{_feed_links(spec.folder, spec.country)}</td></tr>"
            )
        body += ["</tbody>", "</table>"]
    else:
        body.append("<p>No country has a post yet.</p>")
    body += _latest_posts(site, entry_for)
    body += [*_embed_snippet(site, config), "</main>"]
    return _page(config, f"{config.title}: feeds", _alternates(site, config), body)


def render_country_index(spec: FeedSpec, config: Config, entry_for: EntryFor) -> bytes:
    """`countries/<slug>/index.html`: one country's feeds, with their autodiscovery links,
    and its latest posts."""
    body = [
        "<header>",
        '<nav><a href="../../">All feeds</a></nav>',
        f"<h1>{_e(spec.title)}</h1>",
        f"<p>{_e(spec.description)}</p>",
        "</header>",
        "<main>",
        '<h2 id="subscribe">Subscribe</h2>',
        f"<p>{_entries(len(spec.entries))}, latest post {_latest(spec)}.</p>",
        _feed_links(""),
        *_latest_posts(spec, entry_for),
        *_embed_snippet(spec, config),
        "</main>",
    ]
    return _page(config, spec.title, _alternates(spec, config), body)


def _latest_posts(spec: FeedSpec, entry_for: EntryFor) -> list[str]:
    items = _entry_items(spec.entries[:LATEST], entry_for)
    if not items:
        return ['<h2 id="latest">Latest posts</h2>', "<p>No posts yet.</p>"]
    return ['<h2 id="latest">Latest posts</h2>', '<ol class="scofeed-entries">', *items, "</ol>"]


# --- OPML ------------------------------------------------------------------------------------


def render_opml(specs: Sequence[FeedSpec], config: Config) -> bytes:
    """`feeds.opml` (OPML 2.0): every feed of the site, the whole category and then the
    countries each in a folder, for a feed reader to import in one step. One outline per feed
    folder, naming its Atom feed (the format with entry update dates). Dated by the newest
    entry, never by the clock."""
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
        (config.title, [s for s in specs if s.country is None]),
        (f"{config.title}: countries", [s for s in specs if s.country is not None]),
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


# --- everything the site holds besides its feeds ---------------------------------------------


def site_files(specs: Sequence[FeedSpec], config: Config, entry_for: EntryFor) -> dict[str, bytes]:
    """Relative path -> bytes of the site-level files: the index page, each country's page,
    the OPML list and the embed script."""
    files = {
        INDEX_FILE: render_index(specs, config, entry_for),
        OPML_FILE: render_opml(specs, config),
        EMBED_SCRIPT: embed_script(),
    }
    for spec in specs:
        if spec.country is not None:
            files[spec.folder + INDEX_FILE] = render_country_index(spec, config, entry_for)
    return files
