"""Which pages the site holds and what each shows: a page for every published post, the
listings (the home page, each country's page, each tag's, each month's, all paginated), the
archive index, the tag index, and a redirect page for every old address a post keeps
(`aliases`).

Each page carries a `key`: a hash of everything its bytes depend on besides the configuration
and the code (which key the whole cache) and the site's own templates (which key every page,
`rendering.page_jobs`), so a rebuild renders only the pages whose key changed: an edited post's
page, its neighbours', and the listings it is on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import datetime

from scofeed.config import Config
from scofeed.errors import Problem
from scofeed.posts.post import Post
from scofeed.site import layout


@dataclass(frozen=True, slots=True)
class Listed:
    """A post as pages show it: with the countries and the tags it is filed under (the tags
    that have a page: a tag only posts kept out of listings have has none)."""

    post: Post
    countries: tuple[str, ...]
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PostPage:
    path: str
    item: Listed
    newer: Post | None  # the next post in time, linked as "next"
    older: Post | None


@dataclass(frozen=True, slots=True)
class ListPage:
    """One page of a listing, newest first."""

    path: str
    kind: str  # "home", "country", "tag" or "month"
    title: str
    folder: str  # where the listing's first page lives ("" for the home page)
    feeds: str  # the feed folder its feeds are ("" for the category's)
    items: tuple[Listed, ...]
    number: int
    total: int
    count: int  # posts in the whole listing
    country: str | None = None
    month: tuple[int, int] | None = None
    tag: str | None = None
    # The home page's first page lists the countries: (name, posts, newest post's date).
    countries: tuple[tuple[str, int, datetime], ...] = ()
    tag_count: int = 0  # and how many tags have a page (the tag index lists them)

    def page_path(self, number: int) -> str:
        return layout.list_page(self.folder, number)


@dataclass(frozen=True, slots=True)
class ArchiveIndex:
    path: str
    months: tuple[tuple[int, int, int], ...]  # (year, month, posts), newest first


@dataclass(frozen=True, slots=True)
class TagIndex:
    path: str
    tags: tuple[tuple[str, int, datetime], ...]  # (tag, posts, newest post's date), by name


@dataclass(frozen=True, slots=True)
class Redirect:
    path: str
    post: Post  # where the old address now leads


Page = PostPage | ListPage | ArchiveIndex | TagIndex | Redirect


@dataclass(frozen=True, slots=True)
class SitePages:
    pages: tuple[Page, ...]
    # (old path below output/, new path) of every alias, for `_redirects`
    redirects: tuple[tuple[str, str], ...] = field(default=())


def plan_pages(
    published: Sequence[Post],
    countries: Sequence[tuple[str, ...]],
    config: Config,
    reserved: Sequence[str] = (),
    tags: Sequence[tuple[str, ...]] | None = None,
    listed: Sequence[bool] | None = None,
    only: AbstractSet[str] | None = None,
) -> SitePages | list[Problem]:
    """Every page for the published posts (newest first, each with the countries and the tags
    it is filed under); the problems instead when two files would share one path (`reserved`
    are the other files the site writes: the feeds, the sitemap). Posts not `listed`
    (`exclude_tags`) have their own page only.

    `only`: the paths of posts edited in their text alone since a build that planned this very
    site (`rendering.Unmoved`); then only the pages that show one of them are planned, and
    nothing is checked again (that build did), nor are the site's own files' `redirects` given."""
    tags = tags if tags is not None else [() for _ in published]
    listed = listed if listed is not None else [True for _ in published]
    paged = {t for names, on in zip(tags, listed, strict=True) if on for t in names}
    shown: dict[tuple[str, ...], tuple[str, ...]] = {}  # posts tagged alike share one tuple
    items = []
    for p, c, names in zip(published, countries, tags, strict=True):
        if (kept := shown.get(names)) is None:
            kept = shown[names] = tuple(t for t in names if t in paged)
        items.append(Listed(p, c, kept))
    pages: list[Page] = []
    last = len(items) - 1
    wanted: Iterable[int] = range(len(items))
    if only is not None:  # a post's page shows its neighbours' titles and addresses too
        hits = [i for i, item in enumerate(items) if item.post.path in only]
        wanted = sorted({j for i in hits for j in (i - 1, i, i + 1) if 0 <= j <= last})
    for i in wanted:
        newer = items[i - 1].post if i > 0 else None
        older = items[i + 1].post if i < last else None
        item = items[i]
        pages.append(PostPage(layout.permalink_file(item.post, config), item, newer, older))

    all_items = items
    items = [item for item, on in zip(items, listed, strict=True) if on]
    # With `only`: the pages of each listing that an edited post is on, by (kind, name).
    size = config.page_size
    marks: dict[tuple[str, object], set[int]] = {}

    def mark(kind: str, key: object, position: int) -> None:
        marks.setdefault((kind, key), set()).add(position // size + 1)

    def on(kind: str, key: object) -> list[int] | None:
        return None if only is None else sorted(marks.get((kind, key), ()))

    by_country: dict[str, list[Listed]] = {}
    by_month: dict[tuple[int, int], list[Listed]] = {}
    by_tag: dict[str, list[Listed]] = {}
    for i, item in enumerate(items):
        edited = only is not None and item.post.path in only
        if edited:
            mark("home", "", i)
        for name in item.countries:
            members = by_country.setdefault(name, [])
            if edited:
                mark("country", name, len(members))
            members.append(item)
        for name in item.tags:
            members = by_tag.setdefault(name, [])
            if edited:
                mark("tag", name, len(members))
            members.append(item)
        local = _local(item.post, config)
        members = by_month.setdefault((local.year, local.month), [])
        if edited:
            mark("month", (local.year, local.month), len(members))
        members.append(item)
    pages += _listing(items, "home", config.title, "", "", config, on("home", ""))
    for name, members in by_country.items():
        folder = layout.country_folder(name)
        title = f"{config.title}: {name}"
        numbers = on("country", name)
        pages += _listing(members, "country", title, folder, folder, config, numbers, country=name)
    for name, members in by_tag.items():
        folder = layout.tag_folder(name)
        title = f"{config.title}: {name}"
        pages += _listing(members, "tag", title, folder, folder, config, on("tag", name), tag=name)
    for (year, month), members in by_month.items():
        folder = layout.month_folder(year, month)
        title = f"{config.title}: {_MONTHS[month - 1]} {year:04d}"
        numbers = on("month", (year, month))
        pages += _listing(members, "month", title, folder, "", config, numbers, month=(year, month))
    first = (i for i, p in enumerate(pages) if isinstance(p, ListPage) and p.kind == "home")
    home = next(first, None)  # an edit planned (`only`) may not be on it
    if home is not None and pages[home].number == 1:  # type: ignore[union-attr]
        summary = tuple((n, len(m), m[0].post.date) for n, m in sorted(by_country.items()))
        pages[home] = replace(pages[home], countries=summary, tag_count=len(by_tag))  # type: ignore[arg-type]
    if only is not None:
        pages += (
            Redirect(path, item.post)
            for item in all_items
            if item.post.aliases and item.post.path in only
            for path in (layout.alias_file(alias, config) for alias in item.post.aliases)
            if path is not None
        )
        return SitePages(tuple(pages))
    months = tuple((y, m, len(members)) for (y, m), members in by_month.items())
    pages.append(ArchiveIndex(layout.ARCHIVES + layout.INDEX_FILE, months))
    if by_tag:  # no tag, no index: nothing links to it then
        tagged = sorted(by_tag.items(), key=lambda kv: (kv[0].casefold(), kv[0]))
        summary = tuple((n, len(m), m[0].post.date) for n, m in tagged)
        pages.append(TagIndex(layout.TAGS + layout.INDEX_FILE, summary))

    redirects: list[tuple[str, str]] = []
    problems: list[Problem] = []
    # What holds each path: a page, or what to call it (named only in a refusal: describing
    # every page of a big site up front took 10 ms at 10,000 posts).
    taken: dict[str, Page | str] = dict.fromkeys(reserved, "")
    taken.update((page.path, page) for page in pages)
    # A file and a folder cannot share a name: an alias below a file the site writes (`_redirects`
    # is made `_redirects/index.html`, `rss.xml/` likewise) or at one of its folders failed while
    # publishing (exit 2, the output half written) instead of being refused by name here.
    # Most sites have few aliases: their folders and permalinks (at 10,000 posts, 0.04 s) are
    # worked out only for posts that have one.
    aliased = [item for item in all_items if item.post.aliases]
    folders = {f: path for path in taken for f in layout.folders_of(path)} if aliased else {}
    for item in aliased:
        target = layout.permalink_file(item.post, config)
        for alias in item.post.aliases:
            path = layout.alias_file(alias, config)
            if path is None:
                problems.append(Problem(item.post.path, None, _outside(alias, config)))
                continue
            above = [f for f in layout.folders_of(path) if f in taken]
            if path in taken:
                why = f"which is {_owner(path, taken[path])}"
            elif above:
                why = f"below {above[0]}, which is {_owner(above[0], taken[above[0]])}"
            elif path in folders:
                why = f"a folder of {_owner(folders[path], taken[folders[path]])}"
            else:
                why = ""
            if why:
                problems.append(Problem(item.post.path, None, _clash(path, alias, why)))
                continue
            taken[path] = f"the alias {alias!r} of {item.post.path}"
            folders.update((f, path) for f in layout.folders_of(path))
            pages.append(Redirect(path, item.post))
            redirects.append((path, target))
    problems += _clashes(pages)
    if problems:
        return problems
    return SitePages(tuple(pages), tuple(redirects))


_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def month_name(month: int) -> str:
    return _MONTHS[month - 1]


def _local(post: Post, config: Config) -> datetime:
    try:
        return post.date.astimezone(config.tzinfo)
    except OverflowError:  # as permalink_path: the date as written
        return post.date


def _listing(
    items: Sequence[Listed],
    kind: str,
    title: str,
    folder: str,
    feeds: str,
    config: Config,
    numbers: Iterable[int] | None = None,
    *,
    country: str | None = None,
    month: tuple[int, int] | None = None,
    tag: str | None = None,
) -> list[ListPage]:
    """The listing's pages (`numbers`: only those)."""
    size = config.page_size
    total = max(1, -(-len(items) // size))
    return [
        ListPage(
            path=layout.list_page(folder, number),
            kind=kind,
            title=title,
            folder=folder,
            feeds=feeds,
            items=tuple(items[(number - 1) * size : number * size]),
            number=number,
            total=total,
            count=len(items),
            country=country,
            month=month,
            tag=tag,
        )
        for number in (range(1, total + 1) if numbers is None else numbers)
    ]


def _owner(path: str, page: Page | str) -> str:
    """What holds `path`, as a refusal names it: a page, the site's own file (""), an alias."""
    if isinstance(page, str):
        return page or f"the site's {path}"
    if isinstance(page, PostPage):
        return f"the page of {page.item.post.path}"
    return f"the page {page.path}"


def _outside(alias: str, config: Config) -> str:
    return (
        f"alias {alias!r} is not an address on this site; write a path below base_url "
        f"({config.base_url}), such as 2008/05/old-name.html"
    )


def _clash(path: str, alias: str, why: str) -> str:
    return f"alias {alias!r} would write {path}, {why}; remove the alias"


def _clashes(pages: Sequence[Page]) -> list[Problem]:
    """Two posts whose permalinks are one path (`index` beside a month's own index, or two
    slugs that the pattern makes equal): refused by name, never one page over the other."""
    seen: dict[str, Page] = {}
    problems = []
    for page in pages:
        if isinstance(page, Redirect):
            continue
        other = seen.setdefault(page.path, page)
        if other is page:
            continue
        post, rival = (page, other) if isinstance(page, PostPage) else (other, page)
        if isinstance(post, PostPage):
            problems.append(
                Problem(
                    post.item.post.path,
                    None,
                    f"its page would be {post.path}, which is also "
                    f"{_owner(rival.path, rival)}; give it another address with a line such as "
                    "slug: another-name",
                )
            )
    return problems


def page_key(page: Page, items: dict[int, str] | None = None) -> str:
    """A hash of what the page's bytes are made of (the posts by their file's hash).

    `items`: each listed post's part of a key, by the `Listed`'s id, for a caller keying many
    pages while they hold their items (a post is listed on four or five pages; keying each
    item once made keying a site of 10,000 posts' 1,229 listing pages 4x quicker)."""
    memo = {} if items is None else items
    parts: tuple[object, ...]
    if isinstance(page, PostPage):
        parts = ("post", _item_key(page.item, memo), _near(page.newer), _near(page.older))
    elif isinstance(page, ListPage):
        parts = (
            "list",
            page.kind,
            page.title,
            page.folder,
            page.number,
            page.total,
            page.count,
            page.country,
            page.month,
            page.tag,
            page.countries,
            page.tag_count,
        )
        h = hashlib.sha256(repr(parts).encode())
        # One item's part a line: a repr holds no raw line break.
        h.update("\n".join([_item_key(item, memo) for item in page.items]).encode())
        return h.hexdigest()
    elif isinstance(page, ArchiveIndex):
        parts = ("archives", page.months)
    elif isinstance(page, TagIndex):
        parts = ("tags", page.tags)
    else:
        parts = ("redirect", page.path, page.post.digest, page.post.path, page.post.slug)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _item_key(item: Listed, memo: dict[int, str]) -> str:
    text = memo.get(id(item))
    if text is None:
        post = item.post
        fields = (post.digest + post.link_key, post.path, post.slug, item.countries, item.tags)
        text = memo[id(item)] = repr(fields)
    return text


def _near(post: Post | None) -> tuple[str, str, str] | None:
    return None if post is None else (post.digest, post.path, post.slug)
