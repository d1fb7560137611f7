"""Builds killed at chosen moments, and builds at the same time: what is published stays whole.

The moments are chosen, not guessed: `SCOFEED_STOP_AT=POINT` makes a build stop itself
(SIGSTOP) when it reaches POINT (see `scofeed.publish.output.Checkpoint`), and the test then
kills it there with SIGKILL, or starts a second build beside it. Every test therefore checks
what it says on every run, however loaded the machine.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from scofeed import validate
from scofeed.validate.jsonfeed import check_json

from conftest import NOW, clean_build, make_store, post, run_cli, tree

NOW_ISO = NOW.isoformat()
BUILD = [sys.executable, "-m", "scofeed", "build", "--now", NOW_ISO, "-q"]


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
        if path == "sitemap.xml":
            assert etree.fromstring(data).tag.endswith("urlset"), path
        elif path.endswith(".xml"):
            parsed = feedparser.parse(data)
            assert not parsed.bozo, (path, parsed.get("bozo_exception"))
            errors = [f for f in validate.validate_bytes(data, path) if f.severity == "error"]
            assert errors == [], path
        elif path.endswith(".json"):
            assert check_json(data, path) == [], path
        else:  # written whole or not at all: each ends as its renderer ends it
            ends = (b"</html>\n", b"</div>\n", b"</opml>\n", b"})();\n", b".xml\n", b" 301\n")
            assert data.endswith(ends), path
    return feeds


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return "gone"


def _stopped_at(point: str, cwd: Path) -> subprocess.Popen[bytes]:
    """A build started with SCOFEED_STOP_AT=point, once it has stopped there."""
    proc = subprocess.Popen(
        BUILD,
        cwd=cwd,
        env={**os.environ, "SCOFEED_STOP_AT": point},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while _state(proc.pid) != "T":
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise AssertionError(f"the build ended ({proc.returncode}) before {point}: {err}")
        assert time.monotonic() < deadline, f"the build never reached {point}"
        time.sleep(0.002)
    return proc


def _kill(proc: subprocess.Popen[bytes]) -> None:
    proc.kill()
    proc.wait()
    assert proc.returncode == -signal.SIGKILL


def _edit_every_post(root: Path, mark: str) -> None:
    """Change every post's text, so that the next build has every file to rewrite."""
    for path in (root / "posts").glob("*.md"):
        path.write_text(path.read_text() + f"\n{mark}.\n")


# Every stage of a build: after taking the lock, after reading the posts, after rendering the
# first file, after staging the first and the tenth temporary file, after renaming the first,
# the second and the tenth into place, after removing a stale file, after saving the cache.
POINTS = [
    "locked",
    "read",
    "rendered 1",
    "staged 0",
    "staged 9",
    "renamed 0",
    "renamed 1",
    "renamed 9",
    "removed 0",
    "saved",
]


@pytest.mark.slow
@pytest.mark.parametrize("point", POINTS)
def test_a_build_killed_at_any_point_leaves_every_published_file_whole(
    tmp_path: Path, point: str
) -> None:
    make_store(tmp_path, 40)
    # A post about Belarus, the only one: deleting it leaves the Belarus files stale.
    belarus = tmp_path / "posts" / "2011-01-01-minsk.md"
    belarus.write_text(post("title: Talks in Minsk\ndate: 2011-01-01", "Officials met."))
    assert run_cli("build", "--now", NOW_ISO, "-q", cwd=tmp_path).returncode == 0
    before = _feeds_whole(tmp_path / "output")

    _edit_every_post(tmp_path, "Revised")
    belarus.unlink()
    proc = _stopped_at(point, tmp_path)
    _kill(proc)

    after = _feeds_whole(tmp_path / "output", killed=True)
    # What a finished build removes: the Belarus feeds, the post's page, its month's page, the
    # home listing's last page.
    reference = clean_build(tmp_path / "posts", tmp_path / "ref")
    stale = set(before) - set(reference)
    assert {"countries/belarus/rss.xml", "2011/01/minsk.html"} <= stale
    assert set(after) - stale == set(before) - stale  # nothing else appears or disappears
    renamed = int(point.split()[1]) + 1 if point.startswith("renamed") else None
    changed = {p for p in after if after[p] != before.get(p)}
    if point in ("locked", "read", "rendered 1") or point.startswith("staged"):
        assert changed == set() and set(after) == set(before)  # nothing published yet
    elif renamed is not None:
        assert len(changed) == renamed  # exactly those renamed so far are new, all whole
    else:  # removing stale files comes after every rename
        assert changed and len(set(before) - set(after)) == (
            1 if point == "removed 0" else len(stale)
        )

    # The next build completes the set, and equals a clean one.
    result = run_cli("build", "--now", NOW_ISO, "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert _feeds_whole(tmp_path / "output") == reference


@pytest.mark.slow
@pytest.mark.parametrize("trials", [int(os.environ.get("SCOFEED_KILL_TRIALS", "10"))])
def test_builds_killed_at_random_moments_leave_the_published_feeds_whole(
    tmp_path: Path, trials: int
) -> None:
    """Beside the chosen points: kills at moments spread over a whole build's run."""
    make_store(tmp_path, 400)
    started = time.monotonic()
    assert run_cli("build", "--now", NOW_ISO, "-q", cwd=tmp_path).returncode == 0
    took = time.monotonic() - started
    first = _feeds_whole(tmp_path / "output")
    rng = random.Random(1)
    interrupted = 0
    for trial in range(trials):
        _edit_every_post(tmp_path, f"Revision {trial}")
        if trial % 3 == 0:
            shutil.rmtree(tmp_path / ".scofeed", ignore_errors=True)  # a slow, clean build
        proc = subprocess.Popen(BUILD, cwd=tmp_path, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, took))
        proc.kill()
        proc.wait()
        interrupted += proc.returncode == -signal.SIGKILL
        assert sorted(_feeds_whole(tmp_path / "output", killed=True)) == sorted(first)
    assert interrupted >= trials // 2, "most kills must land while the build runs"
    assert run_cli("build", "--now", NOW_ISO, "-q", cwd=tmp_path).returncode == 0
    assert _feeds_whole(tmp_path / "output") == clean_build(tmp_path / "posts", tmp_path / "ref")


@pytest.mark.parametrize("point", ["locked", "renamed 3"])
def test_a_second_build_while_one_runs_is_refused_and_changes_nothing(
    tmp_path: Path, point: str
) -> None:
    make_store(tmp_path, 20)
    assert run_cli("build", "--now", NOW_ISO, "-q", cwd=tmp_path).returncode == 0
    _edit_every_post(tmp_path, "Revised")
    first = _stopped_at(point, tmp_path)
    during = tree(tmp_path / "output")
    second = run_cli("build", "--now", NOW_ISO, cwd=tmp_path)
    assert second.returncode == 2
    assert second.stderr == (
        f"Error: {tmp_path / '.scofeed' / 'build.lock'}: another build is running "
        f"(pid {first.pid}); it holds the lock until it ends, so try again then\n"
    )
    assert tree(tmp_path / "output") == during  # the refused build touched nothing
    first.send_signal(signal.SIGCONT)
    assert first.wait(timeout=60) == 0
    assert _feeds_whole(tmp_path / "output") == clean_build(tmp_path / "posts", tmp_path / "ref")


def test_a_killed_build_leaves_no_stale_lock(tmp_path: Path) -> None:
    make_store(tmp_path, 0)
    proc = _stopped_at("locked", tmp_path)
    assert run_cli("build", "--now", NOW_ISO, cwd=tmp_path).returncode == 2
    _kill(proc)
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


@pytest.mark.slow
@pytest.mark.skipif(os.cpu_count() == 1, reason="one core: a build forks no worker")
def test_a_build_killed_while_its_workers_run_leaves_no_worker_and_no_lock(
    tmp_path: Path,
) -> None:
    make_store(tmp_path, 1500)  # enough posts to be parsed and rendered on every core
    proc = _stopped_at("rendered 1", tmp_path)  # the render workers are alive then
    workers = _children(proc.pid)
    assert workers, "the build renders on every core: itself and forked workers"
    _kill(proc)
    result = run_cli("build", "--now", NOW_ISO, "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr  # the lock went with the killed build
    _feeds_whole(tmp_path / "output")
    deadline = time.monotonic() + 10
    while any(_state(w) not in ("gone", "Z") for w in workers) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert all(_state(w) in ("gone", "Z") for w in workers), "a worker outlived its build"
