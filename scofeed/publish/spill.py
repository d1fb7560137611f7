"""The entries a build renders, held on disk rather than in memory until the cache is written.

A clean build of 100,000 posts renders some 470 MB of entries (each post's HTML and summary).
Held in the build's process, they were most of its peak memory, and every forked worker that
read them made its own copy of the pages they sat on (reference counts are written on read).
Here each entry is written once to an unnamed file in the cache folder and read back by offset
with `pread`, which forked workers can do too: they inherit the descriptor, and `pread` moves no
shared file position. The file has no name from the moment it is made, so a killed build leaves
nothing behind; it is closed when the `Spill` is collected.
"""

from __future__ import annotations

import errno
import marshal
import os
import weakref
from pathlib import Path

from scofeed.infra.atomic import TMP_PREFIX

Value = tuple[str, ...]


# Where a value lies in its file: offset << 32 | length, one number rather than a pair (8 MB
# less at 100,000 posts; no value is 4 GiB long). The build cache's entries file uses it too.
def place_of(offset: int, length: int) -> int:
    assert not length >> 32
    return offset << 32 | length


def read_at(fd: int, where: int) -> bytes | None:
    """The bytes at `where` (`place_of`) in the file open as `fd`; None if it is cut short or
    cannot be read. `pread`: no shared file position, so forked workers may read it too."""
    length = where & 0xFFFFFFFF
    try:
        data = os.pread(fd, length, where >> 32)
    except OSError:
        return None
    return data if len(data) == length else None


class Spill:
    """A write-once store of entries by key, in an unnamed file; `None` where it holds none.
    An entry that cannot be written (no folder, a full disk) stays in memory instead: the build
    goes on."""

    def __init__(self, folder: Path) -> None:
        self._end = 0
        self._pid = os.getpid()
        self._index: dict[str, int] = {}  # key -> `place_of` its value
        self._held: dict[str, Value] = {}  # what could not be written, or was made in a worker
        try:
            fd = os.open(folder, os.O_TMPFILE | os.O_RDWR, 0o600)  # Linux: never named at all
        except (AttributeError, OSError):
            import tempfile  # not imported with the module: a no-op build makes no spill

            try:
                fd, name = tempfile.mkstemp(prefix=TMP_PREFIX, dir=folder)
            except OSError:  # no such folder (a cache used without a build), or no room
                self._fd = -1
                return
            os.unlink(name)
        self._fd = fd
        weakref.finalize(self, os.close, fd)

    def __contains__(self, key: str) -> bool:
        return key in self._index or key in self._held

    def __len__(self) -> int:
        return len(self._index) + len(self._held)

    def keys(self) -> list[str]:
        return [*self._index, *self._held]

    def put(self, key: str, value: Value) -> None:
        # Only the process that made the file appends to it: a forked worker's copy of `_end`
        # would write over what the parent writes next (workers render no entry; if one ever
        # does, it keeps it to itself, as it keeps everything else it makes).
        if os.getpid() != self._pid or self._fd < 0:
            self._held[key] = value
            return
        data = marshal.dumps(value)
        try:
            written = os.pwrite(self._fd, data, self._end)
        except OSError:
            written = -1
        if written != len(data) or len(data) >> 32:  # a short write (a full disk), or huge
            self._held[key] = value
            return
        self._index[key] = place_of(self._end, len(data))
        self._end += len(data)

    def get(self, key: str) -> Value | None:
        where = self._index.get(key)
        if where is None:
            return self._held.get(key)
        data = read_at(self._fd, where)
        if data is None:  # its own file, unnamed: only a failing disk does this
            raise OSError(errno.EIO, "the build's entries could not be read back from its cache")
        # marshal: plain strings, from a file no other process can name (it has no name).
        value = marshal.loads(data)  # noqa: S302
        assert isinstance(value, tuple)
        return value
