"""`scofeed build` as users and cron run it: real subprocesses, real files."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from scofeed.publish.lock import build_lock

from conftest import GOLDEN, POSTS, REPO, post, run_cli, tree

NOW = "2026-01-01T00:00:00+00:00"


def _seed_project(root: Path) -> Path:
    shutil.copytree(POSTS, root / "posts")
    return root


def test_build_with_no_configuration(tmp_path: Path) -> None:
    root = _seed_project(tmp_path)
    result = run_cli("build", "--now", NOW, cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith(
        "scofeed: 10 posts read (10 published), 85 files written, 0 unchanged in output/"
    )
    built = tree(root / "output")
    assert built == {k: v for k, v in tree(GOLDEN).items()}


def test_no_op_rebuild_touches_nothing_and_quiet_prints_nothing(tmp_path: Path) -> None:
    root = _seed_project(tmp_path)
    assert run_cli("build", "--now", NOW, cwd=root).returncode == 0
    files = sorted(p for p in (root / "output").rglob("*") if p.is_file())
    assert len(files) == 85  # feeds, JSON feeds, embed fragments, pages, OPML, embed.js, sitemap…
    before = {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in files}
    again = run_cli("build", "--now", NOW, "--quiet", cwd=root)
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
    assert {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in files} == before
    verbose = run_cli("build", "--now", NOW, "-vv", cwd=root)
    assert "unchanged output/rss.xml" in verbose.stdout
    assert "0 files written, 85 unchanged" in verbose.stderr


def test_a_changed_post_rewrites_only_its_feeds(tmp_path: Path) -> None:
    root = _seed_project(tmp_path)
    run_cli("build", "--now", NOW, cwd=root)
    target = next((root / "posts").glob("2008-05-13-*.md"))
    target.write_text(target.read_text() + "\nA new sentence.\n")
    result = run_cli("build", "--now", NOW, "-v", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [  # its page; its neighbours' and listings' bytes stay
        "wrote output/2008/05/russian-federation-will-lead-the-shanghai-cooperation.html",
        "wrote output/atom.xml",
        "wrote output/countries/russia/atom.xml",
        "wrote output/countries/russia/feed.json",
        "wrote output/countries/russia/rss.xml",
        "wrote output/feed.json",
        "wrote output/rss.xml",
    ]


def test_bad_posts_are_all_reported_and_nothing_is_published(tmp_path: Path) -> None:
    root = _seed_project(tmp_path)
    assert run_cli("build", "--now", NOW, cwd=root).returncode == 0
    before = tree(root / "output")
    mtimes = {p: p.stat().st_mtime_ns for p in (root / "output").rglob("*.xml")}
    (root / "posts" / "2026-01-01-new.md").write_text(
        post("title: New\ndate: 2025-01-01", "Moscow.")
    )
    (root / "posts" / "bad-date.md").write_text(post("date: 19th May"))
    (root / "posts" / "no-date.md").write_text(post("title: x"))
    result = run_cli("build", "--now", NOW, cwd=root)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Error: 2 post files cannot be read",
        '  posts/bad-date.md:2: date "19th May" does not parse; write it as 2008-05-19 or '
        "2008-05-19T14:30:00+06:00",
        "  posts/no-date.md:1: has no date; add a line such as date: 2008-05-19 to the front "
        "matter, or start the file's name with the date (2008-05-19-name.md)",
    ]
    assert tree(root / "output") == before
    assert {p: p.stat().st_mtime_ns for p in (root / "output").rglob("*.xml")} == mtimes


def test_identical_bytes_whatever_the_clock_zone_locale_hash_seed_or_file_order(
    tmp_path: Path,
) -> None:
    results = []
    for n, (tz, lang, seed, now) in enumerate(
        [
            ("Asia/Tokyo", "tr_TR.UTF-8", "1", NOW),
            ("America/St_Johns", "C", "2", "2031-07-15T23:59:59-09:30"),
        ]
    ):
        root = tmp_path / f"run{n}"
        (root / "posts").mkdir(parents=True)
        names = sorted(p.name for p in POSTS.glob("*.md"))
        for name in names if n == 0 else reversed(names):  # another directory order
            shutil.copy(POSTS / name, root / "posts" / name)
        env = {**os.environ, "TZ": tz, "LANG": lang, "LC_ALL": lang, "PYTHONHASHSEED": seed}
        result = run_cli("build", "--now", now, cwd=root, env=env)
        assert result.returncode == 0, result.stderr
        results.append(tree(root / "output"))
    assert results[0] == results[1]


def test_stale_country_feeds_are_removed(tmp_path: Path) -> None:
    (tmp_path / "posts").mkdir()
    story = tmp_path / "posts" / "x.md"
    story.write_text(post("date: 2020-01-01", "Talks in Minsk."))
    run_cli("build", "--now", NOW, cwd=tmp_path)
    assert (tmp_path / "output/countries/belarus/rss.xml").is_file()
    story.write_text(post("date: 2020-01-01", "Talks in Kabul."))
    result = run_cli("build", "--now", NOW, "-v", cwd=tmp_path)
    assert "removed output/countries/belarus/rss.xml" in result.stdout
    assert not (tmp_path / "output/countries/belarus").exists()
    assert (tmp_path / "output/countries/afghanistan/rss.xml").is_file()


def test_a_second_build_waits_for_no_one_and_says_so(tmp_path: Path) -> None:
    _seed_project(tmp_path)
    with build_lock(tmp_path / ".scofeed"):
        result = run_cli("build", "--now", NOW, cwd=tmp_path)
    assert result.returncode == 2
    assert "another build is running (pid" in result.stderr
    assert not (tmp_path / "output").exists()
    assert run_cli("build", "--now", NOW, cwd=tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('base_url = "example.org"\n', "base_url 'example.org' must be an absolute http(s) URL"),
        ("feed_limit = 'ten'\n", "feed_limit must be a whole number, not 'ten'"),
        ("titel = 'x'\n", "unknown key 'titel'"),
        ("timezone = 'Mars/Olympus'\n", "timezone 'Mars/Olympus' is unknown"),
        ("title = \n", "not valid TOML"),
    ],
)
def test_bad_configuration_is_a_usage_error(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "scofeed.toml").write_text(toml)
    result = run_cli("build", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("Error: ") and message in result.stderr


def test_command_line_paths_are_relative_to_where_it_runs(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "scofeed.toml").write_text('output_dir = "public"\n')
    shutil.copytree(POSTS, tmp_path / "here")
    result = run_cli(
        "build", "--config", "site/scofeed.toml", "--posts", "here", "--now", NOW, "-q",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "public" / "atom.xml").is_file()  # the file's own path: its folder


def test_a_missing_post_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("build", "--posts", "nope", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr
        == f"Error: {tmp_path / 'nope'}: no such folder; create it, or pass --posts DIR\n"
    )
    assert not (tmp_path / "output").exists()


def test_flags_override_paths(tmp_path: Path) -> None:
    shutil.copytree(POSTS, tmp_path / "elsewhere")
    result = run_cli(
        "build", "--posts", "elsewhere", "--output", "public", "--now", NOW, "-q", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "public" / "atom.xml").is_file()


def test_every_command_has_help_with_an_example() -> None:
    for args in (["build"], ["validate"], ["import", "archive"]):
        result = run_cli(*args, "--help", cwd=REPO)
        assert result.returncode == 0
        assert "Example:" in result.stdout


def test_a_deleted_posts_page_goes_even_when_the_cache_is_dropped(tmp_path: Path) -> None:
    # A new configuration (or an upgrade) drops the keyed cache; what the last build published
    # is still known, so the page of a post deleted meanwhile does not linger.
    root = _seed_project(tmp_path)
    assert run_cli("build", "--now", NOW, cwd=root).returncode == 0
    page = root / "output/2008/05/russian-federation-will-lead-the-shanghai-cooperation.html"
    assert page.is_file()
    next((root / "posts").glob("2008-05-13-*.md")).unlink()
    (root / "scofeed.toml").write_text('title = "SCO news"\n')
    result = run_cli("build", "--now", NOW, "-v", cwd=root)
    assert result.returncode == 0, result.stderr
    assert not page.exists()
    assert "removed output/2008/05/russian-federation-will-lead-the-shanghai-cooperation.html" in (
        result.stdout
    )
    (root / "output" / "mine.html").write_text("not scofeed's")
    assert run_cli("build", "--now", NOW, cwd=root).returncode == 0
    assert (root / "output" / "mine.html").read_text() == "not scofeed's"


def test_stale_tag_folders_and_archive_documents_go_even_when_the_cache_is_dropped(
    tmp_path: Path,
) -> None:
    (tmp_path / "posts").mkdir()
    (tmp_path / "scofeed.toml").write_text("feed_limit = 1\narchive_size = 1\n")
    for day in (1, 2, 3):
        (tmp_path / "posts" / f"2020-01-0{day}-x{day}.md").write_text(
            post(f"date: 2020-01-0{day}\ntags: [gas]", "Talks.")
        )
    run_cli("build", "--now", NOW, cwd=tmp_path)
    out = tmp_path / "output"
    assert (out / "tags/gas/history/2/atom.xml").is_file() and (out / "history/2").is_dir()
    shutil.rmtree(tmp_path / ".scofeed")
    (tmp_path / "posts/2020-01-03-x3.md").unlink()
    (tmp_path / "posts/2020-01-02-x2.md").write_text(post("date: 2020-01-02", "Talks."))
    assert run_cli("build", "--now", NOW, cwd=tmp_path).returncode == 0
    assert not (out / "history/2").exists() and (out / "history/1/rss.xml").is_file()
    assert not (out / "tags/gas/history").exists()  # gas holds one post now: complete
    assert (out / "tags/gas/rss.xml").is_file()
