"""JSON Feed 1.0 and 1.1 documents -> posts (see scofeed.importers.feed).

JSON Feed and RFC 8259 want UTF-8, which is what nearly every feed is. A document in UTF-16 or
UTF-32 *with* a byte order mark is read too (RFC 8259 lets a parser ignore the mark, and the mark
leaves no doubt about the encoding, as it does for XML); one without a mark is refused with a
message rather than guessed at. Numbers are read as Python reads them, but one too long for
Python to turn into an int (4,300 digits) is kept as its digits, so it is a value like any other
and never a traceback.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from scofeed.errors import InputError, NotAFeedError, Problem
from scofeed.importers.feed import enclosures
from scofeed.importers.feed.common import FeedImport, Reader, _absolute
from scofeed.importers.html import fold, text_to_html
from scofeed.infra.prolog import detect_codec

# The codecs `detect_codec` names from a byte order mark other than UTF-8's.
_UNICODE_BOM = {
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
    "utf-32-le": "UTF-32",
    "utf-32-be": "UTF-32",
}


_VERSION = re.compile(r"^https?://(?:www\.)?jsonfeed\.org/version/(\d+(?:\.\d+)?)/?$")


@dataclass(frozen=True)
class _LongNumber:
    """A JSON integer of more digits than Python turns into an int: its digits, as written."""

    digits: str


def _number(digits: str) -> int | _LongNumber:
    try:
        return int(digits)
    except ValueError:  # "Exceeds the limit (4300 digits) for integer string conversion"
        return _LongNumber(digits)


class JsonReader(Reader):
    def parse(self, data: bytes) -> FeedImport:
        document = json_document(data, self.source)
        version = document.get("version") if isinstance(document, dict) else None
        # The spec writes https; feeds in the wild write http too, and a trailing slash.
        known = _VERSION.match(version.strip()) if isinstance(version, str) else None
        if known is None:
            raise NotAFeedError(
                f'{self.source}: JSON without a "version" of https://jsonfeed.org/version/1.1 '
                "(or /1), so not a JSON Feed"
            )
        release = known.group(1)
        self.kind = "JSON Feed " + ("1.0" if release == "1" else release)
        self.home = self._text(document, "home_page_url", "the feed") or None
        items = document.get("items")
        if not isinstance(items, list):
            raise InputError(
                f"{self.source}: not a valid JSON Feed",
                [Problem(self.source, None, 'the feed has no "items" list; add "items": []')],
            )
        feed_authors = _json_authors(document)
        posts = []
        for number, item in enumerate(items, 1):
            where = f"item {number}"
            if not isinstance(item, dict):
                self.fail(None, f"{where} is not an object")
                continue
            html = self._text(item, "content_html", where)
            text = self._text(item, "content_text", where)
            if not html and text:
                html = text_to_html(text)
            link = _absolute(self._text(item, "url", where) or None, self.home or self.base_url)
            post = self.post(
                line=None,
                where=where,
                entry_id=_id_text(item.get("id")),
                title=self._text(item, "title", where) or None,
                link=link,
                published=self.iso_date(
                    self._text(item, "date_published", where), None, f"{where}: date_published"
                ),
                updated=self.iso_date(
                    self._text(item, "date_modified", where), None, f"{where}: date_modified"
                ),
                author=", ".join(_json_authors(item) or feed_authors),
                tags=[t for t in item.get("tags") or [] if isinstance(t, str)]
                if isinstance(item.get("tags"), list)
                else [],
                html=html or None,
                summary=self._text(item, "summary", where) or None,
                comments=None,
                base=link,
                enclosures=enclosures.found(
                    _attachments(item.get("attachments")),
                    link or self.home or self.base_url,
                    self.noted(None, where),
                ),
            )
            if post is not None:
                posts.append(post)
        return self.finish(posts)

    def _text(self, obj: dict[str, Any], key: str, where: str) -> str:
        """A member that must be a string; another kind of value is left out, with a note."""
        value = obj.get(key)
        if value is None or isinstance(value, str):
            return value or ""
        self.notes.append(
            f'{Problem(self.source, None, where)}: "{key}" is {_kind(value)}, not a string, '
            "so it is left out; write it as a string to keep it"
        )
        return ""


def json_document(data: bytes, source: str) -> Any:
    """The document's JSON value. UTF-8 with or without a byte order mark; UTF-16 and UTF-32
    with one. Raises `InputError` for what is not JSON in one of those."""
    codec, skip = detect_codec(data)
    if codec not in _UNICODE_BOM or skip == 0:
        codec = "utf-8"
    if codec == "utf-8" and b"\x00" in data[:4]:
        raise InputError(
            f"{source}: not UTF-8",
            [
                Problem(
                    source,
                    1,
                    "is UTF-16 or UTF-32 without a byte order mark; a JSON Feed must be UTF-8: "
                    "save it as UTF-8",
                )
            ],
        )
    try:
        text = data[skip:].decode(codec)
    except UnicodeDecodeError as exc:
        line = data[skip : skip + exc.start].decode(codec, errors="replace").count("\n") + 1
        wanted = _UNICODE_BOM.get(codec, "UTF-8")
        raise InputError(
            f"{source}: not {wanted}",
            [
                Problem(
                    source,
                    line,
                    "a JSON Feed must be UTF-8; save it as UTF-8"
                    if wanted == "UTF-8"
                    else f"is not the {wanted} its byte order mark says; save it as UTF-8",
                )
            ],
        ) from None
    try:
        return json.loads(text, parse_int=_number)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source}: not valid JSON; nothing was imported",
            [Problem(source, exc.lineno, f"{exc.msg} (column {exc.colno})")],
        ) from None
    except RecursionError:
        raise InputError(f"{source}: JSON nested too deeply to be a feed") from None


def _id_text(value: object) -> str | None:
    """An item's id as text: JSON Feed says a number (or other value) is coerced to a string."""
    if isinstance(value, _LongNumber):
        return value.digits
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _kind(value: object) -> str:
    """What a JSON value is, as a message names it."""
    if isinstance(value, _LongNumber):
        return f"a number of {len(value.digits.lstrip('-')):,} digits"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "a number"
    return "an object" if isinstance(value, dict) else "a list"


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _json_authors(obj: dict[str, Any]) -> list[str]:
    authors = obj.get("authors")
    if not isinstance(authors, list):
        authors = [obj["author"]] if isinstance(obj.get("author"), dict) else []
    return [
        fold(_str(a.get("name"))) for a in authors if isinstance(a, dict) and _str(a.get("name"))
    ]


def _attachments(value: object) -> list[tuple[str | None, str | None, str | None, str | None]]:
    """JSON Feed `attachments` as `enclosures.found` takes them; members of the wrong kind
    are left out (a size of 4,300 digits is no size)."""
    if not isinstance(value, list):
        return []

    def number(member: object) -> str | None:
        return (
            str(member)
            if isinstance(member, int | float) and not isinstance(member, bool)
            else None
        )

    return [
        (
            _str(a.get("url")) or None,
            _str(a.get("mime_type")) or None,
            number(a.get("size_in_bytes")),
            number(a.get("duration_in_seconds")),
        )
        for a in value
        if isinstance(a, dict)
    ]
