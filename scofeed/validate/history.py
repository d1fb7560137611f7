"""Feed History (RFC 5005), the same in RSS and Atom: `fh:complete` says a document holds every
entry of its feed, `fh:archive` that it is an archive document; the links between a feed's
documents are Atom links (`atom:link` in RSS) with the relations `prev-archive`,
`next-archive` and `current`."""

from __future__ import annotations

from typing import Any

from scofeed.validate.rules import Report

FH = "{http://purl.org/syndication/history/1.0}"
ATOM_LINK = "{http://www.w3.org/2005/Atom}link"
ARCHIVE_LINKS = ("prev-archive", "next-archive")


def check_history(container: Any, report: Report) -> None:
    """The Feed History rules for a channel (RSS) or feed (Atom) element."""
    marks = {"complete": [], "archive": []}  # type: dict[str, list[Any]]
    links: dict[str, list[Any]] = {}
    for child in container:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag in (FH + "complete", FH + "archive"):
            marks[tag[len(FH) :]].append(child)
            if len(child) or (child.text or "").strip():
                report.add(
                    "fh-not-empty", child,
                    f"<fh:{tag[len(FH):]}> must be empty (RFC 5005); remove what it holds",
                )  # fmt: skip
        elif tag == ATOM_LINK:
            rel = (child.get("rel") or "").strip()
            if rel in (*ARCHIVE_LINKS, "current"):
                links.setdefault(rel, []).append(child)
    complete, archive = marks["complete"], marks["archive"]
    if complete and archive:
        report.add(
            "fh-complete-archive", archive[0],
            "a document is either complete (every entry, <fh:complete/>) or an archive "
            "document (<fh:archive/>), never both; remove one",
        )  # fmt: skip
    if complete:
        for rel in ARCHIVE_LINKS:
            for link in links.get(rel, []):
                report.add(
                    "fh-complete-archive-link", link,
                    f'a complete feed has no other documents: remove the rel="{rel}" link or '
                    "the <fh:complete/>",
                )  # fmt: skip
    if archive and "current" not in links:
        report.add(
            "fh-archive-current-missing", archive[0],
            'an archive document should link its subscription feed: add a link rel="current"',
        )  # fmt: skip
    for rel, found in links.items():
        for link in found[1:]:  # (a link without an href is the format's own rule)
            report.add(
                "fh-link-duplicate", link,
                f'more than one rel="{rel}" link; a document has one {rel} document',
            )  # fmt: skip
