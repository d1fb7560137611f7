"""RSS 2.0 and Atom 1.0 bytes of a feed folder: the only module that imports feedgen.

feedgen is wrapped here once, and its habits that break reproducible feeds are tamed: every date
is set explicitly (it would stamp the clock), entries are appended in our order (it prepends),
the RSS channel link is set last (the last `link()` call wins), the generator carries no version,
its dates are rewritten locale-free, and its bare `ValueError`s become `FeedError`s.

Enclosures are written into the finished tree (feedgen writes an Atom link's href and drops its
rel, type and length). Atom carries every one (`<link rel="enclosure">`); RSS 2.0 allows one per
item, so it carries the first (readers take only the first, and the validator warns of a second),
with `length="0"` when the size is unknown, as the RSS Advisory Board advises, and that one's
duration in `itunes:duration`. The JSON Feed carries them all (`jsonfeed`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from scofeed import HOMEPAGE
from scofeed.config import Config
from scofeed.errors import FeedError
from scofeed.infra.dates import rfc822, rfc3339
from scofeed.posts.post import Post
from scofeed.site import layout
from scofeed.site.entries import Entry, atom_id, enclosure_url, feed_id, render_entry
from scofeed.site.markup import escape
from scofeed.site.plan import FeedSpec, post_terms

# feedgen and lxml are imported in `render`, so a build with nothing to render never loads them.

ATOM_NS = "http://www.w3.org/2005/Atom"
SLASH_NS = "http://purl.org/rss/1.0/modules/slash/"
THR_NS = "http://purl.org/syndication/thread/1.0"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
MEDIA_NS = "http://search.yahoo.com/mrss/"
FH_NS = "http://purl.org/syndication/history/1.0"
FORMATS = tuple(layout.FEED_FORMATS)


@cache
def _extensions() -> tuple[type, type, type, type]:
    """feedgen extensions for `slash:comments` (RSS), `thr:total` (Atom, RFC 4685), and the
    `itunes` namespace for `itunes:duration` (RSS; written by `_finish`)."""
    from feedgen.ext.base import BaseEntryExtension, BaseExtension
    from lxml import etree

    class SlashFeed(BaseExtension):  # type: ignore[misc]
        def extend_ns(self) -> dict[str, str]:
            return {"slash": SLASH_NS}

    class ThrFeed(BaseExtension):  # type: ignore[misc]
        def extend_ns(self) -> dict[str, str]:
            return {"thr": THR_NS}

    class Comments(BaseEntryExtension):  # type: ignore[misc]
        count: int | None = None

        def extend_rss(self, item: Any) -> Any:
            if self.count is not None:
                etree.SubElement(item, f"{{{SLASH_NS}}}comments").text = str(self.count)
            return item

        def extend_atom(self, entry: Any) -> Any:
            if self.count is not None:
                etree.SubElement(entry, f"{{{THR_NS}}}total").text = str(self.count)
            return entry

    class ItunesFeed(BaseExtension):  # type: ignore[misc]
        def extend_ns(self) -> dict[str, str]:
            return {"itunes": ITUNES_NS}

    return SlashFeed, ThrFeed, Comments, ItunesFeed


def render(
    spec: FeedSpec, fmt: str, config: Config, entry_for: Callable[[Post], Entry] | None = None
) -> bytes:
    """One feed's bytes. `entry_for` gives a post's rendered entry (so a build renders each
    post once, or takes it from its cache); by default each post is rendered here."""
    from feedgen.feed import FeedGenerator

    slash_feed, thr_feed, comments, itunes_feed = _extensions()
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.register_extension("slash", slash_feed, comments, atom=False, rss=True)
    fg.register_extension("thr", thr_feed, comments, atom=True, rss=False)
    # The namespace only in feeds that use it: the others stay as they were, byte for byte.
    if fmt == "rss" and any(_duration(post) is not None for post in spec.entries):
        fg.register_extension("itunes", itunes_feed, atom=False, rss=True)
    home = layout.url(config, spec.folder)
    fg.id(feed_id(spec.folder, config))
    fg.title(spec.title)
    fg.subtitle(spec.description)
    # RSS descriptions are HTML to readers: plain text goes in escaped (Atom says type="text").
    fg.description(escape(spec.description, quote=False))
    fg.language(config.language)
    fg.author({"name": config.author})
    fg.generator("scofeed", uri=HOMEPAGE)
    fg.updated(spec.updated)
    fg.lastBuildDate(spec.updated)
    # feedgen takes the RSS channel <link> from the last link() call: self first, alternate last.
    fg.link(href=layout.url(config, spec.path(fmt)), rel="self", type=f"application/{fmt}+xml")
    fg.link(href=home, rel="alternate", type="text/html")

    images: list[tuple[str | None, bool]] = []  # each entry's picture, and if the post named it
    for post, countries in zip(spec.entries, spec.entry_countries, strict=True):
        entry = entry_for(post) if entry_for is not None else render_entry(post, config)
        images.append((entry.image, post.image is not None))
        fe = fg.add_entry(order="append")
        # feedgen's id() and guid() each set both; RSS carries the id as it is (an old feed's
        # guid, say), Atom an IRI made of it when it is none.
        if fmt == "atom":
            fe.id(atom_id(entry.id, config))
        else:
            fe.guid(entry.id, permalink=False)
        fe.title(entry.title)
        fe.link(href=entry.link, rel="alternate", type="text/html")
        fe.published(post.date)
        fe.updated(post.updated)
        if config.feed_content == "full":  # else the summary and the link to the page only
            fe.content(entry.html, type="html")
        summary = entry.summary or entry.title
        fe.summary(escape(summary, quote=False) if fmt == "rss" else summary)
        author = post.author or config.author
        fe.author({"name": author})
        fe.dc.dc_creator(author)
        for term, scheme in _categories(post, countries, config):
            fe.category(term=term, scheme=scheme)
        fe.slash.count = fe.thr.count = post.comments
    try:
        raw = fg.atom_str(pretty=False) if fmt == "atom" else fg.rss_str(pretty=False)
    except ValueError as exc:  # feedgen's "Required fields not set", lxml's bad characters
        raise FeedError(f"{spec.path(fmt)}: cannot be rendered: {exc}") from exc
    return _finish(raw, fmt, spec, config, images)


def _categories(
    post: Post, countries: tuple[str, ...], config: Config
) -> list[tuple[str, str | None]]:
    """The category, the post's countries (with a scheme naming our country feeds), its
    categories and tags (those with a tag feed with a scheme naming our tag feeds)."""
    out: dict[str, str | None] = {config.title: None}
    for name in countries:
        out.setdefault(name, layout.country_scheme(config))
    filed = set(post_terms(post, config))
    for term in (*post.categories, *post.tags):
        has_feed = term in filed and layout.tag_folder(term)
        out.setdefault(term, layout.tag_scheme(config) if has_feed else None)
    return list(out.items())


def _finish(
    raw: bytes, fmt: str, spec: FeedSpec, config: Config, images: list[tuple[str | None, bool]]
) -> bytes:
    """Fix what feedgen cannot be told: locale-free dates with four-digit years, and titles and
    summaries that say they are text; add each entry's picture (Media RSS)."""
    from lxml import etree

    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    root = etree.fromstring(raw, parser)
    if fmt == "rss":
        channel = root.find("channel")
        assert channel is not None
        for el in channel.iter("lastBuildDate"):
            el.text = rfc822(spec.updated)
        for item, post in zip(channel.iter("item"), spec.entries, strict=True):
            for el in item.iter("pubDate"):
                el.text = rfc822(post.date)
            for enclosure in post.enclosures[:1]:
                _, mime, length, seconds = enclosure
                url = enclosure_url(enclosure, config)
                etree.SubElement(item, "enclosure", url=url, length=str(length or 0), type=mime)
                if seconds is not None:
                    etree.SubElement(item, f"{{{ITUNES_NS}}}duration").text = str(seconds)
    else:
        a = f"{{{ATOM_NS}}}"
        root.find(f"{a}updated").text = rfc3339(spec.updated)
        root.find(f"{a}title").set("type", "text")
        root.find(f"{a}subtitle").set("type", "text")
        for el, post in zip(root.iter(f"{a}entry"), spec.entries, strict=True):
            el.find(f"{a}title").set("type", "text")
            el.find(f"{a}updated").text = rfc3339(post.updated)
            el.find(f"{a}published").text = rfc3339(post.date)
            el.find(f"{a}summary").set("type", "text")
            for enclosure in post.enclosures:
                _, mime, length, _ = enclosure
                link = etree.SubElement(el, f"{a}link", rel="enclosure")
                link.set("href", enclosure_url(enclosure, config))
                link.set("type", mime)
                if length is not None:
                    link.set("length", str(length))
    if config.websub_hubs and not spec.page:
        _hubs(root, fmt, config)
    _history(root, fmt, spec, config)
    if any(picture for picture, _ in images):
        channel = root.find("channel")
        items = channel.iter("item") if fmt == "rss" else root.iter(f"{{{ATOM_NS}}}entry")
        for el, (picture, own) in zip(items, images, strict=True):
            _media(el, picture, own)
        # The namespace only in feeds that use it, declared once on the root.
        etree.cleanup_namespaces(root, top_nsmap={"media": MEDIA_NS})
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _hubs(root: Any, fmt: str, config: Config) -> None:
    """WebSub: each hub beside the self link (the topic), on subscription feeds only: archive
    documents never change once full, and nobody subscribes to them."""
    from lxml import etree

    parent = root.find("channel") if fmt == "rss" else root
    links = parent.iterchildren(f"{{{ATOM_NS}}}link")
    at = next(parent.index(el) for el in links if el.get("rel") == "self") + 1
    for offset, hub in enumerate(config.websub_hubs):
        parent.insert(at + offset, etree.Element(f"{{{ATOM_NS}}}link", href=hub, rel="hub"))


def _history(root: Any, fmt: str, spec: FeedSpec, config: Config) -> None:
    """Feed History (RFC 5005): `fh:complete` on a feed that holds every entry, `fh:archive`
    on an archive document, and the links between the documents, before the first entry."""
    from lxml import etree

    a = f"{{{ATOM_NS}}}"
    parent = root.find("channel") if fmt == "rss" else root
    first = parent.find("item" if fmt == "rss" else f"{a}entry")
    at = parent.index(first) if first is not None else len(parent)
    # A subscription feed with archives behind it is neither complete nor an archive.
    fh = [] if spec.pages and not spec.page else ["archive" if spec.page else "complete"]
    marks = [etree.Element(f"{{{FH_NS}}}{name}") for name in fh]
    rel_type = f"application/{fmt}+xml"
    for rel, href in spec.history_links(layout.FEED_FORMATS[fmt], config).items():
        marks.append(etree.Element(f"{a}link", rel=rel, href=href, type=rel_type))
    for offset, el in enumerate(marks):
        parent.insert(at + offset, el)
    if fh:
        etree.cleanup_namespaces(root, top_nsmap={"fh": FH_NS})


def _media(el: Any, url: str | None, own: bool) -> None:
    """Media RSS, what readers show an entry's picture from (in RSS and Atom alike): the post's
    own `image:` as its `media:content` and thumbnail; the body's first image as the thumbnail
    only, as it is shown in the content already."""
    from lxml import etree

    if url is None:
        return
    if own:
        etree.SubElement(el, f"{{{MEDIA_NS}}}content", url=url, medium="image")
    etree.SubElement(el, f"{{{MEDIA_NS}}}thumbnail", url=url)


def _duration(post: Post) -> int | None:
    """The playing time RSS gives an item: its first (its only RSS) enclosure's."""
    return post.enclosures[0][3] if post.enclosures else None
