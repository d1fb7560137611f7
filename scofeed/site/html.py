"""The pages' bytes: each planned page (`archive`) as the values its template is given, then
rendered through `templates`. Links between pages are relative (the site reads the same from
`file://`, under any host, and under base_url's path); the addresses a page gives to others
(canonical, Open Graph, JSON-LD, autodiscovery) are absolute.

The names given to templates are the public interface of a site's own templates; the README
lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from markupsafe import Markup

from scofeed.config import Config
from scofeed.posts.media import is_site_path
from scofeed.posts.post import Post
from scofeed.site import layout, templates
from scofeed.site.archive import (
    ArchiveIndex,
    Listed,
    ListPage,
    Page,
    PostPage,
    Redirect,
    TagIndex,
    month_name,
)
from scofeed.site.entries import Entry, shown_enclosure
from scofeed.site.layout import FEED_FILES
from scofeed.site.pages import embed_code

EntryFor = Callable[[Post], Entry]


def relative(from_path: str, to_path: str) -> str:
    """The link from the page at `from_path` to the file at `to_path` (both below output/),
    a folder's `index.html` written as its folder. (Path arithmetic by hand: posixpath.relpath
    asks the file system for the current folder, and a big site makes a million links.)"""
    target = layout.link_path(to_path)
    here = from_path.split("/")[:-1]
    there = target.split("/")
    common = 0
    for a, b in zip(here, there[:-1], strict=False):
        if a != b:
            break
        common += 1
    rel = "../" * (len(here) - common) + "/".join(there[common:])
    return layout.quoted(rel) if rel else "./"


def local(when: datetime, config: Config) -> datetime:
    try:
        return when.astimezone(config.tzinfo)
    except OverflowError:
        return when


def _when(when: datetime, config: Config) -> dict[str, str]:
    """A date as pages show it, in the site's time zone: `iso` for `<time datetime>`, `text`
    for people ("19 May 2008", with the time when it is not midnight)."""
    at = local(when, config)
    text = f"{at.day} {month_name(at.month)} {at.year:04d}"
    if (at.hour, at.minute) != (0, 0):
        text += f", {at.hour:02d}:{at.minute:02d}"
    return {"iso": at.isoformat(), "text": text}


def _site(config: Config) -> dict[str, Any]:
    return {
        "title": config.title,
        "description": config.description,
        "url": config.base_url,
        "language": config.language,
        "author": config.author,
    }


def _feeds(folder: str, title: str, config: Config, at: str | None) -> list[dict[str, str]]:
    """A feed folder's three feeds, for autodiscovery (`url`) and for people (`link`, relative
    to the page at `at`; absolute when None)."""
    return [
        {
            "title": f"{title} ({label})",
            "label": label,
            "type": kind,
            "url": layout.url(config, folder + name),
            "link": layout.url(config, folder + name)
            if at is None
            else relative(at, folder + name),
        }
        for name, kind, label in FEED_FILES
    ]


def _post(item: Listed, at: str, config: Config, entry_for: EntryFor) -> dict[str, Any]:
    """A post as listings and its own page show it."""
    post, entry = item.post, entry_for(item.post)
    path = layout.permalink_file(post, config)
    return {
        "title": entry.title,
        "url": entry.link,
        "link": relative(at, path),
        "summary": entry.summary,
        "date": _when(post.date, config),
        "updated": _when(post.updated, config) if post.updated != post.date else None,
        "author": post.author or config.author,
        "countries": [
            {"name": name, "link": relative(at, layout.country_folder(name))}
            for name in item.countries
        ],
        "tags": list(post.tags),
        # Each tag and category with a page, as the tag's page names it.
        "tag_links": [
            {"name": tag, "link": relative(at, layout.tag_folder(tag))} for tag in item.tags
        ],
        "comments": post.comments,
    }


def _neighbour(post: Post | None, at: str, config: Config, entry_for: EntryFor) -> Any:
    if post is None:
        return None
    return {
        "title": entry_for(post).title,
        "link": relative(at, layout.permalink_file(post, config)),
    }


def _common(path: str, title: str, config: Config) -> dict[str, Any]:
    return {
        "site": _site(config),
        "page": {"title": title, "path": path, "url": layout.url(config, layout.link_path(path))},
        "home": relative(path, ""),
        "archives": relative(path, layout.ARCHIVES),
        "feeds": _feeds("", config.title, config, None if path == layout.NOT_FOUND_FILE else path),
    }


def render_page(page: Page, config: Config, entry_for: EntryFor) -> bytes:
    """One page's bytes."""
    if isinstance(page, PostPage):
        return _render(config, "post.html", _post_context(page, config, entry_for))
    if isinstance(page, ListPage):
        return _render(config, "list.html", _list_context(page, config, entry_for))
    if isinstance(page, ArchiveIndex):
        return _render(config, "archives.html", _archive_context(page, config))
    if isinstance(page, TagIndex):
        return _render(config, "tags.html", _tags_context(page, config))
    return _render(config, "redirect.html", _redirect_context(page, config, entry_for))


def _render(config: Config, name: str, context: dict[str, Any]) -> bytes:
    # The compiled templates are kept in the cache folder, for the next build.
    return templates.render(config.templates_dir, name, context, config.cache_dir)


def _post_context(page: PostPage, config: Config, entry_for: EntryFor) -> dict[str, Any]:
    entry = entry_for(page.item.post)
    post = _post(page.item, page.path, config, entry_for)
    # Sanitised (nh3) when the entry was rendered, as in the feeds: the one HTML let through.
    post["html"] = Markup(entry.html)  # noqa: S704
    post["enclosures"] = [  # a file of the site by a relative link, as every page link
        {**shown_enclosure(e), "link": relative(page.path, e[0]) if is_site_path(e[0]) else e[0]}
        for e in page.item.post.enclosures
    ]
    context = _common(page.path, entry.title, config)
    for name in page.item.countries:
        folder = layout.country_folder(name)
        context["feeds"] += _feeds(folder, f"{config.title}: {name}", config, page.path)
    context.update(
        post=post,
        newer=_neighbour(page.newer, page.path, config, entry_for),
        older=_neighbour(page.older, page.path, config, entry_for),
        jsonld=_news_article(page, post, entry, config),
    )
    context["page"]["description"] = entry.summary
    post["image"] = entry.image  # og:image, twitter:image and the JSON-LD's image
    return context


def _news_article(
    page: PostPage, post: dict[str, Any], entry: Entry, config: Config
) -> dict[str, Any]:
    """schema.org `NewsArticle`, what news sites give search engines and link previews."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": entry.title[:110],  # Google shows at most 110 characters
        "url": entry.link,
        "mainEntityOfPage": {"@type": "WebPage", "@id": entry.link},
        "datePublished": post["date"]["iso"],
        "dateModified": (post["updated"] or post["date"])["iso"],
        "author": {"@type": "Person", "name": post["author"]},
        "publisher": {"@type": "Organization", "name": config.title, "url": config.base_url},
        "inLanguage": config.language,
        "isPartOf": {"@type": "Blog", "name": config.title, "url": config.base_url},
    }
    if entry.summary:
        data["description"] = entry.summary
    if entry.image:
        data["image"] = [entry.image]
    if page.item.countries:
        data["about"] = [{"@type": "Country", "name": n} for n in page.item.countries]
    if post["tags"]:
        data["keywords"] = post["tags"]
    if post["comments"] is not None:
        data["commentCount"] = post["comments"]
    return data


def _list_context(page: ListPage, config: Config, entry_for: EntryFor) -> dict[str, Any]:
    title = page.title if page.number == 1 else f"{page.title} (page {page.number})"
    context = _common(page.path, title, config)
    if page.kind in ("country", "tag"):
        context["feeds"] = _feeds(page.feeds, page.title, config, page.path)
    context.update(
        listing={
            "kind": page.kind,
            "title": page.title,
            "count": page.count,
            "country": page.country,
            "tag": page.tag,
            "month": (
                {"year": page.month[0], "number": page.month[1], "name": month_name(page.month[1])}
                if page.month
                else None
            ),
            "feeds": _feeds(page.feeds, page.title, config, page.path),
        },
        posts=[_post(item, page.path, config, entry_for) for item in page.items],
        pagination={
            "number": page.number,
            "total": page.total,
            "newer": relative(page.path, page.page_path(page.number - 1))
            if page.number > 1
            else None,
            "older": relative(page.path, page.page_path(page.number + 1))
            if page.number < page.total
            else None,
            "pages": [
                {"number": n, "link": relative(page.path, page.page_path(n)) if n else None}
                for n in _shown_pages(page.number, page.total)
            ],
        },
        subscribe=_subscribe(page, config) if page.number == 1 and page.kind != "month" else None,
    )
    return context


def _subscribe(page: ListPage, config: Config) -> dict[str, Any]:
    """What the first page of the home, country and tag listings shows besides posts: the
    feeds, the OPML list and the embed code; on the home page every country; on the home page
    (when the site has tags) and on tag pages the link to every tag."""
    has_index = page.kind == "tag" or (page.kind == "home" and page.tag_count > 0)
    return {
        "tags": relative(page.path, layout.TAGS) if has_index else None,
        "tag_count": page.tag_count,
        "opml": relative(page.path, layout.OPML_FILE),
        "embed": relative(page.path, page.folder + layout.EMBED_FILE),
        "embed_code": embed_code(page.feeds, page.title, config),
        "countries": [
            {
                "name": name,
                "posts": posts,
                "link": relative(page.path, layout.country_folder(name)),
                "latest": _when(latest, config),
                "feeds": _feeds(layout.country_folder(name), name, config, page.path),
            }
            for name, posts, latest in page.countries
        ],
    }


def _shown_pages(number: int, total: int) -> list[int]:
    """Page numbers a pager shows: the first, the last and the two on each side of this one
    (1 … 4 5 [6] 7 8 … 40); a gap is a 0."""
    keep = sorted({1, total, *range(max(1, number - 2), min(total, number + 2) + 1)})
    shown: list[int] = []
    for n in keep:
        if shown and n - shown[-1] > 1:
            shown.append(0)
        shown.append(n)
    return shown


def _archive_context(page: ArchiveIndex, config: Config) -> dict[str, Any]:
    context = _common(page.path, f"{config.title}: archives", config)
    years: dict[int, list[dict[str, Any]]] = {}
    for year, month, count in sorted(page.months, reverse=True):
        years.setdefault(year, []).append(
            {
                "number": month,
                "name": month_name(month),
                "posts": count,
                "link": relative(page.path, layout.month_folder(year, month)),
            }
        )
    context["years"] = [
        {"year": year, "months": months, "posts": sum(m["posts"] for m in months)}
        for year, months in years.items()
    ]
    return context


def _tags_context(page: TagIndex, config: Config) -> dict[str, Any]:
    context = _common(page.path, f"{config.title}: tags", config)
    context["tags"] = [
        {
            "name": name,
            "posts": posts,
            "link": relative(page.path, layout.tag_folder(name)),
            "latest": _when(latest, config),
            "feeds": _feeds(layout.tag_folder(name), name, config, page.path),
        }
        for name, posts, latest in page.tags
    ]
    return context


def _redirect_context(page: Redirect, config: Config, entry_for: EntryFor) -> dict[str, Any]:
    entry = entry_for(page.post)
    context = _common(page.path, entry.title, config)
    context["target"] = {"url": entry.link, "title": entry.title}
    return context


def render_not_found(config: Config) -> bytes:
    """`404.html`: served for any address the site does not have; its links are absolute,
    since it is served at every depth."""
    context = _common("404.html", "Page not found", config)
    context["home"] = config.base_url
    context["archives"] = layout.url(config, layout.ARCHIVES)
    return _render(config, "404.html", context)
