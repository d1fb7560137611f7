"""AtomPub (RFC 5023) elements inside Atom feeds and entries: app:edited (10.2) and app:control
with app:draft (13.1) in an entry, app:collection in a feed or source (8.3.5).

Service and category documents are a document kind of their own (`scofeed.validate.app`),
whose rules `scofeed.validate.rules` registers with the other kinds'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scofeed.validate import app as documents
from scofeed.validate.values import element_name, local_name, rfc3339_problem, text_of

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

NS = documents.NS
NAMESPACES = (NS,)
SPEC = documents.SPEC
APP, ATOM = documents.APP, documents.ATOM

RULES = (
    ("app-edited", "error", "an app:edited that is not an RFC 3339 date-time",
     f"{SPEC} 10.2 (app:edited, atomDateConstruct); RFC 4287 3.3"),
    ("app-feed-misplaced", "warning",
     "an AtomPub element in a feed where RFC 5023 does not place it",
     f"{SPEC} 10.2 (app:edited in atom:entry), 13.1 (app:control in atom:entry), 8.3.5 "
     "(app:collection in atom:feed or atom:source)"),
)  # fmt: skip

_XHTML = "{http://www.w3.org/1999/xhtml}"
# Where each element may appear inside a feed document.
_PLACES = {
    "edited": (f"{ATOM}entry",),
    "control": (f"{ATOM}entry",),
    "draft": (f"{APP}control",),
    "collection": (f"{ATOM}feed", f"{ATOM}source"),
}


def check(root: Any, report: Report, fmt: str) -> None:
    edited_seen: set[Any] = set()
    for el in root.iter(f"{APP}*"):
        name = local_name(el.tag)
        parent = el.getparent()
        if any(isinstance(a.tag, str) and a.tag.startswith(_XHTML) for a in el.iterancestors()):
            continue  # inside XHTML content: the core's atom-xhtml-misplaced says so
        places = _PLACES.get(name)
        if places is None:
            if name in ("accept", "categories") and parent.tag == f"{APP}collection":
                continue  # checked with their collection
            report.add(
                "app-misplaced", el,
                f"<app:{name}> does not belong in a feed; RFC 5023 places app:edited and "
                "app:control in entries and app:collection in feeds",
            )  # fmt: skip
            continue
        if parent is None or parent.tag not in places:
            where = " or ".join(f"<{local_name(p)}>" for p in places)
            report.add(
                "app-feed-misplaced", el,
                f"<app:{name}> is inside <{element_name(parent)}>"
                f"; readers look for it in {where}",
            )  # fmt: skip
        if name == "edited":
            _check_edited(el, parent, edited_seen, report)
        elif name == "control":
            drafts = el.findall(f"{APP}draft")
            for extra in drafts[1:]:
                report.add(
                    "app-duplicate-element", extra,
                    "<app:control> has more than one <app:draft>; keep one",
                )  # fmt: skip
        elif name == "draft":
            value = text_of(el).strip()
            if value not in ("yes", "no"):
                report.add(
                    "app-yes-no", el,
                    f'<app:draft> is "{value}"; write "yes" (not published) or "no" (lower case)',
                )  # fmt: skip
        elif name == "collection":
            documents.check_collection(el, report)
            for categories in el.findall(f"{APP}categories"):
                documents.check_categories(categories, report)
            for accept in el.findall(f"{APP}accept"):
                documents.check_accept(accept, report)


def _check_edited(el: Any, parent: Any, seen: set[Any], report: Report) -> None:
    if parent is not None and parent in seen:
        report.add(
            "app-duplicate-element", el,
            "the entry has more than one <app:edited>; keep the latest edit's date",
        )  # fmt: skip
    elif parent is not None:
        seen.add(parent)
    problem = rfc3339_problem(text_of(el))
    if problem:
        report.add("app-edited", el, f"<app:edited> {problem}")
