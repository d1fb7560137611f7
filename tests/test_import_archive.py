"""`scofeed import archive`: the Typepad category page -> post files, words kept exactly."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import cast

import pytest
from click.testing import CliRunner, Result

from scofeed.cli import main
from scofeed.errors import InputError
from scofeed.importers import archive as archive_module
from scofeed.importers.archive import escape_markdown, parse_archive, read_archive
from scofeed.posts.post import Post, parse_post
from scofeed.posts.slugs import slug_from_filename
from scofeed.posts.text import plain_text_blocks, render_html

from conftest import POSTS, run_cli, tree

# The Typepad archive page posts/ was imported from (shared/seed/000_567ac5c925efd7a1.txt of the
# design card), kept here so the tests need nothing outside the repository.
SEED = Path(__file__).parent / "data" / "seed" / "sco-rtg-archive.txt"


def test_posts_folder_is_exactly_what_the_importer_makes(tmp_path: Path) -> None:
    result = run_cli("import", "archive", str(SEED), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "scofeed: 10 created, 0 overwritten, 0 skipped, 0 refused"
    assert tree(tmp_path / "posts") == tree(POSTS)


def test_importing_again_adds_nothing(tmp_path: Path) -> None:
    run_cli("import", "archive", str(SEED), cwd=tmp_path)
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "posts").iterdir()}
    again = run_cli("import", "archive", str(SEED), cwd=tmp_path)
    assert again.returncode == 0
    assert again.stderr.strip() == "scofeed: 0 created, 0 overwritten, 10 skipped, 0 refused"
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "posts").iterdir()} == before


def test_a_post_edited_since_is_refused_then_forced(tmp_path: Path) -> None:
    run_cli("import", "archive", str(SEED), cwd=tmp_path)
    edited = next((tmp_path / "posts").glob("2006-05-31-*.md"))
    edited.write_text(edited.read_text() + "\nAn editor's note.\n")
    result = run_cli("import", "archive", str(SEED), cwd=tmp_path)
    assert result.returncode == 1
    assert f"refused posts/{edited.name}: differs from the import; --force overwrites it" in (
        result.stderr
    )
    assert "An editor's note." in edited.read_text()
    forced = run_cli("import", "archive", str(SEED), "--force", cwd=tmp_path)
    assert forced.returncode == 0
    assert f"overwrote posts/{edited.name}" in forced.stdout
    assert "An editor's note." not in edited.read_text()


def _seed_blocks() -> list[tuple[str | None, list[str]]]:
    """The seed's posts as (title, paragraphs of words), read independently of the importer."""
    text = SEED.read_text(encoding="utf-8")
    chunks = re.split(r"\n[A-Z][a-z]+ \d{1,2}, \d{4} in SCO \(RTG\)[^\n]*(?:\n|$)", "\n" + text)
    out = []
    for chunk in chunks:
        paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", chunk.strip()) if p.strip()]
        if not paras:
            continue
        short = len(paras) > 1 and len(paras[0]) <= 150
        title = paras[0] if short and not paras[0].endswith((".", "!", "?", '"')) else None
        body = paras[1:] if title else paras
        # A bulleted list is one block of lines in the page and one <ul> in the feed.
        out.append((title, [p.replace("• ", "") for p in body]))
    return out


def test_words_stay_exactly_as_written() -> None:
    posts = sorted(POSTS.glob("*.md"), reverse=True)  # newest first, like the page
    expected = _seed_blocks()
    assert len(posts) == len(expected) == 10
    untitled = 0
    for path, (title, paragraphs) in zip(posts, expected, strict=True):
        p = parse_post(path.read_bytes(), path.name, slug=slug_from_filename(path.name), tz=UTC)
        assert isinstance(p, Post)
        assert p.title == title
        untitled += p.title is None
        html = render_html(p, "https://example.org/x.html")
        assert [" ".join(b.split()) for b in plain_text_blocks(html)] == paragraphs
    assert untitled == 4


def test_dates_categories_and_comments_are_carried() -> None:
    page = parse_archive(SEED.read_text(encoding="utf-8"), "seed.txt")
    assert [p.meta["comments"] for p in page] == [2, 0, 0, 0, 0, 1, 0, 0, 0, 0]
    assert {tuple(cast("list[str]", p.meta["categories"])) for p in page} == {("SCO (RTG)",)}
    assert page[0].date.isoformat() == "2008-05-19"
    assert "countries" not in page[0].meta


def test_same_title_same_day_gets_distinct_slugs(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text(
        "Weekly Notes\n\nFirst text.\n\nMay 2, 2008 in SCO (RTG) | Permalink\n\n"
        "Weekly Notes\n\nSecond text.\n\nMay 2, 2008 in SCO (RTG) | Permalink\n\n"
        "Weekly Notes\n\nThird text, a week on.\n\nMay 9, 2008 in SCO (RTG) | Permalink\n"
    )
    result = run_cli("import", "archive", str(page), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "posts").iterdir()) == [
        "2008-05-02-weekly-notes-2.md",
        "2008-05-02-weekly-notes.md",
        "2008-05-09-weekly-notes-3.md",
    ]
    again = run_cli("import", "archive", str(page), cwd=tmp_path)
    assert "0 created, 0 overwritten, 3 skipped" in again.stderr
    assert (
        run_cli("build", "-q", "--now", "2026-01-01T00:00:00+00:00", cwd=tmp_path).returncode == 0
    )


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("Just some text\n", None, "no post footer found"),
        ("Text.\n\nMay 2, 2008 in SCO (RTG) | Permalink\n\nTrailing words\n", 5, "text after"),
        ("\nMay 2, 2008 in SCO (RTG) | Permalink\n", 2, "no post text above it"),
    ],
)
def test_malformed_pages_say_where(text: str, line: int | None, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_archive(text, "page.txt")
    (problem,) = caught.value.problems
    assert problem.line == line and message in problem.message


def test_malformed_page_writes_nothing(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("Nothing that looks like a post\n")
    result = run_cli("import", "archive", str(page), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ")
    assert not (tmp_path / "posts").exists() or not any((tmp_path / "posts").iterdir())


@pytest.mark.parametrize(
    "text",
    [
        "*not emphasis* and _this_",
        "1. not a list",
        "# not a heading",
        "<b>not html</b> &amp;",
        "- x",
    ],
)
def test_escaped_markdown_renders_the_same_words(text: str) -> None:
    p = Post(path="x", slug="x", date=None, updated=None, body=escape_markdown(text))  # type: ignore[arg-type]
    assert plain_text_blocks(render_html(p, "https://example.org/")) == [text]


# --- every bad value a problem with its line; inputs capped (issue 13) ------------------------

DATA = Path(__file__).parent / "data" / "archive"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder, the current directory while the test runs."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def scofeed(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_impossible_dates_times_and_counts_are_problems_with_their_lines(site: Path) -> None:
    path = DATA / "impossible-footers.txt"
    result = scofeed("import", "archive", str(path))
    assert result.exit_code == 1
    fix = "correct it in this footer line"
    assert result.stderr == (
        f"Error: {path}: 5 problems on the page; nothing was imported\n"
        f'  {path}:5: post 1: the date "February 30, 2008" is not on the calendar: February '
        f"2008 has days 1 to 29; {fix}\n"
        f'  {path}:9: post 2: the time "25:99" is not a time of day: hours go from 0 to 23 and '
        f"minutes from 0 to 59; {fix}, such as 2:30 PM or 14:30\n"
        f'  {path}:13: post 3: the time "13:00 PM" is not a time of day: with AM or PM, hours go '
        f"from 1 to 12 and minutes from 0 to 59; {fix}, such as 2:30 PM or 14:30\n"
        f'  {path}:17: post 4: the date "May 21, 0000" is not on the calendar: there is no year '
        f"0; {fix}\n"
        f'  {path}:21: post 5: "Comments ({"9" * 20}…)" counts more comments than any post has '
        f"(a number of 5,000 digits); {fix}\n"
    )
    assert result.stdout == ""
    assert not (site / "posts").exists()


@pytest.mark.parametrize(
    ("footer", "expected"),
    [
        ("May 2, 2008 at 12:05 AM in A", datetime(2008, 5, 2, 0, 5)),
        ("May 2, 2008 at 12:30 PM in A", datetime(2008, 5, 2, 12, 30)),
        ("May 2, 2008 at 2:30PM in A", datetime(2008, 5, 2, 14, 30)),
        ("May 2, 2008 at 0:05 in A", datetime(2008, 5, 2, 0, 5)),
        ("May 2, 2008 at 23:59 in A", datetime(2008, 5, 2, 23, 59)),
        ("February 29, 2008 in A", date(2008, 2, 29)),
        ("May 2, 0001 in A", date(1, 5, 2)),
    ],
)
def test_every_real_date_and_time_is_read(footer: str, expected: date) -> None:
    (post,) = parse_archive(f"Words.\n\n{footer} | Permalink\n", "page.txt")
    assert post.date == expected


CLOCKS = "; correct it in this footer line, such as 2:30 PM or 14:30"


@pytest.mark.parametrize(
    ("footer", "message"),
    [
        ("February 29, 2009", 'the date "February 29, 2009" is not on the calendar: February '
         "2009 has days 1 to 28; correct it in this footer line"),
        ("April 0, 2008", 'the date "April 0, 2008" is not on the calendar: April 2008 has days '
         "1 to 30; correct it in this footer line"),
        ("May 2, 2008 at 0:30 AM", 'the time "0:30 AM" is not a time of day: with AM or PM, '
         "hours go from 1 to 12 and minutes from 0 to 59" + CLOCKS),
        ("May 2, 2008 at 10:60", 'the time "10:60" is not a time of day: hours go from 0 to 23 '
         "and minutes from 0 to 59" + CLOCKS),
    ],
)  # fmt: skip
def test_each_impossible_footer_value_says_what_is_wrong(footer: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_archive(f"Words.\n\n{footer} in A | Permalink\n", "page.txt")
    assert [str(p) for p in caught.value.problems] == [f"page.txt:3: post 1: {message}"]


def test_a_page_over_the_cap_is_refused_before_it_is_read(site: Path) -> None:
    page = site / "huge.txt"
    with page.open("wb") as fh:  # sparse: 203 MB that take no room on the disk
        fh.truncate(203_000_000)
    result = scofeed("import", "archive", str(page))
    assert result.exit_code == 2  # too big to read is "could not run", as for the other importers
    assert result.stderr == (
        f"Error: {page}: 193.6 MiB is over the 64.0 MiB an archive page may have; save it as "
        "several pages\n"
    )
    assert archive_module.MAX_ARCHIVE_BYTES == 64 * 2**20
    assert not (site / "posts").exists()


def test_the_cap_applies_to_the_bytes(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive_module, "MAX_ARCHIVE_BYTES", 1000)
    size = SEED.stat().st_size
    result = scofeed("import", "archive", str(SEED))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {SEED}: {size:,} bytes is over the 1,000 bytes an archive page may have; save "
        "it as several pages\n"
    )


def test_a_missing_page_could_not_run(site: Path) -> None:
    result = scofeed("import", "archive", "nowhere.txt")
    assert result.exit_code == 2
    assert result.stderr == "Error: nowhere.txt: no such file or folder\n"


def test_a_page_not_in_utf8_names_its_line(site: Path) -> None:
    page = site / "page.txt"
    page.write_bytes(b"Words.\r\n\r\nMay 2, 2008 in A | Permalink\rCaf\xe9.\n")
    result = scofeed("import", "archive", str(page))
    assert result.exit_code == 1
    assert (
        result.stderr == f"Error: {page}: not UTF-8\n  {page}:4: is not UTF-8; save it as UTF-8\n"
    )


def test_a_file_reads_as_its_text_does(tmp_path: Path) -> None:
    """The file is read a line at a time; its text, whole. Both see the same lines, whatever
    ends them (LF, CRLF, CR) and with a byte order mark."""
    text = (
        "\ufeffTitle\r\n\r\nÉtat *des* lieux 🎉\r• one\n• two\n\nMay 2, 2008 in A | Comments (3)\n"
    )
    page = tmp_path / "page.txt"
    page.write_bytes(text.encode("utf-8"))
    (post,) = read_archive(page)
    assert [post] == parse_archive(text, str(page))
    assert post.title == "Title"
    assert post.body == "État \\*des\\* lieux 🎉\n- one\n- two\n"
    assert post.meta == {"categories": ["A"], "comments": 3}


def test_a_footer_with_a_long_run_of_spaces_is_read() -> None:
    """Its category was matched lazily before `\\s*`, which took quadratic time: 50,000
    spaces would have taken half a minute."""
    (post,) = parse_archive("Words.\n\nMay 2, 2008 in A" + " " * 50_000 + "B | x\n", "page.txt")
    assert post.meta["categories"] == ["A" + " " * 50_000 + "B"]
    (post,) = parse_archive("Words.\n\nMay 2, 2008 in   | Permalink\n", "page.txt")
    assert "categories" not in post.meta  # blank, not [""]
