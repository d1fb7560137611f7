"""One build: load posts -> plan feeds -> render -> validate -> publish. Returns a `BuildReport`.

Nothing is published unless every post reads and every feed validates; the caller passes the
clock (`now`), so a build is a function of the post files and the configuration. The cache
(scofeed.cache) only decides how much of that work is done again: a feed whose inputs did not
change, and whose published file is still what was written, is neither rendered nor validated.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from scofeed import __version__
from scofeed.cache import BuildCache, LastBuild, fingerprint
from scofeed.config import Config
from scofeed.countries import load_gazetteer
from scofeed.errors import InputError, Problem
from scofeed.feeds import FORMATS, Entry, FeedSpec, feed_key, permalink, plan, render, render_entry
from scofeed.jsonfeed import check_json, render_json
from scofeed.output import build_lock, clean_temp_files, publish
from scofeed.pages import EMBED_FILE, INDEX_FILE, render_embed, site_files
from scofeed.post import Post
from scofeed.store import load_posts, scan_posts, scan_signature, unreadable

Renderer = Callable[[FeedSpec, Config, Callable[[Post], Entry]], bytes]
Checker = Callable[[bytes, str], list[Problem]]


def _xml_renderer(fmt: str) -> Renderer:
    def render_xml(spec: FeedSpec, config: Config, entry_for: Callable[[Post], Entry]) -> bytes:
        return render(spec, fmt, config, entry_for)

    return render_xml


def _check(data: bytes, path: str) -> list[Problem]:
    """The validator's errors for one feed we are about to publish (warnings do not stop it)."""
    from scofeed import validate  # lxml and the schemas are loaded only when a feed is written

    return [
        Problem(path, f.line, f"{f.rule}: {f.message}")
        for f in validate.validate_bytes(data, source=path)
        if f.severity == "error"
    ]


def _no_check(data: bytes, path: str) -> list[Problem]:
    return []


# What every feed folder holds: (cache kind, file name, renderer, check before publishing).
FEED_OUTPUTS: tuple[tuple[str, str, Renderer, Checker], ...] = (
    *((fmt, f"{fmt}.xml", _xml_renderer(fmt), _check) for fmt in FORMATS),
    ("json", "feed.json", render_json, check_json),
    ("embed", EMBED_FILE, render_embed, _no_check),
)

# The files scofeed writes in each country folder; any other file there is left alone.
COUNTRY_FILES = (*(name for _, name, _, _ in FEED_OUTPUTS), INDEX_FILE)

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
    with build_lock(config.cache_dir):
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
        entry_for = _entries(config, cache)
        files: dict[str, bytes] = {}
        kept: list[str] = []
        made: dict[str, tuple[str, str]] = {}
        findings: list[Problem] = []
        total = len(specs) * len(FEED_OUTPUTS)
        for spec in specs:
            for kind, name, render_file, check in FEED_OUTPUTS:
                path = spec.folder + name
                key = feed_key(spec, kind)
                before = cache.feeds.get(path)
                if (
                    before is not None
                    and before[0] == key
                    and _sha(config.output_dir / path) == (before[1])
                ):
                    kept.append(path)  # same inputs, same published bytes: nothing to do
                    made[path] = before
                else:
                    data = render_file(spec, config, entry_for)
                    findings.extend(check(data, path))
                    files[path] = data
                    made[path] = (key, hashlib.sha256(data).hexdigest())
                if progress is not None:
                    progress("feeds", len(made), total)
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
            made,
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


def _entries(config: Config, cache: BuildCache) -> Callable[[Post], Entry]:
    """Each post rendered once per build, and not at all when the cache has it."""
    memo: dict[str, Entry] = {}

    def entry_for(post: Post) -> Entry:
        entry = memo.get(post.path)
        if entry is None:
            link = permalink(post, config)
            hit = cache.entry(post.digest, link)
            if hit is not None:
                entry = Entry(*hit)
            else:
                entry = render_entry(post, config)
                cache.put_entry(
                    post.digest,
                    link,
                    (entry.id, entry.link, entry.title, entry.html, entry.summary),
                )
            memo[post.path] = entry
        return entry

    return entry_for


def _still_published(cache: BuildCache, config: Config) -> bool:
    """Every feed of the last build is in the output folder, byte for byte as written."""
    return bool(cache.feeds) and all(
        _sha(config.output_dir / path) == sha for path, (_, sha) in cache.feeds.items()
    )


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
        for name in COUNTRY_FILES
        if (folder / name).is_file()
    ]


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
