"""Guards of the performance contract (PERFORMANCE.md): each trick that pays is checked here
for what it must keep true, never for a timing (timings live in benchmarks/)."""

from __future__ import annotations

import gc
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from scofeed.config import load_config
from scofeed.errors import ScofeedError
from scofeed.posts.post import body_of
from scofeed.posts.store import load_posts
from scofeed.publish.build import build

from conftest import NOW, make_store, post

NOW_ISO = NOW.isoformat()
# What renders, parses or fetches: a no-op build from cron loads none of it.
HEAVY = (
    "feedgen",
    "lxml",
    "yaml",
    "pyromark",
    "nh3",
    "dateutil",
    "urllib.request",
    "multiprocessing",
    "scofeed.site.feeds",
    "scofeed.validate",
    "scofeed.importers",
)
LOADED = f"""
import sys, scofeed.cli
try:
    scofeed.cli.run(sys.argv[1:])
except SystemExit:
    pass
heavy = {HEAVY!r}
print(*sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy)))
"""


def _loaded(cwd: Path, *args: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", LOADED, *args], cwd=cwd, capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def test_a_no_op_build_loads_nothing_that_renders(tmp_path: Path) -> None:
    make_store(tmp_path, 5)
    first = _loaded(tmp_path, "build", "--now", NOW_ISO, "-q")
    assert {"feedgen", "lxml.etree", "yaml", "scofeed.validate"} <= first  # it rendered
    assert _loaded(tmp_path, "build", "--now", NOW_ISO, "-q") == set()


@pytest.mark.slow
def test_a_one_post_rebuild_of_a_big_store_stays_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_store(tmp_path, 1500)
    config = load_config(tmp_path)
    build(config, now=NOW)

    def no_fork(*args: object, **kwargs: object) -> None:
        raise AssertionError("a rebuild after one edit forked workers")

    monkeypatch.setattr("concurrent.futures.ProcessPoolExecutor", no_fork)
    edited = tmp_path / "posts" / "2010-01-05-note-4.md"
    edited.write_text(edited.read_text() + "\nTalks in Minsk.\n")
    assert build(config, now=NOW).written


def test_only_a_rebuild_after_an_unfinished_run_walks_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from scofeed.publish.output import mark_staging

    make_store(tmp_path, 5)
    config = load_config(tmp_path)
    build(config, now=NOW)
    walked: list[str] = []
    real_walk = os.walk

    def walk(top: str | Path) -> object:
        walked.append(str(top))
        return real_walk(top)

    monkeypatch.setattr(os, "walk", walk)
    edited = tmp_path / "posts" / "2010-01-05-note-4.md"
    edited.write_text(edited.read_text() + "\nTalks in Minsk.\n")
    assert build(config, now=NOW).written
    assert str(config.output_dir) not in walked
    # A run that staged files and never said it ended (killed, or a `scofeed watch` edit):
    # the next rebuild looks for what it left, and removes it.
    mark_staging(config.cache_dir)
    leftover = config.output_dir / ".scofeed-tmp-left"
    leftover.write_bytes(b"half a feed")
    edited.write_text(edited.read_text() + "\nTalks in Tashkent.\n")
    assert build(config, now=NOW).written
    assert str(config.output_dir) in walked and not leftover.exists()
    assert not (config.cache_dir / "staging").exists()


def test_the_store_keeps_no_body_and_reads_it_again_only_if_unchanged(tmp_path: Path) -> None:
    make_store(tmp_path, 0)
    (tmp_path / "posts" / "a.md").write_text(post("date: 2008-05-19", "Talks in Minsk."))
    posts, problems = load_posts(tmp_path / "posts", tz=load_config(tmp_path).tzinfo)
    assert problems == [] and all(p.body is None for p in posts)
    [held] = [p for p in posts if p.slug == "a"]
    assert hashlib.sha256(Path(held.source).read_bytes()).hexdigest() == held.digest
    assert body_of(held).strip() == "Talks in Minsk."
    Path(held.source).write_text(post("date: 2008-05-19", "Talks in Kabul."))
    with pytest.raises(ScofeedError, match="changed while the build ran"):
        body_of(held)  # never a feed that mixes two versions of a post


def test_a_build_used_as_a_library_leaves_the_process_as_it_was(tmp_path: Path) -> None:
    make_store(tmp_path, 5)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    build(load_config(tmp_path), now=NOW)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_scan_and_the_pages_plan_are_gone_when_the_cache_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The end of a big build is its peak (PERFORMANCE.md, "Memory"): what it no longer needs
    # must be gone by then. The pages' plan was kept by a second name, and the scan by the
    # caller that passed it, through the cache's writing.
    from scofeed.posts.files import FileStat
    from scofeed.publish.cache import BuildCache
    from scofeed.site.archive import Listed, ListPage, PostPage

    make_store(tmp_path, 20)
    alive: list[int] = []
    real_stage = BuildCache.stage

    def stage(self: BuildCache, *args: object) -> object:
        kinds = (FileStat, PostPage, ListPage, Listed)
        alive.append(sum(isinstance(o, kinds) for o in gc.get_objects()))
        return real_stage(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(BuildCache, "stage", stage)
    config = load_config(tmp_path)
    gc.disable()  # a collection untracks tuples of ints (a `FileStat`): they would not be counted
    try:
        assert build(config, now=NOW).written
        edited = tmp_path / "posts" / "2010-01-05-note-4.md"
        edited.write_text(edited.read_text() + "\nTalks in Minsk.\n")
        assert build(config, now=NOW).written  # after an edit that moved nothing: planned apart
    finally:
        gc.enable()
    assert alive == [0, 0]
