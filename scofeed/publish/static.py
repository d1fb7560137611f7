"""`static/` beside the posts (Hugo's convention): files copied to the output as they are
(images, attachments, a favicon), each at the same path below output/; and page bundles'
resources, beside their post's page. Only regular files are
copied; hidden ones (`.git`, editors' swap files) are not; a link out of the folder, a FIFO or
an unreadable file is a problem by name, as in the post store."""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote

from scofeed.config import Config
from scofeed.errors import InputError, Problem
from scofeed.posts.files import PostFile, file_version, shown, walk_files
from scofeed.posts.media import is_site_path
from scofeed.posts.post import Post
from scofeed.posts.store import bundle_folders, bundle_of, post_markup, shown_prefix
from scofeed.site import layout


@dataclass(frozen=True)
class StaticFile:
    path: str  # below static/ and below output/
    source: Path
    key: str  # the source file's version: a new one is read and published again


def static_files(config: Config) -> tuple[list[StaticFile], list[Problem]]:
    root = config.static_dir
    if not root.is_dir():
        return [], []
    files, problems = [], []
    for key, real, stat in walk_files(root, None, "the static folder", skip_hidden=True):
        if not isinstance(stat, str) and not key.isprintable():
            stat = "has a control character in its name, which no address can carry; rename it"
        if isinstance(stat, str):
            problems.append(Problem(f"{shown(root, config.root)}/{key}", None, stat))
        else:
            files.append(StaticFile(key, Path(real), f"static {file_version(stat)}"))
    return files, problems


def bundle_files(
    posts: Iterable[Post], scanned: list[PostFile], config: Config
) -> tuple[list[StaticFile], list[Problem]]:
    """Hugo's page bundles: each published bundle post's other files (`trip/cover.jpg` beside
    `trip/index.md`), published in the folder its page's relative links resolve against, so
    `![](cover.jpg)` shows as it did under Hugo. Two bundles putting a file at one path (one
    month's folder, with a `….html` permalink) are refused by name."""
    prefix = shown_prefix(config.posts_dir, config.root)
    bundles = bundle_folders(scanned)
    folders = {}  # bundle folder -> the folder of its post's page
    for post in posts:
        key = post.path[len(prefix) :]
        folder = key.rpartition("/")[0]
        if folder in bundles and key.rpartition("/")[2].startswith("index."):
            folders[folder] = posixpath.dirname(layout.permalink_file(post, config))
    files: dict[str, StaticFile] = {}
    problems = []
    for key, real, stat in scanned:
        bundle = bundle_of(key, bundles)
        if bundle is None or bundle not in folders or post_markup(key) is not None:
            continue
        if isinstance(stat, str):
            problems.append(Problem(prefix + key, None, stat))
            continue
        path = posixpath.join(folders[bundle], key[len(bundle) + 1 :])
        other = files.setdefault(path, StaticFile(path, Path(real), f"static {file_version(stat)}"))
        if other.source != Path(real):
            why = (
                f"would be published at {path}, as {shown(other.source, config.root)} is; "
                'rename one, or give each post a folder: permalink = "{year}/{month}/{slug}/"'
            )
            problems.append(Problem(prefix + key, None, why))
    return list(files.values()), problems


def refuse_shadowed(statics: list[StaticFile], written: Iterable[str], config: Config) -> None:
    """A static file at a path the site writes would be one or the other: refused by name."""
    if not statics:
        return  # most sites: no set of every path and folder the site writes (14,000 files)
    written = set(written)
    # A file and a folder cannot share a name: a static file below a file scofeed writes
    # (static/rss.xml/x.txt) or where it writes a folder (static/2008) failed while publishing
    # (exit 2, "Is a directory") instead of being refused by name here.
    folders = {folder for path in written for folder in layout.folders_of(path)}
    clashes = []
    for s in statics:
        above = [folder for folder in layout.folders_of(s.path) if folder in written]
        if s.path in written or s.path.startswith("sitemap-"):
            why = f"scofeed writes {s.path} itself; rename or remove this file"
        elif above:
            why = f"scofeed writes the file {above[0]}, so it can be no folder; move this file"
        elif s.path in folders:
            why = f"scofeed writes files into the folder {s.path}; rename or remove this file"
        else:
            continue
        clashes.append(Problem(shown(s.source, config.root), None, why))
    if clashes:
        raise InputError("the static folder clashes with the site; nothing was published", clashes)


def measured(posts: list[Post], config: Config) -> tuple[list[Post], list[Problem]]:
    """Posts whose enclosures name files of the site (`media/ep1.mp3`, in static/): each such
    file must be there (a link to nothing is refused by name), and its size is the length the
    feeds give when the post gives none. The sizes also key the post's renderings, so a file
    replaced by a longer one is said on the next build."""
    out, problems = [], []
    for post in posts:
        if not any(is_site_path(url) for url, *_ in post.enclosures):
            out.append(post)
            continue
        enclosures = []
        for url, mime, length, duration in post.enclosures:
            if is_site_path(url):
                try:
                    size = (config.static_dir / unquote(url)).stat().st_size
                except OSError:
                    why = (
                        f"enclosures: {url} is no file of {shown(config.static_dir, config.root)}/;"
                        " put the file there, or give its http(s) URL"
                    )
                    problems.append(Problem(post.path, None, why))
                    continue
                length = size if length is None else length
            enclosures.append((url, mime, length, duration))
        sizes = hashlib.sha256(repr(enclosures).encode()).hexdigest()[:16]
        out.append(replace(post, enclosures=tuple(enclosures), link_key=post.link_key + sizes))
    return out, problems
