"""The importers' commands: `import archive`, `import mt`, `import feed`, `import wordpress`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click

from scofeed.cli import (
    EXIT_INVALID,
    _allow_private_option,
    _config,
    _config_option,
    _errors,
    _plural,
    _posts_option,
    _rel,
    _timeout_option,
    main,
)
from scofeed.config import Config
from scofeed.infra.urls import is_http_url

if TYPE_CHECKING:
    from scofeed.importers.model import ImportReport, NewPost

# Each importer is imported inside its command, so none loads what it does not use.


@main.group("import")
def import_group() -> None:
    """Turn other formats into post files in the post store."""


@import_group.command("archive")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_config_option
@_posts_option
@click.option("--force", is_flag=True, help="Overwrite posts that differ from the import.")
def import_archive_cmd(
    file: Path, config_file: Path | None, posts: Path | None, force: bool
) -> None:
    """Import a Typepad / Movable Type category archive page saved as text.

    Each post on the page ends with a footer line such as
    "May 19, 2008 in SCO (RTG) | Permalink | Comments (2) | TrackBack".
    Importing the same page again adds nothing.

    \b
    Example:
      scofeed import archive saved-archive-page.txt
    """
    from scofeed.importers.archive import read_archive

    config = _config(config_file, posts, None)
    with _errors():
        found = read_archive(file)
    _write(found, config, force)


def _write(found: list[NewPost], config: Config, force: bool) -> None:
    from scofeed.importers.writing import write_posts

    with _errors():
        report = write_posts(
            found,
            config.posts_dir,
            tz=config.tzinfo,
            force=force,
            shown_from=Path.cwd(),
            site=config,
        )
    _import_summary(report, config)


def _import_summary(report: ImportReport, config: Config) -> None:
    for path in report.created:
        click.echo(f"created {path}")
    for path in report.overwritten:
        click.echo(f"overwrote {path}")
    for path in report.skipped:
        click.echo(f"skipped {path} (already imported)")
    for why in report.refused:
        click.echo(f"refused {why}", err=True)
    _addresses_summary(report, config)
    click.echo(
        f"scofeed: {len(report.created)} created, {len(report.overwritten)} overwritten, "
        f"{len(report.skipped)} skipped, {len(report.refused)} refused",
        err=True,
    )
    if report.refused or report.lost:
        sys.exit(EXIT_INVALID)


def _addresses_summary(report: ImportReport, config: Config) -> None:
    """What became of the old addresses the import carried (`importers.addresses`)."""
    for why in report.lost:
        click.echo(f"problem: {why}", err=True)
    for why in report.unkept:
        click.echo(f"note: old address {why}; it is not kept", err=True)
    if report.outside:
        one = len(report.outside) == 1
        click.echo(
            f"note: {_plural(len(report.outside), 'old address', 'old addresses')} (such as "
            f"{report.outside[0]}) {'is' if one else 'are'} not under base_url "
            f"{config.base_url}, so no post keeps {'it' if one else 'them'}; if this site "
            f"replaces the old blog, set base_url in {config.where} to its address (then "
            "import again with --force)",
            err=True,
        )
    kept = report.as_permalink + report.as_alias
    if kept:
        click.echo(
            f"scofeed: {_plural(kept, 'post')} {'keeps its' if kept == 1 else 'keep their'} old "
            f"address: {report.as_permalink} as {'its' if kept == 1 else 'their'} permalink, "
            f"{report.as_alias} as an alias",
            err=True,
        )


@import_group.command("mt")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_config_option
@_posts_option
@click.option(
    "--category",
    metavar="NAME",
    help="Import only entries of this category (CATEGORY or PRIMARY CATEGORY) [default: all].",
)
@click.option(
    "--timezone",
    "zone",
    metavar="ZONE",
    help="The time zone of the export's dates, such as Asia/Almaty [default: the site's].",
)
@click.option(
    "--base-url",
    metavar="URL",
    help="The old blog's address: relative links in the bodies are made absolute against it.",
)
@click.option("--encoding", default="utf-8", show_default=True, help="The export's text encoding.")
@click.option("--force", is_flag=True, help="Overwrite posts that differ from the import.")
def import_mt_cmd(
    file: Path,
    config_file: Path | None,
    posts: Path | None,
    category: str | None,
    zone: str | None,
    base_url: str | None,
    encoding: str,
    force: bool,
) -> None:
    """Import a Movable Type or Typepad export (the MT import format).

    Drafts stay drafts (draft: true); COMMENT sections are counted
    (comments: N); BODY and EXTENDED BODY become the HTML body, EXCERPT
    the summary, TAGS and KEYWORDS the tags, BASENAME the slug. Dates
    carry no offset: they are read in --timezone, or the site's zone.
    A UNIQUE URL under the site's base_url stays the post's address (its
    permalink, or an alias). Importing the same export again adds nothing.

    \b
    Example:
      scofeed import mt export.txt --category "SCO (RTG)"
      scofeed import mt old-blog.txt --timezone Asia/Almaty --base-url https://old.example.org/
    """
    import codecs

    from scofeed.importers.mt import read_mt

    config = _config(config_file, posts, None)
    tz = _zone(zone) if zone else None
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise click.BadParameter(
            f"{encoding!r} is not an encoding; try utf-8 or cp1252", param_hint="--encoding"
        ) from None
    if base_url is not None and not is_http_url(base_url):
        raise click.BadParameter(
            f"{base_url!r} is not an absolute http(s) URL", param_hint="--base-url"
        )
    with _errors():
        found = read_mt(file, category=category, tz=tz, base_url=base_url, encoding=encoding)
        left_out = []
        if found.other_category:
            left_out.append(f"{found.other_category} in other categories")
        if found.no_entry:
            left_out.append(f"{found.no_entry} marked NO ENTRY")
        click.echo(
            f"scofeed: {_plural(found.records, 'record')} in the export"
            + (f" ({', '.join(left_out)}, left out)" if left_out else ""),
            err=True,
        )
    _write(found.posts, config, force)


@import_group.command("feed")
@click.argument("source", metavar="PATH_OR_URL")
@_config_option
@_posts_option
@_timeout_option(30.0)
@_allow_private_option
@click.option("--force", is_flag=True, help="Overwrite posts that differ from the import.")
def import_feed_cmd(
    source: str,
    config_file: Path | None,
    posts: Path | None,
    timeout: float,
    allow_private: bool,
    force: bool,
) -> None:
    """Import an RSS 2.0, Atom 1.0 or JSON Feed, from a file or an http(s) URL.

    Each entry keeps its id in id: (the RSS guid, or its link; the Atom
    id; the JSON Feed id), so readers of the old feed see no entry twice.
    The content becomes the HTML body, categories the tags; an entry's
    link under the site's base_url stays its post's address. Documents
    whose DOCTYPE declares entities are refused; nothing they name is
    fetched. Importing the same feed again adds nothing.

    \b
    Example:
      scofeed import feed https://old.example.org/feed.xml
      scofeed import feed saved-feed.json --force
    """
    from scofeed.importers.feed import read_feed

    config = _config(config_file, posts, None)
    with _errors():
        found = read_feed(
            source,
            tag_authority=config.tag_authority,
            timeout=timeout,
            allow_private=allow_private,
        )
        for note in found.notes:
            click.echo(f"note: {note}", err=True)
        click.echo(
            f"scofeed: {_plural(len(found.posts), 'entry', 'entries')} in the {found.kind} feed",
            err=True,
        )
    _write(found.posts, config, force)


@import_group.command("wordpress")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_config_option
@_posts_option
@click.option(
    "--timezone",
    "zone",
    metavar="ZONE",
    help="The zone of dates the export gives without one (drafts') [default: the site's].",
)
@click.option(
    "--download-attachments",
    is_flag=True,
    help="Save the attachments, and the uploads posts show, in static/ (their paths from "
    "wp-content/uploads/ on), where the build copies them from.",
)
@_timeout_option(60.0)
@_allow_private_option
@click.option("-v", "--verbose", is_flag=True, help="List every attachment's URL.")
@click.option(
    "--force", is_flag=True, help="Overwrite posts and files that differ from the import."
)
def import_wordpress_cmd(
    file: Path,
    config_file: Path | None,
    posts: Path | None,
    zone: str | None,
    download_attachments: bool,
    timeout: float,
    allow_private: bool,
    verbose: bool,
    force: bool,
) -> None:
    """Import a WordPress export (WXR: Tools > Export > All content).

    Posts only: pages, attachments, menu items and revisions are counted
    and left out. Drafts, pending, private, scheduled and
    password-protected posts stay drafts (draft: true). Categories, tags,
    the author's display name, approved comments (comments: N), the
    excerpt (summary:) and the guid (id:) come along; an old permalink
    under the site's base_url stays the post's address. A record that
    cannot be imported is named with its line; the others are imported.

    \b
    Example:
      scofeed import wordpress myblog.wordpress.2019-03-01.xml
      scofeed import wordpress export.xml --download-attachments
    """
    from scofeed.importers.wordpress import media, read_wordpress

    config = _config(config_file, posts, None)
    with _errors():
        found = read_wordpress(file, tz=_zone(zone) if zone else config.tzinfo)
    if found.cleaned:
        click.echo(
            f"note: {file}: {_plural(found.cleaned, 'control character')} that XML forbids "
            "dropped, so that the file could be read",
            err=True,
        )
    for note in found.notes:
        click.echo(f"note: {note}", err=True)
    for problem in found.problems:
        click.echo(f"problem: {problem}", err=True)
    left_out = ", ".join(found.left_out())
    click.echo(
        f"scofeed: {_plural(found.items, 'item')} in the export: "
        f"{_plural(len(found.posts), 'post')} ({found.drafts} kept as drafts)"
        + (f"; left out: {left_out}" if left_out else "")
        + (f"; {_plural(len(found.problems), 'record')} not imported" if found.problems else ""),
        err=True,
    )
    if verbose:
        for attachment in found.attachments:
            click.echo(f"attachment: {attachment.url}", err=True)
    failed: list[str] = []
    if download_attachments:
        hosts = {urlsplit(a.url).hostname or "" for a in found.attachments}
        hosts.add(urlsplit(found.site or "").hostname or "")
        got = media.download(
            [a.url for a in found.attachments] + media.uploads_in(found.posts, hosts - {""}),
            config.static_dir,
            timeout=timeout,
            allow_private=allow_private,
            force=force,
        )
        for path in got.saved:
            click.echo(f"saved {_rel(path)}")
        for why in got.failed:
            click.echo(f"problem: {why}", err=True)
        failed = got.failed
        click.echo(
            f"scofeed: {_plural(len(got.saved), 'file')} saved in {_rel(config.static_dir)}/, "
            f"{len(got.present)} there already, {len(got.failed)} failed",
            err=True,
        )
        found.posts = media.rewrite(found.posts, got.places, config.base_url)
    elif found.attachments:
        click.echo(
            f"scofeed: {_plural(len(found.attachments), 'attachment')} (-v lists them; "
            "--download-attachments saves them in static/)",
            err=True,
        )
    _write(found.posts, config, force)
    if found.problems or failed:
        sys.exit(EXIT_INVALID)


def _zone(name: str) -> Any:
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(
            f"{name!r} is not a time zone; use an IANA name such as UTC or Asia/Almaty",
            param_hint="--timezone",
        ) from None
