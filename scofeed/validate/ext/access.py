"""Bloglines' Feed Access Control (http://www.bloglines.com/about/specs/fac-1.0): one
`access:restriction` with `relationship="allow"` or `"deny"` telling aggregators whether the
feed may be shown publicly."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

NS = "http://www.bloglines.com/about/specs/fac-1.0"
NAMESPACES = (NS,)
SPEC = "Bloglines Feed Access Control 1.0"

RULES = (
    ("access-restriction", "error",
     "an access:restriction without relationship, or with one other than allow/deny",
     f"{SPEC} (access:restriction relationship: allow or deny)"),
)  # fmt: skip


def check(root: Any, report: Report, fmt: str) -> None:
    for el in root.iter(f"{{{NS}}}restriction"):
        relationship = el.get("relationship")
        if relationship not in ("allow", "deny"):
            shown = "no relationship" if relationship is None else f'relationship="{relationship}"'
            report.add(
                "access-restriction", el,
                f'<access:restriction> has {shown}; write relationship="allow" (aggregators may '
                'show the feed publicly) or relationship="deny"',
            )  # fmt: skip
