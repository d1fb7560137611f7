"""The exception tree and the problem values that a run collects.

Problems in posts and feeds are *values* (`Problem`), gathered over a whole run so that one run
reports all of them; exceptions (rooted at `ScofeedError`) are for when scofeed itself cannot go on.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input file: where it is and what to change."""

    path: str
    line: int | None
    message: str
    warning: bool = False  # said, but stops nothing (a Liquid tag removed, a file skipped)

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {'warning: ' if self.warning else ''}{self.message}"


def split_warnings(problems: list[Problem]) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings)."""
    return [p for p in problems if not p.warning], [p for p in problems if p.warning]


class ScofeedError(Exception):
    """Root of every error scofeed raises on purpose."""


class ConfigError(ScofeedError):
    """`scofeed.toml` cannot be read or holds a value that makes no sense."""


class InputError(ScofeedError):
    """Input problems (bad posts, invalid feeds) that stop a run; carries every problem found."""

    def __init__(self, summary: str, problems: list[Problem] | tuple[Problem, ...] = ()) -> None:
        super().__init__(summary)
        self.problems = tuple(problems)


class FeedError(ScofeedError):
    """A feed could not be rendered (a required field is missing, or text XML cannot carry)."""


class LockedError(ScofeedError):
    """Another build holds the lock."""


class OutputError(ScofeedError):
    """A file could not be published (a path outside the output folder, a full disk, …)."""


class NotAFeedError(ScofeedError):
    """A document given to the validator is not an RSS or Atom feed at all (exit status 2)."""


class FetchError(ScofeedError):
    """A file or URL given to the validator or an importer could not be read (exit status 2)."""
