"""One build at a time: a kernel lock on `cache_dir/build.lock`."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from scofeed.errors import LockedError, OutputError

LOCK_FILE = "build.lock"


@contextlib.contextmanager
def build_lock(cache_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock for one build. The kernel drops it when the process dies, so a
    killed build never leaves a stale lock behind. It is a POSIX record lock (`lockf`), which a
    forked worker does not inherit, unlike `flock`'s: a build killed while its workers finish
    their last task leaves the lock free at once."""
    path = cache_dir / LOCK_FILE
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        why = "it is a file, not a folder" if cache_dir.is_file() else exc.strerror or exc
        raise OutputError(
            f"{cache_dir}: cannot hold the build's lock and cache: {why}; make it a writable "
            "folder, or set cache_dir to one"
        ) from None
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EAGAIN):
                raise
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
            raise LockedError(
                f"{path}: another build is running (pid {holder}); it holds the lock until it "
                "ends, so try again then"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)
