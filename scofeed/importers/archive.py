"""A Typepad / Movable Type category archive page saved as text -> posts.

Such a page lists posts newest first; each ends with a footer line such as
`May 19, 2008 in SCO (RTG) | Permalink | Comments (2) | TrackBack`. A short first line without
closing punctuation is the post's title. The words are kept exactly; bullets become a Markdown
list, and Markdown's own punctuation is escaped so that it renders as written.

The page is read a line at a time and only the post being read is held, so a page of
`MAX_ARCHIVE_BYTES` costs its bytes and its posts, not several copies of its text; every date,
time and count a footer holds is checked, and each bad one is a problem naming its line.
"""

from __future__ import annotations

import calendar
import io
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time
from functools import partial
from pathlib import Path

from scofeed.errors import InputError, Problem
from scofeed.importers.model import NewPost
from scofeed.infra.fetching import read_file

MAX_ARCHIVE_BYTES = 64 * 2**20  # a saved archive page is some kilobytes a month of posts

_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
# The category is `[^|]+` then stripped: a lazy match followed by `\s*` took quadratic time on a
# long run of spaces (32,000 of them: 14 s).
_FOOTER = re.compile(
    r"^\s*(?:Posted by (?P<author>.+?) (?:on|at) )?"
    rf"(?P<date>(?P<month>{'|'.join(_MONTHS)}) (?P<day>\d{{1,2}}), (?P<year>\d{{4}}))"
    r"(?: at (?P<time>(?P<hour>\d{1,2}):(?P<minute>\d{2})(?: ?(?P<ampm>[AP]M))?))?"
    r" in (?P<category>[^|]+)(?:\|(?P<rest>.*))?$"
)
_COMMENTS = re.compile(r"Comments \((\d+)\)")
MAX_COMMENTS_DIGITS = 9  # no post has a billion comments
_BULLET = re.compile(r"^\s*[•·▪◦‣*-]\s+(?P<text>.*)$")
# A title is a short line that does not end a sentence.
_TITLE_MAX = 150
_SENTENCE_END = re.compile(r"[.!?:;…\"'”’]\s*$")
_FIX = "correct it in this footer line"


def read_archive(path: Path) -> list[NewPost]:
    """Every post of a saved page (UTF-8), newest first; a page over `MAX_ARCHIVE_BYTES` is
    refused before it is read."""
    data = read_file(
        path, MAX_ARCHIVE_BYTES, what="an archive page", hint="save it as several pages"
    )
    return _parse(_decoded(_byte_lines(data), str(path)), str(path))


def parse_archive(text: str, source: str) -> list[NewPost]:
    """Every post on the page, in page order (newest first, as Typepad lists them)."""
    return _parse(enumerate(_text_lines(text.removeprefix("\ufeff")), 1), source)


def _text_lines(text: str) -> Iterator[str]:
    """The lines of `text`: "\\n", "\\r\\n" and a lone "\\r" (old Macs) each end one."""
    for line in io.StringIO(text, newline=None):
        yield line.removesuffix("\n")


def _byte_lines(data: bytes) -> Iterator[bytes]:
    """`_text_lines` for bytes in an encoding where no multi-byte character holds a CR or LF
    byte (UTF-8), so each line can be decoded on its own."""
    for chunk in io.BytesIO(data):
        chunk = chunk.removesuffix(b"\n").removesuffix(b"\r")
        if b"\r" in chunk:
            yield from chunk.split(b"\r")
        else:
            yield chunk


def _decoded(lines: Iterable[bytes], source: str) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(lines, 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(
                f"{source}: not UTF-8", [Problem(source, number, "is not UTF-8; save it as UTF-8")]
            ) from None
        yield number, line.removeprefix("\ufeff") if number == 1 else line


def _parse(lines: Iterable[tuple[int, str]], source: str) -> list[NewPost]:
    posts: list[NewPost] = []
    problems: list[Problem] = []
    block: list[str] = []  # the lines since the last footer, from the first that is not blank
    first_text: int | None = None  # that line's number
    footers = 0
    for number, line in lines:
        footer = _FOOTER.match(line)
        if footer is None:
            if first_text is None and line.strip():
                first_text = number
            if first_text is not None:
                block.append(line)
            continue
        footers += 1
        while block and not block[-1].strip():
            block.pop()
        if not block:
            problems.append(Problem(source, number, "this footer line has no post text above it"))
        else:
            before = len(problems)
            post = _post(block, footer, partial(_fail, problems, source, number, footers))
            if len(problems) == before:
                posts.append(post)
        block, first_text = [], None
    if not footers:
        raise InputError(
            f"{source}: not an archive page",
            [
                Problem(
                    source,
                    None,
                    'no post footer found; each post must end with a line like "May 19, 2008 '
                    'in SCO (RTG) | Permalink | Comments (2)"',
                )
            ],
        )
    if first_text is not None:
        problems.append(
            Problem(
                source,
                first_text,
                "text after the last post footer belongs to no post; remove it or add its "
                "footer line",
            )
        )
    if problems:
        count = f"{len(problems)} problem{'' if len(problems) == 1 else 's'}"
        raise InputError(f"{source}: {count} on the page; nothing was imported", problems)
    return posts


def _fail(problems: list[Problem], source: str, line: int, post: int, message: str) -> None:
    problems.append(Problem(source, line, f"post {post}: {message}"))


def _post(block: list[str], footer: re.Match[str], fail: Callable[[str], None]) -> NewPost:
    """The post a footer ends. Its bad values go to `fail`, and the post is then left out."""
    day = _day(footer, fail)
    clock = _clock(footer, fail)
    comments = _comments(footer.group("rest") or "", fail)
    title = None
    first = block[0].strip()
    if (
        len(block) > 2
        and not block[1].strip()
        and len(first) <= _TITLE_MAX
        and not _SENTENCE_END.search(first)
    ):
        title = first
        block = block[2:]
        while block and not block[0].strip():
            block.pop(0)
    when: date | datetime = day if clock is None else datetime.combine(day, clock)
    category = footer.group("category").strip()
    meta: dict[str, object] = {"categories": [category]} if category else {}
    if footer.group("author"):
        meta["author"] = footer.group("author").strip()
    if comments is not None:
        meta["comments"] = comments
    return NewPost(date=when, title=title, body=to_markdown(block), meta=meta)


def _day(footer: re.Match[str], fail: Callable[[str], None]) -> date:
    """The footer's day (after `fail`, any day, when the calendar has no such day)."""
    month, day, year = _MONTHS.index(footer["month"]) + 1, int(footer["day"]), int(footer["year"])
    if year == 0:
        why = "there is no year 0"
    else:
        last = calendar.monthrange(year, month)[1]
        if 1 <= day <= last:
            return date(year, month, day)
        why = f"{footer['month']} {year} has days 1 to {last}"
    fail(f'the date "{footer["date"]}" is not on the calendar: {why}; {_FIX}')
    return date.min


def _clock(footer: re.Match[str], fail: Callable[[str], None]) -> time | None:
    """The footer's time of day; None when it gives none (or, after `fail`, when no day has it)."""
    if footer["time"] is None:
        return None
    hour, minute, ampm = int(footer["hour"]), int(footer["minute"]), footer["ampm"]
    if ampm is None and hour <= 23 and minute <= 59:
        return time(hour, minute)
    if ampm is not None and 1 <= hour <= 12 and minute <= 59:
        return time(hour % 12 + (12 if ampm == "PM" else 0), minute)
    hours = "with AM or PM, hours go from 1 to 12" if ampm else "hours go from 0 to 23"
    fail(
        f'the time "{footer["time"]}" is not a time of day: {hours} and minutes from 0 to 59; '
        f"{_FIX}, such as 2:30 PM or 14:30"
    )
    return None


def _comments(rest: str, fail: Callable[[str], None]) -> int | None:
    """The `Comments (2)` count; None without one (or, after `fail`, for a count no post has,
    which past 4,300 digits Python would not even turn into a number)."""
    found = _COMMENTS.search(rest)
    if found is None:
        return None
    digits = found.group(1).lstrip("0") or "0"
    if len(digits) <= MAX_COMMENTS_DIGITS:
        return int(digits)
    written = found.group(1)
    shown = written if len(written) <= 20 else written[:20] + "…"
    fail(
        f'"Comments ({shown})" counts more comments than any post has (a number of '
        f"{len(digits):,} digits); {_FIX}"
    )
    return None


def to_markdown(lines: list[str]) -> str:
    """Plain text lines -> Markdown that renders to the same words."""
    out: list[str] = []
    for line in lines:
        bullet = _BULLET.match(line)
        if bullet and bullet.group("text").strip():
            out.append("- " + escape_markdown(bullet.group("text").strip()))
        else:
            out.append(escape_markdown(line.strip()))
    return "\n".join(out).strip("\n") + "\n"


_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_BLOCK_START = re.compile(r"^(#{1,6}(?=\s|$)|[+-](?=\s|$)|=+\s*$|\d{1,9}(?=[.)](?:\s|$)))")


def escape_markdown(text: str) -> str:
    """Backslash-escape what Markdown would read as markup, so the words render as written."""
    text = _ENTITY.sub("&amp;", _INLINE.sub(r"\\\1", text))
    match = _BLOCK_START.match(text)
    if match:
        if match.group(1)[0].isdigit():  # "2008. A year" is no ordered list
            end = match.end()
            return text[:end] + "\\" + text[end:]
        return "\\" + text
    return text
