"""Dates in the syntaxes feeds use, read and written in one place: ISO 8601 / RFC 3339 (front
matter, Atom, JSON Feed) and RFC 822 (RSS), with one rule for two-digit years.

Writing is locale-free (English names whatever the locale, four-digit years), so the same post
gives the same bytes on every machine.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

# The dates nearly every post has, which `datetime.fromisoformat` reads exactly as dateutil's
# `isoparse` does, 30x faster; anything else goes to `isoparse`.
_PLAIN_ISO = re.compile(
    r"\d{4}-[01]\d-[0-3]\d(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?"
    r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?)?"
)

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# RFC 822 section 5: the named zones, and the military letters (all but J).
_NAMED_ZONES = {
    "ut": 0, "utc": 0, "gmt": 0, "z": 0,
    "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
}  # fmt: skip
# An RFC 822 date-time as feeds write it, its fields named; the validator states the rules on
# these fields, the importer reads them. Comments in parentheses are removed beforehand.
RFC822 = re.compile(
    r"\s*(?:(?P<dow>[A-Za-z]+)\s*,\s*)?"
    r"(?P<day>\d{1,2})\s+(?P<mon>[A-Za-z]+)\s+(?P<year>\d+)\s+"
    r"(?P<h>\d{2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?"
    r"(?:\s+(?P<zone>[+-]\d{4}|[A-Za-z]+))?\s*\Z"
)


def full_year(year: int, digits: int) -> int:
    """A year as written, with two-digit years read as RFC 2822 section 4.3 says: 00-49 are
    2000-2049, 50-99 are 1950-1999."""
    if digits > 2:
        return year
    return year + (2000 if year < 50 else 1900)


def parse_iso(text: str) -> datetime:
    """ISO 8601: a date, or a date and time with or without an offset (naive then).
    Raises `ValueError`."""
    text = text.strip()
    try:
        if _PLAIN_ISO.fullmatch(text):
            return datetime.fromisoformat(text)
        from dateutil.parser import isoparse

        parsed: datetime = isoparse(text)
        return parsed
    except OverflowError as exc:
        raise ValueError(str(exc)) from exc


# The forms Jekyll and Hugo read besides ISO 8601: `2014-03-01 12:00:00 -0500` (Jekyll's own),
# one-digit months and days, `+05:00` or `-0500` after a space, an optional zone name after the
# offset (`+0000 UTC`, as Go's time.String writes it).
_SITE_DATE = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,9}))?)?)?"
    r"\s*(?P<off>Z|[+-]\d{2}:?\d{2})?(?:\s+(?P<zone>[A-Za-z]{1,5}))?"
)


def parse_site_date(text: str) -> datetime:
    """A front matter date as Jekyll or Hugo reads it: ISO 8601, Jekyll's
    `2014-03-01 12:00:00 -0500`, or an RFC 822 date; naive when it names no offset.
    Raises `ValueError`."""
    try:
        return parse_iso(text)
    except ValueError:
        pass
    text = text.strip()
    m = _SITE_DATE.fullmatch(text)
    if m is None and (year := re.match(r"\d{4}(?=-)", text)):
        # The year again after the time, as `date` prints it (`… 18:30:22 2023 -0800`): Ruby,
        # and so Jekyll, reads past it.
        m = _SITE_DATE.fullmatch(re.sub(rf"(?<=\d\d:\d\d) +{year[0]}\b", "", text, count=1))
    if m is None:
        return parse_rfc822(text)
    offset = None
    if m["off"]:
        off = m["off"].replace(":", "")
        offset = timedelta(0) if off == "Z" else zone_offset(off)
    elif m["zone"]:
        offset = zone_offset(m["zone"])
    if offset is None and (m["off"] or m["zone"]):
        raise ValueError(f"{text!r}: {m['off'] or m['zone']!r} is not a time zone")
    parsed = datetime(
        int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"] or 0), int(m["mi"] or 0),
        int(m["s"] or 0), int((m["f"] or "0")[:6].ljust(6, "0")),
    )  # fmt: skip
    return parsed if offset is None else parsed.replace(tzinfo=timezone(offset))


def zone_offset(zone: str | None) -> timedelta | None:
    """An RFC 822 zone (`+0600`, `GMT`, `EST`, a military letter) as an offset; None if unknown."""
    if zone is None:
        return timedelta(0)
    if zone[0] in "+-":
        hours, minutes = int(zone[1:3]), int(zone[3:5])
        if hours > 23 or minutes > 59:
            return None
        sign = -1 if zone[0] == "-" else 1
        return sign * timedelta(hours=hours, minutes=minutes)
    lower = zone.lower()
    if lower in _NAMED_ZONES:
        return timedelta(hours=_NAMED_ZONES[lower])
    if len(lower) == 1 and lower != "j":  # military zones: their signs are unreliable, so UTC
        return timedelta(0)
    return None


def without_comments(text: str) -> str:
    """RFC 822 allows comments in parentheses, nested: `… +0000 (Coordinated Universal Time)`."""
    before = None
    while text != before and "(" in text:
        before, text = text, re.sub(r"\([^()]*\)", " ", text)
    return text


def parse_rfc822(text: str) -> datetime:
    """An RSS date: RFC 822 with two- or four-digit years, full month names and a missing zone
    (UTC) tolerated, as readers tolerate them. Raises `ValueError`."""
    m = RFC822.match(without_comments(text))
    if m is None:
        raise ValueError(f"{text!r} is not an RFC 822 date-time")
    month = m["mon"][:3].title()
    if month not in MONTHS:
        raise ValueError(f"{text!r}: {m['mon']!r} is not a month")
    offset = zone_offset(m["zone"])
    if offset is None:
        raise ValueError(f"{text!r}: {m['zone']!r} is not a time zone")
    year = full_year(int(m["year"]), len(m["year"]))
    return datetime(
        year,
        MONTHS.index(month) + 1,
        int(m["day"]),
        int(m["h"]),
        int(m["m"]),
        min(int(m["s"] or 0), 59),  # a leap second, as the second before it
        tzinfo=timezone(offset),
    )


_MINUTE = timedelta(minutes=1)


def _whole_minutes(when: datetime) -> datetime:
    """RFC 822 and RFC 3339 offsets have no seconds: such an offset is written as UTC."""
    offset = when.utcoffset() or timedelta(0)
    if offset % timedelta(minutes=1):
        return when.astimezone(UTC)
    return when


def _offset(when: datetime, colon: bool) -> str:
    minutes = int((when.utcoffset() or timedelta(0)).total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{':' if colon else ''}{mins:02d}"


def rfc822(when: datetime) -> str:
    """`Mon, 19 May 2008 00:00:00 +0000`: English names whatever the locale, four-digit year."""
    when = _whole_minutes(when)
    return (
        f"{DAYS[when.weekday()]}, {when.day:02d} {MONTHS[when.month - 1]} {when.year:04d} "
        f"{when.hour:02d}:{when.minute:02d}:{when.second:02d} {_offset(when, colon=False)}"
    )


def rfc3339(when: datetime) -> str:
    """`2008-05-19T00:00:00+00:00`; fractions of a second only when the post gives them."""
    offset = when.utcoffset()
    if offset is not None and not when.microsecond and not offset % _MINUTE:
        return when.isoformat()  # the same text, made in C: a build writes some 100,000 dates
    when = _whole_minutes(when)
    frac = f".{when.microsecond:06d}".rstrip("0") if when.microsecond else ""
    return (
        f"{when.year:04d}-{when.month:02d}-{when.day:02d}T{when.hour:02d}:{when.minute:02d}:"
        f"{when.second:02d}{frac}{_offset(when, colon=True)}"
    )


def is_rfc3339(value: object) -> bool:
    """A full date-time with an offset (what RFC 3339 requires; a date alone is not one)."""
    if not isinstance(value, str) or len(value) < 20 or value[10] not in "Tt":
        return False
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return False
