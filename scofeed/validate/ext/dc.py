"""Dublin Core: the 15 elements of DCMES 1.1 (`dc:`, http://purl.org/dc/elements/1.1/, the RSS
1.0 Dublin Core module) and the DCMI Metadata Terms (`dcterms:`, http://purl.org/dc/terms/), in
RSS 1.0, RSS 2.0 and Atom alike.

Dates are W3CDTF (https://www.w3.org/TR/NOTE-datetime, the form the RSS 1.0 module and DCMI
name), languages are RFC 4646 tags whose primary subtag is an ISO 639 code. A channel states
one date, one rights statement, one language and one modification date: those repeat RSS's
single-valued pubDate, copyright, language and lastBuildDate, and readers take one of them.
"""

from __future__ import annotations

import calendar
import re
from typing import TYPE_CHECKING, Any

from scofeed.validate.values import is_rss_language, local_name, text_of

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
NAMESPACES = (DC, DCTERMS)
SPEC = "DCMI Metadata Terms"
W3CDTF = "W3C Date and Time Formats (NOTE-datetime)"

RULES = (
    ("dc-date", "error", "a Dublin Core date that is not a W3CDTF date",
     f"{SPEC}, date (Recommended: W3CDTF); RSS 1.0 Dublin Core module, dc:date; {W3CDTF}"),
    ("dc-period", "error", "a DCMI Period (name=; start=; end=) whose start or end is no date",
     f"{SPEC}, available/valid/temporal; DCMI Period Encoding Scheme"),
    ("dc-language", "error", "a dc:language that is not an RFC 4646 language tag",
     f"{SPEC}, language (Recommended: RFC 4646); RFC 4646 2.1"),
    ("dc-duplicate", "error", "a channel with two dc:date, dc:rights, dc:language or "
     "dcterms:modified", "RSS 1.0 Dublin Core module; RSS 2.0 channel (pubDate, copyright, "
     "language, lastBuildDate are single)"),
    ("dc-unknown", "error", "an element of the dc: or dcterms: namespace DCMI does not define",
     f"{SPEC}, section 2 (properties in /terms/) and 3 (the 15 in /elements/1.1/)"),
)  # fmt: skip


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split())


ELEMENTS = _names(
    "title creator subject description publisher contributor date type format identifier "
    "source language relation coverage rights"
)
TERMS = ELEMENTS | _names(
    "abstract accessRights accrualMethod accrualPeriodicity accrualPolicy alternative audience "
    "available bibliographicCitation conformsTo created dateAccepted dateCopyrighted "
    "dateSubmitted educationLevel extent hasFormat hasPart hasVersion instructionalMethod "
    "isFormatOf isPartOf isReferencedBy isReplacedBy isRequiredBy issued isVersionOf license "
    "mediator medium modified provenance references replaces requires rightsHolder spatial "
    "tableOfContents temporal valid"
)
_DATES = _names("date created issued modified dateAccepted dateCopyrighted dateSubmitted")
_PERIODS = frozenset(("available", "valid"))  # a date or a period (a range of dates)
# The channel's single values (see the docstring), by Clark name.
_SINGLE = frozenset((f"{{{DC}}}date", f"{{{DC}}}rights", f"{{{DC}}}language",
                     f"{{{DCTERMS}}}modified"))  # fmt: skip

_W3CDTF = re.compile(
    r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"(Z|[+-](\d{2}):(\d{2})))?)?)?\Z"
)
_EXAMPLE = "write it like 2006-01-02T15:04:05Z, 2006-01-02T15:04+01:00 or just 2006-01-02"


def w3cdtf_problem(value: str) -> str | None:
    """Why `value` is not a W3CDTF date (YYYY, YYYY-MM, YYYY-MM-DD, or a date with hh:mm,
    optional seconds and fraction, and a time zone), or None."""
    m = _W3CDTF.match(value)
    if m is None:
        if not value:
            return f"is empty; {_EXAMPLE}"
        if re.match(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\Z", value):
            return "has a time but no time zone; add Z (UTC) or an offset such as +01:00"
        if re.match(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?[+-]\d{4}\Z", value):
            return "has an offset without a colon; write it as +01:00"
        return f"is not a W3CDTF date; {_EXAMPLE}"
    year, month, day, hour, minute, second, _zone, zh, zm = m.groups()
    if month is not None and not "01" <= month <= "12":
        return "has a month outside 01-12"
    if day is not None and not 1 <= int(day) <= calendar.monthrange(int(year) or 4, int(month))[1]:
        return "names a day that does not exist"
    if hour is not None and (hour > "23" or minute > "59" or (second or "00") > "60"):
        return "has a time of day out of range"
    if zh is not None and (zh > "23" or zm > "59"):
        return "has a time zone offset out of range"
    return None


def period_problem(value: str) -> str | None:
    """Why a DCMI Period ("name=X; start=D; end=D; scheme=W3C-DTF") has a start or end that is
    no W3CDTF date, or None; other schemes are not checked."""
    parts = dict(
        (key.strip().lower(), val.strip())
        for key, _, val in (part.partition("=") for part in value.split(";") if "=" in part)
    )
    if parts.get("scheme", "W3C-DTF").upper() != "W3C-DTF":
        return None
    for key in ("start", "end"):
        if key in parts:
            problem = w3cdtf_problem(parts[key])
            if problem:
                return f'its {key} "{parts[key]}" {problem}'
    return None


def _written(el: Any, local: str) -> str:
    return f"{el.prefix}:{local}" if el.prefix else local


def _value(el: Any) -> str | None:
    """The element's text, or None when it names its value as a resource (rdf:resource) or
    describes it with child elements (an RDF node), which carry no literal to check."""
    if len(el) or any(name.endswith("resource") for name in el.attrib):
        return None
    return text_of(el).strip()


def check(root: Any, report: Report, fmt: str) -> None:
    seen: dict[tuple[Any, str], int] = {}
    for ns, names in ((DC, ELEMENTS), (DCTERMS, TERMS)):
        for el in root.iter(f"{{{ns}}}*"):
            local = local_name(el.tag)
            name = _written(el, local)
            # DC's dot-notation refinements (dc:date.Taken) are refinements of the element.
            base = local.split(".", 1)[0] if ns == DC else local
            if base not in names and not local[:1].isupper():  # DCMI classes are capitalised
                report.add(
                    "dc-unknown", el,
                    f"<{name}> is not a Dublin Core {'element' if ns == DC else 'term'}; use one "
                    f"of {', '.join(sorted(ELEMENTS))}"
                    + (" (or the refinements of dcterms:)" if ns == DC else ""),
                )  # fmt: skip
                continue
            parent = el.getparent()
            if el.tag in _SINGLE and parent is not None and local_name(parent.tag) == "channel":
                key = (parent, el.tag)
                seen[key] = seen.get(key, 0) + 1
                if seen[key] == 2:
                    report.add(
                        "dc-duplicate", el,
                        f"the channel has more than one <{name}>; it states one value for "
                        "the whole feed: keep one (items may carry their own)",
                        scope=parent,
                    )  # fmt: skip
            value = _value(el)
            if value is None:
                continue
            if base in _DATES:
                problem = w3cdtf_problem(value)
                if problem:
                    report.add("dc-date", el, f'<{name}> "{value}" {problem}')
            elif base in _PERIODS or (base == "temporal" and "=" in value):
                if "=" in value:
                    problem = period_problem(value)
                    if problem:
                        report.add("dc-period", el, f'<{name}> "{value}": {problem}')
                else:
                    problem = w3cdtf_problem(value)
                    if problem:
                        report.add("dc-date", el, f'<{name}> "{value}" {problem}')
            elif base == "language" and not is_rss_language(value):
                report.add(
                    "dc-language", el,
                    f'<{name}> "{value}" is not a language tag; write an ISO 639 code with an '
                    'optional region, as in "en" or "en-US" (not a name like "English", no "_")',
                )  # fmt: skip
