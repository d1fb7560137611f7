"""The publishing commands: `build`, `validate`, `serve`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from scofeed.build import build
from scofeed.cli import (
    EXIT_CANNOT_RUN,
    EXIT_OK,
    _config,
    _config_option,
    _errors,
    _fail,
    _parse_now,
    _posts_option,
    _rel,
    main,
)

if TYPE_CHECKING:
    pass

# Importers and the validator are imported inside their commands: `scofeed build` from cron,
# the command that runs most, then starts without loading what it does not use.


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
            f"{len(report.written)} files written, {len(report.unchanged)} unchanged"
            + (f", {len(report.removed)} removed" if report.removed else "")
            + f" in {_rel(config.output_dir)}/, {report.seconds:.2f} s",
            err=True,
        )


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
def serve_cmd(
    config_file: Path | None, output: Path | None, host: str, port: int, quiet: bool
) -> None:
    """Preview the output folder over HTTP: the feeds, the pages and the
    embed widget, as a good host serves them (content types, ETag and
    Last-Modified with 304s, gzip, CORS for feed.json and embed.js).

    Each request is logged on stderr; Ctrl-C stops the server. Run
    `scofeed build` in another terminal: every request reads the files
    anew. For a preview only: serve a public site with a real web server.

    \b
    Example:
      scofeed serve
      scofeed serve --port 8080 --output public
    """
    import signal

    from scofeed.serve import make_server, url_of

    config = _config(config_file, None, output)
    if not config.output_dir.is_dir():
        where = _rel(config.output_dir)
        _fail(f"{where}: no such folder; run scofeed build first", EXIT_CANNOT_RUN)

    def log(line: str) -> None:
        if not quiet:
            stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
            click.echo(f"[{stamp}] {line}", err=True)

    try:
        server = make_server(config.output_dir, host, port, log)
    except OSError as exc:
        _fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", EXIT_CANNOT_RUN)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # Ctrl-C stops it even when started from a script that ignores SIGINT for its background
    # jobs; systemd and kill (SIGTERM) stop it as cleanly.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, stop)
    click.echo(
        f"scofeed: serving {_rel(config.output_dir)}/ at {url_of(server)} (Ctrl-C to stop)",
        err=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("scofeed: stopped", err=True)
    finally:
        server.server_close()


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
    import json

    from scofeed import validate  # lxml and the schemas are loaded only for this command

    run = validate.validate_targets(targets)
    if fmt == "json":
        document = {
            "valid": run.exit_status == EXIT_OK,
            "exit_status": run.exit_status,
            "documents": [
                {
                    "source": doc.source,
                    "valid": doc.valid,
                    "errors": sum(f.severity == "error" for f in doc.findings),
                    "warnings": sum(f.severity == "warning" for f in doc.findings),
                }
                for doc in run.documents
            ],
            "findings": [f.as_dict() for f in run.findings],
            "failures": [str(failure) for failure in run.failures],
            "skipped": list(run.skipped),
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        for finding in run.findings:
            click.echo(str(finding))
    for path in run.skipped:
        click.echo(f"scofeed: skipped {path}: not an RSS or Atom feed", err=True)
    for failure in run.failures:
        click.echo(f"Error: {failure}", err=True)
    if fmt == "text" and run.documents:
        errors = sum(f.severity == "error" for f in run.findings)
        warnings = len(run.findings) - errors
        invalid = sum(not doc.valid for doc in run.documents)
        click.echo(
            f"scofeed: {len(run.documents)} feed(s) checked, {invalid} invalid; "
            f"{errors} error(s), {warnings} warning(s)",
            err=True,
        )
    sys.exit(run.exit_status)
