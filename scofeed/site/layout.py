"""Every path scofeed writes below the output folder, its URL and its content type: the one
owner of the site's layout. Nothing else spells a file name or a folder.

    rss.xml atom.xml feed.json embed.html index.html   the whole category
    countries/<slug>/ (the same five files)             one country
    tags/<slug>/ (the same five files)                  one tag (or category)
    tags/index.html                                     every tag, with its posts
    <feed folder>history/<n>/ (rss.xml, atom.xml, feed.json)  RFC 5005 archive documents
    page/<n>/index.html, countries/<slug>/page/<n>/,    the listings' further pages
    tags/<slug>/page/<n>/
    <year>/<month>/index.html (and page/<n>/)           a month's posts
    archives/index.html                                 every month, by year
    feeds.opml embed.js sitemap.xml robots.txt 404.html _redirects   the site
    <permalink>                                         a post (the `permalink` pattern)
    <alias>                                             a post's old address: a redirect page
"""

from __future__ import annotations

import os
import posixpath
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from scofeed.config import Config
from scofeed.posts.post import Post
from scofeed.posts.slugs import slugify

RSS_FILE = "rss.xml"
ATOM_FILE = "atom.xml"
JSON_FILE = "feed.json"
EMBED_FILE = "embed.html"
INDEX_FILE = "index.html"
OPML_FILE = "feeds.opml"
EMBED_SCRIPT = "embed.js"
COUNTRIES = "countries/"
TAGS = "tags/"
ARCHIVES = "archives/"
PAGE = "page/"  # a listing's further pages: page/2/index.html
SITEMAP_FILE = "sitemap.xml"
ROBOTS_FILE = "robots.txt"
NOT_FOUND_FILE = "404.html"
REDIRECTS_FILE = "_redirects"

# The site's own files besides feeds and pages (`site.pages.site_files`): no page may take
# their path.
SITE_FILES = [OPML_FILE, EMBED_SCRIPT, SITEMAP_FILE, ROBOTS_FILE, NOT_FOUND_FILE, REDIRECTS_FILE]

FEED_FORMATS = {"rss": RSS_FILE, "atom": ATOM_FILE}
# The feeds beside each other in every feed folder: file name, media type, what people call it.
FEED_FILES = (
    (RSS_FILE, "application/rss+xml", "RSS"),
    (ATOM_FILE, "application/atom+xml", "Atom"),
    (JSON_FILE, "application/feed+json", "JSON Feed"),
)
FEED_NAMES = frozenset(name for name, _, _ in FEED_FILES)
# What a feed folder holds; any other file in a country's folder is left alone.
FOLDER_FILES = (RSS_FILE, ATOM_FILE, JSON_FILE, EMBED_FILE, INDEX_FILE)


def in_term_folder(path: str) -> bool:
    """A path (below output/) of a file directly in a country's or a tag's feed folder:
    `countries/<slug>/NAME`, `tags/<slug>/NAME`."""
    parts = path.split("/")
    return len(parts) == 3 and parts[0] + "/" in (COUNTRIES, TAGS) and bool(parts[1])


# A site has few countries and tags, and every page and feed names them: each slug made once.
@lru_cache(maxsize=65536)
def country_folder(country: str) -> str:
    """`Sri Lanka` -> `countries/sri-lanka/`."""
    return f"{COUNTRIES}{slugify(country, max_length=None)}/"


@lru_cache(maxsize=65536)
def tag_folder(tag: str) -> str:
    """`Energy Security` -> `tags/energy-security/`; "" when the name has no letter or digit."""
    slug = slugify(tag, max_length=None)
    return f"{TAGS}{slug}/" if slug else ""


# RFC 5005's archive documents of a feed folder: `history/1/` holds its oldest entries.
HISTORY = "history/"


def history_folder(folder: str, page: int) -> str:
    """The folder of archive document `page` of a feed folder: `countries/china/history/3/`."""
    return f"{folder}{HISTORY}{page}/"


def feed_path(folder: str, fmt: str) -> str:
    """The RSS or Atom file of a feed folder (`""` is the whole category's)."""
    return folder + FEED_FORMATS[fmt]


def url(config: Config, path: str = "") -> str:
    """The public URL of a path below the output folder (its characters percent-encoded)."""
    return config.base_url + quoted(path)


_PLAIN = re.compile(r"[A-Za-z0-9/._~-]*").fullmatch


def quoted(path: str) -> str:
    """`path` percent-encoded, as links carry it. Most paths are plain ASCII, which quote()
    would return as they are, at a cost: a big site makes half a million links."""
    return path if _PLAIN(path) else quote(path, safe="/-._~")


def country_scheme(config: Config) -> str:
    """The scheme of the country categories in the feeds: the folder of the country feeds."""
    return url(config, COUNTRIES)


def tag_scheme(config: Config) -> str:
    """The scheme of the tag categories in the feeds: the folder of the tag feeds."""
    return url(config, TAGS)


def permalink_path(post: Post, config: Config) -> str:
    """The post's URL path below base_url, from the `permalink` pattern (percent-encoded), or
    the post's own (Jekyll's `permalink:`, Hugo's `url:`; one without an extension is a
    folder, as Hugo makes it)."""
    if post.own_path is not None:
        path = post.own_path
        if not path.endswith("/") and "." not in path.rpartition("/")[2]:
            path += "/"
        return quoted(path)
    try:
        local = post.date.astimezone(config.tzinfo)
    except OverflowError:  # 0001-01-01T00:00+05:00 has no date in UTC: keep the one written
        local = post.date
    path = config.permalink.format(
        year=f"{local.year:04d}",
        month=f"{local.month:02d}",
        day=f"{local.day:02d}",
        slug=quoted(post.slug) if "/" not in post.slug else quote(post.slug, safe="-._~"),
    )
    return path.lstrip("/")


def permalink_file(post: Post, config: Config) -> str:
    """The file of the post's page below the output folder: its permalink path, decoded, as a
    web server maps the one to the other."""
    path = unquote(permalink_path(post, config))
    return path + INDEX_FILE if path.endswith("/") else path


def permalink(post: Post, config: Config) -> str:
    """The post's absolute URL."""
    return config.base_url + permalink_path(post, config)


def list_page(folder: str, number: int) -> str:
    """The file of page `number` of a listing in `folder` (`""` is the home page):
    `index.html`, then `page/2/index.html`, as Typepad and Hugo number them."""
    return folder + (INDEX_FILE if number == 1 else f"{PAGE}{number}/{INDEX_FILE}")


def month_folder(year: int, month: int) -> str:
    return f"{year:04d}/{month:02d}/"


def link_path(path: str) -> str:
    """How pages link to a file: a folder's `index.html` by its folder (`page/2/`)."""
    return path[: -len(INDEX_FILE)] if path.endswith(INDEX_FILE) else path


def folders_of(path: str) -> list[str]:
    """The folders a file below the output folder lies in: `2008/05/x.html` gives `2008` and
    `2008/05`. No file may have one of their names."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def site_path(config: Config) -> str:
    """The path part of base_url (`/sco/`): where output/ is served on its host."""
    return urlsplit(config.base_url).path or "/"


def alias_file(alias: str, config: Config) -> str | None:
    """The file below output/ that keeps an old address alive (Hugo's `aliases`): a path below
    base_url (a leading `/` too) or a URL under base_url; a folder-like address gets its
    `index.html`. None when the address lies outside the site."""
    if "://" in alias:
        if not alias.startswith(config.base_url):
            return None
        alias = alias[len(config.base_url) :]
    path = posixpath.normpath(unquote(alias).lstrip("/")) if alias.strip("/") else ""
    if path in ("", ".") or path.startswith("..") or "\\" in path:
        return None
    if alias.endswith("/") or "." not in path.rsplit("/", 1)[-1]:
        path += "/" + INDEX_FILE
    return path


def published_folder_files(output_dir: Path) -> list[str]:
    """The files scofeed writes in feed folders that are now in the output folder: of every
    country's and tag's folder (old ones included: its feeds, its listing's pages), of every
    archive document, and the tag index. A build removes those it no longer writes even when
    its cache, which lists them, is gone."""
    folders = [""]
    for parent in (COUNTRIES, TAGS):
        if (output_dir / parent).is_dir():
            folders += [f"{parent}{d.name}/" for d in sorted((output_dir / parent).iterdir())]
    found = [TAGS + INDEX_FILE] if (output_dir / TAGS / INDEX_FILE).is_file() else []
    for folder in folders:
        if folder:
            here = output_dir / folder
            found += [folder + name for name in FOLDER_FILES if (here / name).is_file()]
            if (here / PAGE).is_dir():
                found += [
                    f"{folder}{PAGE}{n.name}/{INDEX_FILE}"
                    for n in sorted((here / PAGE).iterdir())
                    if n.name.isdigit() and (n / INDEX_FILE).is_file()
                ]
        history = output_dir / folder / HISTORY
        if history.is_dir():
            found += [
                f"{folder}{HISTORY}{page.name}/{name}"
                for page in sorted(history.iterdir())
                if page.name.isdigit()
                for name in FOLDER_FILES
                if (page / name).is_file()
            ]
    return found


# Content types by exact file name first (both feeds end in .xml), then by suffix.
_TYPES_BY_NAME = {name: kind for name, kind, _ in FEED_FILES}
_TYPES_BY_SUFFIX = {
    ".html": "text/html",
    ".js": "application/javascript",
    ".json": "application/json",
    ".opml": "text/x-opml",
    ".xml": "application/xml",
    ".css": "text/css",
    ".txt": "text/plain",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".gif": "image/gif",
    ".ico": "image/vnd.microsoft.icon",
}
_TEXT = ("text/", "application/javascript", "application/json", "application/xml", "+xml", "+json")


def is_text(kind: str) -> bool:
    bare = kind.split(";")[0]
    return bare.startswith(_TEXT) or bare.endswith(_TEXT)


def content_type(name: str) -> str:
    """The `Content-Type` a file is served with (text types with their UTF-8 charset)."""
    kind = _TYPES_BY_NAME.get(name) or _TYPES_BY_SUFFIX.get(os.path.splitext(name)[1].lower())
    if kind is None:
        return "application/octet-stream"
    return f"{kind}; charset=utf-8" if is_text(kind) else kind
