"""The RSS 1.0 Event module (http://purl.org/rss/1.0/modules/event/): an item that is an event
says when (ev:startdate, ev:enddate, W3CDTF dates), where (ev:location), by whom (ev:organizer)
and what kind (ev:type). Used in RSS 1.0 and RSS 2.0 alike."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scofeed.validate.ext.dc import w3cdtf_problem
from scofeed.validate.values import local_name, text_of

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

NS = "http://purl.org/rss/1.0/modules/event/"
NAMESPACES = (NS,)
SPEC = "RSS 1.0 Event module"

RULES = (
    ("ev-date", "error", "an ev:startdate or ev:enddate that is not a W3CDTF date",
     f"{SPEC} (startdate, enddate: W3CDTF); W3C Date and Time Formats"),
    ("ev-date-zone", "warning", "an event date with a time of day but no time zone",
     f"{SPEC} (startdate, enddate); W3C Date and Time Formats (TZD with hh:mm)"),
    ("ev-end-before-start", "warning", "an event whose enddate comes before its startdate",
     f"{SPEC} (startdate, enddate)"),
    ("ev-unknown", "error", "an element of the Event module it does not define",
     f"{SPEC} (elements: startdate, enddate, location, organizer, type)"),
)  # fmt: skip

_TEXT = {"location", "organizer", "type"}


def check(root: Any, report: Report, fmt: str) -> None:
    dates: dict[Any, dict[str, str]] = {}
    for el in root.iter(f"{{{NS}}}*"):
        name = local_name(el.tag)
        if name in ("startdate", "enddate"):
            value = text_of(el).strip()
            problem = w3cdtf_problem(value)
            if problem is None:
                dates.setdefault(el.getparent(), {})[name] = value
            elif "no time zone" in problem:
                report.add("ev-date-zone", el, f'<ev:{name}> "{value}" {problem}')
            else:
                report.add("ev-date", el, f'<ev:{name}> "{value}" {problem}')
        elif name not in _TEXT:
            report.add(
                "ev-unknown", el,
                f"<ev:{name}> is not an Event module element; use startdate, enddate, "
                "location, organizer or type",
            )  # fmt: skip
    for parent, pair in dates.items():
        start, end = pair.get("startdate"), pair.get("enddate")
        # Same-form W3CDTF dates in UTC compare as text; other zones are left alone.
        same_form = start and end and len(start) == len(end) and start[-1:] == end[-1:] == "Z"
        if same_form and start and end and end < start:
            report.add(
                "ev-end-before-start", parent.find(f"{{{NS}}}enddate"),
                f"the event ends ({end}) before it starts ({start}); swap the dates",
            )  # fmt: skip
