"""`scofeed import archive`: the Typepad category page -> post files, words kept exactly."""

from __future__ import annotations

import re
from datetime import UTC
from pathlib import Path
from typing import cast

import pytest

from scofeed.errors import InputError
from scofeed.importers.archive import escape_markdown, parse_archive
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
