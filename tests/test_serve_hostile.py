"""`scofeed serve` against a hostile client on the network (issue 13, item 7): what it sends
reaches the log escaped, bad dates are ignored, slow clients and spent descriptors do not stop
it answering, and its memory stays bounded. Real sockets throughout: the server in a
subprocess as `scofeed serve`, or in a thread of this process where its insides are looked at."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from email.utils import formatdate
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scofeed.serve import CACHE_BYTES, Limits, PreviewServer, make_server
from scofeed.serve._files import ByteCache
from scofeed.serve._handler import escaped, http_date

from conftest import Served

Response = tuple[int, dict[str, str], bytes]


def _output(root: Path) -> Path:
    out = root / "output"
    out.mkdir()
    (out / "index.html").write_text("<!DOCTYPE html><title>x</title>\n")
    (out / "rss.xml").write_text("<rss>" + "<item>An item of the feed.</item>\n" * 500 + "</rss>")
    return out


@contextmanager
def _serving(
    root: Path,
    limits: Limits = Limits(),  # noqa: B008 (frozen)
    cache_bytes: int = CACHE_BYTES,
    clock: Callable[[], float] = time.time,
    log: Callable[[str], None] = lambda line: None,
) -> Iterator[PreviewServer]:
    """The server in a thread of this process."""
    server = make_server(root, port=0, log=log, clock=clock, cache_bytes=cache_bytes, limits=limits)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _get(
    server: PreviewServer, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> Response:
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=2)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


def _raw(port: int, data: bytes) -> bytes:
    """Send `data` as it is; all the server answers, to the end of the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        got = b""
        while chunk := sock.recv(65536):
            got += chunk
        return got


# --- the log and the dates -------------------------------------------------------------------


def test_what_a_client_sends_reaches_the_log_escaped(tmp_path: Path) -> None:
    _output(tmp_path)
    served = Served(tmp_path)
    try:
        port = int(served.url.rsplit(":", 1)[1].strip("/"))
        for target in (
            b"/\x1b[2J\x1b]0;evil\x07",  # clear the screen, retitle the terminal
            b'/x"200',  # a quote that would end the logged field
            b"/caf\xc3\xa9\xe2\x80\xae",  # UTF-8, with a right-to-left override
        ):
            _raw(port, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        _raw(port, b"GET /a\r\x1b[1A HTTP/1.1\r\nHost: x\r\n\r\n")  # CR: up a line, overwrite
        assert served.logged(r'"GET /\x1b[2J\x1b]0;evil\x07 HTTP/1.1" 404')
        assert served.logged(r'"GET /x\"200 HTTP/1.1" 404')
        assert served.logged(r'"GET /caf\xc3\xa9\xe2\x80\xae HTTP/1.1" 404')
        assert served.logged(r'"GET /a\x0d\x1b[1A HTTP/1.1" 400')
    finally:
        served.stop()
    assert all(line.isascii() and line.isprintable() for line in served.lines), served.lines


@given(st.text())
def test_escaped_text_is_printable_ascii_and_says_exactly_what_came(text: str) -> None:
    shown = escaped(text)
    assert shown.isascii() and shown.isprintable()
    assert shown.encode().decode("unicode_escape") == text


@given(st.text())
def test_any_date_header_parses_or_is_ignored(text: str) -> None:
    assert http_date(text) is None or isinstance(http_date(text), float)


def test_if_modified_since_that_is_no_date_or_still_to_come_gets_the_file(tmp_path: Path) -> None:
    body = (_output(tmp_path) / "rss.xml").read_bytes()
    served = Served(tmp_path)
    port = int(served.url.rsplit(":", 1)[1].strip("/"))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        for since in (
            "Sun, 06 Nov 99999999999 08:49:37 GMT",  # dropped the connection (OverflowError)
            "Sun, 06 Nov 1994 08:49:37 -99999999999999999999",
            "Sun, 31 Feb 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 +9999",
            "yesterday",
            "",
            formatdate(time.time() + 86400, usegmt=True),  # tomorrow
        ):
            conn.request("GET", "/rss.xml", headers={"If-Modified-Since": since})
            response = conn.getresponse()
            assert (response.status, response.read()) == (200, body), since
        stamp = response.getheader("Last-Modified") or ""
        conn.request("GET", "/rss.xml", headers={"If-Modified-Since": stamp})
        assert conn.getresponse().status == 304  # a real date that has been still works
    finally:
        conn.close()
        served.stop()


def test_if_modified_since_later_than_the_servers_now_is_ignored(tmp_path: Path) -> None:
    file = _output(tmp_path) / "rss.xml"
    os.utime(file, (1_000_000_000, 1_000_000_000))
    with _serving(tmp_path / "output", clock=lambda: 1_000_000_100) as server:
        for since, status in ((1_000_000_050, 304), (1_000_000_000, 304), (1_000_000_200, 200)):
            headers = {"If-Modified-Since": formatdate(since, usegmt=True)}
            assert _get(server, "/rss.xml", headers)[0] == status, since
        assert _get(server, "/rss.xml")[1]["date"] == formatdate(1_000_000_100, usegmt=True)


# --- slow clients, full queues, spent descriptors --------------------------------------------


def test_clients_that_send_or_read_nothing_hold_no_worker(tmp_path: Path) -> None:
    out = _output(tmp_path)
    (out / "big.xml").write_bytes(b"<x>" + b"y" * 16_000_000 + b"</x>")  # more than buffers hold
    with _serving(out, Limits(workers=2)) as server, ExitStack() as stack:
        address = server.server_address[:2]
        for n in range(40):  # twenty times the workers: silent, or half a request head
            sock = stack.enter_context(socket.create_connection(address, timeout=5))
            if n % 2:
                sock.sendall(b"GET /rss.xml HTTP/1.1\r\nHo")
        for _ in range(4):  # ask for a big file and never read it
            sock = stack.enter_context(socket.create_connection(address, timeout=5))
            sock.sendall(b"GET /big.xml HTTP/1.1\r\nHost: x\r\n\r\n")
        status, _, body = _get(server, "/rss.xml")  # 2 s to answer, or it raises
        assert (status, body) == (200, (out / "rss.xml").read_bytes())


@pytest.mark.slow
def test_a_connection_gets_request_timeout_to_send_its_request(tmp_path: Path) -> None:
    with (
        _serving(_output(tmp_path), Limits(request_timeout=0.3)) as server,
        socket.create_connection(server.server_address[:2], timeout=3) as silent,
        socket.create_connection(server.server_address[:2], timeout=3) as slow,
    ):
        slow.sendall(b"GET / HTTP/1.1\r\n")
        assert silent.recv(100) == b"" and slow.recv(100) == b""  # closed: no answer owed


def test_past_the_connection_limit_the_longest_waiting_connection_goes(tmp_path: Path) -> None:
    with _serving(_output(tmp_path), Limits(max_connections=8)) as server, ExitStack() as s:
        address = server.server_address[:2]
        first = s.enter_context(socket.create_connection(address, timeout=3))
        time.sleep(0.05)  # so that it is the oldest
        for _ in range(7):
            s.enter_context(socket.create_connection(address, timeout=3))
        assert _get(server, "/rss.xml")[0] == 200
        assert first.recv(100) == b""


def test_a_full_queue_answers_503_at_once(tmp_path: Path) -> None:
    """One worker held (in the log, by this test), one request queued: the next is refused."""
    held, release = threading.Event(), threading.Event()

    def log(line: str) -> None:
        if "hold" in line:
            held.set()
            release.wait(5)

    with _serving(_output(tmp_path), Limits(workers=1, queue=1), log=log) as server:
        answers: list[Response] = []
        waiting = [
            threading.Thread(target=lambda p=path: answers.append(_get(server, p)))
            for path in ("/rss.xml?hold", "/rss.xml")
        ]
        waiting[0].start()
        assert held.wait(5)
        waiting[1].start()
        time.sleep(0.2)  # queued
        status, headers, _ = _get(server, "/rss.xml?refused")
        release.set()
        for thread in waiting:
            thread.join(5)
    assert (status, headers["retry-after"], headers["connection"]) == (503, "1", "close")
    assert sorted(a[0] for a in answers) == [200, 200]


_HOARD = """
import http.client, json, os, resource, socket, sys, threading, time
from pathlib import Path
from scofeed.serve import make_server
resource.setrlimit(resource.RLIMIT_NOFILE, (128, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
lines = []
server = make_server(Path(sys.argv[1]), port=0, log=lines.append)
threading.Thread(target=server.serve_forever, daemon=True).start()
address = server.server_address[:2]
def ask(conn):
    conn.request("GET", "/rss.xml")
    r = conn.getresponse()
    return [r.status, r.getheader("Retry-After"), len(r.read())]
kept = http.client.HTTPConnection(*address, timeout=5)
got = {"before": ask(kept)}
late = socket.socket()  # made while there are descriptors; connected when there are none
hoard = []
def fill():
    while True:
        try:
            hoard.append(os.open(os.devnull, os.O_RDONLY))
        except OSError:
            return
fill()
got["open() fails"] = ask(kept)
time.sleep(0.2)  # the 503 closed that connection: the server's end of it goes too
fill()
late.settimeout(5)
late.connect(address)
late.sendall(b"GET /rss.xml HTTP/1.1\\r\\n\\r\\n")
got["accept() fails"] = late.recv(4096).decode().split("\\r\\n")[0]
for fd in hoard:
    os.close(fd)
got["after"] = ask(http.client.HTTPConnection(*address, timeout=5))
got["log"] = [line.split(" ", 1)[1] for line in lines]
print(json.dumps(got))
"""


@pytest.mark.slow
def test_no_descriptor_left_answers_503_never_404(tmp_path: Path) -> None:
    size = len((_output(tmp_path) / "rss.xml").read_bytes())
    run = subprocess.run(
        [sys.executable, "-c", _HOARD, str(tmp_path / "output")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(run.stdout) == {
        "before": [200, None, size],
        "open() fails": [503, "1", 0],
        "accept() fails": "HTTP/1.1 503 Service Unavailable",
        "after": [200, None, size],
        "log": [
            '"GET /rss.xml HTTP/1.1" 200',
            '"GET /rss.xml HTTP/1.1" 503',  # open() failed
            '"-" 503',  # accept() failed: the spare descriptor answered
            '"GET /rss.xml HTTP/1.1" 200',
        ],
    }


_LIMITED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (256, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
from scofeed.cli import run
run(["serve", "--port", "0"])
"""


def test_400_silent_clients_against_256_descriptors_and_files_still_load(tmp_path: Path) -> None:
    """The attack as it was reproduced: everyone blocked, then existing files answered 404."""
    body = (_output(tmp_path) / "rss.xml").read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-c", _LIMITED],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        found = re.search(r"127\.0\.0\.1:(\d+)/", proc.stderr.readline())
        assert found is not None
        address = ("127.0.0.1", int(found.group(1)))
        with ExitStack() as stack:
            for _ in range(400):
                stack.enter_context(socket.create_connection(address, timeout=5))
            for _ in range(3):
                conn = http.client.HTTPConnection(*address, timeout=2)
                conn.request("GET", "/rss.xml")
                response = conn.getresponse()
                assert (response.status, response.read()) == (200, body)
                conn.close()
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0 and err.rstrip().endswith("scofeed: stopped"), err


# --- bounded memory, gzip made once ----------------------------------------------------------


def test_the_cache_keeps_to_its_bytes(tmp_path: Path) -> None:
    out = _output(tmp_path)
    files = {
        f"/f{n}.json": (f'{{"n": {n}, "text": "' + "words " * 40_000 + '"}').encode()
        for n in range(8)
    }
    for path, data in files.items():
        (out / path[1:]).write_bytes(data)
    (out / "large.xml").write_bytes(b"<x>" + b"too big to cache " * 40_000 + b"</x>")
    with _serving(out, cache_bytes=1024 * 1024) as server:
        cache = server.files.cache
        for path, data in [*files.items(), ("/large.xml", (out / "large.xml").read_bytes())]:
            for asked in ({}, {"Accept-Encoding": "gzip"}):
                status, headers, body = _get(server, path, asked)
                zipped = headers.get("content-encoding") == "gzip"
                assert zipped == (bool(asked) and path != "/large.xml")  # too big: sent as it is
                assert status == 200 and (gzip.decompress(body) if zipped else body) == data
                assert cache.size <= cache.limit == 1024 * 1024
        assert 0 < len(cache) < 2 * len(files)  # some went, the recent ones stayed
    with _serving(out) as server:
        assert server.files.cache.limit == 64 * 1024 * 1024


def test_the_byte_cache_drops_the_least_recently_used() -> None:
    cache = ByteCache(400)
    for key in "abc":
        cache.put(key, b"x" * 100)
    assert cache.get("a") is not None
    cache.put("d", b"x" * 100)
    cache.put("e", b"x" * 100)  # 500 bytes: "b", the least recently used, goes
    assert ("a" in cache, "b" in cache, "e" in cache, cache.size) == (True, False, True, 400)
    cache.put("f", b"x" * 101)  # more than a quarter of the bound: not kept
    assert "f" not in cache and cache.size == 400


def test_a_gzip_body_is_made_once_per_version_of_the_file(tmp_path: Path) -> None:
    file = _output(tmp_path) / "rss.xml"
    zipped = {"Accept-Encoding": "gzip"}
    with _serving(tmp_path / "output") as server:
        for method, asked in (("GET", zipped), ("GET", zipped), ("HEAD", zipped), ("GET", {})):
            assert _get(server, "/rss.xml", asked, method)[0] == 200
            assert server.files.compressions == 1
        file.write_text("<rss>" + "<item>A new version.</item>\n" * 500 + "</rss>")
        body = _get(server, "/rss.xml", zipped)[2]
        assert gzip.decompress(body) == file.read_bytes()
        assert server.files.compressions == 2


# --- the connection ----------------------------------------------------------------------------


def test_pipelined_requests_are_answered_in_order_and_a_body_is_no_request(tmp_path: Path) -> None:
    with _serving(_output(tmp_path)) as server:
        port = server.server_address[1]
        got = _raw(
            port, b"GET /rss.xml HTTP/1.1\r\n\r\nHEAD / HTTP/1.1\r\nConnection: close\r\n\r\n"
        )
        assert got.count(b"HTTP/1.1 200 OK\r\n") == 2
        assert got.index(b"application/rss+xml") < got.index(b"text/html")
        smuggled = b"GET /rss.xml HTTP/1.1\r\n\r\n"
        head = b"POST / HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % len(smuggled)
        got = _raw(port, head + smuggled)
        assert got.startswith(b"HTTP/1.1 405 ") and b"Connection: close\r\n" in got
        assert b"200 OK" not in got
        assert _raw(port, b"GET /" + b"x" * 70_000).startswith(b"HTTP/1.1 414 ")
        assert _raw(port, b"GET / HTTP/1.1\r\nX: " + b"x" * 70_000).startswith(b"HTTP/1.1 431 ")
