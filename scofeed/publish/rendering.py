"""Rendering what a build must write: each post's entry once (or from the cache), then each
file of each feed folder and each page, checked and staged for publishing by the process that
rendered it; on every core when there is much to do (a clean build), in this process otherwise
(a rebuild after an edit).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from scofeed.config import Config
from scofeed.errors import Problem
from scofeed.infra.memo import Recent
from scofeed.infra.parallel import cores, fork_map
from scofeed.publish.cache import BuildCache
from scofeed.publish.cache_records import FileRecord

if TYPE_CHECKING:
    from datetime import datetime

    from scofeed.posts.post import Post
    from scofeed.publish.output import Publication, Staged
    from scofeed.site.archive import Page
    from scofeed.site.entries import Entry
    from scofeed.site.plan import FeedSpec
    from scofeed.site.refs import Refs
    from scofeed.validate.repeats import Repeats

# The modules that render (site, and feedgen, lxml and the validator behind them) are imported
# only once a build has something to render: a no-op build from cron loads none of them.

Renderer = Callable[["FeedSpec", Config, Callable[["Post"], "Entry"]], bytes]
# A file's bytes and path, and the entries of the process checking it (what it has validated).
Checker = Callable[[bytes, str, "Entries"], list[Problem]]


@dataclass(frozen=True, slots=True)
class FolderFile:
    """A file every feed folder holds: its kind (in cache keys), name, renderer and check."""

    kind: str
    name: str
    render: Renderer
    check: Checker


def _xml_renderer(fmt: str) -> Renderer:
    # feedgen makes each document's head; its entries are written as text (site.splice).
    from scofeed.site.splice import render_spliced

    def render_xml(spec: FeedSpec, config: Config, entry_for: Callable[[Post], Entry]) -> bytes:
        return render_spliced(spec, fmt, config, entry_for)

    return render_xml


def _check_feed(data: bytes, path: str, entries: Entries) -> list[Problem]:
    """The validator's errors for a feed about to be published (warnings do not stop it),
    each entry validated in full once by this process (`validate.repeats`)."""
    return [
        Problem(path, f.line, f"{f.rule}: {f.message}")
        for f in entries.validated().errors(data, path)
    ]


def _check_json(data: bytes, path: str, entries: Entries) -> list[Problem]:
    from scofeed.validate.jsonfeed import check_json

    return check_json(data, path)


def _no_check(data: bytes, path: str, entries: Entries) -> list[Problem]:
    return []


@cache
def folder_files() -> tuple[FolderFile, ...]:
    from scofeed.site import layout
    from scofeed.site.jsonfeed import render_json
    from scofeed.site.pages import render_embed

    feeds = (
        FolderFile(fmt, name, _xml_renderer(fmt), _check_feed)
        for fmt, name in layout.FEED_FORMATS.items()
    )
    return (
        *feeds,
        FolderFile("json", layout.JSON_FILE, render_json, _check_json),
        FolderFile("embed", layout.EMBED_FILE, render_embed, _no_check),
    )


# Entries a process keeps at hand (some 40 MB of HTML at most). The rest are in the cache, on
# disk for those this build made (`publish.spill`): a clean build of 100,000 posts held all of
# them, 470 MB, in the build's process and again in each worker that read them. A post is in
# some ten files (its page, its neighbours', listings, feeds and archive documents in four
# formats) that are rendered far apart; at 10,000 posts this holds nearly all of them, and a
# smaller memo cost a clean build 15% more CPU reading them again (2,048: 64 s against 55 s).
MEMO_SIZE = 8192
# Pieces of feed documents a process keeps (`Entries.pieces`, some 15 MB): the documents are
# rendered in the order of their oldest entries (`feed_jobs`), so a post's next document comes
# soon. A clean build of 10,000 posts in one process made 30,542 pieces with 1,024 kept, 30,000
# (one per post and format) with 4,096, 110,039 with 256.
PIECES_SIZE = 1536
# Entries validated that a process remembers (their digests, some 2 MB): two a post (RSS and
# Atom), in documents rendered close together as the pieces are.
VALIDATED_SIZE = 16384
# The build's own process, rendering its share beside the workers, keeps fewer: it also holds
# the plan and the files' records, and its memo raised a clean 100,000-post build's peak there
# from 443 MB to 502 MB (the workers' memos are theirs alone).
OWN_MEMO_SIZE = 1024


class Entries:
    """Each post's rendered entry (its HTML, summary, link), made once per build and not at all
    when the cache has it; called with a post, as the renderers want."""

    def __init__(self, config: Config, cache: BuildCache, refs: Refs | None = None) -> None:
        self.config = config
        self.cache = cache
        self.refs = refs  # the posts that link tags may name
        self.memo: Recent[str, Entry] = Recent(MEMO_SIZE)
        # Each post's RSS item, Atom entry and JSON Feed item as text (`site.splice`,
        # `site.jsonfeed`), for the next document that carries it: a post is in some five
        # documents of each format, and writing its text was most of their time.
        self.pieces: Recent[tuple[object, ...], str] = Recent(PIECES_SIZE)
        self._validated: Repeats | None = None

    def __call__(self, post: Post) -> Entry:
        entry = self.memo.get(post.path) or self._cached(post)
        if entry is None:
            from scofeed.site.entries import render_entry

            entry = render_entry(post, self.config, self.refs)
            self.add(post, entry)
        return entry

    def validated(self) -> Repeats:
        """What this process has validated of the entries (`validate.repeats`)."""
        if self._validated is None:
            from scofeed.validate.repeats import Repeats

            self._validated = Repeats(VALIDATED_SIZE)
        return self._validated

    def sharing(self, *, memo_size: int) -> Entries:
        """Entries made the same way, from the same cache, with a memo of their own."""
        twin = Entries(self.config, self.cache, self.refs)
        twin.memo.size = memo_size
        return twin

    def _cached(self, post: Post) -> Entry | None:
        from scofeed.site.entries import Entry
        from scofeed.site.layout import permalink

        hit = self.cache.entry(post.digest + post.link_key, permalink(post, self.config))
        if hit is None or len(hit) != len(Entry.__dataclass_fields__):
            return None
        id_, link, title, html, summary, image = hit
        entry = Entry(id_, link, title, html, summary, image or None)
        self.memo[post.path] = entry
        return entry

    def missing(self, posts: Iterable[Post]) -> list[Post]:
        """The posts, each once, whose entry is neither made nor cached."""
        # Each post once before the cache is asked: a clean build's files name each post some
        # ten times (feeds, archives, pages, in three formats), and each question costs a
        # permalink.
        unique = {p.path: p for p in posts if p.path not in self.memo}
        return [p for p in unique.values() if self._cached(p) is None]

    def add(self, post: Post, entry: Entry, *, remember: bool = True) -> None:
        if remember:
            self.memo[post.path] = entry
        self.cache.put_entry(
            post.digest + post.link_key,
            entry.link,
            # The cache holds text only: no picture is "".
            (entry.id, entry.link, entry.title, entry.html, entry.summary, entry.image or ""),
        )


@dataclass(frozen=True, slots=True)
class Job:
    """A file to render: its path below output/, the key of its inputs, the posts whose
    entries it shows, how to make its bytes (`make(subject, config, entries)`, no partial:
    a site has a job per file, 140,000 at 100,000 posts) and how to check them."""

    path: str
    key: str
    posts: tuple[Post, ...]
    make: Callable[[Any, Config, Entries], bytes]
    subject: Any  # the FeedSpec or Page the file shows
    check: Checker


@dataclass(frozen=True, slots=True)
class Unmoved:
    """A rebuild after edits that moved no post (`build._unmoved`): a file that shows none of
    the posts read again is made of what it was made of last time, so its key is the one the
    cache records (`keys`), taken instead of computed; keying every file of a big site is
    most of a rebuild after one edit. `read_again`: those posts' paths."""

    keys: dict[str, FileRecord]
    read_again: frozenset[str]

    @classmethod
    def since(
        cls,
        cache: BuildCache,
        posts: list[Post],
        signature: str,
        others: str,
        now: datetime,
        interrupted: bool,
    ) -> Unmoved | None:
        """When only posts changed since the last build, each in its text alone (the same
        place: `place`), the files that show none of them have the inputs they had: their keys
        are the cache's (the cron build after an edit). None when anything else may have
        moved: a post added, removed or moved, a static file, a template, another file of
        posts/ (`others`: their signature), a post come due, a build that did not finish."""
        from scofeed.posts.post import place

        last = cache.last
        if interrupted or last is None or not cache.files or last.posts != len(posts):
            return None
        if others != last.others or not last.still_holds(last.signature, now):
            return None
        # The signature's parts after the posts' own: static/ and the site's templates.
        if signature.partition(" ")[2] != last.signature.partition(" ")[2]:
            return None
        read_again = set()
        for post, before in cache.read_again():
            if before is None or place(post) != place(before):
                return None
            read_again.add(post.path)
        return cls(cache.files, frozenset(read_again))

    def shows_edit(self, posts: Iterable[Post]) -> bool:
        read_again = self.read_again
        for post in posts:  # noqa: SIM110 (any() and a generator: slower, asked of every file)
            if post.path in read_again:
                return True
        return False

    def key(self, path: str) -> str | None:
        record = self.keys.get(path)
        return None if record is None else record[0]

    def documents(self, spec: FeedSpec) -> list[FeedSpec]:
        """The documents of the feed `spec` that show a post read again: the subscription
        feed, archive documents (found by the posts' places, none made in vain)."""
        read_again = self.read_again
        return spec.documents_with(lambda post: post.path in read_again)


def feed_jobs(
    specs: Iterable[FeedSpec], unmoved: Unmoved | None = None, *, narrow: bool = False
) -> Iterator[Job]:
    """Every file of every feed folder, and the feeds of its archive documents (RFC 5005);
    `narrow`, only the files that show a post `unmoved` read again (the others are kept:
    `output.kept_as_written`)."""
    from scofeed.site.plan import EPOCH

    documents: list[FeedSpec] = []
    for spec in specs:
        if narrow and unmoved is not None:
            documents += unmoved.documents(spec)
        else:
            documents += [spec, *spec.archives()]
    # A post is in some five documents of each format (the category's feed, its countries',
    # its tags'). Taken by the age of their oldest entries they come close together, and its
    # text made for the first (`Entries.pieces`) is still at hand for the others; folder by
    # folder, the thousands of documents in between had pushed it out.
    documents.sort(key=lambda d: d.entries[-1].date if d.entries else EPOCH)
    posts: dict[int, tuple[object, str]] = {}  # each entry's part of the keys (see feed_key)
    for document in documents:
        yield from document_jobs(document, posts, unmoved)


def document_jobs(
    document: FeedSpec,
    posts: dict[int, tuple[object, str]] | None = None,
    unmoved: Unmoved | None = None,
) -> Iterator[Job]:
    """The files of one feed document: a subscription feed's folder, or an archive document."""
    from scofeed.site.plan import feed_key

    same = unmoved is not None and not unmoved.shows_edit(document.entries)
    for file in folder_files():
        if document.page and file.kind == "embed":
            continue  # an archive document is a feed only
        path = document.files_folder + file.name
        key = unmoved.key(path) if same and unmoved is not None else None
        yield Job(
            path,
            key or feed_key(document, file.kind, posts),
            document.entries,
            file.render,
            document,
            file.check,
        )


def page_jobs(
    pages: Iterable[Page], templates: str = "", unmoved: Unmoved | None = None
) -> Iterator[Job]:
    """Every page: a post's, a listing's, the archive index, a redirect. `templates` is the
    digest of the site's own templates: part of every page's key, since an edited template
    may change any page (and no feed)."""
    from scofeed.site.archive import ListPage, PostPage, Redirect, page_key
    from scofeed.site.html import render_page

    items: dict[int, str] = {}  # each listed post's part of the keys (see page_key)
    for page in pages:
        if isinstance(page, PostPage):
            near = (page.newer, page.older)
            posts = (page.item.post, *(p for p in near if p is not None))
        elif isinstance(page, ListPage):
            posts = tuple(item.post for item in page.items)
        elif isinstance(page, Redirect):
            posts = (page.post,)
        else:
            posts = ()
        key = None if unmoved is None or unmoved.shows_edit(posts) else unmoved.key(page.path)
        if key is None:
            key = page_key(page, items)
            key = f"{key} {templates}" if templates else key
        yield Job(page.path, key, posts, render_page, page, _no_check)


# Forking workers costs more than it saves below this many files to render, or this many
# entries in them: a rebuild after an edit renders four files per feed folder it touches, 16 for
# a post about three countries (and forking a process that holds 100,000 posts is not free); a
# clean build of the benchmark's 10,000 posts, 48 files of up to 50 entries.
PARALLEL_FILES = 32
PARALLEL_ENTRIES = 500
ENTRY_CHUNK = 50


def render_all(
    todo: list[Job], config: Config, entries: Entries, publication: Publication
) -> Generator[tuple[Staged, str, list[Problem]], None, None]:
    """Each job's file staged in `publication` (to `adopt`, in order), with the SHA-256 of its
    bytes and the problems its check finds; on every core when there are many. Then the
    entries come first, each rendered once by one worker, so that the file workers, forked
    after, find every entry in the cache they inherit; and each file is staged by the worker
    that rendered it, its bytes never sent to this process. Close the iterator if not
    consumed to the end: the workers are then done before it returns."""
    parallel = (
        len(todo) >= PARALLEL_FILES and sum(len(job.posts) for job in todo) >= PARALLEL_ENTRIES
    )
    if parallel:
        wanted = entries.missing(post for job in todo for post in job.posts)
        chunks = [
            range(i, min(i + ENTRY_CHUNK, len(wanted))) for i in range(0, len(wanted), ENTRY_CHUNK)
        ]
        made = (
            entry
            for part in fork_map(_render_entries, chunks, shared=(wanted, config, entries.refs))
            for entry in part
        )
        # Into the cache only (on disk): the file workers read them from there into their own
        # memos; held here too, they added 40 MB to the build's peak for no gain.
        for post, entry in zip(wanted, made, strict=True):
            entries.add(post, entry, remember=False)
        publication.expect_staging(by_workers=True)
    # Workers get indices: the jobs (and their posts) they inherit, never through a pipe.
    shared = (todo, config, entries, publication)
    if not parallel:
        yield from fork_map(_render_job, range(len(todo)), shared=shared, parallel=False)
        return
    own = (todo, config, entries.sharing(memo_size=OWN_MEMO_SIZE), publication)
    blocks = _blocks(len(todo), cores())
    with closing(fork_map(_render_block, blocks, shared=shared, own=own)) as rendered:
        for block in rendered:
            yield from block


# Jobs go to the processes in runs, this many a process: a post's feed documents are rendered
# close together (`feed_jobs`), and each process writes a post's entry text and validates it
# in full once (`Entries.pieces`, `validated`). Dealt one job at a time, as before, both
# processes did nearly every post's (97% at 10,000 posts), and a clean build on two cores took
# twice the CPU of one on one core, in the same wall time; eight runs a process: 6%.
RUNS_A_PROCESS = 8


def _blocks(count: int, processes: int) -> list[range]:
    size = max(1, -(-count // (processes * RUNS_A_PROCESS)))
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def _render_block(
    shared: tuple[list[Job], Config, Entries, Publication], block: range
) -> list[tuple[Staged, str, list[Problem]]]:
    return [_render_job(shared, index) for index in block]


def _render_entries(shared: tuple[list[Post], Config, Refs | None], indices: range) -> list[Entry]:
    from scofeed.site.entries import render_entry

    wanted, config, refs = shared
    return [render_entry(wanted[i], config, refs) for i in indices]


def _render_job(
    shared: tuple[list[Job], Config, Entries, Publication], index: int
) -> tuple[Staged, str, list[Problem]]:
    import hashlib

    todo, config, entries, publication = shared
    job = todo[index]
    data = job.make(job.subject, config, entries)
    problems = job.check(data, job.path, entries)
    return publication.prepare(job.path, data), hashlib.sha256(data).hexdigest(), problems
