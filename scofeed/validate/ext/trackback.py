"""The TrackBack module (http://madskills.com/public/xml/rss/module/trackback/): an item's
TrackBack ping URL (trackback:ping) and the items it pinged (trackback:about). In RSS 1.0 each
names its URL in rdf:resource; in RSS 2.0 and Atom the URL is the element's text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scofeed.validate.values import absolute_url_problem, element_name, local_name, text_of

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

NS = "http://madskills.com/public/xml/rss/module/trackback/"
NAMESPACES = (NS,)
RESOURCE = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}resource"
SPEC = "TrackBack RSS module"

RULES = (
    ("trackback-url", "error", "a trackback:ping or trackback:about that is not an absolute URL "
     "(rdf:resource in RSS 1.0, the text in RSS 2.0 and Atom)",
     f"{SPEC} (trackback:ping, trackback:about)"),
    ("trackback-duplicate", "error", "two trackback:ping in one item",
     f"{SPEC} (trackback:ping: the item's one ping URL)"),
    ("trackback-misplaced", "error", "a trackback: element outside an item or entry",
     f"{SPEC} (item elements)"),
    ("trackback-unknown", "error", "an element of the TrackBack namespace the module does not "
     "define", f"{SPEC} (elements: ping, about)"),
)  # fmt: skip


def check(root: Any, report: Report, fmt: str) -> None:
    pinged: set[Any] = set()
    for el in root.iter(f"{{{NS}}}*"):
        name = local_name(el.tag)
        if name not in ("ping", "about"):
            report.add(
                "trackback-unknown", el,
                f"<trackback:{name}> is not an element of the TrackBack module; use "
                "trackback:ping or trackback:about",
            )  # fmt: skip
            continue
        parent = el.getparent()
        where = element_name(parent)
        if where not in ("item", "entry"):
            report.add(
                "trackback-misplaced", el,
                f"<trackback:{name}> is in <{where}>; it describes one item: move it into the "
                "item (entry in Atom) it belongs to",
            )  # fmt: skip
            continue
        if name == "ping":
            if parent in pinged:
                report.add("trackback-duplicate", el, f"the {where} has more than one "
                           "<trackback:ping>; an item has one ping URL: keep one")  # fmt: skip
            pinged.add(parent)
        if fmt == "rss1":
            value = el.get(RESOURCE)
            fix = f'write <trackback:{name} rdf:resource="https://..."/>'
            if value is None:
                report.add("trackback-url", el, f"<trackback:{name}> in RSS 1.0 names its URL "
                           f"in rdf:resource, and has none; {fix}")  # fmt: skip
                continue
        else:
            value = text_of(el)
            fix = f"write the URL as the text: <trackback:{name}>https://...</trackback:{name}>"
        problem = absolute_url_problem(value.strip())
        if problem:
            report.add("trackback-url", el, f'<trackback:{name}> "{value}" {problem}; {fix}')
