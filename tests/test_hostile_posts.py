"""Hostile post stores: every input costs bounded time and memory, every odd file or folder is
named in a clear error (never a traceback, never a hang), a failed cache write publishes
nothing and spoils no later run, no edit goes unseen, no two countries share a folder."""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from scofeed.config import load_config
from scofeed.errors import InputError, OutputError
from scofeed.publish import cache_files
from scofeed.publish.build import build

from conftest import NOW, make_store, post, run_cli, tree

NOW_ISO = NOW.isoformat()


def _alias_bomb() -> str:
    lines = ["date: 2020-01-01", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    return "---\n" + "\n".join(lines) + "\n---\nBody.\n"


# Each case: a file, and the message its post gets. Each must be refused in seconds.
BOMBS: dict[str, tuple[Callable[[], str], str]] = {
    "alias-bomb.md": (
        _alias_bomb,
        "2: front matter expands to over 10,000 values (YAML aliases repeat what they name); "
        "write the values out",
    ),
    "digits.md": (
        lambda: post("date: 2020-01-01\ncomments: " + "9" * 5000),
        "2: front matter holds a number too long to read; shorten it or write it in quotes",
    ),
    "nested-yaml.md": (
        lambda: post("date: 2020-01-01\nx: " + "[" * 5000 + "]" * 5000),
        "front matter is not valid YAML (exceeded maximum nesting depth)",
    ),
    "quotes.md": (
        lambda: post("title: Deep\ndate: 2020-01-01", "Intro.\n\n" + ">" * 100_000 + " x"),
        "8: nests blocks or HTML elements over 100 deep; flatten it",
    ),
    "divs.md": (
        lambda: post("title: Divs\ndate: 2020-01-01", "<div>" * 200_000 + "x" + "</div>" * 200_000),
        "6: nests blocks or HTML elements over 100 deep; flatten it",
    ),
    "lists.md": (
        lambda: post(
            "title: Lists\ndate: 2020-01-01",
            "\n".join("  " * i + "- item" for i in range(300)),
        ),
        "nests blocks or HTML elements over 100 deep; flatten it",
    ),
    "long-country.md": (
        lambda: post("date: 2020-01-01\ncountries: [" + "N" * 300 + "]"),
        "3: countries: 'NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN…NN' is over 200 "
        "characters; shorten it",
    ),
    "wide-country.md": (
        lambda: post("date: 2020-01-01\ncountries: [" + "Ж" * 150 + "]"),
        "3: country 'ЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖ…ЖЖ' is too long to "
        "name a folder; shorten it",
    ),
    "no-folder-country.md": (
        lambda: post('date: 2020-01-01\ncountries: ["\\u037a"]'),
        "3: country 'ͺ' has no letters; write a country's name",
    ),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_every_bomb_is_a_bad_post_found_in_seconds(tmp_path: Path, name: str) -> None:
    make, message = BOMBS[name]
    make_store(tmp_path, 0)
    (tmp_path / "posts" / name).write_text(make())
    started = time.monotonic()
    result = run_cli("build", "--now", NOW_ISO, cwd=tmp_path)
    assert time.monotonic() - started < 10  # generous: each takes well under a second here
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("Error: 1 post file cannot be read\n")
    assert f"  posts/{name}:" in result.stderr and message in result.stderr, result.stderr
    assert not (tmp_path / "output").exists()


def test_odd_files_and_folders_are_named_never_read_or_followed(tmp_path: Path) -> None:
    make_store(tmp_path, 0)
    posts = tmp_path / "posts"
    os.mkfifo(posts / "fifo.md")  # reading it would wait forever
    (posts / "root").symlink_to("/")  # following it would walk the whole machine
    (posts / "loop.md").symlink_to("loop2")
    (posts / "loop2").symlink_to("loop.md")  # not a post's name: nothing to say of it
    (posts / "again").symlink_to(posts)  # the store itself: followed once, no error
    deep = posts / "deep"
    deep.mkdir()
    here = deep
    for _ in range(70):
        here = here / "d"
        here.mkdir()
    (here / "x.md").write_text(post("date: 2020-01-01"))
    result = run_cli("build", "--now", NOW_ISO, cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "Error: 4 post files cannot be read"
    assert lines[1].startswith("  posts/deep/d/d/") and lines[1].endswith(
        "/: folders nest over 64 deep here; flatten them"
    )
    assert lines[2:] == [
        "  posts/fifo.md: is no regular file (a FIFO, a device or a socket); remove it",
        "  posts/loop.md: cannot be read: Too many levels of symbolic links",
        "  posts/root/: links to /, outside the posts folder; copy it in",
    ]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("which", ["output", ".scofeed"])
def test_a_file_where_a_folder_belongs_is_one_clear_error(tmp_path: Path, which: str) -> None:
    make_store(tmp_path, 0)
    (tmp_path / which).write_text("not a folder\n")
    result = run_cli("build", "--now", NOW_ISO, cwd=tmp_path)
    assert result.returncode == 2
    what = "cannot publish there" if which == "output" else "cannot hold the build's lock and cache"
    assert result.stderr.startswith(f"Error: {tmp_path / which}: {what}: it is a file")
    assert result.stderr.count("\n") == 1
    assert (tmp_path / which).read_text() == "not a folder\n"


def test_a_full_disk_under_the_cache_publishes_nothing_and_spoils_no_later_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_store(tmp_path, 5)
    config = load_config(tmp_path)
    build(config, now=NOW)
    before = tree(config.output_dir)
    edited = next((tmp_path / "posts").glob("2010-*.md"))
    edited.write_text(edited.read_text() + "\nTalks in Minsk.\n")

    def full(*args: object, **kwargs: object) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(cache_files, "stage", full)  # the cache's writes, and only them
        with pytest.raises(OutputError) as caught:
            build(config, now=NOW)
    assert str(caught.value) == (
        f"{config.cache_dir}: cannot write the build cache: the disk is full; nothing was "
        "published. Free some space, or set cache_dir to a writable folder"
    )
    assert tree(config.output_dir) == before  # nothing published
    assert build(config, now=NOW).written  # space again: the build goes through
    assert build(config, now=NOW).written == ()  # and the next is a no-op


def test_an_edit_that_keeps_size_and_modification_time_is_seen(tmp_path: Path) -> None:
    make_store(tmp_path, 3)
    config = load_config(tmp_path)
    build(config, now=NOW)
    path = next((tmp_path / "posts").glob("2010-*.md"))
    stat = path.stat()
    text = path.read_text()
    path.write_text(text.replace("Officials met", "Ministers met", 1)[: len(text)])
    assert path.stat().st_size == stat.st_size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as rsync -t or touch -d do
    report = build(config, now=NOW)
    assert "rss.xml" in report.written
    assert b"Ministers met" in (config.output_dir / "rss.xml").read_bytes()


def test_countries_that_make_one_folder_are_one_country(tmp_path: Path) -> None:
    make_store(tmp_path, 0)
    for day, name in ((1, "Foo Bar"), (2, "foo-bar"), (3, "foo-bar")):
        (tmp_path / "posts" / f"2020-01-0{day}-post-{day}.md").write_text(
            post(f"date: 2020-01-0{day}\ncountries: [{name}]", f"Post {day}.")
        )
    config = load_config(tmp_path)
    report = build(config, now=NOW)
    [spec] = [s for s in report.feeds if s.folder == "countries/foo-bar/"]
    assert spec.country == "foo-bar" and len(spec.entries) == 3  # no post dropped
    rss = (config.output_dir / "countries/foo-bar/rss.xml").read_bytes()
    assert rss.count(b"<item>") == 3 and b"Foo Bar" not in rss


def test_a_country_without_a_folder_name_is_refused(tmp_path: Path) -> None:
    make_store(tmp_path, 0)
    (tmp_path / "posts" / "x.md").write_text(post('date: 2020-01-01\ncountries: ["\\u037a"]'))
    with pytest.raises(InputError):
        build(load_config(tmp_path), now=NOW)
    assert not (tmp_path / "output" / "countries").exists()
