"""Shared fixtures: the repository's paths, a project builder, and `--update-golden`."""

from __future__ import annotations

import http.server
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scofeed.config import Config, load_config
from scofeed.publish.build import build

REPO = Path(__file__).resolve().parent.parent
POSTS = REPO / "posts"
GOLDEN = Path(__file__).resolve().parent / "golden"
# The clock every test build runs at: long after the seed's posts, never the real time.
NOW = datetime(2026, 1, 1, tzinfo=UTC)

# A suite started as a background job of a script (`nohup ... &`) has SIGINT ignored, and every
# scofeed it starts would inherit that: the Ctrl-C tests would then test the runner. Python's
# own handler here gives the children the default again (exec resets a handler, not SIG_IGN).
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/golden/ from the current output instead of comparing with it.",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def project(tmp_path: Path) -> Callable[..., Config]:
    """A project folder in tmp_path with the given posts ({name: text}) and scofeed.toml text."""

    def make(posts: dict[str, str] | None = None, toml: str = "", seed: bool = False) -> Config:
        store = tmp_path / "posts"
        store.mkdir(exist_ok=True)
        if seed:
            for path in POSTS.glob("*.md"):
                shutil.copy(path, store / path.name)
        for name, text in (posts or {}).items():
            target = store / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        if toml:
            (tmp_path / "scofeed.toml").write_text(toml, encoding="utf-8")
        return load_config(tmp_path)

    return make


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`scofeed ARGS` in a real subprocess, as a user (or cron) runs it."""
    return subprocess.run(
        [sys.executable, "-m", "scofeed", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` (relative POSIX path -> bytes)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def post(front: str, body: str = "Body text.") -> str:
    return f"---\n{front.strip()}\n---\n\n{body}\n"


def notes(n: int, words: int) -> dict[str, str]:
    """`n` posts in five countries under two tags, over enough months for archives and pages."""
    places = ["Moscow", "Beijing", "Almaty", "Bishkek", "Tashkent"]
    out = {}
    for i in range(n):
        place = places[i % len(places)]
        out[f"2012-{i % 12 + 1:02d}-{i // 12 + 10}-note-{i}.md"] = post(
            f"title: Note {i} from {place}\ndate: 2012-{i % 12 + 1:02d}-{i // 12 + 10}\n"
            f"tags: [{'summit' if i % 2 else 'trade'}]",
            f"Officials met in {place}. " * words,
        )
    return out


def make_store(root: Path, n: int) -> None:
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


def clean_build(posts: Path, where: Path) -> dict[str, bytes]:
    shutil.copytree(posts, where / "posts")
    build(load_config(where), now=NOW)
    return tree(where / "output")


class Served:
    """`scofeed serve --port 0` in a real subprocess, in `root`: its URL and its request log
    (one line per request on stderr, read as it comes)."""

    def __init__(self, root: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scofeed", "serve", "--port", "0", *args],
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stderr is not None
        first = self.proc.stderr.readline()
        found = re.search(r" at (http://127\.0\.0\.1:\d+/) ", first)
        if found is None:
            self.proc.kill()
            raise AssertionError(f"scofeed serve did not start: {first}{self.proc.stderr.read()}")
        self.url = found.group(1)
        self.lines: list[str] = [first.rstrip("\n")]
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def logged(self, text: str, count: int = 1) -> list[str]:
        """The log lines containing `text`, once there are `count` of them (the server logs a
        request before its body is sent, so a line may trail the response a moment)."""
        with self._changed:
            self._changed.wait_for(
                lambda: sum(text in line for line in self.lines) >= count, timeout=10
            )
            return [line for line in self.lines if text in line]

    def stop(self, sig: int = signal.SIGINT) -> int:
        """Stop it as Ctrl-C does; its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(timeout=10)
        return self.proc.returncode


@pytest.fixture
def importing_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder, the current directory while the test runs, with no proxy
    between the importers and a server on 127.0.0.1."""
    monkeypatch.chdir(tmp_path)
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    return tmp_path


@contextmanager
def serving(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 answering with `handler`, for the test's time: its URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
