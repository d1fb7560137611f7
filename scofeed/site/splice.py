"""RSS and Atom documents assembled from each entry's own XML, written as text: the same bytes
`feeds.render` makes through feedgen and lxml, at a fraction of the cost.

A whole site puts each post in many documents (the category's feed or one of its archive
documents, each country's, each tag's; RSS and Atom), and feedgen builds an object, then a tree,
then a string, then `feeds._finish` parses it again, for every entry of every document: 90% of
the time of the feed files of a clean build. Here `feeds.render` still makes each document's
head (channel or feed elements, RFC 5005 marks, namespaces), from a document that carries only
the few entries that decide which namespaces its root declares; every entry is then written as
text, with lxml's own escaping and indentation, and spliced in.

An entry this module is not sure to write exactly as lxml would (an empty or blank field, a
carriage return, a character XML forbids, which feedgen refuses by name) sends the whole
document down the feedgen path, so what is refused, and how, is unchanged. The tests compare
both paths byte for byte (`tests/test_splice.py`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from scofeed.config import Config
from scofeed.infra.dates import rfc822, rfc3339
from scofeed.posts.post import Post
from scofeed.site.entries import Entry, atom_id, enclosure_url, piece
from scofeed.site.feeds import _categories, _duration, render
from scofeed.site.markup import escape
from scofeed.site.plan import FeedSpec

EntryFor = Callable[[Post], Entry]

# Text lxml writes as is, but for & < > (a carriage return becomes &#13;: left to feedgen).
# What XML 1.0 allows (tab, line feed, U+0020-U+D7FF, U+E000-U+FFFD, U+10000 on), spelled as
# what it does not: the negated class took 15 ms to compile, in every build that renders.
_UNSAFE_TEXT = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
# In attributes lxml also escapes tab and line feed: left to feedgen too.
_UNSAFE_ATTR = re.compile("[\x00-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    return _text(value).replace('"', "&quot;")


def _plain(value: str | None) -> bool:
    """A text field written the same way by both paths: present, not blank, only characters
    lxml writes as themselves or as &amp; &lt; &gt;."""
    return (
        value is not None and value != "" and not value.isspace() and not _UNSAFE_TEXT.search(value)
    )


def _plain_attr(value: str | None) -> bool:
    return value is not None and value != "" and not _UNSAFE_ATTR.search(value)


class _Unsure(Exception):
    """An entry to leave to feedgen."""


def render_spliced(spec: FeedSpec, fmt: str, config: Config, entry_for: EntryFor) -> bytes:
    """The bytes `feeds.render(spec, fmt, config, entry_for)` returns."""
    if not spec.entries:
        return render(spec, fmt, config, entry_for)
    write = _rss_item if fmt == "rss" else _atom_entry

    def make(post: Post, countries: tuple[str, ...]) -> str:
        return write(post, entry_for(post), countries, config)

    try:
        items = [
            piece(entry_for, fmt, post, countries, make)
            for post, countries in zip(spec.entries, spec.entry_countries, strict=True)
        ]
    except _Unsure:
        return render(spec, fmt, config, entry_for)
    head = render(_deciders(spec, fmt, config, entry_for), fmt, config, entry_for)
    opening, closing = ("<item>", "</item>\n") if fmt == "rss" else ("<entry>", "</entry>\n")
    start, end = head.index(opening.encode()), head.rindex(closing.encode()) + len(closing)
    indent = b"    " if fmt == "rss" else b"  "  # lxml's pretty print: two spaces a level
    body = indent.join(item.encode("utf-8") for item in items)
    return head[:start] + body + head[end:]


def _deciders(spec: FeedSpec, fmt: str, config: Config, entry_for: EntryFor) -> FeedSpec:
    """The spec with only the entries that decide the document's head: the newest update (the
    document's date), and one of each kind that brings a namespace to the root (comments, a
    duration, a picture)."""
    keep = {max(range(len(spec.entries)), key=lambda i: spec.entries[i].updated)}
    seen: set[int] = set()
    for i, post in enumerate(spec.entries):
        kinds = {
            kind
            for kind, has in enumerate(
                (
                    post.comments is not None,
                    fmt == "rss" and _duration(post) is not None,
                    entry_for(post).image is not None,
                )
            )
            if has
        }
        if kinds - seen:
            keep.add(i)
            seen |= kinds
    order = sorted(keep)
    return dataclasses.replace(
        spec,
        entries=tuple(spec.entries[i] for i in order),
        entry_countries=tuple(spec.entry_countries[i] for i in order),
    )


def _check(entry: Entry, author: str, config: Config) -> None:
    if not all(_plain(v) for v in (entry.title, entry.id, entry.link, author)):
        raise _Unsure
    if not _plain_attr(entry.link) or (entry.image is not None and not _plain_attr(entry.image)):
        raise _Unsure
    if config.feed_content == "full" and not _plain(entry.html):
        raise _Unsure
    if not _plain(entry.summary or entry.title):
        raise _Unsure


def _categories_of(
    post: Post, countries: tuple[str, ...], config: Config
) -> list[tuple[str, str | None]]:
    out = _categories(post, countries, config)
    if not all(_plain(t) and _plain_attr(t) and (s is None or _plain_attr(s)) for t, s in out):
        raise _Unsure
    return out


def _rss_item(post: Post, entry: Entry, countries: tuple[str, ...], config: Config) -> str:
    """An RSS `<item>` as feedgen orders it and lxml prints it inside `<channel>`."""
    author = post.author or config.author
    _check(entry, author, config)
    i = "\n      "
    parts = [f"<item>{i}<title>{_text(entry.title)}</title>{i}<link>{_text(entry.link)}</link>"]
    summary = escape(entry.summary or entry.title, quote=False)
    parts.append(f"{i}<description>{_text(summary)}</description>")
    if config.feed_content == "full":
        parts.append(f"{i}<content:encoded>{_text(entry.html)}</content:encoded>")
    parts.append(f'{i}<guid isPermaLink="false">{_text(entry.id)}</guid>')
    for term, scheme in _categories_of(post, countries, config):
        domain = f' domain="{_attr(scheme)}"' if scheme else ""
        parts.append(f"{i}<category{domain}>{_text(term)}</category>")
    parts.append(f"{i}<pubDate>{rfc822(post.date)}</pubDate>")
    parts.append(f"{i}<dc:creator>{_text(author)}</dc:creator>")
    if post.comments is not None:
        parts.append(f"{i}<slash:comments>{post.comments}</slash:comments>")
    for enclosure in post.enclosures[:1]:
        _, mime, length, seconds = enclosure
        url = enclosure_url(enclosure, config)
        if not (_plain_attr(url) and _plain_attr(mime)):
            raise _Unsure
        parts.append(
            f'{i}<enclosure url="{_attr(url)}" length="{length or 0}" type="{_attr(mime)}"/>'
        )
        if seconds is not None:
            parts.append(f"{i}<itunes:duration>{seconds}</itunes:duration>")
    parts.append(_media(entry, post, i))
    parts.append("\n    </item>\n")
    return "".join(parts)


def _atom_entry(post: Post, entry: Entry, countries: tuple[str, ...], config: Config) -> str:
    """An Atom `<entry>` as feedgen orders it and lxml prints it inside `<feed>`."""
    author = post.author or config.author
    _check(entry, author, config)
    id_ = atom_id(entry.id, config)
    if not _plain(id_):
        raise _Unsure
    i = "\n    "
    parts = [
        f'<entry>{i}<id>{_text(id_)}</id>{i}<title type="text">{_text(entry.title)}</title>',
        f"{i}<updated>{rfc3339(post.updated)}</updated>",
        f"{i}<author>{i}  <name>{_text(author)}</name>{i}</author>",
    ]
    if config.feed_content == "full":
        parts.append(f'{i}<content type="html">{_text(entry.html)}</content>')
    parts.append(f'{i}<link href="{_attr(entry.link)}"/>')
    parts.append(f'{i}<summary type="text">{_text(entry.summary or entry.title)}</summary>')
    for term, scheme in _categories_of(post, countries, config):
        extra = f' scheme="{_attr(scheme)}"' if scheme else ""
        parts.append(f'{i}<category term="{_attr(term)}"{extra}/>')
    parts.append(f"{i}<published>{rfc3339(post.date)}</published>")
    if post.comments is not None:
        parts.append(f"{i}<thr:total>{post.comments}</thr:total>")
    for enclosure in post.enclosures:
        _, mime, length, _ = enclosure
        url = enclosure_url(enclosure, config)
        if not (_plain_attr(url) and _plain_attr(mime)):
            raise _Unsure
        size = "" if length is None else f' length="{length}"'
        parts.append(f'{i}<link rel="enclosure" href="{_attr(url)}" type="{_attr(mime)}"{size}/>')
    parts.append(_media(entry, post, i))
    parts.append("\n  </entry>\n")
    return "".join(parts)


def _media(entry: Entry, post: Post, i: str) -> str:
    """Media RSS, as `feeds._media` adds it: the post's own picture as content and thumbnail,
    the body's first image as the thumbnail only."""
    if entry.image is None:
        return ""
    url = _attr(entry.image)
    own = f'{i}<media:content url="{url}" medium="image"/>' if post.image is not None else ""
    return f'{own}{i}<media:thumbnail url="{url}"/>'
