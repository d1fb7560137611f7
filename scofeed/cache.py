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
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scofeed.store import Post

_FILE = "cache.pickle"
_FORMAT = 1


_ALLOWED: dict[tuple[str, str], type] = {
    ("datetime", "datetime"): _dt.datetime,
    ("datetime", "timezone"): _dt.timezone,
    ("datetime", "timedelta"): _dt.timedelta,
    ("scofeed.store", "Post"): Post,
}


class _SafeUnpickler(pickle.Unpickler):
    """Only the handful of classes the cache holds: a planted cache file cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache") from None


def _stat_key(stat: os.stat_result) -> tuple[int, int, int]:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


@dataclass
class BuildCache:
    """One build's view of the cache; `save` writes back only what this build used."""

    fingerprint: str
    posts: dict[str, tuple[tuple[int, int, int], Post]] = field(default_factory=dict)
    entries: dict[str, tuple[str, ...]] = field(default_factory=dict)
    feeds: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (key, sha256)
    _used_posts: dict[str, tuple[tuple[int, int, int], Post]] = field(default_factory=dict)
    _used_entries: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, cache_dir: Path, fingerprint: str) -> BuildCache:
        """The cache as the last build left it, or an empty one (missing, stale or unreadable)."""
        try:
            with (cache_dir / _FILE).open("rb") as fh:
                data = _SafeUnpickler(fh).load()
            if data["format"] == _FORMAT and data["fingerprint"] == fingerprint:
                return cls(fingerprint, data["posts"], data["entries"], data["feeds"])
        except (OSError, EOFError, pickle.UnpicklingError, LookupError, TypeError, ValueError):
            pass  # no cache, an unreadable one, or one from another version: start afresh
        return cls(fingerprint)

    # --- store.PostCache ------------------------------------------------------------------

    def get(self, key: str, stat: os.stat_result) -> Post | None:
        hit = self.posts.get(key)
        if hit is None or hit[0] != _stat_key(stat):
            return None
        self._used_posts[key] = hit
        return hit[1]

    def get_by_digest(self, key: str, digest: str) -> Post | None:
        hit = self.posts.get(key)
        return hit[1] if hit is not None and hit[1].digest == digest else None

    def put(self, key: str, stat: os.stat_result, post: Post) -> None:
        self._used_posts[key] = (_stat_key(stat), post)

    # --- rendered entries and feeds -------------------------------------------------------

    def entry(self, digest: str, permalink: str) -> tuple[str, ...] | None:
        key = f"{digest} {permalink}"
        hit = self.entries.get(key)
        if hit is not None:
            self._used_entries.add(key)
        return hit

    def put_entry(self, digest: str, permalink: str, value: tuple[str, ...]) -> None:
        key = f"{digest} {permalink}"
        self.entries[key] = value
        self._used_entries.add(key)

    def save(self, cache_dir: Path, feeds: dict[str, tuple[str, str]]) -> None:
        """Write the cache atomically; a killed build leaves the old cache or the new one."""
        data = {
            "format": _FORMAT,
            "fingerprint": self.fingerprint,
            "posts": self._used_posts,
            "entries": {k: self.entries[k] for k in sorted(self._used_entries)},
            "feeds": feeds,
        }
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".cache-", dir=cache_dir)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, cache_dir / _FILE)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise


def fingerprint(*parts: object) -> str:
    """A hash of everything that, when it changes, makes the whole cache stale."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()
