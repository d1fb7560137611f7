"""The HTML site, as files and over HTTP: a page for every post, the paginated listings and the
archive index, static/ copied, a site's own templates, aliases, the sitemap; then a crawl of
every file and every link of a site built from the seed's posts and posts written to be hard,
hostile text that must stay text, and which files a rebuild writes.

The oracle is what the feeds say (their entries, dates and countries are tested elsewhere) and
the files in output/, never the site's own planning code."""

from __future__ import annotations

import http.client
import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest
import yaml
from lxml import etree
from lxml import html as lxml_html

from scofeed.config import Config, load_config
from scofeed.errors import InputError
from scofeed.publish.build import build

from conftest import NOW, POSTS, Served, post, run_cli, tree

BASE = "https://example.org/sco/"
SITE_PATH = "/sco/"
NOW_ISO = NOW.isoformat()

# static/: a binary file, nested folders, and hidden files that must stay behind.
MAP_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) + b"\r\n\x00"
STATIC = {
    "images/map.png": MAP_PNG,
    "files/report.pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
    "a/b/c/deep.txt": "deep in the tree, ünïcode\n".encode(),
    "favicon.ico": bytes(range(255, -1, -1)),
}
HIDDEN = (".htaccess", "images/.map.png.swp", ".git/config")

MOVED = "2008/05/moved.html"
MOVED_ALIASES = ("old/path.html", "/2008/05/old-name.html", f"{BASE}x/")
UNTITLED_TITLE = "Leaders gathered in Tashkent for talks."
CYRILLIC_SLUG = "встреча-в-бишкеке"
LONG_URL = "https://example.com/" + "very-long-path-segment-" * 12 + "end?" + "q=1&" * 20
HEAD = " | ".join(f"Column {i}" for i in range(40))
ROW = " | ".join(f"value-{i}-long" for i in range(40))
CODE = "x = [" + ", ".join(str(i) for i in range(200)) + "]"
# What a narrow screen must show without scrolling the page: a long address, a table of 40
# columns (too many to fit even with every word broken) and a line of code of 900 characters.
WIDE_BODY = (
    f"Talks in Beijing. The address: <{LONG_URL}>\n\n| {HEAD} |\n|{'---|' * 40}\n| {ROW} |\n\n"
    f"```\n{CODE}\n```\n\nInline: `{CODE}`\n"
)
EXTRA = {
    # Aliases, tags, comments, an update, an author, and links to static files: relative from
    # its folder, and by its path on the host (base_url's path is /sco/).
    "2008-05-25-moved.md": post(
        "title: A post that moved\ndate: 2008-05-25T09:30:00Z\nupdated: 2009-06-01T12:00:00Z\n"
        "author: Aigerim Example\ntags: [security, energy policy]\ncomments: 3\n"
        f"aliases: [{', '.join(MOVED_ALIASES)}]",
        "Ministers met in Moscow to talk about pipelines.\n\n![A map](../../images/map.png)\n\n"
        "The same map by its path on the host: ![The map again](/sco/images/map.png), and "
        "[the report](../../files/report.pdf), and [deep](../../a/b/c/deep.txt).",
    ),
    # No title: the page shows the first sentence. Its date is not in the site's zone (UTC).
    "2009-03-02-untitled.md": post(
        "date: 2009-03-02T10:00:00+06:00",
        "Leaders gathered in Tashkent for talks. They agreed on little.\n\nA second paragraph.",
    ),
    "2009-04-01-bishkek.md": post(
        f"title: Встреча в Бишкеке\nslug: {CYRILLIC_SLUG}\ndate: 2009-04-01T08:00:00Z\n"
        "tags: [безопасность]\ncomments: 1\ncountries: [Kyrgyzstan]",
        "Министры встретились в Бишкеке.\n\nThey met in Bishkek.",
    ),
    "2009-04-20-wide.md": post(
        "title: Tables, code and a long address\ndate: 2009-04-20",
        WIDE_BODY,
    ),
    "2009-05-01-draft.md": post("title: Not yet\ndate: 2009-05-01\ndraft: true", "Draft."),
    "2030-01-01-future.md": post("title: Later\ndate: 2030-01-01", "Scheduled."),
}
# Two a page, so that every listing but the smallest has pages to follow.
TOML = "page_size = 2\n"


@dataclass(frozen=True)
class Site:
    root: Path
    out: Path
    config: Config
    files: frozenset[str]
    items: tuple[dict[str, Any], ...]  # the whole category's feed.json items, newest first


def _write_project(root: Path, posts: dict[str, str], toml: str = TOML, seed: bool = True) -> None:
    (root / "posts").mkdir(parents=True)
    if seed:
        for path in POSTS.glob("*.md"):
            shutil.copy(path, root / "posts" / path.name)
    for name, text in posts.items():
        (root / "posts" / name).write_text(text, encoding="utf-8")
    (root / "scofeed.toml").write_text(toml, encoding="utf-8")


def _files(out: Path) -> frozenset[str]:
    return frozenset(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The seed's posts and `EXTRA`, with static files, built once for the tests that read."""
    root = tmp_path_factory.mktemp("site")
    _write_project(root, EXTRA)
    for name, data in STATIC.items():
        (root / "static" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "static" / name).write_bytes(data)
    for name in HIDDEN:
        (root / "static" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "static" / name).write_text("hidden\n")
    config = load_config(root)
    build(config, now=NOW)
    out = config.output_dir
    items = tuple(json.loads((out / "feed.json").read_bytes())["items"])
    return Site(root, out, config, _files(out), items)


# --- reading pages -----------------------------------------------------------------------------


def _doc(out: Path, path: str) -> Any:
    return lxml_html.document_fromstring((out / path).read_bytes())


def _internal(url: str) -> str | None:
    """The file below output/ that an absolute address names (a folder's index.html), or None
    when the address is not on the site."""
    if not url.startswith(BASE):
        return None
    path = unquote(urlsplit(url).path)[len(SITE_PATH) :]
    return path + "index.html" if path == "" or path.endswith("/") else path


def _resolve(page: str, link: str) -> str:
    """A link on the page at `page` (below output/) as an absolute address."""
    return urljoin(BASE + quote(page), link.strip())


def _target(page: str, link: str) -> str:
    found = _internal(_resolve(page, link))
    assert found is not None, (page, link)
    return found


def _meta(doc: Any, key: str) -> list[str]:
    return [m.get("content") for m in doc.xpath("//meta[@name=$k or @property=$k]", k=key)]


def _jsonld(doc: Any) -> dict[str, Any]:
    (script,) = doc.xpath('//script[@type="application/ld+json"]')
    data: dict[str, Any] = json.loads(script.text)
    return data


def _text(element: Any) -> str:
    return " ".join(element.text_content().split())


def _countries(out: Path) -> dict[str, list[str]]:
    """Each post's URL -> the country folders whose feeds carry it (what the feeds say)."""
    found: dict[str, list[str]] = {}
    for feed in sorted((out / "countries").glob("*/feed.json")):
        for item in json.loads(feed.read_bytes())["items"]:
            found.setdefault(item["url"], []).append(f"countries/{feed.parent.name}/")
    return found


def _in_utc(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone(UTC).isoformat()


# --- 1. post pages -----------------------------------------------------------------------------


def test_every_published_post_has_a_page_with_all_it_should_show(site: Site) -> None:
    out, items = site.out, site.items
    assert len(items) == len(list(POSTS.glob("*.md"))) + 4  # the draft and the future one: no
    countries = _countries(out)
    for i, item in enumerate(items):
        path = _internal(item["url"])
        assert path is not None and path in site.files, item["url"]
        data = (out / path).read_bytes()
        doc = lxml_html.document_fromstring(data)
        title = item["title"]
        assert doc.findtext(".//title") == title
        (h1,) = doc.xpath("//article//h1")
        assert _text(h1) == title
        # The whole body, as the feeds carry it (sanitised once, for both).
        assert item["content_html"].encode() in data
        when = doc.xpath("//article/header//time")[0]  # then the update's, if any
        assert when.get("datetime") == _in_utc(item["date_published"]), path
        meta = _text(doc.xpath("//article/header/p[@class='meta']")[0])
        author = item["authors"][0]["name"]
        assert f"by {author}" in meta and _meta(doc, "author") == [author]
        comments = item.get("_scofeed", {}).get("comments")
        if comments is not None:
            assert f"{comments} comment{'' if comments == 1 else 's'}" in meta
        # Its countries, each a link to that country's page.
        folders = countries.get(item["url"], [])
        links = doc.xpath("//article/header/ul[contains(@class, 'countries')]//a")
        assert [_target(path, a.get("href")) for a in links] == [f + "index.html" for f in folders]
        for a in links:
            assert _text(_doc(out, _target(path, a.get("href"))).xpath("//h1")[0]) == _text(a)
        # Older is "prev", newer is "next", as in the feed's order.
        for rel, j in (("prev", i + 1), ("next", i - 1)):
            found = doc.xpath(f"//nav[@class='neighbours']//a[@rel='{rel}']")
            if 0 <= j < len(items):
                assert [_target(path, a.get("href")) for a in found] == [
                    _internal(items[j]["url"])
                ], (path, rel)
                assert items[j]["title"] in _text(found[0])
            else:
                assert found == [], (path, rel)
        # Autodiscovery: the category's feeds and each of its countries'.
        alternates = {
            (link.get("type"), link.get("href")) for link in doc.xpath("//link[@rel='alternate']")
        }
        for folder in ["", *folders]:
            for name, kind in (
                ("rss.xml", "application/rss+xml"),
                ("atom.xml", "application/atom+xml"),
                ("feed.json", "application/feed+json"),
            ):
                assert (kind, BASE + folder + name) in alternates, (path, folder, name)
        assert len(alternates) == 3 * (1 + len(folders))
        assert [c.get("href") for c in doc.xpath("//link[@rel='canonical']")] == [item["url"]]
        # Open Graph and Twitter cards.
        assert _meta(doc, "og:type") == ["article"]
        assert _meta(doc, "og:title") == [title] == _meta(doc, "twitter:title")
        assert _meta(doc, "og:url") == [item["url"]]
        assert _meta(doc, "og:description") == [item["summary"]] == _meta(doc, "description")
        # A picture (the post's image, or its body's first) makes a large card.
        images = item.get("image")
        assert _meta(doc, "og:image") == ([images] if images else [])
        assert _meta(doc, "twitter:card") == ["summary_large_image" if images else "summary"]
        assert _meta(doc, "article:published_time") == [when.get("datetime")]
        ld = _jsonld(doc)
        assert (ld["@context"], ld["@type"]) == ("https://schema.org", "NewsArticle")
        assert ld["headline"] == title[:110]
        assert ld["datePublished"] == when.get("datetime")
        assert ld["author"] == {"@type": "Person", "name": author}
        assert ld["url"] == item["url"]


def test_the_hard_posts_pages_say_what_they_should(site: Site) -> None:
    out = site.out
    by_url = {item["url"]: item for item in site.items}
    # An untitled post: its first sentence, everywhere a title goes.
    untitled = _doc(out, "2009/03/untitled.html")
    assert _text(untitled.xpath("//h1")[0]) == UNTITLED_TITLE
    assert _jsonld(untitled)["headline"] == UNTITLED_TITLE
    # Its date, given at +06:00, shown in the site's zone (UTC here), for people too.
    (when,) = untitled.xpath("//article/header//time")
    assert (when.get("datetime"), _text(when)) == (
        "2009-03-02T04:00:00+00:00",
        "2 March 2009, 04:00",
    )
    # A Cyrillic slug: the page is a file of that name, its URL percent-encoded.
    cyrillic = f"2009/04/{CYRILLIC_SLUG}.html"
    assert cyrillic in site.files
    url = BASE + "2009/04/" + quote(CYRILLIC_SLUG) + ".html"
    page = _doc(out, cyrillic)
    assert by_url[url]["title"] == "Встреча в Бишкеке" == _text(page.xpath("//h1")[0])
    assert [c.get("href") for c in page.xpath("//link[@rel='canonical']")] == [url]
    assert _text(page.xpath("//article/footer")[0]) == "Tags: безопасность"
    assert "1 comment" in _text(page.xpath("//article/header/p")[0])
    assert _jsonld(page)["keywords"] == ["безопасность"]
    # Tags, comments, an update and an author of its own.
    moved = _doc(out, MOVED)
    assert _text(moved.xpath("//article/footer")[0]) == "Tags: security, energy policy"
    assert _meta(moved, "article:tag") == ["security", "energy policy"]
    meta = _text(moved.xpath("//article/header/p")[0])
    assert meta == (
        "25 May 2008, 09:30 · updated 1 June 2009, 12:00 · by Aigerim Example · 3 comments"
    )
    ld = _jsonld(moved)
    assert (
        ld["dateModified"]
        == "2009-06-01T12:00:00+00:00"
        == _meta(moved, "article:modified_time")[0]
    )
    assert ld["commentCount"] == 3 and ld["author"]["name"] == "Aigerim Example"


def test_drafts_and_future_posts_have_no_page_anywhere(site: Site) -> None:
    assert not any("draft" in f or "future" in f for f in site.files)
    assert not any(f.startswith("2030/") or f.startswith("2009/05/") for f in site.files)
    every_byte = b"".join((site.out / f).read_bytes() for f in site.files)
    assert b"Not yet" not in every_byte and b"Later" not in every_byte


def test_dates_pages_and_months_follow_the_sites_time_zone(
    project: Callable[..., Config],
) -> None:
    # 20:00 UTC on 31 May 2008 is 02:00 on 1 June in Almaty (UTC+6 then): a June post.
    config = project(
        {"late.md": post("title: Late news\ndate: 2008-05-31T20:00:00Z", "Talks in Astana.")},
        toml='timezone = "Asia/Almaty"\n',
    )
    build(config, now=NOW)
    out = config.output_dir
    files = _files(out)
    assert "2008/06/late.html" in files and not any(f.startswith("2008/05/") for f in files)
    doc = _doc(out, "2008/06/late.html")
    (when,) = doc.xpath("//article/header//time")
    assert (when.get("datetime"), _text(when)) == (
        "2008-06-01T02:00:00+06:00",
        "1 June 2008, 02:00",
    )
    assert _jsonld(doc)["datePublished"] == "2008-06-01T02:00:00+06:00"
    assert _meta(doc, "article:published_time") == ["2008-06-01T02:00:00+06:00"]
    month = _doc(out, "2008/06/index.html")
    assert _text(month.xpath("//h1")[0]) == "June 2008"
    assert [a.get("href") for a in month.xpath("//ol[@class='posts']//h2/a")] == ["late.html"]
    assert _text(_doc(out, "archives/index.html").xpath("//main//li")[0]) == "June 2008 (1)"


# --- 2. listings -------------------------------------------------------------------------------


def _follow(out: Path, first: str) -> tuple[list[str], list[str]]:
    """The posts a listing shows, page after page by its "Older" links; and the pages."""
    posts: list[str] = []
    pages: list[str] = []
    page: str | None = first
    while page is not None:
        assert page not in pages, f"the Older links loop at {page}"
        pages.append(page)
        doc = _doc(out, page)
        posts += [_target(page, a.get("href")) for a in doc.xpath("//ol[@class='posts']//h2/a")]
        older = doc.xpath("//nav[@class='pager']//a[@rel='next']")
        assert [a.text for a in older] in ([], ["Older →"])
        page = _target(page, older[0].get("href")) if older else None
    return posts, pages


def _pages_of(items: Any) -> list[str | None]:
    return [_internal(item["url"]) for item in items]


def test_the_home_page_lists_every_post_newest_first_two_a_page(site: Site) -> None:
    posts, pages = _follow(site.out, "index.html")
    assert posts == _pages_of(site.items)
    assert pages == ["index.html"] + [f"page/{n}/index.html" for n in range(2, 8)]
    # Each page's "Newer" link leads back, and its title says which page it is.
    for number, page in enumerate(pages, 1):
        doc = _doc(site.out, page)
        newer = doc.xpath("//nav[@class='pager']//a[@rel='prev']")
        assert [_target(page, a.get("href")) for a in newer] == pages[number - 2 : number - 1]
        if number > 1:
            assert doc.findtext(".//title") == f"SCO (RTG) (page {number})"


def test_each_country_page_lists_each_of_its_posts_once(site: Site) -> None:
    folders = sorted(p.parent.name for p in (site.out / "countries").glob("*/feed.json"))
    assert len(folders) >= 10
    paginated = 0
    for folder in folders:
        feed = json.loads((site.out / "countries" / folder / "feed.json").read_bytes())
        posts, pages = _follow(site.out, f"countries/{folder}/index.html")
        assert posts == _pages_of(feed["items"]), folder
        paginated += len(pages) > 1
    assert paginated >= 3


def test_month_pages_and_the_archive_index_list_every_month(site: Site) -> None:
    months: dict[str, list[str | None]] = {}
    for item in site.items:
        when = datetime.fromisoformat(item["date_published"]).astimezone(UTC)
        months.setdefault(f"{when.year:04d}/{when.month:02d}/", []).append(_internal(item["url"]))
    assert "2008/05/" in months and len(months["2008/05/"]) == 3  # two pages of two
    for folder, expected in months.items():
        posts, pages = _follow(site.out, folder + "index.html")
        assert posts == expected, folder
        assert len(pages) == -(-len(expected) // 2)
    month_pages = {f[:8] for f in site.files if re.fullmatch(r"\d{4}/\d{2}/index\.html", f)}
    assert month_pages == set(months)
    doc = _doc(site.out, "archives/index.html")
    shown = []
    for li in doc.xpath("//main//li"):
        (a,) = li.xpath("./a")
        count = re.fullmatch(r".* \((\d+)\)", _text(li))
        assert count is not None
        shown.append((_target("archives/index.html", a.get("href")), int(count.group(1))))
    assert shown == [(m + "index.html", len(months[m])) for m in sorted(months, reverse=True)]


# --- 3. static/ --------------------------------------------------------------------------------


def test_static_files_are_copied_byte_for_byte_and_hidden_ones_are_not(site: Site) -> None:
    for name, data in STATIC.items():
        assert (site.out / name).read_bytes() == data, name
    for name in HIDDEN:
        assert not (site.out / name).exists(), name
    assert not (site.out / ".git").exists()


def test_links_from_a_post_to_static_files_lead_to_the_copies(site: Site) -> None:
    doc = _doc(site.out, MOVED)
    images = [_target(MOVED, img.get("src")) for img in doc.xpath("//article//img")]
    assert images == ["images/map.png", "images/map.png"]  # relative, and by the host's path
    links = [_target(MOVED, a.get("href")) for a in doc.xpath("//div[@class='content']//a")]
    assert links == ["files/report.pdf", "a/b/c/deep.txt"]
    for name in [*images, *links]:
        assert (site.out / name).read_bytes() == STATIC[name]


THIRD = "2008/05/the-third-meeting-of-the-shanghai-cooperation-organization.html"


@pytest.mark.parametrize(
    ("name", "why"),
    [
        *(
            (name, f"scofeed writes {name} itself; rename or remove this file")
            for name in (
                "rss.xml",
                "index.html",
                "404.html",
                "sitemap.xml",
                "robots.txt",
                "_redirects",
                "feeds.opml",
                "countries/russia/feed.json",
                "2008/05/index.html",
                "countries/china/index.html",
                "archives/index.html",
                THIRD,
            )
        ),
        # Below a file scofeed writes, or where it needs a folder: a file and a folder
        # cannot share a name.
        ("rss.xml/inside.txt", "scofeed writes the file rss.xml, so it can be no folder"),
        (f"{THIRD}/x.png", f"scofeed writes the file {THIRD}, so it can be no folder"),
        ("2008", "scofeed writes files into the folder 2008; rename or remove this file"),
        ("countries", "scofeed writes files into the folder countries;"),
    ],
)
def test_a_static_file_where_scofeed_writes_is_an_error_naming_it(
    project: Callable[..., Config], name: str, why: str
) -> None:
    config = project(seed=True)
    (config.static_dir / name).parent.mkdir(parents=True, exist_ok=True)
    (config.static_dir / name).write_text("mine\n")
    with pytest.raises(InputError) as raised:
        build(config, now=NOW)
    (problem,) = raised.value.problems
    assert str(problem).startswith(f"static/{name}: {why}")
    assert not config.output_dir.exists()  # nothing published


def test_static_changes_reach_the_output_on_the_next_build(tmp_path: Path) -> None:
    _write_project(tmp_path, {}, toml="")
    static = tmp_path / "static"
    (static / "images").mkdir(parents=True)
    (static / "images" / "map.png").write_bytes(MAP_PNG)
    (static / "keep.txt").write_text("kept\n")
    assert _cli_build(tmp_path).returncode == 0
    out = tmp_path / "output"
    assert (out / "images/map.png").read_bytes() == MAP_PNG
    # A file added, one changed, one removed, a hidden one added, and nothing else: the posts
    # are the same, so this build has only static/ to tell it that something changed.
    (static / "new" / "deeper").mkdir(parents=True)
    (static / "new" / "deeper" / "file.txt").write_text("new\n")
    (static / "keep.txt").write_text("kept, and changed\n")
    (static / "images" / "map.png").unlink()
    (static / ".secret").write_text("hidden\n")
    result = _cli_build(tmp_path)
    assert result.returncode == 0, result.stderr
    assert _listed(result.stdout) == (
        {"new/deeper/file.txt", "keep.txt"},
        {"images/map.png"},
    )
    assert (out / "new/deeper/file.txt").read_text() == "new\n"
    assert (out / "keep.txt").read_text() == "kept, and changed\n"
    assert not (out / "images/map.png").exists() and not (out / ".secret").exists()


# --- 4. templates ------------------------------------------------------------------------------

OVERRIDE = """{% extends "base.html" %}
{% block main %}
<article class="mine"><h1>{{ post.title }}</h1>{{ post.html }}</article>
{% endblock %}
"""


def test_a_site_template_overrides_the_shipped_one(project: Callable[..., Config]) -> None:
    config = project(seed=True)
    (config.root / "templates").mkdir()
    (config.root / "templates" / "post.html").write_text(OVERRIDE)
    build(config, now=NOW)
    out = config.output_dir
    page = THIRD
    doc = _doc(out, page)
    assert doc.xpath("//article/@class") == ["mine"]
    assert doc.xpath("//nav[@class='neighbours']") == []  # the shipped block is gone
    assert doc.xpath("//header[@class='site']")  # base.html is still the shipped one
    assert _doc(out, "index.html").xpath("//article[@class='mine']") == []  # list.html too
    # Edited again, in the same process (as a resident build would): the edit is used.
    (config.root / "templates" / "post.html").write_text(OVERRIDE.replace("mine", "edited"))
    report = build(config, now=NOW)
    assert _doc(out, page).xpath("//article/@class") == ["edited"]
    assert page in report.written and "rss.xml" not in report.written


def test_a_template_added_after_a_build_is_used_by_the_next(tmp_path: Path) -> None:
    _write_project(tmp_path, {}, toml="")
    assert _cli_build(tmp_path).returncode == 0
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "post.html").write_text(OVERRIDE)
    result = _cli_build(tmp_path)
    assert result.returncode == 0, result.stderr
    page = THIRD
    assert _doc(tmp_path / "output", page).xpath("//article/@class") == ["mine"]
    written, removed = _listed(result.stdout)
    assert removed == set() and len(written) == 10  # the post pages, nothing else changed
    # And taken away again: the shipped one is back.
    shutil.rmtree(tmp_path / "templates")
    assert _cli_build(tmp_path).returncode == 0
    assert _doc(tmp_path / "output", page).xpath("//article/@class") == ["post"]


def test_compiled_templates_are_kept_for_the_next_build_and_a_garbled_one_is_compiled_again(
    tmp_path: Path,
) -> None:
    _write_project(tmp_path, {}, toml="")
    assert _cli_build(tmp_path).returncode == 0
    clean = tree(tmp_path / "output")
    compiled = sorted((tmp_path / ".scofeed" / "templates").glob("*.bin"))
    # post, list, archives and tags pages, 404, and the base and macros they extend
    assert len(compiled) >= 5, compiled
    for path in compiled:  # cut short, garbled: Jinja2 must refuse them, not run them
        path.write_bytes(path.read_bytes()[:40] if path == compiled[0] else b"garbage")
    shutil.rmtree(tmp_path / "output")
    result = _cli_build(tmp_path)
    assert result.returncode == 0, result.stderr
    assert tree(tmp_path / "output") == clean
    # Compiled again, and kept again.
    assert all(path.read_bytes() != b"garbage" for path in compiled)
    # A cache folder that cannot hold them costs a compile, nothing else.
    shutil.rmtree(tmp_path / ".scofeed")
    (tmp_path / ".scofeed").mkdir()
    (tmp_path / ".scofeed" / "templates").write_text("not a folder")
    shutil.rmtree(tmp_path / "output")
    result = _cli_build(tmp_path)
    assert result.returncode == 0, result.stderr
    assert tree(tmp_path / "output") == clean


@pytest.mark.parametrize(
    ("name", "text", "where", "why"),
    [
        (
            "post.html",
            '{% extends "base.html" %}\n{% block main %}\n<h1>{{ post.title | }}</h1>\n'
            "{% endblock %}\n",
            "post.html:3",
            "expected token 'name'",
        ),
        (
            "post.html",
            '{% extends "base.html" %}\n{% block main %}\n<h1>{{ post.title }}</h1>\n'
            "<p>{{ post.no_such_field }}</p>\n{% endblock %}\n",
            "post.html:4",
            "no_such_field",
        ),
        (
            "list.html",
            '{% extends "base.html" %}\n{% block main %}\n{{ nothing_by_this_name }}\n'
            "{% endblock %}\n",
            "list.html:3",
            "nothing_by_this_name",
        ),
        (  # the frame every page extends: named, not the page that extends it
            "base.html",
            "<!DOCTYPE html>\n<html>\n<body>\n\n{% include 'missing.html' %}\n</body></html>\n",
            "base.html:5",
            "missing.html",
        ),
        (
            "archives.html",
            '{% extends "base.html" %}\n{% block main %}\n{% for y in years %}\n{{ y.year }}\n'
            "{% endblock %}\n",
            "archives.html:5",
            "endblock",
        ),
    ],
)
def test_a_broken_template_stops_the_build_and_leaves_the_output_as_it_was(
    tmp_path: Path, name: str, text: str, where: str, why: str
) -> None:
    _write_project(tmp_path, {}, toml="")
    assert _cli_build(tmp_path).returncode == 0
    out = tmp_path / "output"
    before = _snapshot(out)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / name).write_text(text)
    result = _cli_build(tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("Error: a template is broken; nothing was published\n")
    (line,) = [x for x in result.stderr.splitlines() if "templates/" in x]
    assert f"{tmp_path / 'templates' / where}: " in line and why in line, result.stderr
    assert _snapshot(out) == before  # byte for byte, and not even touched
    # Fixed, the next build publishes it.
    (tmp_path / "templates" / name).unlink()
    assert _cli_build(tmp_path).returncode == 0
    assert _snapshot(out) == before


def _snapshot(out: Path) -> dict[str, tuple[bytes, int]]:
    return {name: (data, (out / name).stat().st_mtime_ns) for name, data in tree(out).items()}


def _cli_build(root: Path, *args: str) -> Any:
    return run_cli("build", "--now", NOW_ISO, "-v", *args, cwd=root)


def _listed(stdout: str) -> tuple[set[str], set[str]]:
    """The files `build -v` says it wrote and removed (below output/)."""
    written = set(re.findall(r"^wrote output/(.+)$", stdout, re.M))
    removed = set(re.findall(r"^removed output/(.+)$", stdout, re.M))
    return written, removed


# --- 5. aliases --------------------------------------------------------------------------------


def test_aliases_give_redirect_pages_and_redirect_rules(site: Site) -> None:
    target = BASE + MOVED
    for path in ("old/path.html", "2008/05/old-name.html", "x/index.html"):
        doc = _doc(site.out, path)
        (refresh,) = doc.xpath("//meta[@http-equiv='refresh']")
        assert refresh.get("content") == f"0; url={target}"
        assert [c.get("href") for c in doc.xpath("//link[@rel='canonical']")] == [target]
        assert [(a.get("href"), a.text) for a in doc.xpath("//a")] == [
            (target, "A post that moved")
        ]
        assert _meta(doc, "robots") == ["noindex"]
    rules = (site.out / "_redirects").read_text().splitlines()
    assert rules[0].startswith("#")
    assert sorted(rules[1:]) == sorted(
        [
            "/sco/old/path.html /sco/2008/05/moved.html 301",
            "/sco/2008/05/old-name.html /sco/2008/05/moved.html 301",
            "/sco/x/ /sco/2008/05/moved.html 301",
            "/sco/index.rdf /sco/rss.xml 301",
        ]
    )


@pytest.mark.parametrize(
    ("alias", "why"),
    [
        ("https://elsewhere.example/sco/x.html", "is not an address on this site"),
        ("https://example.org/other/x.html", "is not an address on this site"),
        ("/", "is not an address on this site"),
        ("rss.xml", "would write rss.xml, which is the site's rss.xml"),
        ("countries/russia/", "which is the page countries/russia/index.html"),
        ("2008/05/", "which is the page 2008/05/index.html"),
        ("archives/index.html", "which is the page archives/index.html"),
        ("sitemap.xml", "which is the site's sitemap.xml"),
        (THIRD, "which is the page of posts/2008-05-19-the-third-meeting-of-the-shanghai"),
        ("2009/06/mine.html", "which is the page of posts/2009-06-01-mine.md"),  # its own
        (f"{THIRD}/", f"below {THIRD}, which is the page of posts/2008-05-19-"),
        ("rss.xml/", "would write rss.xml/index.html, below rss.xml, which is the site's"),
        ("_redirects", "would write _redirects/index.html, below _redirects, which is the site"),
        ("old/taken.html", "which is the alias 'old/taken.html' of posts/2009-07-01-other.md"),
        # Typepad's RSS address already leads to rss.xml in _redirects: not to a post as well.
        ("index.rdf", "index.rdf"),
    ],
)
def test_an_alias_outside_the_site_or_on_another_page_is_an_error_naming_the_post(
    tmp_path: Path, alias: str, why: str
) -> None:
    mine = post(f"title: Mine\ndate: 2009-06-01\naliases: ['{alias}']", "Text.")
    other = post("title: Other\ndate: 2009-07-01\naliases: [old/taken.html]", "Text.")
    _write_project(tmp_path, {"2009-06-01-mine.md": mine, "2009-07-01-other.md": other}, "")
    result = _cli_build(tmp_path)
    assert result.returncode == 1, result.stdout
    problems = [x.strip() for x in result.stderr.splitlines()[1:]]
    assert len(problems) == 1, result.stderr
    assert problems[0].startswith(f"posts/2009-06-01-mine.md: alias '{alias}' "), problems
    assert why in problems[0]
    assert not (tmp_path / "output").exists()


# --- 6. sitemap, robots.txt, 404 ---------------------------------------------------------------


REDIRECT_PAGES = {"old/path.html", "2008/05/old-name.html", "x/index.html"}  # MOVED_ALIASES
# The files no other file links to, on purpose.
UNLINKED = {
    "404.html",
    "_redirects",
    "robots.txt",
    "embed.js",  # linked from the embed code that pages show as text
    "favicon.ico",  # static files are linked by whoever puts them there
    *REDIRECT_PAGES,
}


def test_the_sitemap_lists_every_page_with_its_last_change(site: Site) -> None:
    data = (site.out / "sitemap.xml").read_bytes()
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    assert root.tag == f"{ns}urlset"
    urls = {u.findtext(f"{ns}loc"): u.findtext(f"{ns}lastmod") for u in root}
    assert len(urls) == len(root)  # no address twice
    # Every page people read: all the HTML but the redirects, the 404 page and the fragments.
    pages = {
        f
        for f in site.files
        if f.endswith(".html") and f != "404.html" and not f.endswith("embed.html")
    } - REDIRECT_PAGES
    assert {_internal(url) for url in urls} == pages
    assert all(url.startswith(BASE) for url in urls)
    for item in site.items:
        when = urls[item["url"]]
        assert when is not None
        assert datetime.fromisoformat(when) == datetime.fromisoformat(item["date_modified"])
    assert urls[BASE + MOVED] == "2009-06-01T12:00:00+00:00"  # its `updated`
    robots = (site.out / "robots.txt").read_text()
    assert f"\nSitemap: {BASE}sitemap.xml\n" in robots
    doc = _doc(site.out, "404.html")
    assert _meta(doc, "robots") == ["noindex"] and _text(doc.xpath("//h1")[0]) == "Page not found"


def test_a_sitemap_over_its_limit_is_an_index_of_parts_holding_every_address(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """sitemaps.org allows 50,000 addresses a file: past that, sitemap.xml indexes parts, each
    within the limit, together the very addresses and dates one file lists, each part dated
    by its newest."""
    from scofeed.site import sitemap

    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    whole = etree.fromstring((site.out / "sitemap.xml").read_bytes(), parser)
    listed = [(u.findtext(f"{ns}loc"), u.findtext(f"{ns}lastmod")) for u in whole]
    root = tmp_path / "split"
    shutil.copytree(site.root, root, ignore=shutil.ignore_patterns("output", ".scofeed"))
    monkeypatch.setattr(sitemap, "MAX_URLS", 7)
    build(load_config(root), now=NOW)
    index = etree.fromstring((root / "output" / "sitemap.xml").read_bytes(), parser)
    assert index.tag == f"{ns}sitemapindex"
    parts, found = [], []
    for entry in index:
        name = entry.findtext(f"{ns}loc").removeprefix(BASE)
        part = etree.fromstring((root / "output" / name).read_bytes(), parser)
        urls = [(u.findtext(f"{ns}loc"), u.findtext(f"{ns}lastmod")) for u in part]
        assert part.tag == f"{ns}urlset" and 0 < len(urls) <= 7
        dates = [datetime.fromisoformat(w) for _, w in urls if w is not None]
        newest = entry.findtext(f"{ns}lastmod")
        assert (datetime.fromisoformat(newest) if newest else None) == max(dates, default=None)
        parts.append(name)
        found += urls
    assert parts == [f"sitemap-{n}.xml" for n in range(1, len(parts) + 1)]
    assert found == listed and len(parts) == -(-len(listed) // 7)


# --- 7. the crawl ------------------------------------------------------------------------------

_XML_LINK_TEXT = {"link", "loc", "comments", "url", "icon", "logo"}
_SLASH = "http://purl.org/rss/1.0/modules/slash/"  # slash:comments is a count
_XML_LINK_ATTRS = ("href", "url", "src", "xmlUrl", "htmlUrl")
_XML_HTML_TEXT = {"description", "encoded", "content", "summary"}
_JSON_LINK_KEYS = {"url", "external_url", "home_page_url", "feed_url", "icon", "favicon", "image"}


def _html_links(data: bytes | str) -> list[str]:
    if not data.strip():
        return []
    doc = lxml_html.document_fromstring(data)
    links: list[str] = [str(v) for v in doc.xpath("//@href | //@src")]
    links += [str(v) for v in doc.xpath("//meta[@property='og:url']/@content")]
    for content in doc.xpath("//meta[@http-equiv='refresh']/@content"):
        links.append(str(content).split("url=", 1)[1])
    for script in doc.xpath('//script[@type="application/ld+json"]'):
        links += _json_links(json.loads(script.text))
    return links


def _xml_links(data: bytes) -> list[str]:
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    links: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        links += [el.get(name) for name in _XML_LINK_ATTRS if el.get(name)]
        qname = etree.QName(el)
        local = qname.localname if qname.namespace != _SLASH else "slash:" + qname.localname
        text = (el.text or "").strip()
        permalink = local == "guid" and el.get("isPermaLink", "true") == "true"
        if (local in _XML_LINK_TEXT and text and len(el) == 0) or permalink:
            links.append(text)
        elif local in _XML_HTML_TEXT and "<" in text:
            links += _html_links(text)
    return links


def _json_links(value: Any) -> list[str]:
    links: list[str] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in _JSON_LINK_KEYS | {"@id"} and isinstance(inner, str):
                links.append(inner)
            elif key == "content_html":
                links += _html_links(inner)
            else:
                links += _json_links(inner)
    elif isinstance(value, list):
        for inner in value:
            links += _json_links(inner)
    return links


def _links(out: Path, path: str) -> list[str]:
    """Every address the file at `path` gives, as written in it."""
    data = (out / path).read_bytes()
    name = path.rsplit("/", 1)[-1]
    if name.endswith(".html"):
        return _html_links(data)
    if name.endswith((".xml", ".opml")):
        return _xml_links(data)
    if name.endswith(".json"):
        return _json_links(json.loads(data))
    if name == "robots.txt":
        return re.findall(r"^Sitemap: (\S+)$", data.decode(), re.M)
    if name == "_redirects":  # the targets (what each old address leads to, on the host)
        return [line.split()[1] for line in data.decode().splitlines() if line[:1] == "/"]
    return []


def _broken(out: Path, files: frozenset[str]) -> tuple[list[tuple[str, str, str]], set[str]]:
    """Every internal link that names no file in output/: (file, link, why); and the files
    that are the target of a link from another file."""
    broken: list[tuple[str, str, str]] = []
    reached: set[str] = set()
    for path in sorted(files):
        for link in _links(out, path):
            url = _resolve(path, link)
            if urlsplit(url).scheme not in ("http", "https"):
                continue
            relative = not urlsplit(link).scheme and not link.startswith("//")
            target = _internal(url)
            if target is None:
                if relative:
                    broken.append((path, link, "leads out of base_url"))
                continue
            if target not in files:
                broken.append((path, link, f"names {target}, which is no file in output/"))
            elif target != path:
                reached.add(target)
    return broken, reached


def test_every_internal_link_in_every_file_names_a_file(site: Site) -> None:
    broken, reached = _broken(site.out, site.files)
    assert broken == []
    # The crawl saw what it should: every post, every listing page, the feeds, static files.
    for item in site.items:
        assert _internal(item["url"]) in reached
    must = {"images/map.png", "files/report.pdf", "a/b/c/deep.txt", "sitemap.xml", "feeds.opml"}
    assert must <= reached
    # Nothing is an orphan but what no page should link to.
    assert site.files - reached == UNLINKED


def test_a_broken_link_is_found(site: Site, tmp_path: Path) -> None:
    """The crawl fails when it should: one link changed, in a copy of the site."""
    out = tmp_path / "output"
    shutil.copytree(site.out, out)
    page = out / MOVED
    page.write_bytes(page.read_bytes().replace(b"../../archives/", b"../../archive/", 1))
    broken, _ = _broken(out, site.files)
    assert broken == [
        (MOVED, "../../archive/", "names archive/index.html, which is no file in output/")
    ]


def _get(port: int, target: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", target)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def served(site: Site) -> Iterator[int]:
    """`scofeed serve` over the built site, in a subprocess: its port."""
    server = Served(site.root)
    try:
        port = urlsplit(server.url).port
        assert port is not None
        yield port
    finally:
        assert server.stop() == 0


def test_every_file_is_served_under_base_urls_path(site: Site, served: int) -> None:
    for path in sorted(site.files):
        folder = path[: -len("index.html")] if path.endswith("index.html") else path
        status, body = _get(served, SITE_PATH + quote(folder))
        assert (status, body) == (200, (site.out / path).read_bytes()), path


def test_following_links_over_http_reaches_every_page(site: Site, served: int) -> None:
    """A crawler's walk from /sco/: every link it meets answers 200, and it finds every page."""
    seen: set[str] = set()
    todo = [SITE_PATH, SITE_PATH + "robots.txt"]  # where crawlers start
    fetched: set[str] = set()
    while todo:
        target = todo.pop()
        if target in seen:
            continue
        seen.add(target)
        status, body = _get(served, target)
        file = _internal(urljoin(BASE, target))
        assert status == 200, (target, status)
        assert file is not None and body == (site.out / file).read_bytes(), target
        fetched.add(file)
        for link in _links(site.out, file):
            url = _resolve(file, link)
            if _internal(url) is not None:
                todo.append(urlsplit(url).path)  # as percent-encoded as the page has it
    assert site.files - fetched == UNLINKED - {"robots.txt"}  # robots.txt links, is not linked


@pytest.mark.parametrize(
    "target", ["/sco/no/such/page.html", "/sco/2008/05/nope.html", "/sco/countries/atlantis/"]
)
def test_an_unknown_address_gets_404_and_the_sites_page_whose_links_work(
    site: Site, served: int, target: str
) -> None:
    status, body = _get(served, target)
    assert (status, body) == (404, (site.out / "404.html").read_bytes())
    # Served at any depth, its links still lead to files (they are absolute).
    for link in _html_links(body):
        found = _internal(urljoin(urljoin(BASE, target), link))
        assert found is None or found in site.files, link


# --- 8. hostile text ---------------------------------------------------------------------------

EVIL = "<img src=x onerror=alert(1)> </script><script>alert(2)</script> \"dq\" 'sq' &amp;"


def test_hostile_text_is_text_on_every_page(project: Callable[..., Config]) -> None:
    front = {
        "title": EVIL,
        "summary": EVIL,
        "author": EVIL,
        "tags": [EVIL, "plain"],
        "countries": [EVIL, "Russia"],
        "date": "2007-06-01",
        "aliases": ["old/evil.html"],
    }
    config = project(
        {"2007-06-01-evil.md": post(yaml.safe_dump(front), "Talks in Moscow.")}, seed=True
    )
    build(config, now=NOW)
    out = config.output_dir
    files = _files(out)
    for path in sorted(f for f in files if f.endswith(".html")):
        data = (out / path).read_bytes()
        assert b"<img" not in data and b"<script>alert" not in data, path
        doc = lxml_html.document_fromstring(data)
        assert doc.xpath("//img | //iframe | //object | //embed | //svg") == [], path
        assert doc.xpath("//@*[starts-with(name(), 'on')]") == [], path
        assert not [h for h in doc.xpath("//@href | //@src") if "javascript:" in h.lower()]
        for script in doc.xpath("//script"):
            assert script.get("type") == "application/ld+json" and script.get("src") is None
            json.loads(script.text)  # whole: its text ended nowhere but at its end
    page = _doc(out, "2007/06/evil.html")
    assert page.findtext(".//title") == EVIL
    assert page.xpath("//h1")[0].text_content() == EVIL
    for key in ("og:title", "twitter:title", "description", "og:description", "author"):
        assert _meta(page, key) == [EVIL], key
    assert EVIL in _meta(page, "article:tag") and EVIL in _meta(page, "article:section")
    ld = _jsonld(page)
    assert ld["headline"] == EVIL and ld["author"]["name"] == EVIL
    assert ld["description"] == EVIL and EVIL in ld["keywords"]
    assert {"@type": "Country", "name": EVIL} in ld["about"]
    assert page.xpath("//article/footer//p")[0].text_content() == f"Tags: {EVIL}, plain"
    # Its country's page, and the redirect page of its old address.
    (evil_country,) = [
        f for f in files if f.startswith("countries/") and f.endswith("/index.html")
        and "russia" not in f and EVIL in _doc(out, f).xpath("//h1")[0].text_content()
    ]  # fmt: skip
    assert _doc(out, evil_country).findtext(".//title") == f"SCO (RTG): {EVIL}"
    redirect = _doc(out, "old/evil.html")
    assert redirect.findtext(".//title") == EVIL
    assert [a.text_content() for a in redirect.xpath("//a")] == [EVIL]
    # In the listings and as a neighbour, a link whose text is the title.
    home = _doc(out, "index.html")
    assert EVIL in [a.text_content() for a in home.xpath("//ol[@class='posts']//h2/a")]
    assert EVIL in [a.text_content() for a in home.xpath("//table//th/a")]
    newer = _doc(out, "2008/05/russian-federation-will-lead-the-shanghai-cooperation.html")
    assert newer.xpath("//a[@rel='prev']")[0].text_content() == f"← {EVIL}"


# --- 9. what a rebuild writes ------------------------------------------------------------------

EDITED = "2006-09-19-sco-summit-concludes-in-tajikistan.md"
EDITED_PAGE = "2006/09/sco-summit-concludes-in-tajikistan.html"
FEED_FILES = ("rss.xml", "atom.xml", "feed.json")
NEW_TITLE = "The SCO summit in Tajikistan ends"  # the same country, so the same feeds


def _neighbours(out: Path, page: str) -> set[str]:
    items = json.loads((out / "feed.json").read_bytes())["items"]
    pages = _pages_of(items)
    i = pages.index(page)
    return {p for p in (pages[i - 1] if i else None, pages[i + 1 : i + 2] and pages[i + 1]) if p}


def _folders_of(out: Path, page: str) -> list[str]:
    return ["", *_countries(out)[BASE + page]]


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """The seed's posts, built by the command."""
    _write_project(tmp_path, {}, toml="")
    assert _cli_build(tmp_path).returncode == 0
    return tmp_path


def test_a_build_with_nothing_changed_writes_nothing(built: Path) -> None:
    before = _snapshot(built / "output")
    result = _cli_build(built)
    assert result.returncode == 0 and _listed(result.stdout) == (set(), set())
    assert _snapshot(built / "output") == before


def test_editing_a_posts_body_rewrites_its_page_and_its_feeds_only(built: Path) -> None:
    out = built / "output"
    folders = _folders_of(out, EDITED_PAGE)
    assert len(folders) >= 2  # the category and at least one country
    with (built / "posts" / EDITED).open("a") as f:
        f.write("\nA closing paragraph, added later.\n")
    result = _cli_build(built)
    assert result.returncode == 0
    expected = {EDITED_PAGE} | {f + name for f in folders for name in FEED_FILES}
    assert _listed(result.stdout) == (expected, set())
    assert b"A closing paragraph, added later." in (out / EDITED_PAGE).read_bytes()


def test_editing_a_posts_title_rewrites_the_pages_that_show_it_only(built: Path) -> None:
    out = built / "output"
    folders = _folders_of(out, EDITED_PAGE)
    neighbours = _neighbours(out, EDITED_PAGE)
    assert len(neighbours) == 2
    source = built / "posts" / EDITED
    text = source.read_text()
    old = "title: SCO Summit Concludes in Tajikistan\n"
    assert old in text
    source.write_text(text.replace(old, f"title: {NEW_TITLE}\n"))
    result = _cli_build(built)
    assert result.returncode == 0
    expected = (
        {EDITED_PAGE, *neighbours, "index.html", "2006/09/index.html"}
        | {f + name for f in folders for name in FEED_FILES}
        # The feed folders' embed fragments show titles; the country pages list the post.
        | {f + "embed.html" for f in folders}
        | {f + "index.html" for f in folders[1:]}
    )
    assert _listed(result.stdout) == (expected, set())
    for page in (EDITED_PAGE, *neighbours, "index.html", "2006/09/index.html"):
        assert NEW_TITLE.encode() in (out / page).read_bytes(), page


def test_deleting_a_post_removes_its_page_and_its_empty_months_page(built: Path) -> None:
    out = built / "output"
    # The only post of October 2005, and one of two in May 2008.
    alone = "2005/10/putin-welcomes-shanghai-delegations.html"
    vanishing = [
        folder for folder in _folders_of(out, alone)[1:]
        if len(json.loads((out / folder / "feed.json").read_bytes())["items"]) == 1
    ]  # fmt: skip
    (built / "posts" / "2005-10-26-putin-welcomes-shanghai-delegations.md").unlink()
    result = _cli_build(built)
    assert result.returncode == 0
    _, removed = _listed(result.stdout)
    folder_files = ("rss.xml", "atom.xml", "feed.json", "embed.html", "index.html")
    assert removed == {alone, "2005/10/index.html"} | {
        f + n for f in vanishing for n in folder_files
    }
    assert not (out / "2005" / "10").exists() or not any((out / "2005" / "10").iterdir())
    (
        built / "posts" / "2008-05-13-russian-federation-will-lead-the-shanghai-cooperation.md"
    ).unlink()
    result = _cli_build(built)
    _, removed = _listed(result.stdout)
    assert removed == {"2008/05/russian-federation-will-lead-the-shanghai-cooperation.html"}
    assert (out / "2008/05/index.html").is_file()
    broken, _ = _broken(out, _files(out))
    assert broken == []
