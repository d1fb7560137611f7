"""Feed History (RFC 5005), the same in RSS and Atom: `fh:complete` says a document holds every
entry of its feed, `fh:archive` that it is an archive document; the links between a feed's
documents are Atom links (`atom:link` in RSS, Appendix B) with the relations `prev-archive`,
`next-archive` and `current`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from scofeed.validate.rules import Report
from scofeed.validate.values import absolute_url_problem

FH = "{http://purl.org/syndication/history/1.0}"
ATOM = "{http://www.w3.org/2005/Atom}"
ATOM_LINK = ATOM + "link"
ARCHIVE_LINKS = ("prev-archive", "next-archive")
HISTORY_RELS = (*ARCHIVE_LINKS, "current")
NAMES = {
    "prev-archive": "previous archive",
    "next-archive": "next archive",
    "current": "subscription",
}


def check_history(container: Any, report: Report, *, rss: bool = False) -> None:
    """The Feed History rules for a channel (RSS, `rss=True`) or feed (Atom) element."""
    marks = {"complete": [], "archive": []}  # type: dict[str, list[Any]]
    links: dict[str, list[Any]] = {}
    own = ""  # the document's own URL (its rel="self" link), which its links must not lead to
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
            if rel in HISTORY_RELS:
                links.setdefault(rel, []).append(child)
            elif rel == "self" and not own:
                own = (child.get("href") or "").strip()
        elif rss and tag == "link" and (child.get("rel") or "").strip() in HISTORY_RELS:
            report.add(
                "fh-rss-plain-link", child,
                f'RSS has no <link rel="{child.get("rel").strip()}">: readers never follow it; '
                f'write <atom:link rel="{child.get("rel").strip()}" href="URL"/> (RFC 5005, '
                "Appendix B)",
            )  # fmt: skip
    _misplaced(container, report)
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
    # (A document both complete and archived has one finding already, whatever its current.)
    _targets(links, own, bool(archive and not complete), rss, report)


def _targets(
    links: dict[str, list[Any]], own: str, archive: bool, rss: bool, report: Report
) -> None:
    """Where the links lead: never back to this document (a reader following prev-archive
    would go round forever), and, in RSS, which has no base URL to resolve against (xml:base
    is Atom's), to absolute URLs."""
    for rel, found in links.items():
        for link in found:
            href = (link.get("href") or "").strip()
            if not href:
                continue
            if rss and (problem := absolute_url_problem(href)):
                report.add(
                    "fh-link-relative", link,
                    f'the rel="{rel}" link "{href}" {problem} (RSS has no base URL that '
                    "readers would resolve it against)",
                )  # fmt: skip
            leads_home = rel in ARCHIVE_LINKS or archive  # an archive's current is elsewhere
            if own and leads_home and urljoin(own, href) == own:
                report.add(
                    "fh-link-self", link,
                    f'the rel="{rel}" link leads to this document itself ({own}); link the '
                    f"{NAMES[rel]} document, or remove the link",
                )  # fmt: skip


def _misplaced(container: Any, report: Report) -> None:
    """`fh:complete` and `fh:archive` describe a whole document: RFC 5005 puts them in its head
    (the channel, the feed); anywhere else (an item, an entry) no reader looks for them. An
    Atom entry's `source` copies its first feed's head, so they may stand there."""
    root = container.getroottree().getroot()
    for mark in root.iter(FH + "complete", FH + "archive"):
        parent = mark.getparent()
        if parent is container or (parent is not None and parent.tag == ATOM + "source"):
            continue
        name = "fh:" + mark.tag[len(FH) :]
        where = "the <channel>" if container.tag == "channel" else "the <feed> element"
        report.add(
            "fh-misplaced", mark,
            f"<{name}> describes the whole document and belongs in {where}; here readers "
            "never see it: move it there",
        )  # fmt: skip
