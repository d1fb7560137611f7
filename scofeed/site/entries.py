"""A post rendered once for every feed and page that carries it: its `Entry` (id, link, title,
HTML, summary), and the ids of entries and feeds."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from scofeed.config import Config
from scofeed.posts.post import Post
from scofeed.posts.text import render_html, summary_of, title_of
from scofeed.site import layout


@dataclass(frozen=True)
class Entry:
    """A post as every format carries it."""

    id: str
    link: str
    title: str
    html: str
    summary: str


def entry_id(post: Post, config: Config) -> str:
    """The post's `tag:` id: from the slug only, so title, base URL and date may change."""
    name = post.id_name or post.slug  # the slug, or the slug and day for a slug shared
    return post.id or f"tag:{config.tag_authority}:posts/{quote(name, safe='-._~/')}"


def feed_id(folder: str, config: Config) -> str:
    return f"tag:{config.tag_authority}:feeds/{folder or 'all/'}".rstrip("/")


def render_entry(post: Post, config: Config) -> Entry:
    link = layout.permalink(post, config)
    html = render_html(post, link)
    return Entry(
        id=entry_id(post, config),
        link=link,
        title=title_of(post, html),
        html=html,
        summary=summary_of(post, html),
    )
