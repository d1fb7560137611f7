"""A post rendered once for every feed and page that carries it: its `Entry` (id, link, title,
HTML, summary), the ids of entries and feeds, and the addresses of its enclosures."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from html import unescape
from urllib.parse import quote, unquote, urljoin, urlsplit

from scofeed.config import Config
from scofeed.infra.urls import is_absolute_iri
from scofeed.posts.media import Enclosure, is_site_path
from scofeed.posts.post import Post
from scofeed.posts.text import render_html, summary_of, title_of
from scofeed.site import layout
from scofeed.site.refs import Refs, page_params


@dataclass(frozen=True, slots=True)
class Entry:
    """A post as every format carries it."""

    id: str
    link: str
    title: str
    html: str
    summary: str
    # Its picture's absolute URL: the post's `image:`, else the body's first image (a feed
    # reader's thumbnail); None when it has neither.
    image: str | None = None


def piece(
    entry_for: Callable[[Post], Entry],
    kind: str,
    post: Post,
    countries: tuple[str, ...],
    make: Callable[[Post, tuple[str, ...]], str],
) -> str:
    """A post's text in one kind of feed document (an RSS item, an Atom entry, a JSON Feed
    item): the same in every document of a build that carries it, so made once when
    `entry_for` keeps a memo of them (`pieces`, as a build's entries do). The key is all it is
    made of but the build's configuration: the file's bytes (so an edit in `scofeed watch`
    misses), its place and the addresses its links lead to. A post not read from a file (no
    digest) is made every time."""
    pieces: MutableMapping[tuple[object, ...], str] | None = getattr(entry_for, "pieces", None)
    if pieces is None or not post.digest:
        return make(post, countries)
    key = (kind, post.path, post.digest, post.link_key, post.id_name, countries)
    text = pieces.get(key)
    if text is None:
        text = pieces[key] = make(post, countries)
    return text


def entry_id(post: Post, config: Config) -> str:
    """The post's `tag:` id: from the slug only, so title, base URL and date may change."""
    name = post.id_name or post.slug  # the slug, or the slug and day for a slug shared
    return post.id or f"tag:{config.tag_authority}:posts/{quote(name, safe='-._~/')}"


def atom_id(entry_id: str, config: Config) -> str:
    """The id as Atom carries it. Atom wants an absolute IRI; an `id:` that is none (an RSS
    guid such as `12345` or `abc@example`, kept as it was by RSS and JSON Feed) gets one made of
    it, every character but the unreserved escaped: the same for the same id on every build."""
    if is_absolute_iri(entry_id):
        return entry_id
    return f"tag:{config.tag_authority}:guid/{quote(entry_id, safe='-._~')}"


def enclosure_url(enclosure: Enclosure, config: Config) -> str:
    """An enclosure's absolute URL: a path below the site joined to base_url."""
    url = enclosure[0]
    return layout.url(config, url) if is_site_path(url) else url


def shown_enclosure(enclosure: Enclosure) -> dict[str, str | None]:
    """An enclosure as a post's page shows it: its file's name, type, size and duration."""
    url, mime, length, seconds = enclosure
    name = unquote(urlsplit(url).path.rstrip("/").rpartition("/")[2]) or url
    size = None
    if length:
        size = next(
            f"{length / 1000**power:.1f} {unit}".replace(".0 ", " ")
            for power, unit in ((3, "GB"), (2, "MB"), (1, "kB"), (0, "bytes"))
            if length >= 1000**power or not power
        )
    clock = None
    if seconds is not None:
        hours, rest = divmod(seconds, 3600)
        minutes = f"{rest // 60:02}" if hours else str(rest // 60)
        clock = f"{hours}:{minutes}:{rest % 60:02}" if hours else f"{minutes}:{rest % 60:02}"
    return {"name": name, "type": mime, "size": size, "duration": clock}


def feed_id(folder: str, config: Config) -> str:
    return f"tag:{config.tag_authority}:feeds/{folder or 'all/'}".rstrip("/")


def render_entry(post: Post, config: Config, refs: Refs | None = None) -> Entry:
    """`refs` finds the posts its link tags name (`post_url`, `ref`); a build always gives it."""
    link = layout.permalink(post, config)
    links = refs.links_for(post) if refs is not None else None
    html = render_html(post, link, links=links, params=page_params(post, config))
    first = _FIRST_IMAGE.search(html)
    return Entry(
        id=entry_id(post, config),
        link=link,
        title=title_of(post, html),
        html=html,
        summary=summary_of(post, html),
        image=image_url(post, config) or (unescape(first.group(1)) if first else None),
    )


# The sanitiser writes every attribute in double quotes, and links absolute against the page.
_FIRST_IMAGE = re.compile(r'<img\s[^>]*?\bsrc="(https?://[^"]+)"')


def image_url(post: Post, config: Config) -> str | None:
    """The absolute URL of the post's `image:`: a URL as it is; a file of its page bundle
    where the build publishes it, beside the page; any other path below base_url (static/)."""
    if post.image is None or not is_site_path(post.image):
        return post.image
    folder, name = os.path.split(post.source)
    if name.startswith("index.") and os.path.isfile(os.path.join(folder, post.image)):
        return urljoin(layout.permalink(post, config), layout.quoted(post.image))
    return layout.url(config, post.image)
