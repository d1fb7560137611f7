"""Value checks the RSS and Atom rules share: tree helpers, URLs, language tags, media types,
e-mail fields, RFC 822 and RFC 3339 dates. Pure functions over strings and lxml elements.
"""

from __future__ import annotations

import calendar
import datetime
import re
from typing import Any

from scofeed.infra.dates import RFC822, full_year

# --- tree helpers ---------------------------------------------------------------------------

XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_LANG = f"{{{XML_NS}}}lang"
XML_BASE = f"{{{XML_NS}}}base"


def is_element(node: Any) -> bool:
    """True for elements; False for comments, processing instructions and entity references."""
    return isinstance(node.tag, str)


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def element_name(el: Any) -> str:
    """An element's local name; "" for none (a root's parent), a comment or a processing
    instruction (their tag is not a string)."""
    return local_name(el.tag) if el is not None and isinstance(el.tag, str) else ""


def qname(el: Any) -> str:
    """`<prefix:name>` as written (namespace prefix kept), for messages."""
    name = local_name(el.tag)
    return f"<{el.prefix}:{name}>" if el.prefix else f"<{name}>"


def text_of(el: Any) -> str:
    """The text content of an element, CDATA included, comments left out."""
    if len(el) == 0:
        return el.text or ""
    return "".join(el.itertext())


def has_child_elements(el: Any) -> bool:
    return any(is_element(child) for child in el) if len(el) else False


# --- values ---------------------------------------------------------------------------------

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
# Characters no URL or IRI may hold unescaped (RFC 3986 section 2, RFC 3987 section 2.2).
_BAD_URI_CHARS = re.compile(r'[\x00-\x20\x7f<>"{}|\\^`]')
# Outside ASCII, RFC 3987 allows ucschar (and iprivate in the query): not the C1 controls, the
# surrogates or the noncharacters U+FDD0-U+FDEF and U+xFFFE-U+xFFFF (and U+FFF0-U+FFFF).
_BAD_IRI_CHARS = re.compile(
    "[\x80-\x9f\ud800-\udfff\ufdd0-\ufdef\ufff0-\uffff"
    + "".join(
        f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17)
    )
    + "]"
)
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# scheme://authority, or a network-path reference //authority (RFC 3986 section 3.2)
_AUTHORITY = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//([^/?#]*)")
_IP_LITERAL_HOST = re.compile(
    r"(?:[^@]*@)?\[(?:[0-9A-Fa-f:.]+|v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+)\](?::[0-9]*)?\Z"
)


def uri_problem(value: str) -> str | None:
    """Why `value` is no URI or IRI reference (relative allowed, RFC 3986/3987), or None."""
    bad = _BAD_URI_CHARS.search(value)
    if bad:
        char = bad.group()
        if char == " ":
            return "contains a space; percent-encode it as %20"
        shown = {"\t": "a tab", "\n": "a line break", "\r": "a line break"}.get(char)
        return f"contains {shown or repr(char)}; percent-encode it (%{ord(char):02X})"
    if value.isascii():
        if "%" in value:
            percent = _BAD_PERCENT.search(value)
            if percent:
                shown = value[percent.start() : percent.start() + 3]
                return (
                    f'has "%" without two hexadecimal digits after it ("{shown}"); write %25 '
                    "for a percent sign"
                )
    else:
        bad = _BAD_IRI_CHARS.search(value)
        if bad:
            return f"contains U+{ord(bad.group()):04X}, which IRIs do not allow; remove it"
        return uri_problem(_NON_ASCII.sub("x", value))  # the rest as for a URI
    if "[" in value or "]" in value:
        # Brackets only enclose an IP literal host (RFC 3986 3.2.2); elsewhere they are escaped,
        # but the query and fragment are let through: PHP-style "?a[]=1" is common and every
        # browser and server reads it.
        authority = _AUTHORITY.match(value)
        rest = value[authority.end() :] if authority else value
        rest = rest.split("?", 1)[0].split("#", 1)[0]
        host_ok = (
            authority is None
            or "[" not in authority[1]
            or bool(_IP_LITERAL_HOST.match(authority[1]))
        )
        if not host_ok or "[" in rest or "]" in rest:
            return 'contains "[" or "]" outside an IPv6 host; percent-encode them as %5B and %5D'
    colon = value.find(":")
    if (
        colon > 0
        and not _SCHEME.match(value, 0, colon + 1)
        and not any(c in value[:colon] for c in "/?#")
    ):
        return (
            f'starts with "{value[: colon + 1]}", which is no scheme: a scheme is a letter '
            "followed by letters, digits, +, - or . (write ./ before a relative path)"
        )
    return None


_PLAIN_WEB_URL = re.compile(
    r'(?:https?|ftp)://[^/?#\x00-\x20\x7f<>"{}|\\^`%\[\]][^\x00-\x20\x7f<>"{}|\\^`%\[\]]*\Z', re.I
)


def absolute_url_problem(value: str, *, iri: bool = True) -> str | None:
    """Why `value` is not an absolute URL (scheme required; http(s) and ftp need a host).

    With `iri=False` (RSS 2.0 wants URLs), characters outside ASCII are a problem too: an IRI
    is written as a URL by percent-encoding them as UTF-8 (RFC 3987 3.1).
    """
    if _PLAIN_WEB_URL.match(value) and (iri or value.isascii()):  # the common case
        return None
    if not value:
        return "is empty"
    problem = uri_problem(value)
    if problem:
        return problem
    if not iri and not value.isascii():
        char = _NON_ASCII.search(value)
        assert char is not None
        return (
            f'contains "{char.group()}": that is an IRI, not a URL; percent-encode characters '
            "outside ASCII as UTF-8 (%E2%80%A6) and write the host in punycode (xn--)"
        )
    match = _SCHEME.match(value)
    if not match:
        return "is relative; write the full URL with its scheme (https://...)"
    scheme = match.group()[:-1].lower()
    if scheme in ("http", "https", "ftp"):
        rest = value[match.end() :]
        if not rest.startswith("//") or len(rest) < 3 or rest[2] in "/?#":
            return f"has no host after {scheme}://"
    return None


def is_absolute(value: str) -> bool:
    return bool(_SCHEME.match(value))


# RFC 3066 language tags, as RFC 4287's schema states them; xml:lang may also be empty.
_LANG_TAG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*\Z")
# For RSS <language> the primary subtag must be an ISO 639 code (two or three letters) or the
# i-/x- prefixes, as the specification's list and the W3C's codes are.
_RSS_LANG = re.compile(r"([A-Za-z]{2,3}|[iIxX])(-[A-Za-z0-9]{1,8})*\Z")


def is_language_tag(value: str, *, allow_empty: bool = False) -> bool:
    if not value:
        return allow_empty
    return bool(_LANG_TAG.match(value))


def is_rss_language(value: str) -> bool:
    return bool(_RSS_LANG.match(value))


_MIME_CHARS = r"[A-Za-z0-9!#$%&'*+.^_`|~-]+"
_MIME = re.compile(
    rf"{_MIME_CHARS}/{_MIME_CHARS}(\s*;\s*{_MIME_CHARS}=({_MIME_CHARS}|\"[^\"]*\"))*\s*\Z"
)


def is_mime_type(value: str) -> bool:
    return bool(_MIME.match(value))


_ADDR = r"[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+"
_EMAIL_FIELD = re.compile(rf"\s*(?:{_ADDR}(?:\s*\([^()]*\))?|[^<>@]*<{_ADDR}>)\s*\Z")


def is_email_field(value: str) -> bool:
    """`joe@example.org`, `joe@example.org (Joe)` or `Joe <joe@example.org>`."""
    return bool(_EMAIL_FIELD.match(value))


_NON_NEGATIVE = re.compile(r"[0-9]+\Z")


def non_negative_int(value: str) -> int | None:
    value = value.strip()
    if _NON_NEGATIVE.match(value) and len(value) < 20:
        return int(value)
    return None


# --- dates ----------------------------------------------------------------------------------

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_ZONES = ("ut", "gmt", "est", "edt", "cst", "cdt", "mst", "mdt", "pst", "pdt")
_CANONICAL_822 = re.compile(
    r"(?:[A-Z][a-z]{2}, )?\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}(?::\d{2})? "
    r"(?:[+-]\d{4}|UT|GMT|[ECMP][SD]T)\Z"
)


_CANONICAL_822_PARTS = re.compile(
    r"\s*(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"(\d{4}) (\d{2}):(\d{2}):(\d{2}) (?:([+-])(\d{2})(\d{2})|GMT|UT)\s*\Z"
)
_MONTH_NUMBER = {name.title(): number for number, name in enumerate(_MONTHS, 1)}


def _canonical_822_ok(value: str) -> bool:
    """True for the usual form ("Mon, 02 Jan 2006 15:04:05 +0000") when every field is right."""
    m = _CANONICAL_822_PARTS.match(value)
    if m is None:
        return False
    dow, day, mon, year, hour, minute, second, _sign, zh, zm = m.groups()
    if not "01" <= day <= "28" or hour > "23" or minute > "59" or second > "60":
        return False  # the full check says what is wrong (or that day 29-31 is fine)
    if zh is not None and (zh > "23" or zm > "59"):
        return False
    weekday = datetime.date(int(year), _MONTH_NUMBER[mon], int(day)).weekday()
    return _DAYS[weekday] == dow.lower()


def rfc822_problems(value: str) -> list[tuple[str, str]]:
    """(rule, message) pairs for an RSS date; RSS allows two- or four-digit years."""
    if _canonical_822_ok(value):
        return []
    if "(" in value and len(value) < 200:  # RFC 822 allows comments: "(Eastern Standard Time)"
        bare, before = value, ""
        while bare != before:  # nested comments, innermost first
            bare, before = re.sub(r"\([^()]*\)", " ", bare), bare
        if "(" not in bare and not any(
            rule == "rss-date-rfc822" for rule, _ in rfc822_problems(bare)
        ):
            return [
                (
                    "rss-date-nonstandard",
                    f'"{value}" is valid RFC 822 but carries a comment in parentheses, which '
                    "many readers cannot parse; remove it",
                )
            ]
    m = RFC822.match(value)
    example = 'write it like "Mon, 02 Jan 2006 15:04:05 +0000"'
    if not m:
        if re.match(r"\s*\d{4}-\d{2}-\d{2}", value):
            return [
                ("rss-date-rfc822", f'"{value}" is an ISO 8601 date; RSS needs RFC 822: {example}')
            ]
        return [("rss-date-rfc822", f'"{value}" is not an RFC 822 date-time; {example}')]
    dow, mon, zone, year_s = m["dow"], m["mon"].lower(), m["zone"], m["year"]
    if dow is not None and dow.lower() not in _DAYS:
        return [("rss-date-rfc822", f'"{value}": day name "{dow}" is not one of Mon..Sun')]
    if mon not in _MONTHS:
        return [("rss-date-rfc822", f'"{value}": month "{m["mon"]}" is not one of Jan..Dec')]
    if zone is None:
        return [("rss-date-rfc822", f'"{value}" has no time zone; add one such as +0000 or GMT')]
    if len(year_s) not in (2, 4):
        return [("rss-date-rfc822", f'"{value}": the year must have four digits')]
    if zone[0] in "+-":
        if int(zone[1:3]) > 23 or int(zone[3:5]) > 59:
            return [("rss-date-rfc822", f'"{value}": time zone {zone} is out of range')]
    elif zone.lower() not in _ZONES and not (len(zone) == 1 and zone.lower() != "j"):
        return [
            (
                "rss-date-rfc822",
                f'"{value}": "{zone}" is not an RFC 822 time zone; use a numeric offset '
                "such as +0000, or GMT",
            )
        ]
    year = full_year(int(year_s), len(year_s))
    month = _MONTHS.index(mon) + 1
    day, hour, minute = int(m["day"]), int(m["h"]), int(m["m"])
    second = int(m["s"] or 0)
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return [("rss-date-rfc822", f'"{value}": day {day} does not exist in that month')]
    if hour > 23 or minute > 59 or second > 60:
        return [("rss-date-rfc822", f'"{value}": the time of day is out of range')]
    problems: list[tuple[str, str]] = []
    if dow is not None and len(year_s) == 4:
        actual = calendar.weekday(year, month, day)
        if dow.lower() != _DAYS[actual]:
            problems.append(
                (
                    "rss-date-weekday",
                    f'"{value}": {day} {m["mon"]} {year} is a {_DAY_NAMES[actual]}, '
                    f"not {dow}; fix the day name or the date",
                )
            )
    if len(year_s) == 2:
        problems.append(
            ("rss-date-nonstandard", f'"{value}": write the year with four digits ({year})')
        )
    elif not _CANONICAL_822.match(value.strip()):
        problems.append(
            (
                "rss-date-nonstandard",
                f'"{value}" is valid RFC 822 but unusual (case, spacing or a military time '
                f"zone); some readers misread it; {example}",
            )
        )
    return problems


_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))\Z"
)


def rfc3339_problem(value: str) -> str | None:
    """Why `value` is not an Atom date (RFC 3339 date-time, upper-case T and Z), or None."""
    m = _RFC3339.match(value)
    if m is None:
        return _rfc3339_diagnosis(value)
    year, month, day, hour, minute, second, _fraction, _zone, zh, zm = m.groups()
    # Two-digit fields compare as strings; only days past the 28th need the calendar.
    if not "01" <= month <= "12" or not "01" <= day <= "31":
        return f'"{value}": that day does not exist'
    if day > "28" and int(day) > calendar.monthrange(int(year) or 4, int(month))[1]:
        return f'"{value}": that day does not exist'
    if hour > "23" or minute > "59" or second > "60":
        return f'"{value}": the time of day is out of range'
    if zh is not None and (zh > "23" or zm > "59"):
        return f'"{value}": the time zone offset is out of range'
    return None


def _rfc3339_diagnosis(value: str) -> str:
    example = "write it like 2006-01-02T15:04:05Z or 2006-01-02T15:04:05+01:00"
    if value != value.strip():
        return f'"{value.strip()}" has white space around it; remove it'
    if re.match(r"\d{4}-\d{2}-\d{2}\Z", value):
        return f'"{value}" is a date without a time; {example}'
    if re.match(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\Z", value):
        return f'"{value}" has no time zone; add Z (UTC) or an offset such as +01:00'
    if re.match(r"\d{4}-\d{2}-\d{2}[t ]", value) or value.endswith("z"):
        return f'"{value}": use an upper-case T between date and time and an upper-case Z'
    if re.match(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(Z|[+-]\d{2}:?\d{2})\Z", value):
        return f'"{value}" has no seconds; {example}'
    if re.match(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{4}\Z", value):
        return f'"{value}": write the offset with a colon (+01:00)'
    return f'"{value}" is not an RFC 3339 date-time; {example}'


# --- identifiers with a syntax of their own: tag (RFC 4151), urn (RFC 2141), urn:uuid (RFC 4122)
# Non-ASCII is spelled [^\x00-\x7f], not [\x80-\U0010ffff]: the same characters (checked over
# every code point), but under re.I the range took 9 ms to compile, in every build that checks.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_DNS_NAME = rf"{_LABEL}(?:\.{_LABEL})*"
_TAG = re.compile(
    rf"tag:(?:{_DNS_NAME}|[A-Za-z0-9._-]+@{_DNS_NAME})"
    r",(?P<date>[0-9]{4}(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?)"
    # specific: RFC 3986 pchar, "/" and "?" (non-ASCII let through: an IRI may hold it)
    r":(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|[^\x00-\x7f]|%[0-9A-Fa-f]{2})*(?:#.*)?\Z",
    re.I | re.S,
)
# RFC 2141's namespace-specific string: letters, digits, its "other" and "reserved" characters,
# %-escapes (in an IRI, characters outside ASCII too).
_NSS_CHAR = r"[A-Za-z0-9()+,\-.:=@;$_!*'/?#]|%[0-9A-Fa-f]{2}"
_NSS = re.compile(rf"(?:{_NSS_CHAR})+\Z")
_URN = re.compile(
    rf"urn:(?P<nid>[A-Za-z0-9][A-Za-z0-9-]{{0,31}}):(?:{_NSS_CHAR}|[^\x00-\x7f])+\Z",
    re.I | re.S,
)


def is_nss(value: str) -> bool:
    """`value` is an RFC 2141 namespace-specific string (ASCII only)."""
    return _NSS.match(value) is not None


_UUID = re.compile(r"urn:uuid:[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\Z", re.I)


def identifier_problem(value: str) -> tuple[str, str] | None:
    """(rule suffix, what is wrong) when `value` is a tag:, urn: or urn:uuid: identifier that
    breaks its scheme's own syntax; None for a good one or another scheme."""
    scheme = value[:4].lower()
    if scheme == "tag:":
        match = _TAG.match(value)
        month, day = (match["month"], match["day"]) if match else (None, None)
        if (
            match
            and (month is None or "01" <= month <= "12")
            and (day is None or "01" <= day <= "31")
        ):
            return None
        return "tag", (
            "is not a tag URI as RFC 4151 writes it: tag:AUTHORITY,DATE:SPECIFIC, the authority a "
            "domain name or e-mail address, the date YYYY, YYYY-MM or YYYY-MM-DD, as in "
            '"tag:example.org,2024-05-06:post-1"'
        )
    if scheme == "urn:":
        if value[:9].lower() == "urn:uuid:":
            if _UUID.match(value):
                return None
            return "urn", (
                "is not a UUID URN (RFC 4122): write urn:uuid: and 32 hexadecimal digits in "
                'groups of 8-4-4-4-12, as in "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"'
            )
        match = _URN.match(value)
        if match and match["nid"].lower() != "urn":
            return None
        return "urn", (
            "is not a URN as RFC 2141 writes it: urn:NID:NSS, the namespace id letters, digits "
            "and hyphens (up to 32), the rest letters, digits, ()+,-.:=@;$_!*'/?# or %XX"
        )
    return None
