"""Publishing files into the output folder: atomic, unchanged files untouched, never outside it.

The guarantee: every file is written to a temporary file in its own folder, flushed to disk and
renamed over the old one, so a reader or web server sees the old file or the new one, whole,
never a mix. A build's files are all written out before the first rename, and the renames follow
one another at once; a build killed during that short run leaves each file whole (old or new),
and the next build completes the set. A file whose bytes did not change is not touched at all,
so its modification time, ETag and Last-Modified stay as they were.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from scofeed.errors import LockedError, OutputError

_TMP_PREFIX = ".scofeed-tmp-"


@dataclass(frozen=True)
class PublishReport:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


def safe_target(output_dir: Path, relative: str) -> Path:
    """`output_dir / relative`, refusing any path that would land outside `output_dir`."""
    rel = PurePosixPath(relative)
    if rel.is_absolute() or not rel.parts or any(part in ("", ".", "..") for part in rel.parts):
        raise OutputError(f"{relative!r}: refusing to write outside {output_dir}")
    target = output_dir.joinpath(*rel.parts)
    # A folder inside output/ may be a symlink someone planted: check where it really goes.
    real_parent = target.parent.resolve()
    if not real_parent.is_relative_to(output_dir.resolve()):
        raise OutputError(f"{relative!r}: resolves to {real_parent}, outside {output_dir}")
    return target


def publish(
    files: Mapping[str, bytes], output_dir: Path, *, stale: Iterable[str] = ()
) -> PublishReport:
    """Write `files` (relative path -> bytes) into `output_dir`; remove the `stale` paths.

    Nothing is renamed into place until every changed file has been written and flushed.
    """
    output_dir.mkdir(parents=True, exist_ok=True)
    changed: list[tuple[Path, str, bytes]] = []
    unchanged: list[str] = []
    for relative in sorted(files):
        target = safe_target(output_dir, relative)
        data = files[relative]
        if _same_bytes(target, data):
            unchanged.append(relative)
        else:
            changed.append((target, relative, data))

    staged: list[tuple[Path, Path]] = []
    try:
        for target, _, data in changed:
            staged.append((_write_temp(target, data), target))
        for tmp, target in staged:
            os.replace(tmp, target)
    except OSError as exc:
        for tmp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        reason = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        raise OutputError(f"{exc.filename or output_dir}: cannot write: {reason}") from exc
    for folder in {target.parent for _, target in staged}:
        _fsync_dir(folder)

    removed = []
    for relative in sorted(stale):
        target = safe_target(output_dir, relative)
        if relative not in files and target.is_file():
            target.unlink()
            removed.append(relative)
            with contextlib.suppress(OSError):  # only when the folder is now empty
                target.parent.rmdir()
    return PublishReport(
        written=tuple(r for _, r, _ in changed), unchanged=tuple(unchanged), removed=tuple(removed)
    )


def _same_bytes(target: Path, data: bytes) -> bool:
    try:
        if target.stat().st_size != len(data):
            return False
        return target.read_bytes() == data
    except FileNotFoundError:
        return False


def _write_temp(target: Path, data: bytes) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    import tempfile  # only a build that writes needs it

    fd, name = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(name, 0o644)  # mkstemp makes 0600; a web server must be able to read feeds
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
        raise
    return Path(name)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def clean_temp_files(output_dir: Path) -> None:
    """Remove temporary files a killed build left behind (they were never visible as feeds)."""
    if output_dir.is_dir():
        for leftover in output_dir.rglob(f"{_TMP_PREFIX}*"):
            with contextlib.suppress(OSError):
                leftover.unlink()


@contextlib.contextmanager
def build_lock(cache_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock for one build. The kernel drops it when the process dies, so a
    killed build never leaves a stale lock behind. It is a POSIX record lock (`lockf`), which a
    forked worker does not inherit, unlike `flock`'s: a build killed while its workers finish
    their last task leaves the lock free at once."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / "build.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
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
