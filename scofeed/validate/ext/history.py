"""Feed History (RFC 5005), the same in RSS and Atom: `fh:complete` says a document holds every
entry of its feed, `fh:archive` that it is an archive document; the links between a feed's
documents are Atom links (`atom:link` in RSS, Appendix B) with the relations `prev-archive`,
`next-archive` and `current` (archived feeds, section 4) and `first`, `last`, `previous`, `next`
(paged feeds, section 3). These are feed-level links, so the module runs on every document: it
reads the channel's (feed's) own children only, which costs nothing measurable."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from scofeed.validate.values import absolute_url_problem

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

NS = "http://purl.org/syndication/history/1.0"
NAMESPACES = (NS,)
SPEC = "RFC 5005"

RULES = (
    ("fh-not-empty", "error", "an fh:complete or fh:archive element that is not empty",
     f"{SPEC} 2 and 4 (fh:complete, fh:archive: empty elements)"),
    ("fh-complete-archive", "error", "a document that says both fh:complete and fh:archive",
     f"{SPEC} 2 and 4 (a complete feed is one document; an archive is one of several)"),
    ("fh-complete-archive-link", "error",
     "a complete feed with archive or paging links (prev-archive, next, last...)",
     f"{SPEC} 2 (a complete feed's entries are all in one document)"),
    ("fh-complete-current", "error", "a complete feed whose rel=current is another document",
     f"{SPEC} 2 and 4 (a complete feed is its own subscription document)"),
    ("fh-link-past-end", "error", "a paged document that is its own last (first) page with a "
     "next (previous) link", f"{SPEC} 3 (first, last, previous, next)"),
    ("fh-archive-current-missing", "warning", 'an archive document without a rel="current" link',
     f"{SPEC} 4 (archive documents SHOULD link their subscription document)"),
    ("fh-link-duplicate", "warning", "two prev-archive, next-archive or current links",
     f"{SPEC} 3 and 4 (one link of each relation)"),
    ("fh-link-self", "warning", "an archive link that leads back to the document itself",
     f"{SPEC} 4 (archive documents link other documents)"),
    ("fh-link-relative", "warning", "an RSS archive link that is not an absolute URL",
     f"{SPEC} Appendix B (atom:link in RSS 2.0, which has no base URL)"),
    ("fh-misplaced", "warning", "an fh:complete or fh:archive outside the channel or feed element",
     f"{SPEC} 2 and 4 (in the feed's head section)"),
    ("fh-rss-plain-link", "warning", 'an RSS <link rel="prev-archive"> (or the like), no atom:link',
     f"{SPEC} Appendix B (atom:link elements in RSS 2.0)"),
    ("fh-rel-in-entry", "warning", "an archive or paging relation on an entry's (item's) link",
     f"{SPEC} 3 and 4 (relations between feed documents)"),
)  # fmt: skip

FH = f"{{{NS}}}"
ATOM = "{http://www.w3.org/2005/Atom}"
ATOM_LINK = ATOM + "link"
ARCHIVE_LINKS = ("prev-archive", "next-archive")
PAGING = ("first", "last", "previous", "next")
HISTORY_RELS = (*ARCHIVE_LINKS, "current", *PAGING)
NAMES = {
    "prev-archive": "previous archive",
    "next-archive": "next archive",
    "current": "subscription",
    "first": "first page",
    "last": "last page",
    "previous": "previous page",
    "next": "next page",
}


def check(root: Any, report: Report, fmt: str) -> None:
    if fmt == "rss":
        channel = root.find("channel")
        if channel is not None:
            check_history(channel, report, rss=True)
    elif fmt == "atom" and root.tag == ATOM + "feed":
        check_history(root, report)


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
    _in_entries(container, report, rss)
    complete, archive = marks["complete"], marks["archive"]
    if complete and archive:
        report.add(
            "fh-complete-archive", archive[0],
            "a document is either complete (every entry, <fh:complete/>) or an archive "
            "document (<fh:archive/>), never both; remove one",
        )  # fmt: skip
    if complete:
        for rel in (*ARCHIVE_LINKS, *PAGING):
            for link in links.get(rel, []):
                report.add(
                    "fh-complete-archive-link", link,
                    f'a complete feed has no other documents: remove the rel="{rel}" link or '
                    "the <fh:complete/>",
                )  # fmt: skip
        for link in links.get("current", []) if own else []:
            href = (link.get("href") or "").strip()
            if href and urljoin(own, href) != own:
                report.add(
                    "fh-complete-current", link,
                    f'a complete feed is its own subscription document, but rel="current" '
                    f"leads to {href}, not to this document ({own}); link this document or "
                    "remove the link",
                )  # fmt: skip
    _past_end(links, own, report)
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
            # an archive's current document is elsewhere; a page may be its own first/last
            leads_home = rel in ARCHIVE_LINKS or (archive and rel == "current")
            if own and leads_home and urljoin(own, href) == own:
                report.add(
                    "fh-link-self", link,
                    f'the rel="{rel}" link leads to this document itself ({own}); link the '
                    f"{NAMES[rel]} document, or remove the link",
                )  # fmt: skip


def _past_end(links: dict[str, list[Any]], own: str, report: Report) -> None:
    """A paged feed's last page has no next page, its first no previous one (section 3)."""
    for end, beyond in (("last", "next"), ("first", "previous")):
        ends = links.get(end, [])
        if not own or not ends or beyond not in links:
            continue
        if urljoin(own, (ends[0].get("href") or "").strip()) == own:
            report.add(
                "fh-link-past-end", links[beyond][0],
                f'this document is the {NAMES[end]} (rel="{end}" leads to itself), so there is '
                f'no {NAMES[beyond]}: remove the rel="{beyond}" link or correct rel="{end}"',
            )  # fmt: skip


def _in_entries(container: Any, report: Report, rss: bool) -> None:
    """Archive and paging relations join feed documents; on an entry's link no reader follows
    them (an entry's own versions or series use other relations)."""
    path = f"item/{ATOM_LINK}" if rss else f"{ATOM}entry/{ATOM_LINK}"
    for link in container.iterfind(path):
        rel = (link.get("rel") or "").strip()
        if rel in HISTORY_RELS:
            report.add(
                "fh-rel-in-entry", link,
                f'rel="{rel}" links feed documents (RFC 5005); on an entry readers ignore it: '
                "move it to the channel (feed) or use another relation",
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
