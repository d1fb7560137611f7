"""The command line: the only module that talks to people (stdout, stderr, exit statuses)."""

from __future__ import annotations

import json
import sys

import click

from scofeed import __version__, validate
from scofeed.errors import FetchError, NotAFeedError

# Exit statuses, as SPEC.md "Command line" fixes them.
EXIT_OK, EXIT_INVALID, EXIT_CANNOT_RUN = 0, 1, 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scofeed")
def main() -> None:
    """Publish a news category as RSS 2.0 and Atom 1.0 feeds, whole and per country."""


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
