"""OpenSearch 1.1 response elements in feeds: totalResults, startIndex, itemsPerPage and Query
in an RSS channel or an Atom feed (OpenSearch 1.1, "OpenSearch response elements"); also the
three counts of the OpenSearch RSS 1.0 namespace that preceded it.

The description document itself is a document kind of its own (`scofeed.validate.opensearch`),
whose rules `scofeed.validate.rules` registers with the other kinds'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scofeed.validate import opensearch as description
from scofeed.validate.values import local_name, text_of

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

NS = description.NS
NS_10 = "http://a9.com/-/spec/opensearchrss/1.0/"
NAMESPACES = (NS, NS_10)
SPEC = "OpenSearch 1.1"

RULES = (
    ("opensearch-response-duplicate", "error",
     "a totalResults, startIndex or itemsPerPage repeated in one feed",
     f"{SPEC}, OpenSearch response elements ('May appear zero or one time')"),
    ("opensearch-response-unknown", "error",
     "an element of the OpenSearch namespace that does not belong in a feed",
     f"{SPEC}, OpenSearch response elements (totalResults, startIndex, itemsPerPage, Query)"),
)  # fmt: skip

# The counts and whether they must be non-negative (startIndex may be any integer).
_COUNTS = {"totalResults": True, "itemsPerPage": True, "startIndex": False}


def _check_namespace(root: Any, report: Report, ns: str) -> None:
    seen: set[str] = set()
    for el in root.iter(f"{{{ns}}}*"):
        name = local_name(el.tag)
        if name in _COUNTS:
            if name in seen:
                report.add(
                    "opensearch-response-duplicate", el,
                    f"<opensearch:{name}> appears more than once; a feed states it once",
                )  # fmt: skip
            seen.add(name)
            value = text_of(el).strip()
            problem = description.integer_problem(value, non_negative=_COUNTS[name])
            if problem:
                kind = "a non-negative whole number" if _COUNTS[name] else "a whole number"
                report.add(
                    "opensearch-integer", el,
                    f'<opensearch:{name}> is "{value}", which {problem}; write {kind}',
                )  # fmt: skip
        elif name == "Query" and ns == NS:
            description.check_query(report, el)
        else:
            report.add(
                "opensearch-response-unknown", el,
                f"<opensearch:{name}> does not belong in a feed; its response elements are "
                "totalResults, startIndex, itemsPerPage and Query",
            )  # fmt: skip


def check(root: Any, report: Report, fmt: str) -> None:
    for ns in NAMESPACES:
        _check_namespace(root, report, ns)
