"""Old addresses kept: an imported post whose source says where it was published (an MT
`UNIQUE URL`, a feed entry's link) keeps that address when it lies under the site's `base_url`.

The address becomes the post's own permalink when the `permalink` pattern gives it for the
post's date (in the site's time zone) with some slug the store accepts: Typepad's
`2008/05/sco_summit_in_.html` becomes `slug: sco_summit_in_` (Typepad cut the basenames in its
URLs to 15 characters, so the URL is trusted, not BASENAME). Any other address under base_url
(another pattern, a date that falls in another month here, characters no slug may hold, a slug
another post has) is kept in `aliases:`, from which the build writes a redirect. An address that
another post holds already (its page or one of its aliases) is never taken from it.

Whether the address is the permalink is decided as the build decides it: the post's file is
read back with `parse_post` and its page placed by `scofeed.site.layout`, the one owner of
output paths.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from urllib.parse import SplitResult, unquote, urlsplit

from scofeed.config import Config
from scofeed.importers.model import ImportReport, NewPost, post_text
from scofeed.posts.post import Post, parse_post
from scofeed.site import layout

# A slug that no permalink pattern spells by itself: where it lands in a post's permalink is
# where the slug of an old address must stand.
_PLACEHOLDER = "scofeed-slug-placeholder"
_DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_FILE_NAME = 200  # bytes of a post's file name, as `posts.limits.MAX_FOLDER_NAME`


@dataclass(frozen=True)
class Placing:
    """What deciding an imported post's address needs: the post as the store will read its
    file (with a placeholder slug; None when it would not read it), its old address below
    base_url (None when it has none there), and the slug that makes that address its page."""

    read: Post | None
    url: str | None = None
    old: str | None = None
    fitting: str | None = None


class Addresses:
    """The addresses of a site's posts: which post holds each page and each alias, each
    address known by the file below output/ that answers it (`_file`), so that `%E5` and the
    character it escapes, or `x/` and `x/index.html`, are one address."""

    def __init__(self, config: Config, posts: Iterable[Post]) -> None:
        self.config = config
        # address (`_file`) -> (slug of the post that holds it, "page" or "alias")
        self.owners: dict[str, tuple[str, str]] = {}
        # The files of the old addresses the import brings: no post's new page may take one.
        self.wanted: set[str] = set()
        for post in posts:
            self.hold(post)

    def hold(self, post: Post) -> None:
        """Record the addresses `post` holds; an address held already stays its holder's."""
        self.owners.setdefault(
            self._file(layout.permalink_path(post, self.config)), (post.slug, "page")
        )
        for alias in post.aliases:
            if layout.alias_file(alias, self.config) is not None:  # else the build says so
                self.owners.setdefault(self._file(alias), (post.slug, "alias"))

    def place(self, post: NewPost, report: ImportReport) -> Placing:
        """Read `post` as the store will, and find its old address (notes go to `report`),
        which no other post's new page may then take."""
        read = self._read(post, _PLACEHOLDER)
        old = self.old_path(post.url, report) if post.url and read is not None else None
        if read is None or old is None:
            return Placing(read)
        self.wanted.add(self._file(old))
        return Placing(read, post.url, old, self.fitting_slug(post, read, old))

    def old_path(self, url: str, report: ImportReport) -> str | None:
        """The part of `url` below base_url (`2008/05/x.html`), as the URL spells it; None, with
        a note in `report`, for an address outside the site or one no file can answer."""
        below = path_below(url, self.config.base_url)
        if below is None:
            report.outside.append(url)
            return None
        if urlsplit(url.strip()).query:
            report.unkept.append(f"{url}: has a query (?…), which no file below output/ answers")
            return None
        if not below:
            report.unkept.append(f"{url}: is the site's home page, not a post's address")
            return None
        if layout.alias_file(below, self.config) is None:
            report.unkept.append(f"{url}: names no file below base_url")
            return None
        return below

    def fitting_slug(self, post: NewPost, read: Post, old: str) -> str | None:
        """The slug that makes `old` the post's own page, if the pattern and the store's slug
        rule allow one; whether another post has it is not asked here."""
        pattern = self._page(read, _PLACEHOLDER)
        if pattern.count(_PLACEHOLDER) != 1:  # a permalink without the slug, or with it twice
            return None
        head, tail = pattern.split(_PLACEHOLDER)
        if len(old) <= len(head) + len(tail) or not old.startswith(head) or not old.endswith(tail):
            return None
        try:
            slug = unquote(old[len(head) : len(old) - len(tail)], errors="strict")
        except UnicodeDecodeError:  # %-escapes that are no UTF-8
            return None
        name = f"{post.date.isoformat()[:10]}-{slug}.md"
        if len(name.encode("utf-8", "surrogatepass")) > MAX_FILE_NAME:  # the file must fit
            return None
        # Byte for byte, as the build will place the file that declares it.
        again = self._read(post, slug)
        if again is None or again.slug != slug:
            return None
        return slug if layout.permalink_path(again, self.config) == old else None

    def owner(self, old: str | None) -> tuple[str, str] | None:
        """Who holds the address `old` already: (slug, "page" or "alias"), or None."""
        return self.owners.get(self._file(old)) if old else None

    def page_taken(self, placing: Placing, slug: str) -> bool:
        """Whether the page the post of `placing` would have with `slug` is an address that a
        post holds already, or that another post of the import comes with."""
        if placing.read is None:
            return False
        page = self._file(self._page(placing.read, slug))
        own = self._file(placing.old) if placing.old else None
        return page in self.owners or (page in self.wanted and page != own)

    def settle(
        self,
        post: NewPost,
        slug: str,
        placing: Placing,
        shown: str,
        name: Callable[[str], str],
        report: ImportReport,
    ) -> NewPost:
        """`post`, given `slug`, keeping its old address: as its page, or else in `aliases:`;
        as it is, with a problem in `report`, when another post holds that address. Whatever
        it ends with is held from then on. `name` names the file of a slug, for messages."""
        if placing.read is None:
            return post
        read = replace(placing.read, slug=slug)
        old, url = placing.old, placing.url or ""
        if old is None or self._file(layout.permalink_path(read, self.config)) == self._file(old):
            if old is not None:
                report.as_permalink += 1
            self.hold(read)
            return post
        holder = self.owner(old)
        if holder is not None and holder[0] != slug:
            other, kind = holder
            what = "the address" if kind == "page" else "an alias"
            report.lost.append(
                f"{shown}: its old address {url} is already {what} of {name(other)}, so this "
                "post does not keep it; if the two are one post, delete one of them"
            )
            self.hold(read)
            return post
        kept = replace(post, meta={**post.meta, "aliases": [old]})
        if self._read(kept, slug) is None:
            report.unkept.append(f"{url}: holds characters no alias may hold (':', '\\', '..')")
            self.hold(read)
            return post
        report.as_alias += 1
        self.hold(replace(read, aliases=(old,)))
        return kept

    def _read(self, post: NewPost, slug: str) -> Post | None:
        """`post` as the store will read its file with `slug`; None when it would not."""
        try:
            text = post_text(post, slug).encode("utf-8")
        except UnicodeError:  # a lone surrogate from the source: the store would refuse it too
            return None
        read = parse_post(text, "import", slug=slug, tz=self.config.tzinfo, keep_body=False)
        return read if isinstance(read, Post) else None

    def _page(self, read: Post, slug: str) -> str:
        return layout.permalink_path(replace(read, slug=slug), self.config)

    def _file(self, path: str) -> str:
        """An address below base_url (a page's or an alias's) as the file that answers it."""
        return layout.alias_file(path, self.config) or path


def path_below(url: str, base_url: str) -> str | None:
    """`https://Blog.Example.com:443/sco/2008/05/x.html#more` under `https://blog.example.com/sco/`
    -> `2008/05/x.html`: the same scheme, host (in any case) and port, and a path that starts
    with base_url's, as the URL spells it; the fragment dropped, and with it a query (which
    `old_path` refuses). None when `url` is not under base_url."""
    try:
        parts, base = urlsplit(url.strip()), urlsplit(base_url)
        same = _origin(parts) == _origin(base)
    except ValueError:  # an unbalanced [ in the host, a port that is no number
        return None
    base_path = base.path or "/"
    if not same or not (parts.path or "/").startswith(base_path):
        return None
    return (parts.path or "/")[len(base_path) :]


def _origin(parts: SplitResult) -> tuple[str, str, int | None]:
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(scheme)
