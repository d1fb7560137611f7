"""One post: the `Post` value, and how a post file's bytes become one.

`parse_post` turns a file's bytes (read by `frontmatter`) into a `Post`, or into every `Problem`
that stops them from being one, each naming the line and the fix.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone, tzinfo
from pathlib import Path
from typing import Any, cast

from scofeed.errors import Problem, ScofeedError
from scofeed.infra.urls import unsafe_id_scheme
from scofeed.infra.xmlsafe import NOT_XML
from scofeed.posts import fields, frontmatter
from scofeed.posts.fields import kind as _kind
from scofeed.posts.limits import MAX_DEPTH, MAX_FOLDER_NAME, MAX_NAME, nesting
from scofeed.posts.media import IMAGE_KEYS, Enclosure, read_enclosures, read_image
from scofeed.posts.slugs import slugify

_SLUG = re.compile(r"^[\w][\w.-]*$")

# Detection, passed in by the caller (the store knows no gazetteer): (title, body) -> names.
Detect = Callable[[str, str], Iterable[str]]


@dataclass(frozen=True, slots=True)
class Post:
    """One post as its file says it; nothing here depends on the site's URL."""

    path: str  # as shown in messages: relative to the project root when possible
    slug: str
    date: datetime  # aware, with a fixed offset
    updated: datetime  # aware; `date` when the file gives none
    # Markdown, with characters XML forbids removed. `load_posts` drops it to keep memory flat on
    # big stores; `body_of` reads it again from `source` for the few posts a feed carries.
    body: str | None
    title: str | None = None
    author: str | None = None
    countries: tuple[str, ...] | None = None  # declared; None means "detect"
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    summary: str | None = None
    comments: int | None = None
    draft: bool = False
    id: str | None = None  # declared; None means "generate from the slug"
    mentions: tuple[str, ...] | None = None  # countries its text names; None: not detected
    # Old addresses of the post (Hugo's `aliases`): paths below base_url, or URLs under it.
    aliases: tuple[str, ...] = ()
    enclosures: tuple[Enclosure, ...] = ()  # attachments (`scofeed.posts.media`)
    image: str | None = None  # its picture: an http(s) URL or a path on the site
    markup: str = "markdown"  # or "html": a `.html` post's body is HTML, sanitised as it is
    publish_at: datetime | None = None  # Hugo's publishDate: in no feed before then
    expire_at: datetime | None = None  # Hugo's expiryDate: in no feed from then on
    own_path: str | None = None  # Jekyll's `permalink:`, Hugo's `url:`: the page's path
    # What the build says of the post without refusing it: (line, message).
    warnings: tuple[tuple[int, str], ...] = ()
    # What its generated id is made from when another post shares its slug (the store says).
    id_name: str | None = None
    # Its link tags (`{% post_url %}`, `{{< ref >}}`): (line, kind, target), checked by the
    # build against the published posts; and, set by the build, a hash of the addresses they
    # lead to, which keys its entry and pages (a target's new address re-renders them).
    links: tuple[tuple[int, str, str], ...] = ()
    link_key: str = ""
    source: str = field(default="", compare=False)  # the file, absolute
    digest: str = field(default="", compare=False)  # sha256 of the file's bytes

    def is_published(self, now: datetime) -> bool:
        return (
            not self.draft
            and self.date <= now
            and (self.publish_at is None or self.publish_at <= now)
            and (self.expire_at is None or now < self.expire_at)
        )

    def changes(self) -> tuple[datetime, ...]:
        """The instants at which the post goes into the feeds or out of them."""
        if self.draft:
            return ()
        start = self.date if self.publish_at is None else max(self.date, self.publish_at)
        return (start,) if self.expire_at is None else (start, self.expire_at)


# What an edit may change and still leave the post where it was: what only the files that
# show the post are made of. Everything else (date, slug, countries and the names its text
# mentions, tags, draft, aliases, enclosures, ...) may move it between feeds and pages. Its
# `id_name` the store gives from the other posts' slugs (places themselves).
_TEXT_FIELDS = frozenset(
    {"title", "summary", "comments", "author", "image", "body", "warnings", "links", "digest",
     "id_name"}
)  # fmt: skip
_PLACE_FIELDS = tuple(f.name for f in dataclasses.fields(Post) if f.name not in _TEXT_FIELDS)


# A `Post` being built: the same slots, assignable. A frozen dataclass's `__init__` sets each
# field through `object.__setattr__`, 4 µs a post, and a rebuild makes every cached post again
# (40 ms at 10,000 posts, 4 s at a million). This sets them as plain attributes, then becomes
# a Post (`__class__`: the two have one layout), in a sixth of the time.
_Building: Any = dataclass(slots=True, eq=False, repr=False)(
    type("_Building", (), {"__annotations__": dict.fromkeys(Post.__slots__, object)})
)


def post_of(fields: Iterable[Any]) -> Post:
    """`Post(*fields)`: every field, in order, none left to its default."""
    post = _Building(*fields)
    post.__class__ = Post
    return cast(Post, post)


def place(post: Post) -> tuple[object, ...]:
    """What decides which feeds and pages hold a post, and where: two versions of a post with
    the same place are in the same files (`scofeed watch` and a rebuild after an edit re-render
    only those)."""
    links = tuple((kind, target) for _, kind, target in post.links)
    return (*(getattr(post, name) for name in _PLACE_FIELDS), links)


def parse_post(
    data: bytes,
    path: str,
    *,
    slug: str,
    tz: tzinfo,
    detect: Detect | None = None,
    keep_body: bool = True,
    source: str = "",
    digest: str | None = None,
    markup: str = "markdown",
    file_date: date | None = None,
) -> Post | list[Problem]:
    """One post file's bytes -> a `Post`, or the problems that stop it from being one.
    `file_date` is the date its file name gives (Jekyll's `2008-05-19-slug.md`), taken when the
    front matter gives none."""
    document = frontmatter.read(data, path)
    if isinstance(document, list):
        return document
    values, key_lines, body = document.meta, document.lines, document.body
    depth, line = nesting(body)
    if depth > MAX_DEPTH:
        where = document.body_line + line - 1
        why = f"nests blocks or HTML elements over {MAX_DEPTH} deep; flatten it"
        return [Problem(path, where, why)]
    post = _post_from_meta(
        values,
        key_lines,
        path,
        slug=slug,
        body=body,
        tz=tz,
        detect=detect,
        keep_body=keep_body,
        source=source,
        digest=digest or hashlib.sha256(data).hexdigest(),
        markup=markup,
        file_date=file_date,
    )
    if isinstance(post, list) or ("{%" not in body and "{{" not in body):
        return post
    # Liquid tags and Hugo shortcodes: expanded when the post is rendered; read here for what
    # the build says of them (by the file's line) and for the posts their links name.
    from scofeed.posts.shortcodes import expand

    found = expand(body, markup=markup)
    shift = document.body_line - 1
    return replace(
        post,
        warnings=post.warnings + tuple((line + shift, why) for line, why in found.warnings),
        links=tuple((line + shift, kind, target) for line, kind, target in found.links),
    )


def body_of(post: Post) -> str:
    """The post's Markdown body: kept, or read again from its file (which must not have changed
    since the post was read, or the feeds would mix two versions of it)."""
    if post.body is not None:
        return post.body
    data = Path(post.source).read_bytes()
    if hashlib.sha256(data).hexdigest() != post.digest:
        raise ScofeedError(f"{post.path}: changed while the build ran; run the build again")
    return frontmatter.body_of(frontmatter.decode(data))


def _post_from_meta(
    meta: dict[str, Any],
    key_lines: dict[str, int],
    path: str,
    *,
    slug: str,
    body: str,
    tz: tzinfo,
    detect: Detect | None,
    keep_body: bool,
    source: str,
    digest: str,
    markup: str,
    file_date: date | None,
) -> Post | list[Problem]:
    problems: list[Problem] = []
    # Hugo reads its own keys whatever their case (`publishDate`, `publishdate`); the house keys
    # stay as the format writes them.
    folded = {key.lower(): key for key in meta}
    taxonomies = meta.get("taxonomies")  # Zola: [taxonomies] tags = [...], categories = [...]
    if isinstance(taxonomies, dict):
        for key in ("tags", "categories"):
            if key not in meta and key in taxonomies:
                meta = {**meta, key: taxonomies[key]}
                key_lines = {**key_lines, key: key_lines.get("taxonomies", 1)}

    def fail(key: str, message: str) -> None:
        problems.append(Problem(path, key_lines.get(key, 1), message))

    def text(key: str) -> str | None:
        value = meta.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            fail(key, f"{key} must be text, not {_kind(value)}; write it in quotes")
            return None
        cleaned = " ".join(NOT_XML.sub("", str(value)).split())
        return cleaned or None

    def text_list(key: str, split: bool = False) -> tuple[str, ...]:
        value = meta.get(key)
        if value is None:
            return ()
        if split and isinstance(value, str):  # Jekyll: `categories: jekyll update` is two
            value = value.split(",") if "," in value else value.split()
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                fail(key, f"{key} must be a list of names, like {key}: [Russia, China]")
                return ()
            cleaned = " ".join(NOT_XML.sub("", str(item)).split())
            if len(cleaned) > MAX_NAME:
                fail(key, f"{key}: {_kind(cleaned)} is over {MAX_NAME} characters; shorten it")
                return ()
            if cleaned:
                out.append(cleaned)
        return tuple(dict.fromkeys(out))

    def when(key: str) -> datetime | None:
        value = meta.get(key)
        if value is None:
            return None
        return fields.parse_date(value, tz, lambda message: fail(key, f"{key} {message}"))

    def hugo_key(*names: str) -> str | None:
        return next((folded[n] for n in names if n in folded and meta[folded[n]] is not None), None)

    # Jekyll's `published: false` hides a post; Hugo's `published` is a publish date.
    shown = meta.get("published")
    hidden = shown is False
    publish_key = hugo_key("publishdate", "pubdate") or (
        "published" if shown is not None and not isinstance(shown, bool) else None
    )
    publish_at = when(publish_key) if publish_key else None
    expiry_key = hugo_key("expirydate", "unpublishdate")
    expire_at = when(expiry_key) if expiry_key else None

    date_key = hugo_key("date")
    if date_key is not None:
        published = when(date_key)
    elif publish_at is not None:  # Hugo dates a post by its publish date when it has no date
        published = publish_at
    elif file_date is not None:  # Jekyll dates a post by its file name
        published = datetime(file_date.year, file_date.month, file_date.day, tzinfo=tz)
        published = published.replace(tzinfo=timezone(published.utcoffset()))  # type: ignore[arg-type]
    else:
        published = None
        fail(
            "date",
            "has no date; add a line such as date: 2008-05-19 to the front matter, or start "
            "the file's name with the date (2008-05-19-name.md)",
        )
    updated_key = hugo_key("updated", "lastmod", "modified")
    updated = when(updated_key) if updated_key else None

    title = text("title")
    author_key = "author" if meta.get("author") is not None else hugo_key("authors") or "author"
    author = fields.author(meta.get(author_key), lambda message: fail(author_key, message))
    summary = text("summary")
    tags = text_list("tags", split=True)
    categories = text_list("categories", split=True) + text_list("category")
    # A tag or category with no letter or digit names no folder, so it gets no feed or page:
    # said, not refused (an imported blog's `#` tag must not keep its posts out).
    warnings = [
        (key_lines.get(key, 1), f"{key[:-1]} {_kind(name)} has no letter or digit, so it has "
         "no feed or page; add a word to it or remove it")
        for key, names in (("tags", tags), ("categories", categories))
        for name in names
        if not slugify(name, max_length=None)
    ]  # fmt: skip
    countries = text_list("countries") if "countries" in meta else None
    for name in countries or ():
        folder = slugify(name, max_length=None)
        if not folder:  # it would name no folder
            fail("countries", f"country {_kind(name)} has no letters; write a country's name")
        elif len(folder.encode()) > MAX_FOLDER_NAME:
            fail("countries", f"country {_kind(name)} is too long to name a folder; shorten it")

    declared_slug = text("slug")
    if declared_slug is not None:
        if not _SLUG.match(declared_slug) or ".." in declared_slug:
            fail(
                "slug",
                f"slug {_kind(declared_slug)} may hold only letters, digits, '-', '_' and '.'",
            )
        else:
            slug = declared_slug

    if len(slug.encode()) > MAX_FOLDER_NAME:  # it names the post's page file
        fail("slug", f"slug {_kind(slug)} is too long to name a file; give the post a shorter slug")

    comments = meta.get("comments")
    if isinstance(comments, bool):  # a theme's switch for its comment form, not a count
        comments = None
    if comments is not None and (not isinstance(comments, int) or comments < 0):
        fail("comments", f"comments must be a whole number of comments, not {_kind(comments)}")
        comments = None

    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        fail("draft", f"draft must be true or false, not {_kind(draft)}")
        draft = False
    draft = draft or hidden

    own_key = "permalink" if "permalink" in meta else hugo_key("url")
    own_path = (
        fields.own_path(meta.get(own_key), lambda m: fail(own_key or "url", m)) if own_key else None
    )

    post_id = text("id")  # any text (an imported guid as it was); Atom gets an IRI made of it
    if post_id is not None and (scheme := unsafe_id_scheme(post_id)):
        fail(
            "id",
            f"id {_kind(post_id)} has the scheme {scheme}:, which a feed reader showing it as a "
            "link would run or open; use an id such as tag:example.org,2008:post-1",
        )

    aliases = fields.aliases(meta.get("aliases"), lambda message: fail("aliases", message))
    enclosures = read_enclosures(meta.get("enclosures"), lambda m: fail("enclosures", m))
    image_key = hugo_key(*IMAGE_KEYS)
    image = None
    if image_key is not None:
        image = read_image(meta[image_key], lambda message: fail(image_key, message))

    if problems or published is None:
        return problems
    # Declared countries replace detection, so a post that declares them is not searched.
    mentions = None
    if detect is not None and countries is None:
        mentions = tuple(sorted(set(detect(title or "", body))))
    return Post(
        path=path,
        slug=slug,
        date=published,
        updated=updated or published,
        body=body if keep_body else None,
        title=title,
        author=author,
        countries=countries,
        tags=tags,
        categories=tuple(dict.fromkeys(categories)),
        warnings=tuple(warnings),
        summary=summary,
        comments=comments,
        draft=draft,
        id=post_id,
        mentions=mentions,
        aliases=aliases,
        enclosures=enclosures,
        image=image,
        markup=markup,
        publish_at=publish_at,
        expire_at=expire_at,
        own_path=own_path,
        source=source,
        digest=digest,
    )
