"""The Admin module (http://webns.net/mvcb/): who to tell about errors in the feed
(admin:errorReportsTo) and the software that made it (admin:generatorAgent), each an empty
element naming a URI in rdf:resource. Movable Type and Typepad write it in RSS 1.0 and 2.0."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scofeed.validate.values import absolute_url_problem, local_name, text_of

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

NS = "http://webns.net/mvcb/"
NAMESPACES = (NS,)
RESOURCE = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}resource"
SPEC = "RSS 1.0 Admin module"

RULES = (
    ("admin-resource", "error", "an admin:errorReportsTo or admin:generatorAgent without an "
     "rdf:resource URI", f"{SPEC} (errorReportsTo, generatorAgent: rdf:resource)"),
    ("admin-unknown", "error", "an element of the Admin namespace the module does not define",
     f"{SPEC} (elements: errorReportsTo, generatorAgent)"),
)  # fmt: skip

_EXAMPLE = {
    "errorReportsTo": "mailto:webmaster@example.org",
    "generatorAgent": "https://example.org/generator/1.0",
}


def check(root: Any, report: Report, fmt: str) -> None:
    for el in root.iter(f"{{{NS}}}*"):
        name = local_name(el.tag)
        if name not in _EXAMPLE:
            report.add(
                "admin-unknown", el,
                f"<admin:{name}> is not an element of the Admin module; use "
                "admin:errorReportsTo or admin:generatorAgent",
            )  # fmt: skip
            continue
        resource = el.get(RESOURCE)
        fix = f'write <admin:{name} rdf:resource="{_EXAMPLE[name]}"/>'
        if resource is None:
            text = text_of(el).strip()
            said = f' (it holds the text "{text}")' if text else ""
            report.add("admin-resource", el, f"<admin:{name}> has no rdf:resource{said}; {fix}")
            continue
        problem = absolute_url_problem(resource.strip())
        if problem:
            report.add("admin-resource", el, f'<admin:{name}> rdf:resource="{resource}" '
                       f"{problem}; {fix}")  # fmt: skip
