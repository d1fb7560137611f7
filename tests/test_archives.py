"""RFC 5005 archived feeds: from every feed, the archive documents reach every entry exactly
once; they are stable (a new post changes the newest one only); a feed that holds every entry
says it is complete."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest

from scofeed.config import load_config
from scofeed.publish.build import build

NOW = datetime(2026, 1, 1, tzinfo=UTC)
BASE = "https://example.org/sco/"
FH = "{http://purl.org/syndication/history/1.0}"


def post(n: int, place: str) -> str:
    return f"---\ntitle: Post {n}\ndate: 2020-01-{n:02d}\n---\nNews from {place}, number {n}.\n"


def make(root: Path, n: int = 11) -> Path:
    (root / "posts").mkdir(exist_ok=True)
    for i in range(1, n + 1):
        place = "Moscow" if i % 3 else "Beijing"  # Russia: 8 posts, China: 3
        (root / "posts" / f"2020-01-{i:02d}-p{i}.md").write_text(post(i, place))
    (root / "scofeed.toml").write_text(
        f'base_url = "{BASE}"\ntimezone = "UTC"\nfeed_limit = 3\narchive_size = 2\n'
    )
    build(load_config(root), now=NOW)
    return root / "output"


def local(out: Path, url: str) -> Path:
    assert url.startswith(BASE), url
    return out / urlsplit(url).path[len(urlsplit(BASE).path) :]


def walk_xml(out: Path, path: str) -> list[str]:
    """Every entry title from the feed at `path` and the archive documents behind it."""
    titles: list[str] = []
    url: str | None = BASE + path
    seen = 0
    while url is not None:
        doc = feedparser.parse(local(out, url).read_bytes())
        assert not doc.bozo, (url, doc.bozo_exception)
        titles += [e.title for e in doc.entries]
        links = {link.rel: link.href for link in doc.feed.get("links", [])}
        if seen:  # an archive document: it says so and leads back to the feed
            assert links["current"] == BASE + path
        url = links.get("prev-archive")
        seen += 1
    return titles


def walk_json(out: Path, path: str) -> list[str]:
    titles: list[str] = []
    url: str | None = BASE + path
    while url is not None:
        feed = json.loads(local(out, url).read_text())
        titles += [item["title"] for item in feed["items"]]
        url = feed.get("next_url")
    return titles


@pytest.mark.parametrize("folder", ["", "countries/russia/", "countries/china/"])
def test_every_entry_is_found_exactly_once_from_every_feed(tmp_path: Path, folder: str) -> None:
    out = make(tmp_path)
    expected = {
        "": [f"Post {i}" for i in range(1, 12)],
        "countries/russia/": [f"Post {i}" for i in range(1, 12) if i % 3],
        "countries/china/": [f"Post {i}" for i in range(1, 12) if not i % 3],
    }[folder]
    for name in ("rss.xml", "atom.xml"):
        found = walk_xml(out, folder + name)
        assert sorted(found) == sorted(expected), name  # each once: no more, no fewer
    assert sorted(walk_json(out, folder + "feed.json")) == sorted(expected)


def test_archive_documents_and_complete_feeds_say_what_they_are(tmp_path: Path) -> None:
    from lxml import etree

    out = make(tmp_path)
    site = etree.parse(str(out / "atom.xml")).getroot()
    assert site.find(FH + "complete") is None and site.find(FH + "archive") is None
    page = etree.parse(str(out / "history/1/rss.xml")).getroot().find("channel")
    assert page.find(FH + "archive") is not None
    china = etree.parse(str(out / "countries/china/rss.xml")).getroot().find("channel")
    assert china.find(FH + "complete") is not None  # 3 posts, feed_limit 3: every entry
    assert not (out / "countries/china/history").exists()
    # The oldest archive document holds the oldest posts.
    oldest = feedparser.parse((out / "history/1/atom.xml").read_bytes())
    assert sorted(e.title for e in oldest.entries) == ["Post 1", "Post 2"]


def files(out: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in out.rglob("*.xml")
        if "history/" in p.as_posix()
    }


def test_a_new_post_changes_the_newest_archive_document_only(tmp_path: Path) -> None:
    out = make(tmp_path, n=10)  # 7 archived: pages of 2, 2, 2, 1
    before = files(out)
    (tmp_path / "posts/2020-01-20-new.md").write_text(post(20, "Almaty"))
    build(load_config(tmp_path), now=NOW)
    after = files(out)
    changed = sorted(p for p in after if after[p] != before.get(p))
    assert changed == ["history/4/atom.xml", "history/4/rss.xml"]  # feed.json is no .xml
    assert json.loads((out / "history/4/feed.json").read_text())["items"]
    # Removing a post leaves no archive document behind that no feed leads to.
    for i in (1, 2, 3, 4, 5):
        (tmp_path / f"posts/2020-01-{i:02d}-p{i}.md").unlink()
    build(load_config(tmp_path), now=NOW)
    assert sorted(walk_xml(out, "rss.xml")) == sorted(
        ["Post 6", "Post 7", "Post 8", "Post 9", "Post 10", "Post 20"]
    )
    assert not (out / "history/3").exists() and not (out / "history/4").exists()


def test_a_feed_reader_reads_every_archive_document(tmp_path: Path) -> None:
    import reader

    out = make(tmp_path)
    pages = sorted(p.relative_to(out).as_posix() for p in (out / "history").glob("*/atom.xml"))
    with reader.make_reader(":memory:", feed_root=str(out)) as client:
        for path in ["atom.xml", *pages]:
            client.add_feed(f"file:{path}")
        client.update_feeds()
        for feed in client.get_feeds():
            assert feed.last_exception is None, (feed.url, feed.last_exception)
        titles = [e.title or "" for e in client.get_entries()]
    assert sorted(titles) == sorted(f"Post {i}" for i in range(1, 12))


# -- Every feed folder, as a new subscriber finds them -------------------------------------------

TAGS = {1: "energy", 2: "energy", 4: "trade", 5: "energy", 7: "energy", 8: "trade", 10: "energy"}


def make_tagged(root: Path, n: int = 11) -> Path:
    """`make`'s site with tags: `energy` on 5 posts (archives behind its feed), `trade` on 2."""
    (root / "posts").mkdir(exist_ok=True)
    for i in range(1, n + 1):
        place = "Moscow" if i % 3 else "Beijing"
        tags = f"tags: [{TAGS[i]}]\n" if i in TAGS else ""
        text = post(i, place).replace("---\nNews", f"{tags}---\nNews", 1)
        (root / "posts" / f"2020-01-{i:02d}-p{i}.md").write_text(text)
    (root / "scofeed.toml").write_text(
        f'base_url = "{BASE}"\ntimezone = "UTC"\nfeed_limit = 3\narchive_size = 2\n'
    )
    build(load_config(root), now=NOW)
    return root / "output"


def feed_folders(out: Path) -> list[str]:
    """Every feed folder of the site, found as a crawler would: by its rss.xml."""
    return sorted(
        p.parent.relative_to(out).as_posix() + "/"
        for p in out.rglob("rss.xml")
        if "history" not in p.parts
    )


def test_every_feed_folder_reaches_each_of_its_entries_exactly_once(tmp_path: Path) -> None:
    out = make_tagged(tmp_path)
    every = range(1, 12)
    expected = {
        "./": [f"Post {i}" for i in every],
        "countries/russia/": [f"Post {i}" for i in every if i % 3],
        "countries/china/": [f"Post {i}" for i in every if not i % 3],
        "tags/energy/": [f"Post {i}" for i in every if TAGS.get(i) == "energy"],
        "tags/trade/": [f"Post {i}" for i in every if TAGS.get(i) == "trade"],
    }
    assert feed_folders(out) == sorted(expected)
    for folder, titles in expected.items():
        path = "" if folder == "./" else folder
        for name in ("rss.xml", "atom.xml"):
            found = walk_xml(out, path + name)
            assert sorted(found) == sorted(titles), path + name  # each once, none missing
        assert sorted(walk_json(out, path + "feed.json")) == sorted(titles), path
    # The tag with more entries than feed_limit has archives; the other is complete.
    assert (out / "tags/energy/history/1/atom.xml").exists()
    trade = json.loads((out / "tags/trade/feed.json").read_text())
    assert "next_url" not in trade  # JSON Feed's way of saying there is nothing older
    assert b"<fh:complete/>" in (out / "tags/trade/rss.xml").read_bytes()


def test_every_document_passes_the_validator_with_no_warning(tmp_path: Path) -> None:
    from scofeed.validate import validate_bytes

    out = make_tagged(tmp_path)
    documents = [p for p in out.rglob("*.xml") if p.name in ("rss.xml", "atom.xml")]
    assert len([p for p in documents if "history" in p.parts]) == 2 * (
        4 + 3 + 1
    )  # site, Russia, energy
    for path in documents:
        findings = validate_bytes(path.read_bytes(), source=str(path))
        assert findings == [], (path, findings)
        # No link between the documents leads nowhere (one document cannot tell).
        for link in feedparser.parse(path.read_bytes()).feed.links:
            if link.rel in ("current", "prev-archive", "next-archive"):
                assert local(out, link.href).is_file(), (path, link.rel, link.href)


def snapshot(out: Path) -> dict[str, tuple[bytes, int]]:
    """Every archive file (all three formats, every feed folder): its bytes and mtime."""
    return {
        p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in out.rglob("*")
        if p.is_file() and "history" in p.parts
    }


def test_a_post_that_starts_a_new_archive_page_keeps_the_others(tmp_path: Path) -> None:
    out = make_tagged(tmp_path)  # 8 archived: pages of 2, 2, 2, 2 (the newest one full)
    before = snapshot(out)
    entries = feedparser.parse(before["history/4/atom.xml"][0]).entries
    (tmp_path / "posts/2020-01-20-new.md").write_text(post(20, "Almaty"))
    build(load_config(tmp_path), now=NOW)
    after = snapshot(out)
    assert sorted(set(after) - set(before)) == [
        "history/5/atom.xml", "history/5/feed.json", "history/5/rss.xml",
    ]  # fmt: skip
    assert not set(before) - set(after)
    changed = sorted(p for p in before if after[p] != before[p])
    # The formerly newest page gains its next-archive link and nothing else; JSON Feed pages
    # only link older pages, so its feed.json stays as it was.
    assert changed == ["history/4/atom.xml", "history/4/rss.xml"]
    page = feedparser.parse(after["history/4/atom.xml"][0])
    assert [e.id for e in page.entries] == [e.id for e in entries]
    links = {link.rel: link.href for link in page.feed.links}
    assert links["next-archive"] == BASE + "history/5/atom.xml"
    newest = feedparser.parse(after["history/5/atom.xml"][0])
    assert [e.title for e in newest.entries] == ["Post 9"]  # the feed's 4th newest, pushed out
    assert "next-archive" not in {link.rel for link in newest.feed.links}
    assert sorted(walk_xml(out, "rss.xml")) == sorted(
        [f"Post {i}" for i in range(1, 12)] + ["Post 20"]
    )


def test_a_feed_that_shrinks_says_it_is_complete_and_keeps_no_archive(tmp_path: Path) -> None:
    out = make_tagged(tmp_path)
    assert (out / "countries/russia/history/3/rss.xml").exists()  # 8 posts: 5 archived
    for i in (1, 2, 4, 5, 7):  # Russia keeps posts 8, 10 and 11: feed_limit's 3
        (tmp_path / f"posts/2020-01-{i:02d}-p{i}.md").unlink()
    build(load_config(tmp_path), now=NOW)
    assert not (out / "countries/russia/history").exists()
    for name in ("rss.xml", "atom.xml"):
        doc = (out / "countries/russia" / name).read_bytes()
        assert b"<fh:complete/>" in doc and b"prev-archive" not in doc, name
    assert "next_url" not in json.loads((out / "countries/russia/feed.json").read_text())
    assert sorted(walk_xml(out, "countries/russia/atom.xml")) == ["Post 10", "Post 11", "Post 8"]
    # The energy tag lost posts 1, 2, 5 and 7: Post 10 alone is left, and its archives went.
    assert not (out / "tags/energy/history").exists()
    assert walk_xml(out, "tags/energy/rss.xml") == ["Post 10"]
