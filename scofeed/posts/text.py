"""A post's body as sanitised HTML, and the plain text taken from it (summary, derived title).

The one Markdown configuration: CommonMark by pyromark with tables, strikethrough, footnotes and
task lists, then cleaned by nh3 (ammonia). The build, `scofeed posts` and the importers all
render through `markdown_html`, so an imported post is matched by the very title its feeds show.
Both libraries are imported on first use: a build that renders nothing never loads them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from scofeed.posts.post import Post, body_of
from scofeed.posts.shortcodes import Links, expand


def markdown_html(markdown: str, base: str | None = None, *, markup: str = "markdown") -> str:
    """Markdown (or, with `markup="html"`, the HTML of a `.html` post) as sanitised HTML; with
    `base`, every relative link and image made absolute against it (a feed reader has no page
    to resolve them from)."""
    import nh3

    if markup == "html":
        raw = markdown
    else:
        import pyromark

        options = (
            pyromark.Options.ENABLE_TABLES
            | pyromark.Options.ENABLE_STRIKETHROUGH
            | pyromark.Options.ENABLE_FOOTNOTES
            | pyromark.Options.ENABLE_TASKLISTS
        )
        raw = pyromark.html(markdown, options=options)
    options_: dict[str, Any] = {"link_rel": None}
    if base is not None:
        options_["url_relative"] = ("rewrite_with_base", base)
    if 'class="footnote-definition" id="' in raw:
        # Footnotes: their definitions keep an id (in our own `fn-` namespace, so no post can
        # name another element of the page) and the references lead to it.
        raw = _FOOTNOTE_ID.sub(r'\1id="fn-\2"', raw)
        raw = _FOOTNOTE_REF.sub(r'\1href="#fn-\2"', raw)
        options_["attributes"] = {**nh3.ALLOWED_ATTRIBUTES, "div": {"id"}}
        options_["attribute_filter"] = _footnote_ids
    return str(nh3.clean(raw, **options_)).strip()


_FOOTNOTE_ID = re.compile(r'(<div class="footnote-definition" )id="([^"<>]*)"')
_FOOTNOTE_REF = re.compile(r'(<sup class="footnote-reference"><a )href="#([^"<>]*)"')


def _footnote_ids(element: str, attribute: str, value: str) -> str | None:
    if element == "div" and attribute == "id":
        return value if value.startswith("fn-") else None
    return value


def render_html(
    post: Post,
    permalink: str,
    *,
    links: Links | None = None,
    params: Mapping[str, object] | None = None,
) -> str:
    """The post's body as sanitised HTML, links absolute against its permalink; its Liquid
    tags and Hugo shortcodes done first (`scofeed.posts.shortcodes`), the link tags through
    `links` (without it they lead nowhere: only a build that publishes nothing omits it)."""
    body = expand(body_of(post), links=links, params=params, markup=post.markup).text
    return markdown_html(body, base=permalink, markup=post.markup)


def plain_text_blocks(html: str) -> list[str]:
    """The text of each top-level block of an HTML fragment, white space folded."""
    from lxml import html as lxml_html

    if not html.strip():
        return []
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    blocks = []
    if root.text and root.text.strip():
        blocks.append(" ".join(root.text.split()))
    for child in root:
        words = " ".join(child.text_content().split())
        if words:
            blocks.append(words)
        if child.tail and child.tail.strip():
            blocks.append(" ".join(child.tail.split()))
    return blocks


def summary_of(post: Post, html: str) -> str:
    """The front matter's summary, or the body's first paragraph as plain text."""
    if post.summary:
        return post.summary
    blocks = plain_text_blocks(html)
    return blocks[0] if blocks else ""


_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*(?=\s|$)")


def derive_title(text: str, limit: int = 80) -> str:
    """The first sentence of `text`, cut at a word boundary to `limit` characters with "…"."""
    text = " ".join(text.split())
    end = _SENTENCE_END.search(text)
    sentence = text[: end.end()] if end else text
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 1]
    if " " in cut and not sentence[limit - 1].isspace():
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-–—(") + "…"


def body_title(markdown: str) -> str:
    """The title a feed gives an untitled post with this body: its first sentence."""
    blocks = plain_text_blocks(markdown_html(markdown))
    return derive_title(blocks[0]) if blocks else ""


def title_of(post: Post, html: str) -> str:
    """The post's own title, or one derived from its text (Atom requires a title)."""
    if post.title:
        return post.title
    blocks = plain_text_blocks(html)
    return derive_title(blocks[0]) if blocks else post.slug
