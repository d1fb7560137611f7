"""Publishing files into the output folder: atomic, unchanged files untouched, never outside it.

Every file is staged (written to a temporary file in its own folder, see
`scofeed.infra.atomic`) as the build makes it, all are flushed to disk before the first rename,
and the renames then follow one another at once: a build killed during that short run leaves
each file whole (old or new), and the next build completes the set. A file whose bytes did not
change is not touched at all, so its modification time, ETag and Last-Modified stay as they were.
Whether a published file still holds the bytes the cache recorded is asked here too
(`still_published`, `as_written`).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from scofeed.errors import OutputError
from scofeed.infra.atomic import TMP_PREFIX, fsync_dir, stage, sync_filesystem
from scofeed.posts.files import packed_version
from scofeed.publish.cache_records import FileRecord, stat_key_of

# Called with the name of each point a build passes ("locked", "read", "rendered 1",
# "staged 0", "renamed 0", "removed 0", "saved"): the test suite stops builds there, to show
# that one killed at that very point loses nothing.
Checkpoint = Callable[[str], None]


# A staged file: its path below the output folder, and its temporary file's name beside its
# target (None: the published file already holds these bytes).
Staged = tuple[str, str | None]

# Above this many changed files, one flush of the file system replaces an fsync per file.
BATCH = 64


def no_checkpoint(point: str) -> None:
    pass


@dataclass(frozen=True)
class PublishReport:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


def safe_target(output_dir: Path, relative: str, *, checked: set[str] | None = None) -> str:
    """`output_dir / relative` (as a string: a big build stages 100,000s of files, and a Path
    each interned every name in it), refusing any path that would land outside `output_dir`.
    With `checked`, each folder's real place is asked once (the folders found inside are
    added)."""
    parts = [part for part in relative.split("/") if part not in ("", ".")]
    if relative.startswith("/") or not parts or ".." in parts:
        raise OutputError(f"{relative!r}: refusing to write outside {output_dir}")
    target = os.path.join(output_dir, *parts)
    folder = os.path.dirname(target)
    if checked is not None and folder in checked:
        return target
    # A folder inside output/ may be a symlink someone planted: check where it really goes.
    real_parent, root = os.path.realpath(folder), os.path.realpath(output_dir)
    if real_parent != root and not real_parent.startswith(root.rstrip(os.sep) + os.sep):
        raise OutputError(f"{relative!r}: resolves to {real_parent}, outside {output_dir}")
    if checked is not None:
        checked.add(folder)
    return target


class Publication:
    """Files staged one by one as a build makes them (so a big site is never held in memory
    whole), then published together by `commit`, or all dropped by `discard`."""

    def __init__(
        self,
        output_dir: Path,
        checkpoint: Checkpoint = no_checkpoint,
        *,
        cache_dir: Path | None = None,
    ) -> None:
        usable_folder(output_dir)
        self.output_dir = output_dir
        self.checkpoint = checkpoint
        # Where the first staged file is noted (`mark_staging`), for the next build to look
        # for what a killed run left; None: a caller that cleans up after itself.
        self.cache_dir = cache_dir
        self.paths: set[str] = set()  # every file added, changed or not
        self.unchanged: list[str] = []
        # (relative, temporary file's name in the target's folder): plain strings, and no
        # folder repeated, as a big site stages 100,000s of them
        self.staged: list[tuple[str, str]] = []
        self._checked: set[str] = set()  # the folders `safe_target` found inside
        self._made: set[str] = set()  # the folders staging made or found (`stage`)
        self._marked = False  # `expect_staging` was called
        self._by_workers = False  # and workers may have staged files not yet adopted

    def add(self, relative: str, data: bytes) -> None:
        with self._reported():
            staged = self.prepare(relative, data)
        self.adopt(staged)

    def prepare(self, relative: str, data: bytes) -> Staged:
        """Stage one file, in this process or in a worker forked after `expect_staging` (a
        clean build's workers stage the files they render: sending every file's bytes to one
        process to write them made that process a clean build's bottleneck). The file is part
        of the publication once `adopt`ed. An `OutputError` says what could not be written."""
        target = safe_target(self.output_dir, relative, checked=self._checked)
        try:
            if _same_bytes(target, data):
                return relative, None
            self.expect_staging()
            return relative, os.path.basename(stage(target, data, durable=False, made=self._made))
        except OSError as exc:
            raise _cannot_write(exc, self.output_dir) from exc

    def adopt(self, staged: Staged) -> None:
        """Make a `prepare`d file part of the publication."""
        relative, name = staged
        self.paths.add(relative)
        if name is None:
            self.unchanged.append(relative)
            return
        self.staged.append((relative, name))
        self.checkpoint(f"staged {len(self.staged) - 1}")

    def expect_staging(self, *, by_workers: bool = False) -> None:
        """Note, before the first file is staged, that the output may hold this run's
        leftovers (`mark_staging`); `by_workers`: other processes are about to stage files,
        which `discard` must then look for in the output folder."""
        if not self._marked and self.cache_dir is not None:
            mark_staging(self.cache_dir)
        self._marked = True
        self._by_workers = self._by_workers or by_workers

    def commit(self, stale: Iterable[str] = ()) -> PublishReport:
        """Flush every staged file, rename each into place, then remove the `stale` paths."""
        self.staged.sort()
        with self._reported():
            # Many files are flushed together; a few, one by one.
            if len(self.staged) > BATCH:
                sync_filesystem(self.output_dir)
            else:
                for relative, name in self.staged:
                    _fsync(self._tmp(relative, name))
            for n, (relative, name) in enumerate(self.staged):
                os.replace(self._tmp(relative, name), os.path.join(self.output_dir, relative))
                self.checkpoint(f"renamed {n}")
        if len(self.staged) > BATCH:
            with contextlib.suppress(OSError):  # the renames, where the system allows
                sync_filesystem(self.output_dir)
        else:
            for folder in sorted({os.path.dirname(self._tmp(r, n)) for r, n in self.staged}):
                fsync_dir(Path(folder))

        removed = []
        for relative in sorted(stale):
            target = safe_target(self.output_dir, relative, checked=self._checked)
            if relative not in self.paths and os.path.isfile(target):
                os.unlink(target)
                removed.append(relative)
                self.checkpoint(f"removed {len(removed) - 1}")
                _prune(Path(target).parent, self.output_dir)
        return PublishReport(
            written=tuple(r for r, _ in self.staged),
            unchanged=tuple(sorted(self.unchanged)),
            removed=tuple(removed),
        )

    def discard(self) -> None:
        """Remove every staged file: the output stays as it was."""
        for relative, name in self.staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._tmp(relative, name))
        if self._by_workers:  # and those workers staged but no result named (a run stopped)
            clean_temp_files(self.output_dir)

    def _tmp(self, relative: str, name: str) -> str:
        return os.path.join(self.output_dir, os.path.dirname(relative), name)

    @contextlib.contextmanager
    def _reported(self) -> Iterator[None]:
        """A full disk, or Ctrl-C: no temporary file stays behind; an OSError says where."""
        try:
            yield
        except BaseException as exc:
            self.discard()
            if not isinstance(exc, OSError):
                raise
            raise _cannot_write(exc, self.output_dir) from exc


def _cannot_write(exc: OSError, output_dir: Path) -> OutputError:
    """What a failed write says: where, and why."""
    why = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
    return OutputError(f"{exc.filename or output_dir}: cannot write: {why}")


def publish(
    files: Mapping[str, bytes],
    output_dir: Path,
    *,
    stale: Iterable[str] = (),
    checkpoint: Checkpoint = no_checkpoint,
) -> PublishReport:
    """Write `files` (relative path -> bytes) into `output_dir`; remove the `stale` paths."""
    publication = Publication(output_dir, checkpoint)
    for relative in sorted(files):
        publication.add(relative, files[relative])
    return publication.commit(stale)


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _same_bytes(target: str, data: bytes) -> bool:
    try:
        if os.stat(target).st_size != len(data):
            return False
        with open(target, "rb") as file:
            return file.read() == data
    except FileNotFoundError:
        return False


def usable_folder(output_dir: Path) -> None:
    """The output folder, made if need be; an `OutputError` that says what is wrong if it
    cannot be (a file in its place, no permission)."""
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = "it is a file, not a folder" if output_dir.is_file() else exc.strerror or exc
        raise OutputError(
            f"{output_dir}: cannot publish there: {why}; make it a writable folder, or pass "
            "--output DIR"
        ) from None


# In the cache folder while files may be staged in the output folder: from before a build (or
# a `scofeed watch` edit) stages its first file until a build's cache is saved. Only then can a
# killed run have left temporary files, or published files its cache does not list; without
# it a rebuild need not walk the whole output folder for them (0.1 s at 14,000 files).
_STAGING = "staging"


def mark_staging(cache_dir: Path) -> None:
    """Say, before the first file is staged, that the output may hold this run's leftovers."""
    marker = cache_dir / _STAGING
    if not marker.exists():
        fd = os.open(marker, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            os.fsync(fd)  # before any staged file: a power cut must not keep those and lose it
        finally:
            os.close(fd)
        fsync_dir(cache_dir)


def staging_ended(cache_dir: Path) -> None:
    """The build's files and cache are saved: nothing of it is left to clean up."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(cache_dir / _STAGING)


def maybe_interrupted(cache_dir: Path) -> bool:
    """A run may have stopped while staging files (see `mark_staging`)."""
    return os.path.exists(cache_dir / _STAGING)


def clean_temp_files(output_dir: Path) -> None:
    """Remove temporary files a killed build left behind (they were never visible as feeds)."""
    # os.walk, not Path.rglob: a site of 14,000 files is walked on every rebuild, 3x quicker.
    for folder, _, names in os.walk(output_dir):
        for name in names:
            if name.startswith(TMP_PREFIX):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(folder, name))


def _prune(folder: Path, root: Path) -> None:
    """Remove `folder` and then each folder above it, up to `root`, while they are empty (a
    tag's last archive documents leave `history/` empty as well as `history/2/`)."""
    while folder != root:
        try:
            folder.rmdir()
        except OSError:  # not empty (or gone): the folders above hold something too
            return
        if root not in folder.parent.parents:  # never above the output folder's own level
            return
        folder = folder.parent


def still_published(files: dict[str, FileRecord], output_dir: Path) -> bool:
    """Every file of the last build (`files`, the cache's records) is in the output folder,
    byte for byte as written."""
    if not files:
        return False
    folder = os.path.join(output_dir, "")
    return all(as_written(folder, path, record) is not None for path, record in files.items())


def as_written(folder: str, path: str, record: FileRecord) -> FileRecord | None:
    """The record of the published file `path` in `folder` (the output folder, ending in a
    separator) when it still holds the bytes `record` says, else None: its stat, unchanged since
    it was written, says so without reading it (and `record` itself is returned: a rebuild's
    records of 140,000 kept files are the cache's, not copies); otherwise its hash decides, and
    the record gets the new stat. (No os.path.join: a rebuild asks this of every file of the
    site.)"""
    full = folder + path
    try:
        st = os.stat(full)
    except OSError:
        return None
    stat = packed_version(st)
    if stat == record[2]:
        return record
    if _sha(full) != record[1]:
        return None
    return (record[0], record[1], stat)


def kept_as_written(
    files: Mapping[str, FileRecord], planned: set[str], output_dir: Path
) -> dict[str, FileRecord] | None:
    """The records of the last build's `files` that this build does not make again (`planned`,
    after an edit that moved nothing), when every one is still as it was written; else None,
    and the build plans the whole site, which can make any file again (one removed or changed
    by hand)."""
    folder = os.path.join(output_dir, "")
    kept = {}
    for path, record in files.items():
        if path not in planned:
            found = as_written(folder, path, record)
            if found is None:
                return None
            kept[path] = found
    return kept


def with_stats(
    made: dict[str, FileRecord], replaced: set[str], output_dir: Path
) -> dict[str, FileRecord]:
    """`made`, with the stat filled in (in place) of each file rendered again whose published
    bytes were already the same: left as it was, not replaced."""
    out = str(output_dir)
    for path, record in made.items():
        if record[2] is None and path not in replaced:
            made[path] = (record[0], record[1], stat_key_of(os.path.join(out, path)))
    return made


def _sha(path: str) -> str | None:
    try:
        with open(path, "rb") as file:
            return hashlib.sha256(file.read()).hexdigest()
    except OSError:
        return None
