"""Watching the project's folders (watchfiles: the Rust `notify` crate) and deciding, for each
batch of changes, between the quick path (`Session.edited`) and a full build.

What a batch means is decided from the files as they are now, not from the events: an editor's
atomic save (a temporary file renamed over the post), vim's `4913` probe, backup and swap
files come and go within one batch, and all that is left is a post file with a new version. A
batch that is more than a few files (a `git checkout`) is drained until the folders are quiet,
so it gives one build.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from watchfiles._rust_notify import RustNotify

from scofeed.errors import LockedError, ScofeedError
from scofeed.posts.files import PostFile
from scofeed.posts.store import bundle_folders, bundle_of, post_markup, shown_prefix
from scofeed.watch.session import Outcome, Session, version

# A batch ends after this long without a new event: an editor's save (a temporary file, a
# rename, a backup removed) is a few events within a millisecond or two.
STEP_MS = 20
BURST_FILES = 8  # a batch this big may be the start of a checkout: wait for quiet
BURST_QUIET_MS = 300
POLL_MS = 500  # how often scofeed.toml and the folders' existence are looked at
RETRY_LOCKED = 1.0  # seconds; another build holds the lock (a cron job): try again after

# Names editors create beside the files they save and remove again (and vim's probe file).
_EDITOR_FILES = re.compile(r"(^\.|~$|^4913$|\.sw[a-p]$|^#.*#$)")


@dataclass(frozen=True)
class Change:
    """What a batch asks for: a full build (`full` says why) or the posts edited in place."""

    full: str | None
    edited: frozenset[str]


def classify(paths: set[str], session: Session) -> Change:
    config = session.config
    posts, files = os.path.realpath(config.posts_dir), session.files()
    skip = [os.path.realpath(config.output_dir), os.path.realpath(config.cache_dir)]
    bundles = bundle_folders(list(files.values())) if files is not None else set()
    edited: set[str] = set()
    for path in sorted(paths):
        real = os.path.realpath(path)
        if any(_inside(real, folder) for folder in skip):
            continue
        for folder, name in ((config.templates_dir, "templates"), (config.static_dir, "static")):
            if _inside(real, os.path.realpath(folder)):
                rel = os.path.relpath(real, os.path.realpath(folder))
                if not any(_EDITOR_FILES.search(part) for part in rel.split(os.sep)):
                    return Change(f"{name}/{rel} changed", frozenset())
                break
        else:
            if not _inside(real, posts):
                continue
            key = os.path.relpath(real, posts).replace(os.sep, "/")
            if any(part.startswith(".") for part in key.split("/")):
                continue  # the store skips hidden files and folders
            why = _post_change(key, real, files, bundles)
            if why is not None and why != "edited":
                why = shown_prefix(config.posts_dir, config.root) + why
            if why == "edited":
                edited.add(key)
            elif why is not None:
                return Change(why, frozenset())
    return Change(None, frozenset(edited))


def _post_change(
    key: str, real: str, files: dict[str, PostFile] | None, bundles: set[str]
) -> str | None:
    """What happened to the file `key` below posts/: "edited" (a post in place, with a new
    version), a reason for a full build, or None (nothing that changes the site)."""
    known = files.get(key) if files is not None else None
    try:
        stat: os.stat_result | None = os.stat(real)
    except OSError:
        stat = None
    markup = post_markup(key)
    if files is None:  # the last full build failed: anything but an editor's file retries it
        return None if _EDITOR_FILES.search(key.rpartition("/")[2]) else f"{key} changed"
    if bundle_of(key, bundles) is not None and markup is None:
        return f"{key} (a page bundle's file) changed"
    if known is not None:
        if stat is None:
            return f"{key} removed" if markup is not None else None
        if version(known[2]) == version(stat):
            return None
        if not markup or isinstance(known[2], str):
            return f"{key} changed" if markup is not None and markup else None
        return "edited"
    if stat is None:  # gone before we looked: an editor's temporary file, or a folder moved out
        inside = key + "/"
        gone = any(k.startswith(inside) for k in files)
        return f"{key}/ removed" if gone else None
    if os.path.isdir(real):
        return f"{key}/ added"
    return f"{key} added" if markup else None  # a file that is no post is in no feed


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + os.sep)


class Watcher:
    """Runs `session` against the project's files until `stop` is set or Ctrl-C.

    `report` gets every rebuild's `Outcome`, `fail` every error that stopped one (the output
    then stays as it last was)."""

    def __init__(
        self,
        session: Session,
        report: Callable[[Outcome], None],
        fail: Callable[[ScofeedError], None],
        stop: threading.Event | None = None,
    ) -> None:
        self.session = session
        self.report = report
        self.fail = fail
        self.stop = stop or threading.Event()
        self.ready = threading.Event()  # set once watching (after the first build)

    def _roots(self) -> tuple[str, ...]:
        config = self.session.config
        folders = (config.posts_dir, config.templates_dir, config.static_dir)
        return tuple(os.path.realpath(f) for f in folders if f.is_dir())

    def _config_version(self) -> object:
        config = self.session.config
        path = config.config_file or config.root / "scofeed.toml"
        try:
            return version(os.stat(path))
        except OSError:
            return None

    def run(self) -> None:
        """Build once, then watch; returns when `stop` is set, raises KeyboardInterrupt on
        Ctrl-C (when run in the main thread)."""
        roots, settings = self._roots(), self._config_version()
        # Watching starts before the first build: a save during it is not lost.
        notify = RustNotify(list(roots), False, False, 300, True, False)
        try:
            pending: Change | None = Change("start", frozenset())
            while not self.stop.is_set():
                if pending is not None:
                    pending = self._rebuild(pending)
                    self.ready.set()
                got = notify.watch(2000, STEP_MS, POLL_MS if pending is None else
                                   int(RETRY_LOCKED * 1000), self.stop)  # fmt: skip
                if got == "signal":
                    raise KeyboardInterrupt
                if got == "stop":
                    return
                paths = {path for _, path in got} if isinstance(got, set) else set()
                if len(paths) >= BURST_FILES:
                    paths |= _drain(notify, self.stop)
                change = self._changes(paths, pending)
                # A full build is seconds on a big site: a few more milliseconds of waiting
                # lets what else is being saved (a checkout) join it.
                full = change is not None and change.full is not None
                if full and len(paths) < BURST_FILES and (more := _drain(notify, self.stop)):
                    change = self._changes(paths | more, pending)
                if self._roots() != roots or self._config_version() != settings:
                    why = "scofeed.toml changed"
                    if self._roots() != roots:
                        shown = sorted({*roots} ^ {*self._roots()})
                        why = (
                            " and ".join(os.path.basename(f) + "/" for f in shown) + " came or went"
                        )
                    notify.close()
                    roots, settings = self._roots(), self._config_version()
                    notify = RustNotify(list(roots), False, False, 300, True, False)
                    change = Change(why, frozenset())
                pending = change
        finally:
            notify.close()

    def _changes(self, paths: set[str], pending: Change | None) -> Change | None:
        change = classify(paths, self.session) if paths else Change(None, frozenset())
        if pending is not None:  # a rebuild the lock put off, merged with what came since
            full = pending.full or change.full
            change = Change(full, pending.edited | change.edited)
        if change.full is None and self.session.due():
            change = Change("a scheduled post came due", frozenset())
        return change if change.full is not None or change.edited else None

    def _rebuild(self, change: Change) -> Change | None:
        """Run the rebuild `change` asks for; a change put off by the lock is returned."""
        session = self.session
        try:
            outcome = None
            if change.full is None:
                outcome = session.edited(change.edited)
                if outcome is None:
                    moved = ", ".join(sorted(change.edited))
                    outcome = session.full(f"{moved} moved between feeds or pages")
            else:
                outcome = session.full(change.full)
        except LockedError as exc:
            self.fail(exc)
            return change
        except ScofeedError as exc:
            self.fail(exc)
            return None
        self.report(outcome)
        return None


def _drain(notify: RustNotify, stop: threading.Event, quiet_ms: int = BURST_QUIET_MS) -> set[str]:
    """Every path changed until the folders stay quiet for `quiet_ms`."""
    paths: set[str] = set()
    while True:
        got = notify.watch(10_000, quiet_ms, quiet_ms, stop)
        if not isinstance(got, set):
            return paths
        paths |= {path for _, path in got}
