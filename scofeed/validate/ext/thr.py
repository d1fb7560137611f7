"""Atom Threading Extensions (RFC 4685), namespace http://purl.org/syndication/thread/1.0:
`thr:in-reply-to` (what an entry answers), `thr:total` (how many answers it has), and the
`thr:count`/`thr:updated` attributes of a `rel="replies"` link (Atom `link`, or `atom:link` in
RSS)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scofeed.validate.values import (
    is_absolute,
    is_mime_type,
    non_negative_int,
    rfc3339_problem,
    text_of,
    uri_problem,
)

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

NS = "http://purl.org/syndication/thread/1.0"
NAMESPACES = (NS,)
SPEC = "RFC 4685"
ATOM_LINK = "{http://www.w3.org/2005/Atom}link"
COUNT, UPDATED = f"{{{NS}}}count", f"{{{NS}}}updated"

RULES = (
    ("thr-unknown", "error", "an element of the threading namespace RFC 4685 does not define",
     f"{SPEC} (elements: in-reply-to, total)"),
    ("thr-ref", "error", "a thr:in-reply-to without ref, or a ref that is not an absolute IRI",
     f"{SPEC} 3 (ref: REQUIRED, an atom:id: an absolute IRI)"),
    ("thr-iri", "error", "a thr:in-reply-to href or source that is not an IRI",
     f"{SPEC} 3 (href, source: IRIs, RFC 3987)"),
    ("thr-type", "error", "a thr:in-reply-to type that is not a MIME media type",
     f"{SPEC} 3 (type: a MIME media type)"),
    ("thr-total", "error", "a thr:total that is not a non-negative integer",
     f"{SPEC} 5 (thr:total: a non-negative integer)"),
    ("thr-count", "error", "a replies link's thr:count that is not a non-negative integer",
     f"{SPEC} 4 (thr:count: a non-negative integer)"),
    ("thr-updated", "error", "a replies link's thr:updated that is not an RFC 3339 date-time",
     f"{SPEC} 4 (thr:updated: an RFC 3339 date-time)"),
    ("thr-attribute", "error",
     "a thr: attribute on a link other than thr:count and thr:updated (thr:when of the drafts)",
     f"{SPEC} 4 (the replies link's attributes: thr:count, thr:updated)"),
)  # fmt: skip


def check(root: Any, report: Report, fmt: str) -> None:
    for el in root.iter(f"{{{NS}}}*"):
        name = el.tag[len(NS) + 2 :]
        if name == "in-reply-to":
            _in_reply_to(el, report)
        elif name == "total":
            value = text_of(el).strip()
            if non_negative_int(value) is None:
                report.add(
                    "thr-total", el,
                    f'<thr:total> is "{value}"; write the number of replies as digits (0 when '
                    "there are none)",
                )  # fmt: skip
        else:
            report.add(
                "thr-unknown", el,
                f"<thr:{name}> is not an element of RFC 4685; for the number of replies "
                "write <thr:total>, for the reply link <link rel=\"replies\" thr:count=...>",
            )  # fmt: skip
    # A replies link (RFC 4685 section 4) is an Atom link; RSS writes it as atom:link.
    prefix = f"{{{NS}}}"
    for link in root.iter(ATOM_LINK, "link"):
        if link.get(COUNT) is not None or link.get(UPDATED) is not None:
            _replies_link(link, report)
        for attr in link.attrib:
            if attr.startswith(prefix) and attr not in (COUNT, UPDATED):
                name = attr[len(prefix) :]
                hint = " (thr:when was in drafts of RFC 4685; the RFC named it thr:updated)"
                report.add(
                    "thr-attribute", link,
                    f"thr:{name} is not an attribute of RFC 4685; a replies link takes "
                    f"thr:count and thr:updated{hint if name == 'when' else ''}",
                )  # fmt: skip


def _in_reply_to(el: Any, report: Report) -> None:
    ref = el.get("ref")
    if ref is None:
        report.add(
            "thr-ref", el,
            '<thr:in-reply-to> needs a ref attribute: the id (atom:id or guid) of the entry '
            "it answers",
        )  # fmt: skip
    elif uri_problem(ref.strip()) or not is_absolute(ref.strip()):
        report.add(
            "thr-ref", el,
            f'<thr:in-reply-to ref="{ref}">: ref is the answered entry\'s id, an absolute IRI '
            '(as "tag:example.org,2005:1" or "https://example.org/posts/1")',
        )  # fmt: skip
    for attr in ("href", "source"):
        value = el.get(attr)
        if value is not None and (problem := uri_problem(value.strip())):
            report.add("thr-iri", el, f'<thr:in-reply-to {attr}="{value}"> {problem}')
    kind = el.get("type")
    if kind is not None and not is_mime_type(kind.strip()):
        report.add(
            "thr-type", el,
            f'<thr:in-reply-to type="{kind}"> is not a MIME media type; write one such as '
            '"text/html"',
        )  # fmt: skip


def _replies_link(link: Any, report: Report) -> None:
    count, updated = link.get(COUNT), link.get(UPDATED)
    if count is not None and non_negative_int(count) is None:
        report.add(
            "thr-count", link,
            f'thr:count="{count}" must be the number of replies in digits, as thr:count="10"',
        )  # fmt: skip
    if updated is not None and (problem := rfc3339_problem(updated.strip())):
        report.add("thr-updated", link, f"thr:updated {problem}")
