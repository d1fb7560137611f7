"""Running on a schedule: incremental builds equal clean ones, killed builds lose nothing,
two builds never interleave, progress only on a terminal."""

from __future__ import annotations

import dataclasses
import os
import pty
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser
import pytest

from scofeed import validate
from scofeed.config import Config, load_config
from scofeed.errors import InputError
from scofeed.posts import store
from scofeed.posts.post import Post
from scofeed.posts.store import load_posts
from scofeed.publish import rendering
from scofeed.publish.build import build
from scofeed.validate.jsonfeed import check_json

from conftest import NOW, POSTS, post, run_cli, tree

NOW_ISO = NOW.isoformat()


def _store(root: Path, n: int) -> None:
    """The seed's posts and `n` more, spread over countries and years."""
    shutil.copytree(POSTS, root / "posts")
    places = ["Moscow", "Beijing", "Almaty", "Bishkek", "Dushanbe", "Tashkent", "New Delhi"]
    for i in range(n):
        place = places[i % len(places)]
        (root / "posts" / f"2010-01-{i % 28 + 1:02d}-note-{i}.md").write_text(
            post(
                f"title: Note {i} from {place}\ndate: 2010-01-{i % 28 + 1:02d}T{i % 24:02d}:00:00Z",
                f"Officials met in {place}. " * 40,
            )
        )


def _clean_build(posts: Path, where: Path) -> dict[str, bytes]:
    shutil.copytree(posts, where / "posts")
    build(load_config(where), now=NOW)
    return tree(where / "output")


def test_incremental_builds_equal_clean_builds(tmp_path: Path) -> None:
    root = tmp_path / "site"
    _store(root, 60)
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
        clean = _clean_build(root / "posts", tmp_path / f"clean{step}")
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
    _store(tmp_path / "one", 40)
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
        patch.setattr(rendering, "_render_job", _noting(rendering._render_job, "render", pids))
        report = build(load_config(tmp_path / "many"), now=NOW)
        (tmp_path / "many" / "posts" / "2010-02-01-broken.md").write_text("---\ntitle: [\n---\n")
        with pytest.raises(InputError) as many:
            build(load_config(tmp_path / "many"), now=NOW)
    workers = {line.split()[1] for line in pids.read_text().splitlines()}
    assert str(os.getpid()) not in workers and len(workers) >= 2
    assert {line.split()[0] for line in pids.read_text().splitlines()} == {"parse", "render"}

    build(load_config(tmp_path / "one"), now=NOW)
    assert len(report.written) == 62
    assert tree(tmp_path / "many" / "output") == tree(tmp_path / "one" / "output")
    (tmp_path / "one" / "posts" / "2010-02-01-broken.md").write_text("---\ntitle: [\n---\n")
    with pytest.raises(InputError) as one:
        build(load_config(tmp_path / "one"), now=NOW)
    assert [(p.line, p.message) for p in many.value.problems] == [
        (p.line, p.message) for p in one.value.problems
    ]
    assert len(one.value.problems) == 1


def test_a_post_from_the_cache_is_the_post_from_its_file(tmp_path: Path) -> None:
    """Every field survives the cache, those left out of equality (source, digest) included."""
    _store(tmp_path, 3)
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

    gazetteer = load_gazetteer(config.gazetteer)
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
    _store(tmp_path, 0)
    config = load_config(tmp_path)
    build(config, now=NOW)
    target = next((tmp_path / "posts").glob("*.md"))
    os.utime(target, None)
    report = build(config, now=NOW)
    assert report.written == () and len(report.unchanged) == 62


def test_a_scheduled_post_appears_when_its_time_comes(tmp_path: Path) -> None:
    _store(tmp_path, 0)
    (tmp_path / "posts" / "later.md").write_text(post("date: 2026-03-01", "News from Minsk."))
    assert run_cli("build", "--now", NOW_ISO, "-q", cwd=tmp_path).returncode == 0
    assert not (tmp_path / "output/countries/belarus/rss.xml").exists()
    same = run_cli("build", "--now", "2026-02-28T23:59:59+00:00", "-v", cwd=tmp_path)
    assert same.stdout == ""  # nothing due yet: nothing written
    due = run_cli("build", "--now", "2026-03-01T00:00:00+00:00", "-v", cwd=tmp_path)
    assert "wrote output/countries/belarus/rss.xml" in due.stdout


def _feeds_whole(output: Path, killed: bool = False) -> dict[str, bytes]:
    """Every published feed parses, validates and is complete, and so is every other file
    (JSON feeds, pages, OPML, embed files); returns the tree without temporary files.

    A build killed between writing a temporary file and renaming it leaves that file behind
    (hidden, never at a published path); the next build removes it."""
    feeds = tree(output)
    for path in [p for p in feeds if p.split("/")[-1].startswith(".scofeed-tmp-")]:
        assert killed, f"temporary file {path} left by a build that was not killed"
        del feeds[path]
    for path, data in feeds.items():
        if path.endswith(".xml"):
            parsed = feedparser.parse(data)
            assert not parsed.bozo, (path, parsed.get("bozo_exception"))
            errors = [f for f in validate.validate_bytes(data, path) if f.severity == "error"]
            assert errors == [], path
        elif path.endswith(".json"):
            assert check_json(data, path) == [], path
        else:  # written whole or not at all: each ends as its renderer ends it
            assert data.endswith((b"</html>\n", b"</div>\n", b"</opml>\n", b"})();\n")), path
    return feeds


@pytest.mark.parametrize("trials", [int(os.environ.get("SCOFEED_KILL_TRIALS", "20"))])
def test_builds_killed_at_any_moment_leave_the_published_feeds_whole(
    tmp_path: Path, trials: int
) -> None:
    _store(tmp_path, 400)
    assert run_cli("build", "--now", NOW_ISO, "-q", cwd=tmp_path).returncode == 0
    first = _feeds_whole(tmp_path / "output")
    rng = random.Random(1)
    seen_states = set()
    for trial in range(trials):
        # Change every post's text, so the killed build has every feed to rewrite.
        for path in (tmp_path / "posts").glob("2010-*.md"):
            path.write_text(path.read_text() + f"\nRevision {trial}.\n")
        if trial % 5 == 0:
            shutil.rmtree(tmp_path / ".scofeed", ignore_errors=True)  # a slow, clean build
        proc = subprocess.Popen(
            [sys.executable, "-m", "scofeed", "build", "--now", NOW_ISO, "-q"],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.05, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now_published = _feeds_whole(tmp_path / "output", killed=True)
        assert sorted(now_published) == sorted(first)
        seen_states.add(proc.returncode)
    # The next good build completes the set, and equals a clean one.
    assert run_cli("build", "--now", NOW_ISO, "-q", cwd=tmp_path).returncode == 0
    assert _feeds_whole(tmp_path / "output") == _clean_build(tmp_path / "posts", tmp_path / "ref")
    assert seen_states  # every trial ran


def test_two_builds_at_once_never_interleave(tmp_path: Path) -> None:
    _store(tmp_path, 300)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "scofeed", "build", "--now", NOW_ISO, "-q"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 2]), results
    for code, err in results:
        if code == 2:
            assert "another build is running (pid" in err
    _feeds_whole(tmp_path / "output")


def test_a_killed_build_leaves_no_stale_lock(tmp_path: Path) -> None:
    _store(tmp_path, 0)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from pathlib import Path; from scofeed.publish.lock import build_lock\n"
            "with build_lock(Path('.scofeed')):\n    print('locked', flush=True); time.sleep(60)",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    assert run_cli("build", "--now", NOW_ISO, cwd=tmp_path).returncode == 2
    holder.kill()
    holder.wait()
    result = run_cli("build", "--now", NOW_ISO, "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its parent's reaping is left


def test_a_build_killed_while_its_workers_run_leaves_no_worker_and_no_lock(
    tmp_path: Path,
) -> None:
    _store(tmp_path, 1500)  # enough posts to be parsed on every core
    build_proc = subprocess.Popen(
        [sys.executable, "-m", "scofeed", "build", "--now", NOW_ISO, "-q"], cwd=tmp_path
    )
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while not workers and build_proc.poll() is None and time.monotonic() < deadline:
        workers = _children(build_proc.pid)
        time.sleep(0.005)
    assert workers, "the build never started workers"
    build_proc.kill()
    build_proc.wait()
    result = run_cli("build", "--now", NOW_ISO, "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr  # the lock went with the killed build
    _feeds_whole(tmp_path / "output")
    deadline = time.monotonic() + 10
    while any(map(_running, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(_running, workers)), "a worker outlived the build that forked it"


def test_progress_is_shown_on_a_terminal_only(tmp_path: Path) -> None:
    _store(tmp_path, 50)
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
