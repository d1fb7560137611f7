"""`scofeed serve` as subscribers' readers and browsers meet it: a real server in a subprocess on
127.0.0.1, real HTTP requests, and the `reader` library subscribing to the feeds."""

from __future__ import annotations

import gzip
import http.client
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import reader
import reader.discover

from scofeed.config import Config, load_config
from scofeed.publish.build import build
from scofeed.site.plan import FeedSpec

from conftest import NOW, POSTS, REPO, Served, post, run_cli


@dataclass
class Site:
    root: Path
    config: Config
    feeds: tuple[FeedSpec, ...]
    served: Served

    def request(
        self, path: str, method: str = "GET", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """One request with the target sent exactly as given (no client-side normalising)."""
        parts = urlsplit(self.served.url)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        try:
            conn.request(method, path, headers=headers or {})
            response = conn.getresponse()
            body = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            conn.close()


def _site(root: Path) -> Site:
    """The seed's posts, served: the server starts first, so the site's base_url is its URL."""
    shutil.copytree(POSTS, root / "posts")
    (root / "output").mkdir()
    served = Served(root)
    (root / "scofeed.toml").write_text(f'base_url = "{served.url}"\n')
    config = load_config(root)
    return Site(root, config, build(config, now=NOW).feeds, served)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One served site for the read-only tests, with traps planted for the path tests."""
    site = _site(tmp_path_factory.mktemp("served"))
    (site.root / "secret.txt").write_text("top secret\n")
    (site.config.output_dir / "link-out").symlink_to(site.root, target_is_directory=True)
    (site.config.output_dir / "secret.txt").symlink_to(site.root / "secret.txt")
    (site.config.output_dir / ".scofeed-tmp-half").write_text("half a feed")
    yield site
    site.served.stop()


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Site]:
    """A served site of its own, for tests that change it."""
    site = _site(tmp_path)
    yield site
    site.served.stop()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # requests (inside reader) honours proxy variables; our server is on this machine.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/rss.xml", "application/rss+xml; charset=utf-8"),
        ("/atom.xml", "application/atom+xml; charset=utf-8"),
        ("/feed.json", "application/feed+json; charset=utf-8"),
        ("/countries/russia/rss.xml", "application/rss+xml; charset=utf-8"),
        ("/countries/russia/atom.xml", "application/atom+xml; charset=utf-8"),
        ("/countries/russia/feed.json", "application/feed+json; charset=utf-8"),
        ("/countries/russia/embed.html", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
        ("/embed.js", "application/javascript; charset=utf-8"),
        ("/feeds.opml", "text/x-opml; charset=utf-8"),
    ],
)
def test_content_types(site: Site, path: str, expected: str) -> None:
    status, headers, body = site.request(path)
    assert status == 200
    assert headers["content-type"] == expected
    assert headers["x-content-type-options"] == "nosniff"
    local = path.lstrip("/") + ("index.html" if path.endswith("/") else "")
    assert body == (site.config.output_dir / local).read_bytes()
    assert int(headers["content-length"]) == len(body)


def test_folder_urls_serve_their_index_and_gain_their_slash(site: Site) -> None:
    status, headers, _ = site.request("/countries/russia")
    assert (status, headers["location"]) == (301, "/countries/russia/")
    status, _, body = site.request("/countries/russia/")
    assert status == 200
    assert body == (site.config.output_dir / "countries/russia/index.html").read_bytes()
    assert site.request("/countries/")[0] == 404  # no listing of folders without an index


def test_etag_and_if_none_match(site: Site) -> None:
    status, headers, _ = site.request("/atom.xml")
    etag = headers["etag"]
    assert status == 200 and etag.startswith('"') and etag.endswith('"')
    for sent in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        status, again, body = site.request("/atom.xml", headers={"If-None-Match": sent})
        assert (status, body) == (304, b""), sent
        assert again["etag"] == etag
        assert again["last-modified"] == headers["last-modified"]
    assert site.request("/atom.xml", headers={"If-None-Match": '"other"'})[0] == 200
    # The same bytes give the same tag; other files, other tags.
    assert site.request("/atom.xml")[1]["etag"] == etag
    assert site.request("/rss.xml")[1]["etag"] != etag


def test_last_modified_and_if_modified_since(site: Site) -> None:
    # Written two hours ago: "an hour later" is then a date that has been (one still to come
    # is ignored, as RFC 9110 13.1.3 says; see test_serve_hostile.py).
    file = site.config.output_dir / "countries/russia/feed.json"
    os.utime(file, (time.time() - 7200, time.time() - 7200))
    headers = site.request("/countries/russia/feed.json")[1]
    stamp = headers["last-modified"]
    mtime = file.stat().st_mtime
    assert stamp == formatdate(mtime, usegmt=True)
    assert site.request("/countries/russia/feed.json", headers={"If-Modified-Since": stamp})[0] == (
        304
    )
    later = formatdate(mtime + 3600, usegmt=True)
    earlier = formatdate(mtime - 3600, usegmt=True)
    path = "/countries/russia/feed.json"
    assert site.request(path, headers={"If-Modified-Since": later})[0] == 304
    assert site.request(path, headers={"If-Modified-Since": earlier})[0] == 200
    assert site.request(path, headers={"If-Modified-Since": "yesterday"})[0] == 200
    # If-None-Match, when sent, decides (RFC 9110 13.2.2).
    both = {"If-Modified-Since": later, "If-None-Match": '"other"'}
    assert site.request(path, headers=both)[0] == 200


def test_gzip_when_asked_for(site: Site) -> None:
    plain = (site.config.output_dir / "feed.json").read_bytes()
    status, headers, body = site.request("/feed.json", headers={"Accept-Encoding": "gzip, br"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert headers["vary"] == "Accept-Encoding"
    assert int(headers["content-length"]) == len(body) < len(plain)
    assert gzip.decompress(body) == plain
    zipped_tag = headers["etag"]
    for asked in ({}, {"Accept-Encoding": "gzip;q=0"}, {"Accept-Encoding": "identity"}):
        status, headers, body = site.request("/feed.json", headers=asked)
        assert "content-encoding" not in headers and body == plain, asked
        assert headers["vary"] == "Accept-Encoding"
        assert headers["etag"] != zipped_tag  # a strong tag per representation
    # Either representation's tag revalidates.
    for tag in (zipped_tag, headers["etag"]):
        sent = {"Accept-Encoding": "gzip", "If-None-Match": tag}
        assert site.request("/feed.json", headers=sent)[0] == 304


def test_cors_for_what_other_sites_fetch(site: Site) -> None:
    for path in ("/feed.json", "/countries/russia/feed.json", "/embed.js", "/atom.xml"):
        headers = site.request(path)[1]
        assert headers["access-control-allow-origin"] == "*", path
    assert "access-control-allow-origin" not in site.request("/index.html")[1]
    status, headers, _ = site.request(
        "/feed.json",
        "OPTIONS",
        {"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"},
    )
    assert status == 204 and headers["access-control-allow-origin"] == "*"


def test_head_has_the_headers_of_get_and_no_body(site: Site) -> None:
    for asked in ({}, {"Accept-Encoding": "gzip"}):
        _, got, body = site.request("/countries/russia/atom.xml", headers=asked)
        status, head, nothing = site.request("/countries/russia/atom.xml", "HEAD", asked)
        assert (status, nothing) == (200, b"")
        assert int(head["content-length"]) == len(body)
        for name in ("content-type", "etag", "last-modified", "content-encoding", "vary"):
            assert head.get(name) == got.get(name), name
    assert site.request("/nowhere.xml", "HEAD")[0] == 404


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/countries/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/..%2fsecret.txt",
        "/countries%2f..%2f..%2fsecret.txt",
        "/%252e%252e/secret.txt",  # encoded twice: a file named "%2e%2e", which is not there
        "/..%5csecret.txt",
        "//etc/passwd",
        "/etc/passwd",
        "/link-out/secret.txt",  # a symbolic link to a folder outside output/
        "/secret.txt",  # a symbolic link to a file outside output/
        "/.scofeed-tmp-half",  # a build's temporary file
        "/%00",
        "/%ff%fe",
        "http://127.0.0.1/../secret.txt",
    ],
)
def test_nothing_outside_the_output_folder_is_reachable(site: Site, target: str) -> None:
    status, _, body = site.request(target)
    assert status in (400, 403, 404), (target, status)
    assert b"top secret" not in body and b"root:" not in body and b"half a feed" not in body


def test_other_methods_are_refused(site: Site) -> None:
    for method in ("POST", "PUT", "DELETE"):
        status, headers, _ = site.request("/atom.xml", method)
        assert status == 405 and headers["allow"] == "GET, HEAD, OPTIONS"


def test_each_request_is_logged_with_its_status(site: Site) -> None:
    site.request("/countries/china/rss.xml?logged=1")
    site.request("/countries/china/nothing-here?logged=1")
    assert site.served.logged('"GET /countries/china/rss.xml?logged=1 HTTP/1.1" 200')
    assert site.served.logged('"GET /countries/china/nothing-here?logged=1 HTTP/1.1" 404')


# --- real clients ----------------------------------------------------------------------------


def _utc(when: datetime | None) -> datetime | None:
    if when is None:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def test_the_reader_library_subscribes_updates_and_gets_304s(fresh: Site) -> None:
    names = ("atom.xml", "rss.xml", "feed.json")
    specs = [s for s in fresh.feeds if s.folder in ("", "countries/russia/")]
    urls = {f"{fresh.served.url}{s.folder}{name}": s for s in specs for name in names}
    with reader.make_reader(":memory:") as client:
        for url in urls:
            client.add_feed(url)
        client.update_feeds()
        for url, spec in urls.items():
            feed = client.get_feed(url)
            assert feed.last_exception is None, (url, feed.last_exception)
            assert feed.title == spec.title
            entries = {e.id: e for e in client.get_entries(feed=url)}
            expected = _expected(fresh.root, spec.folder)
            assert sorted(entries) == sorted(expected), url
            for ident, want in expected.items():
                got = entries[ident]
                assert got.title == want["title"], url
                assert got.link == want["link"], url
                assert _utc(got.published) == want["published"], url
                if not url.endswith("rss.xml"):  # RSS 2.0 items carry no updated date
                    assert _utc(got.updated) == want["updated"], url
                html = [c.value for c in got.content if c.type in ("text/html", "html")]
                assert html == [want["html"]], url
                assert got.summary == want["summary"], url
        # Nothing changed: every feed answers 304 Not Modified to the reader's second update
        # (scheduled=False: now, not when reader's schedule says the feeds are due).
        client.update_feeds(scheduled=False)
        for url in urls:
            path = urlsplit(url).path
            assert fresh.served.logged(f'"GET {path} HTTP/1.1" 200')
            assert fresh.served.logged(f'"GET {path} HTTP/1.1" 304'), url
            assert client.get_feed(url).last_exception is None
        # A new post: the reader sees it at the next update.
        (fresh.root / "posts" / "2009-03-01-talks.md").write_text(
            post("title: Talks in Moscow & <Beijing>\ndate: 2009-03-01", "Moscow hosted talks.")
        )
        build(fresh.config, now=NOW)
        client.update_feeds(scheduled=False)
        for url in urls:
            titles = [e.title for e in client.get_entries(feed=url)]
            assert "Talks in Moscow & <Beijing>" in titles, url


def _expected(root: Path, folder: str) -> dict[str, dict[str, object]]:
    """What each entry must read as, from the JSON Feed scofeed wrote (itself checked against
    the Atom and RSS feeds in test_pages)."""
    import json

    feed = json.loads((root / "output" / folder / "feed.json").read_bytes())
    return {
        item["id"]: {
            "title": item["title"],
            "link": item["url"],
            "published": datetime.fromisoformat(item["date_published"]).astimezone(UTC),
            "updated": datetime.fromisoformat(item["date_modified"]).astimezone(UTC),
            "html": item["content_html"],
            "summary": item["summary"],
        }
        for item in feed["items"]
    }


@pytest.mark.filterwarnings("ignore::bs4.GuessedAtParserWarning")  # reader's own bs4 call
def test_autodiscovery_finds_feeds_that_load(site: Site) -> None:
    pages = ["/"] + [f"/{s.folder}" for s in site.feeds if s.country]
    for page in pages:
        status, headers, body = site.request(page)
        assert status == 200
        links = reader.discover.from_http_response(site.served.url + page[1:], body, headers)
        assert [link.type for link in links] == [
            "application/rss+xml",
            "application/atom+xml",
            "application/feed+json",
        ], page
        for link in links:
            assert link.href.startswith(site.served.url + page[1:])
            status, got, _ = site.request(urlsplit(link.href).path)
            assert status == 200, link.href
            assert got["content-type"].split(";")[0] == link.type


def test_the_opml_list_imports_every_feed_into_a_reader_in_one_step(site: Site) -> None:
    status, _, body = site.request("/feeds.opml")
    assert status == 200
    with reader.make_reader(":memory:") as client:
        client.import_feeds(io.BytesIO(body))
        client.update_feeds()
        feeds = list(client.get_feeds())
        assert len(feeds) == len(site.feeds)
        for feed in feeds:
            assert feed.last_exception is None, (feed.url, feed.last_exception)
        by_url = {f"{site.served.url}{s.folder}atom.xml": s for s in site.feeds}
        for feed in feeds:
            spec = by_url[feed.url]
            assert feed.title == spec.title
            assert len(list(client.get_entries(feed=feed.url))) == len(spec.entries)


# --- the command -----------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_the_server_cleanly(tmp_path: Path, sig: int) -> None:
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "index.html").write_text("<!DOCTYPE html><title>x</title>\n")
    served = Served(tmp_path)
    assert served.lines[0].startswith("scofeed: serving output/ at http://127.0.0.1:")
    assert served.stop(sig) == 0
    assert served.lines[-1] == "scofeed: stopped"
    assert not any("Traceback" in line for line in served.lines)


def _before_scofeed_ran(err: str) -> bool:
    """Python's own report of a Ctrl-C that came before scofeed's code ran: in the start
    script, or on the very line that enters `run`, before its first statement."""
    frames = re.findall(r'File "([^"]+)", line \d+, in (\S+)\n(?:    (.*)\n)?', err)
    return err.rstrip().endswith("KeyboardInterrupt") and all(
        path == "<string>" or (name == "run" and (code or "").startswith("def run("))
        for path, name, code in frames
    )


@pytest.mark.slow
def test_ctrl_c_at_any_moment_of_start_up_ends_cleanly(tmp_path: Path) -> None:
    """SIGINT at moments spread over the whole start-up of `scofeed serve`, from its first
    line to serving: always a clean end (a traceback only if scofeed's code had not started),
    0 with "stopped" once the server was set up, else 130 with "interrupted"."""
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "index.html").write_text("<!DOCTYPE html><title>x</title>\n")
    # Started through a one-line script that says when scofeed is imported: the interpreter's
    # own start-up, where nothing but Python runs, is left out of the moments.
    start = (
        "import sys, scofeed.cli; print('ready', file=sys.stderr, flush=True); "
        "scofeed.cli.run(['serve', '--port', '0'])"
    )

    def started() -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-X", "faulthandler", "-c", start],
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stderr is not None and proc.stderr.readline() == "ready\n"
        return proc

    # How long start-up takes here and now, from scofeed imported to serving.
    proc = started()
    began = time.monotonic()
    assert proc.stderr is not None and "serving" in proc.stderr.readline()
    took = time.monotonic() - began
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=20) == 0

    outcomes: list[str] = []
    # From at once to a third longer than start-up took; on past that (to four times as long)
    # only while no moment has yet come after it: a machine busier now than when start-up was
    # timed sets up slower (the suite beside other work did, and never served in time).
    for step in range(160):
        if step >= 40 and {"set-up", "served"} <= set(outcomes):
            break
        proc = started()
        time.sleep(took * step / 30)
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:  # where it hangs: faulthandler prints every thread
            proc.send_signal(signal.SIGABRT)
            where = proc.communicate()[1]
            raise AssertionError(f"no end {took * step / 30:.3f} s in:\n{where}") from None
        lines = err.splitlines()
        if "Traceback" in err:
            assert _before_scofeed_ran(err), err
            outcomes.append("before")
        elif proc.returncode == 0:
            assert lines[-1] == "scofeed: stopped", err
            outcomes.append("served" if any("serving" in line for line in lines) else "set-up")
        else:
            assert proc.returncode == 130, err
            assert lines[-1] == "scofeed: interrupted", err
            assert all(line in ("", "scofeed: interrupted") for line in lines), err
            outcomes.append("set-up")
    # Both kinds of moment were hit: while it set up, while it served.
    assert {"set-up", "served"} <= set(outcomes), outcomes


def test_serving_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    result = run_cli("serve", "--port", "0", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "Error: output: no such folder; run scofeed build first\n"


def test_a_port_in_use_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "output").mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"Error: cannot listen on 127.0.0.1:{port}: ")


def test_serve_has_help_with_an_example() -> None:
    result = run_cli("serve", "--help", cwd=REPO)
    assert result.returncode == 0
    assert "Example:" in result.stdout and "--port" in result.stdout
