"""FeedSync 1.0 (http://feedsync.org/2007/feedsync), formerly Simple Sharing Extensions: the
sharing and synchronisation data of a feed (sx:sharing, sx:related) and of its items (sx:sync,
sx:history, sx:conflicts), in RSS 2.0 and Atom. Feeds in the pre-0.93 SSE namespace are told to
move to FeedSync's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scofeed.validate.values import absolute_url_problem, is_nss, local_name, rfc3339_problem

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

NS = "http://feedsync.org/2007/feedsync"
OLD_NS = "http://www.microsoft.com/schemas/rss/sse"
NAMESPACES = (NS, OLD_NS)
SPEC = "FeedSync 1.0"

RULES = (
    ("feedsync-missing-attribute", "error", "a FeedSync element without a required attribute",
     f"{SPEC}, sx:sync (id, updates), sx:history (sequence), sx:related (link, type), "
     "sx:sharing (until with since)"),
    ("feedsync-history-missing", "error", "an sx:sync without an sx:history",
     f"{SPEC}, sx:sync ('MUST contain at least one sx:history')"),
    ("feedsync-by-and-when", "error", "an sx:history with neither by nor when",
     f"{SPEC}, sx:history ('at least one of the by or when attributes MUST be present')"),
    ("feedsync-by-or-when", "warning", "an sx:history without by, or without when",
     f"{SPEC}, sx:history (by and when 'SHOULD' both be present)"),
    ("feedsync-integer", "error",
     "an updates or sequence that is not a whole number from 1 to 2147483647",
     f"{SPEC}, sx:sync (updates), sx:history (sequence)"),
    ("feedsync-boolean", "error", 'a deleted or noconflicts other than "true" or "false"',
     f"{SPEC}, sx:sync (deleted, noconflicts)"),
    ("feedsync-date", "error", "a since, until, expires or when that is no RFC 3339 date-time",
     f"{SPEC}, sx:sharing (since, until, expires), sx:history (when)"),
    ("feedsync-since-after-until", "error", "an sx:sharing whose since comes after its until",
     f"{SPEC}, sx:sharing (since and until bound the items)"),
    ("feedsync-related-link", "error", "an sx:related link that is not an absolute URI",
     f"{SPEC}, sx:related (link)"),
    ("feedsync-related-type", "error", 'an sx:related type other than "complete" or '
     '"aggregated"', f"{SPEC}, sx:related (type)"),
    ("feedsync-sync-id", "error", "an sx:sync id that is not a URN namespace-specific string",
     f"{SPEC}, sx:sync (id: the NSS syntax of RFC 2141)"),
    ("feedsync-sync-id-duplicate", "error", "two items with the same sx:sync id",
     f"{SPEC}, sx:sync (id: unique within the feed)"),
    ("feedsync-unknown", "error", "an element of the FeedSync namespace it does not define",
     f"{SPEC} (elements: sharing, related, sync, history, conflicts)"),
    ("feedsync-obsolete-namespace", "warning",
     "the Simple Sharing Extensions namespace of before version 0.93",
     f"{SPEC}, Namespace (http://feedsync.org/2007/feedsync)"),
)  # fmt: skip

_MAX_INT = 2**31 - 1
_ELEMENTS = {"sharing", "related", "sync", "history", "conflicts"}


def _positive(report: Report, el: Any, label: str, value: str) -> None:
    digits = value.strip()
    if not digits.isdigit() or not 1 <= int(digits) <= _MAX_INT:
        report.add(
            "feedsync-integer", el,
            f'{label} is "{value}"; write a whole number from 1 to {_MAX_INT}',
        )  # fmt: skip


def _date(report: Report, el: Any, label: str, value: str) -> None:
    problem = rfc3339_problem(value)
    if problem:
        report.add("feedsync-date", el, f"{label}: {problem}")


def _missing(report: Report, el: Any, element: str, attr: str, hint: str) -> None:
    report.add("feedsync-missing-attribute", el, f"<sx:{element}> has no {attr} attribute; {hint}")


def _sharing(report: Report, el: Any) -> None:
    since, until, expires = el.get("since"), el.get("until"), el.get("expires")
    for attr, value in (("since", since), ("until", until), ("expires", expires)):
        if value is not None:
            _date(report, el, f"<sx:sharing {attr}>", value)
    if since is not None and until is None:
        _missing(report, el, "sharing", "until", "a feed that says since must say until too")
    elif (
        since is not None
        and until is not None
        and since > until
        and not (rfc3339_problem(since) or rfc3339_problem(until))
    ):
        report.add(
            "feedsync-since-after-until", el,
            f'<sx:sharing since="{since}" until="{until}">: since comes after until; swap '
            "them, written alike (UTC, same precision) so that they compare as text",
        )  # fmt: skip


def _related(report: Report, el: Any) -> None:
    link, kind = el.get("link"), el.get("type")
    if link is None:
        _missing(report, el, "related", "link", "give the related feed's URL")
    else:
        problem = absolute_url_problem(link.strip()) or (
            None if link.isascii() else "has characters outside ASCII; percent-encode them"
        )
        if problem:
            report.add("feedsync-related-link", el, f'<sx:related link="{link}"> {problem}')
    if kind is None:
        _missing(report, el, "related", "type", 'write type="complete" or type="aggregated"')
    elif kind not in ("complete", "aggregated"):
        report.add(
            "feedsync-related-type", el,
            f'<sx:related type="{kind}"> is neither "complete" nor "aggregated" (lower case)',
        )  # fmt: skip


def _sync(report: Report, el: Any, ids: set[str]) -> None:
    sync_id, updates = el.get("id"), el.get("updates")
    if sync_id is None:
        _missing(report, el, "sync", "id", "give the item an id unique within the feed")
    elif not is_nss(sync_id):
        report.add(
            "feedsync-sync-id", el,
            f'<sx:sync id="{sync_id}"> is not an RFC 2141 namespace-specific string: write '
            "letters, digits and ()+,-.:=@;$_!*'/?# only, other characters as %XX",
        )  # fmt: skip
    if sync_id is not None and not _in_conflicts(el):  # conflicts repeat their item's id
        if sync_id in ids:
            report.add(
                "feedsync-sync-id-duplicate", el,
                f'two items have <sx:sync id="{sync_id}">; each item needs its own id',
            )  # fmt: skip
        ids.add(sync_id)
    if updates is None:
        _missing(report, el, "sync", "updates", "write how many times the item was updated")
    else:
        _positive(report, el, "<sx:sync updates>", updates)
    for attr in ("deleted", "noconflicts"):
        value = el.get(attr)
        if value is not None and value not in ("true", "false"):
            report.add(
                "feedsync-boolean", el, f'<sx:sync {attr}="{value}">: write "true" or "false"'
            )
    if el.find(f"{{{NS}}}history") is None:
        report.add(
            "feedsync-history-missing", el,
            '<sx:sync> has no <sx:history>; add one, e.g. <sx:history sequence="1" '
            'when="2007-01-01T00:00:00Z" by="me"/>',
        )  # fmt: skip


def _history(report: Report, el: Any) -> None:
    sequence, when, by = el.get("sequence"), el.get("when"), el.get("by")
    if sequence is None:
        _missing(report, el, "history", "sequence", "write the update's number")
    else:
        _positive(report, el, "<sx:history sequence>", sequence)
    if when is not None:
        _date(report, el, "<sx:history when>", when)
    has_by = by is not None and by.strip() != ""
    if when is None and not has_by:
        report.add(
            "feedsync-by-and-when", el,
            "<sx:history> has neither by nor when; say who made the update (by) and when",
        )  # fmt: skip
    elif when is None or not has_by:
        missing = "when" if when is None else "by (not blank)"
        report.add("feedsync-by-or-when", el, f"<sx:history> should also have {missing}")


def _in_conflicts(el: Any) -> bool:
    return any(a.tag == f"{{{NS}}}conflicts" for a in el.iterancestors())


def check(root: Any, report: Report, fmt: str) -> None:
    for el in root.iter(f"{{{OLD_NS}}}*"):
        report.add(
            "feedsync-obsolete-namespace", el,
            f'<{el.prefix or "sx"}:{local_name(el.tag)}> is in the Simple Sharing namespace of '
            f"before 0.93; move to FeedSync, xmlns:sx=\"{NS}\"",
        )  # fmt: skip
        return
    ids: set[str] = set()
    for el in root.iter(f"{{{NS}}}*"):
        name = local_name(el.tag)
        if name == "sharing":
            _sharing(report, el)
        elif name == "related":
            _related(report, el)
        elif name == "sync":
            _sync(report, el, ids)
        elif name == "history":
            _history(report, el)
        elif name not in _ELEMENTS:
            report.add(
                "feedsync-unknown", el,
                f"<sx:{name}> is not a FeedSync element; use sharing, related, sync, history "
                "or conflicts",
            )  # fmt: skip
