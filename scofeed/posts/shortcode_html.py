"""What the Liquid tags and Hugo shortcodes that scofeed renders become (for `shortcodes`):
their arguments read, Liquid output values and filters worked out, and the Markdown or HTML
written in their place.

Feed readers and the sanitiser (nh3) drop iframes and scripts, so a video is a linked
thumbnail (YouTube's still image) or a plain link, and a gist a link to it: what a reader of
the feed can follow. Nothing here reads the network or the clock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape

# Hugo's shortcode arguments: `name=value` or a value alone; a value in double quotes (with
# backslash escapes), in backticks (raw), or bare.
_ARG = re.compile(r'\s*(?:([A-Za-z_][\w-]*)\s*=\s*)?("(?:[^"\\]|\\.)*"|`[^`]*`|[^\s"`=]+)', re.S)
_ESCAPE = re.compile(r"\\(.)", re.S)


def hugo_args(inner: str) -> tuple[list[str], dict[str, str]] | None:
    """A shortcode's words after `{{<` as (positional, named), the name first among the
    positional; None when they do not read as arguments (a stray quote)."""
    positional: list[str] = []
    named: dict[str, str] = {}
    at, end = 0, len(inner.rstrip())
    while at < end:
        m = _ARG.match(inner, at)
        if m is None:
            return None
        raw = m.group(2)
        if raw.startswith('"'):
            value = _ESCAPE.sub(r"\1", raw[1:-1])
        elif raw.startswith("`"):
            value = raw[1:-1]
        else:
            value = raw
        if m.group(1):
            named[m.group(1).lower()] = value
        else:
            positional.append(value)
        at = m.end()
    return positional, named


def code_block(content: str, lang: str, *, html: bool) -> str:
    """Code shown as written: a fenced block in Markdown (a fence longer than any run of
    backticks in it), `<pre><code>` in an HTML post. Starts and ends on a line of its own."""
    lang = "".join(re.findall(r"[\w+#.-]", lang))[:40]
    content = content.strip("\r\n")
    if html:
        attr = f' class="language-{lang}"' if lang else ""
        return f"\n<pre><code{attr}>{escape(content, quote=False)}</code></pre>\n"
    longest = max((len(run) for run in re.findall(r"`{3,}", content)), default=2)
    fence = "`" * (longest + 1)
    return f"\n{fence}{lang}\n{content}\n{fence}\n"


def figure(named: Mapping[str, str], *, html: bool) -> str | None:
    """Hugo's `figure`: an image with its link, title, caption and attribution. The caption is
    Markdown (as Hugo renders it): in a Markdown post it goes between blank lines inside the
    `figcaption`, where CommonMark reads it as a paragraph. None without `src`."""
    src = named.get("src", "").strip()
    if not src:
        return None
    attrs = [
        f'src="{escape(src)}"',
        f'alt="{escape(named.get("alt") or named.get("caption") or "")}"',
    ]
    attrs += [
        f'{k}="{escape(named[k])}"' for k in ("width", "height") if named.get(k, "").isdigit()
    ]
    img = f"<img {' '.join(attrs)}>"
    if named.get("link"):
        img = f'<a href="{escape(named["link"])}">{img}</a>'
    caption = named.get("caption", "")
    attribution = named.get("attr", "")
    if attribution:
        shown = escape(attribution, quote=False)
        if named.get("attrlink"):
            shown = f'<a href="{escape(named["attrlink"])}">{shown}</a>'
        caption = f"{caption} {shown}" if caption else shown
    title = named.get("title", "")
    if not (caption or title):
        return f"\n\n<figure>\n{img}\n</figure>\n\n"
    heading = f"<h4>{escape(title, quote=False)}</h4>\n" if title else ""
    if not caption:
        text = ""
    elif html:
        text = f"<p>{escape(caption, quote=False) if not attribution else caption}</p>\n"
    else:
        text = "\n" + " ".join(caption.split()) + "\n\n"
    return f"\n\n<figure>\n{img}\n<figcaption>\n{heading}{text}</figcaption>\n</figure>\n\n"


_VIDEO_ID = re.compile(r"[\w-]{1,64}")


def youtube(video: str, title: str) -> str | None:
    """A YouTube video as its still image linked to the video, and a link in words (feed
    readers show no player; the image may be blocked). None for an id that is none."""
    if not _VIDEO_ID.fullmatch(video):
        return None
    watch = f"https://www.youtube.com/watch?v={video}"
    still = f"https://i.ytimg.com/vi/{video}/hqdefault.jpg"
    words = escape(title or "YouTube video")
    return (
        f'<a href="{watch}"><img src="{still}" alt="{words}"></a><br>'
        f'<a href="{watch}">▶ Watch {"“" + words + "”" if title else "the video"} on YouTube</a>'
    )


def vimeo(video: str, title: str) -> str | None:
    """A Vimeo video as a link to it (its still image needs Vimeo's API)."""
    if not re.fullmatch(r"\d{1,20}", video):
        return None
    words = f"“{escape(title)}”" if title else "the video"
    return f'<a href="https://vimeo.com/{video}">▶ Watch {words} on Vimeo</a>'


def gist(user: str, gist_id: str, file: str) -> str | None:
    """A gist as a link to it (to the file within it when one is named); `user` may be ""."""
    if not re.fullmatch(r"[0-9a-fA-F]{1,64}|\d{1,20}", gist_id) or not re.fullmatch(
        r"[\w-]{0,64}", user
    ):
        return None
    url = f"https://gist.github.com/{user + '/' if user else ''}{gist_id}"
    name = f"{user}/{gist_id}" if user else gist_id
    if file:
        url += "#file-" + re.sub(r"[^\w-]", "-", file.lower())
        return f'<a href="{escape(url)}">{escape(file)} (gist {name} on GitHub)</a>'
    return f'<a href="{url}">Gist {name} on GitHub</a>'


def social(kind: str, positional: list[str], named: Mapping[str, str]) -> str | None:
    """Hugo's `tweet`/`x` and `instagram`: a link to the post."""
    if kind == "instagram":
        post = named.get("id") or (positional[1] if len(positional) > 1 else "")
        if not re.fullmatch(r"[\w-]{1,64}", post):
            return None
        return f'<a href="https://www.instagram.com/p/{post}/">Instagram post {post}</a>'
    user = named.get("user", "")
    status = named.get("id") or (positional[-1] if len(positional) > 1 else "")
    if not re.fullmatch(r"\d{1,25}", status) or not re.fullmatch(r"\w{0,64}", user):
        return None
    who = user or "i"
    return (
        f'<a href="https://x.com/{who}/status/{status}">Post by {"@" + user if user else "X"}</a>'
    )


def embed(name: str, positional: list[str], named: Mapping[str, str]) -> str | None:
    """A video, gist or social post (Hugo's shortcode or Jekyll's plugin tag of that name) as
    the links above; None when its arguments name none."""
    first = named.get("id") or (positional[0] if positional else "")
    title = named.get("title", "")
    if name == "youtube":
        return youtube(first, title)
    if name == "vimeo":
        return vimeo(first, title)
    if name == "gist":
        if len(positional) == 1 or (positional and "/" in positional[0]):
            user, _, gist_id = positional[0].rpartition("/")  # Jekyll: [user/]id [file]
            file = positional[1] if len(positional) > 1 else ""
        else:
            user, gist_id = [*positional, "", ""][:2]
            file = positional[2] if len(positional) > 2 else ""
        return gist(user, gist_id, file)
    return social(name, [name, *positional], named)


def link_warning(kind: str, target: str) -> str:
    """What is said of a link tag (`expand`'s `LINK_KINDS`) whose target names no post."""
    if kind in ("post_url", "link"):
        shown = f"{{% {kind} {target} %}}"
        fix = (
            "name the post's file without its extension: {% post_url 2010-07-21-name %}"
            if kind == "post_url"
            else "give the path of a post's file: {% link _posts/2010-07-21-name.md %}"
        )
    else:
        shown = f'{{{{< {kind} "{target}" >}}}}'
        fix = "give a post's path below posts/, its file name, or its bundle's folder"
    return f"{shown} names no post of this site; removed — {fix}"


# --- Liquid output: `{{ site.baseurl }}`, `{{ "/img/x.png" | relative_url }}` ---------------

# The values a build gives Liquid output and Hugo's `param` (`scofeed.site.refs.page_params`
# makes them); the site's are Jekyll's: `url` the scheme and host, `baseurl` the path.
KNOWN_VALUES = frozenset(
    {
        "site.url", "site.baseurl", "site.title", "site.description", "site.author",
        "page.title", "page.url", "page.date", "page.slug", "page.author", "page.summary",
    }
)  # fmt: skip

_VALUE = re.compile(r"""\s*("[^"]*"|'[^']*'|-?\d+(?:\.\d+)?|[A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*""")
_PIPE = re.compile(r"""((?:"[^"]*"|'[^']*'|[^|"'])*)""")


def _absolute(url: str) -> bool:
    return url.startswith("//") or re.match(r"[A-Za-z][\w+.-]*:", url) is not None


def liquid_output(
    expression: str, params: Mapping[str, object] | None
) -> tuple[str, str | None, bool]:
    """`{{ expression }}` worked out: (text, what is wrong or None, whether it is the bare
    site.url or site.baseurl, a prefix a link tag after it makes needless). Without `params`
    the known values stand as empty text (the caller only wants the warnings)."""
    parts = [p for p in _PIPE.findall(expression) if p is not None]
    head, filters = (parts[0] if parts else ""), [p.strip() for p in parts[1:] if p.strip()]

    def value(token: str) -> tuple[str, str | None]:
        m = _VALUE.fullmatch(token)
        if m is None:
            return "", f"{{{{ {expression.strip()} }}}} is Liquid scofeed cannot read"
        word = m.group(1)
        if word[0] in "\"'":
            return word[1:-1], None
        if word[0].isdigit() or word[0] == "-":
            return word, None
        if params is not None and word in params:
            got = params[word]
            return ("" if got is None else str(got)), None
        if params is None and word in KNOWN_VALUES:
            return "", None
        if word.startswith("site."):
            return "", f"{{{{ {word} }}}} is a value of the old site's _config.yml scofeed has not"
        return "", f"{{{{ {word} }}}} is a value scofeed does not know"

    text, problem = value(head)
    if problem:
        return "", problem, False
    site = (params or {}).get
    for item in filters:
        name, _, rest = item.partition(":")
        name = name.strip()
        arg = ""
        if rest:
            arg, problem = value(rest.split(",")[0])
            if problem:
                return "", problem, False
        if name == "relative_url":
            text = text if _absolute(text) else f"{site('site.baseurl') or ''}/{text.lstrip('/')}"
        elif name == "absolute_url":
            if not _absolute(text):
                text = f"{site('site.url') or ''}{site('site.baseurl') or ''}/{text.lstrip('/')}"
        elif name == "prepend":
            text = arg + text
        elif name == "append":
            text = text + arg
        elif name == "default":
            text = text or arg
        elif name in ("escape", "xml_escape", "escape_once"):
            text = escape(text)
        elif name in ("downcase", "upcase", "strip"):
            text = getattr(text, {"downcase": "lower", "upcase": "upper"}.get(name, name))()
        else:
            return "", f"{{{{ … | {name} }}}} is a Liquid filter scofeed does not apply", False
    bare = not filters and head.strip() in ("site.url", "site.baseurl")
    return text, None, bare
