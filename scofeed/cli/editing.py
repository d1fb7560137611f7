"""The editor's commands: `new`, `posts`, `countries`, `tags`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scofeed.cli import (
    _clock,
    _config,
    _config_option,
    _errors,
    _plural,
    _posts_option,
    _rel,
    _table,
    main,
)

if TYPE_CHECKING:
    from scofeed.config import Config
    from scofeed.posts.countries import Gazetteer
    from scofeed.posts.post import Post

# What each command needs is imported inside it: `scofeed build` from cron, the command that
# runs most, then starts without loading what it does not use.


@main.command("new")
@click.argument("title")
@_config_option
@_posts_option
@click.option(
    "--country",
    "countries",
    multiple=True,
    metavar="NAME",
    help="A country the post is about (repeat for more) [default: detected from the text].",
)
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="A tag (repeat for more).")
@click.option("--slug", metavar="SLUG", help="The post's slug [default: made from the title].")
@click.option(
    "--draft/--no-draft",
    default=True,
    show_default=True,
    help="Start the post as a draft (draft: true), kept out of every feed.",
)
@click.option("--now", hidden=True, help="Date the post at this ISO 8601 time (for tests).")
def new_cmd(
    title: str,
    config_file: Path | None,
    posts: Path | None,
    countries: tuple[str, ...],
    tags: tuple[str, ...],
    slug: str | None,
    draft: bool,
    now: str | None,
) -> None:
    """Create a post file dated now (in the site's time zone) and print its path.

    The file is posts/YYYY-MM-DD-slug.md with its front matter filled in.
    It starts as a draft (draft: true), as `hugo new` does: scofeed build
    may run from cron every minute, and a post must not reach readers
    before it is written. Delete the draft line to publish it. An
    existing file is never overwritten.

    \b
    Example:
      scofeed new "Foreign ministers meet in Astana" --country Kazakhstan --tag ministers
      $EDITOR "$(scofeed new 'Summit in Qingdao')"
    """
    from scofeed.posts.countries import load_gazetteer
    from scofeed.posts.new import create_post

    config = _config(config_file, posts, None)
    clock = _clock(now)
    with _errors():
        gazetteer = load_gazetteer(config.gazetteer, config.where)
    names = [_country(name, gazetteer) for name in countries]
    with _errors():
        path = create_post(
            config.posts_dir,
            title,
            clock.astimezone(config.tzinfo),
            slug=slug,
            countries=names,
            tags=tags,
            draft=draft,
            shown_from=Path.cwd(),
        )
    click.echo(_rel(path))


def _country(name: str, gazetteer: Gazetteer, known: tuple[str, ...] = ()) -> str:
    """A country as the user typed it -> its feed's name, or a usage error."""
    from scofeed.site.listing import find_country

    found = find_country(name, gazetteer, known)
    if found is None:
        raise click.BadParameter(
            f"{name!r} is not a country scofeed knows; see `scofeed countries`, or add it to "
            "scofeed.toml as [gazetteer.NAME]",
            param_hint="--country",
        )
    return found


@main.command("posts")
@_config_option
@_posts_option
@click.option("--country", metavar="NAME", help="Only the posts about this country.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--now", hidden=True, help="List as if at this ISO 8601 time.")
def posts_cmd(
    config_file: Path | None, posts: Path | None, country: str | None, fmt: str, now: str | None
) -> None:
    """List the posts, newest first, and the feeds they land in.

    Each post shows its date, its status (published; draft; or scheduled,
    dated in the future), its slug, its countries (declared, or detected
    from its text: each is a country feed the post lands in) and its
    title (or the one derived from its text). Posts that cannot be read
    are reported as `scofeed build` reports them. JSON is a list with one
    object per post.

    \b
    Example:
      scofeed posts
      scofeed posts --country Russia --format json
    """
    import json

    from scofeed.site.listing import post_rows, read_site

    config = _config(config_file, posts, None)
    clock = _clock(now)
    with _errors():
        found, gazetteer = read_site(config)
        rows = post_rows(found, gazetteer, config, clock)
    if country is not None:
        known = tuple(sorted({c for row in rows for c in row["countries"]}))
        wanted = _country(country, gazetteer, known)
        rows = [row for row in rows if wanted in row["countries"]]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        _table(
            [
                (
                    datetime.fromisoformat(str(row["date"]))
                    .astimezone(config.tzinfo)
                    .strftime("%Y-%m-%d %H:%M"),
                    str(row["status"]),
                    str(row["slug"]),
                    ", ".join(row["countries"]) or "-",
                    str(row["title"]),
                )
                for row in rows
            ]
        )
    kinds = ("published", "excluded", "draft")
    counts = {s: sum(row["status"] == s for row in rows) for s in kinds}
    scheduled = len(rows) - sum(counts.values())
    # Excluded posts are published (their pages are) but in no feed: said only when there are.
    excluded = f", {counts['excluded']} in no feed (exclude_tags)" if counts["excluded"] else ""
    click.echo(
        f"scofeed: {_plural(len(rows), 'post')} ({counts['published']} published{excluded}, "
        f"{_plural(counts['draft'], 'draft')}, {scheduled} scheduled)",
        err=True,
    )


@main.command("countries")
@_config_option
@_posts_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--now", hidden=True, help="Count as if at this ISO 8601 time.")
def countries_cmd(config_file: Path | None, posts: Path | None, fmt: str, now: str | None) -> None:
    """List the country feeds, with their post counts and feed files.

    Each country with published posts has a feed pair below the output
    folder. Drafts, scheduled posts and posts with a tag of exclude_tags
    are not counted: they are in no feed.
    JSON is a list with one object per country, with the feeds' URLs.

    \b
    Example:
      scofeed countries
      scofeed countries --format json
    """
    from scofeed.site.listing import country_rows, read_site

    config = _config(config_file, posts, None)
    clock = _clock(now)
    with _errors():
        found, gazetteer = read_site(config)
        rows = country_rows(found, gazetteer, config, clock)
    _feed_rows("country", rows, found, config, clock, fmt)


@main.command("tags")
@_config_option
@_posts_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--now", hidden=True, help="Count as if at this ISO 8601 time.")
def tags_cmd(config_file: Path | None, posts: Path | None, fmt: str, now: str | None) -> None:
    """List the tag feeds, with their post counts and feed files.

    Each tag or category of a published post has its feeds and a page in
    tags/<slug>/; names that make one slug (Energy Security,
    energy-security) are one tag. Posts with a tag of exclude_tags, drafts
    and scheduled posts are not counted: they are in no feed.
    JSON is a list with one object per tag, with the feeds' URLs.

    \b
    Example:
      scofeed tags
      scofeed tags --format json
    """
    from scofeed.site.listing import read_site, tag_rows

    config = _config(config_file, posts, None)
    clock = _clock(now)
    with _errors():
        found, _ = read_site(config)
        rows = tag_rows(found, config, clock)
    _feed_rows("tag", rows, found, config, clock, fmt)


def _feed_rows(
    kind: str,
    rows: list[dict[str, Any]],
    found: list[Post],
    config: Config,
    now: datetime,
    fmt: str,
) -> None:
    """The country or tag feeds as a table (or JSON), and how many posts the feeds carry."""
    import json

    from scofeed.site.plan import is_excluded

    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        _table([(str(r[kind]), str(r["posts"]), str(r["rss"]), str(r["atom"])) for r in rows])
    published = sum(p.is_published(now) and not is_excluded(p, config) for p in found)
    click.echo(
        f"scofeed: {_plural(len(rows), f'{kind} feed')} from "
        f"{_plural(published, 'published post')}",
        err=True,
    )
