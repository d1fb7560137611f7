"""Importers: other formats -> post files in the store. Shared here: how a post file is written.

Every importer is idempotent (a post already in the store is skipped), never overwrites a post
that differs unless forced, and writes only file names it made itself, inside `posts/`.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import yaml

from scofeed.errors import ScofeedError
from scofeed.store import derive_title, iter_post_files, slugify

FRONT_MATTER_ORDER = (
    "title", "date", "updated", "author", "countries", "tags", "categories", "summary",
    "slug", "comments", "draft", "id",
)  # fmt: skip


@dataclass(frozen=True)
class NewPost:
    """A post as an importer found it, before it has a file."""

    date: datetime | date
    body: str  # Markdown
    title: str | None = None
    meta: dict[str, object] = field(default_factory=dict)  # other front matter keys

    @property
    def identity(self) -> tuple[str, str]:
        """What makes two imports the same post: its day and its (derived) title."""
        return (self.date.isoformat()[:10], self.title or derive_title(self.body))


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    overwritten: list[str] = field(default_factory=list)  # with --force
    refused: list[str] = field(default_factory=list)  # "path: why"


def front_matter(fields: dict[str, object]) -> str:
    """YAML front matter in the house order; dates written bare, as editors write them."""
    lines = ["---"]
    for key in sorted(fields, key=lambda k: (*FRONT_MATTER_ORDER, k).index(k)):
        value = fields[key]
        if value is None:
            continue
        if isinstance(value, datetime | date):
            lines.append(f"{key}: {value.isoformat()}")
        else:
            dumped = yaml.safe_dump(
                {key: value}, allow_unicode=True, sort_keys=False, width=10_000,
                default_flow_style=True if isinstance(value, list) else None,
            )  # fmt: skip
            lines.append(dumped.strip().removeprefix("{").removesuffix("}"))
    lines.append("---")
    return "\n".join(lines) + "\n"


def post_text(post: NewPost, slug: str) -> str:
    fields: dict[str, object] = {"title": post.title, "date": post.date, "slug": slug}
    fields.update(post.meta)
    return front_matter(fields) + "\n" + post.body.rstrip("\n") + "\n"


_SLUG_LINE = re.compile(r"^slug:\s*['\"]?([^'\"\n]+?)['\"]?\s*$", re.MULTILINE)
_DATE_LINE = re.compile(r"^date:\s*['\"]?(\d{4}-\d{2}-\d{2})", re.MULTILINE)
_TITLE_LINE = re.compile(r"^title:\s*(.+)$", re.MULTILINE)


def _existing(posts_dir: Path) -> dict[str, tuple[Path, str]]:
    """slug -> (file, text) for every post already in the store."""
    from scofeed.store import slug_from_filename

    found: dict[str, tuple[Path, str]] = {}
    for path in iter_post_files(posts_dir):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        head = text.split("\n---", 1)[0]
        match = _SLUG_LINE.search(head)
        slug = match.group(1).strip() if match else slug_from_filename(path.name)
        found.setdefault(slug, (path, text))
    return found


def _identity_of(text: str) -> tuple[str, str] | None:
    head, _, body = text.partition("\n---\n")
    date_match = _DATE_LINE.search(head)
    if not date_match:
        return None
    title_match = _TITLE_LINE.search(head)
    title = yaml.safe_load(title_match.group(1)) if title_match else None
    return (date_match.group(1), str(title) if title else derive_title(body))


def write_posts(
    posts: Iterable[NewPost], posts_dir: Path, *, force: bool = False, shown_from: Path
) -> ImportReport:
    """Give each post a slug and a file, unless the store holds it already."""
    posts_dir.mkdir(parents=True, exist_ok=True)
    existing = _existing(posts_dir)
    claimed: set[str] = set()
    report = ImportReport()
    for post in posts:
        base = slugify(post.title or derive_title(post.body)) or "post"
        slug, n = base, 1
        while True:
            held = existing.get(slug)
            # Two posts of one import with the same day and title are two posts: skip the
            # slugs this run has already given out.
            same = held is not None and _identity_of(held[1]) == post.identity
            if slug not in claimed and (held is None or same):
                break
            n += 1
            slug = f"{base}-{n}"
        claimed.add(slug)
        text = post_text(post, slug)
        if held is not None:
            path, old = held
            shown = str(_shown(path, shown_from))
            if old == text:
                report.skipped.append(shown)
                continue
            if not force:
                report.refused.append(f"{shown}: differs from the import; --force overwrites it")
                continue
        else:
            path = posts_dir / f"{post.date.isoformat()[:10]}-{slug}.md"
        _write_atomic(path, text)
        existing[slug] = (path, text)
        (report.created if held is None else report.overwritten).append(
            str(_shown(path, shown_from))
        )
    return report


def _shown(path: Path, base: Path) -> Path:
    try:
        return path.resolve().relative_to(base.resolve())
    except ValueError:
        return path


def _write_atomic(path: Path, text: str) -> None:
    if not path.resolve().parent.is_relative_to(path.parent.resolve()):
        raise ScofeedError(f"{path}: refusing to write outside the posts folder")
    fd, tmp = tempfile.mkstemp(prefix=".import-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
