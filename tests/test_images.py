"""Entries' pictures (`image:`, else the body's first image), attachments measured from
static/, and summary-only feeds: read back from every format by real readers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from lxml import html as lxml_html
from reader import make_reader

from scofeed.config import load_config
from scofeed.errors import InputError
from scofeed.publish.build import build

NOW = datetime(2026, 1, 1, tzinfo=UTC)
BASE = "https://example.org/sco/"

POSTS = {
    "2020-01-01-own.md": "---\ntitle: Own picture\nimage: /images/map.png\n---\nText.\n",
    "2020-01-02-body.md": (
        "---\ntitle: Body picture\n---\nBefore.\n\n![A view](https://cdn.example.org/v.jpg)\n"
    ),
    "2020-01-03-none.md": "---\ntitle: No picture\n---\nJust words.\n",
    # A Hugo bundle's cover, in a theme's key: published beside the page.
    "trip/index.md": "---\ntitle: Trip\ndate: 2020-01-04\ncover: {image: c.jpg}\n---\nHi.\n",
    "trip/c.jpg": "jpeg",
    "2020-01-05-episode.md": ("---\ntitle: Episode\nenclosures: [media/ep1.mp3]\n---\nListen.\n"),
}
PICTURES = {
    "Own picture": (BASE + "images/map.png", True),
    "Body picture": ("https://cdn.example.org/v.jpg", False),
    "Trip": (BASE + "2020/01/c.jpg", True),
}


def make(root: Path, toml: str = "") -> Path:
    for name, text in POSTS.items():
        path = root / "posts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for name, data in {"images/map.png": b"png", "media/ep1.mp3": b"x" * 1234}.items():
        (root / "static" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "static" / name).write_bytes(data)
    (root / "scofeed.toml").write_text(f'base_url = "{BASE}"\ntimezone = "UTC"\n{toml}')
    build(load_config(root), now=NOW)
    return root / "output"


@pytest.mark.parametrize("feed", ["rss.xml", "atom.xml"])
def test_pictures_reach_rss_and_atom_as_media_rss(tmp_path: Path, feed: str) -> None:
    out = make(tmp_path)
    parsed = feedparser.parse((out / feed).read_bytes())
    assert not parsed.bozo
    for entry in parsed.entries:
        thumbnails = [t["url"] for t in entry.get("media_thumbnail", [])]
        contents = [c["url"] for c in entry.get("media_content", [])]
        if entry.title not in PICTURES:
            assert thumbnails == contents == []
            continue
        url, own = PICTURES[entry.title]
        assert thumbnails == [url]
        assert contents == ([url] if own else [])  # the body's image is in the content already


def test_pictures_reach_the_json_feed_and_the_pages(tmp_path: Path) -> None:
    out = make(tmp_path)
    items = json.loads((out / "feed.json").read_text())["items"]
    assert {i["title"]: i.get("image") for i in items} == {
        "Own picture": BASE + "images/map.png",
        "Body picture": "https://cdn.example.org/v.jpg",
        "No picture": None,
        "Trip": BASE + "2020/01/c.jpg",
        "Episode": None,
    }
    assert (out / "2020/01/c.jpg").read_text() == "jpeg"  # the bundle's file, where it points
    page = lxml_html.document_fromstring((out / "2020/01/own.html").read_bytes())
    assert page.xpath('//meta[@property="og:image"]/@content') == [BASE + "images/map.png"]
    assert page.xpath('//meta[@name="twitter:card"]/@content') == ["summary_large_image"]
    jsonld = json.loads(page.xpath('//script[@type="application/ld+json"]/text()')[0])
    assert jsonld["image"] == [BASE + "images/map.png"]
    bare = lxml_html.document_fromstring((out / "2020/01/none.html").read_bytes())
    assert bare.xpath('//meta[@property="og:image"]') == []


def test_an_attachment_in_static_is_measured_and_one_missing_is_refused(tmp_path: Path) -> None:
    out = make(tmp_path)
    rss = feedparser.parse((out / "rss.xml").read_bytes())
    (episode,) = [e for e in rss.entries if e.title == "Episode"]
    assert [(e.href, e.length, e.type) for e in episode.enclosures] == [
        (BASE + "media/ep1.mp3", "1234", "audio/mpeg")
    ]
    (tmp_path / "static/media/ep1.mp3").unlink()
    with pytest.raises(InputError) as caught:
        build(load_config(tmp_path), now=NOW)
    (problem,) = caught.value.problems
    assert problem.path.endswith("2020-01-05-episode.md")
    assert "media/ep1.mp3 is no file of static/" in problem.message
    assert feedparser.parse((out / "rss.xml").read_bytes()).entries  # published feeds kept


def test_summary_feeds_carry_the_summary_and_the_link_only(tmp_path: Path) -> None:
    out = make(tmp_path, 'feed_content = "summary"\n')
    for feed in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse((out / feed).read_bytes())
        for entry in parsed.entries:
            assert "content" not in entry, (feed, entry.title)
            assert entry.summary and entry.link.startswith(BASE)
    items = json.loads((out / "feed.json").read_text())["items"]
    assert all("content_html" not in i and i["content_text"] for i in items)
    # A real reader subscribed to the summary feed gets every entry, with its link.
    with make_reader(":memory:", feed_root=str(out)) as client:
        client.add_feed("file:atom.xml")
        client.update_feeds()
        got = {e.title: e.link for e in client.get_entries()}
    assert got["Own picture"] == BASE + "2020/01/own.html" and len(got) == 5


def test_feed_content_must_be_full_or_summary(tmp_path: Path) -> None:
    (tmp_path / "scofeed.toml").write_text('feed_content = "excerpt"\n')
    with pytest.raises(Exception, match='feed_content must be "full"'):
        load_config(tmp_path)
