"""Feeds and pages for every tag, and `exclude_tags`: read back with feedparser."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import feedparser
from lxml import etree
from lxml import html as lxml_html

from scofeed.config import load_config
from scofeed.publish.build import build

NOW = datetime(2026, 1, 1, tzinfo=UTC)
BASE = "https://example.org/sco/"
POSTS = {
    "2020-01-01-a.md": "---\ntitle: A\ntags: [Energy Security, gas]\n---\nMoscow.\n",
    "2020-01-02-b.md": "---\ntitle: B\ntags: energy-security internal\n---\nBeijing.\n",
    "2020-01-03-c.md": "---\ntitle: C\ntags: [Energy Security, Ñandú]\n---\nAlmaty.\n",
    "2020-01-04-d.md": "---\ntitle: D\n---\nNo tags.\n",
}


def make(root: Path) -> Path:
    (root / "posts").mkdir()
    for name, text in POSTS.items():
        (root / "posts" / name).write_text(text, encoding="utf-8")
    (root / "scofeed.toml").write_text(
        f'base_url = "{BASE}"\ntimezone = "UTC"\nexclude_tags = ["Internal"]\n'
    )
    build(load_config(root), now=NOW)
    return root / "output"


def titles(path: Path) -> list[str]:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    return sorted(e.title for e in parsed.entries)


def test_each_tag_has_feeds_holding_exactly_its_posts(tmp_path: Path) -> None:
    out = make(tmp_path)
    # `Energy Security` and `energy-security` are one tag; B is excluded by its other tag.
    expected = {"energy-security": ["A", "C"], "gas": ["A"], "nandu": ["C"]}
    assert sorted(p.name for p in (out / "tags").iterdir()) == sorted(expected)
    for slug, posts in expected.items():
        for name in ("rss.xml", "atom.xml"):
            assert titles(out / "tags" / slug / name) == posts, (slug, name)
    assert not (out / "tags/internal").exists()


def test_an_excluded_tag_keeps_its_post_out_of_every_feed_but_not_off_the_site(
    tmp_path: Path,
) -> None:
    out = make(tmp_path)
    assert titles(out / "rss.xml") == ["A", "C", "D"]
    for country in (out / "countries").iterdir():
        assert "B" not in titles(country / "atom.xml")
    page = lxml_html.document_fromstring((out / "2020/01/b.html").read_bytes())
    # Its page is there, and links only the tags that have pages.
    assert page.xpath("//a[@rel='tag']/@href") == ["../../tags/energy-security/"]


def test_tag_pages_list_their_posts_and_link_their_feeds(tmp_path: Path) -> None:
    out = make(tmp_path)
    page = lxml_html.document_fromstring((out / "tags/energy-security/index.html").read_bytes())
    assert page.findtext(".//h1") == "Tagged Energy Security"
    listed = sorted(a.text_content() for a in page.xpath("//ol[@class='posts']//h2/a"))
    assert listed == ["A", "C"]  # B is kept out of listings as of feeds
    feeds = page.xpath("//link[@rel='alternate']/@href")
    assert BASE + "tags/energy-security/atom.xml" in feeds
    post = lxml_html.document_fromstring((out / "2020/01/a.html").read_bytes())
    links = post.xpath("//a[@rel='tag']/@href")
    assert links == ["../../tags/energy-security/", "../../tags/gas/"]
    opml = etree.parse(str(out / "feeds.opml"))
    groups = {o.get("text"): o for o in opml.iterfind("body/outline")}
    tagged = groups["SCO (RTG): tags"]
    assert sorted(o.get("xmlUrl") for o in tagged) == [
        BASE + f"tags/{slug}/atom.xml" for slug in ("energy-security", "gas", "nandu")
    ]


def test_a_tag_that_loses_its_last_post_loses_its_folder(tmp_path: Path) -> None:
    out = make(tmp_path)
    (tmp_path / "posts/2020-01-03-c.md").write_text("---\ntitle: C\n---\nAlmaty.\n")
    report = build(load_config(tmp_path), now=NOW)
    assert not (out / "tags/nandu").exists()
    assert "tags/gas/rss.xml" not in report.written  # untouched tags are not written again
