"""The command line: the only place that talks to people (stdout, stderr, exit statuses).

This module holds the `scofeed` group and what every command shares; the commands live in
`publishing` (build, validate, serve) and `editing` (import, new, posts, countries).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import click

from scofeed import __version__
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

# Exit statuses, as SPEC.md "Command line" fixes them.
EXIT_OK, EXIT_INVALID, EXIT_CANNOT_RUN = 0, 1, 2


# Which module defines each command. A command's module is imported when the command is asked
# for, so `scofeed build` from cron never loads the editor's commands (and their imports).
_COMMANDS = {
    "build": "publishing",
    "validate": "publishing",
    "serve": "publishing",
    "import": "editing",
    "new": "editing",
    "posts": "editing",
    "countries": "editing",
}


class _Commands(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = _COMMANDS.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            importlib.import_module(f"scofeed.cli.{module}")  # registers its commands on main
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scofeed")
def main() -> None:
    """Publish a news category as RSS 2.0 and Atom 1.0 feeds, whole and per country."""


def run() -> NoReturn:
    """The `scofeed` command: `main`, then an exit that skips the interpreter's teardown, as
    mypy's command does. Freeing every object one by one and a last garbage collection cost a
    no-op build a tenth of its time, and there is nothing to tear down: every file scofeed
    wrote is closed and renamed, its workers are gone, and it registers no exit handler."""
    try:
        main()
        code: object = 0
    except SystemExit as exc:  # click ends every run this way
        code = exc.code
    if code is None:
        code = EXIT_OK
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = EXIT_INVALID
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass  # the reader left early (`scofeed posts | head`); what it wanted, it has
    os._exit(code)


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


def _parse_now(text: str) -> datetime:
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
