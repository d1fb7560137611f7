"""The robots META element in feeds: `<xhtml:meta name="robots" content="noindex"/>` in a
channel, feed, item or entry asks search engines (Google, Yahoo!, feed search services) not to
index or follow it, as the same element does in an HTML page's head.

Only meta elements that are children of the feed's own elements are checked: XHTML content
(inside atom:content's div, say) is the author's page, not an instruction to robots.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from scofeed.validate.values import local_name

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

NS = "http://www.w3.org/1999/xhtml"
NAMESPACES = (NS,)
SPEC = "The Robots META tag (robotstxt.org; HTML 4.01 appendix B.4.1.2)"

RULES = (
    ("meta-name", "error", 'an xhtml:meta in a feed whose name is not "robots"',
     f"{SPEC}, name=\"robots\": the only META name robots read in a feed"),
    ("meta-content", "error",
     "a robots META content that is not a list of directives, or with conflicting or repeated "
     "ones", f"{SPEC}, content: all, none, index, noindex, follow, nofollow, comma-separated"),
)  # fmt: skip

# The directives of the robots META tag, and the ones search engines added since (Google's
# documented list): a feed using them is valid.
_DIRECTIVES = {
    "all", "none", "index", "noindex", "follow", "nofollow", "noarchive", "nosnippet",
    "noimageindex", "notranslate", "noodp", "noydir", "nocache", "indexifembedded",
}  # fmt: skip
_VALUED = re.compile(r"(max-snippet|max-image-preview|max-video-preview|unavailable_after):.+")
# Directives that say opposite things (`all` = index, follow; `none` = noindex, nofollow).
_MEANS = {
    "all": {"index", "follow"},
    "none": {"noindex", "nofollow"},
    "index": {"index"},
    "noindex": {"noindex"},
    "follow": {"follow"},
    "nofollow": {"nofollow"},
}


def check(root: Any, report: Report, fmt: str) -> None:
    for el in root.iter(f"{{{NS}}}meta"):
        parent = el.getparent()
        if parent is None or parent.tag.startswith(f"{{{NS}}}"):
            continue  # inside XHTML content
        name = el.get("name")
        if name is None or name.strip().lower() != "robots":
            report.add(
                "meta-name", el,
                f'<{local_name(el.tag)} name="{name or ""}"> in <{local_name(parent.tag)}>: '
                'robots read only name="robots" in a feed; write name="robots" (and content '
                'such as "noindex") or remove the element',
            )  # fmt: skip
            continue
        problem = _content_problem(el.get("content") or "")
        if problem:
            report.add(
                "meta-content",
                el,
                f'<meta name="robots" content="{el.get("content") or ""}">: {problem}',
            )


def _content_problem(content: str) -> str | None:
    tokens = [t for t in (t.strip().lower() for t in content.split(",")) if t]
    if not tokens:
        return 'content is empty; write the directives, such as "noindex" or "noindex, follow"'
    meant: list[str] = []
    for token in tokens:
        if token not in _DIRECTIVES and not _VALUED.fullmatch(token):
            return (
                f'"{token}" is not a robots directive; use all, none, index, noindex, follow '
                "or nofollow, separated by commas"
            )
        if token in meant:
            return f'"{token}" is repeated; write each directive once'
        meant.append(token)
    said = set().union(*(_MEANS.get(t, set()) for t in meant))
    for yes in ("index", "follow"):
        if yes in said and f"no{yes}" in said:
            return f"it says both {yes} and no{yes}; keep the one you mean"
    return None
