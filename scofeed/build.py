"""One build: load posts -> plan feeds -> render -> validate -> publish. Returns a `BuildReport`.

Nothing is published unless every post reads and every feed validates; the caller passes the
clock (`now`), so a build is a function of the post files and the configuration.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from scofeed import validate
from scofeed.config import Config
from scofeed.countries import load_gazetteer
from scofeed.errors import InputError, Problem
from scofeed.feeds import FORMATS, Entry, FeedSpec, plan, render
from scofeed.output import build_lock, clean_temp_files, publish
from scofeed.store import load_posts

# The files scofeed writes in each country folder; any other file there is left alone.
COUNTRY_FILES = tuple(f"{fmt}.xml" for fmt in FORMATS)


@dataclass(frozen=True)
class BuildReport:
    posts: int  # post files read
    published: int  # posts in the feeds (not drafts, not scheduled)
    feeds: tuple[FeedSpec, ...]
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    seconds: float = field(compare=False)


def build(
    config: Config,
    *,
    now: datetime,
    progress: Callable[[str, int, int], None] | None = None,
) -> BuildReport:
    """Build every feed of the site into `config.output_dir`; raise `InputError` with every
    problem found if any post cannot be read or any feed does not validate."""
    started = time.perf_counter()
    with build_lock(config.cache_dir):
        clean_temp_files(config.output_dir)
        gazetteer = load_gazetteer(config.gazetteer)
        posts, problems = load_posts(config.posts_dir, tz=config.tzinfo, shown_from=config.root)
        if problems:
            files_ = len({p.path for p in problems})
            raise InputError(f"{_plural(files_, 'post file')} cannot be read", problems)

        specs = plan(posts, config, gazetteer, now)
        files: dict[str, bytes] = {}
        entries: dict[str, Entry] = {}
        findings: list[Problem] = []
        total = len(specs) * len(FORMATS)
        for spec in specs:
            for fmt in FORMATS:
                path = spec.path(fmt)
                data = render(spec, fmt, config, entries)
                for finding in validate.validate_bytes(data, source=path):
                    if finding.severity == "error":
                        findings.append(
                            Problem(path, finding.line, f"{finding.rule}: {finding.message}")
                        )
                files[path] = data
                if progress is not None:
                    progress(path, len(files), total)
        if findings:
            feeds_ = len({p.path for p in findings})
            raise InputError(
                f"{_plural(feeds_, 'feed')} would be invalid; nothing was published", findings
            )

        report = publish(files, config.output_dir, stale=_stale(config.output_dir, files))
    return BuildReport(
        posts=len(posts),
        published=sum(p.is_published(now) for p in posts),
        feeds=tuple(specs),
        written=report.written,
        unchanged=report.unchanged,
        removed=report.removed,
        seconds=time.perf_counter() - started,
    )


def _stale(output_dir: Path, files: dict[str, bytes]) -> list[str]:
    """Country feeds published before whose country no longer has a post."""
    countries = output_dir / "countries"
    if not countries.is_dir():
        return []
    stale = []
    for folder in sorted(countries.iterdir()):
        for name in COUNTRY_FILES:
            relative = f"countries/{folder.name}/{name}"
            if relative not in files and (folder / name).is_file():
                stale.append(relative)
    return stale


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
