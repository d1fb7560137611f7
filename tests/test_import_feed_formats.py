"""`scofeed import feed` beyond RSS 2.0: RSS 1.0 (Typepad's and Movable Type's `index.rdf`), RSS
0.90 to 0.92, podcasts (enclosures, Media RSS, iTunes durations), Atom enclosure links, JSON Feed
attachments and its http:// version URL; guids kept as ids whatever their form. Each feed is
written by the test, imported, built, and read back by feedparser and the `reader` library."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
import reader
from click.testing import CliRunner, Result
from test_import_feed import Server, server  # noqa: F401  (the 127.0.0.1 server fixture)

from scofeed.cli import main
from scofeed.errors import InputError
from scofeed.importers.feed import FeedImport, parse_feed

from conftest import run_cli

AUTHORITY = "example.org,2005"

TYPEPAD_RDF = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
  xmlns:admin="http://webns.net/mvcb/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:enc="http://purl.oclc.org/net/rss_2.0/enc#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="https://steppe.typepad.com/notes/">
<title>Steppe notes</title>
<link>https://steppe.typepad.com/notes/</link>
<description>From Almaty</description>
<dc:language>en-US</dc:language>
<dc:creator></dc:creator>
<dc:date>2008-05-20T09:12:44+06:00</dc:date>
<admin:generatorAgent rdf:resource="http://www.typepad.com/" />
<items><rdf:Seq>
<rdf:li rdf:resource="https://steppe.typepad.com/notes/2008/05/rail.html" />
<rdf:li rdf:resource="https://steppe.typepad.com/notes/2008/05/summit.html" />
</rdf:Seq></items>
</channel>
<item rdf:about="https://steppe.typepad.com/notes/2008/05/rail.html">
<title>Astana&#8217;s railway &amp; the SCO</title>
<link>https://steppe.typepad.com/notes/2008/05/rail.html</link>
<description>The line opens in June. It carries...</description>
<content:encoded><![CDATA[<p>The line opens in June.</p>
<p><img src="rail.jpg" alt="Rail"> It carries freight.</p>]]></content:encoded>
<dc:subject>Transport</dc:subject>
<dc:subject>Kazakhstan</dc:subject>
<dc:creator>Aigerim Bekova</dc:creator>
<dc:date>2008-05-20T09:12:44+06:00</dc:date>
<enc:enclosure rdf:resource="https://steppe.typepad.com/notes/files/rail.mp3"
  enc:type="audio/mpeg" enc:length="4096"/>
</item>
<item rdf:about="https://steppe.typepad.com/notes/2008/05/summit.html">
<title>Summit notes</title>
<link>https://steppe.typepad.com/notes/2008/05/summit.html</link>
<description>Ministers met in Bishkek.</description>
<dc:creator>Aigerim Bekova</dc:creator>
<dc:date>2008-05-19T14:30:00+06:00</dc:date>
</item>
</rdf:RDF>
"""

RSS091 = """<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
  "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91">
<channel>
<title>Caf&eacute; Dushanbe</title>
<link>http://cafe.example.com/</link>
<description>Old news</description>
<language>en-us</language>
<pubDate>Tue, 30 Nov 2004 09:26:16 -0500</pubDate>
<item>
<title>Caf&eacute; talks&nbsp;in Dushanbe</title>
<link>http://cafe.example.com/000529.html</link>
<description>Tajik and Uzbek delegates talked over coffee.</description>
</item>
<item>
<title>Tea in Tashkent</title>
<link>http://cafe.example.com/000528.html</link>
<description>&lt;p&gt;And then tea.&lt;/p&gt;</description>
</item>
</channel>
</rss>
""".encode("iso-8859-1")

RSS092 = """<?xml version="1.0"?>
<rss version="0.92">
<channel>
<title>Class weblog</title>
<link>http://radio.example.com/</link>
<description>Radio UserLand</description>
<lastBuildDate>Tue, 14 May 2002 15:19:30 GMT</lastBuildDate>
<item>
<description>&lt;P&gt;Welcome to our web log!&lt;/P&gt;</description>
<category>School</category>
<enclosure url="http://radio.example.com/gems/welcome.mp3" length="24986239" type="audio/mpeg"/>
</item>
</channel>
</rss>
"""

RSS090 = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns="http://my.netscape.com/rdf/simple/0.9/">
<channel><title>Old</title><link>http://old.example.com/</link><description>d</description></channel>
<item><title>One</title><link>http://old.example.com/1</link></item>
<item><title>Two</title><link>http://old.example.com/2</link></item>
</rdf:RDF>
"""

PODCAST = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
  xmlns:media="http://search.yahoo.com/mrss/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>Steppe Talk</title>
<link>https://pod.example/</link>
<description>A podcast</description>
<itunes:author>Steppe Talk</itunes:author>
<item>
<title>Episode 1: Astana</title>
<link>https://pod.example/ep/1</link>
<guid>12345</guid>
<pubDate>Mon, 19 May 2008 10:00:00 +0000</pubDate>
<description>The first one.</description>
<itunes:author>Dana Sultan</itunes:author>
<enclosure url="https://cdn.pod.example/ep1.mp3" length="12345678" type="audio/mpeg"/>
<media:content url="https://cdn.pod.example/ep1.mp3" type="audio/mpeg" fileSize="12345678"/>
<media:content url="https://gravatar.example/dana.jpg" medium="image"/>
<itunes:duration>1:02:03</itunes:duration>
</item>
<item>
<title>Episode 2: Bishkek</title>
<link>https://pod.example/ep/2</link>
<guid isPermaLink="false">abc@example</guid>
<pubDate>Tue, 20 May 2008 10:00:00 +0000</pubDate>
<itunes:summary>Only an iTunes summary here.</itunes:summary>
<enclosure url="https://cdn.pod.example/ep2.m4a" length="0" type="audio/x-m4a"/>
<itunes:duration>45:30</itunes:duration>
</item>
<item>
<title>Episode 3: Tashkent</title>
<guid isPermaLink="true">https://pod.example/ep/3</guid>
<pubDate>Wed, 21 May 2008 10:00:00 +0000</pubDate>
<description>Two files.</description>
<enclosure url="https://cdn.pod.example/ep3.mp3" length="3000" type="audio/mpeg"/>
<enclosure url="https://cdn.pod.example/ep3-notes.pdf" length="100" type="not a type"/>
<itunes:duration>3723</itunes:duration>
</item>
<item>
<title>Episode 4: Dushanbe</title>
<link>https://pod.example/ep/4</link>
<guid isPermaLink="false">ep-4</guid>
<pubDate>Thu, 22 May 2008 10:00:00 +0000</pubDate>
<description>Video, and a file we cannot keep.</description>
<enclosure url="ftp://files.pod.example/ep4.mp3" length="10" type="audio/mpeg"/>
<enclosure url="https://cdn.pod.example/ep 4 extra.mp3" type="audio/mpeg"/>
<media:group><media:content url="https://cdn.pod.example/ep4.mp4" type="video/mp4"
  fileSize="999" duration="61"/></media:group>
</item>
</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<title>Atom casts</title><id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
<updated>2008-05-23T09:30:00Z</updated><author><name>Atom Desk</name></author>
<link href="https://atomcast.example/"/>
<entry>
<title>Cast one</title>
<id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
<updated>2008-05-23T09:30:00Z</updated>
<link href="https://atomcast.example/1"/>
<link rel="enclosure" href="https://atomcast.example/1.ogg" type="audio/ogg" length="2048"/>
<link rel="enclosure" href="files/1.pdf" type="application/pdf"/>
<itunes:duration>10:05</itunes:duration>
<content type="html">&lt;p&gt;One, in Almaty.&lt;/p&gt;</content>
</entry>
<entry>
<title>Cast two</title>
<id>cast-two</id>
<updated>2008-05-24T09:30:00Z</updated>
<link href="https://atomcast.example/2"/>
<summary>Two.</summary>
</entry>
</feed>
"""

JSON_FEED = {
    "version": "http://jsonfeed.org/version/1",
    "title": "JSON casts",
    "home_page_url": "https://jsoncast.example/",
    "items": [
        {
            "id": 7,
            "url": "https://jsoncast.example/7",
            "title": "Seven",
            "content_text": "Seven, in Beijing.",
            "date_published": "2008-05-25T10:00:00Z",
            "attachments": [
                {
                    "url": "https://jsoncast.example/7.mp3",
                    "mime_type": "audio/mpeg",
                    "size_in_bytes": 700,
                    "duration_in_seconds": 77,
                },
                {"url": "/7.pdf"},  # relative to the item: no type, guessed
                "not an attachment",
            ],
        },
        {
            "id": "xyz@example",
            "url": "https://jsoncast.example/8",
            "title": "Eight",
            "content_html": "<p>Eight.</p>",
            "date_published": "2008-05-26T10:00:00Z",
        },
    ],
}


def parse(data: str | bytes, name: str) -> FeedImport:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return parse_feed(raw, name, tag_authority=AUTHORITY)


def enclosures(found: FeedImport) -> dict[object, object]:
    return {p.meta.get("id"): p.meta.get("enclosures") for p in found.posts}


# --- each format -----------------------------------------------------------------------------


def test_a_typepad_index_rdf() -> None:
    found = parse(TYPEPAD_RDF, "index.rdf")
    assert found.kind == "RSS 1.0" and found.notes == []
    summit, rail = found.posts  # oldest first
    assert rail.title == "Astana’s railway & the SCO"
    assert rail.date.isoformat() == "2008-05-20T09:12:44+06:00"  # dc:date
    assert rail.meta["id"] == "https://steppe.typepad.com/notes/2008/05/rail.html"  # rdf:about
    assert rail.meta["author"] == "Aigerim Bekova"  # dc:creator
    assert rail.meta["tags"] == ["Transport", "Kazakhstan"]  # dc:subject
    assert rail.meta["summary"] == "The line opens in June. It carries..."
    assert rail.body == (  # content:encoded, its links made absolute against the item's
        "<p>The line opens in June.</p>\n\n"
        '<p><img src="https://steppe.typepad.com/notes/2008/05/rail.jpg" alt="Rail"> '
        "It carries freight.</p>\n"
    )
    assert rail.meta["enclosures"] == [  # mod_enclosure
        {
            "url": "https://steppe.typepad.com/notes/files/rail.mp3",
            "type": "audio/mpeg",
            "length": 4096,
        }
    ]
    assert summit.body == "<p>Ministers met in Bishkek.</p>\n"  # the description, no content
    assert "enclosures" not in summit.meta


def test_rss_091_with_its_dtd_entities_and_no_dates_or_guids() -> None:
    found = parse(RSS091, "rss091.xml")
    assert found.kind == "RSS 0.91"
    tea, cafe = sorted(found.posts, key=lambda p: p.title or "", reverse=True)
    assert cafe.title == "Café talks in Dushanbe"  # &eacute; and &nbsp; of the 0.91 DTD
    assert [p.meta["id"] for p in (cafe, tea)] == [  # no guid: the link is the id
        "http://cafe.example.com/000529.html",
        "http://cafe.example.com/000528.html",
    ]
    assert {p.date.isoformat() for p in found.posts} == {"2004-11-30T09:26:16-05:00"}
    assert found.notes == [
        f"rss091.xml:{line}: item {n}: has no date; dated with the channel's pubDate, "
        "2004-11-30T09:26:16-05:00"
        for n, line in ((1, 11), (2, 16))
    ]
    assert tea.body == "<p>And then tea.</p>\n"


def test_rss_092_an_untitled_item_with_an_enclosure() -> None:
    found = parse(RSS092, "rss092.xml")
    assert found.kind == "RSS 0.92"
    (post,) = found.posts
    assert post.title is None and post.body == "<p>Welcome to our web log!</p>\n"
    assert post.meta["id"] is None  # nothing names it: the store makes its id from the slug
    assert post.meta["tags"] == ["School"]
    assert post.meta["enclosures"] == [
        {
            "url": "http://radio.example.com/gems/welcome.mp3",
            "type": "audio/mpeg",
            "length": 24986239,
        }
    ]


def test_rss_090_has_no_dates_so_nothing_is_imported() -> None:
    with pytest.raises(InputError) as caught:
        parse(RSS090, "rss090.rdf")
    assert [str(p) for p in caught.value.problems] == [
        f"rss090.rdf:{line}: item {n} has no date; give it a <pubDate> such as "
        "Mon, 19 May 2008 14:30:00 +0000"
        for n, line in ((1, 5), (2, 6))
    ]


def test_a_podcast_keeps_its_enclosures_durations_and_guids() -> None:
    found = parse(PODCAST, "podcast.rss")
    assert found.kind == "RSS 2.0"
    assert enclosures(found) == {
        # The guid as written (no isPermaLink: still "12345", not a URL made of it); the
        # Media RSS copy of the enclosure once; the author's picture no enclosure.
        "12345": [
            {
                "url": "https://cdn.pod.example/ep1.mp3",
                "type": "audio/mpeg",
                "length": 12345678,
                "duration": 3723,
            }
        ],
        # length="0" means unknown; the type as given.
        "abc@example": [
            {"url": "https://cdn.pod.example/ep2.m4a", "type": "audio/x-m4a", "duration": 2730}
        ],
        # Two enclosures, both kept; a type that is none left for the store to guess.
        "https://pod.example/ep/3": [
            {
                "url": "https://cdn.pod.example/ep3.mp3",
                "type": "audio/mpeg",
                "length": 3000,
                "duration": 3723,
            },
            {"url": "https://cdn.pod.example/ep3-notes.pdf", "length": 100},
        ],
        # ftp: left out with a note; a space escaped; Media RSS video with its own duration.
        "ep-4": [
            {"url": "https://cdn.pod.example/ep%204%20extra.mp3", "type": "audio/mpeg"},
            {
                "url": "https://cdn.pod.example/ep4.mp4",
                "type": "video/mp4",
                "length": 999,
                "duration": 61,
            },
        ],
    }
    one, two, three, _ = found.posts
    assert one.meta["author"] == "Dana Sultan"  # itunes:author
    assert two.body == "<p>Only an iTunes summary here.</p>\n"
    assert three.url == "https://pod.example/ep/3"  # a permalink guid is the link
    assert found.notes == [
        "podcast.rss:39: item 4: the enclosure 'ftp://files.pod.example/ep4.mp3' is left out: "
        "url 'ftp://files.pod.example/ep4.mp3' must be an http(s) URL without spaces or quotes "
        "(write a space as %20), or a path on this site such as media/episode-1.mp3"
    ]


def test_atom_enclosure_links() -> None:
    found = parse(ATOM, "atom.xml")
    assert enclosures(found) == {
        "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a": [
            {
                "url": "https://atomcast.example/1.ogg",
                "type": "audio/ogg",
                "length": 2048,
                "duration": 605,
            },
            {"url": "https://atomcast.example/files/1.pdf", "type": "application/pdf"},
        ],
        "cast-two": None,  # an Atom id that is no IRI, kept as it is
    }


@pytest.mark.parametrize(
    "version",
    [
        "http://jsonfeed.org/version/1",
        "https://jsonfeed.org/version/1",
        "https://jsonfeed.org/version/1.1",
        "http://jsonfeed.org/version/1.1/",
    ],
)
def test_json_feed_version_urls(version: str) -> None:
    found = parse(json.dumps({**JSON_FEED, "version": version}), "feed.json")
    assert found.kind == (
        "JSON Feed 1.0" if version.rstrip("/").endswith("/1") else "JSON Feed 1.1"
    )
    assert enclosures(found) == {
        "7": [  # a number, coerced to a string as JSON Feed says
            {
                "url": "https://jsoncast.example/7.mp3",
                "type": "audio/mpeg",
                "length": 700,
                "duration": 77,
            },
            {"url": "https://jsoncast.example/7.pdf"},
        ],
        "xyz@example": None,
    }


# --- imported, built, read back --------------------------------------------------------------


@pytest.fixture
def site(importing_site: Path) -> Path:
    return importing_site


def scofeed(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_every_format_imported_built_and_read_back_with_its_ids(
    site: Path,
    server: Server,  # noqa: F811
) -> None:
    feeds = site / "old"
    feeds.mkdir()
    files = {
        "index.rdf": TYPEPAD_RDF.encode(),
        "rss091.xml": RSS091,
        "rss092.xml": RSS092.encode(),
        "atom.xml": ATOM.encode(),
        "feed.json": json.dumps(JSON_FEED).encode(),
    }
    for name, data in files.items():
        (feeds / name).write_bytes(data)
        result = scofeed("import", "feed", str(feeds / name))
        assert result.exit_code == 0, (name, result.stderr)
    # The podcast from a real HTTP server on 127.0.0.1.
    server.routes["/podcast.rss"] = (200, {"Content-Type": "application/rss+xml"}, PODCAST.encode())
    result = scofeed("import", "feed", "--allow-private", f"{server.url}/podcast.rss")
    assert result.exit_code == 0, result.stderr
    assert "scofeed: 4 entries in the RSS 2.0 feed\n" in result.stderr

    def built() -> dict[str, bytes]:
        build = run_cli("build", "--now", "2026-01-01T00:00:00+00:00", cwd=site)
        assert build.returncode == 0, build.stderr
        out = site / "output"
        return {name: (out / name).read_bytes() for name in ("rss.xml", "atom.xml", "feed.json")}

    first = built()
    checked = run_cli("validate", "output/rss.xml", "output/atom.xml", cwd=site)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 error(s)" in checked.stderr

    old_ids = {
        "https://steppe.typepad.com/notes/2008/05/rail.html",
        "https://steppe.typepad.com/notes/2008/05/summit.html",
        "http://cafe.example.com/000529.html",
        "http://cafe.example.com/000528.html",
        "12345",
        "abc@example",
        "https://pod.example/ep/3",
        "ep-4",
        "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a",
        "cast-two",
        "7",
        "xyz@example",
    }
    rss = feedparser.parse(first["rss.xml"])
    assert not rss.bozo
    rss_entries = {e.id: e for e in rss.entries}
    assert old_ids <= set(rss_entries)  # RSS: the guids as they were
    assert len(rss.entries) == len(old_ids) + 1  # and the untitled 0.92 item, with an id made
    json_items = {i["id"]: i for i in json.loads(first["feed.json"])["items"]}
    assert old_ids <= set(json_items)  # JSON Feed: the same
    atom = feedparser.parse(first["atom.xml"])
    assert not atom.bozo
    atom_ids = {e.id for e in atom.entries}
    # Atom: an IRI as it was, any other id as an IRI made of it.
    assert "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a" in atom_ids
    assert "https://pod.example/ep/3" in atom_ids
    assert {
        "tag:example.org,2005:guid/12345",
        "tag:example.org,2005:guid/abc%40example",
        "tag:example.org,2005:guid/cast-two",
        "tag:example.org,2005:guid/7",
    } <= atom_ids
    # Enclosures in every format.
    assert rss_entries["12345"].enclosures == [
        {"href": "https://cdn.pod.example/ep1.mp3", "length": "12345678", "type": "audio/mpeg"}
    ]
    assert rss_entries["12345"].itunes_duration == "3723"
    assert [e["href"] for e in rss_entries["ep-4"].enclosures] == [  # RSS: the first only
        "https://cdn.pod.example/ep%204%20extra.mp3"
    ]
    atom_entry = next(e for e in atom.entries if e.id == "tag:example.org,2005:guid/ep-4")
    assert [link.href for link in atom_entry.links if link.rel == "enclosure"] == [
        "https://cdn.pod.example/ep%204%20extra.mp3",
        "https://cdn.pod.example/ep4.mp4",
    ]
    assert [a["url"] for a in json_items["ep-4"]["attachments"]] == [
        "https://cdn.pod.example/ep%204%20extra.mp3",
        "https://cdn.pod.example/ep4.mp4",
    ]
    with reader.make_reader(":memory:", feed_root=str(site / "output")) as client:
        for name in ("rss.xml", "atom.xml", "feed.json"):
            client.add_feed(f"file:{name}")
        client.update_feeds()
        counts = {}
        for feed in client.get_feeds():
            assert feed.last_exception is None, (feed.url, feed.last_exception)
            entries = list(client.get_entries(feed=feed))
            counts[feed.url] = sum(len(e.enclosures) for e in entries)
    # RSS one a post (8 posts have one or more); Atom and JSON every one (12).
    assert counts == {"file:rss.xml": 8, "file:atom.xml": 12, "file:feed.json": 12}
    # Built again after a change elsewhere: the same ids (Atom's made ones too).
    (site / "posts" / "2026-01-01-new.md").write_text("---\ndate: 2025-12-31\n---\n\nNew.\n")
    again = feedparser.parse(built()["atom.xml"])
    assert atom_ids < {e.id for e in again.entries}
