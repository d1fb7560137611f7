"""Validating what the command line names: files, folders (searched for feeds) and URLs."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from scofeed.errors import FetchError, NotAFeedError, ScofeedError
from scofeed.infra.fetching import fetch, read_file
from scofeed.infra.urls import has_scheme
from scofeed.validate.document import DEFAULT_MAX_BYTES, validate_bytes
from scofeed.validate.findings import DocumentResult, ValidationRun

DEFAULT_TIMEOUT = 20.0
FEED_SUFFIXES = (".xml", ".rss", ".atom", ".rdf")  # .rdf: RSS 1.0 (index.rdf)
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)


def feed_files(folder: str) -> list[str]:
    """Files under `folder` (recursively) whose names end in .xml, .rss, .atom or .rdf, sorted."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        found.extend(
            os.path.join(dirpath, name)
            for name in filenames
            if name.lower().endswith(FEED_SUFFIXES) and not name.startswith(".")
        )
    return sorted(found)


def validate_targets(
    targets: Iterable[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
    allow_private: bool = False,
) -> ValidationRun:
    """Validate files, folders (searched recursively for *.xml, *.rss, *.atom, *.rdf) and URLs.

    A file or URL named on its own must be a feed: a missing file, an unreachable URL or a
    document that is not a feed is recorded as a failure (exit status 2). Files found by
    walking a folder that turn out not to be feeds (a sitemap.xml, an OPML file) are skipped
    and listed in `skipped`; a folder in which no feed is found is a failure. A URL is fetched
    within `timeout` seconds, from a public address unless `allow_private`.
    """
    documents: list[DocumentResult] = []
    failures: list[ScofeedError] = []
    skipped: list[str] = []

    def one(source: str, data: bytes, *, named: bool) -> bool:
        try:
            findings = validate_bytes(data, source, max_bytes=max_bytes)
        except NotAFeedError as exc:
            if named:
                failures.append(exc)
            else:
                skipped.append(source)
            return False
        documents.append(DocumentResult(source, tuple(findings)))
        return True

    for target in targets:
        try:
            if has_scheme(target):  # a URL: fetch says so if it is not http(s)
                got = fetch(
                    target,
                    cap=max_bytes,
                    timeout=timeout,
                    purpose="feed validator",
                    accept=ACCEPT,
                    allow_private=allow_private,
                )
                one(target, got.data, named=True)
            elif Path(target).is_dir():
                files = feed_files(target)
                validated = 0
                for path in files:
                    try:
                        validated += one(path, read_file(path, max_bytes), named=False)
                    except FetchError as exc:
                        failures.append(exc)
                        validated += 1
                if not validated:
                    failures.append(
                        FetchError(
                            f"{target}: no RSS or Atom feed in this folder (looked at "
                            f"{len(files)} file(s) named *.xml, *.rss, *.atom or *.rdf)"
                        )
                    )
            else:
                one(target, read_file(target, max_bytes), named=True)
        except FetchError as exc:
            failures.append(exc)
    return ValidationRun(tuple(documents), tuple(failures), tuple(skipped))
