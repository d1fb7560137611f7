"""The values of front matter keys that need more than text: aliases, authors, a post's own
address, dates. Each reads one value and reports what is wrong through `fail`."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timezone, tzinfo
from typing import Any

from scofeed.infra.dates import parse_site_date
from scofeed.infra.xmlsafe import NOT_XML

_ALIAS = re.compile(r"^(?:https?://[^\s?#]+|/?[^\s?#:\\]+)$")


def aliases(value: object, fail: Callable[[str], None]) -> tuple[str, ...]:
    """The `aliases:` list: each a path below the site's address (`2008/05/old.html`, a
    leading `/` allowed) or a URL under it, with no query, fragment, `..` or spaces."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            fail(f"aliases must be a list of old paths, like aliases: [2008/05/old.html], not "
                 f"{kind(item)}")  # fmt: skip
            return ()
        alias = item.strip()
        if len(alias) > 2000 or not _ALIAS.match(alias) or ".." in alias.split("/"):
            fail(
                f"alias {kind(alias)} must be a path on this site such as 2008/05/old.html, "
                "or a URL under base_url, without spaces, '?', '#' or '..'"
            )
            return ()
        out.append(alias)
    return tuple(dict.fromkeys(out))


def author(value: object, fail: Callable[[str], None]) -> str | None:
    """`author:` as a name, a list of names, or a mapping with a name (Jekyll's and Hugo's
    themes write all three)."""
    if value is None:
        return None
    if isinstance(value, dict):
        value = next((value[k] for k in ("name", "display_name", "title") if k in value), None)
        if value is None:
            fail("author as a table needs a name, like author: {name: Jane Doe}")
            return None
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name")
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            fail(f"author must be a name, like author: Jane Doe, not {kind(item)}")
            return None
        name = " ".join(NOT_XML.sub("", str(item)).split())
        if name:
            names.append(name)
    return ", ".join(dict.fromkeys(names)) or None


_OWN_PATH = re.compile(r"^/?(?:[^\s?#:\\/]+/)*[^\s?#:\\/]*$")


def own_path(value: object, fail: Callable[[str], None]) -> str | None:
    """A post's own address (Jekyll's `permalink: /2014/03/welcome.html`, Hugo's
    `url: /blog/welcome/`): a path below the site's address; one ending in `/` is a folder
    whose index.html is the page."""
    if value is None:
        return None
    path = value.strip() if isinstance(value, str) else ""
    if (
        not path.strip("/")
        or len(path) > 2000
        or not _OWN_PATH.match(path)
        or any(part in (".", "..") for part in path.split("/"))
    ):
        fail(
            f"{kind(value)} must be a path on this site such as /2014/03/welcome.html or "
            "/blog/welcome/, without spaces, ':' placeholders, '?', '#' or '..'; or leave "
            "it out and the site's permalink pattern places the post"
        )
        return None
    return path.lstrip("/")


def parse_date(value: object, tz: tzinfo, fail: Any) -> datetime | None:
    """ISO 8601 or a date alone; no offset means the site's time zone. Reports via `fail`."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, str | int) and not isinstance(value, bool):
        text = str(value).strip()
        try:
            parsed = parse_site_date(text)
        except ValueError:
            fail(f'"{value}" does not parse; write it as 2008-05-19 or 2008-05-19T14:30:00+06:00')
            return None
    else:
        fail(f"must be a date such as 2008-05-19, not {kind(value)}")
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    # A fixed offset, whatever zone object gave it: the same instant and offset, and a value
    # the cache can store without pickling zone objects.
    try:
        return parsed.replace(tzinfo=timezone(parsed.utcoffset()))  # type: ignore[arg-type]
    except (ValueError, OverflowError):
        fail(f'"{value}" has an offset of a day or more; write it in UTC instead')
        return None


def kind(value: object) -> str:
    """A value as a message shows it: containers by their kind, scalars quoted and cut short
    (a value can be a megabyte long)."""
    if isinstance(value, dict | list | tuple | set):
        return "a table" if isinstance(value, dict) else "a list"
    if isinstance(value, bool):
        return "true/false"
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:56] + "…" + shown[-3:]
