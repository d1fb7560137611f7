"""One build: load posts -> plan the site -> render -> validate -> publish. Returns a
`BuildReport`.

Nothing is published unless every post reads and every file passes its check; the caller
passes the clock (`now`), so a build is a function of the post files and the configuration.
The cache (`cache`) only decides how much of that work is done again: a file whose inputs did
not change, and whose published copy is still what was written, is neither rendered nor checked.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from scofeed.config import Config
from scofeed.errors import InputError, Problem, split_warnings
from scofeed.posts.countries import Gazetteer, load_gazetteer
from scofeed.posts.files import PostFile, scan_signature, shown, walk_files
from scofeed.posts.store import NOT_A_POST, load_posts, post_markup, scan_posts, unreadable
from scofeed.publish.cache import BuildCache, LastBuild, cache_key
from scofeed.publish.cache_records import FileRecord
from scofeed.publish.lock import build_lock
from scofeed.publish.output import (
    Checkpoint,
    Publication,
    as_written,
    clean_temp_files,
    kept_as_written,
    maybe_interrupted,
    no_checkpoint,
    staging_ended,
    still_published,
    usable_folder,
    with_stats,
)
from scofeed.site.templates import digest as templates_digest  # jinja2 is not loaded with it
from scofeed.site.templates import refresh as refresh_templates

if TYPE_CHECKING:
    from scofeed.posts.post import Post
    from scofeed.publish.rendering import Job, Unmoved
    from scofeed.publish.static import StaticFile
    from scofeed.site.archive import SitePages
    from scofeed.site.plan import FeedSpec
    from scofeed.site.refs import Refs

# The site and the renderers are imported only once a build has something to render: the run
# that happens most, a no-op from cron, then loads none of them (see PERFORMANCE.md).

# progress(phase, done, total), phase "posts" or "feeds"
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildReport:
    posts: int  # post files read
    published: int  # posts in the feeds (not drafts, not scheduled)
    # The feeds planned; empty when nothing changed since the last build and no plan was made.
    feeds: tuple[FeedSpec, ...]
    # `written` + `unchanged` always name every file: feeds, pages, embed files.
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    seconds: float = field(compare=False)
    # What was said of the posts without stopping the build (a file that is no post, a
    # template tag removed), and, when this build publishes fewer posts than the last one while
    # files were passed over, a word on that.
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Plan:
    """What a build that published made its files from, for `scofeed watch` to keep: the posts
    as read (`posts`) and as published (`published`, newest first, link-keyed), the feeds, the
    pages, and the cache holding every entry rendered."""

    now: datetime
    scanned: list[PostFile]
    posts: list[Post]
    published: list[Post]
    specs: list[FeedSpec]
    site: SitePages
    refs: Refs
    templates: str
    gazetteer: Gazetteer
    cache: BuildCache


def build(
    config: Config,
    *,
    now: datetime,
    progress: Progress | None = None,
    checkpoint: Checkpoint = no_checkpoint,
    on_plan: Callable[[Plan], None] | None = None,
) -> BuildReport:
    """Build every feed and page of the site into `config.output_dir`; raise `InputError` with
    every problem found if any post cannot be read or any file fails its check. With
    `on_plan`, the build always plans (no no-op shortcut) and hands its `Plan` over once
    published."""
    started = time.perf_counter()
    with build_lock(config.cache_dir):
        checkpoint("locked")
        if config.output_dir.exists() and not config.output_dir.is_dir():
            usable_folder(config.output_dir)  # says what is wrong, before any work
        gazetteer = load_gazetteer(config.gazetteer, config.where)
        cache = BuildCache.load(config.cache_dir, cache_key(config, gazetteer))
        scanned = scan_posts(config.posts_dir)
        # The site's own templates key every page (an edited one may change any page); without
        # them an edit was never seen, not even past the no-op check.
        templates = templates_digest(config.templates_dir)
        signature = _signature(scanned, config, templates)
        last = cache.last
        if (
            on_plan is None
            and last is not None
            and last.still_holds(signature, now)
            and still_published(cache.files, config.output_dir)
        ):
            # The cron case: same posts, same configuration, no post come due, and every
            # file still as we wrote it. Nothing to read, render or write.
            return BuildReport(
                posts=last.posts,
                published=last.published,
                feeds=(),
                written=(),
                unchanged=tuple(sorted(cache.files)),
                removed=(),
                seconds=time.perf_counter() - started,
            )
        # Templates this process compiled in an earlier build are dropped if the site's own
        # changed since (`environment` compiles once per process).
        refresh_templates(config.templates_dir, templates)
        return _rebuild(
            config, now, gazetteer, cache, scanned, signature, templates, progress, checkpoint,
            started, on_plan,
        )  # fmt: skip


def _signature(scanned: list[PostFile], config: Config, templates: str) -> str:
    """What the no-op check compares: the post files, the files of static/ and the site's own
    templates (one added, changed or removed there changes the output as a post does; without
    them here such a build did nothing at all)."""
    folder = config.static_dir
    static = walk_files(folder, None, "static", skip_hidden=True) if folder.is_dir() else []
    return f"{scan_signature(scanned)} {scan_signature(static)} {templates}"


def _rebuild(
    config: Config,
    now: datetime,
    gazetteer: Gazetteer,
    cache: BuildCache,
    scanned: list[PostFile],
    signature: str,
    templates: str,  # the digest of the site's own templates
    progress: Progress | None,
    checkpoint: Checkpoint,
    started: float,
    on_plan: Callable[[Plan], None] | None = None,
) -> BuildReport:
    """Read what changed, then render, check and publish the files whose inputs changed."""
    # Leftovers of a killed run (temporary files; published files its cache does not list):
    # never there on a no-op (a killed build left the cache saying what it was before, and its
    # posts or output differ from that), nor after a build that saved its cache, unless
    # another run staged files since (`mark_staging`). Without a cache, or with the cache of
    # other code (an upgrade), the output is walked all the same.
    interrupted = maybe_interrupted(config.cache_dir) or not cache.files or not cache.written
    if interrupted:
        clean_temp_files(config.output_dir)
    from scofeed.publish.rendering import Unmoved, feed_jobs, page_jobs
    from scofeed.publish.static import bundle_files, measured, refuse_shadowed, static_files
    from scofeed.site import layout
    from scofeed.site.archive import plan_pages
    from scofeed.site.plan import is_excluded, page_tags, plan_feeds, published_filed, tags_of
    from scofeed.site.refs import Refs
    from scofeed.site.sitemap import TYPEPAD_FEEDS

    posts, problems = load_posts(
        config.posts_dir,
        tz=config.tzinfo,
        detect=gazetteer.detect,
        shown_from=config.root,
        cache=cache,
        progress=(lambda done, total: progress("posts", done, total)) if progress else None,
        scanned=scanned,
    )
    problems, warnings = split_warnings(problems)
    before = cache.last.published if cache.last is not None else 0  # for the word on fewer
    if problems:
        raise unreadable(problems)
    checkpoint("read")

    published_posts, filed = published_filed(posts, gazetteer, now)
    refs = Refs(published_posts, config)  # what link tags ({% post_url %}) may name
    published_posts = refs.keyed(published_posts, warnings)
    published_posts, problems = measured(published_posts, config)  # enclosures of static/
    if problems:
        raise unreadable(problems)
    tagged = tags_of(published_posts, config)  # for the feeds and the pages alike
    specs = plan_feeds(published_posts, filed, config, tagged)
    # Their entries stay cached even where this build renders none of their files.
    cache.keep_entries_of(post.digest for spec in specs for post in spec.entries)
    others = scan_signature([file for file in scanned if not post_markup(file[0])])
    unmoved = Unmoved.since(cache, posts, signature, others, now, interrupted)
    statics, problems = static_files(config)
    if problems:
        raise InputError("the static folder cannot be copied; nothing was published", problems)
    resources, problems = bundle_files(published_posts, scanned, config)
    if on_plan is None:
        # Not needed again (`scofeed watch` keeps it in its `Plan`), and `build`, whose list
        # it is, has no more use for it: each file's stat and tuple go before the site is
        # planned and rendered (26 MB at 100,000 posts; the workers forked later copy less).
        scanned.clear()
    if problems:
        raise InputError("page bundles' files cannot be published; nothing was", problems)
    statics += resources
    listed = [not is_excluded(post, config) for post in published_posts]
    as_is = None
    if unmoved is not None and on_plan is None:
        # The cron build after an edit that moved nothing: the files showing the posts read
        # again are planned, the others taken as the last build published them.
        # (Nothing is checked there: the last build did.)
        site = _pages(plan_pages(published_posts, filed, config, (), page_tags(tagged, config),
                                 listed, only=unmoved.read_again))  # fmt: skip
        jobs = [*feed_jobs(specs, unmoved, narrow=True), *page_jobs(site.pages, templates, unmoved)]
        made_again = {job.path for job in jobs} | {static.path for static in statics}
        as_is = kept_as_written(cache.files, made_again, config.output_dir)
    if as_is is None:
        jobs = list(feed_jobs(specs, unmoved))
        # Typepad's feed addresses are rules of _redirects already: an alias may not take one
        # too (it made a second, contradicting rule for /index.rdf).
        reserved = [job.path for job in jobs] + layout.SITE_FILES
        reserved += [old for old, _ in TYPEPAD_FEEDS]
        site = _pages(
            plan_pages(published_posts, filed, config, reserved, page_tags(tagged, config), listed)
        )
        jobs += page_jobs(site.pages, templates, unmoved)
        refuse_shadowed(statics, [job.path for job in jobs] + layout.SITE_FILES, config)

    publication = Publication(config.output_dir, checkpoint, cache_dir=config.cache_dir)
    try:
        made, kept = _make(
            jobs, specs, site, statics, config, cache, refs, publication, progress, unmoved, as_is
        )
    except BaseException:
        publication.discard()  # the files made so far; the output is as it was
        raise

    # What the last build wrote and this one does not (a deleted post's page, a listing's last
    # page, a country without posts) is removed; files scofeed never wrote are left alone.
    # (No set of all they wrote: at 100,000 posts that was 8 MB at the build's peak.)
    wrote_before = itertools.chain(
        cache.files,
        cache.written,
        layout.published_folder_files(config.output_dir) if interrupted else (),
    )
    stale = sorted({p for p in wrote_before if p not in made})
    published = sum(p.is_published(now) for p in posts)
    dates = [when for p in posts for when in p.changes()]  # into the feeds, or out of them
    last = LastBuild(
        signature=signature,
        since=max((d for d in dates if d <= now), default=None),
        until=min((d for d in dates if d > now), default=None),
        posts=len(posts),
        published=published,
        others=others,
    )

    # Each file's key, hash and stat (None for a file about to be replaced: the cache fills it
    # in once published). The plan's pages and jobs are dropped first (`scofeed watch` keeps
    # them in its `Plan`): the end of a big build is its peak, and they were 90 MB of it at
    # 100,000 posts.
    records = with_stats(made, publication.paths, config.output_dir)
    del jobs, statics
    kept_site = site if on_plan is not None else None
    del site

    # The cache is written before anything is published, so a full disk or a cache folder
    # that cannot be written stops the build with the output as it was; after publishing it
    # is only renamed into place.
    try:
        # WebSub: the feeds about to change are noted before they are public, so a build
        # killed from here on loses no announcement (the command sends them after the build).
        if config.websub_hubs:
            from scofeed.publish import websub

            warnings += websub.record_for_build(config, [p for p, _ in publication.staged])
        staged = cache.stage(records, last)
    except BaseException:
        publication.discard()
        raise
    try:
        report = publication.commit(stale)
    except BaseException:
        staged.discard()
        raise
    staged.commit()
    staging_ended(config.cache_dir)
    checkpoint("saved")
    cache.refresh(config.output_dir)
    if on_plan is not None:
        assert kept_site is not None
        on_plan(
            Plan(
                now, scanned, posts, published_posts, specs, kept_site, refs, templates,
                gazetteer, cache,
            )
        )  # fmt: skip
    skipped = [w for w in warnings if w.message.startswith(NOT_A_POST)]
    if skipped and published < before:
        why = (
            f"the feeds now hold {published} post{'' if published == 1 else 's'}, "
            f"{before - published} fewer than the last build's, and {len(skipped)} "
            f"file{' was' if len(skipped) == 1 else 's were'} passed over as no post "
            "(listed above); if they are posts, give them a post's extension"
        )
        warnings.append(Problem(shown(config.posts_dir, config.root), None, why, warning=True))
    return BuildReport(
        posts=len(posts),
        published=published,
        feeds=tuple(specs),
        written=report.written,
        unchanged=tuple(sorted((*kept, *report.unchanged))),
        removed=report.removed,
        seconds=time.perf_counter() - started,
        warnings=tuple(warnings),
    )


def _pages(planned: SitePages | list[Problem]) -> SitePages:
    """The site's pages, or the build refused with the clashes `plan_pages` found. (One name
    for the plan: a second one, kept after `del site`, held every page through the cache's
    writing.)"""
    if isinstance(planned, list):
        raise unreadable(planned)
    return planned


def _make(
    jobs: list[Job],
    specs: list[FeedSpec],
    site: SitePages,
    statics: list[StaticFile],
    config: Config,
    cache: BuildCache,
    refs: Refs,
    publication: Publication,
    progress: Progress | None,
    unmoved: Unmoved | None,
    as_is: dict[str, FileRecord] | None = None,
) -> tuple[dict[str, FileRecord], list[str]]:
    """Render and stage every file whose inputs or published bytes changed; raise
    `InputError` when a feed fails its check. Returns each file's record (what it was made
    from, its hash, and its stat when found as written) and the paths kept as they were.
    `as_is`: the records of every file `jobs` and `statics` leave out (`kept_as_written`)."""
    from scofeed.publish.rendering import Entries, render_all
    from scofeed.site.pages import site_files

    entries = Entries(config, cache, refs)
    kept: list[str] = list(as_is or ())
    made: dict[str, FileRecord] = as_is if as_is is not None else {}
    findings: list[Problem] = []

    folder = os.path.join(config.output_dir, "")

    def unchanged(path: str, key: str) -> bool:
        before = cache.files.get(path)
        if before is None or before[0] != key:
            return False
        record = as_written(folder, path, before)
        if record is None:
            return False
        kept.append(path)  # same inputs, same published bytes: nothing to do
        made[path] = record
        return True

    def add(path: str, key: str, data: bytes) -> None:
        publication.add(path, data)
        made[path] = (key, hashlib.sha256(data).hexdigest(), None)

    todo = [job for job in jobs if not unchanged(job.path, job.key)]
    total = len(kept) + len(todo)
    # Closed on the way out, whatever happens: its workers are then done staging files.
    with contextlib.closing(render_all(todo, config, entries, publication)) as rendered:
        for done, (job, (staged, sha, problems)) in enumerate(zip(todo, rendered, strict=True), 1):
            findings.extend(problems)
            publication.adopt(staged)
            made[job.path] = (job.key, sha, None)
            publication.checkpoint(f"rendered {done}")
            if progress is not None:
                progress("feeds", len(kept) + done, total)
    # The site's own files (sitemap, OPML, embed script, 404 page, redirects): cheap, so made
    # on every build that changed anything (publish leaves a file whose bytes are the same).
    # After edits that moved no post (`unmoved`) none of them can have changed: kept as they
    # are, unless one is gone or was changed by hand.
    start = len(kept)
    ours = [p for p, record in unmoved.keys.items() if record[0] == "site"] if unmoved else []
    if as_is is None and not (ours and all(unchanged(path, "site") for path in ours)):
        del kept[start:]  # those `unchanged` took before one was found changed
        for path, data in site_files(specs, site, config).items():
            add(path, "site", data)
    for static in statics:
        if unchanged(static.path, static.key):
            continue
        try:
            data = static.source.read_bytes()
        except OSError as exc:
            raise InputError("a static file cannot be read; nothing was published", [
                Problem(str(static.source), None, f"cannot be read: {exc.strerror or exc}")
            ]) from None  # fmt: skip
        add(static.path, static.key, data)
    if findings:
        feeds_ = len({p.path for p in findings})
        raise InputError(
            f"{feeds_} feed{'' if feeds_ == 1 else 's'} would be invalid; nothing was published",
            findings,
        )
    return made, kept
