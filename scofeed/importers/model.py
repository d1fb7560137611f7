"""What every importer hands over: `NewPost`s, and the `ImportReport` of writing them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from scofeed.posts import frontmatter
from scofeed.posts.text import body_title


@dataclass(frozen=True)
class NewPost:
    """A post as an importer found it, before it has a file."""

    date: datetime | date
    body: str  # Markdown
    title: str | None = None
    meta: dict[str, object] = field(default_factory=dict)  # other front matter keys
    slug: str | None = None  # a hint (an MT basename); slugified, never used as a path as is
    # Where the source published it (an MT UNIQUE URL, a feed entry's link): kept as the post's
    # address when it lies under the site's base_url (`scofeed.importers.addresses`).
    url: str | None = None

    @property
    def identity(self) -> tuple[str, str]:
        """What makes two imports the same post: its day and the title its feeds show."""
        return (self.date.isoformat()[:10], self.title or body_title(self.body))


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    overwritten: list[str] = field(default_factory=list)  # with --force
    refused: list[str] = field(default_factory=list)  # "path: why"
    # Old addresses (`NewPost.url`) under base_url: how many posts keep theirs as their
    # permalink (`slug:`) and how many as an alias (`aliases:`).
    as_permalink: int = 0
    as_alias: int = 0
    lost: list[str] = field(default_factory=list)  # "path: why": another post holds the address
    unkept: list[str] = field(default_factory=list)  # "url: why": no page can answer it
    outside: list[str] = field(default_factory=list)  # old addresses not under base_url


def post_text(post: NewPost, slug: str) -> str:
    """The whole file of an imported post."""
    fields: dict[str, object] = {"title": post.title, "date": post.date, "slug": slug}
    fields.update(post.meta)
    return frontmatter.dump(fields) + "\n" + post.body.rstrip("\n") + "\n"
