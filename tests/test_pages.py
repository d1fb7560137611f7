"""Subscribing and embedding, as files: the JSON Feed beside every RSS/Atom pair, the OPML list,
the index pages with autodiscovery links, the embed fragment and the embed script."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
import reader
import reader.discover
import reader.opml
from lxml import etree

from scofeed.config import Config, load_config
from scofeed.infra.dates import rfc822, rfc3339
from scofeed.publish.build import BuildReport, build
from scofeed.site.jsonfeed import VERSION
from scofeed.site.pages import LATEST, embed_script
from scofeed.validate.jsonfeed import check_json

from conftest import NOW, POSTS, post, run_cli

EVIL = "<img src=x onerror=alert(1)> & <script>alert(2)</script>"


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, BuildReport]:
    """The seed's posts built once, plus a post whose title is markup, for every test here."""
    root = tmp_path_factory.mktemp("seed")
    (root / "posts").mkdir()
    for path in POSTS.glob("*.md"):
        (root / "posts" / path.name).write_bytes(path.read_bytes())
    (root / "posts" / "2009-01-01-evil.md").write_text(
        post(f"title: '{EVIL}'\ndate: 2009-01-01T10:00:00+06:00", "Talks in Moscow.")
    )
    config = load_config(root)
    return config, build(config, now=NOW)


def _read(config: Config, path: str) -> bytes:
    return (config.output_dir / path).read_bytes()


# --- JSON Feed -------------------------------------------------------------------------------


def test_json_feed_has_the_entries_ids_and_dates_of_the_atom_and_rss_feeds(
    seed: tuple[Config, BuildReport],
) -> None:
    config, report = seed
    assert len(report.feeds) == 12
    for spec in report.feeds:
        data = _read(config, spec.folder + "feed.json")
        feed = json.loads(data)
        atom = feedparser.parse(_read(config, spec.folder + "atom.xml"))
        rss = feedparser.parse(_read(config, spec.folder + "rss.xml"))
        assert feed["version"] == VERSION
        assert feed["title"] == atom.feed.title == spec.title
        assert feed["home_page_url"] == config.base_url + spec.folder
        assert feed["feed_url"] == config.base_url + spec.folder + "feed.json"
        assert feed["description"] == spec.description
        assert feed["language"] == config.language
        assert feed["authors"] == [{"name": config.author}]
        assert len(feed["items"]) == len(atom.entries) == len(rss.entries) == len(spec.entries)
        for item, a, r, p in zip(
            feed["items"], atom.entries, rss.entries, spec.entries, strict=True
        ):
            assert item["id"] == a.id == r.id
            assert item["url"] == a.link == r.link
            assert item["title"] == a.title == r.title
            assert item["content_html"] == a.content[0].value
            assert item["summary"] == a.summary
            assert item["date_published"] == rfc3339(p.date)
            assert item["date_modified"] == rfc3339(p.updated)
            assert item["tags"] == [t.term for t in a.tags]
            assert item["authors"] == [{"name": a.author}]
            if p.comments is not None:
                assert item["_scofeed"]["comments"] == p.comments
        assert check_json(data, "feed.json") == []


def test_json_feed_bytes_are_deterministic_text(seed: tuple[Config, BuildReport]) -> None:
    config, _ = seed
    data = _read(config, "feed.json")
    assert data.endswith(b"}\n")
    assert "…".encode() in data  # ensure_ascii=False: characters as they are
    assert list(json.loads(data)) == [
        "version",
        "title",
        "home_page_url",
        "feed_url",
        "description",
        "language",
        "authors",
        "author",
        "items",
    ]
    evil = next(i for i in json.loads(data)["items"] if i["title"] == EVIL)
    assert evil["date_published"] == "2009-01-01T10:00:00+06:00"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (b"{", "json-syntax"),
        (b"[]", "json-structure"),
        (
            b'{"version": "https://jsonfeed.org/version/1", "title": "t", "items": []}',
            "json-version",
        ),
        (json.dumps({"version": VERSION, "items": []}).encode(), "json-title"),
        (json.dumps({"version": VERSION, "title": "t"}).encode(), "json-items"),
        (
            json.dumps(
                {
                    "version": VERSION,
                    "title": "t",
                    "items": [{"url": "https://x.org/", "content_html": ""}],
                }
            ).encode(),
            "json-id",
        ),
        (
            json.dumps(
                {
                    "version": VERSION,
                    "title": "t",
                    "items": [{"id": "a", "url": "/p.html", "content_html": ""}],
                }
            ).encode(),
            "json-url",
        ),
        (
            json.dumps(
                {
                    "version": VERSION,
                    "title": "t",
                    "items": [{"id": "a", "url": "https://x.org/", "content_html": ""}] * 2,
                }
            ).encode(),
            "repeats the id",
        ),
        (
            json.dumps(
                {
                    "version": VERSION,
                    "title": "t",
                    "items": [
                        {
                            "id": "a",
                            "url": "https://x.org/",
                            "content_html": "",
                            "date_published": "2008-05-19",
                        }
                    ],
                }
            ).encode(),
            "json-date",
        ),
    ],
)
def test_the_json_check_names_what_is_wrong(doc: bytes, message: str) -> None:
    problems = check_json(doc, "feed.json")
    assert problems and message in str(problems[0]), problems
    assert all(p.path == "feed.json" for p in problems)


# --- OPML ------------------------------------------------------------------------------------


def test_opml_lists_every_feed_grouped_and_dated_by_the_newest_entry(
    seed: tuple[Config, BuildReport],
) -> None:
    config, report = seed
    data = _read(config, "feeds.opml")
    root = etree.fromstring(data)
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") == config.title
    assert root.find("head/dateCreated") is None  # never the time of the build
    newest = max(s.updated for s in report.feeds)
    assert root.findtext("head/dateModified") == rfc822(newest)
    groups = root.findall("body/outline")
    assert [g.get("text") for g in groups] == [config.title, f"{config.title}: countries"]
    assert [o.get("xmlUrl") for o in groups[0]] == [config.base_url + "atom.xml"]
    countries = [s for s in report.feeds if s.country]
    assert [(o.get("title"), o.get("xmlUrl"), o.get("htmlUrl")) for o in groups[1]] == [
        (s.title, f"{config.base_url}{s.folder}atom.xml", config.base_url + s.folder)
        for s in countries
    ]
    for outline in root.iter("outline"):
        assert outline.get("text")  # OPML 2.0: every outline has text
    # A real feed reader's OPML import sees every feed, with its title and page.
    imported = reader.opml.parse(io.BytesIO(data))
    assert sorted(f.url for f in imported) == sorted(
        f"{config.base_url}{s.folder}atom.xml" for s in report.feeds
    )
    assert {f.title for f in imported} == {s.title for s in report.feeds}
    with reader.make_reader(":memory:") as client:
        client.import_feeds(io.BytesIO(data))
        assert len(list(client.get_feeds())) == len(report.feeds)


# --- pages -----------------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Checker(HTMLParser):
    """A small HTML5 well-formedness check: doctype first, every non-void element closed in
    order, ids unique, attributes not repeated, no script, no event handler attribute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: set[str] = set()
        self.doctype = ""
        self.first = True
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_decl(self, decl: str) -> None:
        if not self.first:
            self.errors.append("doctype not first")
        self.doctype = decl
        self.first = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.first:
            self.errors.append("no doctype first")
        self.first = False
        names = [name for name, _ in attrs]
        if len(names) != len(set(names)):
            self.errors.append(f"<{tag}> repeats an attribute")
        found = dict(attrs)
        if "id" in found:
            if found["id"] in self.ids:
                self.errors.append(f"id {found['id']} twice")
            self.ids.add(str(found["id"]))
        if tag == "script" or any(name.startswith("on") for name in names):
            self.errors.append(f"<{tag}> runs script")
        self.tags.append((tag, found))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.errors.append(f"<{tag}/> self-closing")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _check_page(data: bytes) -> _Checker:
    checker = _Checker()
    checker.feed(data.decode("utf-8"))
    checker.close()
    assert checker.errors == [], checker.errors
    assert checker.stack == [], checker.stack
    assert checker.doctype.lower() == "doctype html"
    assert b'<meta charset="utf-8">' in data[:1024]
    html_tag = checker.tags[0]
    assert html_tag[0] == "html" and html_tag[1].get("lang") == "en"
    assert [t for t, _ in checker.tags].count("title") == 1
    for tag, attrs in checker.tags:  # no external assets: nothing is loaded from elsewhere
        assert tag not in ("img", "iframe", "script", "object")
        if tag == "link":
            assert attrs.get("rel") in ("alternate", "canonical", "prev", "next")
    return checker


def _alternates(config: Config, folder: str) -> list[tuple[str, str | None]]:
    return [
        (f"{config.base_url}{folder}rss.xml", "application/rss+xml"),
        (f"{config.base_url}{folder}atom.xml", "application/atom+xml"),
        (f"{config.base_url}{folder}feed.json", "application/feed+json"),
    ]


@pytest.mark.filterwarnings("ignore::bs4.GuessedAtParserWarning")  # reader's bs4 call
def test_index_lists_every_feed_with_counts_dates_and_autodiscovery(
    seed: tuple[Config, BuildReport],
) -> None:
    config, report = seed
    data = _read(config, "index.html")
    checker = _check_page(data)
    links = [x for x in reader.discover.from_html(data) if x.type]
    assert [(x.href, x.type) for x in links] == _alternates(config, "")
    hrefs = {attrs.get("href") for tag, attrs in checker.tags if tag == "a"}
    for spec in report.feeds:
        for name in ("rss.xml", "atom.xml", "feed.json"):
            assert spec.folder + name in hrefs
            assert (config.output_dir / spec.folder / name).is_file()
        if spec.country:
            assert spec.folder in hrefs
            row = re.search(
                rf'<a href="{spec.folder}">{spec.country}</a></th><td>(\d+)</td>'
                r'<td><time datetime="([^"]+)">',
                data.decode(),
            )
            assert row is not None, spec.country
            assert int(row.group(1)) == len(spec.entries)
            assert row.group(2) == spec.entries[0].date.astimezone(config.tzinfo).isoformat()
    assert "feeds.opml" in hrefs
    # Every relative link on the page names a file that exists.
    for href in hrefs:
        assert href is not None
        if not urlsplit(href).scheme:
            target = config.output_dir / href
            assert (target / "index.html" if href.endswith("/") else target).is_file(), href


@pytest.mark.filterwarnings("ignore::bs4.GuessedAtParserWarning")  # reader's bs4 call
def test_each_country_has_its_own_page_with_its_own_autodiscovery(
    seed: tuple[Config, BuildReport],
) -> None:
    config, report = seed
    for spec in report.feeds:
        if spec.country is None:
            continue
        data = _read(config, spec.folder + "index.html")
        checker = _check_page(data)
        links = [x for x in reader.discover.from_html(data) if x.type]
        assert [(x.href, x.type) for x in links] == _alternates(config, spec.folder)
        assert spec.country in "".join(checker.text)
        shown = [attrs["href"] for tag, attrs in checker.tags if tag == "a"]
        assert "../../" in shown and "rss.xml" in shown and "embed.html" in shown


def test_every_text_on_the_pages_is_escaped(project: Callable[..., Config]) -> None:
    config = project(
        {"x.md": post(f"title: '{EVIL}'\ndate: 2020-01-01", "Talks in Moscow.")},
        toml="title = \"Trade <b>Energy</b> & 'Security'\"\n",
    )
    build(config, now=NOW)
    for path in ("index.html", "countries/russia/index.html"):
        data = _read(config, path)
        checker = _check_page(data)
        text = "".join(checker.text)
        assert EVIL in text and "Trade <b>Energy</b> & 'Security'" in text
        assert "<img" not in data.decode() and "<b>" not in data.decode()
    embed = _read(config, "countries/russia/embed.html").decode("ascii")
    assert "<img" not in embed and "<script" not in embed
    assert "&lt;img src=x onerror=alert(1)&gt;" in embed
    opml = etree.fromstring(_read(config, "feeds.opml"))
    assert opml.findtext("head/title") == "Trade <b>Energy</b> & 'Security'"


def test_an_empty_store_gives_pages_that_say_so(project: Callable[..., Config]) -> None:
    config = project({})
    build(config, now=NOW)
    page = _read(config, "index.html")
    _check_page(page)
    assert b"SCO (RTG): 0 posts." in page and b"No posts yet." in page
    assert b"No country has a post yet." in page
    opml = etree.fromstring(_read(config, "feeds.opml"))
    assert opml.find("head/dateModified") is None
    assert json.loads(_read(config, "feed.json"))["items"] == []
    assert b"No posts yet." in _read(config, "embed.html")


# --- the embed fragment and script -----------------------------------------------------------


def test_embed_fragments_are_safe_absolute_and_the_latest_entries(
    seed: tuple[Config, BuildReport],
) -> None:
    config, report = seed
    for spec in report.feeds:
        data = _read(config, spec.folder + "embed.html")
        text = data.decode("ascii")  # pure ASCII: reads the same in a page of any encoding
        assert text.startswith('<div class="scofeed"') and text.endswith("</div>\n")
        checker = _Checker()
        checker.first = False  # a fragment: no doctype
        checker.feed(text)
        assert checker.errors == [] and checker.stack == []
        for tag, attrs in checker.tags:
            assert tag not in ("script", "style", "img", "iframe")
            assert not any(name.startswith(("on", "style")) for name in attrs)
            if "href" in attrs:
                assert urlsplit(str(attrs["href"])).scheme in ("http", "https"), attrs
        feed = json.loads(_read(config, spec.folder + "feed.json"))
        shown = [(a["href"], a.get("target")) for t, a in checker.tags if t == "a"][1:]
        expected = [(i["url"], "_top") for i in feed["items"][:LATEST]]
        assert shown == expected
        dates = [a["datetime"] for t, a in checker.tags if t == "time"]
        assert dates == [i["date_published"] for i in feed["items"][:LATEST]]


def test_embed_script_is_shipped_copied_and_never_writes_markup(
    seed: tuple[Config, BuildReport],
) -> None:
    config, _ = seed
    script = embed_script()
    assert _read(config, "embed.js") == script
    code = script.decode()
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert banned not in code
    assert "textContent" in code and "createElement" in code
    assert '"http:"' in code and '"https:"' in code


def test_a_country_that_goes_away_takes_all_its_files(tmp_path: Path) -> None:
    (tmp_path / "posts").mkdir()
    story = tmp_path / "posts" / "x.md"
    story.write_text(post("date: 2020-01-01", "Talks in Minsk."))
    run_cli("build", "--now", NOW.isoformat(), cwd=tmp_path)
    folder = tmp_path / "output/countries/belarus"
    assert sorted(p.name for p in folder.iterdir()) == [
        "atom.xml",
        "embed.html",
        "feed.json",
        "index.html",
        "rss.xml",
    ]
    story.write_text(post("date: 2020-01-01", "Talks in Kabul."))
    result = run_cli("build", "--now", NOW.isoformat(), "-v", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "removed output/countries/belarus/index.html" in result.stdout
    assert not folder.exists()
    assert b"Belarus" not in (tmp_path / "output/index.html").read_bytes()
    assert b"Afghanistan" in (tmp_path / "output/index.html").read_bytes()
