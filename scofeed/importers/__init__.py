"""Importers: other formats -> post files in the store. Shared here: how a post file is written.

Every importer is idempotent (a post already in the store is skipped), never overwrites a post
that differs unless forced, and writes only file names it made itself, inside `posts/`.
A post in the store is the same post as an imported one when both carry the same `id:` (feeds
give one), or else when they have the same day and title; an `id:` once written is kept.
"""

from __future__ import annotations

import html as html_lib
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from scofeed.errors import FetchError, InputError, ScofeedError
from scofeed.post import NOT_XML, slugify
from scofeed.render import derive_title
from scofeed.store import iter_post_files

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
    slug: str | None = None  # a hint (an MT basename); slugified, never used as a path as is

    @property
    def identity(self) -> tuple[str, str]:
        """What makes two imports the same post: its day and its (derived) title."""
        return (self.date.isoformat()[:10], self.title or body_title(self.body))


def body_title(body: str) -> str:
    """The title a feed gives an untitled post: the first sentence of its text as rendered, so
    that the same words imported from two formats (Markdown, HTML) are the same post."""
    import nh3
    import pyromark

    from scofeed.render import plain_text_blocks

    blocks = plain_text_blocks(str(nh3.clean(pyromark.html(body))))
    return derive_title(blocks[0]) if blocks else ""


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
    from scofeed.post import slug_from_filename

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
    try:
        title = yaml.safe_load(title_match.group(1)) if title_match else None
    except yaml.YAMLError:  # an editor's typo: the store reports it; here it matches nothing
        title = title_match.group(1) if title_match else None
    return (date_match.group(1), str(title) if title else body_title(body))


_ID_LINE = re.compile(r"^id:[ \t]*(.+)$", re.MULTILINE)


def _id_of(text: str) -> str | None:
    match = _ID_LINE.search(text.split("\n---", 1)[0])
    if match is None:
        return None
    try:
        value = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return None
    return str(value).strip() or None if value is not None else None


class _Store:
    """The posts already in the store, found by slug, by `id:` and by (day, title)."""

    def __init__(self, posts_dir: Path) -> None:
        self.posts_dir = posts_dir
        self.files = _existing(posts_dir)
        self.ids: dict[str, str | None] = {}  # slug -> its `id:`
        self.identities: dict[str, tuple[str, str] | None] = {}  # slug -> (day, title)
        self.by_id: dict[str, str] = {}
        self.by_identity: dict[tuple[str, str], list[str]] = {}
        # Slugs this run has matched or given out: two posts of one import with the same day
        # and title are two posts, so neither may take the other's file.
        self.claimed: set[str] = set()
        for slug, (_, text) in self.files.items():
            self._index(slug, text)

    def _index(self, slug: str, text: str) -> None:
        post_id = self.ids[slug] = _id_of(text)
        if post_id is not None:
            self.by_id.setdefault(post_id, slug)
        identity = self.identities[slug] = _identity_of(text)
        if identity is not None:
            self.by_identity.setdefault(identity, []).append(slug)

    def add(self, slug: str, path: Path, text: str) -> None:
        self.files[slug] = (path, text)
        self._index(slug, text)

    def match(self, post: NewPost) -> str | None:
        """The slug of the stored post that `post` is, if any, and claims it."""
        slug = self._match(post)
        if slug is not None:
            self.claimed.add(slug)
        return slug

    def _match(self, post: NewPost) -> str | None:
        post_id = post.meta.get("id")
        post_id = post_id if isinstance(post_id, str) else None
        held = self.by_id.get(post_id) if post_id is not None else None
        if held is not None and held not in self.claimed:
            return held
        identity = post.identity

        def same(slug: str, *, day_only: bool = False) -> bool:
            held_id, held_identity = self.ids[slug], self.identities[slug]
            if slug in self.claimed or held_identity is None:
                return False
            if held_id is not None and post_id is not None and held_id != post_id:
                return False
            return held_identity[0] == identity[0] if day_only else held_identity == identity

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
        # A slug the source gave (an MT basename) on the same day: the same post, retitled since.
        hinted = slugify(post.slug or "")
        if hinted in self.files and same(hinted, day_only=True):
            return hinted
        return None

    @staticmethod
    def _base(post: NewPost) -> str:
        return slugify(post.slug or "") or slugify(post.title or derive_title(post.body)) or "post"

    def free_slug(self, post: NewPost) -> str:
        """A slug no post has, whose file name is free too (a file the store could not read
        may hold it, and is never replaced)."""
        base = self._base(post)
        day = post.date.isoformat()[:10]
        slug, n = base, 1
        while (
            slug in self.files
            or slug in self.claimed
            or (self.posts_dir / f"{day}-{slug}.md").exists()
        ):
            n += 1
            slug = f"{base}-{n}"
        self.claimed.add(slug)
        return slug


def write_posts(
    posts: Iterable[NewPost], posts_dir: Path, *, force: bool = False, shown_from: Path
) -> ImportReport:
    """Give each post a slug and a file, unless the store holds it already."""
    posts_dir.mkdir(parents=True, exist_ok=True)
    store = _Store(posts_dir)
    report = ImportReport()
    for post in posts:
        slug = store.match(post)
        if slug is not None:
            path, old = store.files[slug]
            held_id = _id_of(old)
            if held_id is not None and "id" not in post.meta:  # an id never changes
                post = replace(post, meta={**post.meta, "id": held_id})
            text = post_text(post, slug)
            shown = str(_shown(path, shown_from))
            if old == text:
                report.skipped.append(shown)
                continue
            if not force:
                report.refused.append(f"{shown}: differs from the import; --force overwrites it")
                continue
        else:
            slug = store.free_slug(post)
            text = post_text(post, slug)
            path = posts_dir / f"{post.date.isoformat()[:10]}-{slug}.md"
        existed = slug in store.files
        _write_atomic(path, text)
        store.add(slug, path, text)
        (report.overwritten if existed else report.created).append(str(_shown(path, shown_from)))
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


# --- a new post from the command line ------------------------------------------------------


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
    """Write `posts_dir/YYYY-MM-DD-slug.md` with front matter ready to fill in; never overwrite.

    `when` is the post's date in the site's time zone (the caller reads the clock).
    """
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
    shown = _shown(path, shown_from)
    if path.exists():
        raise InputError(f"{shown} already exists; edit it, or pass --slug NAME for a new post")
    held = _existing(posts_dir).get(slug)
    if held is not None:
        raise InputError(
            f"the slug {slug!r} is already used by {_shown(held[0], shown_from)}; "
            "pass --slug NAME to give this post another"
        )
    fields: dict[str, object] = {
        "title": title,
        "date": when.replace(microsecond=0),
        "countries": list(dict.fromkeys(countries)) or None,
        "tags": list(dict.fromkeys(fold(t) for t in tags if fold(t))) or None,
        "slug": slug,
        "draft": True if draft else None,
    }
    text = front_matter(fields)
    if draft:
        text = text.replace("\ndraft: true\n", "\ndraft: true  # delete this line to publish\n")
    _write_new(path, text + "\n", shown)
    return path


def _write_new(path: Path, text: str, shown: Path) -> None:
    """Write a whole file at `path` at once, failing if it exists (even if it appeared just now)."""
    fd, tmp = tempfile.mkstemp(prefix=".new-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.link(tmp, path)  # atomic, and refuses an existing file
    except FileExistsError:
        raise InputError(
            f"{shown} already exists; edit it, or pass --slug NAME for a new post"
        ) from None
    finally:
        os.unlink(tmp)


# --- text and HTML, as the importers find them ------------------------------------------------

# The store drops the characters XML forbids (post.NOT_XML) when it reads a post, so an importer
# drops them first and the file says what the feeds will carry.
_MARKUP = re.compile(r"<[A-Za-z/!?]|&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_NEWLINES = re.compile(r"\r\n?")

# Tags that start a CommonMark HTML block (types 1 and 6): such a block is passed through as it
# is, up to the next blank line (type 6) or its closing tag (type 1).
_BLOCK_TAGS = frozenset((
    "address", "article", "aside", "base", "basefont", "blockquote", "body", "caption", "center",
    "col", "colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5",
    "h6", "head", "header", "hr", "html", "iframe", "legend", "li", "link", "main", "menu",
    "menuitem", "nav", "noframes", "ol", "optgroup", "option", "p", "param", "section", "summary",
    "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "track", "ul", "pre", "script",
    "style", "textarea",
))  # fmt: skip
# A blank line would end an HTML block; inside one, a newline written as a character reference
# keeps the text the same (white space in HTML, or the very newline inside <pre>).
_BLANK_LINE = re.compile(r"(?<=\n)([ \t]*)\n")


def clean(text: str) -> str:
    """Text with Unix line ends and without the characters XML forbids."""
    return NOT_XML.sub("", _NEWLINES.sub("\n", text))


def fold(text: str) -> str:
    """One line of text: white space runs folded to one space, forbidden characters dropped."""
    return " ".join(NOT_XML.sub("", text).split())


def _fragment(markup: str) -> Any:
    from lxml import html as lxml_html

    return lxml_html.fragment_fromstring(clean(markup), create_parent="div")


def html_text(markup: str) -> str:
    """The words of an HTML fragment as one line of plain text."""
    if not markup.strip():
        return ""
    root = _fragment(markup)
    for el in list(root.iter()):
        if el.tag in ("script", "style"):
            el.drop_tree()
        elif el.tag in _BLOCK_TAGS or el.tag == "br":
            el.tail = " " + (el.tail or "")
            el.text = " " + (el.text or "")
    return fold(str(root.text_content()))


def plain(text: str) -> str:
    """A title or summary that may be written as HTML (`Tom &amp; Jerry`) as plain text."""
    return html_text(text) if _MARKUP.search(text) else fold(text)


def text_to_html(text: str) -> str:
    """Plain text -> HTML paragraphs (blank lines) and line breaks, every character escaped."""
    paragraphs = re.split(r"\n(?:[ \t]*\n)+", clean(text).strip())
    return "\n".join(
        "<p>" + html_lib.escape(p.strip(), quote=False).replace("\n", "<br>\n") + "</p>"
        for p in paragraphs
        if p.strip()
    )


def markdown_from_html(markup: str, base: str | None = None) -> str:
    """HTML -> a Markdown body that renders to that same HTML.

    CommonMark passes an HTML block through untouched when it starts with a block tag and holds
    no blank line; so each top-level block is written on its own, loose text and inline elements
    are wrapped in a paragraph, and blank lines inside a block become `&#10;`. Markdown syntax in
    the text (`*`, `_`, indented lines) is then never read as Markdown. Relative links are made
    absolute against `base` when given (the post's old address).
    """
    from lxml import etree
    from lxml import html as lxml_html

    if not markup.strip():
        return ""
    root = _fragment(markup)
    if base:
        root.make_links_absolute(base, resolve_base_href=True, handle_failures="ignore")
    blocks: list[str] = []
    run: list[str] = []
    run_has_block = False

    def flush() -> None:
        nonlocal run_has_block
        inline = "".join(run).strip()
        if inline:
            tag = "div" if run_has_block else "p"
            blocks.append(f"<{tag}>{inline}</{tag}>")
        run.clear()
        run_has_block = False

    def serialise(el: Any) -> str:
        return str(lxml_html.tostring(el, encoding="unicode", method="html", with_tail=False))

    run.append(html_lib.escape(root.text or "", quote=False))
    for el in root:
        if isinstance(el, etree._ProcessingInstruction):
            pass
        elif isinstance(el, etree._Comment) or el.tag in _BLOCK_TAGS:
            flush()
            blocks.append(serialise(el))
        else:
            run.append(serialise(el))
            run_has_block |= any(d.tag in _BLOCK_TAGS for d in el.iterdescendants())
        run.append(html_lib.escape(el.tail or "", quote=False))
    flush()
    return "\n\n".join(_BLANK_LINE.sub(r"\1&#10;", b.strip()) for b in blocks) + "\n"


def read_capped(path: Path, cap: int, too_big: str) -> bytes:
    """A file's bytes, refusing one over `cap` bytes with `path: too_big`. Reads at most one
    byte over the cap, whatever the file system says its size is."""
    try:
        with path.open("rb") as fh:
            data = fh.read(cap + 1)
    except OSError as exc:
        raise FetchError(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    if len(data) > cap:
        raise InputError(f"{path}: {too_big}")
    return data
