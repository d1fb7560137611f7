"""A Movable Type / Typepad export (the "MT import format") -> posts.

An export is a run of records, each ended by a line of eight dashes. A record opens with
`KEY: value` lines (TITLE, AUTHOR, DATE `MM/DD/YYYY hh:mm:ss AM`, STATUS, CATEGORY, PRIMARY
CATEGORY, TAGS, BASENAME, CONVERT BREAKS, …), then sections, each after a line of five dashes and
opened by its name: BODY:, EXTENDED BODY:, EXCERPT:, KEYWORDS:, COMMENT:, PING:.

Bodies are HTML, as Movable Type wrote them; with CONVERT BREAKS on, blank lines made paragraphs
and single line breaks `<br />`, and that is done here as Movable Type did it. The HTML is kept
as the post's body (CommonMark passes HTML blocks through; the store sanitises at render time).
Bodies written with the Markdown text filter are kept as the Markdown they are.

The file is decoded a line at a time and each record let go once it is a post, so an export of
`MAX_EXPORT_BYTES` costs its bytes and its posts, not its text several times over. Every bad
value is a problem naming its line and record; all of them are reported, and nothing imported.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path

from scofeed.errors import InputError, Problem
from scofeed.importers.html import clean, fold, markdown_from_html, plain
from scofeed.importers.model import NewPost
from scofeed.importers.mt_records import Record, read_records, short
from scofeed.infra.dates import full_year
from scofeed.infra.fetching import read_file
from scofeed.infra.urls import is_http_url
from scofeed.posts.text import body_title

MAX_EXPORT_BYTES = 256 * 2**20  # a blog of many thousand posts is well under this

# The key ends with a character that is no space (a lazy match followed by `[ \t]*` took
# quadratic time on a long run of spaces).
_DATE = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp][Mm]))?)?$"
)
DATE_HINT = "write it as MM/DD/YYYY hh:mm:ss AM"

# Movable Type's entry statuses (MT::Entry::status_int); all but these two keep a post a draft.
_STATUSES = {
    "publish": False,
    "future": False,  # scheduled: published when its date comes
    "draft": True,
    "review": True,
    "unpublish": True,
    "junk": True,
}
# CONVERT BREAKS values: text filters that leave the HTML as written, and Markdown.
_AS_WRITTEN = {"", "0", "richtext", "wysiwyg", "html", "block_editor", "none"}
_MARKDOWN = {"markdown", "markdown_with_smartypants"}
# Tags that Movable Type's break conversion leaves alone at the start of a paragraph.
_BLOCK_START = re.compile(
    r"^</?(?:h[1-6]|table|ol|dl|ul|menu|dir|p|pre|center|form|fieldset|select|blockquote|"
    r"address|div|hr)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class MTExport:
    """What an export held: the posts to write, and how many records were left out and why."""

    posts: list[NewPost]
    records: int
    other_category: int = 0  # left out by --category
    no_entry: int = 0  # "NO ENTRY: 1" records carry comments for an entry, not an entry


def read_mt(
    path: Path,
    *,
    category: str | None = None,
    tz: tzinfo | None = None,
    base_url: str | None = None,
    encoding: str = "utf-8",
) -> MTExport:
    """Read an export file; `tz` is the zone its dates were written in (None: the site's),
    `base_url` the old blog's address, against which relative links are made absolute."""
    data = read_file(path, MAX_EXPORT_BYTES, what="an export", hint="split it into several files")
    try:
        stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline=None)
    except LookupError:  # no such codec, or one that is no text encoding (rot13, base64)
        raise InputError(
            f"{encoding!r} is not an encoding Python knows; try utf-8 or cp1252"
        ) from None
    return _parse(
        _decoded(stream, data, encoding, str(path)),
        str(path),
        category=category,
        tz=tz,
        base_url=base_url,
    )


def _decoded(stream: io.TextIOWrapper, data: bytes, encoding: str, source: str) -> Iterator[str]:
    """The export's lines, decoded as they are read: the export is never held as one text."""
    try:
        for number, line in enumerate(stream, 1):
            line = line.removesuffix("\n")
            yield line.removeprefix("\ufeff") if number == 1 else line
    except UnicodeError as error:
        # The stream decodes a block at a time; the whole says which byte, and so which line.
        try:
            data.decode(encoding)
        except UnicodeDecodeError as exc:
            bad = data.count(b"\n", 0, exc.start) + 1
            raise InputError(
                f"{source}: not {encoding}",
                [
                    Problem(
                        source,
                        bad,
                        f"byte 0x{data[exc.start]:02x} is not {encoding}; pass --encoding cp1252 "
                        "(or the export's encoding) or save the file as UTF-8",
                    )
                ],
            ) from None
        except UnicodeError:  # codecs such as "undefined" and "punycode" fail on their own
            pass
        raise InputError(
            f"{source}: not {encoding}",
            [
                Problem(
                    source,
                    None,
                    f"cannot be read as {encoding} ({error}); pass --encoding cp1252 (or the "
                    "export's encoding) or save the file as UTF-8",
                )
            ],
        ) from None


def parse_mt(
    text: str,
    source: str,
    *,
    category: str | None = None,
    tz: tzinfo | None = None,
    base_url: str | None = None,
) -> MTExport:
    """Every entry of the export (in `category`, when given), in export order."""
    lines = (line.removesuffix("\n") for line in io.StringIO(text, newline=None))
    return _parse(lines, source, category=category, tz=tz, base_url=base_url)


def _parse(
    lines: Iterable[str],
    source: str,
    *,
    category: str | None,
    tz: tzinfo | None,
    base_url: str | None,
) -> MTExport:
    """A record is read, turned into a post and let go before the next is read, so an export
    costs its bytes and its posts, not its text several times over."""
    problems: list[Problem] = []
    wanted = fold(category).casefold() if category else None
    categories: set[str] = set()  # all the export's, to name them when none is `category`
    posts: list[NewPost] = []
    records = other = no_entry = 0
    for record in read_records(lines, source, problems):
        records += 1
        names = {fold(v) for _, k, v in record.meta if k.endswith("CATEGORY") and fold(v)}
        if wanted is not None:
            categories |= names
        if "NO ENTRY" in {key for _, key, _ in record.meta}:
            no_entry += 1
            continue
        if wanted is not None and wanted not in {name.casefold() for name in names}:
            other += 1
            continue
        post = _post(record, source, tz, base_url, problems)
        if post is not None:
            posts.append(post)
    if problems:
        raise InputError(
            f"{source}: {_plural(len(problems), 'problem')} in the export; nothing was imported",
            problems,
        )
    if not records:
        raise InputError(
            f"{source}: not a Movable Type export",
            [
                Problem(
                    source,
                    None,
                    "holds no record; an export is records of lines such as TITLE: A title, "
                    "each ended by a line of eight dashes (--------)",
                )
            ],
        )
    if wanted is not None and not posts and other:
        raise InputError(
            f'{source}: no entry is in the category "{category}"; the export\'s categories are: '
            + (", ".join(sorted(categories)) or "(none)")
        )
    return MTExport(posts=posts, records=records, other_category=other, no_entry=no_entry)


def _post(
    record: Record, source: str, tz: tzinfo | None, base_url: str | None, problems: list[Problem]
) -> NewPost | None:
    number = record.number
    before = len(problems)

    def fail(line: int, message: str) -> None:
        problems.append(Problem(source, line, f"record {number}: {message}"))

    values: dict[str, tuple[int, str]] = {}
    categories: list[str] = []
    tags: list[str] = []
    for line, key, value in record.meta:
        if key == "PRIMARY CATEGORY" and fold(value):
            categories.insert(0, fold(value))
        elif key == "CATEGORY" and fold(value):
            categories.append(fold(value))
        elif key == "TAGS":
            tags += _split_tags(value)
        else:
            values[key] = (line, value)

    when: datetime | date | None = None
    if "DATE" in values:
        when = _date(*values["DATE"], tz, fail)
    else:
        fail(record.line, "has no DATE line; add one such as DATE: 05/19/2008 02:30:00 PM")

    draft = False
    if "STATUS" in values:
        line, status = values["STATUS"]
        if status.strip().lower() in _STATUSES:
            draft = _STATUSES[status.strip().lower()]
        else:
            fail(
                line,
                f'STATUS "{short(status)}" is not one of Publish, Draft, Future, Review, Unpublish',
            )

    sections: dict[str, list[str]] = {}
    for _, name, content in record.sections:
        sections.setdefault(name, []).append(content)
    # Without the key, as Movable Type's own default: "Convert Line Breaks".
    convert = values.get("CONVERT BREAKS", (0, "__default__"))[1].strip().lower()
    texts = [t for name in ("BODY", "EXTENDED BODY") for t in sections.get(name, []) if t.strip()]
    if convert in _MARKDOWN:
        body = clean("\n\n".join(texts)).strip("\n") + "\n" if texts else ""
    else:
        joined = "\n".join(t if convert in _AS_WRITTEN else convert_breaks(t) for t in texts)
        body = markdown_from_html(joined, base=base_url)

    title = plain(values.get("TITLE", (0, ""))[1]) or None
    if title is None and not body.strip():
        fail(record.line, "has neither a TITLE nor a BODY; add one, or remove the record")
    for keywords in sections.get("KEYWORDS", []):
        tags += [fold(k) for k in re.split(r"[,;\n]", keywords)]
    excerpt = " ".join(plain(e) for e in sections.get("EXCERPT", []))
    basename = fold(values.get("BASENAME", (0, ""))[1])
    if len(problems) > before or when is None:
        return None

    meta: dict[str, object] = {
        "author": fold(values.get("AUTHOR", (0, ""))[1]) or None,
        "tags": list(dict.fromkeys(t for t in tags if t)) or None,
        "categories": list(dict.fromkeys(categories)) or None,
        "summary": excerpt or None,
        "comments": len(sections.get("COMMENT", [])),
        "draft": True if draft else None,
    }
    hint = basename or (None if title else body_title(body))
    # Where Typepad / Movable Type published it: the address the post keeps (`addresses`).
    url = values.get("UNIQUE URL", (0, ""))[1].strip()
    return NewPost(
        date=when,
        body=body,
        title=title,
        meta=meta,
        slug=hint,
        url=url if is_http_url(url) else None,
    )


def convert_breaks(text: str) -> str:
    """Movable Type's "Convert Line Breaks": paragraphs at blank lines, `<br />` at line ends,
    except for paragraphs that already start with a block tag."""
    paragraphs = re.split(r"\n(?:[ \t]*\n)+", clean(text).strip("\n"))
    out = []
    for paragraph in paragraphs:
        if not paragraph.strip():
            continue
        if _BLOCK_START.match(paragraph.lstrip()):
            out.append(paragraph)
        else:
            out.append("<p>" + paragraph.replace("\n", "<br />\n") + "</p>")
    return "\n\n".join(out)


def _date(
    line: int, value: str, tz: tzinfo | None, fail: Callable[[int, str], None]
) -> datetime | date | None:
    match = _DATE.match(value.strip())
    if match is None:
        fail(line, f'DATE "{short(value)}" does not parse; {DATE_HINT}')
        return None
    month, day, year, hour, minute, second, ampm = match.groups()
    y = full_year(int(year), len(year))
    try:
        if hour is None:
            return date(y, int(month), int(day))
        h = int(hour)
        if ampm:
            if not 1 <= h <= 12:
                raise ValueError(f"hour {h} with {ampm}")
            h = h % 12 + (12 if ampm.upper() == "PM" else 0)
        when = datetime(y, int(month), int(day), h, int(minute), int(second or 0))
    except ValueError:
        fail(line, f'DATE "{short(value)}" does not parse; {DATE_HINT}')
        return None
    return when.replace(tzinfo=tz) if tz is not None else when


def _split_tags(value: str) -> list[str]:
    """`TAGS: sco,"Central Asia",summit`: comma-separated, quoted when a tag has a space."""
    row = next(csv.reader([value], skipinitialspace=True), [])
    return [fold(tag) for tag in row if fold(tag)]


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
