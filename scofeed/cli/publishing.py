"""The publishing commands: `build`, `validate`, `serve`."""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from scofeed.cli import (
    EXIT_CANNOT_RUN,
    _allow_private_option,
    _clock,
    _config,
    _config_option,
    _errors,
    _fail,
    _plural,
    _posts_option,
    _rel,
    _timeout_option,
    catch_sigint,
    interrupt_handled,
    main,
    stop_if_interrupted,
)
from scofeed.config import Config
from scofeed.publish.build import build
from scofeed.publish.output import Checkpoint

# The validator and the server are imported inside their commands: `scofeed build` from cron,
# the command that runs most, then starts without loading what it does not use.

# A test hook: `SCOFEED_STOP_AT=renamed 3` stops the build (SIGSTOP) at that point of its run,
# so the tests can kill it at a moment of their choosing, or start a second build beside it.
STOP_AT = "SCOFEED_STOP_AT"


def _checkpoint() -> Checkpoint:
    """At each point of a build: stop there if Ctrl-C came and was lost (see
    `stop_if_interrupted`), and pause there if the tests asked to."""
    points = {p.strip() for p in os.environ.get(STOP_AT, "").split(",") if p.strip()}

    def at(point: str) -> None:
        stop_if_interrupted()
        if point in points:
            os.kill(os.getpid(), signal.SIGSTOP)

    return at


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
    clock = _clock(now)
    # A build makes no reference cycles worth collecting, and this process ends with it: the
    # cycle collector would only walk the build's objects again and again (PERFORMANCE.md).
    gc.disable()
    with _errors(), _progress(quiet) as progress:
        report = build(config, now=clock, progress=progress, checkpoint=_checkpoint())
    # Warnings even with --quiet: a file passed over or a tag removed is news a cron job mails.
    for warning in report.warnings:
        click.echo(f"  {warning}", err=True)
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
            f"scofeed: {_plural(report.posts, 'post')} read ({report.published} published), "
            f"{_plural(len(report.written), 'file')} written, {len(report.unchanged)} unchanged"
            + (f", {len(report.removed)} removed" if report.removed else "")
            + f" in {_rel(config.output_dir)}/, {report.seconds:.2f} s"
            + (f", {_plural(len(report.warnings), 'warning')}" if report.warnings else ""),
            err=True,
        )
    if config.websub_hubs:
        announce(config, quiet)


def announce(config: Config, quiet: bool, *, deployed: bool = False) -> None:
    """WebSub: the feeds this run made public (noted before they were) and those earlier runs
    could not announce. A build or watch announces only when no `[deploy]` makes the site
    public instead; a deploy (`deployed`) always. A hub that fails is a warning, never a
    failure."""
    from scofeed.publish import websub

    if not deployed and not websub.announced_by_build(config):
        return
    announcement = websub.send(config)
    for warning in announcement.warnings:  # even with --quiet, as the build's own
        click.echo(f"  {warning}", err=True)
    if announcement.sent and not quiet:
        click.echo(f"scofeed: {announcement.summary()}", err=True)


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


@main.command("serve")
@_config_option
@click.option(
    "--output", type=click.Path(file_okay=False, path_type=Path), help="The folder to serve."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option("-q", "--quiet", is_flag=True, help="Do not log each request.")
@click.option(
    "--watch", is_flag=True, help="Also build, rebuild on each edit, and reload open pages."
)
def serve_cmd(
    config_file: Path | None, output: Path | None, host: str, port: int, quiet: bool, watch: bool
) -> None:
    """Preview the output folder over HTTP: the feeds, the pages and the
    embed widget, as a good host serves them (content types, ETag and
    Last-Modified with 304s, gzip, CORS for feed.json and embed.js).

    The site is served at base_url's path as well as at /, and unknown
    paths get output/404.html, when there is one, with their 404.

    Each request is logged on stderr; Ctrl-C stops the server. Run
    `scofeed build` in another terminal: every request reads the files
    anew. For a preview only: serve a public site with a real web server.

    With --watch it is `scofeed watch` as well, in the same process, and
    each page it sends reloads itself after a rebuild wrote files (a script
    added as the page is sent: the files in the output folder never hold it).

    \b
    Example:
      scofeed serve
      scofeed serve --port 8080 --output public
      scofeed serve --watch
    """
    from urllib.parse import urlsplit

    from scofeed.serve import make_server, url_of

    config = _config(config_file, None, output)
    if watch:  # its first build fills it
        config.output_dir.mkdir(parents=True, exist_ok=True)
    if not config.output_dir.is_dir():
        where = _rel(config.output_dir)
        _fail(f"{where}: no such folder; run scofeed build first", EXIT_CANNOT_RUN)

    def log(line: str) -> None:
        if not quiet:
            stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
            click.echo(f"[{stamp}] {line}", err=True)

    try:
        # At base_url's path too, as the public host serves it: links to /sco/… work.
        base_path = urlsplit(config.base_url).path or "/"
        server = make_server(config.output_dir, host, port, log, base_path=base_path, live=watch)
    except OSError as exc:
        _fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", EXIT_CANNOT_RUN)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    stop_watching: Callable[[], None] | None = None
    try:
        # Ctrl-C stops it even when started from a script that ignores SIGINT for its
        # background jobs; systemd and kill (SIGTERM) stop it as cleanly. Set up inside the
        # `try`, before the line that says it is serving: a Ctrl-C at any moment after that
        # line is a clean stop, and one that came while it started (and Python lost) too.
        catch_sigint()
        signal.signal(signal.SIGTERM, stop)
        stop_if_interrupted()
        click.echo(
            f"scofeed: serving {_rel(config.output_dir)}/ at {url_of(server)} (Ctrl-C to stop)",
            err=True,
        )
        if watch:
            from scofeed.cli.watching import beside

            stop_watching = beside(server, config_file, output, quiet)
        server.serve_forever()
    except KeyboardInterrupt:
        interrupt_handled()
        click.echo("scofeed: stopped", err=True)
    finally:
        if stop_watching is not None:
            stop_watching()
        server.server_close()


@main.command("validate")
@click.argument("targets", nargs=-1)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="github: workflow annotations (::error file=...::) for GitHub Actions.",
)
@click.option("--rules", is_flag=True, help="List every rule (name, severity, reference) and exit.")
@_timeout_option(20.0)
@_allow_private_option
def validate_cmd(
    targets: tuple[str, ...], fmt: str, rules: bool, timeout: float, allow_private: bool
) -> None:
    """Check RSS 2.0, RSS 1.0 and Atom 1.0 feeds: files, folders or http(s) URLs.

    \b
    Example:
      scofeed validate output/
      scofeed validate https://example.org/feed.xml --format json
      scofeed validate output/ --format github    # in a GitHub Actions step
      scofeed validate --rules
    """
    import json

    # lxml and the schemas: for this command only
    from scofeed.validate import findings as out
    from scofeed.validate import validate_targets

    if rules:
        listing = out.rules_listing()
        if fmt == "json":
            click.echo(json.dumps(listing, indent=2, ensure_ascii=False))
        else:
            click.echo(out.rules_text())
        return
    if not targets:
        raise click.UsageError("name at least one feed file, folder or URL (or use --rules)")
    run = validate_targets(targets, timeout=timeout, allow_private=allow_private)
    if fmt == "json":
        click.echo(json.dumps(run.as_dict(), indent=2, ensure_ascii=False))
    elif fmt == "github":
        for finding in run.findings:
            click.echo(out.github_annotation(finding))
        for failure in run.failures:
            click.echo(out.github_failure(failure))
    else:
        for finding in run.findings:
            click.echo(str(finding))  # a Finding's text is already printable
    printable = out.printable  # names and errors can quote anything
    for path in run.skipped:
        click.echo(f"scofeed: skipped {printable(path)}: not an RSS or Atom feed", err=True)
    for failure in run.failures:
        click.echo(f"Error: {printable(str(failure))}", err=True)
    if fmt != "json" and run.documents:
        errors = sum(f.severity == "error" for f in run.findings)
        warnings = len(run.findings) - errors
        invalid = sum(not doc.valid for doc in run.documents)
        click.echo(
            f"scofeed: {len(run.documents)} feed(s) checked, {invalid} invalid; "
            f"{errors} error(s), {warnings} warning(s)",
            err=True,
        )
    sys.exit(run.exit_status)
