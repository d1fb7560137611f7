"""`scofeed import mt`: Movable Type / Typepad exports -> post files, idempotent and path-safe."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scofeed.cli import main
from scofeed.config import load_config
from scofeed.errors import InputError
from scofeed.importers.addresses import path_below
from scofeed.importers.model import NewPost
from scofeed.importers.mt import convert_breaks, parse_mt, read_mt
from scofeed.posts.post import Post, parse_post
from scofeed.posts.slugs import slug_from_filename
from scofeed.posts.store import load_posts
from scofeed.posts.text import render_html
from scofeed.site.layout import permalink_path

from conftest import run_cli

DATA = Path(__file__).parent / "data" / "mt"
FILE_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}-[\w-]+\.md$")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder, the current directory while the test runs."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def scofeed(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))}


def read(path: Path) -> Post:
    post = parse_post(path.read_bytes(), path.name, slug=slug_from_filename(path.name), tz=UTC)
    assert isinstance(post, Post), post
    return post


# --- every field -----------------------------------------------------------------------------


def test_every_field_of_a_typepad_export() -> None:
    found = read_mt(DATA / "typepad.txt")
    assert (found.records, found.other_category, found.no_entry) == (4, 0, 0)
    first, untitled, travel, future = found.posts

    assert first.title == "Ministers meet in Almaty & agree a road map"  # TITLE is HTML
    assert first.date == datetime(2008, 5, 19, 14, 30)  # no offset: the site's zone applies
    assert first.slug == "ministers_meet_in_almaty"  # BASENAME, the slug hint
    assert first.meta == {
        "author": "Aigerim Bekova",
        "tags": ["summit", "road map", "transport", "ministers", "Almaty"],  # TAGS + KEYWORDS
        "categories": ["SCO (RTG)", "Central Asia"],  # PRIMARY CATEGORY first, once
        "summary": "Ministers agree a road map & a date.",  # EXCERPT
        "comments": 2,  # COMMENT sections; the PING is not a comment
        "draft": None,
    }
    # CONVERT BREAKS __default__: paragraphs at blank lines, <br> at line ends; BODY and
    # EXTENDED BODY joined; markup already there kept.
    assert first.body == (
        "<p>The foreign ministers of the SCO met in Almaty on Monday.<br>\n"
        'They agreed a *road map* for transport, see <a href="/2008/05/transport.html">'
        "our notes</a>.</p>\n\n"
        "<p>Kazakhstan will host the next meeting.</p>\n\n"
        "<blockquote>We are one region.</blockquote>\n\n"
        "<p>Uzbekistan's minister spoke last.</p>\n"
    )

    assert untitled.title is None
    assert untitled.meta["draft"] is True  # STATUS: Draft stays a draft
    assert untitled.meta["comments"] == 0
    assert untitled.meta["summary"] is None and untitled.meta["tags"] is None
    assert untitled.date == datetime(2008, 6, 2, 9, 5, 7)
    # No BASENAME: the slug comes from the first sentence, as for any untitled post.
    assert (
        untitled.slug
        == "Russian Federation will lead the SCO in 2008-2009, said officials in Moscow."
    )

    assert travel.title == "Weekend in Tbilisi"
    assert travel.body == "A *Markdown* post in another category.\n"  # the Markdown filter

    assert future.date == datetime(2030, 6, 15, 0, 0)  # 12:00:00 AM is midnight
    assert future.meta["draft"] is None  # Future: published when its date comes
    assert future.meta["categories"] == ["SCO (RTG)"]


def test_html_bodies_render_as_movable_type_showed_them(site: Path) -> None:
    assert scofeed("import", "mt", str(DATA / "typepad.txt")).exit_code == 0
    post = read(next((site / "posts").glob("2008-06-02-*.md")))
    html = render_html(post, "https://example.org/sco/2008/06/x.html")
    # Indented after a blank line inside a <div>: still HTML, not a Markdown code block.
    assert "<pre>" not in html and "<code>" not in html
    assert "<p>Indented after a blank line: not code.</p>" in html
    assert "1. not a list" in html and "<ol>" not in html
    first = read(next((site / "posts").glob("2008-05-19-*.md")))
    html = render_html(first, "https://example.org/sco/2008/05/x.html")
    assert "*road map*" in html and "<em>" not in html  # HTML text: asterisks are asterisks
    assert "<br>" in html and "<blockquote>We are one region.</blockquote>" in html


def test_the_store_reads_every_imported_field(site: Path) -> None:
    result = scofeed("import", "mt", str(DATA / "typepad.txt"))
    assert result.exit_code == 0, result.stderr
    posts, problems = load_posts(site / "posts", tz=UTC)
    assert problems == []
    by_slug = {p.slug: p for p in posts}
    assert sorted(by_slug) == [
        "ministers-meet-in-almaty",
        "russian-federation-will-lead-the-sco-in-2008-2009-said",
        "summit-programme",
        "weekend-in-tbilisi",
    ]
    first = by_slug["ministers-meet-in-almaty"]
    assert first.title == "Ministers meet in Almaty & agree a road map"
    assert first.author == "Aigerim Bekova"
    assert first.tags == ("summit", "road map", "transport", "ministers", "Almaty")
    assert first.categories == ("SCO (RTG)", "Central Asia")
    assert first.summary == "Ministers agree a road map & a date."
    assert first.comments == 2
    assert not first.draft
    assert first.date == datetime(2008, 5, 19, 14, 30, tzinfo=UTC)
    assert by_slug["russian-federation-will-lead-the-sco-in-2008-2009-said"].draft


def test_lf_and_crlf_exports_give_the_same_posts(tmp_path: Path) -> None:
    crlf = (DATA / "typepad-crlf.txt").read_bytes()
    assert b"\r\n" in crlf and b"\n" not in crlf.replace(b"\r\n", b"")  # really CRLF
    assert b"\r" not in (DATA / "typepad.txt").read_bytes()  # and really LF
    lf = tmp_path / "typepad-lf.txt"
    lf.write_bytes(crlf.replace(b"\r\n", b"\n"))
    from_crlf = read_mt(DATA / "typepad-crlf.txt")
    assert from_crlf == read_mt(lf)
    assert [p.title for p in from_crlf.posts] == [
        "Beijing summit opens",
        "Beijing summit closes",
        "Notes for the next summit",
    ]
    opens = from_crlf.posts[0]
    assert "\r" not in opens.body
    assert opens.body == (
        "<p>Leaders arrive in Beijing today.<br>\nThe summit lasts two days.</p>\n\n"
        "<p>Press briefings follow.</p>\n\n<p>Full programme to follow.</p>\n"
    )
    assert opens.meta["tags"] == ["summit", "Hu Jintao", "beijing"]
    assert opens.meta["comments"] == 1
    assert from_crlf.posts[2].meta["draft"] is True


def test_convert_breaks_is_movable_types_transform() -> None:
    text = "One\ntwo\n\n<ul>\n<li>kept</li>\n</ul>\n\n  \n<a href='x'>inline</a> start"
    assert convert_breaks(text) == (
        "<p>One<br />\ntwo</p>\n\n<ul>\n<li>kept</li>\n</ul>\n\n<p><a href='x'>inline</a> start</p>"
    )


# --- choosing what to import -----------------------------------------------------------------


def test_category_picks_entries_by_category_or_primary_category(site: Path) -> None:
    result = scofeed("import", "mt", str(DATA / "typepad.txt"), "--category", "sco (rtg)")
    assert result.exit_code == 0, result.stderr
    assert "scofeed: 4 records in the export (1 in other categories, left out)" in result.stderr
    assert sorted(files(site / "posts")) == [
        "2008-05-19-ministers-meet-in-almaty.md",  # PRIMARY CATEGORY and CATEGORY
        "2008-06-02-russian-federation-will-lead-the-sco-in-2008-2009-said.md",
        "2030-06-15-summit-programme.md",  # CATEGORY only
    ]


def test_a_category_no_entry_has_is_an_error_that_lists_the_categories(site: Path) -> None:
    result = scofeed("import", "mt", str(DATA / "typepad.txt"), "--category", "SCO(RTG)")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f'Error: {DATA / "typepad.txt"}: no entry is in the category "SCO(RTG)"; the '
        "export's categories are: Central Asia, SCO (RTG), Travel\n"
    )
    assert not (site / "posts").exists()


def test_no_entry_records_are_left_out_and_start_body_is_read() -> None:
    found = read_mt(DATA / "no-entry.txt")
    assert (found.records, found.no_entry) == (2, 1)
    (post,) = found.posts
    assert post.title == "A real entry"
    assert post.body == (
        "<p>An old-style export: the body follows START BODY.</p>\n\n<p>Second paragraph.</p>\n"
    )


def test_the_timezone_of_the_export_gives_dates_an_offset(site: Path) -> None:
    found = read_mt(DATA / "typepad-crlf.txt", tz=timezone(timedelta(hours=8)))
    assert found.posts[0].date == datetime(2008, 6, 15, 10, tzinfo=timezone(timedelta(hours=8)))
    result = scofeed("import", "mt", str(DATA / "typepad-crlf.txt"), "--timezone", "Asia/Almaty")
    assert result.exit_code == 0
    text = (site / "posts" / "2008-06-15-beijing-summit-opens.md").read_text()
    assert "\ndate: 2008-06-15T10:00:00+06:00\n" in text
    bad = scofeed("import", "mt", str(DATA / "typepad.txt"), "--timezone", "Mars/Olympus")
    assert bad.exit_code == 2
    assert "'Mars/Olympus' is not a time zone" in bad.stderr


def test_base_url_makes_relative_links_absolute(site: Path) -> None:
    result = scofeed(
        "import", "mt", str(DATA / "typepad.txt"), "--base-url", "https://old.example.org/blog/"
    )
    assert result.exit_code == 0
    texts = files(site / "posts")
    assert (
        'href="https://old.example.org/2008/05/transport.html"'
        in (texts["2008-05-19-ministers-meet-in-almaty.md"])
    )
    assert (
        'src="https://old.example.org/blog/images/yekaterinburg.jpg"'
        in (texts["2008-06-02-russian-federation-will-lead-the-sco-in-2008-2009-said.md"])
    )
    assert scofeed("import", "mt", str(DATA / "typepad.txt"), "--base-url", "x").exit_code == 2


# --- idempotent, never overwriting -----------------------------------------------------------


def test_importing_again_adds_and_changes_nothing(site: Path) -> None:
    assert scofeed("import", "mt", str(DATA / "typepad.txt")).exit_code == 0
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (site / "posts").iterdir()}
    again = scofeed("import", "mt", str(DATA / "typepad.txt"))
    assert again.exit_code == 0
    assert again.stderr.endswith("scofeed: 0 created, 0 overwritten, 4 skipped, 0 refused\n")
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (site / "posts").iterdir()} == (
        before
    )


def test_an_edited_post_is_refused_then_forced(site: Path) -> None:
    assert scofeed("import", "mt", str(DATA / "typepad.txt")).exit_code == 0
    edited = site / "posts" / "2008-05-19-ministers-meet-in-almaty.md"
    edited.write_text(edited.read_text() + "\nAn editor's note.\n")
    result = scofeed("import", "mt", str(DATA / "typepad.txt"))
    assert result.exit_code == 1
    assert (
        "refused posts/2008-05-19-ministers-meet-in-almaty.md: differs from the import; "
        "--force overwrites it\n" in result.stderr
    )
    assert "An editor's note." in edited.read_text()
    forced = scofeed("import", "mt", str(DATA / "typepad.txt"), "--force")
    assert forced.exit_code == 0
    assert "overwrote posts/2008-05-19-ministers-meet-in-almaty.md\n" in forced.stdout
    assert "An editor's note." not in edited.read_text()


def test_a_post_retitled_in_the_store_is_still_the_same_post(site: Path) -> None:
    assert scofeed("import", "mt", str(DATA / "typepad.txt")).exit_code == 0
    path = site / "posts" / "2008-05-19-ministers-meet-in-almaty.md"
    path.write_text(path.read_text().replace("title: Ministers meet", "title: Ministers met"))
    result = scofeed("import", "mt", str(DATA / "typepad.txt"))
    assert result.exit_code == 1  # refused, not imported a second time under another name
    assert len(list((site / "posts").glob("*.md"))) == 4


def test_the_same_posts_from_the_archive_page_are_not_imported_twice(site: Path) -> None:
    """An untitled post is matched by its day and first sentence, whatever format gave it."""
    page = site / "page.txt"
    page.write_text(
        "Russian Federation will lead the SCO in 2008-2009, said officials in Moscow. More.\n\n"
        "June 2, 2008 in SCO (RTG) | Permalink\n"
    )
    assert scofeed("import", "archive", str(page)).exit_code == 0
    result = scofeed("import", "mt", str(DATA / "typepad.txt"), "--category", "SCO (RTG)")
    assert result.exit_code == 1
    assert (
        "refused posts/2008-06-02-russian-federation-will-lead-the-sco-in-2008-2009-said.md"
        in result.stderr
    )
    assert len(list((site / "posts").glob("*.md"))) == 3


# --- malformed exports -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "line", "message"),
    [
        (
            "bad-date.txt",
            17,
            'record 3: DATE "13/45/2008" does not parse; write it as MM/DD/YYYY hh:mm:ss AM',
        ),
        (
            "no-date.txt",
            1,
            "record 1: has no DATE line; add one such as DATE: 05/19/2008 02:30:00 PM",
        ),
        (
            "bad-meta-line.txt",
            3,
            'record 1: "this line is no KEY and value" is not a KEY: value line; a record starts '
            "with lines such as TITLE: A title, then a line of five dashes (-----)",
        ),
        (
            "stray-section.txt",
            7,
            'record 1: "Below the rule: this text opens no section." follows a line of five '
            "dashes but opens no section (BODY:, EXTENDED BODY:, EXCERPT:, KEYWORDS:, COMMENT:, "
            "PING:); a line of five dashes inside a text ends it, so change that line",
        ),
        (
            "unterminated.txt",
            8,
            "record 2 is not ended by a line of eight dashes (--------); the export may be cut "
            "short: export it again, or add the line if the record is whole",
        ),
        (
            "bad-status.txt",
            2,
            'record 1: STATUS "Published" is not one of Publish, Draft, Future, Review, Unpublish',
        ),
        (
            "cp1252.txt",
            1,
            "byte 0xe9 is not utf-8; pass --encoding cp1252 (or the export's encoding) or save "
            "the file as UTF-8",
        ),
        (
            "empty.txt",
            None,
            "holds no record; an export is records of lines such as TITLE: A title, each ended "
            "by a line of eight dashes (--------)",
        ),
    ],
)
def test_malformed_exports_say_where_and_write_nothing(
    site: Path, name: str, line: int | None, message: str
) -> None:
    path = DATA / name
    result = scofeed("import", "mt", str(path))
    assert result.exit_code == 1
    where = str(path) if line is None else f"{path}:{line}"
    assert result.stderr.splitlines()[1:] == [f"  {where}: {message}"]
    assert result.stdout == ""
    assert not (site / "posts").exists()


def test_every_problem_is_reported_in_one_run(site: Path) -> None:
    path = DATA / "several-problems.txt"
    result = scofeed("import", "mt", str(path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}: 4 problems in the export; nothing was imported\n"
        f'  {path}:2: record 1: DATE "05/19/2008 13:30:00 PM" does not parse; write it as '
        "MM/DD/YYYY hh:mm:ss AM\n"
        f"  {path}:15: record 3: has no DATE line; add one such as DATE: 05/19/2008 02:30:00 PM\n"
        f'  {path}:15: record 3: STATUS "Maybe" is not one of Publish, Draft, Future, Review, '
        "Unpublish\n"
        f"  {path}:15: record 3: has neither a TITLE nor a BODY; add one, or remove the record\n"
    )
    assert not (site / "posts").exists()


def test_an_export_in_another_encoding_imports_with_encoding(site: Path) -> None:
    result = scofeed("import", "mt", str(DATA / "cp1252.txt"), "--encoding", "cp1252")
    assert result.exit_code == 0, result.stderr
    (path,) = (site / "posts").glob("*.md")
    assert read(path).title == "Café talks – Dushanbe"


def test_a_missing_file_could_not_run(site: Path) -> None:
    result = scofeed("import", "mt", "nowhere.txt")
    assert result.exit_code == 2
    assert result.stderr == "Error: nowhere.txt: no such file or folder\n"


def test_parse_errors_are_values_with_lines() -> None:
    with pytest.raises(InputError) as caught:
        parse_mt("TITLE: x\nDATE: 02/30/2008 10:00:00 AM\n-----\n--------\n", "e.txt")
    assert [str(p) for p in caught.value.problems] == [
        'e.txt:2: record 1: DATE "02/30/2008 10:00:00 AM" does not parse; write it as '
        "MM/DD/YYYY hh:mm:ss AM"
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("05/19/2008 02:30:00 PM", datetime(2008, 5, 19, 14, 30)),
        ("05/19/2008 12:00:00 AM", datetime(2008, 5, 19, 0, 0)),
        ("05/19/2008 12:15:00 PM", datetime(2008, 5, 19, 12, 15)),
        ("5/9/2008 17:45:10", datetime(2008, 5, 9, 17, 45, 10)),  # 24-hour, AM|PM optional
        ("05/19/08 02:30:00 pm", datetime(2008, 5, 19, 14, 30)),  # two-digit year
        ("05/19/2008", date(2008, 5, 19)),
    ],
)
def test_dates_as_movable_type_writes_them(value: str, expected: datetime | date) -> None:
    text = f"TITLE: t\nDATE: {value}\n-----\n--------\n"
    (post,) = parse_mt(text, "e.txt").posts
    assert post.date == expected


# --- file names that cannot escape posts/ ----------------------------------------------------


def test_hostile_titles_make_safe_file_names(site: Path) -> None:
    result = scofeed("import", "mt", str(DATA / "hostile-titles.txt"))
    assert result.exit_code == 0, result.stderr
    posts_dir = site / "posts"
    written = sorted(p for p in site.rglob("*") if p.is_file() and p.suffix == ".md")
    assert len(written) == 10
    for path in written:
        assert path.parent == posts_dir
        assert FILE_NAME.match(path.name), path.name
        assert len(path.name) <= 80
    assert sorted(p.name for p in written) == [
        "2008-05-19-a-b.md",
        "2008-05-19-abs.md",
        "2008-05-19-c-windows-system32.md",
        "2008-05-19-con.md",
        "2008-05-19-etc-passwd.md",
        "2008-05-19-nulbyte.md",
        "2008-05-19-post-2.md",
        "2008-05-19-post.md",
        "2008-05-19-ssh-id-rsa.md",
        "2008-05-19-" + "x" * 60 + ".md",
    ]
    posts, problems = load_posts(posts_dir, tz=UTC)
    assert problems == []
    titles = {p.title for p in posts}
    assert {"../../etc/passwd", "/abs", "..", "NULbyte", "x" * 500, "🎉🚀"} <= titles
    again = scofeed("import", "mt", str(DATA / "hostile-titles.txt"))
    assert again.stderr.endswith("0 created, 0 overwritten, 10 skipped, 0 refused\n")


def test_help_shows_an_example() -> None:
    result = CliRunner().invoke(main, ["import", "mt", "--help"])
    assert result.exit_code == 0
    assert "  Example:\n    scofeed import mt export.txt --category" in result.output


def test_new_post_identity_is_day_and_title() -> None:
    post = NewPost(date=datetime(2008, 5, 19, 23, 59), body="<p>Words here. More.</p>\n")
    assert post.identity == ("2008-05-19", "Words here.")


# --- every bad value a problem with its line; inputs capped (issue 13) ------------------------


def test_every_impossible_date_is_a_problem_with_its_line(site: Path) -> None:
    """February 30, 25:99, 13:00 PM, year 0, hour 0 with AM, minute 60, a year of 5,000
    digits: each is its record's problem, none a traceback, and nothing is imported."""
    path = DATA / "impossible-dates.txt"
    result = scofeed("import", "mt", str(path))
    assert result.exit_code == 1
    bad = [
        (2, 1, "02/30/2008 10:00:00 AM"),
        (9, 2, "05/19/2008 25:99:00"),
        (16, 3, "05/19/2008 13:00:00 PM"),
        (23, 4, "05/19/0000 10:00:00 AM"),
        (30, 5, "05/19/2008 00:30:00 AM"),
        (37, 6, "02/30/2008"),
        (44, 7, "05/19/2008 10:60:00"),
        (51, 8, "05/19/" + "2" * 53 + "…"),  # quoted no longer than 60 characters
    ]
    assert result.stderr == f"Error: {path}: 8 problems in the export; nothing was imported\n" + (
        "".join(
            f'  {path}:{line}: record {record}: DATE "{value}" does not parse; write it as '
            "MM/DD/YYYY hh:mm:ss AM\n"
            for line, record, value in bad
        )
    )
    assert not (site / "posts").exists()
    # The one good record of the file, alone, is read as written.
    text = path.read_text(encoding="utf-8").split("--------\n")[-2] + "--------\n"
    (post,) = parse_mt(text, "e.txt").posts
    assert post.date == datetime(2008, 2, 29, 23, 59, 59)


def test_an_export_over_the_cap_is_refused_before_it_is_read(site: Path) -> None:
    export = site / "huge.txt"
    with export.open("wb") as fh:  # sparse: no room taken on the disk
        fh.truncate(300_000_000)
    result = scofeed("import", "mt", str(export))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {export}: 286.1 MiB is over the 256.0 MiB an export may have; split it into "
        "several files\n"
    )


def test_a_long_line_that_is_no_key_is_reported_shortly() -> None:
    """A key was matched lazily before `[ \\t]*`, which took quadratic time on a long run of
    spaces; and a message quotes no more than 60 characters of the line."""
    line = "TITLE" + " " * 50_000 + "x"
    with pytest.raises(InputError) as caught:
        parse_mt(f"{line}\nDATE: 05/19/2008\n-----\nBODY:\nWords.\n--------\n", "e.txt")
    assert [str(p) for p in caught.value.problems] == [
        f'e.txt:1: record 1: "TITLE{" " * 54}…" is not a KEY: value line; a record starts with '
        "lines such as TITLE: A title, then a line of five dashes (-----)"
    ]
    (post,) = parse_mt("TITLE \t: Spaced\nDATE: 05/19/2008\n-----\n--------\n", "e.txt").posts
    assert post.title == "Spaced"


def test_a_file_reads_as_its_text_does(tmp_path: Path) -> None:
    """The file is decoded a line at a time and let go a record at a time; its text, whole.
    Both give the same export, whatever ends the lines, in UTF-8 or UTF-16."""
    lines = (DATA / "typepad.txt").read_text(encoding="utf-8").split("\n")
    mixed = "".join(line + ("\n", "\r\n", "\r")[n % 3] for n, line in enumerate(lines))
    for data in (
        ("\ufeff" + mixed).encode("utf-8"),
        mixed.encode("utf-16"),  # with a byte order mark
    ):
        path = tmp_path / "export.txt"
        path.write_bytes(data)
        encoding = "utf-16" if data[:2] == b"\xff\xfe" else "utf-8"
        found = read_mt(path, encoding=encoding)
        assert found == parse_mt(mixed, str(path)) == read_mt(DATA / "typepad.txt")
        assert len(found.posts) == 4


def test_a_bad_byte_is_found_on_its_line_whatever_block_it_is_in(tmp_path: Path) -> None:
    good = (DATA / "typepad.txt").read_bytes()
    path = tmp_path / "export.txt"
    path.write_bytes(good * 40 + b"TITLE: Caf\xe9\n")  # far past the first block decoded
    result = CliRunner().invoke(main, ["import", "mt", str(path)])
    assert result.exit_code == 1
    lines = (good * 40).count(b"\n") + 1
    assert result.stderr.splitlines()[1] == (
        f"  {path}:{lines}: byte 0xe9 is not utf-8; pass --encoding cp1252 (or the export's "
        "encoding) or save the file as UTF-8"
    )


@pytest.mark.parametrize(
    ("encoding", "message"),
    [
        ("rot13", "Error: 'rot13' is not an encoding Python knows; try utf-8 or cp1252\n"),
        (
            "undefined",
            "Error: {path}: not undefined\n  {path}: cannot be read as undefined (undefined "
            "encoding); pass --encoding cp1252 (or the export's encoding) or save the file as "
            "UTF-8\n",
        ),
    ],
)
def test_an_encoding_python_cannot_read_text_in_is_no_traceback(
    site: Path, encoding: str, message: str
) -> None:
    """The command refuses a name Python does not know; these it knows, but cannot decode a
    file with."""
    path = DATA / "typepad.txt"
    result = CliRunner().invoke(main, ["import", "mt", str(path), "--encoding", encoding])
    assert result.exit_code == 1
    assert result.stderr == message.format(path=path)


# --- old addresses kept ----------------------------------------------------------------------

BLOG = "https://blog.example.com/sco/"
SITE_TOML = f'base_url = "{BLOG}"\ntimezone = "Asia/Bishkek"\n'
BUILD_NOW = "2026-01-01T00:00:00Z"


def _site(tmp_path: Path, toml: str = SITE_TOML) -> Path:
    (tmp_path / "scofeed.toml").write_text(toml, encoding="utf-8")
    return tmp_path


def _stored(root: Path) -> dict[str, Post]:
    """The project's posts as the build reads them, by file name."""
    config = load_config(root)
    posts, problems = load_posts(config.posts_dir, tz=config.tzinfo)
    assert problems == []
    return {Path(p.source).name: p for p in posts}


def test_typepad_addresses_are_kept_as_permalinks_or_aliases(tmp_path: Path) -> None:
    """Typepad's UNIQUE URLs under base_url stay the posts' addresses, in a real project that
    the real CLI imports into and builds."""
    root = _site(tmp_path)
    export = DATA / "typepad-addresses.txt"
    result = run_cli("import", "mt", str(export), "--timezone", "Europe/Moscow", cwd=root)
    assert result.returncode == 1, result.stderr  # the second claim on one address
    assert result.stderr.splitlines()[1:] == [
        "problem: posts/2008-05-19-sco-summit-in-shanghai.md: its old address "
        f"{BLOG}2008/05/sco_summit_in_.html is already the address of "
        "posts/2008-05-19-sco_summit_in_.md, so this post does not keep it; if the two are "
        "one post, delete one of them",
        f"note: old address {BLOG}?p=12: has a query (?…), which no file below output/ "
        "answers; it is not kept",
        "note: 1 old address (such as https://sco.typepad.com/blog/2008/05/ministers_meet_.html)"
        f" is not under base_url {BLOG}, so no post keeps it; if this site replaces the old "
        f"blog, set base_url in {root / 'scofeed.toml'} to its address (then import again "
        "with --force)",
        "scofeed: 5 posts keep their old address: 2 as their permalink, 3 as an alias",
        "scofeed: 8 created, 0 overwritten, 0 skipped, 0 refused",
    ]

    built = run_cli("build", "--now", BUILD_NOW, cwd=root)
    assert built.returncode == 0, built.stderr
    config = load_config(root)
    posts = _stored(root)

    def page(name: str) -> str:
        return permalink_path(posts[name], config)

    # The URL's own slug, cut to 15 characters by Typepad, not BASENAME; host case aside.
    assert posts["2008-05-19-sco_summit_in_.md"].slug == "sco_summit_in_"
    assert page("2008-05-19-sco_summit_in_.md") == "2008/05/sco_summit_in_.html"
    assert (root / "output" / "2008/05/sco_summit_in_.html").is_file()
    assert posts["2008-05-19-sco_summit_in_.md"].aliases == ()
    # Letters of another script are a slug too: the same %-escapes, byte for byte.
    assert posts["2008-06-03-ШОС.md"].slug == "ШОС"
    assert page("2008-06-03-ШОС.md") == "2008/06/%D0%A8%D0%9E%D0%A1.html"
    # Another pattern, a date that is June in Bishkek, a '+' no slug may hold: aliases.
    for name, alias in [
        ("2008-05-17-from-the-old-archive.md", "archives/000123.html"),
        ("2008-05-31-late-night-in-bishkek.md", "2008/05/late_night_in_b.html"),
        ("2008-06-02-sco-plus-observers.md", "2008/06/sco+observers.html"),
    ]:
        assert posts[name].aliases == (alias,)
        assert page(name) != alias
    assert page("2008-05-31-late-night-in-bishkek.md") == "2008/06/late-night-in-bishkek.html"
    redirect = (root / "output" / "archives/000123.html").read_text(encoding="utf-8")
    assert BLOG + page("2008-05-17-from-the-old-archive.md") in redirect
    # The second claim keeps its own slug and no alias; the other host's and the query's
    # addresses are nobody's.
    for name in [
        "2008-05-19-sco-summit-in-shanghai.md",
        "2008-05-18-ministers-meet-in-almaty.md",
        "2008-06-04-preview.md",
    ]:
        assert posts[name].aliases == ()
    assert page("2008-05-19-sco-summit-in-shanghai.md") == "2008/05/sco-summit-in-shanghai.html"

    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (root / "posts").iterdir()}
    again = run_cli("import", "mt", str(export), "--timezone", "Europe/Moscow", cwd=root)
    assert again.returncode == 1  # the export still claims one address twice
    assert again.stdout.count("skipped ") == 8 and "created" not in again.stdout
    assert again.stderr.endswith("scofeed: 0 created, 0 overwritten, 8 skipped, 0 refused\n")
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (root / "posts").iterdir()}
    assert after == before


def _record(title: str, when: str, url: str, basename: str) -> str:
    return (
        f"TITLE: {title}\nBASENAME: {basename}\nSTATUS: Publish\nDATE: {when}\n"
        f"UNIQUE URL: {url}\n-----\nBODY:\n{title}, the text.\n-----\n--------\n"
    )


def test_no_new_page_takes_an_address_another_record_comes_with(tmp_path: Path) -> None:
    """Typepad exports newest first: a page's address (news.html) cannot stay its permalink,
    and the slug it would get otherwise, `news`, gives 2012/09/news.html, the old address of
    an older post, which keeps it."""
    root = _site(tmp_path)
    export = root / "export.txt"
    export.write_text(
        _record("News", "09/16/2012 10:19:11 AM", f"{BLOG}news.html", "news")
        + _record("News", "09/13/2012 01:39:16 PM", f"{BLOG}2012/09/news.html", "news"),
        encoding="utf-8",
    )
    result = run_cli("import", "mt", str(export), cwd=root)
    assert result.returncode == 0, result.stderr
    assert "problem" not in result.stderr
    assert run_cli("build", "--now", BUILD_NOW, cwd=root).returncode == 0
    config = load_config(root)
    posts = _stored(root)
    older, newer = posts["2012-09-13-news.md"], posts["2012-09-16-news-2.md"]
    assert permalink_path(older, config) == "2012/09/news.html" and older.aliases == ()
    assert permalink_path(newer, config) == "2012/09/news-2.html"
    assert newer.aliases == ("news.html",)
    assert (root / "output" / "news.html").is_file()


def test_a_slug_another_post_has_makes_the_address_an_alias(tmp_path: Path) -> None:
    """Typepad used a basename again in another month; slugs are one per site, so the second
    post's address becomes an alias of a post with a free slug."""
    root = _site(tmp_path)
    (root / "posts").mkdir()
    (root / "posts" / "2007-08-16-no-subject.md").write_text(
        "---\ntitle: Bishkek summit\ndate: 2007-08-16\nslug: no-subject\n---\n\nBishkek.\n",
        encoding="utf-8",
    )
    export = root / "export.txt"
    export.write_text(
        _record("Astana", "07/05/2008 10:00:00 AM", f"{BLOG}2008/07/no-subject.html", "x"),
        encoding="utf-8",
    )
    result = run_cli("import", "mt", str(export), cwd=root)
    assert result.returncode == 0, result.stderr
    assert "scofeed: 1 post keeps its old address: 0 as its permalink, 1 as an alias" in (
        result.stderr
    )
    assert run_cli("build", "--now", BUILD_NOW, cwd=root).returncode == 0
    post = _stored(root)["2008-07-05-x.md"]
    assert post.slug == "x" and post.aliases == ("2008/07/no-subject.html",)


def test_a_post_retitled_since_is_found_by_its_old_address(tmp_path: Path) -> None:
    root = _site(tmp_path)
    export = root / "export.txt"
    export.write_text(
        _record("Summit", "05/19/2008 10:00:00 AM", f"{BLOG}2008/05/summit_in_shan.html", "y"),
        encoding="utf-8",
    )
    assert run_cli("import", "mt", str(export), cwd=root).returncode == 0
    path = root / "posts" / "2008-05-19-summit_in_shan.md"
    path.write_text(path.read_text().replace("title: Summit", "title: The summit"))
    again = run_cli("import", "mt", str(export), cwd=root)
    assert again.returncode == 1  # refused as edited, not imported a second time
    assert "refused posts/2008-05-19-summit_in_shan.md: differs from the import" in again.stderr
    assert [p.name for p in (root / "posts").iterdir()] == ["2008-05-19-summit_in_shan.md"]


def test_without_base_url_no_address_is_kept_and_the_note_says_why(tmp_path: Path) -> None:
    root = tmp_path
    export = root / "export.txt"
    export.write_text(
        _record("Summit", "05/19/2008 10:00:00 AM", f"{BLOG}2008/05/summit_in_shan.html", "y"),
        encoding="utf-8",
    )
    result = run_cli("import", "mt", str(export), cwd=root)
    assert result.returncode == 0
    assert (
        f"note: 1 old address (such as {BLOG}2008/05/summit_in_shan.html) is not under "
        "base_url https://example.org/sco/, so no post keeps it; if this site replaces the old "
        "blog, set base_url in scofeed.toml to its address (then import again with --force)\n"
    ) in result.stderr
    post = _stored(root)["2008-05-19-y.md"]
    assert post.slug == "y" and post.aliases == ()


@pytest.mark.parametrize(
    ("url", "below"),
    [
        ("https://blog.example.com/sco/2008/05/x.html", "2008/05/x.html"),
        ("HTTPS://Blog.Example.COM:443/sco/2008/05/x.html#more", "2008/05/x.html"),
        ("https://blog.example.com/sco/", ""),
        ("https://blog.example.com/sco/a%20b.html", "a%20b.html"),  # as the URL spells it
        ("http://blog.example.com/sco/2008/05/x.html", None),  # another scheme
        ("https://blog.example.com:8443/sco/x.html", None),  # another port
        ("https://blog.example.com/SCO/x.html", None),  # paths are case-sensitive
        ("https://blog.example.com/scoop/x.html", None),
        ("https://example.com/sco/x.html", None),
        ("https://blog.example.com:x/sco/x.html", None),  # no port at all
        ("https://[::1/sco/x.html", None),
    ],
)
def test_the_part_of_an_address_below_base_url(url: str, below: str | None) -> None:
    assert path_below(url, BLOG) == below
