"""The Content module (http://purl.org/rss/1.0/modules/content/): an item's full content as
escaped HTML in content:encoded (RSS 2.0 and RSS 1.0), and RSS 1.0's content:items, a Bag of
content:item each naming its format and holding the content in rdf:value.

RSS 2.0's content:encoded holding elements is `rss-html-not-escaped` (`scofeed.validate.rss`);
this module says the same for RSS 1.0 and Atom, and what rss.py does not check anywhere: one
content:encoded per item, scripts in the HTML, the content:items structure."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from scofeed.validate.values import local_name, text_of

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

NS = "http://purl.org/rss/1.0/modules/content/"
NAMESPACES = (NS,)
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
ABOUT = f"{{{RDF}}}about"
SPEC = "RSS 1.0 Content module"

RULES = (
    ("content-encoded-markup", "error", "a content:encoded holding elements (its HTML must be "
     "escaped) in RSS 1.0 or Atom", f"{SPEC} (content:encoded, entity-encoded or CDATA)"),
    ("content-duplicate", "error", "two content:encoded in one item",
     f"{SPEC} (content:encoded: the item's content)"),
    ("content-item", "error", "a content:item without content:format, or with neither rdf:value "
     "nor rdf:about; content:items without an rdf:Bag", f"{SPEC} (content:items, content:item)"),
    ("content-unknown", "error", "an element of the Content namespace the module does not "
     "define", f"{SPEC} (elements: encoded, items, item, format, encoding)"),
    ("content-script", "warning", "HTML in content:encoded that runs script or redirects "
     "(script, object, embed, meta, on* attributes)", "RSS Best Practices Profile (HTML "
     "content); readers strip it"),
)  # fmt: skip

_KNOWN = ("encoded", "items", "item", "format", "encoding")
_SCRIPT = re.compile(
    r"<\s*(script|object|embed|applet|meta|iframe|frame)\b|<[^>]*\son[a-z]+\s*=", re.I
)


def check(root: Any, report: Report, fmt: str) -> None:
    seen: set[Any] = set()
    for el in root.iter(f"{{{NS}}}*"):
        name = local_name(el.tag)
        if name not in _KNOWN:
            report.add(
                "content-unknown", el,
                f"<content:{name}> is not an element of the Content module; use "
                "content:encoded (or content:items in RSS 1.0)",
            )  # fmt: skip
        elif name == "encoded":
            _encoded(el, report, fmt, seen)
        elif name == "items":
            if el.find(f"{{{RDF}}}Bag") is None:
                report.add(
                    "content-item", el,
                    "<content:items> holds no <rdf:Bag>; list the versions as "
                    "<rdf:Bag><rdf:li><content:item>...</content:item></rdf:li></rdf:Bag>",
                )  # fmt: skip
        elif name == "item":
            missing = [
                what for what, tag in (("content:format", f"{{{NS}}}format"),
                                       ("rdf:value", f"{{{RDF}}}value"))
                # content named by rdf:about is out of line: no rdf:value then
                if el.find(tag) is None and not (what == "rdf:value" and el.get(ABOUT))
            ]  # fmt: skip
            if missing:
                report.add(
                    "content-item", el,
                    f"<content:item> has no {' and no '.join(missing)}; name the format with "
                    '<content:format rdf:resource="http://www.w3.org/1999/xhtml"/> and put the '
                    "content in <rdf:value> (or its URI in rdf:about)",
                )  # fmt: skip


def _encoded(el: Any, report: Report, fmt: str, seen: set[Any]) -> None:
    parent = el.getparent()
    if parent in seen:
        report.add(
            "content-duplicate", el,
            f"<{local_name(parent.tag)}> has more than one <content:encoded>; keep one",
            scope=parent,
        )  # fmt: skip
    seen.add(parent)
    child = next((c for c in el if isinstance(c.tag, str)), None)
    if child is not None:
        if fmt != "rss":  # rss.py reports it in RSS 2.0
            report.add(
                "content-encoded-markup", child,
                f"<content:encoded> contains a <{local_name(child.tag)}> element; escape its "
                "HTML (&lt;p&gt;) or wrap it in <![CDATA[ ... ]]>",
            )  # fmt: skip
        return
    found = _SCRIPT.search(text_of(el))
    if found:
        report.add(
            "content-script", el,
            f'<content:encoded> holds "{found.group()[:30]}", which runs script or leaves the '
            "page; readers remove it: drop it from the content",
        )  # fmt: skip
