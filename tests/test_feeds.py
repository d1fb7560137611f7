"""The feeds built from posts: golden files, a feedparser round trip, and the SPEC's promises."""

from __future__ import annotations

import difflib
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypedDict

import feedparser
import pytest
from lxml import etree

from scofeed.config import Config
from scofeed.infra.dates import rfc822, rfc3339
from scofeed.posts.countries import load_gazetteer
from scofeed.posts.store import load_posts
from scofeed.posts.text import render_html, summary_of, title_of
from scofeed.publish.build import build
from scofeed.site.entries import entry_id
from scofeed.site.layout import permalink
from scofeed.site.plan import newest_first, plan

from conftest import GOLDEN, NOW, post, tree

ATOM = "{http://www.w3.org/2005/Atom}"


class _Entry(TypedDict):
    """What one entry of a feed must read back as."""

    id: str
    title: str
    link: str
    published: tuple[int, ...]
    updated: tuple[int, ...]
    author: str
    tags: list[str]
    content: str
    summary: str
    comments: int | None


def test_golden_feeds_for_the_seed_posts(
    project: Callable[..., Config], update_golden: bool
) -> None:
    config = project(seed=True)
    build(config, now=NOW)
    built = tree(config.output_dir)
    if update_golden:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for path, data in built.items():
            (GOLDEN / path).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / path).write_bytes(data)
    expected = tree(GOLDEN)
    assert sorted(built) == sorted(expected), "feeds added or missing; see --update-golden"
    for path in sorted(expected):
        if built[path] != expected[path]:
            diff = difflib.unified_diff(
                expected[path].decode().splitlines(),
                built[path].decode().splitlines(),
                f"golden/{path}",
                f"built/{path}",
                lineterm="",
            )
            pytest.fail("\n".join(diff) + "\n\n(run pytest --update-golden after a wanted change)")


def _expected_entries(config: Config, folder: str) -> list[_Entry]:
    """What each entry of a feed must read back as, computed from the posts themselves."""
    posts, _ = load_posts(config.posts_dir, tz=config.tzinfo)
    spec = next(s for s in plan(posts, config, load_gazetteer(), NOW) if s.folder == folder)
    out: list[_Entry] = []
    for p, countries in zip(spec.entries, spec.entry_countries, strict=True):
        link = permalink(p, config)
        html = render_html(p, link)
        out.append(
            {
                "id": entry_id(p, config),
                "title": title_of(p, html),
                "link": link,
                "published": p.date.astimezone(UTC).timetuple()[:6],
                "updated": p.updated.astimezone(UTC).timetuple()[:6],
                "author": p.author or config.author,
                "tags": [config.title, *countries, *p.categories, *p.tags],
                "content": html,
                "summary": summary_of(p, html),
                "comments": p.comments,
            }
        )
    return out


def test_every_feed_reads_back_in_feedparser(project: Callable[..., Config]) -> None:
    config = project(seed=True)
    report = build(config, now=NOW)
    assert len(report.feeds) == 12
    for spec in report.feeds:
        expected = _expected_entries(config, spec.folder)
        for fmt in ("rss", "atom"):
            path = config.output_dir / spec.path(fmt)
            parsed = feedparser.parse(path.read_bytes())
            assert not parsed.bozo, (path, parsed.get("bozo_exception"))
            assert parsed.version == ("rss20" if fmt == "rss" else "atom10")
            self_links = [x.href for x in parsed.feed.links if x.rel == "self"]
            assert self_links == [config.base_url + spec.path(fmt)]
            assert parsed.feed.updated_parsed[:6] == spec.updated.astimezone(UTC).timetuple()[:6]
            assert len(parsed.entries) == len(expected)
            for got, want in zip(parsed.entries, expected, strict=True):
                assert got.id == want["id"]
                assert got.title == want["title"]
                assert got.link == want["link"]
                assert got.published_parsed[:6] == want["published"]
                if fmt == "atom":  # RSS 2.0 items have no updated date
                    assert got.updated_parsed[:6] == want["updated"]
                assert got.author == want["author"]
                assert [t.term for t in got.tags] == list(dict.fromkeys(want["tags"]))
                assert got.content[0].value == want["content"]
                assert got.summary == want["summary"]
                key = "slash_comments" if fmt == "rss" else "thr_total"
                assert got.get(key) == str(want["comments"])


def test_feeds_are_newest_first_and_dated_by_their_newest_entry(
    project: Callable[..., Config],
) -> None:
    config = project(
        {
            "a.md": post("date: 2020-01-01\nupdated: 2024-06-01T12:00:00+02:00", "Moscow."),
            "b.md": post("date: 2021-01-01", "Moscow."),
        }
    )
    build(config, now=NOW)
    root = etree.parse(str(config.output_dir / "countries/russia/atom.xml")).getroot()
    ids = [e.findtext(f"{ATOM}id") for e in root.iter(f"{ATOM}entry")]
    assert ids == ["tag:example.org,2005:posts/b", "tag:example.org,2005:posts/a"]
    assert root.findtext(f"{ATOM}updated") == "2024-06-01T12:00:00+02:00"
    rss = etree.parse(str(config.output_dir / "rss.xml")).getroot()
    assert rss.findtext("channel/lastBuildDate") == "Sat, 01 Jun 2024 12:00:00 +0200"


def test_titles_are_plain_text(project: Callable[..., Config]) -> None:
    title = "Trade <Energy> & Security"
    config = project({"x.md": post(f"title: '{title}'\ndate: 2020-01-01", "Text.")})
    build(config, now=NOW)
    for fmt in ("rss", "atom"):
        parsed = feedparser.parse((config.output_dir / f"{fmt}.xml").read_bytes())
        assert parsed.entries[0].title == title
    atom = etree.parse(str(config.output_dir / "atom.xml")).getroot()
    entry_title = atom.find(f"{ATOM}entry/{ATOM}title")
    assert entry_title is not None
    assert entry_title.get("type") == "text" and entry_title.text == title


def test_ids_survive_a_new_title_base_url_and_file_name(
    project: Callable[..., Config], tmp_path: Path
) -> None:
    config = project({"2020-01-01-first.md": post("title: First\ndate: 2020-01-01\nslug: first")})
    build(config, now=NOW)
    before = feedparser.parse((config.output_dir / "atom.xml").read_bytes()).entries[0].id
    (config.posts_dir / "2020-01-01-first.md").rename(config.posts_dir / "renamed.md")
    (config.posts_dir / "renamed.md").write_text(
        post("title: New title\ndate: 2020-01-01\nslug: first")
    )
    moved = project(toml='base_url = "https://news.example.net/"\n')
    build(moved, now=NOW)
    after = feedparser.parse((moved.output_dir / "atom.xml").read_bytes()).entries[0]
    assert after.id == before == "tag:example.org,2005:posts/first"
    assert after.link == "https://news.example.net/2020/01/first.html"


def test_declared_id_is_kept(project: Callable[..., Config]) -> None:
    config = project(
        {"x.md": post("date: 2020-01-01\nid: urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a")}
    )
    build(config, now=NOW)
    parsed = feedparser.parse((config.output_dir / "rss.xml").read_bytes())
    assert parsed.entries[0].id == "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"


def test_drafts_and_scheduled_posts_wait(project: Callable[..., Config]) -> None:
    config = project(
        {
            "draft.md": post("date: 2020-01-01\ndraft: true", "Moscow."),
            "later.md": post("date: 2026-06-01", "Moscow."),
            "now.md": post("date: 2020-01-02", "Beijing."),
        }
    )
    report = build(config, now=NOW)
    assert [s.folder for s in report.feeds] == ["", "countries/china/"]
    assert [p.slug for p in report.feeds[0].entries] == ["now"]
    later = build(config, now=datetime(2026, 6, 1, tzinfo=UTC))
    assert [p.slug for p in later.feeds[0].entries] == ["later", "now"]
    assert "countries/russia/atom.xml" in later.written


def test_feed_limit(project: Callable[..., Config]) -> None:
    posts = {f"p{i:02d}.md": post(f"date: 2020-01-{i:02d}") for i in range(1, 21)}
    config = project(posts, toml="feed_limit = 5\n")
    report = build(config, now=NOW)
    assert [p.slug for p in report.feeds[0].entries] == ["p20", "p19", "p18", "p17", "p16"]
    every = project(toml="feed_limit = 0\n")
    assert len(build(every, now=NOW).feeds[0].entries) == 20


def test_an_empty_store_still_gives_valid_site_feeds(project: Callable[..., Config]) -> None:
    config = project({})
    report = build(config, now=NOW)
    assert sorted(report.written) == [
        "404.html",
        "_redirects",
        "archives/index.html",
        "atom.xml",
        "embed.html",
        "embed.js",
        "feed.json",
        "feeds.opml",
        "index.html",
        "robots.txt",
        "rss.xml",
        "sitemap.xml",
    ]
    atom = etree.parse(str(config.output_dir / "atom.xml")).getroot()
    assert atom.findtext(f"{ATOM}updated") == "1970-01-01T00:00:00+00:00"


def test_relative_links_become_absolute_against_the_permalink(
    project: Callable[..., Config],
) -> None:
    config = project(
        {"2020-03-04-x.md": post("date: 2020-03-04", "[a](other.html) ![b](/img/b.png) [c](#n)")}
    )
    build(config, now=NOW)
    content = feedparser.parse((config.output_dir / "atom.xml").read_bytes()).entries[0].content
    html = content[0].value
    assert 'href="https://example.org/sco/2020/03/other.html"' in html
    assert 'src="https://example.org/img/b.png"' in html
    assert 'href="https://example.org/sco/2020/03/x.html#n"' in html


@pytest.mark.parametrize(
    ("when", "rss", "atom"),
    [
        (
            datetime(2008, 5, 19, tzinfo=UTC),
            "Mon, 19 May 2008 00:00:00 +0000",
            "2008-05-19T00:00:00+00:00",
        ),
        (
            datetime(5, 1, 2, 3, 4, 5, tzinfo=UTC),
            "Sun, 02 Jan 0005 03:04:05 +0000",
            "0005-01-02T03:04:05+00:00",
        ),
        (
            datetime.fromisoformat("2008-05-19T10:30:00.250-03:30"),
            "Mon, 19 May 2008 10:30:00 -0330",
            "2008-05-19T10:30:00.25-03:30",
        ),
    ],
)
def test_date_formats(when: datetime, rss: str, atom: str) -> None:
    assert rfc822(when) == rss
    assert rfc3339(when) == atom


def test_newest_first_breaks_ties_by_slug(project: Callable[..., Config]) -> None:
    config = project({"b.md": post("date: 2020-01-01"), "a.md": post("date: 2020-01-01")})
    posts, _ = load_posts(config.posts_dir, tz=UTC)
    assert [p.slug for p in newest_first(posts)] == ["b", "a"]
