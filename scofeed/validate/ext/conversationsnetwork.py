"""The Conversations Network's namespace (http://conversationsnetwork.org/rssNamespace-1.0/),
used by its podcasts (IT Conversations and others): listener ratings and the length of an
episode's introduction."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scofeed.validate.values import non_negative_int, text_of

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

NS = "http://conversationsnetwork.org/rssNamespace-1.0/"
NAMESPACES = (NS,)
SPEC = "Conversations Network RSS namespace 1.0"

RULES = (
    ("conversationsnetwork-value", "error",
     "a rating, count, time or timestamp outside its value space",
     f"{SPEC} (introMilliseconds, ratingCount, ratingIndividual, ratingAverage, "
     "ratingTimestamp)"),
)  # fmt: skip

# ISO 8601 date-time with a numeric zone or Z (no zone names such as "GMT").
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})\Z")
_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?\Z")


def _count(value: str) -> bool:
    return non_negative_int(value) is not None


def _positive(value: str) -> bool:
    return bool(non_negative_int(value))


def _average(value: str) -> bool:
    return bool(_DECIMAL.match(value))


def _timestamp(value: str) -> bool:
    return bool(_DATETIME.match(value))


CHECKS: dict[str, tuple[Callable[[str], bool], str]] = {
    "introMilliseconds": (_count, "a whole number >= 0"),
    "ratingCount": (_count, "a whole number >= 0"),
    "ratingIndividual": (_positive, "a whole number from 1"),
    "ratingAverage": (_average, "a number, as 3.5"),
    "ratingTimestamp": (_timestamp, "an ISO 8601 date-time with its zone, as 2009-01-12T12:13:14Z"),
}


def check(root: Any, report: Report, fmt: str) -> None:
    for el in root.iter(f"{{{NS}}}*"):
        name = el.tag[len(NS) + 2 :]
        rule = CHECKS.get(name)
        value = text_of(el).strip()
        if rule is not None and not rule[0](value):
            report.add(
                "conversationsnetwork-value", el,
                f'<conversationsNetwork:{name}> is "{value}"; write {rule[1]}',
            )  # fmt: skip
