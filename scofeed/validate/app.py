"""Atom Publishing Protocol documents (RFC 5023): service documents (`app:service`, section 8)
and category documents (`app:categories`, section 7), validated as a document kind of their own
("app"). The collection and categories checks are shared with the app: elements that appear
inside Atom feeds (`scofeed.validate.ext.app`, which registers these rules: one namespace, one
module in the registry).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from scofeed.validate.values import is_element, is_mime_type, local_name, text_of, uri_problem

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

NS = "http://www.w3.org/2007/app"
ATOM = "{http://www.w3.org/2005/Atom}"
APP = f"{{{NS}}}"
SPEC = "RFC 5023"
ROOTS = ("service", "categories")

RULES = (
    ("app-missing-element", "error",
     "a service without a workspace, or a workspace or collection without its atom:title",
     f"{SPEC} 8.3.1 (app:service: one or more app:workspace), 8.3.2.1 and 8.3.3.1 "
     "(exactly one atom:title)"),
    ("app-duplicate-element", "error",
     "a second atom:title in a workspace or collection, app:edited in an entry or app:draft "
     "in an app:control", f"{SPEC} 8.3.2.1, 8.3.3.1, 10.2 ('MUST NOT contain more than one'), "
     "13.1.1"),
    ("app-missing-attribute", "error",
     "a collection without href, or an atom:category in app:categories without term",
     f"{SPEC} 8.3.3 (href: 'MUST contain an href attribute'); RFC 4287 4.2.2.1 (term)"),
    ("app-href", "error", "a collection or categories href or a categories scheme that is no IRI",
     f"{SPEC} 8.3.3 and 7.2.1 (atomURI); RFC 3987"),
    ("app-accept", "error", "an app:accept value that is not a media range",
     f"{SPEC} 8.3.4 (app:accept, a media range of RFC 2616 14.1)"),
    ("app-yes-no", "error", 'an app:categories fixed or app:draft other than "yes" or "no"',
     f"{SPEC} 7.2.1.1 (fixed) and 13.1.1 (app:draft)"),
    ("app-categories-href", "error",
     "an out-of-line app:categories (href) that also has fixed, scheme or children",
     f"{SPEC} 7.2.1 ('If the href attribute is provided, the app:categories element MUST be "
     "empty and MUST NOT have the fixed or scheme attributes')"),
    ("app-misplaced", "error",
     "an element of the AtomPub namespace where the grammar does not allow it, or one RFC 5023 "
     "does not define", f"{SPEC} 7.2, 8.3 (RELAX NG grammar, appendix B)"),
)  # fmt: skip

# Where each app: element of a service document may appear (appendix B's grammar).
_PARENT = {
    "workspace": "service",
    "collection": "workspace",
    "accept": "collection",
    "categories": "collection",
}
# RFC 2616 14.1 media-range: type/subtype, type/* or */*, with parameters.
_WILD = re.compile(r"\*/\*|[A-Za-z0-9!#$%&'+.^_`|~-]+/\*")


def check(root: Any, report: Report) -> None:
    """A service or category document (detect_format said "app")."""
    name = local_name(root.tag)
    if name == "categories":
        check_categories(root, report)
        return
    if root.find(f"{APP}workspace") is None:
        report.add(
            "app-missing-element", root,
            "<app:service> has no <app:workspace>; add one per group of collections, each "
            "with an <atom:title>",
        )  # fmt: skip
    for el in root.iter(f"{APP}*"):
        local = local_name(el.tag)
        if el is root:
            continue
        parent = el.getparent()
        expected = _PARENT.get(local)
        if expected is None or parent.tag != f"{APP}{expected}":
            where = f"<app:{expected}>" if expected else "no place: RFC 5023 does not define it"
            report.add(
                "app-misplaced", el,
                f"<app:{local}> is inside <{local_name(parent.tag)}>; its place is {where}",
            )  # fmt: skip
            continue
        if local == "workspace":
            _check_title(el, report)
        elif local == "collection":
            check_collection(el, report)
        elif local == "accept":
            check_accept(el, report)
        elif local == "categories":
            check_categories(el, report)


def _check_title(el: Any, report: Report) -> None:
    titles = el.findall(f"{ATOM}title")
    what = f"<app:{local_name(el.tag)}>"
    if not titles:
        report.add(
            "app-missing-element", el,
            f"{what} has no <atom:title>; add one naming it for people "
            '(xmlns:atom="http://www.w3.org/2005/Atom")',
        )  # fmt: skip
    for extra in titles[1:]:
        report.add(
            "app-duplicate-element", extra, f"{what} has more than one <atom:title>; keep one"
        )


def _check_iri(el: Any, attr: str, report: Report) -> None:
    value = el.get(attr)
    if value is None:
        return
    problem = uri_problem(value.strip()) if value.strip() else "it is empty"
    if problem or value != value.strip():
        report.add(
            "app-href", el,
            f'{attr}="{value}" on <app:{local_name(el.tag)}> is not an IRI'
            f"{': ' + problem if problem else ' (white space around it)'}; write the address, "
            "percent-encoding spaces and characters IRIs do not allow",
        )  # fmt: skip


def check_collection(el: Any, report: Report) -> None:
    """An app:collection (in a workspace, or in an Atom feed or source: 8.3.3, 8.3.5)."""
    _check_title(el, report)
    if el.get("href") is None:
        report.add(
            "app-missing-attribute", el,
            '<app:collection> has no href; add href="URI of the collection" (where entries '
            "are POSTed)",
        )  # fmt: skip
    _check_iri(el, "href", report)


def check_accept(el: Any, report: Report) -> None:
    # Empty means the collection accepts no entries (8.3.4); several media ranges separated by
    # commas, as in an HTTP Accept header, are let through.
    value = text_of(el).strip()
    if not value:
        return
    bad = [r for r in (p.strip() for p in value.split(",")) if not _media_range(r)]
    if bad:
        report.add(
            "app-accept", el,
            f'<app:accept> holds "{bad[0]}", which is not a media range; write one such as '
            '"image/png", "image/*" or "application/atom+xml;type=entry"',
        )  # fmt: skip


def _media_range(value: str) -> bool:
    head, _, params = value.partition(";")
    if _WILD.fullmatch(head.strip()):
        return not params or is_mime_type(f"a/b;{params}")
    return is_mime_type(value)


def check_categories(el: Any, report: Report) -> None:
    """An app:categories: inline (fixed, scheme, atom:category children) or out-of-line (href)."""
    fixed = el.get("fixed")
    if fixed is not None and fixed not in ("yes", "no"):
        report.add(
            "app-yes-no", el,
            f'<app:categories fixed="{fixed}">: fixed is "yes" (a closed list) or "no" '
            "(lower case)",
        )  # fmt: skip
    _check_iri(el, "scheme", report)
    _check_iri(el, "href", report)
    children = [child for child in el if is_element(child)]
    if el.get("href") is not None:
        conflicting = [a for a in ("fixed", "scheme") if el.get(a) is not None]
        if conflicting or children:
            what = " and ".join(f"a {a} attribute" for a in conflicting) or "child elements"
            report.add(
                "app-categories-href", el,
                f"<app:categories> has an href and {what}; an out-of-line list (href) is "
                "empty and has neither fixed nor scheme: remove them, or remove href and "
                "list the categories inline",
            )  # fmt: skip
        return
    for child in children:
        if child.tag == f"{ATOM}category" and child.get("term") is None:
            report.add(
                "app-missing-attribute", child,
                '<atom:category> in <app:categories> has no term; add term="..."',
            )  # fmt: skip
