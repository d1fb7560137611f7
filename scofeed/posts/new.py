"""`scofeed new`: a new post file, dated, with its front matter ready to fill in."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from scofeed.errors import InputError
from scofeed.infra.atomic import create_new
from scofeed.infra.xmlsafe import fold
from scofeed.posts import frontmatter
from scofeed.posts.files import shown as shown_path
from scofeed.posts.slugs import slugify
from scofeed.posts.store import slugs_in_use


def create_post(
    posts_dir: Path,
    title: str,
    when: datetime,
    *,
    slug: str | None = None,
    countries: Sequence[str] = (),
    tags: Sequence[str] = (),
    draft: bool = True,
    shown_from: Path,
) -> Path:
    """Write `posts_dir/YYYY-MM-DD-slug.md` with front matter ready to fill in; never overwrite
    a file, never reuse a slug. `when` is the post's date in the site's time zone (the caller
    reads the clock)."""
    title = fold(title)
    if not title:
        raise InputError('the title is empty; give the post a title, such as scofeed new "Summit"')
    slug = slugify(slug or title)
    if not slug:
        raise InputError(
            f"{title!r} has no letters or digits to make a file name of; pass --slug NAME"
        )
    posts_dir.mkdir(parents=True, exist_ok=True)
    path = posts_dir / f"{when.date().isoformat()}-{slug}.md"
    shown = shown_path(path, shown_from)
    if path.exists():
        raise InputError(f"{shown} already exists; edit it, or pass --slug NAME for a new post")
    held = slugs_in_use(posts_dir, shown_from=shown_from).get(slug)
    if held is not None:
        raise InputError(
            f"the slug {slug!r} is already used by {held}; pass --slug NAME to give this post "
            "another"
        )
    fields: dict[str, object] = {
        "title": title,
        "date": when.replace(microsecond=0),
        "countries": list(dict.fromkeys(countries)) or None,
        "tags": list(dict.fromkeys(fold(t) for t in tags if fold(t))) or None,
        "slug": slug,
        "draft": True if draft else None,
    }
    text = frontmatter.dump(fields)
    if draft:
        text = text.replace("\ndraft: true\n", "\ndraft: true  # delete this line to publish\n")
    try:
        create_new(path, (text + "\n").encode("utf-8"))
    except FileExistsError:  # it appeared since the check above
        raise InputError(
            f"{shown} already exists; edit it, or pass --slug NAME for a new post"
        ) from None
    return path
