"""A WordPress post's stored content -> the HTML WordPress showed.

WordPress stores what the editor typed and makes the page from it on every view: shortcodes
(`[caption]`, `[gallery]`, `[embed]`) become markup, then `wpautop` makes paragraphs of the text
between blank lines and `<br />` of single line breaks. Both are done here, as WordPress does
them, so the body says what the old page said. Content of the block editor (it holds
`<!-- wp:` comments) is stored as finished HTML, and WordPress leaves it alone; so does this.

A shortcode of a plugin that is gone has no markup to become: its tags are removed, its
enclosed text kept, and a note names it, so no `[contact-form]` reaches a feed.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

# WordPress's `$allblocks` (wp-includes/formatting.php): tags wpautop never wraps in <p>.
_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|"
    r"map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|"
    r"hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)
_OPEN_BLOCK = re.compile(rf"(<{_BLOCKS}[\s/>])", re.IGNORECASE)
_CLOSE_BLOCK = re.compile(rf"(</{_BLOCKS}>)", re.IGNORECASE)
_ANY_BLOCK = rf"</?{_BLOCKS}[^<>]*>"
_TAG = re.compile(r"<[^<>]*>")
_SPLITS = re.compile(r"<!--(?:more|nextpage)\b[^<>]*-->")
_CLOSER = re.compile(r"\[/([A-Za-z][\w-]*)\]")
_MADE = re.compile(r"<pre wp-shortcode-(\d+)></pre>")

# Shortcodes scofeed turns into markup; any other `[name …]` that is plainly a shortcode (it
# has attributes or a closing tag, or a name no word has) is removed with a note.
_MEDIA = ("embed", "youtube", "vimeo", "audio", "video", "soundcloud", "dailymotion", "ted")
# A shortcode's opening tag (`[[x]]` is the text `[x]`), or a closing one; the text between is
# found with str.find, once per name and place, so that no run of tags costs quadratic time.
_TOKEN = re.compile(
    r"\[(?P<escaped>\[?)(?P<name>[A-Za-z][\w-]*)(?P<attrs>(?:[=\s][^\[\]]*)?)\](?P<escaped_end>\]?)"
    r"|\[/(?P<closing>[A-Za-z][\w-]*)\]"
)
_ATTR = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"|([\w-]+)\s*=\s*'([^']*)'|([\w-]+)\s*=\s*([^\s'"]+)"""
    r"""|"([^"]*)"|'([^']*)'|(\S+)"""
)
_URL = re.compile(r"https?://[^\s\"'<>\]]+")
_MEDIA_START = re.compile(
    r"^\s*((?:<a\b[^<>]*>\s*)?<img\b[^<>]*>(?:\s*</a>)?)", re.IGNORECASE | re.DOTALL
)


@dataclass(frozen=True)
class Media:
    """An attachment, as a gallery shows it."""

    url: str
    title: str = ""


@dataclass
class Rendered:
    html: str
    removed: list[str] = field(default_factory=list)  # shortcodes with no markup, by name


def render(
    content: str,
    *,
    attachments: Mapping[str, Media],
    children: Sequence[Media],
) -> Rendered:
    """The HTML of a post's `content:encoded`. `attachments` are the export's by post id (for
    `[gallery ids="…"]`), `children` the post's own (for a `[gallery]` without ids)."""
    out = Rendered("")
    made: list[str] = []  # markup of shortcodes, put in after autop as WordPress does
    # <!--more--> and <!--nextpage--> split a post on WordPress's pages; here it is one page.
    text = _SPLITS.sub("", content.replace("\r\n", "\n").replace("\r", "\n"))
    closers = set(_CLOSER.findall(text))
    closes: dict[str, int] = {}  # name -> where its next closing tag is (len(text): none)
    removed: set[str] = set()  # names whose closing tags go too
    parts: list[str] = []
    pos = 0
    while (m := _TOKEN.search(text, pos)) is not None:
        parts.append(text[pos : m.start()])
        pos = m.end()
        if m["closing"] is not None:
            parts.append("" if m["closing"] in removed else m[0])
            continue
        name, attrs = m["name"], m["attrs"] or ""
        if m["escaped"] and m["escaped_end"]:
            parts.append(m[0][1:-1])
            continue
        end = len(text)
        if name in closers:
            end = closes.get(name, -1)
            if end < m.end():
                found = text.find(f"[/{name}]", m.end())
                end = closes[name] = found if found >= 0 else len(text)
        handler = _HANDLERS.get(name.lower())
        if handler is not None:
            inner = text[m.end() : end] if end < len(text) else ""
            pos = end + len(name) + 3 if end < len(text) else pos
            made.append(handler(_attributes(attrs), inner, attachments, children))
            placeholder = f"\n\n<pre wp-shortcode-{len(made) - 1}></pre>\n\n"
            parts.append(m["escaped"] + placeholder + m["escaped_end"])
        elif end < len(text) or "=" in attrs or _odd(name):
            out.removed.append(name.lower())
            removed.add(name)
            parts.append(m["escaped"] + m["escaped_end"])
        else:
            parts.append(m[0])  # [sic], [1], [citation needed]: words in brackets
    text = "".join(parts) + text[pos:]
    text = text if "<!-- wp:" in text else autop(text)
    out.html = _MADE.sub(lambda m: made[int(m[1])] if int(m[1]) < len(made) else "", text)
    return out


def _odd(name: str) -> bool:
    """A name that no word in brackets has: `contact-form`, `wpforms_id`."""
    return "-" in name or "_" in name


def _attributes(text: str) -> dict[str, str]:
    """`[youtube=URL]`, `[caption id="x" width=300]`, `[embed]`: WordPress's
    shortcode_parse_atts, with a bare value kept under its position ("0", "1", …)."""
    text = text.strip()
    if text.startswith("="):  # WordPress.com's [youtube=https://…]
        return {"0": text[1:].strip()}
    attrs: dict[str, str] = {}
    position = 0
    for m in _ATTR.finditer(text):
        if m[1] or m[3] or m[5]:
            key = (m[1] or m[3] or m[5]).lower()
            attrs[key] = m[2] if m[1] else m[4] if m[3] else m[6]
        else:
            attrs[str(position)] = next(g for g in (m[7], m[8], m[9]) if g is not None)
            position += 1
    return attrs


def _caption(attrs: dict[str, str], inner: str, *_: object) -> str:
    """`[caption]<a><img></a> Words[/caption]` -> a figure with its caption (WordPress's
    img_caption_shortcode; the caption may also be an attribute, as before WordPress 3.4)."""
    found = _MEDIA_START.match(inner)
    media, words = (found[1], inner[found.end() :]) if found else (inner, "")
    words = words.strip() or html_lib.escape(attrs.get("caption", ""), quote=False)
    caption = f"<figcaption>{words}</figcaption>" if words else ""
    return f"<figure>{media.strip()}{caption}</figure>"


def _gallery(
    attrs: dict[str, str],
    inner: str,
    attachments: Mapping[str, Media],
    children: Sequence[Media],
) -> str:
    """`[gallery ids="3,7"]`, or the post's own attachments: their images in a figure."""
    if "ids" in attrs or "include" in attrs:
        ids = re.split(r"[,\s]+", attrs.get("ids") or attrs.get("include") or "")
        shown = [attachments[i] for i in ids if i in attachments]
    else:
        shown = list(children)
    images = "".join(
        f'<img src="{html_lib.escape(m.url)}" alt="{html_lib.escape(m.title)}" />' for m in shown
    )
    return f"<figure>{images}</figure>" if images else ""


def _media(attrs: dict[str, str], inner: str, *_: object) -> str:
    """`[embed]URL[/embed]`, `[youtube URL]`, `[audio mp3="URL"]`: a link to what it showed
    (a feed cannot carry the player, and the sanitiser drops iframes)."""
    candidates = [inner.strip(), attrs.get("src", ""), attrs.get("url", "")]
    candidates += [v for k, v in attrs.items() if k not in ("src", "url")]
    url = next((c for c in candidates if _URL.fullmatch(c.strip())), "")
    if not url:
        return ""
    href = html_lib.escape(url.strip())
    return f'<p><a href="{href}">{href}</a></p>'


_Handler = Callable[[dict[str, str], str, Mapping[str, Media], Sequence[Media]], str]
_HANDLERS: dict[str, _Handler] = {
    "caption": _caption,
    "wp_caption": _caption,
    "gallery": _gallery,
    **dict.fromkeys(_MEDIA, _media),
}


def autop(text: str) -> str:
    """WordPress's `wpautop`: paragraphs at blank lines, `<br />` at single line breaks, block
    elements left unwrapped, `<pre>` untouched."""
    if not text.strip():
        return ""
    kept: list[str] = []
    text = _protect_pre(text + "\n", kept)
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text, flags=re.IGNORECASE)
    text = _OPEN_BLOCK.sub(r"\n\n\1", text)
    text = _CLOSE_BLOCK.sub(r"\1\n\n", text)
    text = re.sub(r"(<hr\s*?/?>)", r"\1\n\n", text, flags=re.IGNORECASE)
    # A line break inside a tag (`<a\nhref>`) is no line break of the text.
    text = _TAG.sub(lambda m: m[0].replace("\n", " "), text)
    chunks = [c.strip() for c in re.split(r"\n\s*\n", text) if c.strip()]
    text = "".join(f"<p>{c}</p>\n" for c in chunks)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(rf"<p>\s*({_ANY_BLOCK})\s*</p>", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(rf"<p>\s*({_ANY_BLOCK})", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(rf"({_ANY_BLOCK})\s*</p>", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(r"(?<!<br />)\s*\n(?!\Z)", "<br />\n", text)
    text = re.sub(rf"({_ANY_BLOCK})\s*<br />", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(
        r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^<>]*>)", r"\1", text, flags=re.I
    )
    text = re.sub(
        r"<pre wp-pre-tag-(\d+)></pre>",
        lambda m: kept[int(m[1])] if int(m[1]) < len(kept) else "",
        text,
    )
    return text.strip() + "\n"


def _protect_pre(text: str, kept: list[str]) -> str:
    """`text` with each `<pre>…</pre>` put in `kept` and a placeholder left: autop leaves
    preformatted text alone. A scan, not a regex: an unclosed `<pre` is looked past once."""
    lower = text.lower()
    parts: list[str] = []
    pos = 0
    while (start := lower.find("<pre", pos)) >= 0:
        if lower[start + 4 : start + 5] not in (">", " ", "\t", "\n"):
            parts.append(text[pos : start + 4])
            pos = start + 4
            continue
        end = lower.find("</pre>", start)
        if end < 0:
            break
        parts.append(text[pos:start] + f"<pre wp-pre-tag-{len(kept)}></pre>")
        kept.append(text[start : end + 6])
        pos = end + 6
    return "".join(parts) + text[pos:]
