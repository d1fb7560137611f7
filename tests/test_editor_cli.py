"""The editor's commands: `scofeed new`, `scofeed posts`, `scofeed countries`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scofeed.cli import main
from scofeed.posts.post import Post, parse_post
from scofeed.posts.slugs import slug_from_filename
from scofeed.posts.store import load_posts

from conftest import run_cli

NOW = "2026-01-01T00:00:00+00:00"
TOML = 'timezone = "Asia/Tashkent"\nbase_url = "https://news.example.org/sco/"\n'


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with a configuration, the current directory while the test runs."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "scofeed.toml").write_text(TOML)
    return tmp_path


def scofeed(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write_posts(site: Path, posts: dict[str, str]) -> None:
    folder = site / "posts"
    folder.mkdir(exist_ok=True)
    for name, text in posts.items():
        (folder / name).write_text(text, encoding="utf-8")


STORE = {
    "2008-05-19-leaders-in-moscow.md": (
        "---\ntitle: Leaders meet\ndate: 2008-05-19T14:30:00+04:00\n"
        "countries: [Russian Federation, China]\ntags: [summit]\n---\n\nThey met in Moscow.\n"
    ),
    "2008-05-20-almaty.md": (
        "---\ndate: 2008-05-20\n---\n\nTalks in Almaty went well. Both sides agreed.\n"
    ),
    "2008-05-21-dushanbe.md": (
        "---\ntitle: Dushanbe notes\ndate: 2008-05-21\ndraft: true\n---\n\nNotes from Dushanbe.\n"
    ),
    "2030-06-15-summit.md": (
        "---\ntitle: Summit in Bishkek\ndate: 2030-06-15T10:00:00+06:00\n---\n\nBishkek.\n"
    ),
    "2008-05-22-none.md": "---\ntitle: No country\ndate: 2008-05-22\n---\n\nNothing here.\n",
    "2008-05-23-almaty-again.md": (
        "---\ntitle: Almaty again\ndate: 2008-05-23\n---\n\nBack in Almaty.\n"
    ),
}


# --- scofeed new -----------------------------------------------------------------------------


def test_new_writes_a_draft_dated_now_in_the_sites_zone(site: Path) -> None:
    result = scofeed(
        "new",
        "Ministers meet in Astana",
        "--country",
        "kazakhstan",
        "--country",
        "Kirghizia",
        "--tag",
        "ministers",
        "--now",
        "2026-03-01T20:15:42.123+00:00",
    )
    assert result.exit_code == 0, result.stderr
    # 20:15 UTC is already 2 March in Tashkent (UTC+5).
    path = site / "posts" / "2026-03-02-ministers-meet-in-astana.md"
    assert result.stdout == "posts/2026-03-02-ministers-meet-in-astana.md\n"
    assert path.read_text() == (
        "---\n"
        "title: Ministers meet in Astana\n"
        "date: 2026-03-02T01:15:42+05:00\n"
        "countries: [Kazakhstan, Kyrgyzstan]\n"
        "tags: [ministers]\n"
        "slug: ministers-meet-in-astana\n"
        "draft: true  # delete this line to publish\n"
        "---\n"
        "\n"
    )
    post = parse_post(path.read_bytes(), path.name, slug=slug_from_filename(path.name), tz=UTC)
    assert isinstance(post, Post)
    assert post.draft and post.countries == ("Kazakhstan", "Kyrgyzstan")
    assert post.date == datetime(2026, 3, 2, 1, 15, 42, tzinfo=timezone(timedelta(hours=5)))


def test_new_without_countries_leaves_detection_on(site: Path) -> None:
    result = scofeed("new", "Plain", "--no-draft", "--now", NOW)
    assert result.exit_code == 0
    text = (site / "posts" / "2026-01-01-plain.md").read_text()
    assert text == "---\ntitle: Plain\ndate: 2026-01-01T05:00:00+05:00\nslug: plain\n---\n\n"


def test_new_never_overwrites(site: Path) -> None:
    assert scofeed("new", "Summit", "--now", NOW).exit_code == 0
    path = site / "posts" / "2026-01-01-summit.md"
    path.write_text(path.read_text() + "The editor's text.\n")
    again = scofeed("new", "Summit", "--now", NOW)
    assert again.exit_code == 1
    assert again.stderr == (
        "Error: posts/2026-01-01-summit.md already exists; edit it, or pass --slug NAME for a "
        "new post\n"
    )
    assert path.read_text().endswith("The editor's text.\n")
    other_day = scofeed("new", "Summit", "--now", "2026-02-01T00:00:00+00:00")
    assert other_day.exit_code == 1
    assert other_day.stderr == (
        "Error: the slug 'summit' is already used by posts/2026-01-01-summit.md; pass --slug "
        "NAME to give this post another\n"
    )
    assert not (site / "posts" / "2026-02-01-summit.md").exists()
    renamed = scofeed("new", "Summit", "--slug", "Summit 2", "--now", "2026-02-01T00:00:00Z")
    assert renamed.stdout == "posts/2026-02-01-summit-2.md\n"


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["new", "  "], 1, "Error: the title is empty; give the post a title"),
        (
            ["new", "🎉"],
            1,
            "Error: '🎉' has no letters or digits to make a file name of; pass --slug NAME",
        ),
        (
            ["new", "x", "--country", "Atlantis"],
            2,
            "Error: Invalid value for --country: 'Atlantis' is not a country scofeed knows",
        ),
    ],
)
def test_new_refuses_what_it_cannot_file(
    site: Path, args: list[str], status: int, message: str
) -> None:
    result = scofeed(*args)
    assert result.exit_code == status
    assert message in result.stderr
    assert not any((site / "posts").glob("*.md")) if (site / "posts").exists() else True


def test_a_new_draft_stays_out_of_the_feeds(site: Path) -> None:
    write_posts(site, {"2008-05-19-a.md": "---\ntitle: A\ndate: 2008-05-19\n---\n\nText.\n"})
    assert scofeed("new", "Not yet", "--now", "2025-12-31T00:00:00Z").exit_code == 0
    result = run_cli("build", "--now", NOW, cwd=site)
    assert result.returncode == 0, result.stderr
    assert "Not yet" not in (site / "output" / "atom.xml").read_text()
    posts, problems = load_posts(site / "posts", tz=UTC)
    assert problems == [] and len(posts) == 2


# --- scofeed posts ---------------------------------------------------------------------------


def test_posts_lists_status_countries_and_titles(site: Path) -> None:
    write_posts(site, STORE)
    result = scofeed("posts", "--now", NOW)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "2030-06-15 09:00  scheduled  summit             Kyrgyzstan     Summit in Bishkek\n"
        "2008-05-23 00:00  published  almaty-again       Kazakhstan     Almaty again\n"
        "2008-05-22 00:00  published  none               -              No country\n"
        "2008-05-21 00:00  draft      dushanbe           Tajikistan     Dushanbe notes\n"
        "2008-05-20 00:00  published  almaty             Kazakhstan     "
        "Talks in Almaty went well.\n"
        "2008-05-19 15:30  published  leaders-in-moscow  China, Russia  Leaders meet\n"
    )
    assert result.stderr == "scofeed: 6 posts (4 published, 1 draft, 1 scheduled)\n"


def test_posts_as_json(site: Path) -> None:
    write_posts(site, STORE)
    result = scofeed("posts", "--format", "json", "--now", NOW)
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [row["slug"] for row in rows] == [
        "summit",
        "almaty-again",
        "none",
        "dushanbe",
        "almaty",
        "leaders-in-moscow",
    ]
    assert rows[-1] == {
        "path": "posts/2008-05-19-leaders-in-moscow.md",
        "slug": "leaders-in-moscow",
        "date": "2008-05-19T14:30:00+04:00",
        "updated": "2008-05-19T14:30:00+04:00",
        "status": "published",
        "title": "Leaders meet",
        "title_derived": False,
        "countries": ["China", "Russia"],
        "countries_declared": True,
        "tags": ["summit"],
    }
    almaty = rows[4]
    assert almaty["title"] == "Talks in Almaty went well."
    assert almaty["title_derived"] is True
    assert almaty["countries_declared"] is False
    assert almaty["date"] == "2008-05-20T00:00:00+05:00"  # no offset: the site's zone
    assert {row["status"] for row in rows} == {"published", "draft", "scheduled"}


def test_posts_of_one_country(site: Path) -> None:
    write_posts(site, STORE)
    result = scofeed("posts", "--country", "kazakh", "--now", NOW)  # any of its names
    assert result.exit_code == 0
    assert [line.split()[3] for line in result.stdout.splitlines()] == [
        "almaty-again",
        "almaty",
    ]
    unknown = scofeed("posts", "--country", "Atlantis", "--now", NOW)
    assert unknown.exit_code == 2
    assert "'Atlantis' is not a country scofeed knows" in unknown.stderr


def test_bad_posts_are_reported_like_build_does(site: Path) -> None:
    write_posts(
        site,
        {
            **STORE,
            "no-date.md": "---\ntitle: x\n---\n\nText.\n",  # a dated name would date it
            "2008-06-02-bad-date.md": "---\ndate: 19th May\n---\n\nText.\n",
        },
    )
    result = scofeed("posts", "--now", NOW)
    build = run_cli("build", "--now", NOW, cwd=site)
    assert result.exit_code == build.returncode == 1
    assert result.stdout == ""
    assert result.stderr == build.stderr
    assert result.stderr.startswith("Error: 2 post files cannot be read\n")
    assert "posts/no-date.md:" in result.stderr
    assert 'posts/2008-06-02-bad-date.md:2: date "19th May" does not parse' in result.stderr


# --- scofeed countries -----------------------------------------------------------------------


def test_countries_lists_each_country_feed(site: Path) -> None:
    write_posts(site, STORE)
    result = scofeed("countries", "--now", NOW)
    assert result.exit_code == 0, result.stderr
    # Published posts only: the draft (Tajikistan) and the scheduled post (Kyrgyzstan) are in
    # no feed yet.
    assert result.stdout == (
        "China       1  countries/china/rss.xml       countries/china/atom.xml\n"
        "Kazakhstan  2  countries/kazakhstan/rss.xml  countries/kazakhstan/atom.xml\n"
        "Russia      1  countries/russia/rss.xml      countries/russia/atom.xml\n"
    )
    assert result.stderr == "scofeed: 3 country feeds from 4 published posts\n"
    later = scofeed("countries", "--now", "2031-01-01T00:00:00Z")
    assert "Kyrgyzstan  1  countries/kyrgyzstan/rss.xml" in later.stdout


def test_countries_as_json_match_what_build_writes(site: Path) -> None:
    write_posts(site, STORE)
    result = scofeed("countries", "--format", "json", "--now", NOW)
    rows = json.loads(result.stdout)
    assert rows[1] == {
        "country": "Kazakhstan",
        "slug": "kazakhstan",
        "posts": 2,
        "rss": "countries/kazakhstan/rss.xml",
        "atom": "countries/kazakhstan/atom.xml",
        "json": "countries/kazakhstan/feed.json",
        "rss_url": "https://news.example.org/sco/countries/kazakhstan/rss.xml",
        "atom_url": "https://news.example.org/sco/countries/kazakhstan/atom.xml",
        "json_url": "https://news.example.org/sco/countries/kazakhstan/feed.json",
    }
    assert run_cli("build", "--now", NOW, cwd=site).returncode == 0
    built = sorted(
        p.relative_to(site / "output").as_posix()
        for p in (site / "output" / "countries").rglob("*.xml")
    )
    assert built == sorted(path for row in rows for path in (row["rss"], row["atom"]))


def test_an_empty_store(site: Path) -> None:
    (site / "posts").mkdir()
    assert scofeed("posts", "--format", "json").stdout == "[]\n"
    assert scofeed("countries").stdout == ""


# --- help ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["new"], ["posts"], ["countries"], ["import", "mt"], ["import", "feed"]],
)
def test_every_editor_command_has_help_with_an_example(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "  Example:\n    scofeed " + command[0] in result.output


def test_new_help_says_why_posts_start_as_drafts() -> None:
    result = CliRunner().invoke(main, ["new", "--help"])
    assert "starts as a draft (draft: true)" in " ".join(result.output.split())
