"""What the site will hold, for the editor: every post with its status and the feeds it lands in
(`scofeed posts`), every country feed and every tag feed with its post count (`scofeed
countries`, `scofeed tags`), counted as the feeds hold them (`exclude_tags` left out)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from scofeed.config import Config
from scofeed.errors import split_warnings
from scofeed.posts.countries import Gazetteer, load_gazetteer
from scofeed.posts.post import Post
from scofeed.posts.store import load_posts, unreadable
from scofeed.site import layout
from scofeed.site.plan import filed_under, is_excluded, newest_first, tags_of


def read_site(config: Config) -> tuple[list[Post], Gazetteer]:
    """Every post, with the gazetteer; raises `InputError` as `scofeed build` would."""
    gazetteer = load_gazetteer(config.gazetteer, config.where)
    posts, problems = load_posts(
        config.posts_dir, tz=config.tzinfo, detect=gazetteer.detect, shown_from=config.root
    )
    errors, _ = split_warnings(problems)  # `scofeed build` says the warnings
    if errors:
        raise unreadable(errors)
    return posts, gazetteer


def status(post: Post, now: datetime, config: Config) -> str:
    if post.draft:
        return "draft"
    if post.is_published(now):  # excluded: its page is published, but it is in no feed
        return "excluded" if is_excluded(post, config) else "published"
    return "expired" if post.expire_at is not None and post.expire_at <= now else "scheduled"


def post_rows(
    posts: list[Post], gazetteer: Gazetteer, config: Config, now: datetime
) -> list[dict[str, Any]]:
    """One row per post, newest first: what `scofeed posts --format json` prints."""
    from scofeed.posts.text import render_html, title_of

    rows = []
    ordered = newest_first(posts)
    for post, countries in zip(ordered, filed_under(ordered, gazetteer), strict=True):
        # The title a feed shows; only an untitled post needs rendering to derive it.
        title = post.title or title_of(post, render_html(post, layout.permalink(post, config)))
        rows.append(
            {
                "path": post.path,
                "slug": post.slug,
                "date": post.date.isoformat(),
                "updated": post.updated.isoformat(),
                "status": status(post, now, config),
                "title": title,
                "title_derived": not post.title,
                "countries": list(countries),
                "countries_declared": post.countries is not None,
                "tags": list(post.tags),
            }
        )
    return rows


def country_rows(
    posts: list[Post], gazetteer: Gazetteer, config: Config, now: datetime
) -> list[dict[str, Any]]:
    """One row per country with published posts: what `scofeed countries --format json` prints.
    Drafts and scheduled posts are in no feed yet, so they are not counted."""
    published = newest_first(p for p in posts if p.is_published(now))
    return _rows("country", _in_feeds(published, filed_under(published, gazetteer), config),
                 layout.country_folder, config)  # fmt: skip


def tag_rows(posts: list[Post], config: Config, now: datetime) -> list[dict[str, Any]]:
    """One row per tag with a feed: what `scofeed tags --format json` prints."""
    published = newest_first(p for p in posts if p.is_published(now))
    filed = _in_feeds(published, tags_of(published, config), config)
    return _rows("tag", filed, layout.tag_folder, config)


def _in_feeds(
    published: list[Post], filed: list[tuple[str, ...]], config: Config
) -> list[tuple[str, ...]]:
    """What each published post is filed under, for those the feeds carry: names are chosen
    over every published post, as `plan_feeds` chooses them; `exclude_tags` leaves posts out."""
    return [names for p, names in zip(published, filed, strict=True) if not is_excluded(p, config)]


def _rows(
    kind: str, filed: list[tuple[str, ...]], folder_of: Callable[[str], str], config: Config
) -> list[dict[str, Any]]:
    counts: dict[str, int] = {}
    for names in filed:
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    rows: list[dict[str, Any]] = []
    for name in sorted(counts, key=lambda n: (n.casefold(), n)):  # as the tag index
        folder = folder_of(name)
        paths = {fmt: layout.feed_path(folder, fmt) for fmt in layout.FEED_FORMATS}
        paths["json"] = folder + layout.JSON_FILE
        rows.append(
            {
                kind: name,
                "slug": folder.split("/")[1],
                "posts": counts[name],
                **paths,
                **{f"{key}_url": layout.url(config, path) for key, path in paths.items()},
            }
        )
    return rows


def find_country(name: str, gazetteer: Gazetteer, known: tuple[str, ...] = ()) -> str | None:
    """The country a user means (any case, any of its names; or one of `known`, the countries
    posts declare), or None."""
    found = gazetteer.lookup(name)
    if found is not None:
        return found
    wanted = " ".join(name.split()).casefold()
    return next((country for country in known if country.casefold() == wanted), None)
