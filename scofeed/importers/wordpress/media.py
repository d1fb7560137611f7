"""Attachments of a WordPress export, downloaded into `static/` when asked to.

Each file keeps its path from `wp-content/uploads/` on (`static/wp-content/uploads/2019/03/x.jpg`,
a WordPress.com `*.files.wordpress.com/2019/03/x.jpg` too), so that when the new site takes the
old one's address, every old image URL, linked from anywhere, answers again. Besides the
attachments the export lists, the uploads that imported posts show are fetched: WordPress puts
its resized copies (`x-300x200.jpg`) in posts, and lists only the original.

Bodies are rewritten only where a downloaded file would otherwise be lost: a link to the old
address that is not the new site's own (the blog moves to another host or path) becomes the
file's path under base_url (`/sco/wp-content/uploads/…`, which feeds make absolute). Where the
new site takes the old address, the links already lead to the copies and stay as written.

Every download goes through `scofeed.infra.fetching` (a deadline, a size cap, public addresses
only unless allowed); a file already in `static/` is not fetched again unless forced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from scofeed.errors import FetchError
from scofeed.importers.addresses import path_below
from scofeed.importers.model import NewPost
from scofeed.infra.atomic import write_atomic
from scofeed.infra.fetching import fetch

MAX_ATTACHMENT_BYTES = 100 * 2**20  # a podcast episode fits; a video may not
UPLOADS = "wp-content/uploads/"
_URL = re.compile(r"""https?://[^\s"'<>()\[\]{}\\]+""")


@dataclass
class Downloads:
    saved: list[Path] = field(default_factory=list)
    present: list[Path] = field(default_factory=list)  # there already: not fetched again
    failed: list[str] = field(default_factory=list)  # "url: why"
    places: dict[str, str] = field(default_factory=dict)  # url (no query) -> path below static/


def upload_path(url: str) -> str | None:
    """Where an upload goes below `static/`: its path from `wp-content/uploads/` on (or, on a
    host of uploads alone such as WordPress.com's, its whole path under it); None for a path
    no file can have there (`..`, hidden names, which the build does not copy)."""
    try:
        path = unquote(urlsplit(url).path, errors="strict")
    except (ValueError, UnicodeDecodeError):
        return None
    at = path.find("/" + UPLOADS)
    below = path[at + 1 :] if at >= 0 else UPLOADS + path.lstrip("/")
    names = below.split("/")
    if len(below.encode("utf-8", "surrogatepass")) > 1024 or any(
        not n or n.startswith(".") or "\\" in n or "\x00" in n or not n.isprintable() for n in names
    ):
        return None
    return below


def uploads_in(posts: Iterable[NewPost], hosts: set[str]) -> list[str]:
    """The uploads that posts show: URLs on the old blog's hosts below `wp-content/uploads/`,
    or on a WordPress.com uploads host; without their query (`?w=300` asks for a resized
    copy), in order of first use."""
    found: dict[str, None] = {}
    for post in posts:
        for match in _URL.finditer(post.body):
            url = _bare(match[0])
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
            if (host in hosts and f"/{UPLOADS}" in parts.path) or host.endswith(
                ".files.wordpress.com"
            ):
                found.setdefault(url)
    return list(found)


def download(
    urls: Iterable[str],
    static_dir: Path,
    *,
    timeout: float,
    allow_private: bool = False,
    force: bool = False,
) -> Downloads:
    """Fetch each URL into `static_dir` at its `upload_path`; one that fails is said and the
    others fetched all the same."""
    done = Downloads()
    root = static_dir.resolve()
    for url in dict.fromkeys(_bare(u) for u in urls):
        below = upload_path(url)
        if below is None:
            done.failed.append(f"{url}: names no file that static/ can hold; it is not fetched")
            continue
        target = static_dir / below
        if not target.resolve().is_relative_to(root):
            done.failed.append(f"{url}: would be written outside static/; it is not fetched")
            continue
        if target.is_file() and not force:
            done.present.append(target)
            done.places[url] = below
            continue
        try:
            got = fetch(
                url,
                cap=MAX_ATTACHMENT_BYTES,
                timeout=timeout,
                purpose="WordPress import",
                accept="*/*",
                allow_private=allow_private,
            )
        except FetchError as exc:
            done.failed.append(str(exc))
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, got.data)
        except OSError as exc:  # a folder where the file goes, a full disk
            done.failed.append(f"{url}: cannot be saved as {target}: {exc.strerror or exc}")
            continue
        done.saved.append(target)
        done.places[url] = below
    return done


def rewrite(posts: list[NewPost], places: dict[str, str], base_url: str) -> list[NewPost]:
    """`posts` with their links to downloaded files that the new site would not answer at the
    old address made the files' paths under base_url (see the module's docstring)."""
    base_path = urlsplit(base_url).path or "/"

    def new(match: re.Match[str]) -> str:
        text = match[0]
        url = text.rstrip(",.;:!?")
        below = places.get(_bare(url))
        if below is None or path_below(_bare(url), base_url) == below:
            return text
        return base_path.rstrip("/") + "/" + quote(below, safe="/") + text[len(url) :]

    if not places:
        return posts
    return [replace(p, body=_URL.sub(new, p.body)) for p in posts]


def _bare(url: str) -> str:
    """An upload's URL without its query and fragment (and trailing punctuation of a text)."""
    url = url.rstrip(",.;:!?")
    return url.split("#", 1)[0].split("?", 1)[0]
