"""Validating documents that share entries, each entry in full once (`validate.repeats`): the
errors are always those `validate_bytes` finds in the whole document, whatever was seen
before, and an entry seen clean under the same root is not validated again."""

from __future__ import annotations

import shutil
from collections.abc import Callable

import pytest

from scofeed.config import Config
from scofeed.errors import InputError
from scofeed.posts.post import Post
from scofeed.publish import rendering
from scofeed.publish.build import build
from scofeed.site import splice
from scofeed.validate import Finding, repeats, validate_bytes
from scofeed.validate.repeats import Repeats

from conftest import NOW, notes

DATE = "Tue, 31 Dec 2024 08:25:00 +0000"


def item(n: int, *, guid: str | None = None, extra: str = "", date: str = DATE) -> str:
    guid = f"tag:example.org,2005:posts/{n}" if guid is None else guid
    return (
        f"<item><title>Post {n}</title><link>https://example.org/{n}.html</link>"
        f'<description>Text {n}</description><guid isPermaLink="false">{guid}</guid>'
        f"<pubDate>{date}</pubDate>{extra}</item>"
    )


def rss(*items: str, ns: str = "", head: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"{ns}>\n<channel>\n'
        "<title>T</title><link>https://example.org/</link><description>D</description>\n"
        '<atom:link href="https://example.org/rss.xml" rel="self" type="application/rss+xml"/>\n'
        + head
        + "\n    ".join(items)
        + "\n</channel>\n</rss>\n"
    ).encode()


def entry(n: int, *, id_: str | None = None, author: bool = True, extra: str = "") -> str:
    id_ = f"tag:example.org,2005:posts/{n}" if id_ is None else id_
    by = "<author><name>Ann</name></author>" if author else ""
    return (
        f'<entry><id>{id_}</id><title type="text">Post {n}</title>'
        f"<updated>2024-12-31T08:25:00+00:00</updated>{by}"
        f'<link href="https://example.org/{n}.html"/><summary>Text {n}</summary>{extra}</entry>'
    )


def atom(*entries: str, ns: str = "", author: bool = True) -> bytes:
    by = "<author><name>Editors</name></author>\n" if author else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom"{ns}>\n'
        "<id>tag:example.org,2005:feeds/all</id><title>T</title>"
        "<updated>2024-12-31T08:25:00+00:00</updated>\n" + by + '<link rel="self" '
        'href="https://example.org/atom.xml"/>\n  ' + "\n  ".join(entries) + "\n</feed>\n"
    ).encode()


def errors(data: bytes) -> list[tuple[int, str, str]]:
    return [(f.line, f.rule, f.message) for f in validate_bytes(data) if f.severity == "error"]


THR = ' xmlns:thr="http://purl.org/syndication/thread/1.0"'
PREFIXED = ' xmlns:a="http://www.w3.org/2005/Atom"'

# Each case: documents validated in turn by one Repeats; every later one shows entries of the
# earlier ones in a setting that could hide an error if it were not validated again.
CASES = {
    "a bad entry, again": [
        rss(item(1), item(2, date="yesterday")),
        rss(item(3), item(2, date="yesterday"), item(1)),
    ],
    "two seen items, one guid": [
        rss(item(1, guid="g1"), item(2, guid="g2")),
        rss(item(3, guid="g1")),
        rss(item(1, guid="g1"), item(3, guid="g1"), item(2, guid="g2")),
    ],
    "one guid spelled two ways": [
        rss(item(1, guid="a&amp;b"), item(2, guid="a&#38;b")),
        rss(item(1, guid="a&amp;b")),
        rss(item(2, guid="a&#38;b")),
        rss(item(1, guid="a&amp;b"), item(2, guid="a&#38;b")),
    ],
    "guids alike once stripped": [
        rss(item(1, guid="g\u00a0")),
        rss(item(2, guid="g ")),
        rss(item(1, guid="g\u00a0"), item(2, guid="g ")),
    ],
    "every entry one id": [
        atom(entry(1, id_="tag:x,2005:same")),
        atom(entry(2, id_="tag:x,2005:same")),
        atom(entry(3, id_="tag:x,2005:same")),
        atom(
            entry(1, id_="tag:x,2005:same"),
            entry(2, id_="tag:x,2005:same"),
            entry(3, id_="tag:x,2005:same"),
        ),
    ],
    "a prefix the new root does not declare": [
        atom(entry(1, extra="<thr:total>3</thr:total>"), entry(2), ns=THR),
        atom(entry(2), entry(1, extra="<thr:total>3</thr:total>")),
    ],
    "an entry without an author, then a feed without one": [
        atom(entry(1, author=False), entry(2)),
        atom(entry(2), entry(1, author=False), author=False),
    ],
    "a comment before the entries": [
        rss(item(1, date="yesterday")),
        rss(item(1, date="yesterday"), head="<!-- x -->"),
    ],
    "another encoding": [  # in ISO-8859-1, b"g\xc2\x85" is "g\u00c2\u0085": "g\u00c2" stripped
        rss(item(1, guid="g\u0085")),
        rss(item(1, guid="g\u0085"), item(2, guid="g?"))
        .replace(b"g?", b"g\xc2")
        .replace(b"UTF-8", b"ISO-8859-1"),
    ],
    "an entry written with a prefix between two seen": [
        atom(entry(1), entry(2), ns=PREFIXED),
        atom(
            entry(1),
            entry(3, extra="<updated>x</updated>")
            .replace("<entry>", "<a:entry>")
            .replace("</entry>", "</a:entry>"),
            entry(2),
            ns=PREFIXED,
        ),
    ],
    "the feed's metadata after its entries": [
        atom(entry(1), entry(2)),
        atom(entry(1), entry(2)).replace(b"</feed>", b"<subtitle>late</subtitle>\n</feed>"),
    ],
    "an item nested in another": [
        rss(item(1), item(2)),
        rss(item(1).replace("</item>", item(2) + "</item>")),
    ],
}


@pytest.mark.parametrize("documents", CASES.values(), ids=CASES.keys())
def test_the_errors_are_those_of_the_whole_document(documents: list[bytes]) -> None:
    seen = Repeats()
    found = []
    for n, data in enumerate(documents):
        got = [(f.line, f.rule, f.message) for f in seen.errors(data, "<bytes>")]
        assert got == errors(data), n
        found += got
    assert found, "each case has an error to find"


@pytest.fixture
def validated(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every document `Repeats` hands to `validate_bytes`, in order."""
    seen: list[bytes] = []

    def spy(data: bytes, source: str) -> list[Finding]:
        seen.append(data)
        return validate_bytes(data, source=source)

    monkeypatch.setattr(repeats, "validate_bytes", spy)
    return seen


def test_an_entry_seen_clean_under_the_same_root_is_not_validated_again(
    validated: list[bytes],
) -> None:
    seen = Repeats()
    first, second = rss(item(1), item(2)), rss(item(3), item(2), item(1))
    assert seen.errors(first, "a") == [] and validated == [first]
    assert seen.errors(second, "b") == []
    assert len(validated) == 2 and validated[1].count(b"<item>") == 1  # item 3 alone
    assert b"Post 3" in validated[1]
    # Under another root (a namespace more) the same items are new.
    assert seen.errors(rss(item(2), item(1), ns=THR), "c") == []
    assert validated[2].count(b"<item>") == 2
    # Only the most recent are remembered.
    small = Repeats(size=1)
    small.errors(first, "a")
    validated.clear()
    small.errors(first, "a")
    assert validated[0].count(b"<item>") == 1


@pytest.mark.parametrize("cores", ["one", "every"])
def test_a_build_refuses_every_feed_a_bad_entry_is_in(
    project: Callable[..., Config], monkeypatch: pytest.MonkeyPatch, cores: str
) -> None:
    """A bad entry (a fault of the writer, made here by hand: no post makes one) is in
    several documents of each format; each is reported and none is published, though the
    build validates the entry in full only until it is found clean, which it never is."""
    if cores == "one":  # one process, one memory of what was validated
        monkeypatch.setattr(rendering, "PARALLEL_FILES", 10**9)
    config = project(notes(40, 5), "feed_limit = 4\n")
    build(config, now=NOW)
    out = config.output_dir
    published = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    carrying = {
        p.relative_to(out).as_posix()
        for p, data in published.items()
        if p.name == "rss.xml" and b"/note-7.html</link>" in data
    }
    assert len(carrying) >= 3  # the category's feed or archive, a country's, a tag's

    real = splice._rss_item

    def broken(post: Post, *args: object) -> str:
        text = real(post, *args)  # type: ignore[arg-type]
        return text.replace("<pubDate>", "<pubDate>Someday ") if post.slug == "note-7" else text

    monkeypatch.setattr(splice, "_rss_item", broken)
    shutil.rmtree(config.cache_dir)  # a clean build: every document made again
    with pytest.raises(InputError) as caught:
        build(config, now=NOW)
    assert {p.path for p in caught.value.problems} == carrying
    assert all("rss-date-rfc822" in p.message for p in caught.value.problems)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == published


# Documents that must be validated whole, each a way to hide an entry's text from the cut
# between entries (a comment, CDATA or a processing instruction that could hold `</item>`) or
# to read an entry in another light; `!` and `?` many times first, as text, so that the
# search by those bytes goes past its quick path.
MUCH = "Really? Yes! " * 70
X = ' xmlns="urn:x"'  # an element of another vocabulary, unprefixed
REFUSED = {
    "a comment in an entry": rss(item(1), item(2, extra="<!-- </item> -->")),
    "CDATA after many marks": rss(
        item(1, extra=f"<category>{MUCH}</category>"),
        item(2, extra="<category><![CDATA[a]]></category>"),
    ),
    "a processing instruction": rss(item(1), item(2)).replace(b"<channel>", b"<channel><?pi x?>"),
    "a DOCTYPE": b"<!DOCTYPE rss>\n" + rss(item(1)).partition(b"\n")[2],
    "an entry with an attribute": rss(
        item(1), item(2).replace("<item>", '<item x:a="1">'), ns=' xmlns:x="urn:x"'
    ),
    "the first entry with an attribute": rss(
        item(1).replace("<item>", '<item x:a="1">'), item(2), ns=' xmlns:x="urn:x"'
    ),
    "the tag's start in the head": rss(item(1), head=f"<items{X}/>"),
    "the tag's start in an entry": rss(item(1, extra=f"<itemize{X}/>"), item(2)),
    "an element between entries": rss(item(1), f"<other{X}/>" + item(2)),
    "an element after the entries": rss(item(1), item(2)).replace(
        b"\n</channel>", f"<other{X}/>\n</channel>".encode()
    ),
    "another encoding": rss(item(1)).replace(b"UTF-8", b"ISO-8859-1"),
}


@pytest.mark.parametrize("data", REFUSED.values(), ids=REFUSED.keys())
def test_documents_not_written_as_lxml_writes_them_are_validated_whole(
    validated: list[bytes], data: bytes
) -> None:
    assert errors(data) == []  # else it would be validated whole for its errors anyway
    seen = Repeats()
    for _ in range(2):  # the second time every entry has been seen, if it was remembered
        seen.errors(data, "doc")
    assert validated == [data, data]


def test_a_document_as_lxml_writes_it_is_cut_around_each_entry() -> None:
    data = rss(item(1, extra=f"<category>{MUCH}</category>"), item(2), item(3))
    parts = repeats._taken_apart(data)
    assert parts is not None
    _, head, items, tail, tag = parts
    assert tag == b"item" and [i.count(b"<item>") for i in items] == [1, 1, 1]
    assert b"\n    ".join((head + items[0], *items[1:])) + tail == data


def test_entries_are_left_out_only_when_their_ids_are_plainly_all_different() -> None:
    sure = repeats._id_of(item(1, guid=" g1 ").encode(), b"item")
    assert sure == "g1"
    assert repeats._id_of(item(1, guid="a&amp;b").encode(), b"item") == repeats._UNSURE
    assert repeats._id_of(entry(1, extra="<id>x</id>").encode(), b"entry") == repeats._UNSURE
    assert repeats._id_of(b"<item><title>t</title></item>", b"item") is None
    assert repeats._distinct(["g1", None, "g2", None])
    assert not repeats._distinct(["g1", "g1"])
    assert not repeats._distinct(["g1", repeats._UNSURE])
