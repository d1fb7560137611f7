"""Slugs: the one rule that turns a title, a file name or a country into a path segment."""

from __future__ import annotations

import re
import unicodedata

_DATED_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}-(.+)$")
_WORD = re.compile(r"[^\W_]+")


def slugify(text: str, max_length: int | None = 60) -> str:
    """`Türkiye's SCO bid` -> `turkiye-s-sco-bid`: lower-case words joined by hyphens; accents
    dropped, letters of other scripts kept, nothing else; cut at a word boundary to
    `max_length` (None: never cut). "" when no letter or digit is left (the caller says so), so
    a slug can never make a path that leaves its folder."""
    if not text.isascii():  # most names are: they need no decomposing
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = _WORD.findall(text.lower())
    if max_length is None:
        return "-".join(words)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length and slug:
            break
        slug = candidate[:max_length]
    return slug


def slug_from_filename(name: str) -> str:
    """`2008-05-19-third-meeting.md` -> `third-meeting`; `notes.md` -> `notes`."""
    stem = name[:-3] if name.endswith(".md") else name
    match = _DATED_NAME.match(stem)
    # Never cut: two long file names that differ late must keep different slugs.
    return slugify(match.group(1) if match else stem, max_length=None) or "post"
