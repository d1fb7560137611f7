"""The site kept in memory between builds: `scofeed watch`'s state.

A `Session` runs `scofeed build`'s own `build()` when it must (at start, after a post is added,
removed or renamed, a template, a static file or the configuration changed, a scheduled post
came due) and keeps the `Plan` that build published from. After an edit that moves nothing (the
same date, address, countries, tags, draft state: only the text, the title, the summary and
such changed) it re-reads that file alone, puts the new post in the place of the old one in the
kept feeds and pages, and renders, checks and publishes only the files that show it: the
post's page, its neighbours', the listing pages and the feeds and archive documents it is in.
Those are exactly the files whose cache key holds the post (`Job.posts`), so the bytes are
the ones a batch build would write; the tests compare the two after a series of edits.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from scofeed.errors import InputError, Problem, split_warnings
from scofeed.posts.files import FileStat, file_stat, file_version, read_bytes
from scofeed.posts.post import Post, parse_post, place
from scofeed.posts.slugs import slug_from_filename
from scofeed.posts.store import file_date, post_markup, shown_prefix, unreadable
from scofeed.publish.build import Plan, build
from scofeed.publish.lock import build_lock
from scofeed.publish.output import Publication

if TYPE_CHECKING:
    from scofeed.config import Config
    from scofeed.posts.files import PostFile
    from scofeed.publish.rendering import Entries, Job
    from scofeed.site.archive import Listed, Page
    from scofeed.site.plan import FeedSpec


@dataclass(frozen=True)
class Outcome:
    """One rebuild: `why` (what changed), the files written and removed, `full` (a whole
    build) and the time from the start of the rebuild to the files on disk."""

    why: str
    written: tuple[str, ...]
    removed: tuple[str, ...]
    full: bool
    seconds: float
    warnings: tuple[Problem, ...] = ()


@dataclass
class _Kept:
    """A published plan, with indexes from a post's path to the feeds and pages holding it."""

    plan: Plan
    config: Config
    entries: Entries
    files: dict[str, PostFile]  # the post files the build read, by key below posts/
    raw: dict[str, Post]  # by key: the posts as read
    shown: dict[str, Post]  # by path: as published (link-keyed, enclosures measured)
    specs: list[FeedSpec]
    pages: list[Page]
    # by path: (feed index, among its newest entries rather than in an archive document)
    in_specs: dict[str, list[tuple[int, bool]]] = field(default_factory=dict)
    in_pages: dict[str, list[int]] = field(default_factory=dict)
    until: datetime | None = None  # when the next scheduled post comes due (or goes)


class Session:
    """`full()` builds and keeps the plan; `edited(keys)` republishes what edits touched."""

    def __init__(self, load: Callable[[], Config], clock: Callable[[], datetime]) -> None:
        self.load = load  # reads scofeed.toml again (after it changed)
        self.clock = clock
        self.config = load()
        self.kept: _Kept | None = None  # None: the last full build failed; the next must run
        self.broken: dict[str, list[Problem]] = {}  # post keys whose last save did not read

    def files(self) -> dict[str, PostFile] | None:
        return self.kept.files if self.kept is not None else None

    def full(self, why: str) -> Outcome:
        """A whole build, as `scofeed build` makes it; raises what it raises (the output then
        stays as it was, and the next change runs a full build again)."""
        started = time.perf_counter()
        gc.unfreeze()  # the last plan's objects may be collected again
        self.kept = None
        self.broken.clear()
        self.config = self.load()
        kept: list[Plan] = []
        report = build(self.config, now=self.clock(), on_plan=kept.append)
        self.kept = _keep(kept[0], self.config)
        # The kept site is hundreds of thousands of objects that live until the next full
        # build: out of the collector's sight, a collection during an edit does not walk them.
        gc.freeze()
        return Outcome(
            why, report.written, report.removed, True, time.perf_counter() - started,
            report.warnings,
        )  # fmt: skip

    def due(self) -> bool:
        """A scheduled post has come due (or expired) since the plan was made."""
        kept = self.kept
        return kept is None or (kept.until is not None and self.clock() >= kept.until)

    def edited(self, keys: Iterable[str]) -> Outcome | None:
        """Republish the posts `keys` (files the last build read, changed since); None when
        the edit moves a post (a full build must run). Raises `InputError` for a file that does
        not read (the output keeps its last good version)."""
        started = time.perf_counter()
        kept = self.kept
        assert kept is not None
        config, warnings = kept.config, []
        new: dict[str, Post] = {}
        problems: list[Problem] = []
        stats: dict[str, PostFile] = {}
        for key in sorted(keys):
            stats[key] = _stat(kept, key)  # before reading: a later save is a later change
            read = _read(stats[key], kept, config)
            if isinstance(read, list):
                problems.extend(read)
                self.broken[key] = read
                continue
            self.broken.pop(key, None)
            old = kept.raw[key]
            read = replace(read, id_name=old.id_name)  # the store's, from the other posts
            if place(read) != place(old):
                return None
            if read != old or read.digest != old.digest:
                new[key] = read
            warnings += [Problem(read.path, line, why, warning=True) for line, why in read.warnings]
        if problems:
            raise unreadable(sorted(problems))
        written = self._publish(kept, new, warnings) if new else ()
        kept.raw.update(new)  # only now: a failed check keeps the last good plan
        kept.files.update(stats)
        shown = ", ".join(kept.raw[k].path for k in sorted(keys))
        return Outcome(shown, written, (), False, time.perf_counter() - started, tuple(warnings))

    def _publish(
        self, kept: _Kept, new: dict[str, Post], warnings: list[Problem]
    ) -> tuple[str, ...]:
        from scofeed.publish.rendering import document_jobs, page_jobs, render_all
        from scofeed.publish.static import measured

        config, plan = kept.config, kept.plan
        swaps: dict[int, Post] = {}  # id(old post as published) -> the new one
        for post in new.values():
            before = kept.shown.get(post.path)
            if before is None:
                continue  # a draft, or not yet due: in no file
            (after,) = plan.refs.keyed([post], warnings)
            measured_, problems = measured([after], config)
            if problems:
                raise InputError("an enclosure cannot be published; nothing was", problems)
            swaps[id(before)] = measured_[0]
        if not swaps:
            return ()
        # A post among a feed's newest entries (the usual edit) is in no archive document:
        # the thousands of older entries are then neither swapped nor cut into documents.
        held = [where for p in new.values() for where in kept.in_specs.get(p.path, ())]
        archived = {i for i, recent in held if not recent}
        specs = {i: _swap_spec(kept.specs[i], swaps, i in archived) for i, _ in held}
        pages = {i: _swap_page(kept.pages[i], swaps) for p in new.values()
                 for i in kept.in_pages.get(p.path, ())}  # fmt: skip
        fresh = {id(post) for post in swaps.values()}
        jobs: list[Job] = []
        for i, spec in specs.items():
            edited = spec.documents_with(lambda post: id(post) in fresh, archives=i in archived)
            for document in edited:
                jobs += document_jobs(document)
        jobs += page_jobs(pages.values(), plan.templates)
        for post in new.values():
            kept.entries.memo.pop(post.path, None)
        # Its staging marker is left in place: the next build walks the output for what a
        # killed edit staged (a watch never removes it, which might hide the leftovers of a
        # build killed meanwhile).
        publication = Publication(config.output_dir, cache_dir=config.cache_dir)
        findings: list[Problem] = []
        try:
            with contextlib.closing(render_all(jobs, config, kept.entries, publication)) as made:
                for staged, _, found in made:
                    findings += found
                    publication.adopt(staged)
            if findings:
                raise InputError(f"{len({p.path for p in findings})} feed(s) would be invalid; "
                                 "nothing was published", findings)  # fmt: skip
            if config.websub_hubs:  # noted before the files go public, as a build notes them
                from scofeed.publish import websub

                websub.record_for_build(config, [path for path, _ in publication.staged])
            with build_lock(config.cache_dir):  # never beside a `scofeed build` from cron
                report = publication.commit()
        except BaseException:
            publication.discard()
            raise
        for i, spec in specs.items():
            kept.specs[i] = spec
        for i, page in pages.items():
            kept.pages[i] = page
        for post in swaps.values():
            kept.shown[post.path] = post
        return report.written


def _swap_spec(spec: FeedSpec, swaps: dict[int, Post], older: bool) -> FeedSpec:
    entries = tuple(swaps.get(id(p), p) for p in spec.entries)
    if not older:
        return replace(spec, entries=entries)
    return replace(spec, entries=entries, older=tuple(swaps.get(id(p), p) for p in spec.older))


def _swap_page(page: Page, swaps: dict[int, Post]) -> Page:
    from scofeed.site.archive import ListPage, PostPage, Redirect

    def item(listed: Listed) -> Listed:
        new = swaps.get(id(listed.post))
        return listed if new is None else replace(listed, post=new)

    if isinstance(page, PostPage):
        near = (swaps.get(id(page.newer), page.newer), swaps.get(id(page.older), page.older))
        return replace(page, item=item(page.item), newer=near[0], older=near[1])
    if isinstance(page, ListPage):
        return replace(page, items=tuple(item(listed) for listed in page.items))
    if isinstance(page, Redirect):
        return replace(page, post=swaps.get(id(page.post), page.post))
    return page


def _keep(plan: Plan, config: Config) -> _Kept:
    """Index the plan: which feeds and pages hold each published post."""
    from scofeed.publish.rendering import Entries
    from scofeed.site.archive import ListPage, PostPage, Redirect

    files = {key: (key, real, stat) for key, real, stat in plan.scanned}
    prefix = shown_prefix(config.posts_dir, config.root)
    raw = {post.path.removeprefix(prefix): post for post in plan.posts}
    kept = _Kept(
        plan, config, Entries(config, plan.cache, plan.refs), files, raw,
        {post.path: post for post in plan.published}, list(plan.specs), list(plan.site.pages),
    )  # fmt: skip
    for i, spec in enumerate(kept.specs):
        for post in spec.entries:
            kept.in_specs.setdefault(post.path, []).append((i, True))
        for post in spec.older:
            kept.in_specs.setdefault(post.path, []).append((i, False))
    for i, page in enumerate(kept.pages):
        held: list[Post | None]
        if isinstance(page, PostPage):
            held = [page.item.post, page.newer, page.older]
        elif isinstance(page, ListPage):
            held = [listed.post for listed in page.items]
        elif isinstance(page, Redirect):
            held = [page.post]
        else:
            continue
        for path in {post.path for post in held if post is not None}:
            kept.in_pages.setdefault(path, []).append(i)
    later = [when for post in plan.posts for when in post.changes() if when > plan.now]
    kept.until = min(later, default=None)
    return kept


def _stat(kept: _Kept, key: str) -> PostFile:
    _, real, _ = kept.files[key]
    try:
        return (key, real, file_stat(os.stat(real)))
    except OSError as exc:
        return (key, real, f"cannot be read: {exc.strerror or exc}")


def _read(file: PostFile, kept: _Kept, config: Config) -> Post | list[Problem]:
    """The post `file` read again, as the store reads it (`load_posts`)."""
    key, real, stat = file
    prefix = shown_prefix(config.posts_dir, config.root)
    shown = prefix + key
    if isinstance(stat, str):
        return [Problem(shown, None, stat)]
    problems: list[Problem] = []
    data = read_bytes(real, stat.st_size, shown, problems)
    if data is None:
        return problems
    parsed = parse_post(
        data, shown, slug=slug_from_filename(key), tz=config.tzinfo,
        detect=kept.plan.gazetteer.detect, keep_body=False, source=real,
        digest=hashlib.sha256(data).hexdigest(), markup=post_markup(key) or "markdown",
        file_date=file_date(key),
    )  # fmt: skip
    if isinstance(parsed, list):
        return split_warnings(parsed)[0] or parsed
    return parsed


def version(stat: os.stat_result | FileStat | str) -> object:
    """What tells one version of a post file from another (a string: it could not be read)."""
    return stat if isinstance(stat, str) else file_version(stat)
