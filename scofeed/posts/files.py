"""The files of a folder, found and read without trusting them: what the post store and the
static folder stand on. Nothing here knows what a post is."""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Iterator
from operator import itemgetter
from pathlib import Path
from stat import S_ISREG
from typing import NamedTuple

from scofeed.errors import Problem
from scofeed.posts.limits import MAX_POST_BYTES


class FileStat(NamedTuple):
    """What a scan keeps of a file's stat, named as `os.stat_result` names it: a full result is
    a 600-byte object, and a scan of 100,000 posts kept one per file (60 MB)."""

    st_size: int
    st_mtime_ns: int
    st_ino: int
    st_ctime_ns: int


def file_stat(stat: os.stat_result) -> FileStat:
    return FileStat(stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)


# One post file as the store found it: its key (path below the store), real path, and its
# stat, or the reason it cannot be used.
PostFile = tuple[str, str, FileStat | str]


# Folders inside folders: more is a mistake (or an attack), and paths would outgrow the system.
MAX_FOLDER_DEPTH = 64


def walk_files(
    posts_dir: Path, suffix: str | None, called: str, *, skip_hidden: bool = False
) -> list[PostFile]:
    """Every file below `posts_dir` named `*suffix` (any name when None; none starting with
    "." when `skip_hidden`) with its stat, sorted by key (no file is read).

    Folders linked from inside are followed once (a link loop ends there); a link that leads
    out of the store, a folder that cannot be read and anything that is no regular file (a
    FIFO, a device) is reported under its name, never followed, read or waited on.
    """
    root = os.path.realpath(posts_dir)
    inside = root + os.sep
    found: list[tuple[tuple[str, ...], PostFile]] = []
    seen: set[str] = set()
    # From the real root: a path given relative, or through a link, is inside it all the same.
    todo: list[tuple[str, tuple[str, ...]]] = [(root, ())]

    def refuse(parts: tuple[str, ...], real: str, why: str) -> None:
        found.append((parts, ("/".join(parts), real, why)))

    while todo:
        folder, parts = todo.pop()
        real_folder = os.path.realpath(folder)
        if real_folder in seen:
            continue
        seen.add(real_folder)
        if len(parts) > MAX_FOLDER_DEPTH:
            refuse((*parts[:-1], parts[-1] + "/"), real_folder,
                   f"folders nest over {MAX_FOLDER_DEPTH} deep here; flatten them")  # fmt: skip
            continue
        prefix = "/".join(parts) + "/" if parts else ""  # each key's folders, joined once
        # The folder's entries one at a time: each keeps its full stat once asked, and a list
        # of a flat store's 300,000 entries was most of a no-op build's peak memory (390 MB).
        try:
            for entry in _entries(folder):
                name = entry.name
                if skip_hidden and name[0] == ".":
                    continue
                real = os.path.realpath(entry.path) if entry.is_symlink() else entry.path
                try:
                    is_dir = entry.is_dir()
                except OSError as exc:  # a link loop: a post by its name, or nothing at all
                    if suffix is None or name.endswith(suffix):
                        refuse((*parts, name), real, f"cannot be read: {exc.strerror or exc}")
                    continue
                if is_dir:
                    if real != root and not real.startswith(inside):
                        refuse((*parts, name + "/"), real,
                               f"links to {real}, outside {called}; copy it in")  # fmt: skip
                    else:
                        todo.append((entry.path, (*parts, name)))
                    continue
                if suffix is None or name.endswith(suffix):
                    stat = _stat_of(entry, real, inside, called)
                    found.append(((*parts, name), (prefix + name, real, stat)))
        except OSError as exc:  # the folder cannot be read, or failed half-way
            shown = (*parts[:-1], parts[-1] + "/") if parts else ("./",)
            refuse(shown, real_folder, f"cannot be read: {exc.strerror or exc}")
    found.sort(key=itemgetter(0))
    return [post_file for _, post_file in found]


def _stat_of(entry: os.DirEntry[str], real: str, inside: str, called: str) -> FileStat | str:
    """A found file's stat, or why it cannot be used (`inside`: the store's real path and a
    separator)."""
    if not real.startswith(inside):
        return f"links to {real}, outside {called}; copy it in"
    try:
        full = entry.stat()
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if not S_ISREG(full.st_mode):
        return "is no regular file (a FIFO, a device or a socket); remove it"
    return file_stat(full)


def _entries(folder: str) -> Iterator[os.DirEntry[str]]:
    """The folder's entries as it is read; an OSError if it cannot be, at first or half-way."""
    with os.scandir(folder) as scan:
        yield from scan


def file_version(stat: os.stat_result | FileStat) -> tuple[int, int, int, int]:
    """What tells one version of a post file from another without reading it: size,
    modification time, inode (an editor that saves by renaming gives a new one) and change
    time, which every write moves and nobody can set back (`rsync -t` and `touch -d` restore
    the modification time of an edited file, never its change time)."""
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)


# `file_version`'s four numbers in 32 bytes: as a tuple of four ints they take 200, and the
# build cache keeps one for every post file and every published file.
_VERSION = struct.Struct("<QqQq")


def packed_version(stat: os.stat_result | FileStat) -> bytes:
    """`file_version` packed: 32 bytes, or its text for a time no 64-bit count of nanoseconds
    holds (before 1678 or after 2262: a clock set wrong, `touch -d 3000-01-01`)."""
    try:
        return _VERSION.pack(stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)
    except struct.error:
        return repr(file_version(stat)).encode()


def scan_signature(scanned: list[PostFile]) -> str:
    """Changes when any post file is added, removed, moved or touched. (Packed versions go in
    as bytes: this runs on every no-op build, and formatting them as text took twice as long.)"""
    stats: list[FileStat] = []
    unusable: list[tuple[str, str]] = []
    for key, _, stat in scanned:
        if isinstance(stat, str):
            unusable.append((key, stat))
        else:
            stats.append(stat)
    digest = hashlib.sha256("\0".join(key for key, _, _ in scanned).encode())
    pack = _VERSION.pack  # a FileStat's numbers are in the packed order
    try:
        digest.update(b"".join([pack(*stat) for stat in stats]))
    except struct.error:  # a time out of range somewhere: each as `packed_version` has it
        digest.update(b"".join([packed_version(stat) for stat in stats]))
    digest.update(repr(unusable).encode())
    return digest.hexdigest()


def shown(path: Path, base: Path) -> str:
    """How messages name a file: relative to `base` (where the command runs) when inside it."""
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


def read_bytes(path: str, size: int, shown: str, problems: list[Problem]) -> bytes | None:
    if size > MAX_POST_BYTES:
        problems.append(
            Problem(
                shown,
                None,
                f"is {size / 1e6:.1f} MB, over the {MAX_POST_BYTES // 2**20} MiB a post "
                "may have; split it or link to the material instead",
            )
        )
        return None
    try:
        # Non-blocking: a file that became a FIFO since the scan is refused, not waited on.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            stat = os.fstat(fd)
            if not S_ISREG(stat.st_mode):
                why = "is no regular file (a FIFO, a device or a socket); remove it"
                problems.append(Problem(shown, None, why))
                return None
            # Asked for by its size (one byte more, to see it grew): asking for the cap would
            # make Python allocate 4 MiB for every post, a third of a clean build's time.
            data = _read_up_to(fd, min(stat.st_size, MAX_POST_BYTES) + 1, MAX_POST_BYTES + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        problems.append(Problem(shown, None, f"cannot be read: {exc.strerror or exc}"))
        return None
    if len(data) > MAX_POST_BYTES:  # it grew since the scan
        return read_bytes(path, len(data), shown, problems)
    return data


def _read_up_to(fd: int, first: int, cap: int) -> bytes:
    """The file's bytes, reading `first` at once and then on to `cap` at most."""
    chunks = [os.read(fd, first)]
    total = len(chunks[0])
    if total < first:
        return chunks[0]  # the end of a regular file: no second read needed
    while chunks[-1] and total < cap:
        chunks.append(os.read(fd, min(cap - total, 1 << 16)))
        total += len(chunks[-1])
    return b"".join(chunks)
