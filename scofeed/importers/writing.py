"""Giving imported posts their files: each gets a slug and a file unless the store holds it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import tzinfo
from pathlib import Path

from scofeed.errors import OutputError
from scofeed.importers.matching import Held, StoreIndex
from scofeed.importers.model import ImportReport, NewPost
from scofeed.infra.atomic import write_atomic
from scofeed.posts import frontmatter
from scofeed.posts.store import shown as shown_path


def post_text(post: NewPost, slug: str) -> str:
    """The whole file of an imported post."""
    fields: dict[str, object] = {"title": post.title, "date": post.date, "slug": slug}
    fields.update(post.meta)
    return frontmatter.dump(fields) + "\n" + post.body.rstrip("\n") + "\n"


def write_posts(
    posts: Iterable[NewPost],
    posts_dir: Path,
    *,
    tz: tzinfo,
    force: bool = False,
    shown_from: Path,
) -> ImportReport:
    """Give each post a slug and a file, unless the store holds it already. `tz` is the site's
    time zone, in which the store's dates without an offset are read."""
    posts_dir.mkdir(parents=True, exist_ok=True)
    store = StoreIndex(posts_dir, tz)
    report = ImportReport()
    for post in posts:
        slug = store.match(post)
        if slug is not None:
            held = store.files[slug]
            path = held.path
            if held.id is not None and "id" not in post.meta:  # an id never changes
                post = replace(post, meta={**post.meta, "id": held.id})
            text = post_text(post, slug)
            shown = shown_path(path, shown_from)
            if _read_text(path) == text:
                report.skipped.append(shown)
                continue
            if not force:
                report.refused.append(f"{shown}: differs from the import; --force overwrites it")
                continue
        else:
            slug = store.free_slug(post)
            text = post_text(post, slug)
            path = posts_dir / f"{post.date.isoformat()[:10]}-{slug}.md"
        existed = slug in store.files
        if not path.resolve().parent.is_relative_to(posts_dir.resolve()):
            raise OutputError(f"{path}: refusing to write outside the posts folder")
        write_atomic(path, text.encode("utf-8"))
        store.add(slug, Held(path, _id(post), post.identity))
        (report.overwritten if existed else report.created).append(shown_path(path, shown_from))
    return report


def _id(post: NewPost) -> str | None:
    value = post.meta.get("id")
    return value if isinstance(value, str) else None


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
