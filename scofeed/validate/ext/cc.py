"""Creative Commons licences in feeds: the RSS 2.0 module of Userland
(http://backend.userland.com/creativeCommonsRssModule: creativeCommons:license, the licence's
URL as text, in the channel or an item) and the RDF vocabulary RSS 1.0 uses
(http://web.resource.org/cc/, cc:license naming the licence in rdf:resource)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scofeed.validate.values import absolute_url_problem, local_name, text_of

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

USERLAND = "http://backend.userland.com/creativeCommonsRssModule"
CC = "http://web.resource.org/cc/"
NAMESPACES = (USERLAND, CC)
RESOURCE = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}resource"

RULES = (
    ("cc-license", "error", "a Creative Commons licence that is not an absolute URL",
     "Creative Commons RSS module (creativeCommons:license: the URL of the licence); "
     "RSS 1.0 cc module (cc:license rdf:resource)"),
    ("cc-unknown", "error", "an element of the creativeCommons namespace other than license",
     "Creative Commons RSS module (one element: license)"),
)  # fmt: skip

EXAMPLE = "https://creativecommons.org/licenses/by/4.0/"


def check(root: Any, report: Report, fmt: str) -> None:
    for el in root.iter(f"{{{USERLAND}}}*"):
        name = local_name(el.tag)
        if name != "license":
            report.add(
                "cc-unknown", el,
                f"<creativeCommons:{name}> is not an element of the Creative Commons RSS "
                "module; use <creativeCommons:license>",
            )  # fmt: skip
            continue
        value = text_of(el).strip()
        problem = absolute_url_problem(value)
        if problem:
            report.add(
                "cc-license", el,
                f'<creativeCommons:license> "{value}" {problem}; write the licence\'s URL, as '
                f"in {EXAMPLE}",
            )  # fmt: skip
    for el in root.iter(f"{{{CC}}}license"):
        value = el.get(RESOURCE)
        if value is None:  # RSS 2.0 feeds write it as text too
            value = text_of(el)
        problem = absolute_url_problem(value.strip())
        if problem:
            report.add(
                "cc-license", el,
                f'<cc:license> "{value}" {problem}; write <cc:license rdf:resource="{EXAMPLE}"/>',
            )  # fmt: skip
