"""HTML and text as importers find them -> Markdown bodies and plain text.

The store drops the characters XML forbids when it reads a post, so an importer drops them
first (`clean`, `fold`) and the file says what the feeds will carry.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

from scofeed.infra.xmlsafe import clean, fold

__all__ = ["clean", "fold", "html_text", "markdown_from_html", "plain", "text_to_html"]

_MARKUP = re.compile(r"<[A-Za-z/!?]|&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")

# Tags that start a CommonMark HTML block (types 1 and 6): such a block is passed through as it
# is, up to the next blank line (type 6) or its closing tag (type 1).
_BLOCK_TAGS = frozenset((
    "address", "article", "aside", "base", "basefont", "blockquote", "body", "caption", "center",
    "col", "colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5",
    "h6", "head", "header", "hr", "html", "iframe", "legend", "li", "link", "main", "menu",
    "menuitem", "nav", "noframes", "ol", "optgroup", "option", "p", "param", "section", "summary",
    "table", "tbody", "td", "tfoot", "th", "thead", "title", "tr", "track", "ul", "pre", "script",
    "style", "textarea",
))  # fmt: skip
# A blank line would end an HTML block; inside one, a newline written as a character reference
# keeps the text the same (white space in HTML, or the very newline inside <pre>).
_BLANK_LINE = re.compile(r"(?<=\n)([ \t]*)\n")
# `{%` and `{{` open a Liquid tag or Hugo shortcode in a post's body; text that only shows
# them (a post about templates) gets its brace as a character reference, which HTML decodes.
_TEMPLATE_OPEN = re.compile(r"\{(?=[{%])")


def _fragment(markup: str) -> Any:
    from lxml import html as lxml_html

    return lxml_html.fragment_fromstring(clean(markup), create_parent="div")


def html_text(markup: str) -> str:
    """The words of an HTML fragment as one line of plain text."""
    if not markup.strip():
        return ""
    root = _fragment(markup)
    for el in list(root.iter()):
        if el.tag in ("script", "style"):
            el.drop_tree()
        elif el.tag in _BLOCK_TAGS or el.tag == "br":
            el.tail = " " + (el.tail or "")
            el.text = " " + (el.text or "")
    return fold(str(root.text_content()))


def plain(text: str) -> str:
    """A title or summary that may be written as HTML (`Tom &amp; Jerry`) as plain text."""
    return html_text(text) if _MARKUP.search(text) else fold(text)


def text_to_html(text: str) -> str:
    """Plain text -> HTML paragraphs (blank lines) and line breaks, every character escaped."""
    paragraphs = re.split(r"\n(?:[ \t]*\n)+", clean(text).strip())
    return "\n".join(
        "<p>" + html_lib.escape(p.strip(), quote=False).replace("\n", "<br>\n") + "</p>"
        for p in paragraphs
        if p.strip()
    )


def markdown_from_html(markup: str, base: str | None = None) -> str:
    """HTML -> a Markdown body that renders to that same HTML.

    CommonMark passes an HTML block through untouched when it starts with a block tag and holds
    no blank line; so each top-level block is written on its own, loose text and inline elements
    are wrapped in a paragraph, and blank lines inside a block become `&#10;`. Markdown syntax in
    the text (`*`, `_`, indented lines) is then never read as Markdown, nor `{%`/`{{` as a
    template tag. Relative links are made absolute against `base` when given (the post's old
    address).
    """
    from lxml import etree
    from lxml import html as lxml_html

    if not markup.strip():
        return ""
    root = _fragment(markup)
    if base:
        root.make_links_absolute(base, resolve_base_href=True, handle_failures="ignore")
    blocks: list[str] = []
    run: list[str] = []
    run_has_block = False

    def flush() -> None:
        nonlocal run_has_block
        inline = "".join(run).strip()
        if inline:
            tag = "div" if run_has_block else "p"
            blocks.append(f"<{tag}>{inline}</{tag}>")
        run.clear()
        run_has_block = False

    def serialise(el: Any) -> str:
        return str(lxml_html.tostring(el, encoding="unicode", method="html", with_tail=False))

    run.append(html_lib.escape(root.text or "", quote=False))
    for el in root:
        if isinstance(el, etree._ProcessingInstruction):
            pass
        elif isinstance(el, etree._Comment) or el.tag in _BLOCK_TAGS:
            flush()
            blocks.append(serialise(el))
        else:
            run.append(serialise(el))
            run_has_block |= any(d.tag in _BLOCK_TAGS for d in el.iterdescendants())
        run.append(html_lib.escape(el.tail or "", quote=False))
    flush()
    body = "\n\n".join(_BLANK_LINE.sub(r"\1&#10;", b.strip()) for b in blocks) + "\n"
    return _TEMPLATE_OPEN.sub("&#123;", body)
