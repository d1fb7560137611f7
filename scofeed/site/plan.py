"""Which feeds exist and what each carries: the whole category, one per country and one per
tag with a published post (`plan`). A `FeedSpec` holds everything a feed folder's files are
made from."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from scofeed.config import Config
from scofeed.posts.countries import Gazetteer
from scofeed.posts.post import Post, body_of
from scofeed.posts.slugs import slugify
from scofeed.site import layout

# An empty feed still needs an updated date; the clock is never it, so the epoch is.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed folder to write: where, what it is called, which posts it carries."""

    folder: str  # "" for the whole category, "countries/russia/" for a country
    title: str
    description: str
    country: str | None
    entries: tuple[Post, ...]  # newest first, at most feed_limit
    # Countries of each entry, in entry order, so categories never need detection again.
    entry_countries: tuple[tuple[str, ...], ...]
    # RFC 5005: the subscription feed (page 0) holds the newest entries; the older ones, and
    # only those, are in archive documents of `archive_size` entries counted from the oldest
    # post (page 1 holds the oldest), so a new post changes the newest archive document only.
    older: tuple[Post, ...] = ()  # newest first
    older_countries: tuple[tuple[str, ...], ...] = ()
    archive_size: int = 1
    page: int = 0  # 0: the subscription feed; n: archive document n
    pages: int = 0  # how many archive documents the feed has

    @property
    def files_folder(self) -> str:
        """Where this document's files are: the feed folder, or its archive document's."""
        return layout.history_folder(self.folder, self.page) if self.page else self.folder

    def path(self, fmt: str) -> str:
        return layout.feed_path(self.files_folder, fmt)

    def archive_path(self, page: int, name: str) -> str:
        """The file `name` of archive document `page` (0: the subscription feed's)."""
        return (layout.history_folder(self.folder, page) if page else self.folder) + name

    def history_links(self, name: str, config: Config) -> dict[str, str]:
        """RFC 5005's links of this document, for its file `name` (rss.xml, feed.json): a
        subscription feed's `prev-archive` leads to the newest archive document; an archive
        document's `current` to the subscription feed, `prev-archive` and `next-archive` to
        its older and newer neighbours."""
        links = {}
        if self.page:
            links["current"] = self.archive_path(0, name)
            if self.page > 1:
                links["prev-archive"] = self.archive_path(self.page - 1, name)
            if self.page < self.pages:
                links["next-archive"] = self.archive_path(self.page + 1, name)
        elif self.pages:
            links["prev-archive"] = self.archive_path(self.pages, name)
        return {rel: layout.url(config, path) for rel, path in links.items()}

    def archives(self) -> list[FeedSpec]:
        """The feed's archive documents, oldest first."""
        count = -(-len(self.older) // self.archive_size)
        return [self.archive(page) for page in range(1, count + 1)]

    def documents_with(
        self, wanted: Callable[[Post], bool], *, archives: bool = True
    ) -> list[FeedSpec]:
        """The documents of this feed that carry a `wanted` post: the subscription feed, and
        (`archives`: when an older post may be wanted) the archive documents found by those
        posts' places (none cut in vain)."""
        found = [self] if any(wanted(post) for post in self.entries) else []
        if not archives:
            return found
        size, count = self.archive_size, len(self.older)
        pages = {(count - 1 - i) // size + 1 for i, p in enumerate(self.older) if wanted(p)}
        return found + [self.archive(page) for page in sorted(pages)]

    def archive(self, page: int) -> FeedSpec:
        """Archive document `page` (1 holds the oldest posts), newest first as every document."""
        size = self.archive_size
        end = len(self.older) - (page - 1) * size
        start = max(0, end - size)
        return FeedSpec(
            folder=self.folder,
            title=self.title,
            description=self.description,
            country=self.country,
            entries=self.older[start:end],
            entry_countries=self.older_countries[start:end],
            archive_size=size,
            page=page,
            pages=self.pages,
        )

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
    return plan_feeds(*published_filed(posts, gazetteer, now), config)


def published_filed(
    posts: Iterable[Post], gazetteer: Gazetteer, now: datetime
) -> tuple[list[Post], list[tuple[str, ...]]]:
    """The published posts, newest first, and the countries each is filed under."""
    published = newest_first(p for p in posts if p.is_published(now))
    return published, filed_under(published, gazetteer)


def plan_feeds(
    published: Sequence[Post],
    filed: Sequence[tuple[str, ...]],
    config: Config,
    tagged: Sequence[tuple[str, ...]] | None = None,
) -> list[FeedSpec]:
    """`plan`, from `published_filed`'s answer: the category's feed, one per country and one
    per tag (`tagged`: `tags_of(published)`, if the caller has it). A post with a tag of
    `exclude_tags` is in none of them."""
    if tagged is None:
        tagged = tags_of(published, config)
    if config.exclude_tags:
        kept = [i for i, post in enumerate(published) if not is_excluded(post, config)]
        published = [published[i] for i in kept]
        filed = [filed[i] for i in kept]
        tagged = [tagged[i] for i in kept]
    limit = config.feed_limit or None
    size = config.archive_size or config.feed_limit or 1
    # Each feed's posts and their countries, in two lists: sliced into tuples at C speed.
    Members = tuple[list[Post], list[tuple[str, ...]]]
    by_country: dict[str, Members] = {}
    by_tag: dict[str, Members] = {}
    for post, names, tags in zip(published, filed, tagged, strict=True):
        for group, keys in ((by_country, names), (by_tag, tags)):
            for key in keys:
                if (members := group.get(key)) is None:
                    members = group[key] = ([], [])
                members[0].append(post)
                members[1].append(names)

    def spec(folder: str, title: str, desc: str, country: str | None, items: Members) -> FeedSpec:
        posts, countries = items
        older = len(posts) - limit if limit else 0
        return FeedSpec(
            folder=folder,
            title=title,
            description=desc,
            country=country,
            entries=tuple(posts[:limit]),
            entry_countries=tuple(countries[:limit]),
            older=tuple(posts[limit:]) if limit else (),
            older_countries=tuple(countries[limit:]) if limit else (),
            archive_size=size,
            pages=-(-max(0, older) // size),
        )

    every = (list(published), list(filed))
    specs = [spec("", config.title, config.description, None, every)]
    for name, items in by_country.items():
        specs.append(
            spec(
                layout.country_folder(name),
                f"{config.title}: {name}",
                f"{config.description} Posts about {name}.",
                name,
                items,
            )
        )
    for tag, items in by_tag.items():
        title = f"{config.title}: {tag}"
        desc = f"{config.description} Posts tagged {tag}."
        specs.append(spec(layout.tag_folder(tag), title, desc, None, items))
    return sorted(specs, key=lambda s: s.folder)


@lru_cache(maxsize=4096)
def _term_slug(term: str) -> str:
    """A tag's slug, to compare names by: a site has a few hundred tags, each asked about on
    every post that has it, several times a build (81,000 calls at 10,000 posts)."""
    return slugify(term, max_length=None)


def post_terms(post: Post, config: Config) -> tuple[str, ...]:
    """A post's tags and categories (Jekyll's and Hugo's two taxonomies, one here: a word
    that is both is one feed), without the site's own category (`title`), which every entry
    carries and the whole category's feed already is."""
    own = _term_slug(config.title)
    terms = dict.fromkeys((*post.tags, *post.categories))
    return tuple(t for t in terms if _term_slug(t) != own)


def is_excluded(post: Post, config: Config) -> bool:
    """The post has a tag or category of `exclude_tags` (by its slug: case and spacing
    aside): it is in no feed and no listing, and keeps only its own page."""
    if not config.exclude_tags or not (post.tags or post.categories):
        return False
    excluded = {_term_slug(tag) for tag in config.exclude_tags}
    return any(_term_slug(t) in excluded for t in post_terms(post, config))


def page_tags(tagged: Sequence[tuple[str, ...]], config: Config) -> list[tuple[str, ...]]:
    """The tags each post's page lists it under, from `tags_of`'s answer: those with feeds
    (`exclude_tags` have none, so no page either: its feed links would lead nowhere)."""
    if not config.exclude_tags:
        return list(tagged)
    excluded = {_term_slug(tag) for tag in config.exclude_tags}
    return [tuple(t for t in tags if _term_slug(t) not in excluded) for tags in tagged]


def tags_of(posts: Sequence[Post], config: Config) -> list[tuple[str, ...]]:
    """The tags each post's feed and page are filed under (`post_terms`): names that make one
    folder (`Energy Security`, `energy-security`) are one tag, named as most posts write it
    (the first in sorted order on a tie); a name with no letter or digit has no folder, and so no
    feed (the post's reader warned of it)."""
    # Posts tagged alike (most: the posts cache shares their tuples) are worked out once.
    found: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[str, ...]] = {}
    terms = []
    for post in posts:
        key = (post.tags, post.categories)
        if (named := found.get(key)) is None:
            named = found[key] = post_terms(post, config)
        terms.append(named)
    counts: dict[str, int] = {}
    for names in terms:
        for tag in names:
            counts[tag] = counts.get(tag, 0) + 1
    by_folder: dict[str, list[str]] = {}
    for tag in sorted(counts):
        if folder := layout.tag_folder(tag):
            by_folder.setdefault(folder, []).append(tag)
    spelling = {}
    for group in by_folder.values():
        best = min(group, key=lambda t: (-counts[t], t))
        spelling.update(dict.fromkeys(group, best))
    # In the order the post gives them (tags, then categories), as its page lists them.
    spelt: dict[tuple[str, ...], tuple[str, ...]] = {}
    for names in found.values():
        if names not in spelt:
            spelt[names] = tuple(dict.fromkeys(spelling[t] for t in names if t in spelling))
    return [spelt[names] for names in terms]


def filed_under(posts: list[Post], gazetteer: Gazetteer) -> list[tuple[str, ...]]:
    """The countries each post's feeds are filed under. Names that make the same folder
    (`Foo Bar`, `foo-bar`) are one country, never two feeds writing over each other: it is
    named as the gazetteer names it, else as most posts write it (the first in order on a
    tie)."""
    found = [post_countries(post, gazetteer) for post in posts]
    counts: dict[str, int] = {}
    for names in found:
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    by_folder: dict[str, list[str]] = {}
    for name in sorted(counts):
        by_folder.setdefault(layout.country_folder(name), []).append(name)
    spelling: dict[str, str] = {}
    for group in by_folder.values():
        best = min(group, key=lambda n: (gazetteer.lookup(n) != n, -counts[n], n))
        spelling.update(dict.fromkeys(group, best))
    return [tuple(sorted({spelling[name] for name in names})) for names in found]


def feed_key(spec: FeedSpec, kind: str, posts: dict[int, tuple[object, str]] | None = None) -> str:
    """A hash of everything a feed file's bytes depend on besides the configuration and the
    code (which key the whole cache): when it is unchanged, so is the file. `posts`: each
    entry's part of the key, by its post's id, for a caller keying many documents while they
    hold their posts (a post is in four or five documents)."""
    # Its archive links: a subscription feed's lead to the newest archive document; an archive
    # document's to its neighbours (only the newest has no newer one).
    links = (spec.page, spec.pages) if spec.page in (0, spec.pages) else (spec.page, "inner")
    h = hashlib.sha256(repr((kind, spec.folder, spec.title, spec.description, links)).encode())
    h.update(_entries_key(spec, {} if posts is None else posts))
    return h.hexdigest()


# The last document's entries' key: asked for once per file of it (RSS, Atom, JSON Feed, embed)
# in a row, so kept for the next file. The spec itself is kept, so `is` cannot match another.
_last_entries: list[tuple[FeedSpec, bytes]] = []


def _entries_key(spec: FeedSpec, memo: dict[int, tuple[object, str]]) -> bytes:
    if _last_entries and _last_entries[0][0] is spec:
        return _last_entries[0][1]
    parts = []
    for post, countries in zip(spec.entries, spec.entry_countries, strict=True):
        hit = memo.get(id(post))
        if hit is None or hit[0] != countries:
            fields = (post.digest + post.link_key, post.path, post.slug, countries)
            hit = memo[id(post)] = (countries, repr(fields))
        parts.append(hit[1])
    # One entry's part a line: a repr holds no raw line break.
    _last_entries[:] = [(spec, hashlib.sha256("\n".join(parts).encode()).digest())]
    return _last_entries[0][1]
