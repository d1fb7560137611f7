"""Which feeds exist (`plan`) and their bytes (`render`): the only module that imports feedgen.

feedgen is wrapped here once, and its habits that break reproducible feeds are tamed: every date
is set explicitly (it would stamp the clock), entries are appended in our order (it prepends),
the RSS channel link is set last (the last `link()` call wins), the generator carries no version,
its dates are rewritten locale-free, and its bare `ValueError`s become `FeedError`s.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import quote

from scofeed.config import Config
from scofeed.countries import Gazetteer, country_slug
from scofeed.errors import FeedError
from scofeed.post import Post, body_of
from scofeed.render import render_html, summary_of, title_of

# feedgen and lxml are imported in `render`, so a build with nothing to render never loads them.

ATOM_NS = "http://www.w3.org/2005/Atom"
SLASH_NS = "http://purl.org/rss/1.0/modules/slash/"
THR_NS = "http://purl.org/syndication/thread/1.0"
FORMATS = ("rss", "atom")
GENERATOR = ("scofeed", "https://github.com/scofeed/scofeed")
# An empty feed still needs an updated date; the clock is never it, so the epoch is.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FeedSpec:
    """One feed pair (RSS and Atom) to write: where, what it is called, which posts it carries."""

    folder: str  # "" for the whole category, "countries/russia/" for a country
    title: str
    description: str
    country: str | None
    entries: tuple[Post, ...]  # newest first, at most feed_limit
    # Country for each entry, in entry order, so categories never need detection again.
    entry_countries: tuple[tuple[str, ...], ...]

    def path(self, fmt: str) -> str:
        return f"{self.folder}{fmt}.xml"

    @property
    def updated(self) -> datetime:
        return max((p.updated for p in self.entries), default=EPOCH)


def post_countries(post: Post, gazetteer: Gazetteer) -> tuple[str, ...]:
    """The countries a post concerns: declared ones when given, else those its text names."""
    if post.countries is not None:
        return gazetteer.canonical_all(post.countries)
    if post.mentions is not None:  # detected when the post was read
        return post.mentions
    return tuple(sorted(gazetteer.detect(post.title or "", body_of(post))))


def newest_first(posts: Iterable[Post]) -> list[Post]:
    return sorted(posts, key=lambda p: (p.date, p.updated, p.slug), reverse=True)


def plan(
    posts: Iterable[Post], config: Config, gazetteer: Gazetteer, now: datetime
) -> list[FeedSpec]:
    """The whole-category feed and one per country with a published post, sorted by folder."""
    published = newest_first(p for p in posts if p.is_published(now))
    limit = config.feed_limit or None
    by_country: dict[str, list[tuple[Post, tuple[str, ...]]]] = {}
    every: list[tuple[Post, tuple[str, ...]]] = []
    for post in published:
        names = post_countries(post, gazetteer)
        every.append((post, names))
        for name in names:
            by_country.setdefault(name, []).append((post, names))

    def spec(
        folder: str,
        title: str,
        desc: str,
        country: str | None,
        items: Sequence[tuple[Post, tuple[str, ...]]],
    ) -> FeedSpec:
        kept = items[:limit]
        return FeedSpec(
            folder=folder,
            title=title,
            description=desc,
            country=country,
            entries=tuple(p for p, _ in kept),
            entry_countries=tuple(c for _, c in kept),
        )

    specs = [spec("", config.title, config.description, None, every)]
    for name, items in by_country.items():
        slug = country_slug(name)
        specs.append(
            spec(
                f"countries/{slug}/",
                f"{config.title}: {name}",
                f"{config.description} Posts about {name}.",
                name,
                items,
            )
        )
    return sorted(specs, key=lambda s: s.folder)


# --- links and ids ---------------------------------------------------------------------------


def permalink(post: Post, config: Config) -> str:
    """The post's absolute URL under the site's base URL, from the `permalink` pattern."""
    try:
        local = post.date.astimezone(config.tzinfo)
    except OverflowError:  # 0001-01-01T00:00+05:00 has no date in UTC: keep the one written
        local = post.date
    path = config.permalink.format(
        year=f"{local.year:04d}",
        month=f"{local.month:02d}",
        day=f"{local.day:02d}",
        slug=quote(post.slug, safe="-._~"),
    )
    return config.base_url + path.lstrip("/")


def entry_id(post: Post, config: Config) -> str:
    """The post's `tag:` id: from the slug only, so title, base URL and date may change."""
    return post.id or f"tag:{config.tag_authority}:posts/{quote(post.slug, safe='-._~')}"


def feed_id(spec: FeedSpec, config: Config) -> str:
    return f"tag:{config.tag_authority}:feeds/{spec.folder or 'all/'}".rstrip("/")


# --- rendering -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A post rendered once per build, shared by every feed and format that carries it."""

    id: str
    link: str
    title: str
    html: str
    summary: str


def render_entry(post: Post, config: Config) -> Entry:
    link = permalink(post, config)
    html = render_html(post, link)
    return Entry(
        id=entry_id(post, config),
        link=link,
        title=title_of(post, html),
        html=html,
        summary=summary_of(post, html),
    )


@cache
def _extensions() -> tuple[type, type, type]:
    """feedgen extensions for `slash:comments` (RSS) and `thr:total` (Atom, RFC 4685)."""
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

    return SlashFeed, ThrFeed, Comments


def feed_key(spec: FeedSpec, fmt: str) -> str:
    """A hash of everything a feed's bytes depend on besides the configuration (which keys the
    whole cache): when it is unchanged, so is the feed."""
    h = hashlib.sha256(repr((fmt, spec.folder, spec.title, spec.description)).encode())
    for post, countries in zip(spec.entries, spec.entry_countries, strict=True):
        h.update(repr((post.digest, post.path, post.slug, countries)).encode())
    return h.hexdigest()


def render(
    spec: FeedSpec, fmt: str, config: Config, entry_for: Callable[[Post], Entry] | None = None
) -> bytes:
    """One feed's bytes. `entry_for` gives a post's rendered entry (so a build renders each
    post once, or takes it from its cache); by default each post is rendered here."""
    from feedgen.feed import FeedGenerator

    slash_feed, thr_feed, comments = _extensions()
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.register_extension("slash", slash_feed, comments, atom=False, rss=True)
    fg.register_extension("thr", thr_feed, comments, atom=True, rss=False)
    base = config.base_url
    home = base + spec.folder
    fg.id(feed_id(spec, config))
    fg.title(spec.title)
    fg.subtitle(spec.description)
    fg.description(spec.description)
    fg.language(config.language)
    fg.author({"name": config.author})
    fg.generator(GENERATOR[0], uri=GENERATOR[1])
    fg.updated(spec.updated)
    fg.lastBuildDate(spec.updated)
    # feedgen takes the RSS channel <link> from the last link() call: self first, alternate last.
    fg.link(href=home + f"{fmt}.xml", rel="self", type=f"application/{fmt}+xml")
    fg.link(href=home, rel="alternate", type="text/html")

    for post, countries in zip(spec.entries, spec.entry_countries, strict=True):
        entry = entry_for(post) if entry_for is not None else render_entry(post, config)
        fe = fg.add_entry(order="append")
        fe.id(entry.id)
        fe.guid(entry.id, permalink=False)
        fe.title(entry.title)
        fe.link(href=entry.link, rel="alternate", type="text/html")
        fe.published(post.date)
        fe.updated(post.updated)
        fe.content(entry.html, type="html")
        fe.summary(entry.summary or entry.title)
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
    return _finish(raw, fmt, spec, config)


def _categories(
    post: Post, countries: tuple[str, ...], config: Config
) -> list[tuple[str, str | None]]:
    """The category, the post's countries (with a scheme naming our country feeds), its tags."""
    out: dict[str, str | None] = {config.title: None}
    for name in countries:
        out.setdefault(name, config.base_url + "countries/")
    for term in (*post.categories, *post.tags):
        out.setdefault(term, None)
    return list(out.items())


def _finish(raw: bytes, fmt: str, spec: FeedSpec, config: Config) -> bytes:
    """Fix what feedgen cannot be told: locale-free dates with four-digit years, and titles and
    summaries that say they are text."""
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
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _whole_minutes(when: datetime) -> datetime:
    """RFC 822 and RFC 3339 offsets have no seconds: such an offset is written as UTC."""
    offset = when.utcoffset() or timedelta(0)
    if offset % timedelta(minutes=1):
        return when.astimezone(UTC)
    return when


def _offset(when: datetime, colon: bool) -> str:
    minutes = int((when.utcoffset() or timedelta(0)).total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{':' if colon else ''}{mins:02d}"


def rfc822(when: datetime) -> str:
    """`Mon, 19 May 2008 00:00:00 +0000`: English names whatever the locale, four-digit year."""
    when = _whole_minutes(when)
    return (
        f"{_DAYS[when.weekday()]}, {when.day:02d} {_MONTHS[when.month - 1]} {when.year:04d} "
        f"{when.hour:02d}:{when.minute:02d}:{when.second:02d} {_offset(when, colon=False)}"
    )


def rfc3339(when: datetime) -> str:
    """`2008-05-19T00:00:00+00:00`; fractions of a second only when the post gives them."""
    when = _whole_minutes(when)
    frac = f".{when.microsecond:06d}".rstrip("0") if when.microsecond else ""
    return (
        f"{when.year:04d}-{when.month:02d}-{when.day:02d}T{when.hour:02d}:{when.minute:02d}:"
        f"{when.second:02d}{frac}{_offset(when, colon=True)}"
    )
