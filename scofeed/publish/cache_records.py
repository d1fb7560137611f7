"""How the build cache writes down a post and a published file: plain values only (quicker to
pickle than objects, and the unpickler then admits no class at all, so a planted cache file
cannot run code), lean, since a one-post rebuild reads every record of a big site."""

from __future__ import annotations

import datetime as _dt
import operator
import os
from pathlib import Path
from typing import Any

from scofeed.posts.files import packed_version
from scofeed.posts.post import Post, post_of
from scofeed.publish.cache_files import Corrupt, shaped

# A post as the cache holds it: the fields its file gives, by name (its path and real path are
# the store's to say, and its body is never kept), with dates as ISO 8601 text.
RECORD_FIELDS = tuple(name for name in Post.__slots__ if name not in ("path", "body", "source"))
DIGEST = RECORD_FIELDS.index("digest")
Record = tuple[Any, ...]


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
    i for i, name in enumerate(RECORD_FIELDS)
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


def as_record(post: Post, shared: Shared) -> Record:
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


def as_post(record: Record, path: str, source: str, shared: list[Any]) -> Post:
    """The post a record holds; an IndexError or TypeError for one this code did not write."""
    if len(record) != len(RECORD_FIELDS):
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
    return post_of(fields)


# A published file as the cache remembers it: the key of its inputs, the sha256 of its bytes, and
# its size, modification time, inode and change time once written (None: not known). The
# change time moves on every write and cannot be set back, so a file whose four numbers are the
# same was not written since, and need not be read to know it. (Those numbers are a post
# file's version too: `files.packed_version` keys both.)
StatKey = bytes
FileRecord = tuple[str, str, StatKey | None]


def stat_key_of(path: str | Path) -> StatKey | None:
    """The stat key of the file at `path`; None when it cannot be stat'ed."""
    try:
        return packed_version(os.stat(path))
    except OSError:
        return None


def file_records(value: Any) -> dict[str, FileRecord]:
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
