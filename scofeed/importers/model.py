"""What every importer hands over: `NewPost`s, and the `ImportReport` of writing them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from scofeed.posts.text import body_title


@dataclass(frozen=True)
class NewPost:
    """A post as an importer found it, before it has a file."""

    date: datetime | date
    body: str  # Markdown
    title: str | None = None
    meta: dict[str, object] = field(default_factory=dict)  # other front matter keys
    slug: str | None = None  # a hint (an MT basename); slugified, never used as a path as is

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
