"""FeedBurner's namespace (http://rssnamespace.org/feedburner/ext/1.0), which feeds burned by
FeedBurner still carry: the original item and enclosure URLs (`origLink`, `origEnclosureLink`),
the host, the `info` element (whose uri is the feed's FeedBurner name, not a URL) and FeedFlare
links."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scofeed.validate.values import absolute_url_problem, is_absolute, text_of

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

NS = "http://rssnamespace.org/feedburner/ext/1.0"
NAMESPACES = (NS,)
SPEC = "FeedBurner namespace reference"

RULES = (
    ("feedburner-url", "error", "a FeedBurner URL element or attribute that is not a full URL",
     f"{SPEC} (origLink, origEnclosureLink, feedburnerHostname, awareness)"),
    ("feedburner-duplicate", "error", "a FeedBurner channel element repeated",
     f"{SPEC} (feedburnerHostname, info, browserFriendly, emailServiceId: one per feed)"),
    ("feedburner-relative", "warning", "a FeedFlare href or src that is a relative reference",
     f"{SPEC} (feedFlare href, src)"),
)  # fmt: skip

_URL_TEXT = {"origLink", "origEnclosureLink", "feedburnerHostname", "awareness"}
_ONCE = {"feedburnerHostname", "info", "browserFriendly", "emailServiceId"}


def check(root: Any, report: Report, fmt: str) -> None:
    for el in root.iter(f"{{{NS}}}*"):
        name = el.tag[len(NS) + 2 :]
        if name in _URL_TEXT:
            _url(el, name, text_of(el).strip(), report)
        elif name == "feedFlare":
            for attr in ("href", "src"):
                value = (el.get(attr) or "").strip()
                if value and not is_absolute(value):
                    report.add(
                        "feedburner-relative", el,
                        f'<feedburner:feedFlare {attr}="{value}"> is relative; readers have no '
                        "base to resolve it against: write the full URL",
                    )  # fmt: skip
        parent = el.getparent()
        if name in _ONCE and parent is not None and parent.find(el.tag) is not el:
            report.add(
                "feedburner-duplicate", el,
                f"<feedburner:{name}> appears more than once; a feed has one: keep one",
            )  # fmt: skip


def _url(el: Any, name: str, value: str, report: Report) -> None:
    problem = absolute_url_problem(value)
    if problem:
        report.add("feedburner-url", el, f'<feedburner:{name}> "{value[:80]}" {problem}')
