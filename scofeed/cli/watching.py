"""`scofeed watch`: build, then republish what each saved edit touches, until Ctrl-C. Also
what `scofeed serve --watch` runs beside its server (`watcher`)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scofeed.cli import (
    _config,
    _config_option,
    _plural,
    _posts_option,
    _rel,
    catch_sigint,
    interrupt_handled,
    main,
    stop_if_interrupted,
)
from scofeed.config import Config, load_config
from scofeed.errors import InputError, ScofeedError

if TYPE_CHECKING:
    from scofeed.serve import PreviewServer


def _now() -> datetime:
    return datetime.now(UTC)


def line(outcome: object) -> str:
    """One rebuild, said in one line: what changed, the files written, how long."""
    from scofeed.watch import Outcome

    assert isinstance(outcome, Outcome)
    kind = "full build" if outcome.full else "rebuilt"
    removed = f", {len(outcome.removed)} removed" if outcome.removed else ""
    return (
        f"scofeed: {outcome.why}: {kind}, {_plural(len(outcome.written), 'file')} written"
        f"{removed} in {outcome.seconds * 1000:.0f} ms"
    )


def watcher(
    load: Callable[[], Config],
    quiet: bool,
    stop: threading.Event | None = None,
    after: Callable[[object], None] | None = None,
) -> object:
    """The `Watcher` both commands run: rebuild lines on stderr (unless `quiet`), errors
    always, with every problem by file and line; `after(outcome)` once a rebuild is on disk."""
    from scofeed.watch import Outcome, Session, Watcher

    def report(outcome: Outcome) -> None:
        for warning in outcome.warnings:
            click.echo(f"  {warning}", err=True)
        if not quiet:
            click.echo(line(outcome), err=True)
        if session.config.websub_hubs and (outcome.written or outcome.removed):
            from scofeed.cli.publishing import announce

            announce(session.config, quiet)  # the feeds this rebuild made public, to the hubs
        if after is not None:
            after(outcome)

    def fail(exc: ScofeedError) -> None:
        click.echo(f"Error: {exc}", err=True)
        for problem in exc.problems if isinstance(exc, InputError) else ():
            click.echo(f"  {problem}", err=True)
        click.echo("scofeed: the output keeps its last good version; save a fix", err=True)

    session = Session(load, _now)
    return Watcher(session, report, fail, stop)


@main.command("watch")
@_config_option
@_posts_option
@click.option(
    "--output", type=click.Path(file_okay=False, path_type=Path), help="Where feeds are written."
)
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
def watch_cmd(
    config_file: Path | None, posts: Path | None, output: Path | None, quiet: bool
) -> None:
    """Build, then stay running and republish what each saved edit touches:
    the post's page and every feed, listing page and archive document it is
    in, within milliseconds, byte for byte as `scofeed build` would.

    Watches posts/, static/, templates/ and scofeed.toml. A new, removed or
    renamed post, a template, a static file or the configuration gives a
    full build. A post that does not read is reported by file and line, and
    the output keeps its last good version until the post is fixed. One line
    per rebuild on stderr; Ctrl-C stops it.

    \b
    Example:
      scofeed watch
      scofeed watch --posts posts --output public -q
    """
    from scofeed.watch import Watcher

    _config(config_file, posts, output)  # a bad scofeed.toml stops it here, status 2

    def load() -> Config:  # again after scofeed.toml changed: an error is said, not fatal
        return load_config(Path.cwd(), config_file, posts_dir=posts, output_dir=output)

    run = watcher(load, quiet)
    assert isinstance(run, Watcher)
    if not quiet:
        where = _rel(run.session.config.output_dir)
        click.echo(f"scofeed: watching, publishing into {where}/ (Ctrl-C to stop)", err=True)
    try:
        catch_sigint()
        signal.signal(signal.SIGTERM, _stop)
        stop_if_interrupted()
        run.run()
    except KeyboardInterrupt:
        interrupt_handled()
        click.echo("scofeed: stopped", err=True)


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def beside(
    server: PreviewServer, config_file: Path | None, output: Path | None, quiet: bool
) -> Callable[[], None]:
    """`serve --watch`: the watcher in a thread beside the server, which tells open pages to
    reload after each rebuild that wrote or removed files. Returns what stops it."""
    from scofeed.watch import Outcome, Watcher

    def load() -> Config:
        return load_config(Path.cwd(), config_file, output_dir=output)

    def after(outcome: object) -> None:
        if isinstance(outcome, Outcome) and (outcome.written or outcome.removed):
            server.reload()

    stop = threading.Event()
    run = watcher(load, quiet, stop, after)
    assert isinstance(run, Watcher)
    thread = threading.Thread(target=run.run, name="scofeed-watch", daemon=True)
    thread.start()

    def end() -> None:
        stop.set()
        thread.join(timeout=10)  # a build under way ends first; its files are whole either way

    return end
