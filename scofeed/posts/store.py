"""The post store: every post file below `posts/`, read into `Post` values.

`load_posts` reads a whole store and returns every post it could read and a `Problem` for every
one it could not, so one run reports them all. Unchanged files come from the build cache, and a
store with many changed files is parsed on every core.
"""

from __future__ import annotations

import hashlib
import os
from array import array
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, date, tzinfo
from pathlib import Path
from stat import S_ISREG
from typing import Any, Protocol

from scofeed.errors import ConfigError, InputError, Problem, split_warnings
from scofeed.infra.parallel import fork_map
from scofeed.posts.limits import MAX_POST_BYTES
from scofeed.posts.post import Detect, Post, parse_post
from scofeed.posts.slugs import (
    DATED_NAME,
    HTML_SUFFIXES,
    POST_SUFFIXES,
    SECTION_STEM,
    post_stem,
    slug_from_filename,
)

# One post file as the store found it: its key (path below the store), real path, and its
# stat result, or the reason it cannot be used.
PostFile = tuple[str, str, os.stat_result | str]


# Folders inside folders: more is a mistake (or an attack), and paths would outgrow the system.
MAX_FOLDER_DEPTH = 64


def _walk(posts_dir: Path) -> list[PostFile]:
    # Every file, not only posts: one that is no post is reported, never silently passed over
    # (a `.markdown` post skipped once published empty feeds over full ones).
    return walk_files(posts_dir, None, "the posts folder", skip_hidden=True)


NOT_A_POST = "is not a post"


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


def walk_files(
    posts_dir: Path, suffix: str | None, called: str, *, skip_hidden: bool = False
) -> list[PostFile]:
    """Every file below `posts_dir` named `*suffix` (any name when None; none starting with
    "." when `skip_hidden`) with its stat, sorted by key (no file is read).

    Folders linked from inside are followed once (a link loop ends there); a link that leads
    out of the store, a folder that cannot be read and anything that is no regular file (a
    FIFO, a device) is reported under its name, never followed, read or waited on.
    """
    root = os.path.realpath(posts_dir)
    found: list[tuple[tuple[str, ...], PostFile]] = []
    seen: set[str] = set()
    todo: list[tuple[str, tuple[str, ...]]] = [(os.fspath(posts_dir), ())]

    def refuse(parts: tuple[str, ...], real: str, why: str) -> None:
        found.append((parts, ("/".join(parts), real, why)))

    while todo:
        folder, parts = todo.pop()
        real_folder = os.path.realpath(folder)
        if real_folder in seen:
            continue
        seen.add(real_folder)
        if len(parts) > MAX_FOLDER_DEPTH:
            refuse((*parts[:-1], parts[-1] + "/"), real_folder,
                   f"folders nest over {MAX_FOLDER_DEPTH} deep here; flatten them")  # fmt: skip
            continue
        try:
            with os.scandir(folder) as scan:
                entries = list(scan)
        except OSError as exc:
            shown = (*parts[:-1], parts[-1] + "/") if parts else ("./",)
            refuse(shown, real_folder, f"cannot be read: {exc.strerror or exc}")
            continue
        for entry in entries:
            if skip_hidden and entry.name.startswith("."):
                continue
            path = (*parts, entry.name)
            real = os.path.realpath(entry.path) if entry.is_symlink() else entry.path
            try:
                is_dir = entry.is_dir()
            except OSError as exc:  # a link loop: a post by its name, or nothing at all
                if suffix is None or entry.name.endswith(suffix):
                    refuse(path, real, f"cannot be read: {exc.strerror or exc}")
                continue
            if is_dir:
                if real != root and not real.startswith(root + os.sep):
                    refuse((*parts, entry.name + "/"), real,
                           f"links to {real}, outside {called}; copy it in")  # fmt: skip
                else:
                    todo.append((entry.path, path))
                continue
            if suffix is not None and not entry.name.endswith(suffix):
                continue
            stat: os.stat_result | str
            if not real.startswith(root + os.sep):
                stat = f"links to {real}, outside {called}; copy it in"
            else:
                try:
                    stat = entry.stat()
                except OSError as exc:
                    stat = f"cannot be read: {exc.strerror or exc}"
                else:
                    if not S_ISREG(stat.st_mode):
                        stat = "is no regular file (a FIFO, a device or a socket); remove it"
            found.append((path, ("/".join(path), real, stat)))
    found.sort(key=lambda item: item[0])
    return [post_file for _, post_file in found]


class PostCache(Protocol):
    """What `load_posts` needs of a cache of parsed posts (see scofeed.publish.cache)."""

    def unchanged(self, files: list[PostFile], prefix: str) -> dict[str, Post]: ...

    def knows(self, key: str) -> bool: ...

    def get_by_digest(self, key: str, digest: str, path: str, source: str) -> Post | None: ...

    def put(self, key: str, stat: os.stat_result, post: Post) -> None: ...


def scan_posts(posts_dir: Path) -> list[PostFile]:
    """Every post file with its stat (cheap: no file is read), sorted by key. Raises
    `ConfigError` when `posts_dir` is no folder: that is no bad post, but nothing to read."""
    if not posts_dir.is_dir():
        raise ConfigError(f"{posts_dir}: no such folder; create it, or pass --posts DIR")
    return _walk(posts_dir)


def file_version(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What tells one version of a post file from another without reading it: size,
    modification time, inode (an editor that saves by renaming gives a new one) and change
    time, which every write moves and nobody can set back (`rsync -t` and `touch -d` restore
    the modification time of an edited file, never its change time)."""
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)


def scan_signature(scanned: list[PostFile]) -> str:
    """Changes when any post file is added, removed, moved or touched. (The numbers go in as
    one array: this runs on every no-op build, and formatting them as text took twice as long.)"""
    numbers: list[int] = []
    add = numbers.extend
    unusable: list[tuple[str, str]] = []
    for key, _, stat in scanned:
        if isinstance(stat, str):
            unusable.append((key, stat))
        else:
            add(file_version(stat))
    digest = hashlib.sha256("\0".join(key for key, _, _ in scanned).encode())
    digest.update(array("q", numbers).tobytes())
    digest.update(repr(unusable).encode())
    return digest.hexdigest()


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
    prefix = _shown_prefix(posts_dir, shown_from)
    found: list[Post | None] = []  # in key order, whatever order the parsing finishes in
    jobs: list[_Job] = []
    stats: list[tuple[int, str, os.stat_result]] = []
    markups: dict[str, str] = {}
    post_files: list[PostFile] = []
    bundles = {  # Hugo's page bundles: folders whose post is their index file
        key.rpartition("/")[0] for key, _, _ in files if "/index." in key and post_markup(key)
    }
    for key, real, stat in files:
        markup = post_markup(key)
        if key.endswith("/"):  # a folder refused (too deep, linked from outside)
            problems.append(Problem(prefix + key, None, str(stat)))
        elif markup:
            markups[key] = markup
            post_files.append((key, real, stat))
        elif markup is None and key.rpartition("/")[0] in bundles:
            why = (
                "is a resource of a page bundle, which scofeed does not publish; move it to "
                "static/ and link it from there (see README, Moving from Hugo)"
            )
            problems.append(Problem(prefix + key, None, f"{NOT_A_POST}: it {why}", warning=True))
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
            data = _read_bytes(real, stat.st_size, shown, problems)
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
    return [
        Post(*parsed) if isinstance(parsed, tuple) else parsed
        for part in fork_map(_parse_chunk_flat, chunks, shared=(tz, detect))
        for parsed in part
    ]


def _parse_chunk(jobs: list[_Job], tz: tzinfo, detect: Detect | None) -> list[Post | list[Problem]]:
    out: list[Post | list[Problem]] = []
    for real, shown, slug, size, markup, dated in jobs:
        problems: list[Problem] = []
        data = _read_bytes(real, size, shown, problems)
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


def shown(path: Path, base: Path) -> str:
    """How messages name a file: relative to `base` (where the command runs) when inside it."""
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


def _shown_prefix(posts_dir: Path, base: Path | None) -> str:
    """How messages name the store: relative to `base` (the project root) when inside it."""
    full = os.path.abspath(posts_dir)
    if base is not None:
        rel = os.path.relpath(full, base)
        if not rel.startswith(".."):
            full = rel
    return "" if full == "." else full.rstrip(os.sep) + "/"


def _read_bytes(path: str, size: int, shown: str, problems: list[Problem]) -> bytes | None:
    if size > MAX_POST_BYTES:
        problems.append(
            Problem(
                shown,
                None,
                f"is {size / 1e6:.1f} MB, over the {MAX_POST_BYTES // 2**20} MiB a post "
                "may have; split it or link to the material instead",
            )
        )
        return None
    try:
        # Non-blocking: a file that became a FIFO since the scan is refused, not waited on.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            stat = os.fstat(fd)
            if not S_ISREG(stat.st_mode):
                why = "is no regular file (a FIFO, a device or a socket); remove it"
                problems.append(Problem(shown, None, why))
                return None
            # Asked for by its size (one byte more, to see it grew): asking for the cap would
            # make Python allocate 4 MiB for every post, a third of a clean build's time.
            data = _read_up_to(fd, min(stat.st_size, MAX_POST_BYTES) + 1, MAX_POST_BYTES + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        problems.append(Problem(shown, None, f"cannot be read: {exc.strerror or exc}"))
        return None
    if len(data) > MAX_POST_BYTES:  # it grew since the scan
        return _read_bytes(path, len(data), shown, problems)
    return data


def _read_up_to(fd: int, first: int, cap: int) -> bytes:
    """The file's bytes, reading `first` at once and then on to `cap` at most."""
    chunks = [os.read(fd, first)]
    total = len(chunks[0])
    if total < first:
        return chunks[0]  # the end of a regular file: no second read needed
    while chunks[-1] and total < cap:
        chunks.append(os.read(fd, min(cap - total, 1 << 16)))
        total += len(chunks[-1])
    return b"".join(chunks)


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
