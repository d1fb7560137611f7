"""The embed widget in a real browser: headless Chromium loads a page from one origin that
embeds a country feed, through embed.js, from `scofeed serve` on another origin."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import html as lxml_html

from scofeed.config import load_config
from scofeed.publish.build import build

from conftest import NOW, POSTS, Served, post

EVIL = "<img src=x onerror=alert(1)>"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail(
            "chromium is not installed, and the embed widget is tested in a real browser: "
            "install it (apt-get install chromium; .ci/run does so when it is missing)"
        )
    return found


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def other_origin(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A plain static server on another port of 127.0.0.1: a site that embeds our feed."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield folder, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.slow  # a real headless Chromium: about 1.1 s with its teardown
def test_embed_js_renders_a_country_feed_on_another_origin_as_text(
    tmp_path: Path, other_origin: tuple[Path, str]
) -> None:
    chromium = _chromium()
    site = tmp_path / "site"
    shutil.copytree(POSTS, site / "posts")
    (site / "posts" / "2009-01-01-evil.md").write_text(
        post(f"title: '{EVIL}'\ndate: 2009-01-01", "Officials met in Moscow.")
    )
    (site / "output").mkdir()
    served = Served(site)
    try:
        (site / "scofeed.toml").write_text(f'base_url = "{served.url}"\n')
        build(load_config(site), now=NOW)
        folder, origin = other_origin
        assert origin != served.url
        feed_url = f"{served.url}countries/russia/feed.json"
        (folder / "page.html").write_text(
            "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            "<title>Elsewhere</title></head><body>\n<h1>News from elsewhere</h1>\n"
            f'<div id="russia" data-scofeed="{feed_url}" data-limit="5">'
            '<a href="https://example.org/">fallback link</a></div>\n'
            f'<div id="all" data-scofeed="{served.url}feed.json" data-title="off"></div>\n'
            f'<script src="{served.url}embed.js" defer></script>\n</body></html>\n'
        )
        profile = tmp_path / "chromium-profile"
        result = subprocess.run(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--virtual-time-budget=5000",
                "--dump-dom",
                f"{origin}page.html",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        dom = result.stdout
        assert served.logged('"GET /countries/russia/feed.json HTTP/1.1" 200')
    finally:
        served.stop()

    feed = json.loads((site / "output/countries/russia/feed.json").read_bytes())
    page = lxml_html.fromstring(dom)
    (box,) = page.xpath('//div[@id="russia"]')
    assert box.get("data-scofeed-state") == "done", dom
    assert "fallback link" not in box.text_content()
    (title,) = box.xpath('.//p[@class="scofeed-title"]/a')
    assert (title.text, title.get("href")) == (feed["title"], feed["home_page_url"])
    entries = box.xpath('.//li[@class="scofeed-entry"]')
    assert len(entries) == 5  # data-limit
    shown = [(li.xpath("./a")[0].text, li.xpath("./a")[0].get("href")) for li in entries]
    assert shown == [(i["title"], i["url"]) for i in feed["items"][:5]]
    dates = [li.xpath("./time")[0].get("datetime") for li in entries]
    assert dates == [i["date_published"] for i in feed["items"][:5]]
    # The title that is markup is shown as text: escaped in the DOM, no element made of it.
    assert EVIL in [text for text, _ in shown]
    assert "&lt;img src=x onerror=alert(1)&gt;" in dom
    assert box.xpath(".//img") == [] and page.xpath("//img") == []
    # The second widget: the whole category, no title, the default limit of 10.
    (whole,) = page.xpath('//div[@id="all"]')
    assert whole.get("data-scofeed-state") == "done"
    assert whole.xpath('.//p[@class="scofeed-title"]') == []
    assert len(whole.xpath('.//li[@class="scofeed-entry"]')) == 10


PWN = "<img src=x onerror=\"document.documentElement.setAttribute('data-pwned', '1')\">"


@pytest.mark.slow  # a real headless Chromium per page
def test_the_pages_run_nothing_a_post_or_a_name_carries(tmp_path: Path) -> None:
    """The index page, a country's page, an embed fragment and a pasted embed code, loaded in
    Chromium from a site whose titles, summaries, authors, tags and country names are markup."""
    chromium = _chromium()
    site = tmp_path / "site"
    (site / "posts").mkdir(parents=True)
    front = {"title": PWN, "date": "2009-01-01", "author": PWN, "summary": PWN, "tags": [PWN]}
    front["countries"] = [PWN, "Russia"]
    (site / "posts" / "evil.md").write_text(
        post(yaml.safe_dump(front), f"Officials met in Moscow. `{PWN}`")
    )
    build(load_config(site), now=NOW)
    output = site / "output"
    country = next(p for p in (output / "countries").iterdir() if p.name != "russia")
    pasted = tmp_path / "pasted.html"
    code = lxml_html.document_fromstring((country / "index.html").read_bytes()).find(".//code")
    assert code is not None
    pasted.write_text(f"<!DOCTYPE html><html><body>{code.text_content()}</body></html>")
    pages = [output / "index.html", country / "index.html", country / "embed.html", pasted]
    for page in pages:
        result = subprocess.run(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={tmp_path / 'profile'}",
                "--virtual-time-budget=2000",
                "--dump-dom",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        dom = lxml_html.fromstring(result.stdout)
        assert dom.tag == "html" and dom.get("data-pwned") is None, page  # nothing ran
        assert dom.xpath("//img") == [], page  # no element made of a text
