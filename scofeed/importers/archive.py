"""A Typepad / Movable Type category archive page saved as text -> posts.

Such a page lists posts newest first; each ends with a footer line such as
`May 19, 2008 in SCO (RTG) | Permalink | Comments (2) | TrackBack`. A short first line without
closing punctuation is the post's title. The words are kept exactly; bullets become a Markdown
list, and Markdown's own punctuation is escaped so that it renders as written.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from scofeed.errors import InputError, Problem
from scofeed.importers.model import NewPost

_FOOTER = re.compile(
    r"^\s*(?:Posted by (?P<author>.+?) (?:on|at) )?"
    r"(?P<date>(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December) \d{1,2}, \d{4})"
    r"(?: at (?P<time>\d{1,2}:\d{2}(?: ?[AP]M)?))?"
    r" in (?P<category>[^|]+?)\s*(?:\|(?P<rest>.*))?$"
)
_COMMENTS = re.compile(r"Comments \((\d+)\)")
_BULLET = re.compile(r"^\s*[•·▪◦‣*-]\s+(?P<text>.*)$")
# A title is a short line that does not end a sentence.
_TITLE_MAX = 150
_SENTENCE_END = re.compile(r"[.!?:;…\"'”’]\s*$")


def parse_archive(text: str, source: str) -> list[NewPost]:
    """Every post on the page, in page order (newest first, as Typepad lists them)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff").split("\n")
    posts: list[NewPost] = []
    start = 0
    for number, line in enumerate(lines):
        footer = _FOOTER.match(line)
        if footer is None:
            continue
        block = lines[start:number]
        start = number + 1
        while block and not block[0].strip():
            block.pop(0)
        while block and not block[-1].strip():
            block.pop()
        if not block:
            raise InputError(
                f"{source}: no post text",
                [Problem(source, number + 1, "this footer line has no post text above it")],
            )
        posts.append(_post(block, footer))
    leftover = [n for n in range(start, len(lines)) if lines[n].strip()]
    if not posts:
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
    if leftover:
        raise InputError(
            f"{source}: text after the last post",
            [
                Problem(
                    source,
                    leftover[0] + 1,
                    "text after the last post footer belongs to no post; remove it or add its "
                    "footer line",
                )
            ],
        )
    return posts


def _post(block: list[str], footer: re.Match[str]) -> NewPost:
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
    day = datetime.strptime(footer.group("date"), "%B %d, %Y").date()
    when: date | datetime = day
    if footer.group("time"):
        clock = footer.group("time").replace(" ", "")
        fmt = "%I:%M%p" if clock[-1] in "AM" else "%H:%M"
        when = datetime.combine(day, datetime.strptime(clock, fmt).time())
    meta: dict[str, object] = {"categories": [footer.group("category").strip()]}
    if footer.group("author"):
        meta["author"] = footer.group("author").strip()
    comments = _COMMENTS.search(footer.group("rest") or "")
    if comments:
        meta["comments"] = int(comments.group(1))
    return NewPost(date=when, title=title, body=to_markdown(block), meta=meta)


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


def read_archive(path: Path) -> list[NewPost]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(
            f"{path}: cannot be read", [Problem(str(path), None, exc.strerror or str(exc))]
        ) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path}: not UTF-8", [Problem(str(path), line, "is not UTF-8; save it as UTF-8")]
        ) from exc
    return parse_archive(text, str(path))
