"""WebSub: hub links in the feeds, and `scofeed build` announcing exactly the feeds whose bytes
changed to a hub on 127.0.0.1, keeping what a hub did not take for the next run.

The hub is a recording one that speaks the publish request (form-encoded POST, 204/202): the
real hubs on PyPI need a task queue to run at all (flask-websub: Celery), and their fan-out
fetches the topic, which these tests do too, from a server over output/."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qsl
from urllib.request import urlopen

import feedparser
import pytest

from scofeed.config import load_config
from scofeed.errors import ConfigError
from scofeed.publish import websub

from conftest import POSTS, post, run_cli, serving, tree

NOW = "2026-01-01T00:00:00+00:00"
FEEDS = ("rss.xml", "atom.xml", "feed.json")


class Hub:
    """A WebSub hub on 127.0.0.1 that records each publish request and answers `status`; it
    can be told to hold its answers (`hold`), and, like a real hub, fetches each topic."""

    def __init__(self, port: int = 0) -> None:
        self.requests: list[list[tuple[str, str]]] = []
        self.fetched: dict[str, bytes] = {}  # topic -> the bytes the hub found there
        self.status = 204
        self.status_for: dict[str, int] = {}  # topic -> status, for one topic's refusal
        self.released = threading.Event()
        self.released.set()
        self.arrived = threading.Event()
        hub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                fields = parse_qsl(self.rfile.read(length).decode("ascii"))
                assert self.headers["Content-Type"] == "application/x-www-form-urlencoded"
                hub.requests.append(fields)
                hub.arrived.set()
                hub.released.wait(30)
                topic = dict(fields).get("hub.topic", "")
                status = hub.status_for.get(topic, hub.status)
                body = b"" if status < 300 else b"Internal   trouble\n" if status >= 500 else b""
                if 200 <= status < 300 and topic.startswith("http://127.0.0.1"):
                    with urlopen(topic, timeout=10) as answer:
                        hub.fetched[topic] = answer.read()
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "https://elsewhere.example/hub")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(OSError):  # a publisher killed while it waited
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,))
        self.thread.start()

    def topics(self) -> list[str]:
        return sorted(dict(fields)["hub.url"] for fields in self.requests)

    def settle(self) -> None:
        """Wait until no request has come for a moment."""
        count = -1
        while count != len(self.requests):
            count = len(self.requests)
            time.sleep(0.3)

    def stop(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def hub() -> Iterator[Hub]:
    running = Hub()
    yield running
    running.stop()


@pytest.fixture
def env() -> dict[str, str]:
    """The environment of the scofeed subprocesses: no proxy between them and 127.0.0.1."""
    clean = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy")}
    return {**clean, "no_proxy": "127.0.0.1"}


def _site(root: Path, hubs: list[str], extra: str = "", base_url: str = "") -> Path:
    (root / "posts").mkdir(exist_ok=True)
    for path in POSTS.glob("*.md"):
        (root / "posts" / path.name).write_bytes(path.read_bytes())
    toml = f"websub_hubs = {json.dumps(hubs)}\nwebsub_allow_private = true\n" + extra
    if base_url:
        toml = f'base_url = "{base_url}"\n' + toml
    (root / "scofeed.toml").write_text(toml, encoding="utf-8")
    return root


def _subscription_feeds(files: dict[str, bytes]) -> list[str]:
    """The subscription feeds in an output tree, by the layout's own rules, not websub's."""
    found = []
    for path in files:
        parts = path.split("/")
        if parts[-1] in FEEDS and (
            len(parts) == 1 or (len(parts) == 3 and parts[0] in ("countries", "tags"))
        ):
            found.append(path)
    return sorted(found)


def _urls(paths: list[str], base: str = "https://example.org/sco/") -> list[str]:
    return sorted(base + path for path in paths)


def _pending(root: Path) -> list[tuple[str, str]]:
    data = json.loads((root / ".scofeed" / websub.PENDING_FILE).read_text(encoding="utf-8"))
    return [(p["hub"], p["topic"]) for p in data["pending"]]


def _build(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("build", "--now", NOW, *args, cwd=root, env=env)


def test_subscription_feeds_name_each_hub_and_archives_do_not(
    tmp_path: Path, env: dict[str, str]
) -> None:
    hubs = ["https://pubsubhubbub.appspot.com/", "https://websubhub.com/hub"]
    root = _site(tmp_path, hubs, "feed_limit = 3\n")
    result = _build(root, env, "-q")  # no hub is reached: 127.0.0.1 has none of these
    assert result.returncode == 0, result.stderr
    out = root / "output"
    for folder in ("", "countries/china/"):
        for name in ("rss.xml", "atom.xml"):
            parsed = feedparser.parse((out / folder / name).read_bytes())
            assert not parsed.bozo, parsed.bozo_exception
            assert [link.href for link in parsed.feed.links if link.rel == "hub"] == hubs
            self_link = [link.href for link in parsed.feed.links if link.rel == "self"]
            assert self_link == [f"https://example.org/sco/{folder}{name}"]
        data = json.loads((out / folder / "feed.json").read_bytes())
        assert data["hubs"] == [{"type": "WebSub", "url": hub} for hub in hubs]
        assert list(data).index("hubs") == list(data).index("items") - 1
    archives = sorted(p for p in tree(out) if "/history/" in p or p.startswith("history/"))
    assert len(archives) >= 6  # feed_limit = 3 leaves the seed's older posts in archives
    for path in archives:
        data = (out / path).read_bytes()
        assert b"pubsubhubbub" not in data and b"websubhub" not in data, path
    checked = run_cli("validate", "output/", cwd=root, env=env)
    assert checked.returncode == 0, checked.stdout
    assert " 0 error(s), 0 warning(s)" in checked.stderr


def test_without_hubs_no_feed_names_one_and_nothing_is_kept(tmp_path: Path) -> None:
    root = tmp_path
    (root / "posts").mkdir()
    (root / "posts" / "a.md").write_text(post("title: A\ndate: 2008-05-19"), encoding="utf-8")
    assert run_cli("build", "--now", NOW, cwd=root).returncode == 0
    for path, data in tree(root / "output").items():
        assert b'rel="hub"' not in data and b'"hubs"' not in data, path
    assert not (root / ".scofeed" / websub.PENDING_FILE).exists()
    assert websub.announce(load_config(root), ["rss.xml"]) == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            '["ftp://hub.example/"]',
            "websub_hubs: 'ftp://hub.example/' is not an absolute http(s) URL; write each hub's "
            'address in full, as in websub_hubs = ["https://pubsubhubbub.appspot.com/"]',
        ),
        ('["/hub"]', "websub_hubs: '/hub' is not an absolute http(s) URL"),
        ('"https://hub.example/"', "websub_hubs must be a list, not 'https://hub.example/'"),
    ],
)
def test_a_hub_that_is_no_url_is_refused_by_name(tmp_path: Path, value: str, message: str) -> None:
    (tmp_path / "scofeed.toml").write_text(f"websub_hubs = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"scofeed\.toml: ") as caught:
        load_config(tmp_path)
    assert message in str(caught.value)
    result = run_cli("build", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"Error: {tmp_path / 'scofeed.toml'}: ")
    assert message in result.stderr


def test_builds_announce_exactly_the_feeds_whose_bytes_changed(
    tmp_path: Path, hub: Hub, env: dict[str, str]
) -> None:
    output = tmp_path / "output"
    output.mkdir()

    class Files(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:  # the output folder, not the cwd
            return str(output / path.split("?")[0].lstrip("/"))

        def log_message(self, *args: object) -> None:
            pass

    with serving(Files) as site:
        base = site + "/"
        root = _site(tmp_path, [hub.url], base_url=base)
        first = _build(root, env)
        assert first.returncode == 0, first.stderr
        feeds = _subscription_feeds(tree(output))
        assert len(feeds) == 36  # the site's, and eleven countries' (the seed has no tag feed)
        assert hub.topics() == _urls(feeds, base)
        assert "scofeed: announced 36 feeds to 1 hub" in first.stderr
        for fields in hub.requests:
            assert [name for name, _ in fields] == ["hub.mode", "hub.url", "hub.topic"]
            assert fields[0] == ("hub.mode", "publish") and fields[1][1] == fields[2][1]
        # What the hub found at each topic names the hub, and the topic as its own address.
        for topic, data in hub.fetched.items():
            if topic.endswith(".json"):
                doc = json.loads(data)
                assert (doc["feed_url"], doc["hubs"][0]["url"]) == (topic, hub.url)
            else:
                links = feedparser.parse(data).feed.links
                assert {(link.rel, link.href) for link in links} >= {
                    ("self", topic),
                    ("hub", hub.url),
                }
        assert sorted(hub.fetched) == hub.topics()
        assert _pending(root) == []

        hub.requests.clear()
        again = _build(root, env)
        assert again.returncode == 0, again.stderr
        assert hub.requests == [] and "announced" not in again.stderr

        before = tree(output)
        target = next((root / "posts").glob("2008-05-13-*.md"))
        target.write_text(target.read_text() + "\nA new sentence.\n")
        changed = _build(root, env)
        assert changed.returncode == 0, changed.stderr
        after = tree(output)
        differ = [p for p in _subscription_feeds(after) if before.get(p) != after[p]]
        assert differ == sorted(f"{folder}{name}" for folder in ("", "countries/russia/")
                                for name in FEEDS)  # fmt: skip
        assert hub.topics() == _urls(differ, base)
        assert "scofeed: announced 6 feeds to 1 hub" in changed.stderr


def test_a_hub_that_is_down_keeps_every_announcement_for_the_next_build(
    tmp_path: Path, env: dict[str, str]
) -> None:
    with socket.socket() as sock:  # a port where nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = f"http://127.0.0.1:{port}/hub"
    up = Hub()
    try:
        root = _site(tmp_path, [down, up.url])
        first = _build(root, env)
        assert first.returncode == 0, first.stderr
        warning = (
            f"  {down}: warning: the WebSub hub cannot be reached: [Errno 111] Connection "
            f"refused; 36 announcements kept in {root / '.scofeed' / websub.PENDING_FILE} and "
            "sent by the next build or deploy"
        )
        assert warning in first.stderr.splitlines()
        assert "scofeed: announced 36 feeds to 1 hub" in first.stderr
        feeds = _urls(_subscription_feeds(tree(root / "output")))
        assert sorted(_pending(root)) == [(down, topic) for topic in feeds]
        assert up.topics() == feeds  # the hub that is up had them all

        quiet = _build(root, env, "-q")  # still down: said even with --quiet
        assert quiet.returncode == 0
        assert quiet.stderr.splitlines() == [warning]
    finally:
        up.stop()

    back = Hub(port)  # the hub comes back; the other one is gone from the configuration
    try:
        _site(tmp_path, [down])
        result = _build(root, env)
        assert result.returncode == 0, result.stderr
        assert back.topics() == feeds
        assert "scofeed: announced 36 feeds to 1 hub" in result.stderr
        assert _pending(root) == []
        back.requests.clear()
        assert _build(root, env).returncode == 0
        assert back.requests == []
    finally:
        back.stop()


def test_a_hub_answering_500_is_tried_once_and_announced_to_when_it_recovers(
    tmp_path: Path, hub: Hub, env: dict[str, str]
) -> None:
    hub.status = 500
    root = _site(tmp_path, [hub.url])
    result = _build(root, env)
    assert result.returncode == 0, result.stderr
    # The first answer says the hub is in trouble: the other 35 wait without being tried.
    assert 1 <= len(hub.requests) <= websub.WORKERS
    assert (
        f"  {hub.url}: warning: the WebSub hub answered HTTP 500: Internal trouble; 36 "
        "announcements kept in"
    ) in result.stderr
    assert "announced" not in result.stderr.replace("announcements", "")
    assert len(_pending(root)) == 36

    hub.status, hub.requests = 202, []
    retried = _build(root, env)  # a no-op build: it sends what waits
    assert retried.returncode == 0, retried.stderr
    assert hub.topics() == _urls(_subscription_feeds(tree(root / "output")))
    assert _pending(root) == []
    assert "scofeed: announced 36 feeds to 1 hub" in retried.stderr


def test_a_topic_the_hub_refuses_waits_alone(tmp_path: Path, hub: Hub, env: dict[str, str]) -> None:
    refused = "https://example.org/sco/countries/china/atom.xml"
    hub.status_for[refused] = 400
    root = _site(tmp_path, [hub.url])
    result = _build(root, env)
    assert result.returncode == 0, result.stderr
    assert len(hub.requests) == 36  # a 4xx is the topic's, not the hub's: the others go on
    assert _pending(root) == [(hub.url, refused)]
    assert "scofeed: announced 35 feeds to 1 hub" in result.stderr
    assert f"{hub.url}: warning: the WebSub hub answered HTTP 400" in result.stderr


def test_a_hub_that_moved_is_not_followed(tmp_path: Path, hub: Hub, env: dict[str, str]) -> None:
    hub.status = 301
    root = _site(tmp_path, [hub.url])
    result = _build(root, env)
    assert result.returncode == 0, result.stderr
    assert 1 <= len(hub.requests) <= websub.WORKERS  # a POST never became a GET elsewhere
    assert (
        "answered HTTP 301: Moved Permanently; it moved to https://elsewhere.example/hub: put "
        "that address in websub_hubs"
    ) in result.stderr
    assert len(_pending(root)) == 36


def test_a_hub_on_loopback_needs_websub_allow_private(
    tmp_path: Path, hub: Hub, env: dict[str, str]
) -> None:
    root = _site(tmp_path, [hub.url])
    toml = (root / "scofeed.toml").read_text().replace("websub_allow_private = true\n", "")
    (root / "scofeed.toml").write_text(toml)
    result = _build(root, env)
    assert result.returncode == 0, result.stderr
    assert hub.requests == []
    assert (
        f"{hub.url}: warning: the WebSub hub 127.0.0.1 is a loopback address; scofeed fetches "
        "from public addresses only, unless scofeed.toml says websub_allow_private = true"
    ) in result.stderr
    assert len(_pending(root)) == 36


def test_a_build_for_a_deployed_site_announces_nothing(
    tmp_path: Path, hub: Hub, env: dict[str, str]
) -> None:
    root = _site(tmp_path, [hub.url], '[deploy]\nurl = "s3://site/sco/"\n')
    result = _build(root, env)
    assert result.returncode == 0, result.stderr
    assert hub.requests == [] and "announced" not in result.stderr
    assert not (root / ".scofeed" / websub.PENDING_FILE).exists()
    # What `scofeed deploy` calls once its uploads are public: archives are no topics.
    config = load_config(root)
    uploaded = ["rss.xml", "history/1/rss.xml", "countries/china/feed.json", "2008/05/x.html"]
    second = Hub()
    try:
        config = replace(config, websub_hubs=(hub.url, second.url))
        assert websub.announce(config, iter(uploaded)) == []  # any iterable, read once
        assert hub.topics() == second.topics() == _urls(["countries/china/feed.json", "rss.xml"])
    finally:
        second.stop()


def test_subscription_feeds_are_told_from_archives_and_lookalikes() -> None:
    assert [
        path
        for path in [
            "rss.xml", "atom.xml", "feed.json", "countries/china/rss.xml", "tags/energy/feed.json",
            "history/2/rss.xml", "countries/china/history/1/atom.xml", "tags/rss.xml",
            "static/rss.xml", "countries/china/embed.html", "2008/05/feed.json", "index.html",
        ]
        if websub.subscription_feed(path)
    ] == [
        "rss.xml", "atom.xml", "feed.json", "countries/china/rss.xml", "tags/energy/feed.json",
    ]  # fmt: skip


def _stopped(root: Path, env: dict[str, str], point: str = "") -> subprocess.Popen[bytes]:
    """`scofeed build` in the background (stopped at `point` of the build, when given)."""
    return subprocess.Popen(
        [sys.executable, "-m", "scofeed", "build", "--now", NOW],
        cwd=root,
        env={**env, "SCOFEED_STOP_AT": point} if point else env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_stopped(proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while Path(f"/proc/{proc.pid}/stat").read_text().rpartition(")")[2].split()[0] != "T":
        assert proc.poll() is None and time.monotonic() < deadline, "the build never stopped"
        time.sleep(0.005)


def test_a_build_killed_once_its_files_are_public_loses_no_announcement(
    tmp_path: Path, hub: Hub, env: dict[str, str]
) -> None:
    root = _site(tmp_path, [hub.url])
    proc = _stopped(root, env, "renamed 0")  # the first file is public, the rest follow
    _wait_stopped(proc)
    proc.kill()
    proc.wait()
    assert hub.requests == []
    feeds = _urls(_subscription_feeds({p: b"" for p in _all_feed_paths(root)}))
    assert sorted(topic for _, topic in _pending(root)) == feeds
    result = _build(root, env)
    assert result.returncode == 0, result.stderr
    assert hub.topics() == feeds and _pending(root) == []


def _all_feed_paths(root: Path) -> list[str]:
    """What a whole build writes: from a clean build of the same posts elsewhere."""
    other = root.parent / "clean"
    other.mkdir()
    (other / "posts").mkdir()
    for path in (root / "posts").glob("*.md"):
        (other / "posts" / path.name).write_bytes(path.read_bytes())
    assert run_cli("build", "--now", NOW, "-q", cwd=other).returncode == 0
    return list(tree(other / "output"))


def test_a_build_killed_while_a_hub_answers_loses_no_announcement(
    tmp_path: Path, hub: Hub, env: dict[str, str]
) -> None:
    root = _site(tmp_path, [hub.url])
    hub.released.clear()  # the hub takes the requests and holds its answers
    proc = _stopped(root, env)
    assert hub.arrived.wait(60)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    hub.released.set()
    assert len(_pending(root)) == 36  # whole, and all there
    hub.settle()  # the requests of the killed build that were still on their way
    hub.requests.clear()
    result = _build(root, env)
    assert result.returncode == 0, result.stderr
    assert len(hub.topics()) == 36 and _pending(root) == []


def test_scofeed_watch_announces_what_each_rebuild_changed(
    tmp_path: Path, hub: Hub, env: dict[str, str]
) -> None:
    """A running `scofeed watch` is a build too: its first build announces every feed, and an
    edit (the quick path, which does not go through `build`) announces the feeds it changed."""
    root = _site(tmp_path, [hub.url])
    proc = subprocess.Popen(
        [sys.executable, "-m", "scofeed", "watch"],
        cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr or ()), daemon=True)
    reader.start()

    def wait(condition: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 60
        while not condition() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert condition(), "".join(lines)

    try:
        wait(lambda: len(hub.requests) >= 36)
        hub.settle()
        assert hub.topics() == _urls(_subscription_feeds(tree(root / "output")))
        wait(lambda: not _pending(root))
        before = tree(root / "output")
        hub.requests.clear()
        target = next((root / "posts").glob("2008-05-13-*.md"))
        target.write_text(target.read_text() + "\nA new sentence.\n")
        wait(lambda: any("rebuilt" in line for line in lines))
        hub.settle()
        after = tree(root / "output")
        differ = [p for p in _subscription_feeds(after) if before.get(p) != after[p]]
        assert differ and hub.topics() == _urls(differ)
        assert _pending(root) == []
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
