"""Running on a schedule: incremental builds equal clean ones, the cache keeps every field, a
scheduled post appears when its time comes, progress only on a terminal. (Killed and concurrent
builds: test_killed.py.)"""

from __future__ import annotations

import dataclasses
import os
import pty
import random
import shutil
import sys
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from scofeed.config import Config, load_config
from scofeed.errors import InputError
from scofeed.infra import parallel
from scofeed.posts import store
from scofeed.posts.files import FileStat
from scofeed.posts.post import Post
from scofeed.posts.store import load_posts
from scofeed.publish import rendering
from scofeed.publish.build import build
from scofeed.site import entries as entries_module
from scofeed.site import jsonfeed, splice

from conftest import NOW, clean_build, make_store, post, run_cli, tree

NOW_ISO = NOW.isoformat()


def test_incremental_builds_equal_clean_builds(tmp_path: Path) -> None:
    root = tmp_path / "site"
    make_store(root, 60)
    config = load_config(root)
    build(config, now=NOW)
    rng = random.Random(4)
    files = sorted((root / "posts").glob("*.md"))
    for step in range(6):
        victim = rng.choice(files)
        if step == 2:
            victim.unlink()
            files.remove(victim)
        elif step == 4:
            new = root / "posts" / f"2011-02-0{step}-added.md"
            new.write_text(post(f"title: Added\ndate: 2011-02-0{step}", "Talks in Minsk."))
            files.append(new)
        else:
            victim.write_text(victim.read_text() + f"\nEdit {step} in Kabul.\n")
        report = build(config, now=NOW)
        clean = clean_build(root / "posts", tmp_path / f"clean{step}")
        assert tree(root / "output") == clean, f"step {step}"
        assert report.written  # something changed each time
    # Deleting the cache changes no result and rewrites nothing.
    shutil.rmtree(root / ".scofeed")
    again = build(config, now=NOW)
    assert again.written == () and again.removed == ()


def _noting(fn: Callable[[Any, Any], Any], what: str, log: Path) -> Callable[[Any, Any], Any]:
    """A function `fork_map` runs, noting which process ran it."""

    def noted(shared: Any, item: Any) -> Any:
        with log.open("a") as fh:
            fh.write(f"{what} {os.getpid()}\n")
        return fn(shared, item)

    return noted


def test_builds_on_every_core_equal_builds_on_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsing and rendering in forked workers (which a small store never does) gives the same
    bytes, and the same problems, as in one process."""
    make_store(tmp_path / "one", 40)
    shutil.copytree(tmp_path / "one", tmp_path / "many")
    pids = tmp_path / "pids"
    with monkeypatch.context() as patch:
        patch.setattr("scofeed.infra.parallel.cores", lambda: 2)
        patch.setattr(store, "_PARALLEL_FROM", 2)
        patch.setattr(store, "_CHUNK", 7)
        patch.setattr(store, "_parse_chunk_flat", _noting(store._parse_chunk_flat, "parse", pids))
        patch.setattr(rendering, "PARALLEL_FILES", 1)
        patch.setattr(rendering, "PARALLEL_ENTRIES", 1)
        patch.setattr(rendering, "ENTRY_CHUNK", 3)
        patch.setattr(rendering, "MEMO_SIZE", 3)  # the workers read entries from the spill
        patch.setattr(rendering, "OWN_MEMO_SIZE", 3)  # and so does this process
        patch.setattr(rendering, "_render_job", _noting(rendering._render_job, "render", pids))
        report = build(load_config(tmp_path / "many"), now=NOW)
        (tmp_path / "many" / "posts" / "2010-02-01-broken.md").write_text("---\ntitle: [\n---\n")
        with pytest.raises(InputError) as many:
            build(load_config(tmp_path / "many"), now=NOW)
    # This process takes its share (every other item on two cores) beside a forked worker.
    workers = {line.split()[1] for line in pids.read_text().splitlines()}
    assert str(os.getpid()) in workers and len(workers) >= 2
    assert {line.split()[0] for line in pids.read_text().splitlines()} == {"parse", "render"}

    build(load_config(tmp_path / "one"), now=NOW)
    assert len(report.written) == 139  # 50 posts: feeds, pages, listings
    assert tree(tmp_path / "many" / "output") == tree(tmp_path / "one" / "output")
    (tmp_path / "one" / "posts" / "2010-02-01-broken.md").write_text("---\ntitle: [\n---\n")
    with pytest.raises(InputError) as one:
        build(load_config(tmp_path / "one"), now=NOW)
    assert [(p.line, p.message) for p in many.value.problems] == [
        (p.line, p.message) for p in one.value.problems
    ]
    assert len(one.value.problems) == 1


def test_on_two_cores_each_entry_is_written_and_checked_in_about_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The processes take the jobs in runs: a post's feed documents, rendered close together,
    mostly fall to one of them, which writes its entry text (and validates it in full) once.
    Dealt one job each in turn, both processes did most posts' (here 1.85 times the texts
    there are, checked), and a clean build of 10,000 posts on two cores took twice the CPU of
    one on one core."""
    make_store(tmp_path, 300)
    (tmp_path / "scofeed.toml").write_text("feed_limit = 10\n")  # many archive documents
    made = tmp_path / "made"
    real = entries_module.piece

    def noting(entry_for: Any, kind: str, post: Any, countries: Any, make: Any) -> str:
        def logged(post: Any, countries: Any) -> str:
            with made.open("a") as fh:
                fh.write(f"{os.getpid()} {kind} {post.path}\n")
            return make(post, countries)  # type: ignore[no-any-return]

        return real(entry_for, kind, post, countries, logged)

    monkeypatch.setattr("scofeed.infra.parallel.cores", lambda: 2)
    monkeypatch.setattr(rendering, "PARALLEL_FILES", 1)
    monkeypatch.setattr(rendering, "PARALLEL_ENTRIES", 1)
    monkeypatch.setattr(splice, "piece", noting)
    monkeypatch.setattr(jsonfeed, "piece", noting)
    build(load_config(tmp_path), now=NOW)
    lines = made.read_text().splitlines()
    assert len({line.split()[0] for line in lines}) == 2  # both processes wrote entries
    pieces = {tuple(line.split()[1:]) for line in lines}
    assert len(pieces) > 900  # three kinds of 300 posts and the seed's
    assert len(lines) < 1.5 * len(pieces), (len(lines), len(pieces))


def test_posts_parsed_on_every_core_share_what_they_have_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big store is parsed in workers, each post sent back with its own copies of its
    fields: alike tags, countries and authors come out as one shared value, the real path as
    the scan's own string, and the scan keeps a small stat, not the system's (memory at
    100,000 posts, README "Speed")."""
    for i in range(12):
        (tmp_path / f"2010-01-{i + 1:02d}-p{i}.md").write_text(
            post(f"title: Post {i}\ntags: [energy, summit]\nauthor: A. Writer\n")
            + "Ministers met in Moscow and Beijing.\n"
        )
    scanned = store.scan_posts(tmp_path)
    assert all(type(stat) is FileStat for _, _, stat in scanned)
    with monkeypatch.context() as patch:
        patch.setattr("scofeed.infra.parallel.cores", lambda: 2)
        patch.setattr(store, "_PARALLEL_FROM", 2)
        patch.setattr(store, "_CHUNK", 5)
        posts, problems = load_posts(tmp_path, tz=UTC, scanned=scanned)
    assert not problems and len(posts) == 12
    first = posts[0]
    for later in posts[1:]:
        assert later.tags == ("energy", "summit") and later.tags is first.tags
        assert later.author is first.author
    assert [p.source for p in posts] == [real for _, real, _ in scanned]
    assert all(p.source is real for p, (_, real, _) in zip(posts, scanned, strict=True))


def test_a_post_from_the_cache_is_the_post_from_its_file(tmp_path: Path) -> None:
    """Every field survives the cache, those left out of equality (source, digest) included."""
    make_store(tmp_path, 3)
    (tmp_path / "posts" / "full.md").write_text(
        post(
            "title: Every field\ndate: 0001-01-01T00:00:00.000001+23:59\n"
            "updated: 2020-02-29T23:59:59.5-04:30\nauthor: A. Writer\nsummary: In short.\n"
            "countries: [china, Russian Federation]\ntags: [a, b]\ncategories: [SCO (RTG)]\n"
            "comments: 3\ndraft: true\nid: tag:example.org,2008:full\nslug: every-field",
            "Talks in Astana.",
        )
    )
    config = load_config(tmp_path)
    build(config, now=NOW)
    fresh = build_module_posts(config, cached=False)
    cached = build_module_posts(config, cached=True)
    assert len(fresh) == 14
    assert [dataclasses.astuple(p) for p in cached] == [dataclasses.astuple(p) for p in fresh]
    assert [(p.source, p.digest) for p in cached] == [(p.source, p.digest) for p in fresh]


def build_module_posts(config: Config, *, cached: bool) -> list[Post]:
    from scofeed.posts.countries import load_gazetteer
    from scofeed.publish.cache import BuildCache, cache_key

    gazetteer = load_gazetteer(config.gazetteer, config.where)
    cache = BuildCache.load(config.cache_dir, cache_key(config, gazetteer))
    posts, problems = load_posts(
        config.posts_dir,
        tz=config.tzinfo,
        detect=gazetteer.detect,
        shown_from=config.root,
        cache=cache if cached else None,
    )
    assert problems == []
    return posts


def test_a_touched_file_is_not_reparsed_and_changes_nothing(tmp_path: Path) -> None:
    make_store(tmp_path, 0)
    config = load_config(tmp_path)
    build(config, now=NOW)
    target = next((tmp_path / "posts").glob("*.md"))
    os.utime(target, None)
    report = build(config, now=NOW)
    assert report.written == () and len(report.unchanged) == 85


def test_a_scheduled_post_appears_when_its_time_comes(tmp_path: Path) -> None:
    make_store(tmp_path, 0)
    (tmp_path / "posts" / "later.md").write_text(post("date: 2026-03-01", "News from Minsk."))
    assert run_cli("build", "--now", NOW_ISO, "-q", cwd=tmp_path).returncode == 0
    assert not (tmp_path / "output/countries/belarus/rss.xml").exists()
    same = run_cli("build", "--now", "2026-02-28T23:59:59+00:00", "-v", cwd=tmp_path)
    assert same.stdout == ""  # nothing due yet: nothing written
    due = run_cli("build", "--now", "2026-03-01T00:00:00+00:00", "-v", cwd=tmp_path)
    assert "wrote output/countries/belarus/rss.xml" in due.stdout


def test_progress_is_shown_on_a_terminal_only(tmp_path: Path) -> None:
    make_store(tmp_path, 50)
    pid, fd = pty.fork()
    if pid == 0:  # the child: a build whose stderr is a terminal
        os.chdir(tmp_path)
        os.execv(sys.executable, [sys.executable, "-m", "scofeed", "build", "--now", NOW_ISO])
    chunks = []
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.waitpid(pid, 0)
    shown = b"".join(chunks).decode(errors="replace")
    assert "writing feeds" in shown and "reading posts" in shown
    assert "posts read" in shown  # the summary line
    piped = run_cli("build", "--now", NOW_ISO, cwd=tmp_path)
    assert "writing feeds" not in piped.stderr and "reading posts" not in piped.stderr


def _square_noting(label: str, item: int) -> tuple[int, str, int]:
    """item squared, with which `shared` value and which process made it."""
    if item == 13:
        raise ValueError(f"item 13 in {label}")
    return item * item, label, os.getpid()


@pytest.mark.parametrize("cores", [2, 3])
def test_fork_map_keeps_order_and_the_calling_process_takes_its_share(
    monkeypatch: pytest.MonkeyPatch, cores: int
) -> None:
    monkeypatch.setattr(parallel, "cores", lambda: cores)
    items = [i for i in range(40) if i != 13]
    shared, own = "shared", "own"
    results = list(parallel.fork_map(_square_noting, items, shared=shared, own=own))
    assert [r[0] for r in results] == [i * i for i in items]  # in order
    # Every n-th item (by position) is this process's own, made with `own`; the rest in
    # forked workers, with `shared` as they inherited it.
    mine = [r for n, r in enumerate(results) if n % cores == 0]
    theirs = [r for n, r in enumerate(results) if n % cores]
    assert {(label, pid) for _, label, pid in mine} == {("own", os.getpid())}
    assert {label for _, label, _ in theirs} == {"shared"}
    assert os.getpid() not in {pid for _, _, pid in theirs}
    assert len({pid for _, _, pid in theirs}) <= cores - 1
    # A failure, in this process's share or a worker's, reaches the caller.
    for at in (0, 1):  # position 0 is this process's, 1 a worker's
        failing = [*items[:at], 13, *items[at:]]
        with pytest.raises(ValueError, match="item 13"):
            list(parallel.fork_map(_square_noting, failing, shared=shared, own=own))
