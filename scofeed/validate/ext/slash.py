"""The Slash module (http://web.resource.org/rss/1.0/modules/slash/): Slashdot's counts on an
item, used by WordPress for comment counts (`slash:comments`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scofeed.validate.values import non_negative_int, text_of

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

NS = "http://purl.org/rss/1.0/modules/slash/"
NAMESPACES = (NS,)
SPEC = "RSS 1.0 Slash module"

RULES = (
    ("slash-comments", "error", "a slash:comments that is not a whole number",
     f"{SPEC} (slash:comments, a positive integer)"),
    ("slash-hit-parade", "error", "a slash:hit_parade that is not comma-separated whole numbers",
     f"{SPEC} (slash:hit_parade)"),
    ("slash-unknown", "error", "an element of the Slash namespace the module does not define",
     f"{SPEC} (elements: section, department, comments, hit_parade)"),
)  # fmt: skip

_TEXT = {"section", "department"}


def check(root: Any, report: Report, fmt: str) -> None:
    for el in root.iter(f"{{{NS}}}*"):
        name = el.tag[len(NS) + 2 :]
        value = text_of(el).strip()
        if name == "comments":
            if non_negative_int(value) is None:
                report.add(
                    "slash-comments", el,
                    f'<slash:comments> is "{value}"; write the number of comments as digits '
                    "(0 when there are none)",
                )  # fmt: skip
        elif name == "hit_parade":
            if not all(non_negative_int(part.strip()) is not None for part in value.split(",")):
                report.add(
                    "slash-hit-parade", el,
                    f'<slash:hit_parade> is "{value}"; write whole numbers separated by commas, '
                    'as in "33,33,28,17,3,2,1"',
                )  # fmt: skip
        elif name not in _TEXT:
            report.add(
                "slash-unknown", el,
                f"<slash:{name}> is not an element of the Slash module; use slash:section, "
                "slash:department, slash:comments or slash:hit_parade",
            )  # fmt: skip
