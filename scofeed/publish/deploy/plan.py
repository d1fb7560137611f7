"""What a deploy must do: output/'s files with their headers and phase, against the store's.

The store's own state decides: its listing (size and ETag of every object) and the manifest
scofeed keeps in the bucket (what each object was uploaded with). An object is left alone only
when both say it holds these bytes with these headers.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from urllib.parse import unquote, urljoin

from scofeed.config import Config
from scofeed.config_deploy import DeployMatcher
from scofeed.infra.atomic import TMP_PREFIX
from scofeed.site import layout

# The order readers see a deploy in: what a page links to is there before the page.
PHASES = ("pages", "archives", "feeds", "deletions")
PAGES, ARCHIVES, FEEDS, DELETIONS = range(4)

# Cache-Control by kind; a [[deploy.matchers]] entry overrides them.
CACHE_FEEDS = "public, max-age=300"  # feeds, indexes, sitemap: they change with every post
CACHE_PAGES = "public, max-age=600"  # every other page and archive document
CACHE_STATIC = "public, max-age=86400"  # embed.js, images, anything from static/

# The record scofeed keeps in the bucket beside the site; never deleted, never taken for a page.
MANIFEST = ".scofeed-deploy.json.gz"

_MONTH = re.compile(r"^\d{4}/\d{2}/(?:page/\d+/)?index\.html$")
_LISTING_PAGE = re.compile(r"(?:^|/)page/\d+/index\.html$")
_SITE_FILES = {
    layout.INDEX_FILE,
    layout.EMBED_FILE,
    layout.OPML_FILE,
    layout.SITEMAP_FILE,
    layout.ROBOTS_FILE,
    layout.REDIRECTS_FILE,
    layout.TAGS + layout.INDEX_FILE,
    layout.ARCHIVES + layout.INDEX_FILE,
}
_MD5 = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class Headers:
    content_type: str
    cache_control: str
    redirect: str | None = None  # x-amz-website-redirect-location, for an alias's page


@dataclass(frozen=True)
class LocalFile:
    path: str  # below output/, POSIX
    size: int
    md5: str
    headers: Headers
    phase: int
    stamp: tuple[int, int, int] = field(default=(0, 0, 0), compare=False)  # mtime, size, inode


@dataclass(frozen=True)
class Remote:
    """An object as the store's listing shows it."""

    size: int
    etag: str  # without its quotes


@dataclass(frozen=True)
class Record:
    """An object as scofeed uploaded it: the manifest's entry."""

    md5: str
    etag: str
    headers: Headers


@dataclass
class Plan:
    uploads: list[tuple[LocalFile, str]] = field(default_factory=list)  # (file, why)
    deletes: list[str] = field(default_factory=list)
    unchanged: list[LocalFile] = field(default_factory=list)

    def phase(self, phase: int) -> list[LocalFile]:
        return [file for file, _ in self.uploads if file.phase == phase]

    @property
    def upload_bytes(self) -> int:
        return sum(file.size for file, _ in self.uploads)


def phase_of(path: str) -> int:
    """Which phase uploads a file: feeds and the pages that list the newest posts last, the
    archive pages they link to before them, everything else (posts, static files) first."""
    name = path.rsplit("/", 1)[-1]
    if f"/{layout.HISTORY}" in f"/{path}" or _MONTH.match(path) or _LISTING_PAGE.search(path):
        return ARCHIVES
    if name in layout.FEED_NAMES or path in _SITE_FILES or _folder_page(name, path):
        return FEEDS
    return PAGES


def _folder_page(name: str, path: str) -> bool:
    """A country's or tag's own page or embed snippet, which lists its newest posts."""
    return name in (layout.INDEX_FILE, layout.EMBED_FILE) and layout.in_term_folder(path)


def default_headers(path: str, phase: int) -> Headers:
    name = path.rsplit("/", 1)[-1]
    if name == layout.REDIRECTS_FILE:
        kind = "text/plain; charset=utf-8"
    elif "." in name and layout.content_type(name) == "application/octet-stream":
        # layout knows what scofeed writes; what static/ holds, the platform's table knows.
        guessed = mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"
        kind = f"{guessed}; charset=utf-8" if layout.is_text(guessed) else guessed
    else:
        kind = layout.content_type(name)
    if phase == FEEDS:
        cache = CACHE_FEEDS
    elif phase == ARCHIVES or kind.startswith("text/html"):
        cache = CACHE_PAGES
    else:
        cache = CACHE_STATIC
    return Headers(kind, cache)


def headers_for(path: str, phase: int, matchers: tuple[DeployMatcher, ...]) -> Headers:
    return _matched(path, default_headers(path, phase), matchers)


def _matched(path: str, headers: Headers, matchers: tuple[DeployMatcher, ...]) -> Headers:
    for matcher in matchers:
        if fnmatchcase(path, matcher.pattern):
            return Headers(
                matcher.content_type or headers.content_type,
                matcher.cache_control or headers.cache_control,
            )
    return headers


def redirects_of(output_dir: Path, config: Config) -> dict[str, str]:
    """The alias pages' targets, from `_redirects` (what the build wrote, whatever templates
    make of the alias pages themselves): file below output/ -> absolute URL."""
    try:
        text = (output_dir / layout.REDIRECTS_FILE).read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        return {}
    base = layout.site_path(config)
    found = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) != 3 or line.startswith("#") or not fields[0].startswith(base):
            continue
        old = unquote(fields[0][len(base) :])
        if old == "" or old.endswith("/"):
            old += layout.INDEX_FILE
        found[old] = urljoin(config.base_url, fields[1])
    return found


def local_files(config: Config, known: Mapping[str, tuple[int, int, int, str]]) -> list[LocalFile]:
    """Every file of output/ (a killed build's temporary files aside) with its headers.
    `known` holds digests already taken, by path: (mtime_ns, size, inode, md5); a build
    replaces a file by renaming a new one in, so a file it changed has another inode."""
    output = str(config.output_dir)
    redirects = redirects_of(config.output_dir, config)
    matchers = config.deploy.matchers
    # The default headers depend on the phase and the name's extensions only: worked out once
    # for each, not for each of tens of thousands of files.
    defaults: dict[tuple[str, int], Headers] = {}
    found = []
    folders = [""]
    while folders:
        folder = folders.pop()
        with os.scandir(os.path.join(output, folder)) as entries:
            listed = sorted(entries, key=lambda entry: entry.name)
        for entry in listed:
            path = folder + entry.name
            if entry.is_dir():
                folders.append(path + "/")
                continue
            if entry.name.startswith(TMP_PREFIX) or not entry.is_file():
                continue
            stat = entry.stat()
            stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
            seen = known.get(path)
            if seen is not None and seen[:3] == stamp:
                digest = seen[3]
            else:
                with open(entry.path, "rb") as file:
                    digest = hashlib.file_digest(file, "md5").hexdigest()
            phase = phase_of(path)
            kind = (_name_key(entry.name), phase)
            headers = defaults.get(kind) or defaults.setdefault(kind, default_headers(path, phase))
            if matchers:
                headers = _matched(path, headers, matchers)
            if path in redirects:
                headers = Headers(headers.content_type, headers.cache_control, redirects[path])
            found.append(LocalFile(path, stat.st_size, digest, headers, phase, stamp))
    return found


def _name_key(name: str) -> str:
    """What a file's default headers depend on in its name: the whole name for the feeds and
    `_redirects` (named, not typed by extension), else everything after its first dot."""
    if name in layout.FEED_NAMES or name == layout.REDIRECTS_FILE or "." not in name:
        return "/" + name
    return name.partition(".")[2].lower()


def make_plan(
    files: list[LocalFile], remote: Mapping[str, Remote], manifest: Mapping[str, Record]
) -> Plan:
    plan = Plan()
    for file in files:
        why = _why_upload(file, remote.get(file.path), manifest.get(file.path))
        if why is None:
            plan.unchanged.append(file)
        else:
            plan.uploads.append((file, why))
    local = {file.path for file in files}
    plan.deletes = sorted(path for path in remote if path not in local)
    return plan


def _why_upload(file: LocalFile, remote: Remote | None, record: Record | None) -> str | None:
    """Why the store's object must be written again; None when it holds the file already."""
    if remote is None:
        return "new"
    if remote.size != file.size:
        return "changed"
    if _MD5.match(remote.etag):  # a single-part upload's ETag is the MD5 of its bytes
        if remote.etag != file.md5:
            return "changed"
    # Multipart or encrypted: the ETag is no digest, but the manifest knows what it was put as.
    elif record is None or record.etag != remote.etag or record.md5 != file.md5:
        return "changed"
    if record is None or record.etag != remote.etag:
        return "headers unknown"  # put there by someone else, or by a deploy that was cut short
    if record.headers != file.headers:
        return "headers"
    return None
