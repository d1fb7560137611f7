"""Slugs: the one rule that turns a title, a file name or a country into a path segment."""

from __future__ import annotations

import re
import unicodedata

# Jekyll's own rule: a year, then a month and a day of one or two digits (`2015-11-9-x.md`).
DATED_NAME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-(.+)$")
# The extensions a post file may have: Jekyll's Markdown ones and Hugo's, and HTML.
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd", ".mkdown")
HTML_SUFFIXES = (".html", ".htm")
POST_SUFFIXES = MARKDOWN_SUFFIXES + HTML_SUFFIXES
# Hugo's page bundles: the post is the folder (`posts/a/index.md`); `_index.md` lists a section.
BUNDLE_STEM = "index"
SECTION_STEM = "_index"
_WORD = re.compile(r"[^\W_]+")


def slugify(text: str, max_length: int | None = 60, *, cased: bool = False) -> str:
    """`Türkiye's SCO bid` -> `turkiye-s-sco-bid`: lower-case words joined by hyphens; accents
    dropped, letters of other scripts kept, nothing else; cut at a word boundary to
    `max_length` (None: never cut); `cased` keeps capitals, as Jekyll does for file names. ""
    when no letter or digit is left (the caller says so), so a slug can never make a path that
    leaves its folder."""
    if not text.isascii():  # most names are: they need no decomposing
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = _WORD.findall(text if cased else text.lower())
    if max_length is None:
        return "-".join(words)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length and slug:
            break
        slug = candidate[:max_length]
    return slug


def post_stem(key: str) -> str:
    """The name a post file's slug and date come from: its file name without the extension,
    or, for a page bundle (`a/index.md`), its folder's name."""
    folder, _, name = key.rpartition("/")
    stem = name.rpartition(".")[0] if "." in name else name
    if stem == BUNDLE_STEM and folder:
        return folder.rpartition("/")[2]
    return stem


def slug_from_filename(name: str) -> str:
    """`2008-05-19-third-meeting.md` -> `third-meeting`; `notes.md` -> `notes`;
    `a/index.md` -> `a`. Capitals are kept (`My-Post.md` -> `My-Post`), as Jekyll keeps them in
    its addresses."""
    stem = post_stem(name)
    match = DATED_NAME.match(stem)
    # Never cut: two long file names that differ late must keep different slugs.
    return slugify(match.group(4) if match else stem, max_length=None, cased=True) or "post"
