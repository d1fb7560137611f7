"""The blogChannel module (http://backend.userland.com/blogChannelModule), UserLand's RSS 2.0
channel elements of Radio and Manila weblogs: where the weblog's blogroll and subscriptions
(OPML) live, a recommended weblog, and the changes file it pings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scofeed.validate.values import absolute_url_problem, text_of

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

NS = "http://backend.userland.com/blogChannelModule"
NAMESPACES = (NS,)
SPEC = "RSS 2.0 blogChannel module"

RULES = (
    ("blogchannel-url", "error", "a blogChannel element that is not a full URL",
     f"{SPEC} (blogRoll, mySubscriptions, blink, changes: the URL of ...)"),
    ("blogchannel-unknown", "error", "an element of the blogChannel namespace it does not define",
     f"{SPEC} (elements: blogRoll, mySubscriptions, blink, changes)"),
)  # fmt: skip

_URLS = {"blogRoll", "mySubscriptions", "blink", "changes"}


def check(root: Any, report: Report, fmt: str) -> None:
    for el in root.iter(f"{{{NS}}}*"):
        name = el.tag[len(NS) + 2 :]
        if name not in _URLS:
            report.add(
                "blogchannel-unknown", el,
                f"<blogChannel:{name}> is not an element of the blogChannel module; use "
                "blogRoll, mySubscriptions, blink or changes",
            )  # fmt: skip
            continue
        value = text_of(el).strip()
        problem = absolute_url_problem(value, iri=fmt == "atom")
        if problem:
            report.add(
                "blogchannel-url", el,
                f'<blogChannel:{name}> "{value}" {problem}; write the full URL, as in '
                '"https://example.org/blogroll.opml"',
            )  # fmt: skip
