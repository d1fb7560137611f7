"""The build cache's rendered entries, in a file of their own read back by offset.

posts.pickle holds the index (an entry's key -> `spill.place_of` it) and the file's name; the
file holds each entry pickled on its own. A one-post rebuild of 100,000 posts uses a few hundred
of some 470 MB of entries: unpickled whole with the posts, they took its peak to 1.2 GB, over
twice the clean build's. Each file is written once under a new name and never changed, so the
posts.pickle in place always names a whole file: a build killed between the two renames leaves
the old pair as it was, and the next build that writes entries removes what no index names.
"""

from __future__ import annotations

import os
import pickle
import re
import secrets
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

from scofeed.publish.cache_files import Corrupt, Staged, plain_loads, shaped
from scofeed.publish.spill import Spill, place_of, read_at

Value = tuple[str, ...]
_NAME = re.compile(r"entries-[0-9a-f]{16}\.bin\Z")


class StoredEntries:
    """The entries of the last build that wrote any: `get` reads one from its file."""

    def __init__(self, folder: Path, name: str | None = None, index: dict[str, int] | None = None):
        self.folder = folder
        self.name = name
        self.index = index or {}
        self._bad: set[str] = set()  # found unreadable: neither used nor written again
        self._fd = -1
        if name is not None and self.index:
            try:
                # Opened now, not when first read: the next build may remove the file (a
                # resident `scofeed watch` reads its plan's entries after that).
                self._fd = os.open(folder / name, os.O_RDONLY)
            except OSError:  # removed by hand: every entry is rendered again
                self.index = {}
            else:
                weakref.finalize(self, os.close, self._fd)

    @classmethod
    def unpacked(cls, folder: Path, data: dict[str, Any]) -> StoredEntries:
        """The entries posts.pickle's `data` names; `Corrupt` if its index is not this code's."""
        index: dict[str, int] = shaped(data["entries"], dict)
        name = data["entries_file"]
        if not (name is None or (type(name) is str and _NAME.match(name))):
            raise Corrupt("an entries file name this code does not write")
        for key, where in index.items():
            if not (type(key) is str and type(where) is int and where >= 0):
                raise Corrupt("an entry index that is not key -> offset and length")
        return cls(folder, name, index)

    def __len__(self) -> int:
        return len(self.index)

    def usable(self) -> list[str]:
        return [key for key in self.index if key not in self._bad]

    def raw(self, key: str) -> bytes | None:
        where = self.index.get(key)
        if where is None or self._fd < 0 or key in self._bad:
            return None
        data = read_at(self._fd, where)
        if data is None:  # a file cut short
            self._bad.add(key)
        return data

    def get(self, key: str) -> Value | None:
        data = self.raw(key)
        if data is None:
            return None
        try:
            value = plain_loads(data)
        except Exception:  # garbage: pickle may raise anything on it
            value = None
        if not (isinstance(value, tuple) and all(isinstance(part, str) for part in value)):
            self._bad.add(key)
            return None
        return value


def stage_entries(
    staged: Staged, old: StoredEntries, keys: Iterable[str], spill: Spill | None
) -> tuple[str | None, dict[str, int]]:
    """Write the entries under `keys` to a new file, staged in `staged` to be renamed in
    before posts.pickle: those this build made from the `spill`, the others copied from `old`
    as they are. Returns the file's name and its index."""
    index: dict[str, int] = {}

    def write(fh: BinaryIO) -> None:
        offset = 0
        for key in keys:
            value = spill.get(key) if spill is not None and key in spill else None
            data = pickle.dumps(value, 5) if value is not None else old.raw(key)
            if data is None or len(data) >> 32:
                continue
            fh.write(data)
            index[key] = place_of(offset, len(data))
            offset += len(data)

    name = f"entries-{secrets.token_hex(8)}.bin"
    staged.add(old.folder / name, write)
    staged.sweep.extend(path for path in old.folder.glob("entries-*.bin") if _NAME.match(path.name))
    return name, index
