"""`scofeed import feed`: RSS 2.0, Atom 1.0 and JSON Feed -> posts that keep their entry ids."""

from __future__ import annotations

import codecs
import http.server
import json
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner, Result
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scofeed.cli import main
from scofeed.config import load_config
from scofeed.errors import InputError, NotAFeedError
from scofeed.importers import feed as feed_module
from scofeed.importers.feed import FeedImport, parse_feed
from scofeed.importers.feed.common import document_kind, id_problem
from scofeed.importers.feed.json import JsonReader
from scofeed.importers.feed.xml import XmlReader
from scofeed.importers.html import fold, markdown_from_html, text_to_html
from scofeed.importers.model import NewPost
from scofeed.importers.writing import write_posts
from scofeed.posts.post import Post, parse_post
from scofeed.posts.slugs import slug_from_filename
from scofeed.posts.store import load_posts
from scofeed.posts.text import render_html
from scofeed.site.layout import permalink_path
from scofeed.validate import validate_bytes

from conftest import run_cli, serving

DATA = Path(__file__).parent / "data" / "import-feed"
MT = Path(__file__).parent / "data" / "mt"
AUTHORITY = "example.org,2005"
FILE_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}-[\w-]+\.md$")


@pytest.fixture
def site(importing_site: Path) -> Path:
    return importing_site


def scofeed(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def parse(name: str) -> FeedImport:
    return parse_feed((DATA / name).read_bytes(), name, tag_authority=AUTHORITY)


def read(path: Path) -> Post:
    post = parse_post(path.read_bytes(), path.name, slug=slug_from_filename(path.name), tz=UTC)
    assert isinstance(post, Post), post
    return post


# --- a real HTTP server on 127.0.0.1 ---------------------------------------------------------


@dataclass
class Server:
    url: str
    routes: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    delay: float = 0.0


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(self.path)
            if state.delay:
                time.sleep(state.delay)
            status, headers, body = state.routes.get(self.path, (404, {}, b"not here"))
            try:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serving(Handler) as url:
        state.url = url
        yield state


# --- RSS 2.0 ---------------------------------------------------------------------------------


def test_a_wordpress_feed() -> None:
    found = parse("wordpress.rss")
    assert found.kind == "RSS 2.0" and found.notes == []
    bishkek, astana = found.posts  # oldest first
    assert astana.title == "Astana’s new railway & the SCO"
    assert astana.date == datetime(2008, 5, 20, 9, 12, 44, tzinfo=UTC)
    assert astana.meta == {
        "updated": None,
        "author": "Aigerim Bekova",  # dc:creator
        "tags": ["Transport", "Kazakhstan"],
        "summary": "The railway from Astana to the border opens in June. It carries … […]",
        "comments": 3,  # slash:comments
        "id": "https://old.example.org/?p=101",  # the guid, isPermaLink="false" or not
    }
    # content:encoded is the body: relative links absolute against the old post's address, a
    # blank line inside <pre> kept, Markdown characters left alone.
    assert astana.body == (
        "<p>The railway from Astana to the border opens in June.</p>\n\n"
        '<p><img src="https://old.example.org/wp-content/uploads/2008/05/rail.jpg" '
        'alt="The line"> It carries *freight* first.</p>\n\n'
        "<pre>km  0  Astana\n&#10;km 90  border</pre>\n\n"
        '<script>alert("x")</script>\n'
    )
    assert bishkek.date == datetime(2008, 5, 19, 14, 30, tzinfo=timezone(timedelta(hours=6)))
    assert bishkek.meta["id"] == "https://old.example.org/?p=99"
    assert bishkek.meta["comments"] == 0


def test_imported_html_renders_sanitised_and_whole(site: Path) -> None:
    assert scofeed("import", "feed", str(DATA / "wordpress.rss")).exit_code == 0
    post = read(site / "posts" / "2008-05-20-astana-s-new-railway-the-sco.md")
    html = render_html(post, "https://example.org/sco/2008/05/astana.html")
    assert "<script" not in html and "alert" not in html  # the store sanitises
    assert "<pre>km  0  Astana\n\nkm 90  border</pre>" in html
    assert "*freight*" in html


def test_imported_text_showing_template_tags_is_shown_not_run(tmp_path: Path) -> None:
    # A post about Jekyll or Hugo, imported from a feed's HTML: its `{%` and `{{` are text.
    html = (
        "<p>Write {% raw %} and {{ site.url }}, or {{< figure >}}.</p>"
        '<pre>{%- if x -%}{{x}}{% endif %}</pre><p><a href="/t?q={{x}}">q</a></p>'
    )
    post = NewPost(date=datetime(2008, 5, 19, tzinfo=UTC), body=markdown_from_html(html))
    write_posts([post], tmp_path, tz=UTC, shown_from=tmp_path)
    (stored,), problems = load_posts(tmp_path, tz=UTC)
    assert problems == []
    shown = render_html(stored, "https://example.org/sco/2008/05/x.html")
    assert "<p>Write {% raw %} and {{ site.url }}, or {{&lt; figure &gt;}}.</p>" in shown
    assert "<pre>{%- if x -%}{{x}}{% endif %}</pre>" in shown
    assert 'href="https://example.org/t?q={{x}}"' in shown


def test_an_rss_feed_without_guids_keeps_links_as_ids() -> None:
    found = parse("no-guid.rss")
    cafe, brief = found.posts
    assert cafe.title == "Café talks in Dushanbe"  # ISO-8859-1, decoded by the XML parser
    assert cafe.meta["id"] == "http://plain.example.com/news/cafe-talks.html"
    assert cafe.meta["author"] == "Farrukh Nazarov"  # from "address (Name)"
    assert cafe.body == (
        "<p>Tajik and Uzbek delegates talked over coffee. "
        '<a href="http://plain.example.com/news/more.html">More</a></p>\n'
    )
    assert brief.title is None  # untitled: the store derives one; the slug comes from it
    assert brief.slug == "A brief without a title."
    assert brief.date == datetime(2008, 5, 22, 10, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert brief.meta["id"] == "http://plain.example.com/news/brief.html"


# --- Atom 1.0 and JSON Feed ------------------------------------------------------------------


def test_an_atom_feed() -> None:
    found = parse("atom.xml")
    assert found.kind == "Atom 1.0"
    assert found.notes == [
        "the feed holds the id tag:atom.example.net,2008:entry-3 twice; the later update is kept"
    ]
    tashkent, plain, versions = found.posts
    assert tashkent.title == "Tashkent and Samarkand"  # type="html" title as text
    assert tashkent.date == datetime(2008, 5, 22, 10, tzinfo=timezone(timedelta(hours=5)))
    assert tashkent.meta == {
        "updated": datetime(2008, 5, 23, 9, 30, tzinfo=timezone(timedelta(hours=5))),
        "author": "Atom Desk",  # the feed's author, for entries without one
        "tags": ["Uzbekistan", "travel"],  # label, else term
        "summary": "Two cities, one week.",
        "comments": 5,  # <link rel="replies" thr:count>
        "id": "tag:atom.example.net,2008:entry-1",
    }
    assert tashkent.body == (  # xhtml content, links resolved against xml:base
        "<p>Two cities in <strong>Uzbekistan</strong>, one week.</p>\n\n"
        '<p><a href="https://atom.example.net/blog/tashkent/map.html">Map</a></p>\n'
    )
    assert plain.title == "Plain <text> title & more"  # type="text": characters, not markup
    assert plain.date == datetime(2008, 5, 24, 8, tzinfo=UTC)  # no published: updated
    assert plain.meta["comments"] == 2  # thr:total
    assert plain.meta["author"] == "Guest Writer"
    assert plain.body == (
        "<p>Text content with *stars* and &lt;tags&gt;.</p>\n\n"
        "<p>A second paragraph in Beijing.</p>\n"
    )
    assert versions.title == "New version of an entry"
    assert versions.body == "<p>Second version, about Moscow.</p>\n"


def test_json_feeds_1_1_and_1_0() -> None:
    found = parse("feed.json")
    assert found.kind == "JSON Feed 1.1"
    islamabad, delhi = found.posts
    assert islamabad.title == "Islamabad applies"
    assert islamabad.meta == {
        "updated": datetime(2008, 5, 27, 7, tzinfo=timezone(timedelta(hours=5))),
        "author": "Sana Iqbal, Omar Khan",
        "tags": ["membership", "Pakistan"],
        "summary": "Pakistan applies.",
        "comments": None,
        "id": "https://json.example.com/2008/05/islamabad",
    }
    assert 'src="https://json.example.com/img/flag.png"' in islamabad.body
    # content_text is text: every character escaped, paragraphs kept.
    assert delhi.body == (
        "<p>New Delhi watches.</p>\n\n"
        "<p>India is an observer; *no markup* here &amp; &lt;none&gt;.</p>\n"
    )
    assert delhi.meta["author"] == "JSON Desk"
    # An id that is no URI is kept as it is: the JSON and RSS feeds carry it so, Atom an IRI
    # made of it (`scofeed.site.entries.atom_id`).
    assert delhi.meta["id"] == "2"
    assert found.notes == []
    old = parse("feed-1.0.json")
    assert old.kind == "JSON Feed 1.0"
    (entry,) = old.posts
    assert entry.meta["author"] == "Bat Erdene"  # 1.0's "author" object
    assert entry.meta["id"] == "7"  # a number, as JSON Feed says: coerced to a string


# --- idempotent, ids as identity -------------------------------------------------------------


def test_importing_again_adds_and_changes_nothing(site: Path) -> None:
    for name in ("wordpress.rss", "atom.xml", "feed.json"):
        assert scofeed("import", "feed", str(DATA / name)).exit_code == 0
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (site / "posts").iterdir()}
    assert len(before) == 7
    for name in ("wordpress.rss", "atom.xml", "feed.json"):
        again = scofeed("import", "feed", str(DATA / name))
        assert again.exit_code == 0
        assert " 0 created, 0 overwritten, " in again.stderr
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (site / "posts").iterdir()}
    assert after == before


def test_an_entry_changed_upstream_is_the_same_post_by_its_id(site: Path) -> None:
    assert scofeed("import", "feed", str(DATA / "wordpress.rss")).exit_code == 0
    changed = site / "changed.rss"
    changed.write_text(
        (DATA / "wordpress.rss")
        .read_text()
        .replace("Bishkek hosts the ministers", "Bishkek hosted the ministers")
        .replace("lasted two days", "lasted three days")
    )
    refused = scofeed("import", "feed", str(changed))
    assert refused.exit_code == 1
    assert (
        "refused posts/2008-05-19-bishkek-hosts-the-ministers.md: differs from the import; "
        "--force overwrites it\n" in refused.stderr
    )
    forced = scofeed("import", "feed", str(changed), "--force")
    assert forced.exit_code == 0
    assert forced.stdout == (
        "overwrote posts/2008-05-19-bishkek-hosts-the-ministers.md\n"
        "skipped posts/2008-05-20-astana-s-new-railway-the-sco.md (already imported)\n"
    )
    post = read(site / "posts" / "2008-05-19-bishkek-hosts-the-ministers.md")
    assert post.title == "Bishkek hosted the ministers"
    assert post.slug == "bishkek-hosts-the-ministers"  # the file and its slug stay
    assert post.id == "https://old.example.org/?p=99"


def _new(title: str, body: str = "Text.", **meta: object) -> NewPost:
    return NewPost(date=datetime(2008, 5, 19, 12, tzinfo=UTC), body=body, title=title, meta=meta)


def test_two_entries_with_one_title_and_day_but_two_ids_are_two_posts(tmp_path: Path) -> None:
    posts = [_new("Daily notes", id="urn:x:1"), _new("Daily notes", "Other.", id="urn:x:2")]
    first = write_posts(posts, tmp_path, tz=UTC, shown_from=tmp_path)
    assert first.created == ["2008-05-19-daily-notes.md", "2008-05-19-daily-notes-2.md"]
    again = write_posts(reversed(posts), tmp_path, tz=UTC, shown_from=tmp_path)
    assert again.skipped == ["2008-05-19-daily-notes-2.md", "2008-05-19-daily-notes.md"]


def test_an_id_once_written_is_kept_when_a_post_without_one_overwrites_it(tmp_path: Path) -> None:
    write_posts(
        [_new("Summit", id="https://old.example.org/?p=7")], tmp_path, tz=UTC, shown_from=tmp_path
    )
    report = write_posts(
        [_new("Summit", "New text.")], tmp_path, force=True, tz=UTC, shown_from=tmp_path
    )
    assert report.overwritten == ["2008-05-19-summit.md"]
    text = (tmp_path / "2008-05-19-summit.md").read_text()
    assert "id: 'https://old.example.org/?p=7'" in text and "New text." in text
    again = write_posts([_new("Summit", "New text.")], tmp_path, tz=UTC, shown_from=tmp_path)
    assert again.skipped == ["2008-05-19-summit.md"]


# --- hostile documents -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["xxe.rss", "billion-laughs.rss", "entity-in-attribute.xml"])
def test_documents_that_declare_entities_are_refused(site: Path, name: str) -> None:
    result = scofeed("import", "feed", str(DATA / name))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {DATA / name}: its DOCTYPE declares entities; such a document can read local "
        "files or grow without end, so it is refused; nothing was imported\n"
    )
    assert not (site / "posts").exists()


def test_nothing_a_document_names_is_fetched(site: Path, server: Server) -> None:
    document = f"""<?xml version="1.0"?>
<?xml-stylesheet href="{server.url}/style.xsl" type="text/xsl"?>
<!DOCTYPE rss SYSTEM "{server.url}/evil.dtd">
<rss version="2.0" xmlns:xi="http://www.w3.org/2001/XInclude"><channel>
<title>t</title><link>{server.url}/</link><description>d</description>
<item><title>Fetch nothing</title><guid>{server.url}/1</guid>
<pubDate>Mon, 19 May 2008 00:00:00 +0000</pubDate>
<xi:include href="{server.url}/include.xml"/>
<description>&lt;img src="{server.url}/pixel.gif"&gt;
&lt;iframe src="{server.url}/frame"&gt;&lt;/iframe&gt;</description>
</item></channel></rss>
"""
    path = site / "remote-bits.rss"
    path.write_text(document)
    result = scofeed("import", "feed", str(path))
    assert result.exit_code == 0, result.stderr
    assert server.requests == []
    server.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, document.encode())
    result = scofeed("import", "feed", "--allow-private", f"{server.url}/feed.xml")
    assert result.exit_code == 0, result.stderr
    assert server.requests == ["/feed.xml"]


def test_documents_over_the_size_cap_are_refused(
    site: Path, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed_module, "MAX_FEED_BYTES", 1000)
    big = (DATA / "wordpress.rss").read_bytes()
    assert len(big) > 1000
    result = scofeed("import", "feed", str(DATA / "wordpress.rss"))
    assert result.exit_code == 2  # as from a URL: too big to read is "could not run"
    assert result.stderr == (
        f"Error: {DATA / 'wordpress.rss'}: {len(big):,} bytes is over the 1,000 bytes a feed may "
        "have; import it in parts\n"
    )
    server.routes["/big.xml"] = (200, {}, big)
    result = scofeed("import", "feed", "--allow-private", f"{server.url}/big.xml")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {server.url}/big.xml: {len(big):,} bytes is over the 1,000 bytes a feed may have\n"
    )
    assert not (site / "posts").exists()


def test_hostile_titles_make_safe_file_names(site: Path) -> None:
    result = scofeed("import", "feed", str(DATA / "hostile-titles.json"))
    assert result.exit_code == 0, result.stderr
    written = sorted(p for p in site.rglob("*.md"))
    assert [p.parent for p in written] == [site / "posts"] * 7
    assert all(FILE_NAME.match(p.name) for p in written)
    assert sorted(p.name for p in written) == [
        "2008-05-19-a-b.md",
        "2008-05-19-abs.md",
        "2008-05-19-etc-passwd.md",
        "2008-05-19-nulbyte.md",
        "2008-05-19-post-2.md",
        "2008-05-19-post.md",
        "2008-05-19-" + "x" * 60 + ".md",
    ]
    posts, problems = load_posts(site / "posts", tz=UTC)
    assert problems == []
    assert {p.title for p in posts} >= {"../../etc/passwd", "/abs", "..", "NULbyte", "x" * 500}
    again = scofeed("import", "feed", str(DATA / "hostile-titles.json"))
    assert again.stderr.endswith("0 created, 0 overwritten, 7 skipped, 0 refused\n")


# --- what is not a feed, and feeds with errors -----------------------------------------------


def test_malformed_xml_says_where(site: Path) -> None:
    path = DATA / "not-well-formed.rss"
    result = scofeed("import", "feed", str(path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}: not well-formed XML; nothing was imported\n"
        f"  {path}:7: Opening and ending tag mismatch: b line 7 and description, line 7, "
        "column 53; fix the feed or ask its publisher to\n"
    )


def test_every_bad_date_is_reported_and_nothing_written(site: Path) -> None:
    path = DATA / "bad-dates.rss"
    result = scofeed("import", "feed", str(path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}: 2 problems in the feed; nothing was imported\n"
        f'  {path}:15: item 2: pubDate "yesterday afternoon" does not parse; write it as RFC '
        "822, such as Mon, 19 May 2008 14:30:00 +0000\n"
        f"  {path}:17: item 3 has no date; give it a <pubDate> such as Mon, 19 May 2008 "
        "14:30:00 +0000\n"
    )
    assert not (site / "posts").exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "page.html",
            "is an HTML page, not a feed; give the address of its feed, found in the page's "
            '<link rel="alternate" type="application/rss+xml"> element',
        ),
        (
            "rdf.xml",
            "the root element is <RDF> in http://www.w3.org/1999/02/22-rdf-syntax-ns#, not an "
            "RSS <rss>, an RSS 1.0 <rdf:RDF> with a channel, or an Atom 1.0 <feed>",
        ),
        (
            "not-a-feed.json",
            'JSON without a "version" of https://jsonfeed.org/version/1.1 (or /1), so not a '
            "JSON Feed",
        ),
        ("missing.xml", "no such file or folder"),
    ],
)
def test_what_is_no_feed_could_not_run(site: Path, name: str, message: str) -> None:
    result = scofeed("import", "feed", str(DATA / name))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {DATA / name}: {message}\n"


# --- URLs ------------------------------------------------------------------------------------


def test_a_feed_from_a_url(site: Path, server: Server) -> None:
    server.routes["/old-feed"] = (301, {"Location": "/feed.json"}, b"")
    server.routes["/feed.json"] = (
        200,
        {"Content-Type": "application/feed+json"},
        (DATA / "feed.json").read_bytes(),
    )
    result = scofeed("import", "feed", "--allow-private", f"{server.url}/old-feed")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "created posts/2008-05-26-islamabad-applies.md\n"
        "created posts/2008-05-27-new-delhi-watches.md\n"
    )
    assert server.requests == ["/old-feed", "/feed.json"]


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ((404, {}, b"gone"), "the server answered HTTP 404 Not Found"),
        ((302, {"Location": "file:///etc/passwd"}, b""), "redirects to file:///etc/passwd"),
    ],
)
def test_urls_that_give_no_feed_could_not_run(
    site: Path, server: Server, route: tuple[int, dict[str, str], bytes], message: str
) -> None:
    server.routes["/feed.xml"] = route
    result = scofeed("import", "feed", "--allow-private", f"{server.url}/feed.xml")
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stderr.startswith(f"Error: {server.url}/feed.xml: ")


def test_a_slow_server_times_out(site: Path, server: Server) -> None:
    server.delay = 1.0
    result = scofeed(
        "import", "feed", "--allow-private", f"{server.url}/feed.xml", "--timeout", "0.2"
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {server.url}/feed.xml: no answer within 0.2 s; try --timeout\n"
    )


def test_only_http_urls(site: Path) -> None:
    result = scofeed("import", "feed", "ftp://example.org/feed.xml")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: ftp://example.org/feed.xml: only http:// and https:// URLs can be fetched\n"
    )


# --- end to end: imported, built, read back by a feed reader ---------------------------------


def test_imports_build_into_feeds_a_reader_reads_with_the_old_ids(site: Path) -> None:
    assert (
        scofeed("import", "mt", str(MT / "typepad.txt"), "--category", "SCO (RTG)").exit_code == 0
    )
    for name in ("wordpress.rss", "atom.xml", "feed.json"):
        assert scofeed("import", "feed", str(DATA / name)).exit_code == 0
    build = run_cli("build", "--now", "2026-01-01T00:00:00+00:00", cwd=site)
    assert build.returncode == 0, build.stderr
    old_ids = {
        "https://old.example.org/?p=101",
        "https://old.example.org/?p=99",
        "tag:atom.example.net,2008:entry-1",
        "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a",
        "tag:atom.example.net,2008:entry-3",
        "https://json.example.com/2008/05/islamabad",
    }
    for name in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse((site / "output" / name).read_bytes())
        assert not parsed.bozo, parsed.get("bozo_exception")
        entries = {e.id: e for e in parsed.entries}
        assert old_ids <= set(entries)
        # An id that is no IRI: as it was in RSS, an IRI made of it in Atom.
        assert ("2" if name == "rss.xml" else "tag:example.org,2005:guid/2") in entries
        titles = {e.title for e in parsed.entries}
        assert "Ministers meet in Almaty & agree a road map" in titles  # from the MT export
        assert "Summit programme (scheduled)" not in titles  # dated 2030
        assert not any(t.startswith("Russian Federation will lead") for t in titles)  # a draft
        assert len(parsed.entries) == 8
        astana = entries["https://old.example.org/?p=101"]
        assert astana.title == "Astana’s new railway & the SCO"
        assert "rail.jpg" in astana.content[0].value and "alert" not in astana.content[0].value
    rss = feedparser.parse((site / "output" / "rss.xml").read_bytes())
    comments = {e.id: e.get("slash_comments") for e in rss.entries}
    assert comments["https://old.example.org/?p=101"] == "3"
    kazakhstan = feedparser.parse(
        (site / "output" / "countries" / "kazakhstan" / "atom.xml").read_bytes()
    )
    assert not kazakhstan.bozo
    assert "https://old.example.org/?p=101" in {e.id for e in kazakhstan.entries}


def test_help_shows_an_example() -> None:
    result = CliRunner().invoke(main, ["import", "feed", "--help"])
    assert result.exit_code == 0
    assert "  Example:\n    scofeed import feed https://" in result.output


# --- write_posts: any title, a file inside posts/ --------------------------------------------


@settings(max_examples=80, deadline=None)
@given(title=st.text(max_size=600), body=st.text(max_size=200))
@example(title="", body="{%")  # text that only shows a Liquid tag's opening
def test_any_title_gives_one_safe_file_the_store_reads(title: str, body: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        posts_dir = Path(folder) / "posts"
        post = NewPost(
            date=datetime(2008, 5, 19, tzinfo=UTC),
            body=markdown_from_html(text_to_html(body)) or "Text.\n",
            title=fold(title) or None,
        )
        report = write_posts([post], posts_dir, tz=UTC, shown_from=Path(folder))
        (name,) = report.created
        written = [p for p in Path(folder).rglob("*") if p.is_file()]
        assert [p.parent for p in written] == [posts_dir]
        assert FILE_NAME.match(written[0].name) and name == f"posts/{written[0].name}"
        posts, problems = load_posts(posts_dir, tz=UTC)
        assert problems == []
        assert posts[0].title == post.title
        again = write_posts([post], posts_dir, tz=UTC, shown_from=Path(folder))
        assert again.skipped == report.created


def test_a_file_the_store_cannot_read_is_never_replaced(tmp_path: Path) -> None:
    unreadable = tmp_path / "2008-05-19-summit.md"
    unreadable.write_bytes(b"---\ntitle: Summit\ndate: 2008-05-19\n---\n\n\xff\xfe broken\n")
    report = write_posts([_new("Summit")], tmp_path, tz=UTC, shown_from=tmp_path)
    assert report.created == ["2008-05-19-summit-2.md"]
    assert unreadable.read_bytes().endswith(b"\xff\xfe broken\n")


def test_an_item_without_pubdate_takes_the_channels_date(site: Path) -> None:
    result = scofeed("import", "feed", str(DATA / "undated-items.rss"))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(
        f"note: {DATA / 'undated-items.rss'}:8: item 1: has no date; dated with the "
        "channel's lastBuildDate, 2008-05-23T12:00:00+00:00\n"
    )
    assert result.stdout == "created posts/2008-05-23-dated-by-the-channel.md\n"


def test_an_updated_date_before_the_published_one_is_left_out() -> None:
    document = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:f</id>
<updated>2008-05-19T00:00:00Z</updated><entry><title>e</title><id>urn:e</id>
<published>2008-05-19T12:00:00Z</published><updated>2008-05-18T00:00:00Z</updated>
<content type="text">x</content></entry></feed>"""
    (post,) = parse_feed(document, "f.xml", tag_authority=AUTHORITY).posts
    assert post.date == datetime(2008, 5, 19, 12, tzinfo=UTC)
    assert post.meta["updated"] is None


# --- UTF-16 and UTF-32, long numbers, unsafe ids (issue 13) ----------------------------------
#
# The twins of wordpress.rss, atom.xml and feed.json were made from them: the same text (with the
# declaration naming the encoding, and one character reference written as its character),
# encoded with codecs.BOM_* + text.encode("utf-16-le") and so on.

TWINS = [
    ("wordpress-utf16le-bom.rss", "wordpress.rss"),
    ("wordpress-utf16be-bom.rss", "wordpress.rss"),
    ("wordpress-utf32le-bom.rss", "wordpress.rss"),
    ("atom-utf16be-no-bom.xml", "atom.xml"),
    ("atom-utf16le-no-bom.xml", "atom.xml"),
    ("feed-utf16le-bom.json", "feed.json"),
    ("feed-utf32be-bom.json", "feed.json"),
]
# What parse_feed needs from scofeed/importers/feed/__init__.py before it reads these: to pick
# its reader with common.document_kind (the head decoded as detect_codec says), not by the
# first byte. UTF-16 LE without a byte order mark starts with "<" and is read already.


def _read_as_parse_feed_will(data: bytes, source: str) -> FeedImport:
    reader = JsonReader if document_kind(data, source) == "json" else XmlReader
    return reader(source, None, AUTHORITY).parse(data)


@pytest.mark.parametrize(("twin", "original"), TWINS)
def test_utf16_and_utf32_feeds_give_the_posts_of_their_utf8_twins(twin: str, original: str) -> None:
    data = (DATA / twin).read_bytes()
    assert document_kind(data, twin) == ("json" if twin.endswith(".json") else "xml")
    # The same source name for both, so that the notes are comparable too.
    found = _read_as_parse_feed_will(data, "feed")
    expected = _read_as_parse_feed_will((DATA / original).read_bytes(), "feed")
    assert found == expected
    assert len(found.posts) >= 2


@pytest.mark.parametrize(("twin", "original"), [t for t in TWINS if not t[0].endswith(".json")])
def test_the_validator_reads_the_xml_twins_as_it_reads_the_originals(
    twin: str, original: str
) -> None:
    def findings(name: str) -> list[tuple[int, str, str]]:
        return [
            (f.line, f.rule, f.message) for f in validate_bytes((DATA / name).read_bytes(), name)
        ]

    assert findings(twin) == findings(original)


@pytest.mark.parametrize(
    "twin",
    [pytest.param(name, marks=[]) for name, _ in TWINS],
)
def test_parse_feed_reads_utf16_and_utf32(twin: str) -> None:
    original = dict(TWINS)[twin]
    found = parse_feed((DATA / twin).read_bytes(), "feed", tag_authority=AUTHORITY)
    assert found == parse_feed((DATA / original).read_bytes(), "feed", tag_authority=AUTHORITY)


def test_a_line_in_a_utf16_feed_is_the_line_of_its_twin() -> None:
    text = (DATA / "bad-dates.rss").read_text(encoding="utf-8")
    twin = codecs.BOM_UTF16_BE + re.sub('encoding="[^"]+"', 'encoding="UTF-16"', text).encode(
        "utf-16-be"
    )
    with pytest.raises(InputError) as utf16:
        _read_as_parse_feed_will(twin, "feed")
    with pytest.raises(InputError) as utf8:
        _read_as_parse_feed_will(text.encode("utf-8"), "feed")
    assert utf16.value.problems == utf8.value.problems
    assert utf16.value.problems


def test_json_without_a_byte_order_mark_must_be_utf8() -> None:
    """JSON Feed and RFC 8259 want UTF-8; UTF-16 or UTF-32 is read only with the byte order mark
    that says which (above); without one it is refused, not guessed at."""
    with pytest.raises(InputError) as caught:
        parse("feed-utf16le-no-bom.json")
    assert str(caught.value) == "feed-utf16le-no-bom.json: not UTF-8"
    assert [str(p) for p in caught.value.problems] == [
        "feed-utf16le-no-bom.json:1: is UTF-16 or UTF-32 without a byte order mark; a JSON Feed "
        "must be UTF-8: save it as UTF-8"
    ]


def test_json_in_utf16_that_its_mark_belies_names_its_line() -> None:
    data = codecs.BOM_UTF16_LE + '{\n"version":\n"x"}'.encode("utf-16-le") + b"\x00\xd8"
    with pytest.raises(InputError) as caught:
        _read_as_parse_feed_will(data, "f.json")
    assert [str(p) for p in caught.value.problems] == [
        "f.json:3: is not the UTF-16 its byte order mark says; save it as UTF-8"
    ]


def test_what_is_no_feed_in_utf16_is_still_told() -> None:
    page = codecs.BOM_UTF16_LE + "<!DOCTYPE html><html><body>Hi</body></html>".encode("utf-16-le")
    with pytest.raises(NotAFeedError, match=r"^page\.html: is an HTML page, not a feed; "):
        document_kind(page, "page.html")
    with pytest.raises(NotAFeedError, match=r"^x: neither XML nor JSON, so not a feed$"):
        document_kind(codecs.BOM_UTF16_BE + "hello".encode("utf-16-be"), "x")
    with pytest.raises(NotAFeedError, match=r"^x: neither XML nor JSON, so not a feed$"):
        document_kind(b"", "x")


def test_json_integers_past_pythons_limit_are_values_not_tracebacks(tmp_path: Path) -> None:
    """4,301 digits, in an extension member, as an item's title and as an item's id: Python
    will not turn such a string into an int (sys.get_int_max_str_digits)."""
    found = parse("long-numbers.json")
    digits = "4" * 4301
    by_id, by_title = found.posts
    # JSON Feed: an id that is a number is coerced to a string: its digits, as written.
    made = digits
    assert by_id.meta["id"] == made
    assert by_title.title is None
    (title_note,) = found.notes  # the value quoted short
    assert title_note == (
        'long-numbers.json: item 2: "title" is a number of 4,301 digits, not a string, so it '
        "is left out; write it as a string to keep it"
    )
    report = write_posts(found.posts, tmp_path, tz=UTC, shown_from=tmp_path)
    assert len(report.created) == 2
    posts, problems = load_posts(tmp_path, tz=UTC)
    assert problems == []
    assert sorted(p.id or "" for p in posts) == sorted(
        [made, "https://numbers.example.com/2008/05/title"]
    )
    again = write_posts(parse("long-numbers.json").posts, tmp_path, tz=UTC, shown_from=tmp_path)
    assert again.skipped == report.created


def test_json_members_of_the_wrong_kind_are_left_out_with_a_note() -> None:
    document = b"""{"version": "https://jsonfeed.org/version/1.1", "items": [
      {"id": "urn:x:1", "title": ["a"], "content_html": {"p": 1}, "summary": true,
       "url": 7, "content_text": "Words.", "date_published": "2008-05-19T10:00:00Z"}]}"""
    found = parse_feed(document, "f.json", tag_authority=AUTHORITY)
    (post,) = found.posts
    assert (post.title, post.body) == (None, "<p>Words.</p>\n")
    assert found.notes == [
        f'f.json: item 1: "{key}" is {kind}, not a string, so it is left out; write it as a '
        "string to keep it"
        for key, kind in [
            ("content_html", "an object"),
            ("url", "a number"),
            ("title", "a list"),
            ("summary", "true"),
        ]
    ]


def test_ids_a_reader_would_run_or_open_become_tag_ids(tmp_path: Path) -> None:
    """javascript:, vbscript:, data: and file: ids are not kept: each becomes a `tag:` id, the
    entry is imported, and a note says so. A reader that shows a guid as a link never gets one.
    Ids with characters no URI holds are kept as they are (RSS and JSON carry them as text)."""
    found = parse("hostile-ids.rss")
    ids = [p.meta["id"] for p in sorted(found.posts, key=lambda p: p.date)]
    made = "tag:example.org,2005:imported/hostile.example.org/"
    assert ids == [
        made + "javascript%3Aalert%28document.cookie%29",
        made + "JavaScript%3Aalert%281%29",
        made + "data%3Atext%2Fhtml%3Bbase64%2CPHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg%3D%3D",
        made + "vbscript%3Amsgbox%281%29",
        made + "file%3A%2F%2F%2Fetc%2Fpasswd",
        'https://hostile.example.org/?q="><script>',
        "https://hostile.example.org/100%",
        "https://hostile.example.org/fine?id=1&x=%41",
    ]
    assert found.notes[0] == (
        "hostile-ids.rss:11: item 1: the id 'javascript:alert(document.cookie)' has the scheme "
        "javascript:, which a reader showing it as a link would run or open; it is kept as "
        f"{ids[0]}, so readers may show this entry once more"
    )
    assert [n.split(" has the scheme ")[1].split(",")[0] for n in found.notes] == [
        "javascript:",
        "javascript:",
        "data:",
        "vbscript:",
        "file:",
    ]
    # No post's body links to the guid that was taken for a permalink.
    assert not any("javascript:" in p.body for p in found.posts)
    atom = parse("hostile-ids.atom")
    assert atom.posts[0].meta["id"] == made + "javascript%3Aalert%281%29"
    assert atom.notes == [
        "hostile-ids.atom:8: entry 1: the id 'javascript:alert(1)' has the scheme javascript:, "
        "which a reader showing it as a link would run or open; it is kept as "
        f"{made}javascript%3Aalert%281%29, so readers may show this entry once more"
    ]
    document = b"""{"version": "https://jsonfeed.org/version/1.1", "items": [{"id":
        "javascript:alert(1)", "title": "Script", "date_published": "2008-05-19T10:00:00Z"}]}"""
    json_feed = parse_feed(document, "f.json", tag_authority=AUTHORITY)
    assert (
        json_feed.posts[0].meta["id"]
        == "tag:example.org,2005:imported/feed/javascript%3Aalert%281%29"
    )
    report = write_posts(
        found.posts + atom.posts + json_feed.posts, tmp_path, tz=UTC, shown_from=tmp_path
    )
    posts, problems = load_posts(tmp_path, tz=UTC)
    assert problems == [] and len(posts) == len(report.created) == 10


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("https://example.org/2008/05/x?a=1&b=%41#c", None),
        ("tag:example.org,2008:post-1", None),
        ("urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", None),
        ("https://пример.рф/путь", None),  # an IRI may hold letters that are not ASCII
        ("javascript:alert(1)", "has the scheme javascript:"),
        ("JAVASCRIPT:alert(1)", "has the scheme javascript:"),
        ("vbscript:msgbox(1)", "has the scheme vbscript:"),
        ("data:text/html,hi", "has the scheme data:"),
        ("file:///etc/passwd", "has the scheme file:"),
        # Any other text: RSS guids and JSON ids are often no URI; Atom gets one made of it.
        ("https://example.org/a b", None),
        ("https://example.org/%zz", None),
        ("https://example.org/{x}", None),
        ("https://example.org/\ue000", None),
        ("2", None),
        ("abc@example", None),
        (" javascript:alert(1)", "has the scheme javascript:"),  # as the store reads it, folded
    ],
)
def test_what_an_id_may_be(value: str, why: str | None) -> None:
    problem = id_problem(fold(value))
    if why is None:
        assert problem is None
    else:
        assert problem is not None and problem.startswith(why)


def test_an_undefined_entity_in_xhtml_content_is_no_traceback() -> None:
    found = parse("xhtml-undefined-entity.atom")
    assert [p.body for p in found.posts] == ["<p>SCO\xa0summit</p>\n"]


def test_long_bad_values_are_quoted_short_and_long_counts_are_no_counts() -> None:
    digits = "2" * 5000

    def rss(item: str) -> bytes:
        return (
            '<rss version="2.0" xmlns:slash="http://purl.org/rss/1.0/modules/slash/"><channel>'
            f"<title>t</title><link>https://x.example/</link>\n<item>{item}</item></channel></rss>"
        ).encode()

    with pytest.raises(InputError) as caught:
        parse_feed(
            rss(f"<title>a</title><pubDate>Mon, 19 May {digits} 10:00:00 GMT</pubDate>"),
            "f.rss",
            tag_authority=AUTHORITY,
        )
    assert [str(p) for p in caught.value.problems] == [
        f'f.rss:2: item 1: pubDate "Mon, 19 May {digits[:47]}…" does not parse; write it as RFC '
        "822, such as Mon, 19 May 2008 14:30:00 +0000"
    ]
    item = (
        "<title>b</title><pubDate>Mon, 19 May 2008 10:00:00 GMT</pubDate>"
        f"<slash:comments>{digits}</slash:comments><author>{'a@' * 50_000}</author>"
    )
    (post,) = parse_feed(rss(item), "f.rss", tag_authority=AUTHORITY).posts
    assert post.meta["comments"] is None  # 5,000 digits: no count of comments
    # No "(Name)": the author as written, found in linear time (`\S+@\S+` took quadratic).
    assert post.meta["author"] == "a@" * 50_000


# --- old addresses kept ----------------------------------------------------------------------

BLOG = "https://blog.example.com/sco/"
BUILD_NOW = "2026-01-01T00:00:00Z"

ADDRESSES_ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>SCO (RTG)</title><id>tag:blog.example.com,2008:sco</id>
  <updated>2008-06-01T00:00:00Z</updated>
  <link rel="alternate" type="text/html" href="{BLOG}"/>
  <link rel="self" href="{BLOG}atom.xml"/>
  <entry>
    <title>Ministers meet in Almaty</title><id>tag:blog.example.com,2008:post-1</id>
    <link rel="replies" href="{BLOG}2008/05/ministers_meet_.html#comments"/>
    <link rel="alternate" type="text/html" href="{BLOG}2008/05/ministers_meet_.html"/>
    <published>2008-05-19T10:00:00Z</published><updated>2008-05-19T10:00:00Z</updated>
    <content type="html">&lt;p&gt;The ministers met.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Late news from Bishkek</title><id>tag:blog.example.com,2008:post-2</id>
    <link rel="alternate" type="text/html" href="{BLOG}2008/05/late_news_from_.html"/>
    <published>2008-05-31T22:00:00Z</published><updated>2008-05-31T22:00:00Z</updated>
    <content type="html">&lt;p&gt;Already June in Bishkek.&lt;/p&gt;</content>
  </entry>
</feed>
"""

ADDRESSES_RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
  <title>SCO (RTG)</title><link>{BLOG}</link><description>d</description>
  <item>
    <title>Dushanbe summit</title><link>https://BLOG.example.com/sco/2008/08/dushanbe_summi.html</link>
    <guid isPermaLink="false">post-3</guid>
    <pubDate>Thu, 28 Aug 2008 09:00:00 +0000</pubDate><description>Met in Dushanbe.</description>
  </item>
  <item>
    <title>Elsewhere</title><link>https://sco.typepad.com/blog/2008/08/elsewhere.html</link>
    <pubDate>Fri, 29 Aug 2008 09:00:00 +0000</pubDate><description>Elsewhere.</description>
  </item>
  <item>
    <title>Old archive</title><link>/sco/archives/000124.html</link>
    <pubDate>Sat, 30 Aug 2008 09:00:00 +0000</pubDate><description>Old.</description>
  </item>
</channel></rss>
"""


def test_feed_entry_links_under_base_url_stay_the_posts_addresses(tmp_path: Path) -> None:
    """An Atom and an RSS file on disk, imported and built by the real CLI: each entry's
    link under base_url is its post's permalink, or an alias when the pattern cannot give it."""
    root = tmp_path
    (root / "scofeed.toml").write_text(
        f'base_url = "{BLOG}"\ntimezone = "Asia/Bishkek"\n', encoding="utf-8"
    )
    (root / "old.atom").write_text(ADDRESSES_ATOM, encoding="utf-8")
    (root / "old.rss").write_text(ADDRESSES_RSS, encoding="utf-8")
    atom = run_cli("import", "feed", "old.atom", cwd=root)
    assert atom.returncode == 0, atom.stderr
    assert "scofeed: 2 posts keep their old address: 1 as their permalink, 1 as an alias\n" in (
        atom.stderr
    )
    rss = run_cli("import", "feed", "old.rss", cwd=root)
    assert rss.returncode == 0, rss.stderr
    assert (
        "note: 1 old address (such as https://sco.typepad.com/blog/2008/08/elsewhere.html) is "
        f"not under base_url {BLOG}"
    ) in rss.stderr
    assert "scofeed: 2 posts keep their old address: 1 as their permalink, 1 as an alias\n" in (
        rss.stderr
    )
    built = run_cli("build", "--now", BUILD_NOW, cwd=root)
    assert built.returncode == 0, built.stderr

    config = load_config(root)
    posts, problems = load_posts(config.posts_dir, tz=config.tzinfo)
    assert problems == []
    by_title = {p.title: p for p in posts}
    pages = {title: permalink_path(post, config) for title, post in by_title.items()}
    assert pages["Ministers meet in Almaty"] == "2008/05/ministers_meet_.html"
    assert by_title["Ministers meet in Almaty"].slug == "ministers_meet_"
    assert (root / "output" / "2008/05/ministers_meet_.html").is_file()
    # 22:00 UTC on May 31 is June 1 in Bishkek: the May address is an alias.
    assert pages["Late news from Bishkek"] == "2008/06/late-news-from-bishkek.html"
    assert by_title["Late news from Bishkek"].aliases == ("2008/05/late_news_from_.html",)
    assert (root / "output" / "2008/05/late_news_from_.html").is_file()
    # RSS <link>, the host in any case; a relative link is read against the channel's.
    assert pages["Dushanbe summit"] == "2008/08/dushanbe_summi.html"
    assert by_title["Old archive"].aliases == ("archives/000124.html",)
    assert by_title["Elsewhere"].aliases == ()
    assert pages["Elsewhere"] == "2008/08/elsewhere.html"  # its own slug, by chance the same

    before = {p.name: p.read_bytes() for p in (root / "posts").iterdir()}
    for name in ("old.atom", "old.rss"):
        again = run_cli("import", "feed", name, cwd=root)
        assert again.returncode == 0 and "created" not in again.stdout
    assert {p.name: p.read_bytes() for p in (root / "posts").iterdir()} == before


def test_a_json_feed_item_url_under_base_url_is_its_permalink(tmp_path: Path) -> None:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "SCO",
        "home_page_url": BLOG,
        "items": [
            {
                "id": "1",
                "url": f"{BLOG}2008/05/tashkent_talks.html",
                "title": "Tashkent talks",
                "content_html": "<p>Talks.</p>",
                "date_published": "2008-05-20T10:00:00Z",
            }
        ],
    }
    (tmp_path / "scofeed.toml").write_text(f'base_url = "{BLOG}"\n', encoding="utf-8")
    (tmp_path / "feed.json").write_text(json.dumps(feed), encoding="utf-8")
    result = run_cli("import", "feed", "feed.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert run_cli("build", "--now", BUILD_NOW, cwd=tmp_path).returncode == 0
    config = load_config(tmp_path)
    (post,), _ = load_posts(config.posts_dir, tz=config.tzinfo)
    assert permalink_path(post, config) == "2008/05/tashkent_talks.html"
    assert (tmp_path / "output" / "2008/05/tashkent_talks.html").is_file()
