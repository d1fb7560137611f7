"""The command line: the only module that talks to people (stdout, stderr, exit statuses)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import click

from scofeed import __version__
from scofeed.build import build
from scofeed.config import Config, load_config
from scofeed.errors import (
    ConfigError,
    FetchError,
    InputError,
    LockedError,
    NotAFeedError,
    OutputError,
    ScofeedError,
)
from scofeed.importers import ImportReport, write_posts
from scofeed.importers.archive import read_archive

# Exit statuses, as SPEC.md "Command line" fixes them.
EXIT_OK, EXIT_INVALID, EXIT_CANNOT_RUN = 0, 1, 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scofeed")
def main() -> None:
    """Publish a news category as RSS 2.0 and Atom 1.0 feeds, whole and per country."""


def _config(config_file: Path | None, posts: Path | None, output: Path | None) -> Config:
    try:
        return load_config(Path.cwd(), config_file, posts_dir=posts, output_dir=output)
    except ConfigError as exc:
        _fail(str(exc), EXIT_CANNOT_RUN)


def _fail(message: str, status: int, details: tuple[object, ...] = ()) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    for line in details:
        click.echo(f"  {line}", err=True)
    sys.exit(status)


@contextmanager
def _errors() -> Iterator[None]:
    """Library errors become `Error: …` on stderr with the right exit status, here only."""
    try:
        yield
    except InputError as exc:
        _fail(str(exc), EXIT_INVALID, exc.problems)
    except (LockedError, OutputError, ConfigError, FetchError, NotAFeedError) as exc:
        _fail(str(exc), EXIT_CANNOT_RUN)
    except ScofeedError as exc:
        _fail(str(exc), EXIT_CANNOT_RUN)


_config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Site configuration [default: ./scofeed.toml when present].",
)
_posts_option = click.option(
    "--posts", type=click.Path(file_okay=False, path_type=Path), help="Post store folder."
)


@main.command("build")
@_config_option
@_posts_option
@click.option(
    "--output", type=click.Path(file_okay=False, path_type=Path), help="Where feeds are written."
)
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.option("-v", "--verbose", count=True, help="Also list every file written (-vv: unchanged).")
@click.option(
    "--now",
    hidden=True,
    help="Build as if at this ISO 8601 time (for tests and for previewing scheduled posts).",
)
def build_cmd(
    config_file: Path | None,
    posts: Path | None,
    output: Path | None,
    quiet: bool,
    verbose: int,
    now: str | None,
) -> None:
    """Build the RSS and Atom feeds from the post store into the output folder.

    Safe to run from cron: when nothing changed it rewrites nothing, and a
    build that fails publishes nothing.

    \b
    Example:
      scofeed build
      scofeed build --posts posts --output /var/www/sco -q
    """
    config = _config(config_file, posts, output)
    clock = datetime.now(UTC) if now is None else _parse_now(now)
    with _errors(), _progress(quiet) as progress:
        report = build(config, now=clock, progress=progress)
    if verbose:
        for path in report.written:
            click.echo(f"wrote {_rel(config.output_dir / path)}")
        for path in report.removed:
            click.echo(f"removed {_rel(config.output_dir / path)}")
        if verbose > 1:
            for path in report.unchanged:
                click.echo(f"unchanged {_rel(config.output_dir / path)}")
    if not quiet:
        click.echo(
            f"scofeed: {report.posts} posts read ({report.published} published), "
            f"{len(report.written)} feeds written, {len(report.unchanged)} unchanged"
            + (f", {len(report.removed)} removed" if report.removed else "")
            + f" in {_rel(config.output_dir)}/, {report.seconds:.2f} s",
            err=True,
        )


def _parse_now(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 time", param_hint="--now") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """Progress bars on stderr, only when stderr is a terminal (never in cron mail)."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    bars: dict[str, Any] = {}
    labels = {"posts": "reading posts", "feeds": "writing feeds"}

    def update(phase: str, done: int, total: int) -> None:
        bar = bars.get(phase)
        if bar is None:
            for other in bars.values():  # a new phase: the previous one is over
                other.render_finish()
            bar = bars[phase] = click.progressbar(
                length=total, label=labels.get(phase, phase), file=sys.stderr
            )
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        yield update
    finally:
        for bar in bars.values():
            bar.__exit__(None, None, None)


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


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
    config = _config(config_file, posts, None)
    with _errors():
        found = read_archive(file)
        report = write_posts(found, config.posts_dir, force=force, shown_from=Path.cwd())
    _import_summary(report)


def _import_summary(report: ImportReport) -> None:
    for path in report.created:
        click.echo(f"created {path}")
    for path in report.overwritten:
        click.echo(f"overwrote {path}")
    for path in report.skipped:
        click.echo(f"skipped {path} (already imported)")
    for why in report.refused:
        click.echo(f"refused {why}", err=True)
    click.echo(
        f"scofeed: {len(report.created)} created, {len(report.overwritten)} overwritten, "
        f"{len(report.skipped)} skipped, {len(report.refused)} refused",
        err=True,
    )
    if report.refused:
        sys.exit(EXIT_INVALID)


@main.command("validate")
@click.argument("targets", nargs=-1, required=True)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def validate_cmd(targets: tuple[str, ...], fmt: str) -> None:
    """Check RSS 2.0 and Atom 1.0 feeds: files, folders or http(s) URLs.

    \b
    Example:
      scofeed validate output/
      scofeed validate https://example.org/feed.xml --format json
    """
    # Owned by the validator work (issue 3): placeholder wiring until it lands.
    raise NotImplementedError


if __name__ == "__main__":  # pragma: no cover
    main()
