"""One build: load posts -> plan feeds -> render -> validate -> publish. Returns a `BuildReport`.

Nothing is published unless every post reads and every feed validates; the caller passes the
clock (`now`), so a build is a function of the post files and the configuration. The cache
(scofeed.cache) only decides how much of that work is done again: a feed whose inputs did not
change, and whose published file is still what was written, is neither rendered nor validated.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from scofeed import __version__
from scofeed.cache import BuildCache, FeedRecord, LastBuild, StatKey, file_stat_key, fingerprint
from scofeed.config import Config
from scofeed.countries import Gazetteer, load_gazetteer
from scofeed.errors import InputError, Problem
from scofeed.output import build_lock, clean_temp_files, publish
from scofeed.parallel import fork_map, shared
from scofeed.store import PostFile, load_posts, scan_posts, scan_signature, unreadable

if TYPE_CHECKING:
    from scofeed.feeds import Entry, FeedSpec
    from scofeed.post import Post

# The modules that render (feeds, jsonfeed, pages, and feedgen, lxml and the validator behind
# them) are imported only once a build has something to render: the run that happens most, a
# no-op from cron, then loads none of them.

Renderer = Callable[["FeedSpec", Config, Callable[["Post"], "Entry"]], bytes]
Checker = Callable[[bytes, str], list[Problem]]


def _xml_renderer(fmt: str) -> Renderer:
    from scofeed.feeds import render

    def render_xml(spec: FeedSpec, config: Config, entry_for: Callable[[Post], Entry]) -> bytes:
        return render(spec, fmt, config, entry_for)

    return render_xml


def _check(data: bytes, path: str) -> list[Problem]:
    """The validator's errors for one feed we are about to publish (warnings do not stop it)."""
    from scofeed import validate

    return [
        Problem(path, f.line, f"{f.rule}: {f.message}")
        for f in validate.validate_bytes(data, source=path)
        if f.severity == "error"
    ]


def _no_check(data: bytes, path: str) -> list[Problem]:
    return []


@functools.cache
def feed_outputs() -> tuple[tuple[str, str, Renderer, Checker], ...]:
    """What every feed folder holds: (cache kind, file name, renderer, check before
    publishing)."""
    from scofeed.feeds import FORMATS
    from scofeed.jsonfeed import check_json, render_json
    from scofeed.pages import EMBED_FILE, render_embed

    return (
        *((fmt, f"{fmt}.xml", _xml_renderer(fmt), _check) for fmt in FORMATS),
        ("json", "feed.json", render_json, check_json),
        ("embed", EMBED_FILE, render_embed, _no_check),
    )


def country_files() -> tuple[str, ...]:
    """The files scofeed writes in each country folder; any other file there is left alone."""
    from scofeed.pages import INDEX_FILE

    return (*(name for _, name, _, _ in feed_outputs()), INDEX_FILE)


# progress(phase, done, total), phase "posts" or "feeds"
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildReport:
    posts: int  # post files read
    published: int  # posts in the feeds (not drafts, not scheduled)
    feeds: tuple[FeedSpec, ...]
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    seconds: float = field(compare=False)
    # The feeds planned; empty when nothing changed since the last build and no plan was made.
    # (`written` + `unchanged` always name every file: feeds, pages, embed files.)


def build(config: Config, *, now: datetime, progress: Progress | None = None) -> BuildReport:
    """Build every feed of the site into `config.output_dir`; raise `InputError` with every
    problem found if any post cannot be read or any feed does not validate."""
    started = time.perf_counter()
    with build_lock(config.cache_dir), _no_cycle_collector():
        clean_temp_files(config.output_dir)
        gazetteer = load_gazetteer(config.gazetteer)
        cache = BuildCache.load(config.cache_dir, fingerprint(__version__, config, gazetteer))
        scanned = scan_posts(config.posts_dir)
        signature = scan_signature(scanned)
        last = cache.last
        if (
            last is not None
            and last.still_holds(signature, now)
            and _still_published(cache, config)
        ):
            # The cron case: same posts, same configuration, no post come due, and every
            # feed still as we wrote it. Nothing to read, render or write.
            return BuildReport(
                posts=last.posts,
                published=last.published,
                feeds=(),
                written=(),
                unchanged=tuple(sorted(cache.feeds)),
                removed=(),
                seconds=time.perf_counter() - started,
            )
        return _rebuild(
            config, now, gazetteer, cache, scanned, signature, progress, started=started
        )


def _rebuild(
    config: Config,
    now: datetime,
    gazetteer: Gazetteer,
    cache: BuildCache,
    scanned: list[PostFile],
    signature: str,
    progress: Progress | None,
    *,
    started: float,
) -> BuildReport:
    """Read what changed, then render, check and publish the feeds whose inputs changed."""
    from scofeed.feeds import feed_key, plan
    from scofeed.pages import site_files

    posts, problems = load_posts(
        config.posts_dir,
        tz=config.tzinfo,
        detect=gazetteer.detect,
        shown_from=config.root,
        cache=cache,
        progress=(lambda done, total: progress("posts", done, total)) if progress else None,
        scanned=scanned,
    )
    if problems:
        raise unreadable(problems)

    specs = plan(posts, config, gazetteer, now)
    entry_for = _Entries(config, cache)
    files: dict[str, bytes] = {}
    kept: list[str] = []
    made: dict[str, tuple[str, str]] = {}
    findings: list[Problem] = []
    outputs = feed_outputs()
    todo: list[_Job] = []
    for spec in specs:
        for kind, name, render_file, check in outputs:
            path = spec.folder + name
            key = feed_key(spec, kind)
            before = cache.feeds.get(path)
            if before is not None and before[0] == key and _as_written(config, path, before):
                kept.append(path)  # same inputs, same published bytes: nothing to do
                made[path] = before[:2]
            else:
                todo.append((spec, path, key, render_file, check))
    total = len(kept) + len(todo)
    for done, (job, (data, problems)) in enumerate(
        zip(todo, _render_all(todo, config, entry_for), strict=True), 1
    ):
        _, path, key, _, _ = job
        findings.extend(problems)
        files[path] = data
        made[path] = (key, hashlib.sha256(data).hexdigest())
        if progress is not None:
            progress("feeds", len(kept) + done, total)
    # The pages, the OPML list and the embed script: cheap, so made on every build that
    # changed anything (publish leaves a file whose bytes are the same untouched).
    for path, data in site_files(specs, config, entry_for).items():
        files[path] = data
        made[path] = ("site", hashlib.sha256(data).hexdigest())
    if findings:
        feeds_ = len({p.path for p in findings})
        raise InputError(
            f"{_plural(feeds_, 'feed')} would be invalid; nothing was published", findings
        )

    planned = set(made)
    stale = [p for p in _published_country_feeds(config.output_dir) if p not in planned]
    report = publish(files, config.output_dir, stale=stale)
    published = sum(p.is_published(now) for p in posts)
    dates = [p.date for p in posts if not p.draft]
    cache.save(
        {
            path: (key, sha, _stat_key_of(config.output_dir / path))
            for path, (key, sha) in made.items()
        },
        LastBuild(
            signature=signature,
            since=max((d for d in dates if d <= now), default=None),
            until=min((d for d in dates if d > now), default=None),
            posts=len(posts),
            published=published,
        ),
    )
    return BuildReport(
        posts=len(posts),
        published=published,
        feeds=tuple(specs),
        written=report.written,
        unchanged=tuple(sorted((*kept, *report.unchanged))),
        removed=report.removed,
        seconds=time.perf_counter() - started,
    )


@contextmanager
def _no_cycle_collector() -> Iterator[None]:
    """A build holds a few dozen objects per post for a few seconds and makes no reference
    cycles worth collecting; the cycle collector would walk every one of them again and again
    and find nothing (about 5% of the instructions of a one-post rebuild of 10,000 posts, by
    callgrind). Memory is freed by reference counting as before, and the collector is back on
    when the build ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # Hand what the build made to the oldest generation first: the youngest would
            # otherwise hold every one of them, and the first allocation after `enable` would
            # walk them all (a few milliseconds of a 70 ms no-op) just before most of them die.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


class _Entries:
    """Each post's rendered entry (its HTML, summary, link), made once per build and not at all
    when the cache has it; called with a post, as the renderers want."""

    def __init__(self, config: Config, cache: BuildCache) -> None:
        self.config = config
        self.cache = cache
        self.memo: dict[str, Entry] = {}

    def __call__(self, post: Post) -> Entry:
        entry = self.memo.get(post.path) or self._cached(post)
        if entry is None:
            from scofeed.feeds import render_entry

            entry = render_entry(post, self.config)
            self.add(post, entry)
        return entry

    def _cached(self, post: Post) -> Entry | None:
        from scofeed.feeds import Entry, permalink

        hit = self.cache.entry(post.digest, permalink(post, self.config))
        if hit is None:
            return None
        entry = self.memo[post.path] = Entry(*hit)
        return entry

    def missing(self, posts: Iterable[Post]) -> list[Post]:
        """The posts, each once, whose entry is neither made nor cached."""
        out = {p.path: p for p in posts if p.path not in self.memo and self._cached(p) is None}
        return list(out.values())

    def add(self, post: Post, entry: Entry) -> None:
        self.memo[post.path] = entry
        self.cache.put_entry(
            post.digest, entry.link, (entry.id, entry.link, entry.title, entry.html, entry.summary)
        )


# A file to render: its feed, its path below output/, the key of its inputs, how to render it
# and how to check it.
_Job = tuple["FeedSpec", str, str, Renderer, Checker]
# Forking workers costs more than it saves below this many files to render, or this many
# entries in them: a rebuild after an edit renders four files per feed folder it touches, 16 for
# a post about three countries (and forking a process that holds 100,000 posts is not free); a
# clean build of the benchmark's 10,000 posts, 48 files of up to 50 entries.
_PARALLEL_RENDER_FILES = 32
_PARALLEL_RENDER_FROM = 500
_ENTRY_CHUNK = 50


def _render_all(
    todo: list[_Job], config: Config, entry_for: _Entries
) -> Iterator[tuple[bytes, list[Problem]]]:
    """Each job's bytes and the problems the check finds, in order; on every core when there
    are many. Then the entries come first, each rendered once by one worker, so that the feed
    workers, forked after, find every entry in the memo they inherit."""
    parallel = (
        len(todo) >= _PARALLEL_RENDER_FILES
        and sum(len(spec.entries) for spec, *_ in todo) >= _PARALLEL_RENDER_FROM
    )
    if parallel:
        wanted = entry_for.missing(post for spec, *_ in todo for post in spec.entries)
        chunks = [
            range(i, min(i + _ENTRY_CHUNK, len(wanted)))
            for i in range(0, len(wanted), _ENTRY_CHUNK)
        ]
        made = (
            e for part in fork_map(_render_entries, chunks, shared=(wanted, config)) for e in part
        )
        for post, entry in zip(wanted, made, strict=True):
            entry_for.add(post, entry)
    yield from fork_map(
        _render_job, range(len(todo)), shared=(todo, config, entry_for), parallel=parallel
    )


def _render_entries(indices: range) -> list[Entry]:
    from scofeed.feeds import render_entry

    wanted, config = shared()
    return [render_entry(wanted[i], config) for i in indices]


def _render_job(index: int) -> tuple[bytes, list[Problem]]:
    todo, config, entry_for = shared()
    spec, path, _, render_file, check = todo[index]
    data = render_file(spec, config, entry_for)
    return data, check(data, path)


def _still_published(cache: BuildCache, config: Config) -> bool:
    """Every file of the last build is in the output folder, byte for byte as written."""
    return bool(cache.feeds) and all(
        _as_written(config, path, record) for path, record in cache.feeds.items()
    )


def _as_written(config: Config, path: str, record: FeedRecord) -> bool:
    """The published file `path` still holds the bytes recorded: its stat, unchanged since it
    was written, says so without reading it; otherwise its hash decides."""
    full = config.output_dir / path
    stat = _stat_key_of(full)
    if stat is None:
        return False
    return stat == record[2] or _sha(full) == record[1]


def _stat_key_of(path: Path) -> StatKey | None:
    try:
        return file_stat_key(os.stat(path))
    except OSError:
        return None


def _sha(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _published_country_feeds(output_dir: Path) -> list[str]:
    countries = output_dir / "countries"
    if not countries.is_dir():
        return []
    return [
        f"countries/{folder.name}/{name}"
        for folder in sorted(countries.iterdir())
        for name in country_files()
        if (folder / name).is_file()
    ]


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
