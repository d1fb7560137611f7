"""The Syndication module (http://purl.org/rss/1.0/modules/syndication/): how often a channel
is updated, as sy:updatePeriod, sy:updateFrequency (times per period) and sy:updateBase (the
date the schedule counts from). WordPress writes it in every RSS 2.0 feed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scofeed.validate.ext.dc import w3cdtf_problem
from scofeed.validate.values import element_name, local_name, non_negative_int, text_of

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

NS = "http://purl.org/rss/1.0/modules/syndication/"
NAMESPACES = (NS,)
SPEC = "RSS 1.0 Syndication module"

RULES = (
    ("sy-update-period", "error", "an sy:updatePeriod other than hourly, daily, weekly, monthly "
     "or yearly", f"{SPEC} (sy:updatePeriod)"),
    ("sy-update-frequency", "error", "an sy:updateFrequency that is not a positive whole number",
     f"{SPEC} (sy:updateFrequency, a positive integer)"),
    ("sy-update-base", "error", "an sy:updateBase that is not a W3CDTF date",
     f"{SPEC} (sy:updateBase, W3CDTF)"),
    ("sy-duplicate", "error", "an sy: element repeated in one channel",
     f"{SPEC} (one schedule per channel)"),
    ("sy-unknown", "error", "an element of the Syndication namespace the module does not define",
     f"{SPEC} (elements: updatePeriod, updateFrequency, updateBase)"),
    ("sy-misplaced", "warning", "an sy: element outside the channel",
     f"{SPEC} (channel elements)"),
)  # fmt: skip

PERIODS = ("hourly", "daily", "weekly", "monthly", "yearly")
_NAMES = ("updatePeriod", "updateFrequency", "updateBase")


def check(root: Any, report: Report, fmt: str) -> None:
    seen: set[tuple[Any, str]] = set()
    for el in root.iter(f"{{{NS}}}*"):
        name = local_name(el.tag)
        if name not in _NAMES:
            report.add(
                "sy-unknown", el,
                f"<sy:{name}> is not an element of the Syndication module; use "
                "sy:updatePeriod, sy:updateFrequency or sy:updateBase",
            )  # fmt: skip
            continue
        parent = el.getparent()
        where = element_name(parent)
        if where not in ("channel", "feed"):
            report.add(
                "sy-misplaced", el,
                f"<sy:{name}> is in <{where}>; the update schedule belongs to the channel "
                "(the feed in Atom): move it there",
            )  # fmt: skip
        elif (parent, name) in seen:
            report.add(
                "sy-duplicate", el, f"the channel has more than one <sy:{name}>; keep one",
                scope=parent,
            )  # fmt: skip
        seen.add((parent, name))
        value = text_of(el).strip()
        if name == "updatePeriod" and value not in PERIODS:
            report.add(
                "sy-update-period", el,
                f'<sy:updatePeriod> is "{value}"; write one of {", ".join(PERIODS)} '
                "(lower case)",
            )  # fmt: skip
        elif name == "updateFrequency" and not (non_negative_int(value) or 0) > 0:
            report.add(
                "sy-update-frequency", el,
                f'<sy:updateFrequency> is "{value}"; write how many times per updatePeriod '
                "the channel is updated, a whole number from 1 up",
            )  # fmt: skip
        elif name == "updateBase":
            problem = w3cdtf_problem(value)
            if problem:
                report.add("sy-update-base", el, f'<sy:updateBase> "{value}" {problem}')
