"""The build cache can never serve stale output: it is keyed by scofeed's own code, the
libraries that shape output, the configuration and its own format; and a cache that does not
match (other code, another shape, a torn or planted file) means a clean build, never a crash or
a mix of old and new rendering."""

from __future__ import annotations

import dataclasses
import importlib.metadata
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import scofeed
from scofeed.config import Config, load_config
from scofeed.posts import store
from scofeed.posts.countries import load_gazetteer
from scofeed.posts.post import Post, parse_post, post_of
from scofeed.publish import cache as cache_module
from scofeed.publish.build import build
from scofeed.publish.cache import LIBRARIES, cache_key, library_versions
from scofeed.publish.cache_entries import StoredEntries
from scofeed.site import entries as entries_module

from conftest import NOW, clean_build, make_store, notes, post, tree

NOW_ISO = NOW.isoformat()
PACKAGE = Path(scofeed.__file__).parent


def _build_with(code: Path | None, site: Path) -> subprocess.CompletedProcess[str]:
    """`scofeed build` in a real process, run from `code` (a copy of the package) if given."""
    env = {**os.environ, "PYTHONPATH": str(code)} if code is not None else None
    return subprocess.run(
        [sys.executable, "-m", "scofeed", "build", "--now", NOW_ISO, "-q"],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _generators(output: Path) -> set[bytes]:
    """The generator line of every RSS and Atom feed."""
    found = set()
    for path, data in tree(output).items():
        if path.endswith(".xml"):
            found |= {line.strip() for line in data.splitlines() if b"generator" in line}
    return found


def test_the_configuration_named_by_another_path_keeps_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--config scofeed.toml` from the site's folder and the same file by its absolute path
    are one site: the second build is a no-op, not a clean build (hours at a million posts)."""
    site = tmp_path / "site"
    make_store(site, 3)
    (site / "scofeed.toml").write_text('base_url = "https://example.org/sco/"\n')
    monkeypatch.chdir(site)
    first = build(load_config(Path("."), Path("scofeed.toml")), now=NOW)
    assert first.feeds  # a build that planned
    again = build(load_config(site, site / "scofeed.toml"), now=NOW)
    assert again.feeds == () and again.written == ()  # the no-op's own answer


def test_changed_code_over_an_existing_cache_rebuilds_everything(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_store(site, 20)
    assert _build_with(None, site).returncode == 0
    original = _generators(site / "output")

    # A changed copy of scofeed, as an upgrade or a local edit would be: one renderer differs.
    code = tmp_path / "code"
    shutil.copytree(PACKAGE, code / "scofeed", ignore=shutil.ignore_patterns("__pycache__"))
    feeds = code / "scofeed" / "site" / "feeds.py"
    text = feeds.read_text()
    assert 'fg.generator("scofeed", uri=HOMEPAGE)' in text
    feeds.write_text(text.replace('fg.generator("scofeed",', 'fg.generator("scofeed-changed",'))

    result = _build_with(code, site)
    assert result.returncode == 0, result.stderr
    changed = _generators(site / "output")
    assert changed and changed.isdisjoint(original)  # every feed, none left as it was
    assert all(b"scofeed-changed" in line for line in changed)

    # One post edited: the feeds it is in and the others agree, all of the new code.
    post = next((site / "posts").glob("2010-*.md"))
    post.write_text(post.read_text() + "\nMore in Moscow.\n")
    assert _build_with(code, site).returncode == 0
    assert _generators(site / "output") == changed

    # And back to the original code: every feed as it renders them.
    assert _build_with(None, site).returncode == 0
    assert _generators(site / "output") == original
    assert tree(site / "output") == clean_build(site / "posts", tmp_path / "ref")


def test_the_installed_versions_of_the_libraries_key_the_cache() -> None:
    versions = dict(library_versions())
    assert set(versions) == set(LIBRARIES)
    for name in LIBRARIES:
        assert versions[name] == importlib.metadata.version(name)


def _parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The posts parsed from their files from now on (not taken from the cache)."""
    parsed: list[str] = []
    real = parse_post

    def counting(data: bytes, path: str, **kwargs: Any) -> Any:
        parsed.append(path)
        return real(data, path, **kwargs)

    monkeypatch.setattr(store, "parse_post", counting)
    return parsed


def test_an_upgraded_library_means_a_clean_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_store(tmp_path, 5)
    config = load_config(tmp_path)
    build(config, now=NOW)
    parsed = _parses(monkeypatch)
    assert build(config, now=NOW).feeds == ()  # a no-op: nothing read
    assert parsed == []
    upgraded = tuple((n, "99.0" if n == "nh3" else v) for n, v in library_versions())
    monkeypatch.setattr(cache_module, "library_versions", lambda: upgraded)
    report = build(config, now=NOW)
    assert report.feeds and len(parsed) == 15  # every post read again, every feed planned


def test_the_posts_taken_from_the_cache_are_the_parsed_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`post_of` makes the cached posts without `Post.__init__`: they must be Posts all the
    same, equal to the parsed ones field by field, and as frozen and hashable."""
    make_store(tmp_path, 12)
    config = load_config(tmp_path)
    build(config, now=NOW)
    detect = load_gazetteer(config.gazetteer, config.where).detect

    def read(cache: cache_module.BuildCache | None) -> list[Post]:
        posts, problems = store.load_posts(
            config.posts_dir, tz=config.tzinfo, detect=detect, shown_from=config.root, cache=cache
        )
        assert [p for p in problems if not p.warning] == []
        return posts

    parsed = read(None)
    counted = _parses(monkeypatch)
    cached = read(cache_module.BuildCache.load(config.cache_dir, _key(config)))
    assert counted == [] and len(cached) == len(parsed) > 12  # every one from the cache
    for old, new in zip(parsed, cached, strict=True):
        assert type(new) is Post and new == old and hash(new) == hash(old)
        assert [getattr(new, n) for n in Post.__slots__] == [
            getattr(old, n) for n in Post.__slots__
        ]
        assert pickle.loads(pickle.dumps(new)) == new  # noqa: S301 - made here
        assert dataclasses.replace(new, title="other").title == "other"
        with pytest.raises(dataclasses.FrozenInstanceError):
            new.title = "changed"  # type: ignore[misc]
    with pytest.raises(TypeError):  # a field short is refused, never left to its default
        post_of([getattr(parsed[0], n) for n in Post.__slots__][:-1])


def _key(config: Config) -> str:
    return cache_key(config, load_gazetteer(config.gazetteer, config.where))


def _load(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        data: dict[str, Any] = pickle.load(fh)  # noqa: S301 - our own file, in a test
    return data


def _dump(path: Path, data: object) -> None:
    path.write_bytes(pickle.dumps(data))


Corruption = Callable[[Path, str], None]


def _garbage(cache_dir: Path, key: str) -> None:
    for name in ("build.pickle", "posts.pickle"):
        (cache_dir / name).write_bytes(os.urandom(3000))


def _torn(cache_dir: Path, key: str) -> None:
    for name in ("build.pickle", "posts.pickle"):
        data = (cache_dir / name).read_bytes()
        (cache_dir / name).write_bytes(data[: len(data) // 2])


def _empty(cache_dir: Path, key: str) -> None:
    for name in ("build.pickle", "posts.pickle"):
        (cache_dir / name).write_bytes(b"")


def _not_a_dict(cache_dir: Path, key: str) -> None:
    _dump(cache_dir / "build.pickle", ["format", 6])
    _dump(cache_dir / "posts.pickle", 42)


def _planted_class(cache_dir: Path, key: str) -> None:
    _dump(cache_dir / "build.pickle", Path("/etc/passwd"))


def _older_records(cache_dir: Path, key: str) -> None:
    """A record one field short, as a cache written before `Post` gained a field would be."""
    data = _load(cache_dir / "posts.pickle")
    data["posts"] = {k: (v[0], v[1][:-1]) for k, v in data["posts"].items()}
    _dump(cache_dir / "posts.pickle", data)


def _bad_dates(cache_dir: Path, key: str) -> None:
    data = _load(cache_dir / "posts.pickle")
    data["posts"] = {k: (v[0], ("x", "yesterday", *v[1][2:])) for k, v in data["posts"].items()}
    _dump(cache_dir / "posts.pickle", data)


def _shared_values_cut(cache_dir: Path, key: str) -> None:
    """Records naming shared values (tags, countries, authors) past the end of the table."""
    data = _load(cache_dir / "posts.pickle")
    assert data["shared"], "the records share their tags and countries"
    data["shared"] = data["shared"][:1]
    _dump(cache_dir / "posts.pickle", data)


def _shared_values_odd(cache_dir: Path, key: str) -> None:
    """A table of shared values holding what this code never writes (a list, a number)."""
    data = _load(cache_dir / "posts.pickle")
    data["shared"] = [*data["shared"], ["a", "list"], 42]
    _dump(cache_dir / "posts.pickle", data)


def _bad_entries(cache_dir: Path, key: str) -> None:
    data = _load(cache_dir / "posts.pickle")
    data["entries"] = dict.fromkeys(data["entries"], (1, 2))
    _dump(cache_dir / "posts.pickle", data)


def _entries_file(cache_dir: Path) -> Path:
    (found,) = cache_dir.glob("entries-*.bin")
    return found


def _garbage_entries(cache_dir: Path, key: str) -> None:
    path = _entries_file(cache_dir)
    path.write_bytes(os.urandom(path.stat().st_size))


def _entries_cut_short(cache_dir: Path, key: str) -> None:
    path = _entries_file(cache_dir)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _no_entries_file(cache_dir: Path, key: str) -> None:
    _entries_file(cache_dir).unlink()


def _entries_file_elsewhere(cache_dir: Path, key: str) -> None:
    """An index naming a file outside the cache folder is not followed."""
    data = _load(cache_dir / "posts.pickle")
    data["entries_file"] = "../../../etc/passwd"
    _dump(cache_dir / "posts.pickle", data)


def _bad_files(cache_dir: Path, key: str) -> None:
    data = _load(cache_dir / "build.pickle")
    assert data["key"] == key  # the shape is wrong, not the key
    data["files"] = dict.fromkeys(data["files"], ("k", None))
    data["last"] = ("signature", "not a date", None, 1, 1)
    _dump(cache_dir / "build.pickle", data)


def _odd_stats(cache_dir: Path, key: str) -> None:
    """Records of the right shape whose stats are no stats: never equal to a file's, so every
    file is hashed instead (the records are not checked one number at a time)."""
    data = _load(cache_dir / "build.pickle")
    data["files"] = {p: (k, sha, ("size", [], None)) for p, (k, sha, _) in data["files"].items()}
    _dump(cache_dir / "build.pickle", data)


@pytest.mark.parametrize(
    "corrupt",
    [
        _garbage,
        _torn,
        _empty,
        _not_a_dict,
        _planted_class,
        _older_records,
        _bad_dates,
        _shared_values_cut,
        _shared_values_odd,
        _bad_entries,
        _garbage_entries,
        _entries_cut_short,
        _no_entries_file,
        _entries_file_elsewhere,
        _bad_files,
        _odd_stats,
    ],
)
def test_a_cache_that_does_not_match_means_a_clean_build(
    tmp_path: Path, corrupt: Corruption
) -> None:
    site = tmp_path / "site"
    make_store(site, 8)
    config = load_config(site)
    build(config, now=NOW)
    post = next((site / "posts").glob("2010-*.md"))
    post.write_text(post.read_text() + "\nTalks in Minsk.\n")  # so the cache is consulted
    corrupt(config.cache_dir, _key(config))
    build(config, now=NOW)
    assert tree(site / "output") == clean_build(site / "posts", tmp_path / "ref")
    # The cache it wrote anew serves the next build.
    assert build(config, now=NOW).feeds == ()


def test_an_edit_keeps_the_cached_entries_of_the_feeds_it_left_alone(
    tmp_path: Path, project: Callable[..., Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two entries a feed, two a page. An edit of Russia-11 renders no file with China-5 in
    # it, yet the next edit, of China-6, finds China-5's entry (the Chinese feed shows it) in
    # the cache: the cache keeps every subscription feed's entries, not only those rendered.
    def text(country: str, day: int, body: str = "Body text.") -> str:
        front = f"title: {country} {day}\ndate: 2024-03-{day:02d}T10:00:00Z\ncountries: [{country}]"
        return post(front, body)

    days = [*(("China", d) for d in range(1, 7)), ("Russia", 10), ("Russia", 11)]
    names = {f"2024-03-{d:02d}-{c}-{d}.md": (c, d) for c, d in days}
    toml = 'base_url = "https://example.org/"\nfeed_limit = 2\npage_size = 2\n'
    config = project({n: text(c, d) for n, (c, d) in names.items()}, toml)
    build(config, now=NOW)
    rendered: list[str] = []
    real = entries_module.render_entry

    def counting(post_: Any, *args: Any) -> Any:
        rendered.append(post_.path)
        return real(post_, *args)

    monkeypatch.setattr(entries_module, "render_entry", counting)
    for name in ("2024-03-11-Russia-11.md", "2024-03-06-China-6.md"):
        country, day = names[name]
        (tmp_path / "posts" / name).write_text(text(country, day, "Edited."), encoding="utf-8")
        rendered.clear()
        build(config, now=NOW)
        # The edited post's entry, and that of a neighbour's neighbour (a page names the
        # pages beside it), not the Chinese feed's other entry.
        assert rendered[0] == f"posts/{name}"
        assert "posts/2024-03-05-China-5.md" not in rendered, rendered
    edited = tree(tmp_path / "output")
    shutil.rmtree(tmp_path / "output")
    shutil.rmtree(config.cache_dir)
    build(config, now=NOW)
    assert tree(tmp_path / "output") == edited  # as a clean build of the same posts


def test_each_build_that_renders_leaves_one_entries_file(tmp_path: Path) -> None:
    # The entries live in a file of their own, written under a new name by each build that
    # renders any: the one in place is the one posts.pickle names, whatever a killed build left.
    site = tmp_path / "site"
    make_store(site, 8)
    config = load_config(site)
    build(config, now=NOW)
    leftover = config.cache_dir / "entries-0123456789abcdef.bin"
    leftover.write_bytes(b"a killed build's")
    post = next((site / "posts").glob("2010-*.md"))
    for n in range(3):
        post.write_text(post.read_text() + f"\nTalks in Minsk, round {n}.\n")
        build(config, now=NOW)
        named = _load(config.cache_dir / "posts.pickle")["entries_file"]
        assert [p.name for p in config.cache_dir.glob("entries-*.bin")] == [named]
        assert not leftover.exists()
    assert build(config, now=NOW).feeds == ()
    assert tree(site / "output") == clean_build(site / "posts", tmp_path / "ref")


def test_a_one_post_build_reads_only_the_entries_it_uses(
    tmp_path: Path, project: Callable[..., Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The entries are read from their file one by one as files need them, never all at once:
    # a rebuild of 100,000 posts that loaded them whole peaked at 1.1 GB.
    toml = 'base_url = "https://example.org/"\nfeed_limit = 5\npage_size = 5\n'
    config = project(notes(120, 5), toml)
    build(config, now=NOW)
    stored = len(_load(config.cache_dir / "posts.pickle")["entries"])
    read: list[str] = []
    real = StoredEntries.get

    def counting(self: StoredEntries, key: str) -> Any:
        read.append(key)
        return real(self, key)

    monkeypatch.setattr(StoredEntries, "get", counting)
    post = tmp_path / "posts" / "2012-06-10-note-5.md"
    post.write_text(post.read_text() + "\nTalks in Minsk.\n")
    build(config, now=NOW)
    assert 0 < len(set(read)) < stored / 4, (len(set(read)), stored)
    edited = tree(tmp_path / "output")
    shutil.rmtree(tmp_path / "output")
    shutil.rmtree(config.cache_dir)
    build(config, now=NOW)
    assert tree(tmp_path / "output") == edited  # as a clean build of the same posts


def test_files_dated_beyond_what_64_bits_of_nanoseconds_hold_are_still_cached(
    tmp_path: Path, project: Callable[..., Config]
) -> None:
    # The cache packs each stat in 32 bytes; a clock set to year 3000 (or `touch -d`) makes a
    # time no signed 64-bit number of nanoseconds holds (ext4 keeps it as 2446, still past
    # 2262). Such files are still told apart; the scan's signature once crashed on them.
    year_ns = 32503680000 * 10**9
    config = project(notes(3, 5))
    names = sorted((tmp_path / "posts").iterdir())
    os.utime(names[0], ns=(year_ns, year_ns))
    first = build(config, now=NOW)
    assert first.written
    os.utime(tmp_path / "output" / "rss.xml", ns=(year_ns, year_ns))
    again = build(config, now=NOW)
    assert again.written == () and "rss.xml" in again.unchanged  # a no-op, every file kept
    names[0].write_text(names[0].read_text("utf-8").replace("Officials", "Ministers"), "utf-8")
    os.utime(names[0], ns=(year_ns, year_ns))
    edited = build(config, now=NOW)
    assert "rss.xml" in edited.written
    assert b"Ministers met" in (tmp_path / "output" / "rss.xml").read_bytes()
