"""The build cache under `cache_dir`: parsed posts, rendered entries, and what each file was
built from. Deleting it at any time changes no result, only how long the next build takes.

Everything is keyed so that a stale entry can never be used: the whole cache by `cache_key`
(scofeed's own code, the versions of the libraries that shape output, the configuration, the
gazetteer and the cache's format); a post by its file's size, modification time and inode, then
by its content hash; a rendered entry by content hash and permalink; a file by a hash of
everything that goes into it. A cache that does not match (other code, another shape, a torn or
planted file) is dropped whole: the build is then a clean one, never a crash or a mix.
"""

from __future__ import annotations

import datetime as _dt
import errno
import hashlib
import os
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scofeed.errors import OutputError
from scofeed.infra.atomic import write_atomic
from scofeed.posts.files import FileStat, packed_version
from scofeed.posts.post import Post
from scofeed.publish.cache_entries import StoredEntries, stage_entries
from scofeed.publish.cache_files import (
    FORMAT,
    Corrupt,
    Staged,
    Streamed,
    pickled,
    read,
    shaped,
)
from scofeed.publish.cache_records import (
    DIGEST,
    RECORD_FIELDS,
    FileRecord,
    Record,
    Shared,
    StatKey,
    as_post,
    as_record,
    file_records,
    stat_key_of,
)
from scofeed.publish.spill import Spill

if TYPE_CHECKING:
    from collections.abc import Iterable
    from collections.abc import Set as AbstractSet

    from scofeed.posts.files import PostFile

_BUILD_FILE = "build.pickle"
# Every file the last build published, one path a line: kept apart from the keyed files, so a
# build after an upgrade or a configuration change (which drops the cache) still removes the
# pages of posts deleted meanwhile.
_WRITTEN_FILE = "written.txt"
_POSTS_FILE = "posts.pickle"
# The distributions whose code shapes the output: parsing, rendering, sanitising, writing.
LIBRARIES = (
    "PyYAML", "python-dateutil", "pyromark", "nh3", "feedgen", "lxml", "Jinja2", "MarkupSafe",
)  # fmt: skip


@cache
def code_digest() -> str:
    """What scofeed is, as Python itself judges it: the path, size and modification time of
    every file of the installed package (code, templates, data). Python trusts a module's
    compiled bytecode on the same two numbers; any edit, copy, checkout or upgrade changes
    them, and with them the key of every earlier cache. (Hashing the files' bytes instead
    costs every no-op build 2 ms more; see PERFORMANCE.md.)"""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parts: list[str] = []
    for folder, folders, names in os.walk(package):
        folders[:] = sorted(f for f in folders if f != "__pycache__")
        for name in sorted(names):
            stat = os.stat(os.path.join(folder, name))
            parts.append(
                f"{os.path.relpath(folder, package)}/{name} {stat.st_size} {stat.st_mtime_ns}"
            )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@cache
def library_versions() -> tuple[tuple[str, str], ...]:
    """The installed version of each of `LIBRARIES`, read from the names of their `.dist-info`
    folders: importing `importlib.metadata` for it would cost every no-op build some 20 ms."""
    wanted = {_normal(name): name for name in LIBRARIES}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info") and "-" in name:
                project, _, version = name[: -len(".dist-info")].partition("-")
                found.setdefault(_normal(project), version)
    return tuple((wanted[key], found.get(key, "missing")) for key in sorted(wanted))


def _normal(project: str) -> str:
    return project.lower().replace("-", "_").replace(".", "_")


def cache_key(*parts: object) -> str:
    """What the whole cache is good for: this code, these libraries, the given `parts` (the
    configuration and the gazetteer)."""
    material = (FORMAT, RECORD_FIELDS, code_digest(), library_versions(), parts)
    return hashlib.sha256(repr(material).encode()).hexdigest()


@dataclass(frozen=True)
class LastBuild:
    """What the last successful build saw: while the post files are the same (`signature`)
    and the clock stays between two post dates (`since` <= now < `until`, so no scheduled post
    has come due), the same files follow, and a build only checks that they are still there."""

    signature: str
    since: _dt.datetime | None
    until: _dt.datetime | None
    posts: int
    published: int
    # The signature of the posts folder's files that are no posts (a page bundle's images, a
    # section's `_index.md`): while it holds, only the posts changed (`build._unmoved`).
    others: str = ""

    def still_holds(self, signature: str, now: _dt.datetime) -> bool:
        return (
            signature == self.signature
            and (self.since is None or self.since <= now)
            and (self.until is None or now < self.until)
        )

    def packed(self) -> tuple[object, ...]:
        when = [d.isoformat() if d is not None else None for d in (self.since, self.until)]
        return (self.signature, *when, self.posts, self.published, self.others)

    @classmethod
    def unpacked(cls, value: object) -> LastBuild:
        signature, since, until, posts, published, others = shaped(value, tuple, 6)
        parse = _dt.datetime.fromisoformat
        try:
            return cls(
                shaped(signature, str),
                parse(since) if since is not None else None,
                parse(until) if until is not None else None,
                shaped(posts, int),
                shaped(published, int),
                shaped(others, str),
            )
        except (TypeError, ValueError) as exc:
            raise Corrupt(exc) from exc


@dataclass
class BuildCache:
    """One build's view of the cache; `stage` writes back the posts this build read, the
    entries it used and those of the posts its subscription feeds show.

    Two files: `build.pickle` (small: the last build and its files) is all a no-op build reads;
    `posts.pickle` (parsed posts, and the index of the rendered entries in the file beside it,
    `cache_entries`) is read only when something changed.
    Each carries the cache key, so each is used only with the code and configuration that made it.
    """

    cache_dir: Path
    key: str
    files: dict[str, FileRecord] = field(default_factory=dict)  # by path below output/
    last: LastBuild | None = None
    _posts: dict[str, tuple[StatKey, Record]] | None = None
    _entries: StoredEntries | None = None
    _shared: Shared = field(default_factory=Shared)  # the values the posts' records share
    # The posts this build read, by key: the cached record, or the post read again (made a
    # record only as the cache is written: 40 MB less at 100,000 posts).
    _used_posts: dict[str, tuple[StatKey, Record | Post]] = field(default_factory=dict)
    _used_entries: set[str] = field(default_factory=set)
    _keep_digests: set[str] = field(default_factory=set)
    _spill: Spill | None = None  # the entries this build made, on disk (`publish.spill`)
    _written: AbstractSet[str] | None = None  # `written`, read when first asked for

    @classmethod
    def load(cls, cache_dir: Path, key: str) -> BuildCache:
        """The cache as the last build left it, or an empty one (missing, stale or corrupt)."""
        data = read(cache_dir / _BUILD_FILE, key)
        if data is None:
            return cls(cache_dir, key)
        try:
            files = file_records(data["files"])
            last = LastBuild.unpacked(data["last"]) if data["last"] is not None else None
        except (Corrupt, KeyError):
            return cls(cache_dir, key)
        return cls(cache_dir, key, files, last)

    @property
    def written(self) -> AbstractSet[str]:
        """What the last build published, whatever its key (code, configuration): the files a
        rebuild may have to remove. Read only by a rebuild: a no-op never needs it. When the
        records name the same files (the usual case) it is their keys, not a second set of
        140,000 paths (25 MB at 100,000 posts)."""
        if self._written is None:
            try:
                text = (self.cache_dir / _WRITTEN_FILE).read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
            lines = {line for line in text.split("\n") if line}
            self._written = self.files.keys() if lines == self.files.keys() else lines
        return self._written

    def _bulk(self) -> tuple[dict[str, Any], StoredEntries]:
        if self._posts is None or self._entries is None:
            data = read(self.cache_dir / _POSTS_FILE, self.key)
            try:
                posts = shaped(data["posts"], dict) if data else {}
                entries = StoredEntries.unpacked(self.cache_dir, data) if data else None
                shared = Shared.unpacked(data["shared"]) if data else Shared()
            except (Corrupt, KeyError):
                posts, entries, shared = {}, None, Shared()
            self._posts, self._entries = posts, entries or StoredEntries(self.cache_dir)
            self._shared = shared
        return self._posts, self._entries

    def _drop(self) -> None:
        """Forget a cache found corrupt half-way: the rest of the build runs as a clean one."""
        self._posts, self._entries, self._shared = {}, StoredEntries(self.cache_dir), Shared()
        self._used_posts.clear()
        self._used_entries.clear()

    # --- scofeed.posts.store.PostCache ----------------------------------------------------

    def unchanged(self, files: Iterable[PostFile], prefix: str) -> dict[str, Post]:
        """By key, the cached post of every file whose stat is as cached, shown as `prefix` +
        key. One call for the whole store: a rebuild asks about every post, and a call per post
        cost a rebuild of 100,000 posts a tenth of a second."""
        cached = self._bulk()[0]
        used, shared = self._used_posts, self._shared.values
        found = {}
        try:
            for key, real, stat in files:
                hit = cached.get(key)
                if hit is not None and not isinstance(stat, str) and hit[0] == packed_version(stat):
                    found[key] = as_post(hit[1], prefix + key, real, shared)
                    used[key] = hit
        except (TypeError, ValueError, IndexError):
            self._drop()
            return {}
        return found

    def knows(self, key: str) -> bool:
        return key in self._bulk()[0]

    def get_by_digest(self, key: str, digest: str, path: str, source: str) -> Post | None:
        hit = self._bulk()[0].get(key)
        try:
            if hit is None or hit[1][DIGEST] != digest:
                return None
            return as_post(hit[1], path, source, self._shared.values)
        except (TypeError, ValueError, IndexError):
            self._drop()
            return None

    def put(self, key: str, stat: FileStat, post: Post) -> None:
        self._used_posts[key] = (packed_version(stat), post)

    def read_again(self) -> list[tuple[Post, Post | None]]:
        """The posts this build read from their files (`put`), each with the version the
        cache held of it (None: a new post, or none to be had)."""
        cached = self._bulk()[0]
        found: list[tuple[Post, Post | None]] = []
        for key, (_, post) in self._used_posts.items():
            if isinstance(post, Post):
                hit = cached.get(key)
                try:
                    old = (
                        as_post(hit[1], post.path, post.source, self._shared.values)
                        if hit is not None
                        else None
                    )
                except (TypeError, ValueError, IndexError):
                    old = None
                found.append((post, old))
        return found

    # --- rendered entries -----------------------------------------------------------------

    def entry(self, digest: str, permalink: str) -> tuple[str, ...] | None:
        key = f"{digest} {permalink}"
        hit = self._spill.get(key) if self._spill is not None else None
        if hit is None:
            hit = self._bulk()[1].get(key)  # checked there: plain strings, or None
        if hit is None:
            return None
        self._used_entries.add(key)
        return hit

    def put_entry(self, digest: str, permalink: str, value: tuple[str, ...]) -> None:
        key = f"{digest} {permalink}"
        if self._spill is None:
            self._spill = Spill(self.cache_dir)
        self._spill.put(key, value)
        self._used_entries.add(key)

    def keep_entries_of(self, digests: Iterable[str]) -> None:
        """Keep the cached entries of the posts with these digests, used by this build or not."""
        self._keep_digests.update(digests)

    def stage(self, files: dict[str, FileRecord], last: LastBuild) -> Staged:
        """Write the cache's new files beside the old ones, to be put in place by
        `Staged.commit` once the build has published: a full disk or a folder that cannot be
        written stops the build here, before anything is published, with an `OutputError`.
        A build that changed nothing writes nothing (a no-op run from cron stays cheap)."""
        posts, old = self._bulk()
        # Kept: the entries this build used, and those of the posts in a subscription feed
        # (`keep_entries_of`). A one-post build renders a few files; keeping only their entries
        # made the next edit, of a post in other feeds, render those feeds' entries again (37
        # to 89 at 10,000 posts); keeping every entry (47 MB there) cost more to read and write
        # than that. An entry's key begins with its post's digest (sha256, 64 hex digits).
        used, keep, spill = self._used_entries, self._keep_digests, self._spill
        made = set(spill.keys()) if spill is not None else set()
        kept = [k for k in old.usable() if (k in used or k[:64] in keep) and k not in made]
        staged = Staged()
        try:
            if made or len(kept) != len(old) or self._used_posts != posts:
                name, index = old.name, old.index
                if made or len(kept) != len(old):
                    # Each entry is read (from the old file or the spill) only as it is written.
                    name, index = stage_entries(staged, old, sorted([*kept, *made]), spill)
                shared = self._shared
                records = Streamed(
                    (k, (v, as_record(p, shared) if isinstance(p, Post) else p))
                    for k, (v, p) in self._used_posts.items()
                )
                # The shared values last: the records add theirs as they are written.
                data = pickled(
                    self.key, posts=records, entries=index, entries_file=name, shared=shared.values
                )
                staged.add(self.cache_dir / _POSTS_FILE, data)
            if (files, last) != (self.files, self.last):
                data = pickled(self.key, files=files, last=last.packed())
                staged.add(self.cache_dir / _BUILD_FILE, data)
            if files.keys() != self.written:
                # Line by line into the file: as one text, and its bytes, 14 MB at 100,000 posts.
                names = sorted(files)
                staged.add(
                    self.cache_dir / _WRITTEN_FILE,
                    lambda fh: fh.writelines(f"{path}\n".encode() for path in names),
                )
        except OSError as exc:
            staged.discard()
            reason = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror or exc
            raise OutputError(
                f"{self.cache_dir}: cannot write the build cache: {reason}; nothing was "
                "published. Free some space, or set cache_dir to a writable folder"
            ) from None
        self.files, self.last, self._written = files, last, files.keys()
        return staged

    def refresh(self, output_dir: Path) -> None:
        """Fill in the stat of each file staged without one, once published (it is known only
        then), and write the records again if the disk lets us: without it the next build
        compares those files' hashes instead. In place: a second dict of 140,000 records was
        the peak of a big build."""
        out, filled = str(output_dir), False
        for path, (key, sha, stat) in self.files.items():
            if stat is None:
                stat = stat_key_of(os.path.join(out, path))
                if stat is not None:
                    self.files[path] = (key, sha, stat)
                    filled = True
        if filled and self.last is not None:
            try:
                data = pickled(self.key, files=self.files, last=self.last.packed())
                write_atomic(self.cache_dir / _BUILD_FILE, data, durable=False)
            except OSError:
                pass  # the records staged before publishing stand: right, only slower to check
