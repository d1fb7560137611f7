"""Writing files so that a reader sees the old file or the new one, whole, never a mix.

The new bytes go to a temporary file in the target's own folder (a rename across file systems
would not be atomic), are flushed to disk, and the temporary file is renamed over the target;
the folder is then flushed too, so the rename itself survives a power cut. A process killed
half-way leaves at most a hidden temporary file (`TMP_PREFIX`), never a torn target.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

# What a file is made of: its bytes, or a function that writes them into the open file (a big
# pickle streamed to disk, rather than built in memory and then copied out whole).
Content = bytes | Callable[[BinaryIO], object]

# Hidden, so web servers configured as the README says refuse them and the post store (which
# reads `*.md` files) never takes one for a post; the build removes its own leftovers.
TMP_PREFIX = ".scofeed-tmp-"


def stage(
    target: str | Path, data: Content, *, durable: bool = True, made: set[str] | None = None
) -> str:
    """Write `data` to a new temporary file beside `target` (flushed to disk when `durable`)
    and return its path; the caller renames it over `target` (or removes it). `made`: the
    folders this caller has made or found already, which are not asked for again (a site's
    14,000 files are in 600 folders)."""
    folder = os.path.dirname(target)
    if made is None or folder not in made:
        os.makedirs(folder, exist_ok=True)
        if made is not None:
            made.add(folder)
    import tempfile  # only a run that writes needs it

    fd, name = tempfile.mkstemp(prefix=TMP_PREFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, bytes):
                fh.write(data)
            else:
                data(fh)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(name, 0o644)  # mkstemp makes 0600; a web server must be able to read it
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
        raise
    return name


def write_atomic(target: Path, data: Content, *, durable: bool = True) -> None:
    """Replace `target` with `data` atomically. `durable=False` skips the flushes, for files
    that may be lost but never torn (the build cache: a lost one means a clean build)."""
    tmp = stage(target, data, durable=durable)
    try:
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if durable:
        fsync_dir(target.parent)


def create_new(target: Path, data: bytes) -> None:
    """Write a whole new file at `target` at once; raises `FileExistsError` when `target`
    exists, even when it appeared a moment ago (a hard link is atomic and refuses to replace)."""
    tmp = stage(target, data)
    try:
        os.link(tmp, target)
    finally:
        os.unlink(tmp)
    fsync_dir(target.parent)


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (the renames in it) to disk, where the system allows it."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def sync_filesystem(folder: Path) -> None:
    """Flush everything written to the file system that holds `folder` in one call (Linux's
    syncfs(2), else sync(2)): a clean build of a big site writes thousands of pages, and an
    fsync each cost it half a millisecond a page. Raises `OSError` when the flush fails (a
    full disk found only at writeback)."""
    syncfs = _syncfs()
    if syncfs is None:
        os.sync()
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        if syncfs(fd) != 0:
            import ctypes

            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code), str(folder))
    finally:
        os.close(fd)


@functools.cache
def _syncfs() -> Callable[[int], int] | None:
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
