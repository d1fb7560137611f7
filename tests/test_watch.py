"""`scofeed watch` as a user runs it: a real process watching a project folder in tmp_path,
edited the ways editors and git edit it. What it leaves in output/ must be byte for byte what a
fresh `scofeed build` of the same files writes. Every wait is on a condition with a generous
timeout; no duration is asserted."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import POSTS, notes, post, tree

TIMEOUT = 60.0  # seconds for any one condition; a loaded 2-core machine is slow, never this slow
TOML = 'title = "SCO (RTG)"\nbase_url = "https://example.org/sco/"\nfeed_limit = 5\n'


class Watching:
    """`scofeed watch` in `root`: its stderr lines as they come, and a clean stop."""

    def __init__(self, root: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scofeed", "watch", *args],
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.wait_lines(1, "full build")

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def rebuilds(self) -> list[str]:
        with self._changed:
            return [line for line in self.lines if re.search(r": (full build|rebuilt), ", line)]

    def wait_lines(self, count: int, text: str = "") -> list[str]:
        """The rebuild lines once there are `count` (the last one containing `text`)."""

        def ready() -> bool:
            found = self.rebuilds()
            return len(found) >= count and text in found[count - 1]

        with self._changed:
            self._changed.wait_for(lambda: ready() or self.proc.poll() is not None, TIMEOUT)
        found = self.rebuilds()
        assert len(found) >= count and text in found[count - 1], "\n".join(self.lines)
        return found

    def wait_for(self, text: str) -> None:
        with self._changed:
            self._changed.wait_for(lambda: any(text in line for line in self.lines), TIMEOUT)
            assert any(text in line for line in self.lines), "\n".join(self.lines)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(timeout=10)
        return self.proc.returncode


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "posts").mkdir(parents=True)
    for path in POSTS.glob("*.md"):
        shutil.copy(path, root / "posts" / path.name)
    for name, text in notes(24, 20).items():
        (root / "posts" / name).write_text(text, encoding="utf-8")
    (root / "scofeed.toml").write_text(TOML, encoding="utf-8")
    return root


@pytest.fixture
def watching(site: Path) -> Iterator[Callable[..., Watching]]:
    started: list[Watching] = []

    def start(*args: str) -> Watching:
        started.append(Watching(site, *args))
        return started[-1]

    yield start
    for watch in started:
        watch.stop()


def fresh_build(site: Path, where: Path) -> dict[str, bytes]:
    """What `scofeed build` writes from the same files, in a folder of its own."""
    where.mkdir()
    shutil.copytree(site / "posts", where / "posts")
    shutil.copy(site / "scofeed.toml", where / "scofeed.toml")
    if (site / "templates").is_dir():
        shutil.copytree(site / "templates", where / "templates")
    done = subprocess.run(
        [sys.executable, "-m", "scofeed", "build", "-q"], cwd=where, capture_output=True,
        text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return tree(where / "output")


def assert_same_output(site: Path, where: Path) -> None:
    watched, built = tree(site / "output"), fresh_build(site, where)
    assert sorted(watched) == sorted(built)
    differ = [path for path in built if watched[path] != built[path]]
    assert differ == []


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def page_of(site: Path, year: str, slug: str) -> Path:
    (found,) = (site / "output" / year).rglob(f"{slug}.html")
    return found


def test_a_series_of_edits_leaves_what_a_fresh_build_writes(
    site: Path, watching: Callable[..., Watching], tmp_path: Path
) -> None:
    watch = watching()
    posts = site / "posts"
    n = 1

    def add() -> None:
        text = post("title: A new one\ndate: 2012-06-20\ncountries: [Russia]")
        (posts / "2012-06-20-new.md").write_text(text, encoding="utf-8")

    def rename() -> None:
        (posts / "2012-04-10-note-3.md").rename(posts / "2012-04-10-renamed.md")

    steps: list[tuple[Callable[[], None], str]] = [
        # a new post, one removed, one renamed: full builds
        (add, "full build"),
        ((posts / "2012-03-10-note-2.md").unlink, "full build"),
        (rename, "full build"),
        # a tag and a country changed: the post moves between feeds and pages
        (lambda: edit(posts / "2012-05-10-note-4.md", "[trade]", "[energy]"), "full build"),
        (lambda: edit(posts / "2012-07-10-note-6.md", "in Beijing.", "in Minsk."), "full build"),
        # the text and the title: the quick path
        (lambda: edit(posts / "2012-08-10-note-7.md", "Officials", "Ministers"), "rebuilt"),
        (lambda: edit(posts / "2012-09-10-note-8.md", "Note 8", "Retitled 8"), "rebuilt"),
        (lambda: edit(posts / "2012-06-20-new.md", "Body text.", "Body *new*."), "rebuilt"),
    ]
    for step, kind in steps:
        step()
        n += 1
        watch.wait_lines(n, kind)
    page = page_of(site, "2012", "note-8")
    assert b"Retitled 8" in page.read_bytes()
    assert watch.stop() == 0
    assert "Traceback" not in "\n".join(watch.lines)
    assert watch.lines[-1] == "scofeed: stopped"
    assert_same_output(site, tmp_path / "fresh")


def test_quick_edits_alone_match_a_fresh_build(
    site: Path, watching: Callable[..., Watching], tmp_path: Path
) -> None:
    """Only the quick path, so no full build can have mended what it missed: the post's page,
    its neighbours' (they show its title), listings, feeds and archive documents."""
    watch = watching()
    posts = site / "posts"
    for n, i in enumerate((0, 11, 12, 23), 2):  # the oldest, the newest and between
        name = next(p for p in os.listdir(posts) if p.endswith(f"-note-{i}.md"))
        text = (posts / name).read_text(encoding="utf-8")
        text = text.replace(f"title: Note {i}", f"title: Edited {i}")
        (posts / name).write_text(text.replace("Officials met", "Officials *met*"))
        watch.wait_lines(n, "rebuilt")
    assert_same_output(site, tmp_path / "fresh")


def test_editors_saves_are_one_quick_rebuild(
    site: Path, watching: Callable[..., Watching], tmp_path: Path
) -> None:
    watch = watching()
    target = site / "posts" / "2012-02-10-note-1.md"
    # vim: probe file 4913, the original renamed to a backup, the new text written, the
    # backup and a swap file removed
    probe = target.parent / "4913"
    probe.write_text("")
    probe.unlink()
    swap = target.parent / ".2012-02-10-note-1.md.swp"
    swap.write_text("swap")
    text = target.read_text(encoding="utf-8")
    backup = target.with_name(target.name + "~")
    target.rename(backup)
    target.write_text(text.replace("title: Note 1 ", "title: Vim 1 "), encoding="utf-8")
    backup.unlink()
    swap.unlink()
    found = watch.wait_lines(2, "rebuilt")
    assert "2012-02-10-note-1.md" in found[1]
    # an atomic save: a temporary file beside it, renamed over it
    temporary = target.with_name(".note-1.tmp123")
    temporary.write_text(target.read_text().replace("Vim 1", "Atomic 1"), encoding="utf-8")
    temporary.replace(target)
    watch.wait_lines(3, "rebuilt")
    assert b"Atomic 1" in page_of(site, "2012", "note-1").read_bytes()
    time.sleep(1.0)  # nothing else may follow: the editors' files are no posts
    assert len(watch.rebuilds()) == 3, "\n".join(watch.lines)
    assert_same_output(site, tmp_path / "fresh")


def test_a_post_with_an_error_keeps_the_last_good_output_until_fixed(
    site: Path, watching: Callable[..., Watching], tmp_path: Path
) -> None:
    watch = watching()
    target = site / "posts" / "2012-05-10-note-4.md"
    page = page_of(site, "2012", "note-4")
    good = target.read_text(encoding="utf-8")
    target.write_text(good.replace("date: 2012-05-10", "date: 19th May"), encoding="utf-8")
    watch.wait_for("posts/2012-05-10-note-4.md:3: ")
    assert b"Note 4 from" in page.read_bytes()
    target.write_text(good.replace("title: Note 4", "title: Fixed 4"), encoding="utf-8")
    watch.wait_lines(2, "2012-05-10-note-4.md")
    assert b"Fixed 4" in page.read_bytes()
    assert_same_output(site, tmp_path / "fresh")


def test_a_template_or_the_configuration_gives_a_full_build(
    site: Path, watching: Callable[..., Watching], tmp_path: Path
) -> None:
    watch = watching()
    templates = site / "templates"
    templates.mkdir()
    source = Path(__file__).resolve().parent.parent / "scofeed" / "templates" / "post.html"
    text = source.read_text(encoding="utf-8")
    assert "</article>" in text
    (templates / "post.html").write_text(text.replace("</article>", "<p>Marked</p></article>"))
    watch.wait_lines(2, "full build")
    assert b"<p>Marked</p>" in page_of(site, "2012", "note-4").read_bytes()
    (site / "scofeed.toml").write_text(TOML.replace("SCO (RTG)", "Renamed site"))
    watch.wait_lines(3, "full build")
    assert b"Renamed site" in (site / "output" / "rss.xml").read_bytes()
    assert_same_output(site, tmp_path / "fresh")


@pytest.mark.slow
def test_a_checkout_of_500_files_is_one_rebuild(site: Path, tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=site, check=True, capture_output=True, timeout=120)

    git("init", "-q", "-b", "main")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "add", "posts", "scofeed.toml")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "one")
    git("checkout", "-qb", "many")
    for i in range(500):
        (site / "posts" / f"2011-{i % 12 + 1:02d}-{i % 28 + 1:02d}-many-{i}.md").write_text(
            post(f"title: Many {i}\ndate: 2011-{i % 12 + 1:02d}-{i % 28 + 1:02d}"),
            encoding="utf-8",
        )
    git("add", "posts")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "many")
    git("checkout", "-q", "main")
    watch = Watching(site)
    try:
        git("checkout", "-q", "many")
        found = watch.wait_lines(2, "full build")
        time.sleep(2.0)  # a second rebuild would have begun by now
        assert len(watch.rebuilds()) == 2, "\n".join(watch.lines)
        assert "2011-" in found[1]
    finally:
        assert watch.stop() == 0
    assert_same_output(site, tmp_path / "fresh")
