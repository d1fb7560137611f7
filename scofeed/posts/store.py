"""The post store: every post file below `posts/`, read into `Post` values.

`load_posts` reads a whole store and returns every post it could read and a `Problem` for every
one it could not, so one run reports them all. Unchanged files come from the build cache, and a
store with many changed files is parsed on every core.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, date, tzinfo
from pathlib import Path
from typing import Any, Protocol

from scofeed.errors import ConfigError, InputError, Problem, split_warnings
from scofeed.infra.parallel import fork_map
from scofeed.posts.files import FileStat, PostFile, read_bytes, walk_files
from scofeed.posts.post import Detect, Post, parse_post, post_of
from scofeed.posts.slugs import (
    BUNDLE_STEM,
    DATED_NAME,
    HTML_SUFFIXES,
    POST_SUFFIXES,
    SECTION_STEM,
    post_stem,
    slug_from_filename,
)


def _walk(posts_dir: Path) -> list[PostFile]:
    # Every file, not only posts: one that is no post is reported, never silently passed over
    # (a `.markdown` post skipped once published empty feeds over full ones).
    return walk_files(posts_dir, None, "the posts folder", skip_hidden=True)


NOT_A_POST = "is not a post"


def bundle_folders(files: list[PostFile]) -> set[str]:
    """Hugo's page bundles: the folders whose post is their index file (`trip/index.md`)."""
    return {
        key.rpartition("/")[0]
        for key, _, _ in files
        if "/" in key
        and key.rpartition("/")[2].rpartition(".")[0] == BUNDLE_STEM
        and post_markup(key)
    }


def bundle_of(key: str, bundles: set[str]) -> str | None:
    """The bundle folder a file lies in, at any depth (`trip/images/a.jpg`), or None."""
    folder = key.rpartition("/")[0]
    while folder:
        if folder in bundles:
            return folder
        folder = folder.rpartition("/")[0]
    return None


def post_markup(key: str) -> str | None:
    """ "markdown" or "html" for a post file; "" for a Hugo section file (`_index.md`, a list
    page, no post); None for a file that is no post."""
    name = key.rpartition("/")[2]
    stem, dot, suffix = name.rpartition(".")
    suffix = dot + suffix.lower()
    if suffix not in POST_SUFFIXES or not stem:
        return None
    if stem == SECTION_STEM:
        return ""
    return "html" if suffix in HTML_SUFFIXES else "markdown"


def file_date(key: str) -> date | None:
    """The date a post file's name (or its bundle folder's) begins with, as Jekyll reads it."""
    match = DATED_NAME.match(post_stem(key))
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


class PostCache(Protocol):
    """What `load_posts` needs of a cache of parsed posts (see scofeed.publish.cache)."""

    def unchanged(self, files: list[PostFile], prefix: str) -> dict[str, Post]: ...

    def knows(self, key: str) -> bool: ...

    def get_by_digest(self, key: str, digest: str, path: str, source: str) -> Post | None: ...

    def put(self, key: str, stat: FileStat, post: Post) -> None: ...


def scan_posts(posts_dir: Path) -> list[PostFile]:
    """Every post file with its stat (cheap: no file is read), sorted by key. Raises
    `ConfigError` when `posts_dir` is no folder: that is no bad post, but nothing to read."""
    if not posts_dir.is_dir():
        raise ConfigError(f"{posts_dir}: no such folder; create it, or pass --posts DIR")
    return _walk(posts_dir)


def load_posts(
    posts_dir: Path,
    *,
    tz: tzinfo,
    detect: Detect | None = None,
    shown_from: Path | None = None,
    cache: PostCache | None = None,
    progress: Callable[[int, int], None] | None = None,
    scanned: list[PostFile] | None = None,
) -> tuple[list[Post], list[Problem]]:
    """Read every post below `posts_dir`; return the posts (bodies dropped, countries detected
    when `detect` is given) and the problems, each sorted. Unchanged files come from `cache`.
    Raises `ConfigError` when `posts_dir` is no folder."""
    posts: list[Post] = []
    problems: list[Problem] = []
    files = scan_posts(posts_dir) if scanned is None else scanned
    prefix = shown_prefix(posts_dir, shown_from)
    found: list[Post | None] = []  # in key order, whatever order the parsing finishes in
    jobs: list[_Job] = []
    stats: list[tuple[int, str, FileStat]] = []
    markups: dict[str, str] = {}
    post_files: list[PostFile] = []
    bundles = bundle_folders(files)
    for key, real, stat in files:
        markup = post_markup(key)
        if key.endswith("/"):  # a folder refused (too deep, linked from outside)
            problems.append(Problem(prefix + key, None, str(stat)))
        elif markup:
            markups[key] = markup
            post_files.append((key, real, stat))
        elif markup is None and bundle_of(key, bundles) is not None:
            pass  # a page bundle's resource: published beside its post's page
        elif markup is None:
            why = (
                f"{NOT_A_POST}, so it is in no feed: posts end in {', '.join(POST_SUFFIXES)}; "
                "rename it, or move it out of the posts folder"
            )
            problems.append(Problem(prefix + key, None, why, warning=True))
    files = post_files
    hits = cache.unchanged(files, prefix) if cache is not None else {}
    for done, (key, real, stat) in enumerate(files, 1):
        if progress is not None and (done % 256 == 0 or done == len(files)):
            progress(done, len(files))
        shown = prefix + key
        if isinstance(stat, str):
            problems.append(Problem(shown, None, stat))
            continue
        cached = hits.get(key)
        if cached is None and cache is not None and cache.knows(key):
            # Touched but perhaps not changed (a checkout, a copy): the content hash decides.
            data = read_bytes(real, stat.st_size, shown, problems)
            if data is None:
                continue
            cached = cache.get_by_digest(key, hashlib.sha256(data).hexdigest(), shown, real)
            if cached is not None:
                cache.put(key, stat, cached)
        if cached is None:
            jobs.append(
                (real, shown, slug_from_filename(key), stat.st_size, markups[key], file_date(key))
            )
            stats.append((len(found), key, stat))
        found.append(cached)
    for (index, key, stat), parsed in zip(stats, _parse_all(jobs, tz, detect), strict=True):
        if isinstance(parsed, Post):
            found[index] = parsed
            if cache is not None:
                cache.put(key, stat, parsed)
        else:
            problems.extend(parsed)
    posts = [post for post in found if post is not None]
    problems.extend(_duplicates(posts))
    for post in posts:
        problems.extend(Problem(post.path, line, why, warning=True) for line, why in post.warnings)
    return _named_apart(posts), sorted(problems)


# A post file to parse: its real path, its name in messages, its slug, its size, its markup
# and the date its name gives.
_Job = tuple[str, str, str, int, str, date | None]
# Below this many posts to parse, starting worker processes costs more than it saves.
_PARALLEL_FROM = 1000
# Posts per task given to a worker: small, so results stream back instead of piling up.
_CHUNK = 500


def _parse_all(jobs: list[_Job], tz: tzinfo, detect: Detect | None) -> list[Post | list[Problem]]:
    """Parse posts, on every core when there are many (a clean build of a big store). The
    workers read the files themselves: the parent never holds every post's bytes at once."""
    if len(jobs) < _PARALLEL_FROM:
        return _parse_chunk(jobs, tz, detect)
    chunks = [jobs[i : i + _CHUNK] for i in range(0, len(jobs), _CHUNK)]
    pool: dict[object, object] = {}
    return [
        post_of(_shared(parsed, job[0], pool)) if isinstance(parsed, tuple) else parsed
        for chunk, part in zip(
            chunks, fork_map(_parse_chunk_flat, chunks, shared=(tz, detect)), strict=True
        )
        for job, parsed in zip(chunk, part, strict=True)
    ]


# Fields many posts have alike (an author, a set of tags, the countries named): each post
# parsed in a worker comes back with its own copies; one shared value for them all saves some
# 300 bytes a post (30 MB at 100,000 posts; the posts cache then keeps them shared too). Its
# real path is the one the scan holds.
_SHARED = tuple(
    Post.__slots__.index(name)
    for name in ("author", "countries", "tags", "categories", "mentions", "markup")
)
_SOURCE = Post.__slots__.index("source")


def _shared(fields: tuple[Any, ...], real: str, pool: dict[object, object]) -> tuple[Any, ...]:
    listed = list(fields)
    for i in _SHARED:
        value = listed[i]
        if value is not None:
            listed[i] = pool.setdefault(value, value)
    if listed[_SOURCE] == real:
        listed[_SOURCE] = real
    return tuple(listed)


def _parse_chunk(jobs: list[_Job], tz: tzinfo, detect: Detect | None) -> list[Post | list[Problem]]:
    out: list[Post | list[Problem]] = []
    for real, shown, slug, size, markup, dated in jobs:
        problems: list[Problem] = []
        data = read_bytes(real, size, shown, problems)
        if data is None:
            out.append(problems)
            continue
        parsed = parse_post(
            data, shown, slug=slug, tz=tz, detect=detect, keep_body=False, source=real,
            markup=markup, file_date=dated,
        )  # fmt: skip
        out.append(parsed)
    return out


def _parse_chunk_flat(
    shared: tuple[tzinfo, Detect | None], jobs: list[_Job]
) -> list[tuple[Any, ...] | list[Problem]]:
    """`_parse_chunk` in a worker: posts travel back as tuples of their fields, which pickle
    several times faster than slotted dataclasses."""
    tz, detect = shared
    return [
        tuple(getattr(p, name) for name in Post.__slots__) if isinstance(p, Post) else p
        for p in _parse_chunk(jobs, tz, detect)
    ]


def shown_prefix(posts_dir: Path, base: Path | None) -> str:
    """How messages name the store: relative to `base` (the project root) when inside it."""
    full = os.path.abspath(posts_dir)
    if base is not None:
        rel = os.path.relpath(full, base)
        if not rel.startswith(".."):
            full = rel
    return "" if full == "." else full.rstrip(os.sep) + "/"


def _duplicates(posts: Iterable[Post]) -> list[Problem]:
    """Two posts with one id. (One slug on two dates is fine, as in Jekyll: the permalinks
    differ, and the site refuses two pages at one address by name.)"""
    problems = []
    seen_id: dict[str, Post] = {}
    for post in posts:
        if post.id is not None:
            first = seen_id.setdefault(post.id, post)
            if first is not post:
                why = f"id {post.id!r} is already used by {first.path}"
                problems.append(Problem(post.path, None, why))
    return problems


def _named_apart(posts: list[Post]) -> list[Post]:
    """Posts sharing a slug (Jekyll's `2014-01-01-news.md` and `2015-01-01-news.md`) get ids
    apart: the oldest keeps the slug's, each later one adds its day (`news/2015-01-01`), so
    adding a newer post never changes an id already published."""
    by_slug: dict[str, list[int]] = {}
    for i, post in enumerate(posts):
        if post.id is None:
            by_slug.setdefault(post.slug, []).append(i)
    for indexes in by_slug.values():
        if len(indexes) < 2:
            continue
        ordered = sorted(indexes, key=lambda i: (posts[i].date, posts[i].path))
        for n, i in enumerate(ordered[1:], 1):
            post = posts[i]
            name = f"{post.slug}/{post.date.date().isoformat()}"
            if any(posts[j].date.date() == post.date.date() for j in ordered[:n]):
                name += f"/{n}"  # two on one day: apart by their order of date and file name
            posts[i] = replace(post, id_name=name)
    return posts


def unreadable(problems: list[Problem]) -> InputError:
    """The error that stops a run over bad posts: how many files, then every problem."""
    files = len({p.path for p in problems})
    return InputError(f"{files} post file{'' if files == 1 else 's'} cannot be read", problems)


def slugs_in_use(posts_dir: Path, *, shown_from: Path | None = None) -> dict[str, str]:
    """Every slug the store's posts hold, with the file that holds it. A file that cannot be
    read holds the slug of its name: what it declares is unknown, and its file name is taken."""
    if not posts_dir.is_dir():
        return {}
    posts, problems = load_posts(posts_dir, tz=UTC, shown_from=shown_from)
    taken: dict[str, str] = {}
    for post in posts:
        taken.setdefault(post.slug, post.path)
    for problem in split_warnings(problems)[0]:
        taken.setdefault(slug_from_filename(problem.path.rpartition("/")[2]), problem.path)
    return taken
