"""A Movable Type / Typepad export (the "MT import format") -> posts.

An export is a run of records, each ended by a line of eight dashes. A record opens with
`KEY: value` lines (TITLE, AUTHOR, DATE `MM/DD/YYYY hh:mm:ss AM`, STATUS, CATEGORY, PRIMARY
CATEGORY, TAGS, BASENAME, CONVERT BREAKS, …), then sections, each after a line of five dashes and
opened by its name: BODY:, EXTENDED BODY:, EXCERPT:, KEYWORDS:, COMMENT:, PING:.

Bodies are HTML, as Movable Type wrote them; with CONVERT BREAKS on, blank lines made paragraphs
and single line breaks `<br />`, and that is done here as Movable Type did it. The HTML is kept
as the post's body (CommonMark passes HTML blocks through; the store sanitises at render time).
Bodies written with the Markdown text filter are kept as the Markdown they are.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path

from scofeed.errors import InputError, Problem
from scofeed.importers.html import clean, fold, markdown_from_html, plain
from scofeed.importers.model import NewPost
from scofeed.infra.dates import full_year
from scofeed.infra.fetching import read_file
from scofeed.posts.text import body_title

RECORD_END = "--------"
SECTION_END = "-----"
MAX_EXPORT_BYTES = 256 * 2**20  # a blog of many thousand posts is well under this

_KEY = re.compile(r"^([A-Za-z][A-Za-z0-9 _-]*?)[ \t]*:[ \t]*(.*)$")
_SECTION = re.compile(r"^([A-Z][A-Z0-9 _-]*):[ \t]*(.*)$")
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


@dataclass
class _Record:
    number: int
    line: int  # of its first line
    meta: list[tuple[int, str, str]] = field(default_factory=list)  # (line, KEY, value)
    sections: list[tuple[int, str, str]] = field(default_factory=list)  # (line, NAME, text)


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
        text = data.decode(encoding)
    except LookupError:
        raise InputError(
            f"{encoding!r} is not an encoding Python knows; try utf-8 or cp1252"
        ) from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path}: not {encoding}",
            [
                Problem(
                    str(path),
                    line,
                    f"byte 0x{data[exc.start]:02x} is not {encoding}; pass --encoding cp1252 "
                    "(or the export's encoding) or save the file as UTF-8",
                )
            ],
        ) from None
    return parse_mt(
        text.removeprefix("\ufeff"), str(path), category=category, tz=tz, base_url=base_url
    )


def parse_mt(
    text: str,
    source: str,
    *,
    category: str | None = None,
    tz: tzinfo | None = None,
    base_url: str | None = None,
) -> MTExport:
    """Every entry of the export (in `category`, when given), in export order."""
    problems: list[Problem] = []
    records = _records(text, source, problems)
    wanted = fold(category).casefold() if category else None
    posts: list[NewPost] = []
    other = no_entry = 0
    for record in records:
        keys = {key for _, key, _ in record.meta}
        if "NO ENTRY" in keys:
            no_entry += 1
            continue
        if wanted is not None:
            names = {fold(v).casefold() for _, k, v in record.meta if k.endswith("CATEGORY")}
            if wanted not in names:
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
        found = sorted(
            {fold(v) for r in records for _, k, v in r.meta if k.endswith("CATEGORY") and v}
        )
        raise InputError(
            f'{source}: no entry is in the category "{category}"; the export\'s categories are: '
            + (", ".join(found) or "(none)")
        )
    return MTExport(posts=posts, records=len(records), other_category=other, no_entry=no_entry)


def _records(text: str, source: str, problems: list[Problem]) -> list[_Record]:
    """Split the export into records and their sections, keeping line numbers for messages."""
    lines = clean(text).split("\n")
    records: list[_Record] = []
    chunk: list[tuple[int, str]] = []
    for number, line in enumerate(lines, 1):
        if line.strip() != RECORD_END:
            chunk.append((number, line))
            continue
        if any(text.strip() for _, text in chunk):
            records.append(_record(len(records) + 1, chunk, source, problems))
        chunk = []
    rest = [(n, line) for n, line in chunk if line.strip()]
    if rest:
        problems.append(
            Problem(
                source,
                rest[0][0],
                f"record {len(records) + 1} is not ended by a line of eight dashes (--------); "
                "the export may be cut short: export it again, or add the line if the record is "
                "whole",
            )
        )
    return records


def _record(
    number: int, lines: list[tuple[int, str]], source: str, problems: list[Problem]
) -> _Record:
    first = next(n for n, text in lines if text.strip())
    record = _Record(number=number, line=first)
    pieces: list[list[tuple[int, str]]] = [[]]
    for n, text in lines:
        if text.strip() == SECTION_END:
            pieces.append([])
        else:
            pieces[-1].append((n, text))
    meta, *sections = pieces
    for i, (n, text) in enumerate(meta):
        line = text.strip()
        if not line:
            continue
        match = _KEY.match(line)
        if match is None:
            problems.append(
                Problem(
                    source,
                    n,
                    f'record {number}: "{_short(line)}" is not a KEY: value line; a record '
                    "starts with lines such as TITLE: A title, then a line of five dashes (-----)",
                )
            )
            continue
        key = " ".join(match.group(1).upper().split())
        if key == "START BODY":  # old exports: the rest of the record is the body
            sections.insert(0, [(n, "BODY:"), *meta[i + 1 :]])
            break
        record.meta.append((n, key, match.group(2).strip()))
    for piece in sections:
        body = _trim(piece)
        if not body:
            continue
        n, head = body[0]
        match = _SECTION.match(head.strip())
        if match is None:
            problems.append(
                Problem(
                    source,
                    n,
                    f'record {number}: "{_short(head.strip())}" follows a line of five dashes but '
                    "opens no section (BODY:, EXTENDED BODY:, EXCERPT:, KEYWORDS:, COMMENT:, "
                    "PING:); a line of five dashes inside a text ends it, so change that line",
                )
            )
            continue
        content = [match.group(2)] if match.group(2) else []
        content += [text for _, text in body[1:]]
        name = " ".join(match.group(1).split())
        record.sections.append((n, name, "\n".join(content).strip("\n").rstrip()))
    return record


def _trim(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    start = next((i for i, (_, t) in enumerate(lines) if t.strip()), len(lines))
    end = next((i for i in range(len(lines), 0, -1) if lines[i - 1][1].strip()), 0)
    return lines[start:end]


def _post(
    record: _Record, source: str, tz: tzinfo | None, base_url: str | None, problems: list[Problem]
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
            fail(line, f'STATUS "{status}" is not one of Publish, Draft, Future, Review, Unpublish')

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
    return NewPost(date=when, body=body, title=title, meta=meta, slug=hint)


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
        fail(line, f'DATE "{value}" does not parse; {DATE_HINT}')
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
        fail(line, f'DATE "{value}" does not parse; {DATE_HINT}')
        return None
    return when.replace(tzinfo=tz) if tz is not None else when


def _split_tags(value: str) -> list[str]:
    """`TAGS: sco,"Central Asia",summit`: comma-separated, quoted when a tag has a space."""
    row = next(csv.reader([value], skipinitialspace=True), [])
    return [fold(tag) for tag in row if fold(tag)]


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
