"""The build cache under `cache_dir`: parsed posts, rendered entries, and what each feed was
built from. Deleting it at any time changes no result, only how long the next build takes.

Everything is keyed so that a stale entry can never be used: the whole cache by a fingerprint of
scofeed's version, the configuration and the gazetteer; a post by its file's size, modification
time and inode, then by its content hash; a rendered entry by content hash and permalink; a feed
by a hash of everything that goes into it.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scofeed.post import Post
from scofeed.store import file_version

if TYPE_CHECKING:
    from collections.abc import Iterable

    from scofeed.store import PostFile

_BUILD_FILE = "build.pickle"
_POSTS_FILE = "posts.pickle"
_FORMAT = 5


# The cache holds only plain values (tuples, strings, numbers): a post as a tuple of the fields
# its file gives (its path and real path are the store's to say, and its body is never kept),
# with dates as ISO 8601 text. Quicker to pickle than objects, and the unpickler then admits no
# class at all, so a planted cache file cannot run code. A no-op build reads none of it; a
# one-post rebuild reads every post, so this is kept small and quick to turn back into posts.
_Record = tuple[Any, ...]


def _as_record(post: Post) -> _Record:
    return (post.slug, post.date.isoformat(), post.updated.isoformat(), post.title, post.author,
            post.countries, post.tags, post.categories, post.summary, post.comments, post.draft,
            post.id, post.mentions, post.digest)  # fmt: skip


def _as_post(record: _Record, path: str, source: str) -> Post:
    (slug, date, updated, title, author, countries, tags, categories, summary, comments, draft,
     id_, mentions, digest) = record  # fmt: skip
    parse = _dt.datetime.fromisoformat
    return Post(path, slug, parse(date), parse(updated), None, title, author, countries, tags,
                categories, summary, comments, draft, id_, mentions, source, digest)  # fmt: skip


def _pack(when: _dt.datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def _unpack(text: str | None) -> _dt.datetime | None:
    return _dt.datetime.fromisoformat(text) if text is not None else None


class _SafeUnpickler(pickle.Unpickler):
    """Admits no class: the cache is plain values only."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")


@dataclass(frozen=True)
class LastBuild:
    """What the last successful build saw: while the post files are the same (`signature`)
    and the clock stays between two post dates (`since` <= now < `until`, so no scheduled post
    has come due), the same feeds follow, and a build only checks that they are still there."""

    signature: str
    since: _dt.datetime | None
    until: _dt.datetime | None
    posts: int
    published: int

    def still_holds(self, signature: str, now: _dt.datetime) -> bool:
        return (
            signature == self.signature
            and (self.since is None or self.since <= now)
            and (self.until is None or now < self.until)
        )


# A published file as the cache remembers it: the key of its inputs, the sha256 of its bytes, and
# its size, modification time, change time and inode once written (None: not known). The
# change time moves on every write and cannot be set back, so a file whose four numbers are the
# same was not written since, and need not be read to know it.
StatKey = tuple[int, int, int, int]
FeedRecord = tuple[str, str, StatKey | None]


def file_stat_key(stat: os.stat_result) -> StatKey:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


@dataclass
class BuildCache:
    """One build's view of the cache; `save` writes back only what this build used.

    Two files: `build.pickle` (small: the last build and its feeds) is all a no-op build reads;
    `posts.pickle` (parsed posts and rendered entries) is read only when something changed.
    Each carries the fingerprint, so each is used only with the configuration that made it.
    """

    cache_dir: Path
    fingerprint: str
    feeds: dict[str, FeedRecord] = field(default_factory=dict)  # by path below output/
    last: LastBuild | None = None
    _posts: dict[str, tuple[tuple[int, int, int], _Record]] | None = None
    _entries: dict[str, tuple[str, ...]] | None = None
    _used_posts: dict[str, tuple[tuple[int, int, int], _Record]] = field(default_factory=dict)
    _used_entries: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, cache_dir: Path, fingerprint: str) -> BuildCache:
        """The cache as the last build left it, or an empty one (missing, stale or unreadable)."""
        data = _read(cache_dir / _BUILD_FILE, fingerprint)
        if data is None:
            return cls(cache_dir, fingerprint)
        last = None
        if data["last"] is not None:
            signature, since, until, posts, published = data["last"]
            last = LastBuild(signature, _unpack(since), _unpack(until), posts, published)
        return cls(cache_dir, fingerprint, data["feeds"], last)

    def _bulk(self) -> tuple[dict[str, Any], dict[str, tuple[str, ...]]]:
        if self._posts is None or self._entries is None:
            data = _read(self.cache_dir / _POSTS_FILE, self.fingerprint)
            self._posts = data["posts"] if data else {}
            self._entries = data["entries"] if data else {}
        return self._posts, self._entries

    # --- store.PostCache ------------------------------------------------------------------

    def unchanged(self, files: Iterable[PostFile], prefix: str) -> dict[str, Post]:
        """By key, the cached post of every file whose stat is as cached, shown as `prefix` +
        key. One call for the whole store: a rebuild asks about every post, and a call per post
        cost a rebuild of 100,000 posts a tenth of a second."""
        cached = self._bulk()[0]
        used = self._used_posts
        found = {}
        for key, real, stat in files:
            hit = cached.get(key)
            if hit is not None and not isinstance(stat, str) and hit[0] == file_version(stat):
                used[key] = hit
                found[key] = _as_post(hit[1], prefix + key, real)
        return found

    def knows(self, key: str) -> bool:
        return key in self._bulk()[0]

    def get_by_digest(self, key: str, digest: str, path: str, source: str) -> Post | None:
        hit = self._bulk()[0].get(key)
        if hit is None or hit[1][-1] != digest:
            return None
        return _as_post(hit[1], path, source)

    def put(self, key: str, stat: os.stat_result, post: Post) -> None:
        self._used_posts[key] = (file_version(stat), _as_record(post))

    # --- rendered entries and feeds -------------------------------------------------------

    def entry(self, digest: str, permalink: str) -> tuple[str, ...] | None:
        key = f"{digest} {permalink}"
        hit = self._bulk()[1].get(key)
        if hit is not None:
            self._used_entries.add(key)
        return hit

    def put_entry(self, digest: str, permalink: str, value: tuple[str, ...]) -> None:
        key = f"{digest} {permalink}"
        self._bulk()[1][key] = value
        self._used_entries.add(key)

    def save(self, feeds: dict[str, FeedRecord], last: LastBuild) -> None:
        """Write the cache atomically, file by file; a killed build leaves each file old or new.
        A build that changed nothing writes nothing (a no-op run from cron stays cheap)."""
        posts, all_entries = self._bulk()
        entries = {k: all_entries[k] for k in sorted(self._used_entries)}
        if (self._used_posts, entries) != (posts, all_entries):
            _write(self.cache_dir / _POSTS_FILE, self.fingerprint, posts=self._used_posts,
                   entries=entries)  # fmt: skip
        if (feeds, last) != (self.feeds, self.last):
            packed = (last.signature, _pack(last.since), _pack(last.until), last.posts,
                      last.published)  # fmt: skip
            _write(self.cache_dir / _BUILD_FILE, self.fingerprint, feeds=feeds, last=packed)


def _read(path: Path, fingerprint: str) -> dict[str, Any] | None:
    try:
        with path.open("rb") as fh:
            data = _SafeUnpickler(fh).load()
        if data["format"] == _FORMAT and data["fingerprint"] == fingerprint:
            return dict(data)
    except (OSError, EOFError, pickle.UnpicklingError, LookupError, TypeError, ValueError):
        pass  # no cache, an unreadable one, or one from another version: start afresh
    return None


def _write(path: Path, fingerprint: str, **data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile  # only a build that writes needs it

    fd, tmp = tempfile.mkstemp(prefix=".cache-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pickler = pickle.Pickler(fh, protocol=5)
            # No memo: the cache holds plain values with no cycles, and a memo of every one of
            # 100,000 posts' fields would cost more memory than the posts themselves.
            pickler.fast = True
            pickler.dump({"format": _FORMAT, "fingerprint": fingerprint, **data})
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def fingerprint(*parts: object) -> str:
    """A hash of everything that, when it changes, makes the whole cache stale."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()
