"""Which imported posts the store holds already.

The store is read as the build reads it (`scofeed.posts.store`), so matching sees exactly the
slugs, ids, dates and titles the feeds carry. A post in the store is the same post as an imported
one when both carry the same `id:` (feeds give one), or else when they have the same day and
title (for an untitled post, the title its feeds show).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from scofeed.errors import split_warnings
from scofeed.importers.model import NewPost
from scofeed.posts.post import Post, body_of
from scofeed.posts.slugs import slug_from_filename, slugify
from scofeed.posts.store import load_posts
from scofeed.posts.text import body_title, derive_title


@dataclass(frozen=True)
class Held:
    """A post the store holds: its file, its `id:`, and its (day, title) identity."""

    path: Path
    id: str | None
    identity: tuple[str, str] | None  # None: a file the store cannot read


def _held(post: Post) -> Held:
    title = post.title or body_title(body_of(post))
    return Held(Path(post.source), post.id, (post.date.date().isoformat(), title))


class StoreIndex:
    """The posts already in the store, found by slug, by `id:` and by (day, title)."""

    def __init__(self, posts_dir: Path, tz: tzinfo) -> None:
        self.posts_dir = posts_dir
        self.files: dict[str, Held] = {}
        self.by_id: dict[str, str] = {}
        self.by_identity: dict[tuple[str, str], list[str]] = {}
        # Slugs this run has matched or given out: two posts of one import with the same day
        # and title are two posts, so neither may take the other's file.
        self.claimed: set[str] = set()
        posts, problems = load_posts(posts_dir, tz=tz)
        self.posts = posts  # as the build reads them, for the addresses they hold
        for post in posts:
            if post.slug not in self.files:
                self.add(post.slug, _held(post))
        # Unreadable: it holds the slug of its name, and matches nothing.
        for problem in split_warnings(problems)[0]:
            name = problem.path.rpartition("/")[2]
            self.files.setdefault(slug_from_filename(name), Held(Path(problem.path), None, None))

    def add(self, slug: str, held: Held) -> None:
        self.files[slug] = held
        if held.id is not None:
            self.by_id.setdefault(held.id, slug)
        if held.identity is not None:
            self.by_identity.setdefault(held.identity, []).append(slug)

    def match(self, post: NewPost, hint: str | None = None) -> str | None:
        """The slug of the stored post that `post` is, if any, and claims it. `hint` is a slug
        its source gave it besides its own (the one its old address spells)."""
        slug = self._match(post, hint)
        if slug is not None:
            self.claimed.add(slug)
        return slug

    def _match(self, post: NewPost, hint: str | None) -> str | None:
        post_id = post.meta.get("id")
        post_id = post_id if isinstance(post_id, str) else None
        held = self.by_id.get(post_id) if post_id is not None else None
        if held is not None and held not in self.claimed:
            return held
        identity = post.identity

        def same(slug: str, *, day_only: bool = False) -> bool:
            found = self.files[slug]
            if slug in self.claimed or found.identity is None:
                return False
            if found.id is not None and post_id is not None and found.id != post_id:
                return False
            return found.identity[0] == identity[0] if day_only else found.identity == identity

        # The slugs this post would be given, in order, then any other with its day and title.
        base = self._base(post)
        slug, n = base, 1
        while slug in self.files:
            if same(slug):
                return slug
            n += 1
            slug = f"{base}-{n}"
        for slug in self.by_identity.get(identity, ()):
            if same(slug):
                return slug
        # A slug the source gave (an MT basename, the old address's) on the same day: the same
        # post, retitled since.
        for hinted in (slugify(post.slug or ""), hint):
            if hinted is not None and hinted in self.files and same(hinted, day_only=True):
                return hinted
        return None

    @staticmethod
    def _base(post: NewPost) -> str:
        return slugify(post.slug or "") or slugify(post.title or derive_title(post.body)) or "post"

    def is_free(self, slug: str, post: NewPost) -> bool:
        """Whether no post has `slug`, and the file name it gives `post` is free too."""
        day = post.date.isoformat()[:10]
        return not (
            slug in self.files
            or slug in self.claimed
            or (self.posts_dir / f"{day}-{slug}.md").exists()
        )

    def take(self, slug: str) -> str:
        self.claimed.add(slug)
        return slug

    def free_slug(self, post: NewPost, refuse: Callable[[str], bool] | None = None) -> str:
        """A slug no post has, whose file name is free too, and that `refuse` does not refuse
        (a slug whose page would be another post's old address)."""
        base = self._base(post)
        slug, n = base, 1
        while not self.is_free(slug, post) or (refuse is not None and refuse(slug)):
            n += 1
            slug = f"{base}-{n}"
        return self.take(slug)
