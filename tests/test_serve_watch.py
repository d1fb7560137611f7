"""`scofeed serve --watch`: the preview server, the watcher and live reload in one process. A
page open in headless Chromium reloads itself after its post is edited; the reload stream
speaks Server-Sent Events; the script is added as pages are sent, never written to output/."""

from __future__ import annotations

import shutil
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_site_browser import DevTools, browser  # noqa: F401 (the fixture)

from scofeed.serve._reload import EVENTS_PATH, SCRIPT_ID

from conftest import POSTS, Served, post

TIMEOUT = 30.0
POST = "2012-05-10-watched.md"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(POSTS, root / "posts")
    (root / "posts" / POST).write_text(
        post("title: Before the edit\ndate: 2012-05-10\ncountries: [Kazakhstan]", "Astana."),
        encoding="utf-8",
    )
    (root / "scofeed.toml").write_text('base_url = "https://example.org/sco/"\n')
    return root


@pytest.fixture
def served(site: Path) -> Iterator[Served]:
    server = Served(site, "--watch")
    try:
        assert server.logged("full build"), "\n".join(server.lines)
        yield server
    finally:
        assert server.stop() == 0
        assert not any("Traceback" in line for line in server.lines), server.lines


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
        body: bytes = response.read()
        return body


def retitle(site: Path, title: str) -> None:
    path = site / "posts" / POST
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title: Before the edit", f"title: {title}"), encoding="utf-8")


def test_an_open_page_reloads_itself_after_its_post_is_edited(
    site: Path,
    served: Served,
    browser: DevTools,  # noqa: F811 (the fixture)
) -> None:
    url = served.url + "2012/05/watched.html"
    browser.open(url)
    assert "Before the edit" in browser.evaluate("document.title")
    browser.evaluate("window.notReloaded = true")  # gone once the page loads again
    retitle(site, "After the edit")
    deadline = time.monotonic() + TIMEOUT
    while "After the edit" not in browser.evaluate("document.title"):
        assert time.monotonic() < deadline, "\n".join(served.lines)
        time.sleep(0.05)
    assert browser.evaluate("window.notReloaded === undefined")  # it reloaded itself
    assert browser.evaluate(f"document.getElementById('{SCRIPT_ID}') !== null")
    # the script is in what the server sends, never in the files it sends from
    output = site / "output"
    assert list(output.rglob("*.html"))
    holding = [p for p in output.rglob("*") if p.is_file() and SCRIPT_ID.encode() in p.read_bytes()]
    assert holding == []


def test_the_stream_sends_an_event_after_a_rebuild_that_wrote_files(
    site: Path, served: Served
) -> None:
    host, port = served.url.removeprefix("http://").rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=TIMEOUT) as sock:
        sock.sendall(f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        got = b""
        while b"retry: 1000\n\n" not in got:
            got += sock.recv(4096)
        head = got.split(b"\r\n\r\n")[0].decode().lower()
        assert head.startswith("http/1.1 200")
        assert "content-type: text/event-stream" in head
        retitle(site, "Streamed")
        while b"data: reload\n\n" not in got:
            chunk = sock.recv(4096)
            assert chunk, got
            got += chunk
    assert b"Streamed" in (site / "output" / "2012" / "05" / "watched.html").read_bytes()


def test_pages_carry_the_script_feeds_do_not(served: Served) -> None:
    page = get(served.url + "2012/05/watched.html")
    assert SCRIPT_ID.encode() in page
    assert page.rstrip().endswith(b"</html>")
    assert SCRIPT_ID.encode() not in get(served.url + "rss.xml")
    assert SCRIPT_ID.encode() not in get(served.url + "feed.json")


def test_plain_serve_has_neither_stream_nor_script(site: Path) -> None:
    built = Served(site, "--watch")  # builds output/ once, then stops
    built.logged("full build")
    assert built.stop() == 0
    plain = Served(site)
    try:
        assert SCRIPT_ID.encode() not in get(plain.url + "2012/05/watched.html")
        with pytest.raises(urllib.error.HTTPError) as refused:
            get(plain.url + EVENTS_PATH.lstrip("/"))
        assert refused.value.code == 404
    finally:
        assert plain.stop() == 0
