"""Feeds and pages for every tag (and category), and `exclude_tags`: read back with feedparser,
the pages with lxml, the CLI as a user runs it."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import feedparser
from lxml import etree
from lxml import html as lxml_html

from scofeed.config import load_config
from scofeed.publish.build import BuildReport, build

from conftest import run_cli

NOW = datetime(2026, 1, 1, tzinfo=UTC)
BASE = "https://example.org/sco/"
POSTS = {
    # A list; the site's own category (the title) gets no feed of its own.
    "2020-01-01-a.md": "---\ntitle: A\ntags: [Energy Security, gas]\ncategories: [SCO (RTG)]\n"
    "---\nMoscow.\n",
    # Space-separated (Jekyll); `internal` is excluded, so B is in no feed and no listing.
    "2020-01-02-b.md": "---\ntitle: B\ntags: energy-security internal secret-plans\n---\n"
    "Beijing.\n",
    # Another spelling of one slug, a non-ASCII tag, a category filed as a tag.
    "2020-01-03-c.md": "---\ntitle: C\ntags: [energy security, Ñandú]\ncategories: Trade\n---\n"
    "Almaty.\n",
    "2020-01-04-d.md": "---\ntitle: D\ntags: ['#', 安全, energy-security]\n---\nD.\n",
    "2020-01-05-e.md": "---\ntitle: E\n---\nNo tags.\n",
}
# Each tag's folder -> its posts; `secret-plans` is B's only: B is excluded, so it has none.
EXPECTED = {
    "energy-security": ["A", "C", "D"],
    "gas": ["A"],
    "nandu": ["C"],
    "trade": ["C"],
    "安全": ["D"],
}
TOML = f'base_url = "{BASE}"\ntimezone = "UTC"\npage_size = 1\nexclude_tags = ["Internal "]\n'


def make(root: Path, posts: dict[str, str] = POSTS) -> tuple[Path, BuildReport]:
    (root / "posts").mkdir(exist_ok=True)
    for name, text in posts.items():
        (root / "posts" / name).write_text(text, encoding="utf-8")
    (root / "scofeed.toml").write_text(TOML, encoding="utf-8")
    return root / "output", build(load_config(root), now=NOW)


def titles(path: Path) -> list[str]:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, (path, parsed.bozo_exception)
    return sorted(e.title for e in parsed.entries)


def json_titles(path: Path) -> list[str]:
    return sorted(item["title"] for item in json.loads(path.read_bytes())["items"])


def page(path: Path) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(path.read_bytes())


def test_each_tag_has_feeds_holding_exactly_its_posts(tmp_path: Path) -> None:
    out, _ = make(tmp_path)
    folders = sorted(p.name for p in (out / "tags").iterdir() if p.is_dir())
    assert folders == sorted(EXPECTED)  # no `internal`, `secret-plans`, `sco-rtg`, nor `#`
    for slug, posts in EXPECTED.items():
        for name in ("rss.xml", "atom.xml"):
            assert titles(out / "tags" / slug / name) == posts, (slug, name)
        assert json_titles(out / "tags" / slug / "feed.json") == posts, slug
        assert (out / "tags" / slug / "embed.html").is_file()
    atom = feedparser.parse((out / "tags/energy-security/atom.xml").read_bytes())
    assert atom.feed.title == "SCO (RTG): energy-security"  # as most posts (B, D) write it
    # Entries' tags carry the tag feeds' folder as their scheme, as countries carry theirs.
    c = next(e for e in atom.entries if e.title == "C")
    schemes = {t.term: t.scheme for t in c.tags}
    assert schemes["Ñandú"] == schemes["Trade"] == BASE + "tags/"
    assert schemes["SCO (RTG)"] is None


def test_an_excluded_tag_keeps_its_post_out_of_every_feed_but_not_off_the_site(
    tmp_path: Path,
) -> None:
    out, report = make(tmp_path)
    feeds = [p for p in out.rglob("*") if p.name in ("rss.xml", "atom.xml", "feed.json")]
    assert len(feeds) > 12  # the category's, the countries', the tags'
    for feed in feeds:
        got = json_titles(feed) if feed.name == "feed.json" else titles(feed)
        assert "B" not in got, feed
    assert titles(out / "rss.xml") == ["A", "C", "D", "E"]
    listed = [a.text_content() for a in page(out / "index.html").xpath("//ol//h2/a")]
    assert "B" not in listed
    # Its page is there, and links only the tags that have pages: no link leads nowhere.
    links = page(out / "2020/01/b.html").xpath("//a[@rel='tag']/@href")
    assert links == ["../../tags/energy-security/"]
    assert report.published == 5  # published: its page is
    assert not any(f.startswith("tags/secret-plans/") for f in report.written)


def test_tag_pages_list_their_posts_and_link_their_feeds(tmp_path: Path) -> None:
    out, _ = make(tmp_path)
    first = page(out / "tags/energy-security/index.html")
    assert first.findtext(".//h1") == "Tagged energy-security"
    feeds = first.xpath("//link[@rel='alternate']/@href")
    assert [f for f in feeds if "/tags/" in f] == [
        BASE + f"tags/energy-security/{name}" for name in ("rss.xml", "atom.xml", "feed.json")
    ]
    # page_size 1: D on the first page, then C, then A.
    pages = [first] + [page(out / f"tags/energy-security/page/{n}/index.html") for n in (2, 3)]
    shown = [p.xpath("//ol[@class='posts']//h2/a")[0].text_content() for p in pages]
    assert shown == ["D", "C", "A"]
    assert first.xpath("//a[text()='every tag']/@href") == ["../"]
    # Post pages link each tag and category with a page, named as the tag's page names it.
    post = page(out / "2020/01/c.html")
    tags = [(a.text_content(), a.get("href")) for a in post.xpath("//a[@rel='tag']")]
    assert tags == [
        ("energy-security", "../../tags/energy-security/"),
        ("Ñandú", "../../tags/nandu/"),
        ("Trade", "../../tags/trade/"),
    ]
    assert page(out / "2020/01/d.html").xpath("//a[@rel='tag']/text()") == [
        "安全",
        "energy-security",
    ]


def test_the_tag_index_the_sitemap_and_opml_name_every_tag(tmp_path: Path) -> None:
    out, _ = make(tmp_path)
    index = page(out / "tags/index.html")
    rows = [
        (row.xpath("th/a/text()")[0], row.xpath("td[1]/text()")[0], row.xpath("th/a/@href")[0])
        for row in index.xpath("//tbody/tr")
    ]
    assert rows == [
        ("energy-security", "3", "energy-security/"),
        ("gas", "1", "gas/"),
        ("Trade", "1", "trade/"),
        ("Ñandú", "1", "nandu/"),
        ("安全", "1", "%E5%AE%89%E5%85%A8/"),
    ]
    home = page(out / "index.html")
    assert home.xpath("//a[text()='every tag']/@href") == ["tags/"]
    sitemap = (out / "sitemap.xml").read_text()
    assert f"<loc>{BASE}tags/</loc>" in sitemap
    assert f"<loc>{BASE}tags/nandu/</loc>" in sitemap
    assert f"<loc>{BASE}tags/energy-security/page/2/</loc>" in sitemap
    opml = etree.parse(str(out / "feeds.opml"))
    groups = {o.get("text"): o for o in opml.iterfind("body/outline")}
    assert sorted(o.get("xmlUrl") for o in groups["SCO (RTG): tags"]) == sorted(
        BASE + f"tags/{slug}/atom.xml".replace("安全", "%E5%AE%89%E5%85%A8") for slug in EXPECTED
    )


def test_a_tag_with_no_letter_or_digit_is_said_with_its_line(tmp_path: Path) -> None:
    _, report = make(tmp_path)
    said = [str(w) for w in report.warnings if "no letter or digit" in w.message]
    assert said == [
        "posts/2020-01-04-d.md:3: warning: tag '#' has no letter or digit, so it has no feed "
        "or page; add a word to it or remove it"
    ]


def test_a_one_post_edit_renders_only_the_tag_files_it_touches(tmp_path: Path) -> None:
    make(tmp_path)
    (tmp_path / "posts/2020-01-03-c.md").write_text(
        POSTS["2020-01-03-c.md"].replace("Almaty.", "Astana."), encoding="utf-8"
    )
    report = build(load_config(tmp_path), now=NOW)
    tag_files = {f for f in report.written if f.startswith("tags/")}
    assert "tags/nandu/rss.xml" in tag_files and "tags/trade/feed.json" in tag_files
    assert "tags/energy-security/atom.xml" in tag_files
    assert not any(f.startswith(("tags/gas/", "tags/安全/")) for f in tag_files), tag_files
    assert "tags/index.html" not in tag_files  # its counts and dates did not change


def test_a_tag_that_loses_its_last_post_loses_its_folder(tmp_path: Path) -> None:
    out, _ = make(tmp_path)
    (tmp_path / "posts/2020-01-03-c.md").write_text("---\ntitle: C\n---\nAlmaty.\n")
    report = build(load_config(tmp_path), now=NOW)
    assert not (out / "tags/nandu").exists() and not (out / "tags/trade").exists()
    assert "tags/nandu/rss.xml" in report.removed
    # energy-security lost its third page; gas is untouched, so not written again.
    assert not (out / "tags/energy-security/page/3").exists()
    assert (out / "tags/energy-security/page/2/index.html").is_file()
    assert "tags/gas/rss.xml" not in report.written
    assert "Trade" not in (out / "tags/index.html").read_text()


def test_vanished_tags_go_even_when_the_cache_is_dropped(tmp_path: Path) -> None:
    out, _ = make(tmp_path)
    shutil.rmtree(tmp_path / ".scofeed")
    for name in POSTS:
        (tmp_path / "posts" / name).write_text("---\ntitle: X\n---\nNo tags now.\n")
    build(load_config(tmp_path), now=NOW)
    assert not (out / "tags").exists()  # every feed, page/2/ and the tag index removed
    assert not page(out / "index.html").xpath("//a[text()='every tag']")


def test_the_tags_command_counts_what_the_feeds_hold(tmp_path: Path) -> None:
    out, _ = make(tmp_path)
    result = run_cli("tags", "--now", "2026-01-01T00:00:00Z", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == [
        "energy-security", "3", "tags/energy-security/rss.xml", "tags/energy-security/atom.xml"
    ]  # fmt: skip
    assert result.stderr == "scofeed: 5 tag feeds from 4 published posts\n"
    rows = json.loads(
        run_cli("tags", "--format", "json", "--now", "2026-01-01T00:00:00Z", cwd=tmp_path).stdout
    )
    for row in rows:
        assert row["posts"] == len(titles(out / row["rss"])) == len(EXPECTED[row["slug"]])
        assert row["json_url"] == BASE + row["json"].replace("安全", "%E5%AE%89%E5%85%A8")
    countries = run_cli("countries", "--now", "2026-01-01T00:00:00Z", cwd=tmp_path)
    assert "China" not in countries.stdout  # only B, excluded, is about Beijing
    assert countries.stderr.endswith("from 4 published posts\n")
    posts = run_cli("posts", "--now", "2026-01-01T00:00:00Z", cwd=tmp_path)
    assert "excluded" in next(line for line in posts.stdout.splitlines() if line.endswith(" B"))
    assert posts.stderr == (
        "scofeed: 5 posts (4 published, 1 in no feed (exclude_tags), 0 drafts, 0 scheduled)\n"
    )
