"""What a post's link tags (Jekyll's `post_url` and `link`, Hugo's `ref` and `relref`) and
its Liquid values (`{{ site.baseurl }}`, `{{ page.title }}`) stand for on this site.

`Refs` finds a post by what such a tag names: the file's name without its extension
(`post_url 2010-07-21-name`), its path below the posts folder (`link _posts/2010-07-21-name.md`,
`ref "posts/name.md"`: the old site's folder, `_posts/` or `content/<section>/`, is dropped
when nothing matches with it), its file name, or a page bundle's folder (`ref "name"` for
`posts/name/index.md`). Two posts that answer to one name answer to neither, as Hugo refuses
an ambiguous ref. Only published posts are found: a link to a draft would lead nowhere.
The index is made on the first question, so a site whose posts link to none never makes it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import replace
from urllib.parse import urlsplit

from scofeed.config import Config
from scofeed.errors import Problem
from scofeed.posts.post import Post
from scofeed.posts.shortcode_html import link_warning
from scofeed.site import layout

_BUNDLE_INDEX = ("index", "_index")


class Refs:
    """The published posts by every name a link tag may give them; `links_for(post)` is the
    `links` callable of `scofeed.posts.shortcodes.expand` for that post's body."""

    def __init__(self, posts: Iterable[Post], config: Config) -> None:
        self.posts = list(posts)
        self.config = config
        self._urls: dict[str, str | None] | None = None
        self._root = os.path.realpath(config.posts_dir)

    def _rel(self, post: Post) -> str:
        """The post's file below the posts folder, with `/`."""
        rel = os.path.relpath(post.source, self._root) if post.source else post.path
        return rel.replace(os.sep, "/")

    def _index(self) -> dict[str, str | None]:
        # Keys are lower case: Hugo finds `ref "11-s3"` for the folder 11-S3/.
        urls: dict[str, str | None] = {}
        for post in self.posts:
            url = layout.permalink(post, self.config)
            rel = self._rel(post).lower()
            folder, _, name = rel.rpartition("/")
            stem = name.rpartition(".")[0] or name
            keys = {f"path:{rel}", f"path:{folder}/{stem}".replace("path:/", "path:")}
            keys |= {f"name:{name}", f"stem:{stem}"}
            if stem in _BUNDLE_INDEX and folder:  # posts/name/index.md is `name`
                keys |= {f"path:{folder}", f"stem:{folder.rpartition('/')[2]}"}
            for key in keys:
                urls[key] = url if urls.get(key, url) == url else None
        return urls

    def links_for(self, post: Post) -> Callable[[str, str], str | None]:
        """`resolve` for links written in `post`: Hugo's refs are looked for beside it first."""
        folder = self._rel(post).rpartition("/")[0]
        return lambda kind, target: self.resolve(kind, target, folder)

    def keyed(self, posts: list[Post], warnings: list[Problem]) -> list[Post]:
        """`posts`, those with link tags given the `link_key` of the addresses they lead to
        (so their entries and pages are made again when one changes); a tag that names no
        published post is added to `warnings` by the post's file and line."""
        out = []
        for post in posts:
            if post.links:
                resolve = self.links_for(post)
                urls = [resolve(kind, target) for _, kind, target in post.links]
                warnings.extend(
                    Problem(post.path, line, why, warning=True)
                    for line, why in self.broken(post, post.links)
                )
                key = hashlib.sha256(repr(urls).encode()).hexdigest()[:16]
                post = replace(post, link_key=key)
            out.append(post)
        return out

    def broken(self, post: Post, found: Iterable[tuple[int, str, str]]) -> list[tuple[int, str]]:
        """What to say of the link tags `found` in `post` (`Expansion.links`: line, kind,
        target) that name no published post: the same words the rendering removes them with."""
        resolve = self.links_for(post)
        return [
            (line, link_warning(kind, target))
            for line, kind, target in found
            if not target.startswith("#") and resolve(kind, target) is None
        ]

    def resolve(self, kind: str, target: str, folder: str = "") -> str | None:
        """The absolute URL of the post `target` names (with its `#fragment`), or None; a
        relative Hugo ref is looked for in `folder` and the folder above it first."""
        if self._urls is None:
            self._urls = self._index()
        path, hash_, fragment = target.strip().partition("#")
        relative = not path.startswith("/")
        path = path.strip().lstrip("/").removeprefix("./").rstrip("/").lower()
        if not path:
            return None
        name = path.rpartition("/")[2]
        if kind == "post_url":  # the file's name without its extension; a folder before it
            keys = [f"stem:{name}"]
        else:
            keys = []
            if kind != "link" and relative and folder:
                parent = folder.rpartition("/")[0]
                keys += [f"path:{f}/{path}".replace("path:/", "path:") for f in (folder, parent)]
            under = path.partition("/")[2]  # without the old site's folder: _posts/, posts/
            keys += [f"path:{path}", f"path:{under}", f"name:{name}"]
            if kind != "link":  # Hugo: `ref "name"` finds name.md and posts/name/index.md
                keys.append(f"stem:{name.rpartition('.')[0] or name}")
        for key in keys:
            if key in self._urls and not key.endswith(":"):
                url = self._urls[key]
                return None if url is None else url + hash_ + fragment
        return None


def page_params(post: Post, config: Config) -> dict[str, object]:
    """The values Liquid output (`{{ site.baseurl }}`) and Hugo's `param` may name, as Jekyll
    gives them: `site.url` is the scheme and host of base_url, `site.baseurl` its path without
    the last `/`, `page.url` the post's path below base_url."""
    parts = urlsplit(config.base_url)
    return {
        "site.url": f"{parts.scheme}://{parts.netloc}",
        "site.baseurl": parts.path.rstrip("/"),
        "site.title": config.title,
        "site.description": config.description,
        "site.author": config.author,
        "page.title": post.title or "",
        "page.url": "/" + layout.permalink_path(post, config),
        "page.date": post.date.isoformat(),
        "page.slug": post.slug,
        "page.author": post.author or config.author,
        "page.summary": post.summary or "",
    }
