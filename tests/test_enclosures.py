"""`enclosures:` in front matter, and `id:` as any text: what the store reads, what the feeds,
the JSON Feed and the post's page carry, read back by feedparser and the `reader` library."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC
from pathlib import Path

import feedparser
import pytest
import reader
from lxml import etree

from scofeed.config import Config
from scofeed.errors import InputError
from scofeed.posts.media import guess_type
from scofeed.posts.post import Post, parse_post
from scofeed.publish.build import build
from scofeed.validate import validate_bytes

from conftest import NOW

EPISODE = """---
title: Episode 1 in Moscow
date: 2024-01-02
id: "12345"
enclosures:
  - url: https://cdn.example.org/ep1.mp3
    length: 12345678
    duration: 1:02:03
  - media/notes.pdf
---

Talks in Moscow.
"""
SECOND = """---
title: Episode 2
date: 2024-01-03
id: abc@example
enclosures: {url: "https://cdn.example.org/ep2.m4a", type: audio/mp4}
---

More talks.
"""


def read(text: str) -> Post | list[str]:
    got = parse_post(text.encode(), "p.md", slug="p", tz=UTC)
    return got if isinstance(got, Post) else [str(p) for p in got]


def front(meta: str) -> str:
    return f"---\ntitle: T\ndate: 2024-01-02\n{meta}\n---\n\nText.\n"


# --- the post format -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        # A list of mappings; the type guessed from the name when not given.
        (
            "enclosures: [{url: https://x.example/a.mp3, length: 10}]",
            (("https://x.example/a.mp3", "audio/mpeg", 10, None),),
        ),
        # A plain URL, and a file of the site (a leading / dropped).
        (
            "enclosures: [https://x.example/a.ogg, /media/b.pdf]",
            (
                ("https://x.example/a.ogg", "audio/ogg", None, None),
                ("media/b.pdf", "application/pdf", None, None),
            ),
        ),
        # One mapping alone, JSON Feed's names, a duration in seconds.
        (
            "enclosures: {url: 'https://x.example/v', mime_type: video/mp4, size_in_bytes: '7',"
            " duration_in_seconds: 90}",
            (("https://x.example/v", "video/mp4", 7, 90),),
        ),
        # A clock duration as text, and as YAML reads it unquoted (base 60): the same seconds.
        (
            "enclosures: [{url: https://x.example/a.mp3, duration: '45:30'}]",
            (("https://x.example/a.mp3", "audio/mpeg", None, 2730),),
        ),
        (
            "enclosures: [{url: https://x.example/a.mp3, duration: 45:30}]",
            (("https://x.example/a.mp3", "audio/mpeg", None, 2730),),
        ),
        # A name that says nothing: a file of bytes. The same URL twice: once.
        (
            "enclosures: [https://x.example/get?id=1, https://x.example/get?id=1]",
            (("https://x.example/get?id=1", "application/octet-stream", None, None),),
        ),
    ],
)
def test_what_enclosures_may_be(meta: str, expected: tuple[object, ...]) -> None:
    post = read(front(meta))
    assert isinstance(post, Post), post
    assert post.enclosures == expected


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ("enclosures: [{type: audio/mpeg}]", "p.md:4: enclosures: has no url; write one, such as"),
        (
            "enclosures: [ftp://x.example/a.mp3]",
            "p.md:4: enclosures: url 'ftp://x.example/a.mp3' must be an http(s) URL",
        ),
        (
            "enclosures: [https://x.example/a b.mp3]",
            "p.md:4: enclosures: url 'https://x.example/a b.mp3' must be an http(s) URL without "
            "spaces",
        ),
        (
            "enclosures: [../secret.mp3]",
            "p.md:4: enclosures: url '../secret.mp3' must be a path on this site",
        ),
        ("enclosures: [javascript:alert(1)]", "p.md:4: enclosures: url 'javascript:alert(1)'"),
        (
            "enclosures: [{url: https://x.example/a.mp3, type: mp3}]",
            "p.md:4: enclosures: type 'mp3' is not a MIME type such as audio/mpeg",
        ),
        (
            "enclosures: [{url: https://x.example/a.mp3, length: -1}]",
            "p.md:4: enclosures: length must be the size in bytes, a whole number, not -1",
        ),
        (
            "enclosures: [{url: https://x.example/a.mp3, lenght: 1}]",
            "p.md:4: enclosures: 'lenght' is not a key an enclosure has; use url, type, length, "
            "duration",
        ),
        (
            "enclosures: [https://x.example/a.mp3, 7]",
            "p.md:4: enclosures: item 2: must be a URL or a table",
        ),
        (
            "enclosures: [{url: https://x.example/a.mp3, duration: an hour}]",
            "p.md:4: enclosures: duration must be the playing time in seconds (or 1:02:03)",
        ),
    ],
)
def test_bad_enclosures_name_the_line_and_the_fix(meta: str, message: str) -> None:
    problems = read(front(meta))
    assert isinstance(problems, list) and len(problems) == 1
    assert problems[0].startswith(message), problems[0]


def test_too_many_enclosures() -> None:
    items = ", ".join(f"https://x.example/{n}.mp3" for n in range(101))
    assert read(front(f"enclosures: [{items}]")) == [
        "p.md:4: enclosures lists 101 files; a post may carry 100 at most"
    ]


@pytest.mark.parametrize("value", ["12345", "abc@example", "2 at http://example.org", "Ünïcode-1"])
def test_an_id_may_be_any_text(value: str) -> None:
    post = read(front(f"id: {json.dumps(value)}"))
    assert isinstance(post, Post) and post.id == value


def test_an_id_a_reader_would_run_is_still_refused() -> None:
    assert read(front("id: 'vbscript:msgbox(1)'")) == [
        "p.md:4: id 'vbscript:msgbox(1)' has the scheme vbscript:, which a feed reader showing "
        "it as a link would run or open; use an id such as tag:example.org,2008:post-1"
    ]


def test_types_are_guessed_the_same_on_every_machine() -> None:
    # From a table of the package's own and Python's defaults, never /etc/mime.types.
    assert guess_type("https://x.example/a/b.M4A?x=1") == "audio/mp4"
    assert guess_type("https://x.example/a.opus") == "audio/ogg"
    assert guess_type("https://x.example/a.png") == "image/png"
    assert guess_type("https://x.example/a.dir/file") == "application/octet-stream"


# --- the feeds, the JSON Feed and the page ---------------------------------------------------


@pytest.fixture
def site(project: Callable[..., Config], tmp_path: Path) -> Config:
    config = project({"2024-01-02-ep1.md": EPISODE, "2024-01-03-ep2.md": SECOND})
    (tmp_path / "static" / "media").mkdir(parents=True)
    (tmp_path / "static" / "media" / "notes.pdf").write_bytes(b"%PDF-1.4\n")
    build(config, now=NOW)
    return config


def test_rss_carries_the_first_enclosure_and_the_id_as_it_is(site: Config) -> None:
    data = (site.output_dir / "rss.xml").read_bytes()
    assert validate_bytes(data, "rss.xml") == []  # not even the warning of a second enclosure
    parsed = feedparser.parse(data)
    assert not parsed.bozo
    by_id = {e.id: e for e in parsed.entries}
    assert set(by_id) == {"12345", "abc@example"}  # the ids as written
    root = etree.fromstring(data)
    assert [g.get("isPermaLink") for g in root.iter("guid")] == ["false", "false"]
    assert by_id["12345"].enclosures == [  # RSS 2.0 allows one: the first
        {"href": "https://cdn.example.org/ep1.mp3", "length": "12345678", "type": "audio/mpeg"}
    ]
    assert by_id["12345"].itunes_duration == "3723"
    # The size unknown: 0, as the RSS Advisory Board advises; no duration, no itunes:duration.
    assert by_id["abc@example"].enclosures == [
        {"href": "https://cdn.example.org/ep2.m4a", "length": "0", "type": "audio/mp4"}
    ]
    assert "itunes_duration" not in by_id["abc@example"]
    # A feed whose posts have no duration declares no itunes namespace.
    russia = (site.output_dir / "countries" / "russia" / "rss.xml").read_bytes()
    assert b"itunes" in russia
    assert b"itunes" not in (site.output_dir / "countries" / "russia" / "atom.xml").read_bytes()


def test_atom_carries_every_enclosure_and_an_iri_made_of_the_id(site: Config) -> None:
    data = (site.output_dir / "atom.xml").read_bytes()
    assert validate_bytes(data, "atom.xml") == []
    parsed = feedparser.parse(data)
    by_id = {e.id: e for e in parsed.entries}
    assert set(by_id) == {
        "tag:example.org,2005:guid/12345",
        "tag:example.org,2005:guid/abc%40example",
    }
    assert [
        (link.href, link.type, link.get("length"))
        for link in by_id["tag:example.org,2005:guid/12345"].links
        if link.rel == "enclosure"
    ] == [
        ("https://cdn.example.org/ep1.mp3", "audio/mpeg", "12345678"),
        ("https://example.org/sco/media/notes.pdf", "application/pdf", "9"),  # measured in static/
    ]
    # The same id on the next build and in every feed: a country's Atom feed says the same.
    russia = feedparser.parse((site.output_dir / "countries" / "russia" / "atom.xml").read_bytes())
    assert [e.id for e in russia.entries] == ["tag:example.org,2005:guid/12345"]


def test_the_json_feed_carries_attachments(site: Config) -> None:
    feed = json.loads((site.output_dir / "feed.json").read_text("utf-8"))
    items = {item["id"]: item for item in feed["items"]}
    assert items["12345"]["attachments"] == [
        {
            "url": "https://cdn.example.org/ep1.mp3",
            "mime_type": "audio/mpeg",
            "size_in_bytes": 12345678,
            "duration_in_seconds": 3723,
        },
        {
            "url": "https://example.org/sco/media/notes.pdf",
            "mime_type": "application/pdf",
            "size_in_bytes": 9,  # measured in static/
        },
    ]
    assert items["abc@example"]["attachments"] == [
        {"url": "https://cdn.example.org/ep2.m4a", "mime_type": "audio/mp4"}
    ]


def test_a_feed_reader_sees_the_enclosures_in_every_format(site: Config) -> None:
    with reader.make_reader(":memory:", feed_root=str(site.output_dir)) as client:
        for name in ("rss.xml", "atom.xml", "feed.json"):
            client.add_feed(f"file:{name}")
        client.update_feeds()
        for feed in client.get_feeds():
            assert feed.last_exception is None, (feed.url, feed.last_exception)
        got = {(e.feed_url, e.id): [x.href for x in e.enclosures] for e in client.get_entries()}
    mp3, pdf = "https://cdn.example.org/ep1.mp3", "https://example.org/sco/media/notes.pdf"
    assert got[("file:rss.xml", "12345")] == [mp3]
    assert got[("file:atom.xml", "tag:example.org,2005:guid/12345")] == [mp3, pdf]
    assert got[("file:feed.json", "12345")] == [mp3, pdf]


def test_the_page_lists_the_files_with_a_player_for_audio(site: Config) -> None:
    page = (site.output_dir / "2024" / "01" / "ep1.html").read_text("utf-8")
    tree = etree.HTML(page)
    (listing,) = tree.xpath('//ul[@class="enclosures"]')
    links = [(a.get("href"), a.text) for a in listing.iter("a")]
    assert links == [
        ("https://cdn.example.org/ep1.mp3", "ep1.mp3"),
        ("../../media/notes.pdf", "notes.pdf"),  # relative, as every link between the pages
    ]
    assert [a.get("src") for a in listing.iter("audio")] == ["https://cdn.example.org/ep1.mp3"]
    assert "audio/mpeg, 12.3 MB, 1:02:03" in page
    assert (site.output_dir / "media" / "notes.pdf").exists()  # the link leads somewhere


def test_enclosures_survive_the_cache(site: Config, project: Callable[..., Config]) -> None:
    """A post read from the cache (another post changed) carries its enclosures as before."""
    before = (site.output_dir / "atom.xml").read_bytes()
    config = project({"2024-01-04-note.md": "---\ndate: 2024-01-04\n---\n\nA note.\n"})
    report = build(config, now=NOW)
    assert report.published == 3
    after = (config.output_dir / "atom.xml").read_bytes()
    assert after.count(b'rel="enclosure"') == before.count(b'rel="enclosure"') == 3
    json_feed = json.loads((config.output_dir / "feed.json").read_text("utf-8"))
    assert [len(i.get("attachments", [])) for i in json_feed["items"]] == [0, 1, 2]


def test_a_bad_enclosure_stops_the_build_with_its_line(project: Callable[..., Config]) -> None:
    config = project({"2024-01-02-bad.md": front("enclosures: [{url: 'ftp://x.example/a.mp3'}]")})
    with pytest.raises(InputError) as caught:
        build(config, now=NOW)
    (problem,) = caught.value.problems
    assert str(problem).startswith(
        "posts/2024-01-02-bad.md:4: enclosures: url 'ftp://x.example/a.mp3' must be an http(s) URL"
    )
