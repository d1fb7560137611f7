"""A rebuild after edits that moved no post (the cron build after a fix of a typo) keys only the
files that show the edited posts, and takes the other files' keys from the cache; every other
change (a post moved, added, a template, a static file, a bundle's file) keys every file again.
Either way the output is byte for byte what a clean build of the same files writes."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from scofeed.config import Config, load_config
from scofeed.publish.build import build
from scofeed.site import archive, layout, plan

from conftest import NOW, notes, post, tree

TOML = 'title = "SCO (RTG)"\nbase_url = "https://example.org/sco/"\nfeed_limit = 4\npage_size = 3\n'


def _posts() -> dict[str, str]:
    out = notes(30, 10)
    out["trip/index.md"] = post("title: A trip\ndate: 2012-03-03", "![The hall](hall.jpg)")
    out["trip/hall.jpg"] = "not really a picture"
    out["2012-06-20-moved.md"] = post(
        "title: Moved\ndate: 2012-06-20\naliases: [2008/05/moved.html]", "Officials met in Moscow."
    )
    return out


def _clean(config: Config, where: Path) -> dict[str, bytes]:
    """What a clean build of the same files writes, in a folder of its own."""
    where.mkdir()
    for name in ("posts", "templates", "static"):
        if (config.root / name).is_dir():
            shutil.copytree(config.root / name, where / name)
    shutil.copy(config.root / "scofeed.toml", where / "scofeed.toml")
    build(load_config(where), now=NOW)
    return tree(where / "output")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_edits_that_move_no_post_key_only_the_files_that_show_them(
    tmp_path: Path, project: Callable[..., Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project(_posts(), TOML)
    posts = config.posts_dir
    keyed: list[str] = []  # the pages and feed files keyed by the last build

    def counting(module: object, name: str) -> None:
        real = getattr(module, name)

        def counted(*args: object) -> str:
            keyed.append(name)
            return real(*args)  # type: ignore[no-any-return]

        monkeypatch.setattr(module, name, counted)

    counting(archive, "page_key")
    counting(plan, "feed_key")
    planned: list[bool] = []  # each planning of the pages: of the edited posts' only?
    whole_plan = archive.plan_pages

    def planning(*args: object, **kwargs: object) -> object:
        planned.append(kwargs.get("only") is not None)
        return whole_plan(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(archive, "plan_pages", planning)
    build(config, now=NOW)
    every = len(keyed)
    assert every > 150  # 31 posts' pages, listings, feeds and archive documents

    def static(name: str, text: str) -> Callable[[], None]:
        def write() -> None:
            (config.root / "static").mkdir(exist_ok=True)
            (config.root / "static" / name).write_text(text, encoding="utf-8")

        return write

    def template() -> None:
        (config.root / "templates").mkdir(exist_ok=True)
        base = Path(archive.__file__).parent.parent / "templates" / "base.html"
        text = base.read_text(encoding="utf-8")
        (config.root / "templates" / "base.html").write_text(text + "<!-- ours -->\n", "utf-8")

    note = posts / "2012-08-10-note-7.md"

    def two_posts() -> None:
        for i in (2, 3):
            _edit(posts / f"2012-0{i}-10-note-{i - 1}.md", ". ", "! ")

    def new_post() -> None:
        (posts / "2012-12-30-new.md").write_text(post("title: New\ndate: 2012-12-30"), "utf-8")

    def sitemap_gone() -> None:
        (config.output_dir / "sitemap.xml").unlink()
        _edit(note, "Delegates", "Envoys")

    def listing_gone() -> None:
        # A page the edit is not on, removed by hand: only a plan of the whole site remakes it.
        (config.output_dir / layout.list_page("", 3)).unlink()
        _edit(note, "Envoys", "Delegates")

    steps: list[tuple[str, Callable[[], object], bool]] = [
        ("the text", lambda: _edit(note, "Officials", "Ministers"), True),
        ("the title", lambda: _edit(note, "Note 7 from", "Retitled 7, from"), True),
        ("two posts", two_posts, True),
        ("a bundle's post", lambda: _edit(posts / "trip/index.md", "The hall", "Hall"), True),
        ("a tag", lambda: _edit(note, "[summit]", "[energy]"), False),
        ("a date", lambda: _edit(note, "2012-08-10", "2012-08-11"), False),
        ("a country named", lambda: _edit(note, "in Almaty.", "in Minsk."), False),
        ("a bundle's file", lambda: (posts / "trip/hall.jpg").write_text("other", "utf-8"), False),
        ("a static file", static("robots-extra.txt", "hello"), False),
        ("a template", template, False),
        ("a new post", new_post, False),
        ("the text again", lambda: _edit(note, "Ministers", "Delegates"), True),
        ("the text, the sitemap gone", sitemap_gone, True),
        ("the text, a listing page gone", listing_gone, True),
        # The oldest post: in the first archive document of its feeds, on their last pages.
        ("an old post", lambda: _edit(posts / "2012-01-10-note-0.md", "Officials", "Envoys"), True),
        (
            "an aliased post",
            lambda: _edit(posts / "2012-06-20-moved.md", ": Moved", ": Here"),
            True,
        ),
    ]
    for n, (what, step, quick) in enumerate(steps):
        step()
        keyed.clear()
        planned.clear()
        report = build(config, now=NOW)
        assert report.written, what
        if quick:
            assert 0 < len(keyed) < every / 3, what
            # nor can the site's own files have changed: kept unless gone
            assert ("sitemap.xml" in report.unchanged) == ("sitemap" not in what), what
            # Only the edited posts' pages are planned, unless a file is gone: then the
            # whole site, which can make any file again.
            assert planned == ([True, False] if "gone" in what else [True]), what
        else:
            assert len(keyed) >= every, what
            assert planned == [False], what
        assert tree(config.output_dir) == _clean(config, tmp_path / f"clean-{n}"), what
