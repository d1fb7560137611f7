"""The build cache's files on disk: read by an unpickler that admits no class (a planted file
cannot run code), written by pickling straight into the file, staged beside their targets until
the build has published. What they hold is `scofeed.publish.cache`'s to say.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from scofeed.infra.atomic import Content, stage

# The layout of the cache's files; the record fields of `cache` are checked by name besides.
FORMAT = 15


class Corrupt(Exception):
    """A cache file whose contents are not what this code wrote."""


class _SafeUnpickler(pickle.Unpickler):
    """Admits no class but `dict` (see `Streamed`): the cache is plain values only."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("builtins", "dict"):
            return dict
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")


class Streamed:
    """Pickles as the dict of its (key, value) pairs, taking them from the iterator one by one
    as it writes them: the entries of 100,000 posts are never all in memory at once."""

    def __init__(self, items: Iterator[tuple[str, Any]]) -> None:
        self.items = items

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (), None, None, self.items)


def plain_loads(data: bytes) -> Any:
    """`data` unpickled by the unpickler that admits no class."""
    return _SafeUnpickler(io.BytesIO(data)).load()


@dataclass
class Staged:
    """Cache files written beside their targets, waiting to be renamed into place; `sweep`:
    files the renamed ones make obsolete, removed after them."""

    files: list[tuple[str, Path]] = field(default_factory=list)
    sweep: list[Path] = field(default_factory=list)

    def add(self, target: Path, data: Content) -> None:
        # Not flushed to disk: a cache may be lost in a power cut, never torn (a torn one fails
        # to load and means a clean build).
        self.files.append((stage(target, data, durable=False), target))

    def commit(self) -> None:
        for tmp, target in self.files:
            os.replace(tmp, target)
        for path in self.sweep:
            with contextlib.suppress(OSError):
                path.unlink()

    def discard(self) -> None:
        for tmp, _ in self.files:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def shaped(value: Any, kind: type[Any], length: int | None = None) -> Any:
    """`value`, if it is of the `kind` (and `length`) this code writes; else `Corrupt`."""
    if not isinstance(value, kind) or (length is not None and len(value) != length):
        raise Corrupt(f"{type(value).__name__} where {kind.__name__} was written")
    return value


def read(path: Path, key: str) -> dict[str, Any] | None:
    """The cache file at `path` if this format and `key` (this code and configuration) wrote
    it; None for a missing, torn, stale or planted one."""
    try:
        with path.open("rb") as fh:
            data = _SafeUnpickler(fh).load()
        if data["format"] == FORMAT and data["key"] == key:
            return dict(data)
    except Exception:  # no cache, a torn or planted one: pickle may raise anything on garbage
        return None
    return None


def pickled(key: str, **data: Any) -> Content:
    """The cache file holding `data`, written by pickling straight into the file: the posts
    file of 100,000 posts is some 470 MB, which a buffer (and the copy of it handed over) would
    add twice over to the build's peak memory."""

    def write(fh: BinaryIO) -> None:
        pickler = pickle.Pickler(fh, protocol=5)
        # No memo: the cache holds plain values with no cycles, and a memo of every one of
        # 100,000 posts' fields would cost more memory than the posts themselves.
        pickler.fast = True
        pickler.dump({"format": FORMAT, "key": key, **data})

    return write
