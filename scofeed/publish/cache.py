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
import operator
import os
import struct
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scofeed.errors import OutputError
from scofeed.infra.atomic import write_atomic
from scofeed.posts.files import FileStat
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

# A post as the cache holds it: the fields its file gives, by name (its path and real path are
# the store's to say, and its body is never kept), with dates as ISO 8601 text. Plain values
# only: quicker to pickle than objects, and the unpickler then admits no class at all, so a
# planted cache file cannot run code. A one-post rebuild reads every record, so they are lean.
_RECORD_FIELDS = tuple(name for name in Post.__slots__ if name not in ("path", "body", "source"))
_DIGEST = _RECORD_FIELDS.index("digest")
_Record = tuple[Any, ...]


# Records are made and read positionally, in `Post`'s field order (twice as quick as by name
# at 10,000 posts); the checks below keep them in step with `Post`.
assert Post.__slots__[:5] == ("path", "slug", "date", "updated", "body")
assert Post.__slots__[-2:] == ("source", "digest")
_middle = operator.attrgetter(*Post.__slots__[5:-2])  # title … mentions, in one C call


# Middle fields that hold a date or None (Hugo's publish and expiry dates): kept as ISO text.
_DATED = tuple(
    i for i, name in enumerate(Post.__slots__[5:-2], 3) if name in ("publish_at", "expire_at")
)


# Fields that many posts have alike (a site has a few hundred sets of tags, a few authors):
# a record holds the number of its value in the posts file's table of them (`Shared`), and
# the posts made of the records share one value. Unpickled, each record had its own copies:
# 33 MB of a one-post build's 500 at 100,000 posts.
_SHARED = tuple(
    i for i, name in enumerate(_RECORD_FIELDS)
    if name in ("author", "countries", "tags", "categories", "mentions", "markup")
)  # fmt: skip


class Shared:
    """The posts file's table of shared values. Only ever added to while a cache lives on
    (the records kept from the last build keep their numbers); a clean build starts it anew."""

    def __init__(self, values: list[Any] | None = None) -> None:
        self.values: list[Any] = values if values is not None else []
        self._numbers: dict[Any, int] | None = None

    @classmethod
    def unpacked(cls, value: Any) -> Shared:
        values = shaped(value, list)
        for v in values:
            texts = type(v) is tuple and all(type(t) is str for t in v)
            if not (v is None or type(v) is str or texts):
                raise Corrupt("a shared value that is no text, tuple of texts or None")
        return cls(values)

    def number(self, value: Any) -> int:
        numbers = self._numbers
        if numbers is None:
            numbers = self._numbers = {v: i for i, v in enumerate(self.values)}
        found = numbers.get(value)
        if found is None:
            found = numbers[value] = len(self.values)
            self.values.append(value)
        return found


def _as_record(post: Post, shared: Shared) -> _Record:
    # An update time that is the date (most posts) is None: one string less in the record,
    # and one datetime less in the post made of it (20 MB at 100,000 posts, both together).
    date, updated = post.date.isoformat(), post.updated.isoformat()
    listed = [post.slug, date, None if updated == date else updated, *_middle(post), post.digest]
    for i in _SHARED:
        listed[i] = shared.number(listed[i])
    for i in _DATED:
        if listed[i] is not None:
            listed[i] = listed[i].isoformat()
    return tuple(listed)


def _as_post(record: _Record, path: str, source: str, shared: list[Any]) -> Post:
    """The post a record holds; an IndexError or TypeError for one this code did not write."""
    if len(record) != len(_RECORD_FIELDS):
        raise ValueError("a record of another shape")
    parse = _dt.datetime.fromisoformat
    listed = list(record)
    for i in _SHARED:
        listed[i] = shared[listed[i]]
    for i in _DATED:
        if listed[i] is not None:
            listed[i] = parse(listed[i])
    date = parse(record[1])
    listed[1] = date
    listed[2] = date if record[2] is None else parse(record[2])
    fields = (path, listed[0], listed[1], listed[2], None, *listed[3:-1], source, record[-1])
    return Post(*fields)


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
    material = (FORMAT, _RECORD_FIELDS, code_digest(), library_versions(), parts)
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


# A published file as the cache remembers it: the key of its inputs, the sha256 of its bytes, and
# its size, modification time, inode and change time once written (None: not known). The
# change time moves on every write and cannot be set back, so a file whose four numbers are the
# same was not written since, and need not be read to know it.
StatKey = bytes
FileRecord = tuple[str, str, StatKey | None]

# A stat's four numbers (`FileStat`'s order) packed in 32 bytes: as a tuple of four ints they
# took 200, and a rebuild of 100,000 posts holds 240,000 (files and post versions), 33 MB more.
_STAT = struct.Struct("<QqQq")


def _packed(size: int, mtime_ns: int, ino: int, ctime_ns: int) -> StatKey:
    try:
        return _STAT.pack(size, mtime_ns, ino, ctime_ns)
    except struct.error:  # a time before 1678 or after 2262 (`touch -d 3000-01-01`): as text
        return repr((size, mtime_ns, ino, ctime_ns)).encode()


def file_stat_key(stat: os.stat_result) -> StatKey:
    return _packed(stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)


def _version(stat: FileStat) -> StatKey:
    """A post file's version as the cache keeps it (`files.file_version`'s numbers)."""
    return _packed(*stat)


def stat_key_of(path: str | Path) -> StatKey | None:
    """The stat key of the file at `path`; None when it cannot be stat'ed."""
    try:
        return file_stat_key(os.stat(path))
    except OSError:
        return None


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
    _posts: dict[str, tuple[StatKey, _Record]] | None = None
    _entries: StoredEntries | None = None
    _shared: Shared = field(default_factory=Shared)  # the values the posts' records share
    # The posts this build read, by key: the cached record, or the post read again (made a
    # record only as the cache is written: 40 MB less at 100,000 posts).
    _used_posts: dict[str, tuple[StatKey, _Record | Post]] = field(default_factory=dict)
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
            files = _file_records(data["files"])
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
                if hit is not None and not isinstance(stat, str) and hit[0] == _version(stat):
                    found[key] = _as_post(hit[1], prefix + key, real, shared)
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
            if hit is None or hit[1][_DIGEST] != digest:
                return None
            return _as_post(hit[1], path, source, self._shared.values)
        except (TypeError, ValueError, IndexError):
            self._drop()
            return None

    def put(self, key: str, stat: FileStat, post: Post) -> None:
        self._used_posts[key] = (_version(stat), post)

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
                        _as_post(hit[1], post.path, post.source, self._shared.values)
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
                    (k, (v, _as_record(p, shared) if isinstance(p, Post) else p))
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
                text = "".join(f"{path}\n" for path in sorted(files))
                staged.add(self.cache_dir / _WRITTEN_FILE, text.encode("utf-8"))
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


def _file_records(value: Any) -> dict[str, FileRecord]:
    """The records as unpickled, if each is (key, sha, stat): one pass and no copy, for a
    no-op build of a big site reads thousands. A stat is only ever compared with `!=`, so
    anything in its place is merely never equal (the file is then hashed)."""
    files: dict[str, FileRecord] = shaped(value, dict)
    for path, record in files.items():
        if not (
            type(path) is str
            and type(record) is tuple
            and len(record) == 3
            and type(record[0]) is str
            and type(record[1]) is str
        ):
            raise Corrupt("a file record that is not (key, sha, stat)")
    return files
