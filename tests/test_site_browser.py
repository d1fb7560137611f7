"""The pages in a real browser: headless Chromium, driven over its DevTools protocol, lays out a
post page (a very long address, a wide table, a long line of code), the home page, a country's
page and the archive page at a phone's width and a desktop's, light and dark. Nothing may
scroll sideways, and the colours must follow the reader's preference and stay readable."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from test_browser import CHROMIUM_FLAGS, _chromium
from test_site import WIDE_BODY

from scofeed.config import load_config
from scofeed.publish.build import build

from conftest import NOW, POSTS, post

LONG_WORD = "Intergovernmentalorganisationalcooperationagreementsignatories" * 2


class DevTools:
    """Headless Chromium and its one tab, spoken to over the DevTools WebSocket: the protocol
    Puppeteer and Playwright speak, here with the few lines of RFC 6455 it needs (a text frame
    each way), since no WebSocket client is installed."""

    def __init__(self, chromium: str, profile: Path) -> None:
        self.proc = subprocess.Popen(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",  # any free port, written to DevToolsActivePort
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.sock: socket.socket | None = None
        self.last_id = 0
        try:
            self._connect(profile / "DevToolsActivePort")
        except BaseException:
            self.close()
            raise

    def _connect(self, port_file: Path) -> None:
        deadline = time.monotonic() + 60
        while not (port_file.is_file() and port_file.read_text().strip()):
            assert self.proc.poll() is None, f"chromium ended with {self.proc.returncode}"
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as r:
            targets = json.loads(r.read())
        (tab,) = [t for t in targets if t["type"] == "page"]
        path = urlsplit(tab["webSocketDebuggerUrl"]).path
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.rfile = self.sock.makefile("rb")
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        status = self.rfile.readline()
        assert status.split()[1:2] == [b"101"], status
        while self.rfile.readline() not in (b"\r\n", b""):
            pass

    def _send(self, message: dict[str, Any]) -> None:
        assert self.sock is not None
        data = json.dumps(message).encode()
        size = len(data)
        if size < 126:
            head = bytes([0x81, 0x80 | size])
        elif size < 1 << 16:
            head = bytes([0x81, 0x80 | 126]) + size.to_bytes(2, "big")
        else:
            head = bytes([0x81, 0x80 | 127]) + size.to_bytes(8, "big")
        mask = os.urandom(4)  # a client masks every frame
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _receive(self) -> dict[str, Any]:
        message = b""
        while True:
            first, second = self.rfile.read(2)
            size = second & 0x7F
            if size == 126:
                size = int.from_bytes(self.rfile.read(2), "big")
            elif size == 127:
                size = int.from_bytes(self.rfile.read(8), "big")
            payload = self.rfile.read(size)  # a server never masks
            opcode = first & 0x0F
            assert opcode != 0x8, "chromium closed the DevTools connection"
            if opcode in (0x0, 0x1):  # text, or its continuation
                message += payload
                if first & 0x80:
                    result: dict[str, Any] = json.loads(message)
                    return result

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """A command's result (events that arrive before it are passed over)."""
        self.last_id += 1
        self._send({"id": self.last_id, "method": method, "params": params})
        while True:
            reply = self._receive()
            if reply.get("id") == self.last_id:
                assert "error" not in reply, (method, reply["error"])
                result: dict[str, Any] = reply["result"]
                return result

    def evaluate(self, expression: str) -> Any:
        reply = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        assert "exceptionDetails" not in reply, reply["exceptionDetails"]
        return reply["result"].get("value")

    def open(self, url: str) -> None:
        """Load `url` and wait until it is laid out with its fonts."""
        navigated = self.call("Page.navigate", url=url)
        assert "errorText" not in navigated, navigated
        deadline = time.monotonic() + 30
        while (
            self.evaluate("document.readyState") != "complete"
            or self.evaluate("location.href") != url
        ):
            assert time.monotonic() < deadline, f"{url} did not load"
            time.sleep(0.02)
        self.evaluate("document.fonts.ready.then(() => true)")

    def close(self) -> None:
        if self.sock is not None:
            self.rfile.close()
            self.sock.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    chromium = _chromium()
    tools = DevTools(chromium, tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield tools
    finally:
        tools.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The seed's posts, the hard one to lay out and one with a very long word for a title,
    built: the pages to look at, by name, as file:// URLs."""
    root = tmp_path_factory.mktemp("browser-site")
    shutil.copytree(POSTS, root / "posts")
    (root / "posts" / "2009-04-20-wide.md").write_text(
        post("title: Tables, code and a long address\ndate: 2009-04-20", WIDE_BODY)
    )
    (root / "posts" / "2009-04-21-word.md").write_text(
        post(f"title: {LONG_WORD}\ndate: 2009-04-21", f"Talks in Beijing. {LONG_WORD}.")
    )
    config = load_config(root)
    build(config, now=NOW)
    out = config.output_dir
    named = {
        "post": "2009/04/wide.html",
        "long word": "2009/04/word.html",
        "home": "index.html",
        "country": "countries/china/index.html",
        "archives": "archives/index.html",
    }
    return {name: (out / path).as_uri() for name, path in named.items()}


MEASURE = """(() => {
  const width = window.innerWidth;
  const css = (e) => getComputedStyle(e);
  const described = (e) => e.tagName.toLowerCase() + (e.className ? "." + e.className : "");
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: width,
    dark: matchMedia("(prefers-color-scheme: dark)").matches,
    background: css(document.body).backgroundColor,
    text: css(document.body).color,
    link: css(document.querySelector("main a")).color,
    muted: css(document.querySelector(".meta, .muted")).color,
    // for the message when the page is too wide: what sticks out
    wide: [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > width + 0.5)
      .slice(0, 8).map(described),
  };
})()"""


def _rgb(colour: str) -> tuple[float, float, float]:
    found = re.fullmatch(r"rgba?\((\d+), (\d+), (\d+)(?:, [\d.]+)?\)", colour)
    assert found is not None, colour
    r, g, b = (int(x) for x in found.groups())
    return r / 255, g / 255, b / 255


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.slow  # a real headless Chromium: some 3 s for the 20 layouts with its start
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("width", "mobile"), [(375, True), (1280, False)])
def test_no_page_scrolls_sideways_and_colours_follow_the_scheme(
    browser: DevTools, pages: dict[str, str], scheme: str, width: int, mobile: bool
) -> None:
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=800,
        deviceScaleFactor=1,
        mobile=mobile,  # a phone lays out at 980 px unless the page's viewport says otherwise
    )
    browser.call(
        "Emulation.setEmulatedMedia",
        features=[{"name": "prefers-color-scheme", "value": scheme}],
    )
    for name, url in pages.items():
        browser.open(url)
        seen = browser.evaluate(MEASURE)
        where = f"{name} at {width} px, {scheme}"
        assert seen["dark"] == (scheme == "dark"), where  # the emulation took
        # The viewport is the device's width (a phone zooms out to show a page too wide).
        assert seen["innerWidth"] == width, f"{where}: {seen}"
        assert seen["scrollWidth"] <= seen["innerWidth"], f"{where}: {seen}"
        background, text = _luminance(seen["background"]), _luminance(seen["text"])
        if scheme == "dark":
            assert background < 0.05 and text > 0.6, f"{where}: {seen}"
        else:
            assert background > 0.9 and text < 0.05, f"{where}: {seen}"
        # WCAG AA for body text, links and the muted lines (dates, counts).
        for part in ("text", "link", "muted"):
            assert _contrast(seen[part], seen["background"]) >= 4.5, f"{where}: {part} {seen}"
