"""`scofeed serve` serves the site where base_url puts it (issue 14, item 7): at base_url's path
(`/sco/`) as well as at `/`, folder URLs as a host serves them, and unknown paths answered
with the site's own 404.html. Real sockets: the server in a thread of this process, or as
`scofeed serve` in a subprocess with a scofeed.toml."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from scofeed.serve import PreviewServer, make_server

from conftest import Served

Response = tuple[int, dict[str, str], bytes]
NOT_FOUND_PAGE = b"<!DOCTYPE html><title>Not here</title><p>No such page on this site.\n"
PLAIN_404 = b"Nothing matches the given URI"  # http.server's own 404 text


def _output(root: Path, *, not_found_page: bool = True) -> Path:
    """A small built site, with a secret beside it and traps inside it."""
    out = root / "output"
    (out / "2008" / "05").mkdir(parents=True)
    (out / "page" / "2").mkdir(parents=True)
    (out / "empty").mkdir()  # a folder without index.html
    (out / "index.html").write_text("<!DOCTYPE html><title>Home</title>\n")
    (out / "2008" / "05" / "x.html").write_text("<!DOCTYPE html><title>A post</title>\n")
    (out / "page" / "2" / "index.html").write_text("<!DOCTYPE html><title>Page 2</title>\n")
    (out / "feed.json").write_text('{"version": "https://jsonfeed.org/version/1.1"}\n')
    (out / ".scofeed-tmp-half").write_text("half a feed")
    (root / "secret.txt").write_text("top secret\n")
    (out / "link-out").symlink_to(root, target_is_directory=True)
    if not_found_page:
        (out / "404.html").write_bytes(NOT_FOUND_PAGE)
    return out


@contextmanager
def _serving(root: Path, base_path: str = "/sco/") -> Iterator[PreviewServer]:
    server = make_server(root, port=0, log=lambda line: None, base_path=base_path)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _get(port: int, path: str, method: str = "GET") -> Response:
    """One request with the target sent exactly as given (no client-side normalising)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """output/ with a 404.html, served with base path /sco/: the folder and the port."""
    out = _output(tmp_path)
    with _serving(out) as server:
        yield out, server.server_address[1]


@pytest.mark.parametrize(
    ("path", "file"),
    [
        ("/2008/05/x.html", "2008/05/x.html"),
        ("/", "index.html"),
        ("/page/2/", "page/2/index.html"),
        ("/feed.json", "feed.json"),
    ],
)
def test_the_base_path_serves_the_same_bytes_as_the_root(
    served: tuple[Path, int], path: str, file: str
) -> None:
    out, port = served
    expected = (out / file).read_bytes()
    at_root = _get(port, path)
    for target in (path, "/sco" + path, "/%73co" + path):  # the base path percent-encoded too
        status, headers, body = _get(port, target) if target != path else at_root
        assert (status, body) == (200, expected), target
        for name in ("content-type", "etag", "last-modified", "content-length"):
            assert headers[name] == at_root[1][name], (target, name)


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("/sco", "/sco/"),
        ("/sco?x=1", "/sco/"),
        ("/sco/page/2", "/sco/page/2/"),
        ("/page/2", "/page/2/"),
        ("/sco/2008", "/sco/2008/"),
        ("//sco", "/sco/"),  # never "//sco/": a browser would take "sco" for a host
        ("//page//2", "/page//2/"),
        ("http://127.0.0.1//sco", "/sco/"),  # the absolute form, which http.server leaves be
    ],
)
def test_folders_named_without_their_slash_redirect(
    served: tuple[Path, int], target: str, location: str
) -> None:
    status, headers, body = _get(served[1], target)
    assert (status, headers["location"], body) == (301, location, b"")


@pytest.mark.parametrize(
    "target",
    [
        "/nowhere.html",
        "/sco/nowhere.html",
        "/sco/2008/05/y.html",
        "/empty/",  # a folder without index.html: no listing
        "/sco/empty/",
        "/sco/.scofeed-tmp-half",  # hidden, under the base path too
        "/sco/sco/2008/05/x.html",  # the base path strips once
        "/scoop/2008/05/x.html",  # a name that starts as the base path's does is not it
    ],
)
def test_unknown_paths_get_the_sites_404_page(served: tuple[Path, int], target: str) -> None:
    status, headers, body = _get(served[1], target)
    assert (status, body) == (404, NOT_FOUND_PAGE), target
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert int(headers["content-length"]) == len(NOT_FOUND_PAGE)
    status, head, nothing = _get(served[1], target, "HEAD")
    assert (status, nothing) == (404, b"")
    assert head["content-type"] == "text/html; charset=utf-8"
    assert int(head["content-length"]) == len(NOT_FOUND_PAGE)


def test_a_head_404_sends_no_body_on_the_connection(served: tuple[Path, int]) -> None:
    # http.client reads no body after HEAD whatever comes; the bytes on the wire tell.
    with socket.create_connection(("127.0.0.1", served[1]), timeout=5) as sock:
        sock.sendall(b"HEAD /sco/nowhere.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        got = b""
        while chunk := sock.recv(65536):
            got += chunk
    head, _, rest = got.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 404 ") and rest == b""


def test_without_a_404_page_the_404_is_the_plain_one(tmp_path: Path) -> None:
    out = _output(tmp_path, not_found_page=False)
    with _serving(out) as server:
        port = server.server_address[1]
        for target in ("/nowhere.html", "/sco/nowhere.html", "/sco/empty/"):
            status, headers, body = _get(port, target)
            assert status == 404 and PLAIN_404 in body, target
            assert int(headers["content-length"]) == len(body)
            assert _get(port, target, "HEAD")[::2] == (404, b"")
        # A 404.html written while it serves is used at once, as every file is.
        (out / "404.html").write_bytes(NOT_FOUND_PAGE)
        assert _get(port, "/sco/nowhere.html")[::2] == (404, NOT_FOUND_PAGE)


def test_a_404_page_that_leads_out_of_the_folder_is_not_sent(tmp_path: Path) -> None:
    out = _output(tmp_path, not_found_page=False)
    (out / "404.html").symlink_to(tmp_path / "secret.txt")
    with _serving(out) as server:
        status, _, body = _get(server.server_address[1], "/sco/nowhere.html")
    assert status == 404 and b"top secret" not in body and PLAIN_404 in body


@pytest.mark.parametrize(
    "target",
    [
        "/sco/../../etc/passwd",
        "/sco/../secret.txt",
        "/sco/%2e%2e/%2e%2e/etc/passwd",
        "/sco/%2E%2E/secret.txt",
        "/sco/..%2fsecret.txt",
        "/sco%2f..%2f..%2fsecret.txt",
        "/sco/%252e%252e/secret.txt",
        "/sco/..%5csecret.txt",
        "/sco/./../secret.txt",
        "/sco/link-out/secret.txt",
        "/sco/link-out/output/.scofeed-tmp-half",
        "/sco/.scofeed-tmp-half",
        "/sco/%2escofeed-tmp-half",
        "/sco/%00",
        "//sco/../secret.txt",
        "/sco//etc/passwd",
        "http://127.0.0.1/sco/../secret.txt",
    ],
)
def test_nothing_outside_the_folder_is_reachable_under_the_base_path(
    served: tuple[Path, int], target: str
) -> None:
    status, _, body = _get(served[1], target)
    assert status in (400, 403, 404), (target, status)
    assert b"top secret" not in body and b"root:" not in body and b"half a feed" not in body


def test_a_base_path_of_slash_changes_nothing(tmp_path: Path) -> None:
    out = _output(tmp_path)
    (out / "sco").mkdir()
    (out / "sco" / "only-here.html").write_text("in a folder named sco\n")
    with _serving(out, base_path="/") as server:
        port = server.server_address[1]
        assert _get(port, "/2008/05/x.html")[0] == 200
        assert _get(port, "/sco/2008/05/x.html")[::2] == (404, NOT_FOUND_PAGE)
        assert _get(port, "/sco/only-here.html")[::2] == (200, b"in a folder named sco\n")
        assert _get(port, "/sco")[1]["location"] == "/sco/"
    # With base path /sco/, the base path wins over a folder of its name.
    with _serving(out, base_path="/sco/") as server:
        port = server.server_address[1]
        assert _get(port, "/sco/only-here.html")[0] == 404
        assert _get(port, "/sco/2008/05/x.html")[0] == 200


def test_the_command_serves_at_the_path_of_base_url(tmp_path: Path) -> None:
    out = _output(tmp_path)
    (tmp_path / "scofeed.toml").write_text('base_url = "https://example.org/news/sco/"\n')
    served = Served(tmp_path)
    try:
        port = urlsplit(served.url).port
        assert port is not None
        expected = (out / "2008/05/x.html").read_bytes()
        for target in ("/news/sco/2008/05/x.html", "/2008/05/x.html"):
            assert _get(port, target)[::2] == (200, expected), target
        assert _get(port, "/news/sco")[1]["location"] == "/news/sco/"
        assert _get(port, "/news/2008/05/x.html")[::2] == (404, NOT_FOUND_PAGE)
        assert _get(port, "/news/sco/../../secret.txt")[0] == 403
        assert served.logged('"GET /news/sco/2008/05/x.html HTTP/1.1" 200')
    finally:
        assert served.stop() == 0
