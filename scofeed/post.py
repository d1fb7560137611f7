"""One post file: the `Post` value, and how a file's bytes become one.

A post is one UTF-8 file: YAML front matter between `---` lines, then a Markdown body (the format
Jekyll and Hugo read). `parse_post` turns the bytes into a `Post`, or into every `Problem` that
stops them from being one, each naming the line and the fix.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone, tzinfo
from pathlib import Path
from typing import Any

from scofeed.errors import Problem, ScofeedError

# YAML and dateutil are imported where they are used: a build whose posts all come from the
# cache never needs them, and a no-op run from cron should start fast.

# A post larger than this is almost certainly not a post (a pasted dump, a binary) and would
# make every feed that carries it unreadable in a feed reader.
MAX_POST_BYTES = 4 * 1024 * 1024

# Characters XML 1.0 forbids (C0 controls but tab and newlines, surrogates, U+FFFE/U+FFFF),
# plus C1 controls, which XML allows but no reader shows. They are dropped when a post is read.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Those of them that are ASCII, deleted from a file's bytes before decoding: a C loop several
# times quicker than the regex, which then runs only on text that is not all ASCII.
_ASCII_NOT_XML = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])

_DATED_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}-(.+)$")
_SLUG = re.compile(r"^[\w][\w.-]*$")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")
# The dates nearly every post has, which `datetime.fromisoformat` reads exactly as dateutil's
# `isoparse` does, 30x faster; anything else goes to `isoparse`.
_PLAIN_DATE = re.compile(
    r"\d{4}-[01]\d-[0-3]\d(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?"
    r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?)?"
)

# Detection, passed in by the caller (the store knows no gazetteer): (title, body) -> names.
Detect = Callable[[str, str], Iterable[str]]


@dataclass(frozen=True, slots=True)
class Post:
    """One post as its file says it; nothing here depends on the site's URL."""

    path: str  # as shown in messages: relative to the project root when possible
    slug: str
    date: datetime  # aware, with a fixed offset
    updated: datetime  # aware; `date` when the file gives none
    # Markdown, with characters XML forbids removed. `load_posts` drops it to keep memory flat on
    # big stores; `body_of` reads it again from `source` for the few posts a feed carries.
    body: str | None
    title: str | None = None
    author: str | None = None
    countries: tuple[str, ...] | None = None  # declared; None means "detect"
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    summary: str | None = None
    comments: int | None = None
    draft: bool = False
    id: str | None = None  # declared; None means "generate from the slug"
    mentions: tuple[str, ...] | None = None  # countries its text names; None: not detected
    source: str = field(default="", compare=False)  # the file, absolute
    digest: str = field(default="", compare=False)  # sha256 of the file's bytes

    def is_published(self, now: datetime) -> bool:
        return not self.draft and self.date <= now


def slug_from_filename(name: str) -> str:
    """`2008-05-19-third-meeting.md` -> `third-meeting`; `notes.md` -> `notes`."""
    stem = name[:-3] if name.endswith(".md") else name
    match = _DATED_NAME.match(stem)
    # Never cut: two long file names that differ late must keep different slugs.
    return slugify(match.group(1) if match else stem, max_length=None) or "post"


def slugify(text: str, max_length: int | None = 60) -> str:
    """Lower-case words joined by hyphens, cut at a word boundary (for slugs made from titles);
    letters of any script kept."""
    words = re.findall(r"\w+", text.lower().replace("_", " "))
    if max_length is None:
        return "-".join(words)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length and slug:
            break
        slug = candidate[:max_length]
    return slug


def parse_post(
    data: bytes,
    path: str,
    *,
    slug: str,
    tz: tzinfo,
    detect: Detect | None = None,
    keep_body: bool = True,
    source: str = "",
    digest: str | None = None,
) -> Post | list[Problem]:
    """One post file's bytes -> a `Post`, or the problems that stop it from being one."""
    try:
        text = _text_of(data)
    except UnicodeDecodeError as exc:
        decoded = exc.object  # the bytes that were decoded: `data` without its ASCII controls
        line = decoded[: exc.start].count(b"\n") + 1
        return [
            Problem(
                path,
                line,
                f"byte 0x{decoded[exc.start]:02x} is not UTF-8; save the file as UTF-8",
            )
        ]
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0]) or lines[0].startswith("..."):
        return [Problem(path, 1, "has no front matter; start the file with a --- line")]
    end = next((i for i in range(1, len(lines)) if _FENCE.match(lines[i])), None)
    if end is None:
        return [Problem(path, 1, "front matter is not closed; add a --- line after it")]
    front = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1 :])
    meta = _parse_yaml(front, path)
    if isinstance(meta, list):
        return meta
    values, key_lines = meta
    return _post_from_meta(
        values,
        key_lines,
        path,
        slug=slug,
        body=body,
        tz=tz,
        detect=detect,
        keep_body=keep_body,
        source=source,
        digest=digest or hashlib.sha256(data).hexdigest(),
    )


def _text_of(data: bytes) -> str:
    """A post file's text: UTF-8 without a byte order mark, lines ending in \\n, and without the
    characters XML forbids."""
    text = data.translate(None, _ASCII_NOT_XML).decode("utf-8-sig")
    if not text.isascii():
        text = NOT_XML.sub("", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split_body(data: bytes) -> str:
    text = _text_of(data)
    lines = text.split("\n")
    end = next(i for i in range(1, len(lines)) if _FENCE.match(lines[i]))
    return "\n".join(lines[end + 1 :])


def body_of(post: Post) -> str:
    """The post's Markdown body: kept, or read again from its file (which must not have changed
    since the post was read, or the feeds would mix two versions of it)."""
    if post.body is not None:
        return post.body
    data = Path(post.source).read_bytes()
    if hashlib.sha256(data).hexdigest() != post.digest:
        raise ScofeedError(f"{post.path}: changed while the build ran; run the build again")
    return _split_body(data)


_LOADER: Any = None


def _loader() -> Any:
    """Safe YAML, C speed when libyaml is there; dates stay strings so we parse them ourselves."""
    global _LOADER
    if _LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        _LOADER = type("_Loader", (base,), {})
        _LOADER.yaml_implicit_resolvers = {
            key: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
            for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }
    return _LOADER


def _parse_yaml(front: str, path: str) -> tuple[dict[str, Any], dict[str, int]] | list[Problem]:
    import yaml

    loader = _loader()(front)
    try:
        node = loader.get_single_node()
        value = loader.construct_document(node) if node is not None else {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else 1
        why = exc.problem or exc.context or "cannot be read"
        return [
            Problem(
                path,
                line,
                f"front matter is not valid YAML ({why}); quote values that contain ': ' "
                "or start with a special character, and check the indentation",
            )
        ]
    except yaml.YAMLError as exc:
        return [Problem(path, 2, f"front matter is not valid YAML ({exc})")]
    finally:
        loader.dispose()
    if value is None:
        value = {}
    if not isinstance(value, dict) or not isinstance(node, yaml.MappingNode | type(None)):
        return [Problem(path, 2, "front matter must be `key: value` lines, like date: 2008-05-19")]
    key_lines: dict[str, int] = {}
    problems = []
    for key_node, _ in node.value if node is not None else ():
        key = str(key_node.value)
        line = key_node.start_mark.line + 2
        if key in key_lines:
            problems.append(
                Problem(path, line, f"{key} is given twice (also line {key_lines[key]}); keep one")
            )
        key_lines.setdefault(key, line)
    if problems:
        return problems
    return {str(k): v for k, v in value.items()}, key_lines


def _post_from_meta(
    meta: dict[str, Any],
    key_lines: dict[str, int],
    path: str,
    *,
    slug: str,
    body: str,
    tz: tzinfo,
    detect: Detect | None,
    keep_body: bool,
    source: str,
    digest: str,
) -> Post | list[Problem]:
    problems: list[Problem] = []

    def fail(key: str, message: str) -> None:
        problems.append(Problem(path, key_lines.get(key, 1), message))

    def text(key: str) -> str | None:
        value = meta.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            fail(key, f"{key} must be text, not {_kind(value)}; write it in quotes")
            return None
        cleaned = " ".join(NOT_XML.sub("", str(value)).split())
        return cleaned or None

    def text_list(key: str) -> tuple[str, ...]:
        value = meta.get(key)
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                fail(key, f"{key} must be a list of names, like {key}: [Russia, China]")
                return ()
            cleaned = " ".join(NOT_XML.sub("", str(item)).split())
            if cleaned:
                out.append(cleaned)
        return tuple(dict.fromkeys(out))

    def when(key: str) -> datetime | None:
        value = meta.get(key)
        if value is None:
            return None
        return parse_date(value, tz, lambda message: fail(key, f"{key} {message}"))

    published = when("date")
    if "date" not in meta or meta.get("date") is None:
        fail("date", "has no date; add a line such as date: 2008-05-19 to the front matter")
    updated = when("updated") if "updated" in meta else when("lastmod")

    title = text("title")
    author = text("author")
    summary = text("summary")
    tags = text_list("tags")
    categories = text_list("categories") + text_list("category")
    countries = text_list("countries") if "countries" in meta else None
    for name in countries or ():
        if not re.search(r"[^\W_]", name):
            fail("countries", f"country {name!r} has no letters; write a country's name")

    declared_slug = text("slug")
    if declared_slug is not None:
        if not _SLUG.match(declared_slug) or ".." in declared_slug:
            fail("slug", f"slug {declared_slug!r} may hold only letters, digits, '-', '_' and '.'")
        else:
            slug = declared_slug

    comments = meta.get("comments")
    if comments is not None and (
        isinstance(comments, bool) or not isinstance(comments, int) or comments < 0
    ):
        fail("comments", f"comments must be a whole number of comments, not {comments!r}")
        comments = None

    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        fail("draft", f"draft must be true or false, not {draft!r}")
        draft = False

    post_id = text("id")
    if post_id is not None and not _IRI.match(post_id):
        fail("id", f"id {post_id!r} must be an absolute URI such as tag:example.org,2008:post-1")

    if problems or published is None:
        return problems
    # Declared countries replace detection, so a post that declares them is not searched.
    mentions = None
    if detect is not None and countries is None:
        mentions = tuple(sorted(set(detect(title or "", body))))
    return Post(
        path=path,
        slug=slug,
        date=published,
        updated=updated or published,
        body=body if keep_body else None,
        title=title,
        author=author,
        countries=countries,
        tags=tags,
        categories=tuple(dict.fromkeys(categories)),
        summary=summary,
        comments=comments,
        draft=draft,
        id=post_id,
        mentions=mentions,
        source=source,
        digest=digest,
    )


def parse_date(value: object, tz: tzinfo, fail: Any) -> datetime | None:
    """ISO 8601 or a date alone; no offset means the site's time zone. Reports via `fail`."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, str | int) and not isinstance(value, bool):
        text = str(value).strip()
        try:
            if _PLAIN_DATE.fullmatch(text):
                parsed = datetime.fromisoformat(text)
            else:
                from dateutil.parser import isoparse

                parsed = isoparse(text)
        except (ValueError, OverflowError):
            fail(f'"{value}" does not parse; write it as 2008-05-19 or 2008-05-19T14:30:00+06:00')
            return None
    else:
        fail(f"must be a date such as 2008-05-19, not {_kind(value)}")
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


def _kind(value: object) -> str:
    return {dict: "a table", list: "a list", bool: "true/false"}.get(type(value), repr(value))
