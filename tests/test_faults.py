"""Faults while publishing: a full disk or a read-only output folder loses nothing."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from typing import IO

import pytest

from scofeed.config import Config, load_config
from scofeed.errors import OutputError
from scofeed.infra import parallel
from scofeed.publish import output, rendering
from scofeed.publish.build import build

from conftest import NOW, POSTS, tree


def _site(tmp_path: Path) -> Config:
    shutil.copytree(POSTS, tmp_path / "posts")
    config = load_config(tmp_path)
    build(config, now=NOW)
    for path in (tmp_path / "posts").glob("*.md"):  # every feed now has something to rewrite
        path.write_text(path.read_text() + "\nA correction from Moscow.\n")
    return config


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EROFS, "Read-only file system"),
        (errno.EACCES, "Permission denied"),
    ],
)
@pytest.mark.parametrize("fail_at", [1, 5, 20])
@pytest.mark.parametrize("workers", [0, 2])
def test_a_failed_write_publishes_nothing_and_the_next_build_succeeds(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    code: int,
    message: str,
    fail_at: int,
    workers: int,
) -> None:
    """In this process, or in the forked workers that render and stage a big build's files
    (`workers`: the write that fails is then a worker's, whose files this process never
    named)."""
    config = _site(tmp_path)
    if workers:
        monkeypatch.setattr(parallel, "cores", lambda: workers)
        monkeypatch.setattr(rendering, "PARALLEL_FILES", 1)
        monkeypatch.setattr(rendering, "PARALLEL_ENTRIES", 1)
    before = tree(config.output_dir)
    real_fdopen = os.fdopen
    writes = 0

    class Failing:
        """A temporary file whose write fails like a full or read-only disk, the Nth time."""

        def __init__(self, fh: IO[bytes]) -> None:
            self.fh = fh

        def __enter__(self) -> Failing:
            return self

        def __exit__(self, *exc: object) -> None:
            self.fh.close()

        def write(self, data: bytes) -> int:
            nonlocal writes
            writes += 1
            if writes == fail_at:
                self.fh.write(data[: len(data) // 2])  # half written, then the disk says no
                raise OSError(code, os.strerror(code), self.fh.name)
            return self.fh.write(data)

        def __getattr__(self, name: str) -> object:
            return getattr(self.fh, name)

    def fdopen(fd: int, mode: str) -> Failing:
        return Failing(real_fdopen(fd, mode))

    # output.os is this very module: patched here, it reaches scofeed.infra.atomic too
    monkeypatch.setattr(os, "fdopen", fdopen)
    with pytest.raises(OutputError) as caught:
        build(config, now=NOW)
    assert message in str(caught.value)
    assert tree(config.output_dir) == before  # nothing renamed into place, no temp file left
    monkeypatch.undo()
    report = build(config, now=NOW)
    assert report.written
    assert not any(p.name.startswith(".scofeed-tmp") for p in config.output_dir.rglob("*"))


def test_a_failed_rename_leaves_every_feed_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _site(tmp_path)
    before = tree(config.output_dir)
    real_replace = os.replace
    calls = 0

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError(errno.EIO, "Input/output error", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OutputError, match="Input/output error"):
        build(config, now=NOW)
    after = tree(config.output_dir)
    assert sorted(after) == sorted(before)  # no temporary file left behind
    changed = [p for p in after if after[p] != before[p]]
    assert len(changed) == 2  # the two renames before the failure; each file whole
    monkeypatch.undo()
    build(config, now=NOW)
    clean = tmp_path / "clean"
    shutil.copytree(config.posts_dir, clean / "posts")
    build(load_config(clean), now=NOW)
    assert tree(config.output_dir) == tree(clean / "output")


def test_output_paths_never_leave_the_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "output"
    (tmp_path / "elsewhere").mkdir()
    out.mkdir()
    (out / "countries").symlink_to(tmp_path / "elsewhere")
    for bad in ("../x.xml", "/etc/x.xml", "countries/../../x.xml", "", "a/../../x.xml"):
        with pytest.raises(OutputError):
            output.safe_target(out, bad)
    with pytest.raises(OutputError, match="outside"):
        output.publish({"countries/russia/rss.xml": b"<rss/>"}, out)
    assert list((tmp_path / "elsewhere").iterdir()) == []
