"""The post store: reading post files, every kind of bad post, derived titles and slugs."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import html as lxml_html

from scofeed.posts.post import Post, parse_post
from scofeed.posts.slugs import slug_from_filename, slugify
from scofeed.posts.store import load_posts
from scofeed.posts.text import derive_title, markdown_html, render_html, summary_of, title_of

from conftest import post

BAD = Path(__file__).parent / "data" / "bad-posts"
ALMATY = ZoneInfo("Asia/Almaty")


def parse(text: str | bytes, tz: timezone | ZoneInfo = UTC, name: str = "x.md") -> Post:
    data = text.encode() if isinstance(text, str) else text
    result = parse_post(data, name, slug=slug_from_filename(name), tz=tz)
    assert isinstance(result, Post), result
    return result


@pytest.mark.parametrize("case", sorted(BAD.glob("*.md")), ids=lambda p: p.stem)
def test_bad_post_gives_exact_message(case: Path, tmp_path: Path) -> None:
    store = tmp_path / "posts"
    store.mkdir()
    shutil.copy(case, store / case.name)
    posts, problems = load_posts(store, tz=UTC, shown_from=store)
    expected = case.with_suffix(".expected").read_text(encoding="utf-8").strip()
    assert posts == []
    assert [str(p) for p in problems] == [expected]


def test_every_bad_post_is_reported_in_one_run(tmp_path: Path) -> None:
    store = tmp_path / "posts"
    shutil.copytree(BAD, store, ignore=shutil.ignore_patterns("*.expected"))
    posts, problems = load_posts(store, tz=UTC, shown_from=store)
    assert posts == []
    assert len({p.path for p in problems}) == len(list(BAD.glob("*.md")))


def test_one_slug_on_two_dates_is_two_posts_with_ids_apart(tmp_path: Path) -> None:
    # Jekyll allows it (the permalinks differ); the older post keeps the slug's id, so adding
    # a newer one never changes an id already published.
    store = tmp_path / "posts"
    store.mkdir()
    (store / "2008-05-19-meeting.md").write_text(post("date: 2008-05-19"))
    (store / "2009-01-01-other.md").write_text(post("date: 2009-01-01\nslug: meeting"))
    posts, problems = load_posts(store, tz=UTC, shown_from=store)
    assert problems == []
    assert {p.path: p.id_name for p in posts} == {
        "2008-05-19-meeting.md": None,
        "2009-01-01-other.md": "meeting/2009-01-01",
    }


def test_duplicate_id_is_reported(tmp_path: Path) -> None:
    store = tmp_path / "posts"
    store.mkdir()
    (store / "a.md").write_text(post("date: 2008-05-19\nid: tag:example.org,2008:1"))
    (store / "b.md").write_text(post("date: 2008-05-20\nid: tag:example.org,2008:1"))
    _, problems = load_posts(store, tz=UTC, shown_from=store)
    assert [str(p) for p in problems] == [
        "b.md: id 'tag:example.org,2008:1' is already used by a.md"
    ]


def test_symlink_outside_the_store_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "posts"
    store.mkdir()
    outside = tmp_path / "secret.md"
    outside.write_text(post("date: 2008-05-19"))
    (store / "link.md").symlink_to(outside)
    posts, problems = load_posts(store, tz=UTC, shown_from=store)
    assert posts == []
    assert len(problems) == 1
    assert "outside the posts folder; copy it in" in str(problems[0])


def test_a_store_named_relatively_or_through_a_link_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "content" / "posts"
    (real / "2008").mkdir(parents=True)
    (real / "notes.md").write_text(post("date: 2008-05-19"))
    (real / "2008" / "summit.md").write_text(post("date: 2008-05-20"))
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "posts").symlink_to(real)
    monkeypatch.chdir(tmp_path / "site")
    for store in (real, Path("posts"), Path("../content/posts"), tmp_path / "site" / "posts"):
        posts, problems = load_posts(store, tz=UTC)
        assert problems == [], store
        assert sorted(p.slug for p in posts) == ["notes", "summit"], store


def test_oversized_post_is_refused_without_reading_it(tmp_path: Path) -> None:
    store = tmp_path / "posts"
    store.mkdir()
    big = store / "big.md"
    with big.open("wb") as fh:
        fh.write(post("date: 2008-05-19").encode())
        fh.truncate(50 * 1024 * 1024)
    _, problems = load_posts(store, tz=UTC, shown_from=store)
    assert [str(p) for p in problems] == [
        "big.md: is 52.4 MB, over the 4 MiB a post may have; split it or link to the material "
        "instead"
    ]


def test_every_md_file_is_a_post_even_without_a_dated_name(tmp_path: Path) -> None:
    store = tmp_path / "posts"
    (store / "2008" / "may").mkdir(parents=True)
    (store / "notes.md").write_text(post("date: 2008-05-19"))
    (store / "2008" / "may" / "2008-05-20-summit.md").write_text(post("date: 2008-05-20"))
    posts, problems = load_posts(store, tz=UTC)
    assert problems == []
    assert sorted(p.slug for p in posts) == ["notes", "summit"]


def test_date_alone_is_midnight_in_the_site_time_zone() -> None:
    p = parse(post("date: 2008-05-19"), tz=ALMATY)
    assert p.date == datetime(2008, 5, 19, tzinfo=ALMATY)
    assert p.updated == p.date


def test_offsets_are_kept_and_lastmod_is_updated() -> None:
    p = parse(post("date: 2008-05-19T10:30:00+06:00\nlastmod: 2008-05-20 08:00"), tz=UTC)
    assert p.date == datetime(2008, 5, 19, 4, 30, tzinfo=UTC)
    assert p.date.utcoffset() == timedelta(hours=6)
    assert p.updated == datetime(2008, 5, 20, 8, 0, tzinfo=UTC)


def test_front_matter_fields() -> None:
    p = parse(
        post(
            "title: '  Trade <Energy> & Security '\ndate: 2008-05-19\nauthor: D. K.\n"
            "countries: [Russia]\ntags: trade\ncategories: [SCO (RTG)]\nsummary: Short.\n"
            "comments: 2\ndraft: true\nid: tag:example.org,2008:x",
        ),
        name="2008-05-19-meeting.md",
    )
    assert (p.title, p.author, p.countries, p.tags, p.categories) == (
        "Trade <Energy> & Security",
        "D. K.",
        ("Russia",),
        ("trade",),
        ("SCO (RTG)",),
    )
    assert (p.summary, p.comments, p.draft, p.id, p.slug) == (
        "Short.",
        2,
        True,
        "tag:example.org,2008:x",
        "meeting",
    )


def test_bom_crlf_and_control_characters_simply_work() -> None:
    raw = (
        "\ufeff---\r\ntitle: Bell\x07 and NUL\x00\r\ndate: 2008-05-19\r\n---\r\n"
        "\r\nA\x0bB \u202eRTL\u200b.\r\n"
    )
    p = parse(raw.encode("utf-8"))
    assert p.title == "Bell and NUL"
    assert p.body is not None
    assert "\x0b" not in p.body and "\r" not in p.body
    assert "\u202eRTL\u200b" in p.body


@pytest.mark.parametrize("accent", ["", "é"])  # all-ASCII text and text that is not
def test_every_character_xml_forbids_is_dropped_from_the_body(accent: str) -> None:
    forbidden = "".join(map(chr, [*range(0, 9), 11, 12, *range(14, 32), *range(0x7F, 0xA0)]))
    body = f"Before{accent} {forbidden}\ufffe\uffff after\t\u00a0end."
    p = parse(post("date: 2008-05-19", body))
    assert p.body == f"\nBefore{accent}  after\t\u00a0end.\n"


def test_future_and_draft_posts_are_not_published() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse(post("date: 2025-12-31")).is_published(now)
    assert not parse(post("date: 2026-01-02")).is_published(now)
    assert not parse(post("date: 2025-12-31\ndraft: true")).is_published(now)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("2008-05-19-third-meeting.md", "third-meeting"),
        ("notes.md", "notes"),
        ("2008-05-19.md", "2008-05-19"),
        ("Summit In Astana.md", "Summit-In-Astana"),  # capitals kept, as Jekyll keeps them
        ("2008-05-19-Встреча в Москве.md", "Встреча-в-Москве"),
        ("2008-05-19-" + "long-" * 20 + "a.md", "long-" * 20 + "a"),  # never cut
    ],
)
def test_slug_from_filename(name: str, slug: str) -> None:
    assert slug_from_filename(name) == slug


def test_slugify_cuts_at_a_word() -> None:
    assert slugify("A title, with: punctuation & more!") == "a-title-with-punctuation-more"
    long = slugify("word " * 40)
    assert len(long) <= 60 and not long.endswith("-") and long.startswith("word-word")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Short one. Second sentence.", "Short one."),
        ('He said "yes." Then left.', 'He said "yes."'),
        (
            "The third meeting of the Shanghai Cooperation Organization has opened on 19th May "
            "in Beijing (China). More.",
            "The third meeting of the Shanghai Cooperation Organization has opened on 19th…",
        ),
        ("No full stop at all", "No full stop at all"),
        ("x" * 100, "x" * 79 + "…"),
    ],
)
def test_derive_title(text: str, title: str) -> None:
    derived = derive_title(text)
    assert derived == title
    assert len(derived) <= 80


def test_untitled_post_gets_title_and_summary_from_its_text() -> None:
    p = parse(post("date: 2008-05-19", "First *para*. Goes on.\n\nSecond para."))
    html = render_html(p, "https://example.org/sco/2008/05/x.html")
    assert title_of(p, html) == "First para."
    assert summary_of(p, html) == "First para. Goes on."


def test_html_is_sanitised_and_links_made_absolute() -> None:
    body = (
        '<script>alert(1)</script>\n\n<p onclick="x()">Hi</p>\n\n[rel](../a.html) ![i](pic.png) '
        '<a href="javascript:alert(1)">j</a> <img src=x onerror=alert(1)> [abs](https://b.org/)'
    )
    html = render_html(
        parse(post("date: 2008-05-19", body)), "https://example.org/sco/2008/05/x.html"
    )
    assert "script" not in html and "onclick" not in html and "onerror" not in html
    assert "javascript:" not in html
    assert 'href="https://example.org/sco/2008/a.html"' in html
    assert 'src="https://example.org/sco/2008/05/pic.png"' in html
    assert 'href="https://b.org/"' in html


@pytest.mark.parametrize("case", sorted(BAD.glob("*.md")), ids=lambda p: p.stem)
def test_a_bad_post_publishes_nothing(case: Path, tmp_path: Path) -> None:
    """Each kind of bad post stops the build with its message and leaves output/ as it was."""
    from scofeed.config import load_config
    from scofeed.errors import InputError
    from scofeed.publish.build import build

    from conftest import NOW, POSTS, tree

    shutil.copytree(POSTS, tmp_path / "posts")
    config = load_config(tmp_path)
    build(config, now=NOW)
    before = {p: p.stat().st_mtime_ns for p in config.output_dir.rglob("*")}
    published = tree(config.output_dir)
    shutil.copy(case, tmp_path / "posts" / case.name)
    with pytest.raises(InputError) as caught:
        build(config, now=NOW)
    expected = case.with_suffix(".expected").read_text(encoding="utf-8").strip()
    assert [str(p) for p in caught.value.problems] == [f"posts/{expected}"]
    assert tree(config.output_dir) == published
    assert {p: p.stat().st_mtime_ns for p in config.output_dir.rglob("*")} == before


def test_oddities_simply_work_end_to_end(tmp_path: Path) -> None:
    """A BOM, CRLF line ends, control characters, `]]>` and `<!--` in titles and bodies,
    right-to-left and zero-width characters: published, valid, and read back as written."""
    import feedparser

    from scofeed import validate
    from scofeed.config import load_config
    from scofeed.publish.build import build

    from conftest import NOW

    store = tmp_path / "posts"
    store.mkdir()
    title = "Talks ]]> <!-- in שלום \u200bMoscow\u202e"
    raw = (
        f"\ufeff---\r\ntitle: '{title}\x07'\r\ndate: 2020-01-01\r\n---\r\n\r\n"
        "Body ]]> and <!-- not a comment --> with \x00NUL, \u200fRTL and a zero\u200bwidth.\r\n"
    )
    (store / "odd.md").write_bytes(raw.encode("utf-8"))
    config = load_config(tmp_path)
    build(config, now=NOW)
    for name in ("rss.xml", "atom.xml", "countries/russia/atom.xml"):
        data = (config.output_dir / name).read_bytes()
        assert [f for f in validate.validate_bytes(data, name) if f.severity == "error"] == []
        parsed = feedparser.parse(data)
        assert not parsed.bozo
        assert parsed.entries[0].title == title
        assert "\x00" not in parsed.entries[0].content[0].value


def test_footnote_references_lead_to_their_notes_and_no_other_id_survives() -> None:
    html = markdown_html(
        'Said[^a].\n\n[^a]: A note.\n\n<div id="menu">clobber</div>', base="https://e.org/p.html"
    )
    doc = lxml_html.fragment_fromstring(html, create_parent="div")
    (ref,) = doc.xpath("//sup/a/@href")
    assert ref == "https://e.org/p.html#fn-a"
    assert doc.xpath("//*/@id") == ["fn-a"]  # the note's; a post's own ids never pass
    assert doc.xpath('//*[@id="fn-a"]//p/text()') == ["A note."]
