"""The command line: the only place that talks to people (stdout, stderr, exit statuses).

This module holds the `scofeed` group and what every command shares; the commands live in
`publishing` (build, validate, serve), `importing` (import archive|mt|feed) and `editing`
(new, posts, countries). They parse arguments, call the library and print: no business logic
lives here.
"""

from __future__ import annotations

import gc
import importlib
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

import click

from scofeed import __version__
from scofeed.config import Config, load_config
from scofeed.errors import ConfigError, InputError, ScofeedError

# Exit statuses, as the README's table fixes them.
EXIT_OK, EXIT_INVALID, EXIT_CANNOT_RUN = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a program stopped by Ctrl-C

# Which module defines each command. A command's module is imported when the command is asked
# for, so `scofeed build` from cron never loads the editor's commands (and their imports).
_COMMANDS = {
    "build": "publishing",
    "validate": "publishing",
    "serve": "publishing",
    "watch": "watching",
    "deploy": "deploying",
    "import": "importing",
    "new": "editing",
    "posts": "editing",
    "countries": "editing",
    "tags": "editing",
}


class _Commands(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = _COMMANDS.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            importlib.import_module(f"scofeed.cli.{module}")  # registers its commands on main
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # before click makes it an exit status 1
            _reader_left()
            ctx.exit(EXIT_OK)


def _reader_left() -> None:
    """The reader of stdout left early (`scofeed posts | head -1`): what it wanted, it has.
    Later writes, and the flush at exit, go nowhere instead of failing again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scofeed")
def main() -> None:
    """Publish a news category as RSS 2.0 and Atom 1.0 feeds, whole and per country."""


# Ctrl-C seen during this run. Python's own handler raises KeyboardInterrupt wherever the
# main thread is, and inside an import Python may then swallow it ("Exception ignored" in the
# import's clean-up) or wrap it (in a RuntimeError, while a class is made). So this handler
# notes it, raises it only outside imports, and the commands check the note at their safe
# points (`stop_if_interrupted`, and the end of `run`): no Ctrl-C is lost or shown as a bug.
_interrupted = False


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    global _interrupted
    _interrupted = True
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return  # in an import: ends the run at the next safe point instead
        frame = frame.f_back
    raise KeyboardInterrupt


def catch_sigint() -> None:
    """Take Ctrl-C over (also when the process was started with it ignored)."""
    signal.signal(signal.SIGINT, _on_sigint)


def stop_if_interrupted() -> None:
    """At a safe point: end the run as Ctrl-C asked, if it did."""
    if _interrupted:
        raise KeyboardInterrupt


def interrupt_handled() -> None:
    """A command that ends cleanly on Ctrl-C (the server) has taken it."""
    global _interrupted
    _interrupted = False


def _was_interrupted(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return _interrupted


def run(argv: Sequence[str] | None = None) -> NoReturn:
    """The `scofeed` command: `main`, with the exit statuses of the README for every way a
    run can end. A bug in scofeed is an `Error: internal error` line and status 2 (the
    traceback too with --verbose); Ctrl-C is a quiet status 130."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:  # from the first line: a Ctrl-C at any moment is the quiet end below
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            catch_sigint()
        code = main.main(args, prog_name="scofeed", standalone_mode=False)
        sys.stdout.flush()  # here, where a reader that left can be told from a failure
        stop_if_interrupted()
    except BrokenPipeError:
        _reader_left()
        code = EXIT_OK
    except click.ClickException as exc:  # usage errors: bad flags, bad arguments
        exc.show()
        code = exc.exit_code
    except (click.Abort, KeyboardInterrupt):  # Ctrl-C (click makes most of them an Abort)
        click.echo("scofeed: interrupted", err=True)
        code = EXIT_INTERRUPTED
    except Exception as exc:
        if _was_interrupted(exc):  # a Ctrl-C that Python wrapped in another exception
            click.echo("scofeed: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        # A bug: say so plainly, and where with --verbose.
        if _verbose(args):
            import traceback

            traceback.print_exc()
        where = "" if _verbose(args) else " (run it again with --verbose for the traceback)"
        click.echo(
            f"Error: internal error: {type(exc).__name__}: {exc}{where}; please report it at "
            "https://github.com/scofeed/scofeed/issues",
            err=True,
        )
        code = EXIT_CANNOT_RUN
    # The run is over and its objects die with the process: moved out of the collector's sight,
    # the interpreter's last collections need not walk them all (a tenth of a no-op build; see
    # PERFORMANCE.md). Exit handlers still run, so coverage of CLI runs is saved.
    gc.freeze()
    sys.exit(code if isinstance(code, int) else EXIT_OK)


def _verbose(args: list[str]) -> bool:
    options = args[: args.index("--")] if "--" in args else args
    return any(a == "--verbose" or (a.startswith("-v") and set(a[1:]) == {"v"}) for a in options)


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
    """Library errors become `Error: …` on stderr with the right exit status, here only:
    invalid input 1, anything that stops scofeed from running (configuration, a lock, a file
    that cannot be read or written) 2."""
    try:
        yield
    except InputError as exc:
        _fail(str(exc), EXIT_INVALID, exc.problems)
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


def _timeout_option(default: float) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--timeout",
        type=click.FloatRange(min=0.1),
        default=default,
        show_default=True,
        metavar="SECONDS",
        help="Seconds for a URL's whole answer: lookup, connecting, redirects, body.",
    )


_allow_private_option = click.option(
    "--allow-private",
    is_flag=True,
    help="Also fetch from loopback, private and link-local addresses (refused by default, so "
    "that a URL cannot reach what only this machine can).",
)


def _clock(text: str | None) -> datetime:
    """The clock, read here only: now, or the hidden --now of tests and previews."""
    if text is None:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 time", param_hint="--now") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _plural(n: int, noun: str, nouns: str | None = None) -> str:
    return f"{n} {noun if n == 1 else nouns or noun + 's'}"


def _table(rows: list[tuple[str, ...]]) -> None:
    """Rows as columns two spaces apart, the last one ragged."""
    if not rows:
        return
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[-1]]).rstrip())
