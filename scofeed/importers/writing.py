"""Giving imported posts their files: each gets a slug and a file unless the store holds it, and
keeps its old address when the site's `base_url` covers it (`addresses`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import tzinfo
from pathlib import Path

from scofeed.config import Config
from scofeed.errors import OutputError
from scofeed.importers.addresses import Addresses, Placing
from scofeed.importers.matching import Held, StoreIndex
from scofeed.importers.model import ImportReport, NewPost, post_text
from scofeed.infra.atomic import write_atomic
from scofeed.posts.files import shown as shown_path

__all__ = ["post_text", "write_posts"]


def write_posts(
    posts: Iterable[NewPost],
    posts_dir: Path,
    *,
    tz: tzinfo,
    force: bool = False,
    shown_from: Path,
    site: Config | None = None,
) -> ImportReport:
    """Give each post a slug and a file, unless the store holds it already. `tz` is the site's
    time zone, in which the store's dates without an offset are read; `site` is the site whose
    base_url and permalink pattern decide which old addresses (`NewPost.url`) posts keep (None:
    none)."""
    posts_dir.mkdir(parents=True, exist_ok=True)
    store = StoreIndex(posts_dir, tz)
    addresses = Addresses(site, store.posts) if site is not None else None
    report = ImportReport()

    def name(slug: str) -> str:
        held = store.files.get(slug)
        return shown_path(held.path, shown_from) if held else f"the post with slug: {slug}"

    # Every old address first, so that no post's new page takes the address of one after it.
    posts = list(posts)
    placings = [addresses.place(p, report) if addresses else Placing(None) for p in posts]
    for post, placing in zip(posts, placings, strict=True):
        slug = store.match(post, placing.fitting)
        matched = slug is not None
        if slug is not None:
            held = store.files[slug]
            path = held.path
            if held.id is not None and "id" not in post.meta:  # an id never changes
                post = replace(post, meta={**post.meta, "id": held.id})
        else:
            slug = _new_slug(post, placing, store, addresses)
            path = posts_dir / f"{post.date.isoformat()[:10]}-{slug}.md"
        shown = shown_path(path, shown_from)
        if addresses is not None:
            post = addresses.settle(post, slug, placing, shown, name, report)
        text = post_text(post, slug)
        if matched:
            if _read_text(path) == text:
                report.skipped.append(shown)
                continue
            if not force:
                report.refused.append(f"{shown}: differs from the import; --force overwrites it")
                continue
        existed = slug in store.files
        if not path.resolve().parent.is_relative_to(posts_dir.resolve()):
            raise OutputError(f"{path}: refusing to write outside the posts folder")
        write_atomic(path, text.encode("utf-8"))
        store.add(slug, Held(path, _id(post), post.identity))
        (report.overwritten if existed else report.created).append(shown)
    return report


def _new_slug(
    post: NewPost, placing: Placing, store: StoreIndex, addresses: Addresses | None
) -> str:
    """The slug of a post the store lacks: the one its old address spells when that is free
    (and the address is no other post's), else a free one whose page is no post's address."""
    if addresses is None:
        return store.free_slug(post)
    fitting = placing.fitting
    if fitting is not None and store.is_free(fitting, post) and not addresses.owner(placing.old):
        return store.take(fitting)
    return store.free_slug(post, lambda slug: addresses.page_taken(placing, slug))


def _id(post: NewPost) -> str | None:
    value = post.meta.get("id")
    return value if isinstance(value, str) else None


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
