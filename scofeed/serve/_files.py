"""The output folder's files as the server sends them: each version's tag, bytes and gzip body.

A version of a file is its path, inode, size and mtime_ns: a build replaces a file (a new
inode) and an edit changes its size or mtime, so a version's bytes, tag and gzip body never
go stale. They are cached by version in at most `limit` bytes in all (least recently used out
first); a file too big to cache is sent from disk as it is, and its tag alone remembered.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from stat import S_ISREG
from typing import BinaryIO

MAX_FILE = 64 * 1024 * 1024  # a preview server has no business sending more
CACHE_BYTES = 64 * 1024 * 1024  # the cache's bound: files' bytes and gzip bodies together
TAGS = 4096  # versions whose tag is remembered (some 200 bytes each)
GZIP_LEVEL = 6  # zlib's default: level 9 (gzip.compress's) takes twice as long for 1-2 % less
_CHUNK = 1024 * 1024

# What open() and read() failures mean for the client: these, that the file is not there for
# it (404, as a hidden file is); any other (no descriptor or memory left, a disk error), that
# it should try again (503): a file that exists never answers 404 for want of a descriptor.
_ABSENT = frozenset(
    {errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.ENAMETOOLONG, errno.EISDIR}
    | {errno.EACCES, errno.EPERM}
)


@dataclass(frozen=True)
class Version:
    path: str
    inode: int
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Opened:
    """An open file at one version, with its tag; `close()` it when done."""

    file: BinaryIO
    version: Version
    tag: str  # strong, of the bytes: the same bytes always give the same tag
    mtime: float
    data: bytes | None  # the bytes, when the file is small enough to cache

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else self.version.size

    def close(self) -> None:
        self.file.close()


class ByteCache:
    """Bytes by key, at most `limit` bytes in all, the least recently used dropped first; an
    entry bigger than a quarter of the limit is not kept (it would push out everything else)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0  # bytes held
        self._entries: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def fits(self, size: int) -> bool:
        return size <= self.limit // 4

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            data = self._entries.get(key)
            if data is not None:
                self._entries.move_to_end(key)
            return data

    def put(self, key: Hashable, data: bytes) -> None:
        if not self.fits(len(data)):
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= len(old)
            self._entries[key] = data
            self.size += len(data)
            while self.size > self.limit:
                _, dropped = self._entries.popitem(last=False)
                self.size -= len(dropped)


class Files:
    """Opens files for the handler; counts the gzip bodies it had to make."""

    def __init__(self, cache_bytes: int = CACHE_BYTES) -> None:
        self.cache = ByteCache(cache_bytes)
        self.compressions = 0
        self._tags: OrderedDict[Version, str] = OrderedDict()
        self._lock = threading.Lock()

    def open(self, path: Path) -> Opened | HTTPStatus:
        """The file at its current version, or the status that says why not."""
        try:
            file = path.open("rb")
        except OSError as exc:
            return _status(exc)
        found: Opened | HTTPStatus = HTTPStatus.NOT_FOUND
        try:
            found = self._opened(path, file)
        except OSError as exc:
            found = _status(exc)
        finally:
            if not isinstance(found, Opened):
                file.close()
        return found

    def _opened(self, path: Path, file: BinaryIO) -> Opened | HTTPStatus:
        stat = os.fstat(file.fileno())
        if not S_ISREG(stat.st_mode) or stat.st_size > MAX_FILE:
            return HTTPStatus.NOT_FOUND
        version = Version(str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
        data = self.cache.get((version, "identity"))
        if data is None and self.cache.fits(stat.st_size):
            data = file.read()
            self.cache.put((version, "identity"), data)
        with self._lock:
            tag = self._tags.get(version)
            if tag is not None:
                self._tags.move_to_end(version)
        if tag is None:
            digest = hashlib.sha256(data) if data is not None else _hashed(file)
            tag = digest.hexdigest()[:32]
            with self._lock:
                self._tags[version] = tag
                if len(self._tags) > TAGS:
                    self._tags.popitem(last=False)
        return Opened(file, version, tag, stat.st_mtime, data)

    def gzipped(self, opened: Opened) -> bytes:
        """The gzip body of a file small enough to cache (`opened.data`): made once per
        version, while the cache keeps it."""
        key = (opened.version, "gzip")
        body = self.cache.get(key)
        if body is None:
            assert opened.data is not None
            body = gzip.compress(opened.data, GZIP_LEVEL, mtime=0)
            with self._lock:
                self.compressions += 1
            self.cache.put(key, body)
        return body


def _status(exc: OSError) -> HTTPStatus:
    return HTTPStatus.NOT_FOUND if exc.errno in _ABSENT else HTTPStatus.SERVICE_UNAVAILABLE


def _chunks(file: BinaryIO) -> Iterator[bytes]:
    file.seek(0)
    while chunk := file.read(_CHUNK):
        yield chunk


def _hashed(file: BinaryIO) -> hashlib._Hash:
    digest = hashlib.sha256()
    for chunk in _chunks(file):
        digest.update(chunk)
    return digest
