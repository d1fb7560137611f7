"""Liquid tags (Jekyll) and Hugo shortcodes in a post's body, done before Markdown: the common
ones rendered, any other removed with a warning; never published as raw text.

`expand` is pure and linear in the body's size: one pass from left to right, every search for
a closing mark remembered (`_Next`), so no input makes it go back over the text (a body of 4 MiB
of `{{<` takes as long as any other). A body without `{%` or `{{` is returned as it is.

Code keeps what it shows: fenced and indented code blocks and inline code spans are left as
they are (that is how a post about Liquid or Hugo shows a tag), but for the markers that exist
to show tags in code: Liquid's `{% raw %}`/`{% endraw %}` are removed and Hugo's comment form
`{{</* x */>}}` becomes `{{< x >}}`. Tags that are not code and that scofeed does not render
(`{% if %}`, `{{< notice >}}`) are removed one by one; the text between an opening and a
closing tag is kept.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from scofeed.posts import shortcode_html as made
from scofeed.posts.markdown_code import code_literal, code_regions

# links(kind, target): the absolute URL of the post a link tag names, or None when it names
# none. kind is "post_url", "link" (Jekyll), "ref" or "relref" (Hugo); target as written.
Links = Callable[[str, str], str | None]

# What a link tag becomes when no `links` is given (the caller only wants the warnings): no
# URL a feed could carry (nh3 drops the scheme), so a slip never publishes a working link.
UNRESOLVED = "scofeed-unresolved:"
LINK_KINDS = ("post_url", "link", "ref", "relref")
# Past this many, one more warning says how many followed (a body of 100,000 `{% x %}`).
MAX_WARNINGS = 50


@dataclass(frozen=True, slots=True)
class Expansion:
    text: str
    warnings: tuple[tuple[int, str], ...] = ()  # (line in the body, 1-based; message)
    links: tuple[tuple[int, str, str], ...] = ()  # every link tag: (line, kind, target)


def expand(
    body: str,
    *,
    links: Links | None = None,
    params: Mapping[str, object] | None = None,
    markup: str = "markdown",
) -> Expansion:
    """The body with its Liquid tags and Hugo shortcodes done, and what was said of them.
    `params` holds the values Liquid output and Hugo's `param` may name (see
    `shortcode_html.KNOWN_VALUES`); `markup="html"` for a `.html` post (no Markdown code)."""
    if "{%" not in body and "{{" not in body:
        return Expansion(body)
    return _Expander(body, links, params, markup == "html").run()


_SHORTCODE = r"\{\{[<%]"
_CANDIDATE = re.compile(r"`+|\{\{|\{%")
_PARAGRAPH_END = re.compile(r"\n[ \t\r]*\n")
_LIQUID_START = re.compile(r"-?\s*[\w\"'\[(}-]")
_BLOCK_END = {"raw": "endraw", "comment": "endcomment", "highlight": "endhighlight"}
# Liquid's control flow: removed like any other tag, with a word that the text between stays.
_CONTROL = frozenset(
    {
        "if", "elsif", "else", "endif", "unless", "endunless", "case", "when", "endcase",
        "for", "endfor", "break", "continue", "capture", "endcapture", "tablerow",
        "endtablerow", "cycle", "assign", "increment", "decrement",
    }
)  # fmt: skip


class _Next:
    """The next match of a pattern at or after a position, remembered: asked with positions
    that only grow, the text is searched once in all."""

    def __init__(self, text: str, pattern: re.Pattern[str]) -> None:
        self.text, self.pattern = text, pattern
        self.at = -1
        self.hit: tuple[int, int] | None = None

    def __call__(self, pos: int) -> tuple[int, int] | None:
        if not (0 <= self.at <= pos and (self.hit is None or self.hit[0] >= pos)):
            m = self.pattern.search(self.text, pos)
            self.at, self.hit = pos, (m.span() if m else None)
        return self.hit


class _Expander:
    def __init__(
        self, text: str, links: Links | None, params: Mapping[str, object] | None, html: bool
    ) -> None:
        self.text, self.links, self.params, self.html = text, links, params, html
        self.out: list[str] = []
        self.warnings: list[tuple[int, str]] = []
        self.found: list[tuple[int, str, str]] = []
        self.dropped = 0
        self.newlines: list[int] | None = None
        self.nexts: dict[str, _Next] = {}
        # Output pieces that were a bare {{ site.url }} / {{ site.baseurl }} with nothing after
        # them yet: Jekyll 3 posts write `{{ site.baseurl }}{% post_url x %}`, and the link is
        # absolute here, so such a prefix is dropped.
        self.prefixes: list[int] = []
        self.open_unknown: dict[str, int] = {}  # unknown Hugo shortcodes opened, by name
        self.runs: dict[int, list[int]] | None = None  # backtick runs by length, for code spans

    # --- helpers ----------------------------------------------------------------------------

    def next(self, key: str, pos: int) -> tuple[int, int] | None:
        finder = self.nexts.get(key)
        if finder is None:
            pattern = _PARAGRAPH_END if key == "¶" else re.compile(key)
            finder = self.nexts[key] = _Next(self.text, pattern)
        return finder(pos)

    def closer(self, mark: str, start: int, opener: str) -> int | None:
        """The end of the tag that opened before `start` and ends with `mark`, when it ends in
        the same paragraph (a tag never spans a blank line) and before another tag (`opener`)
        opens: else the tag is never closed."""
        hit = self.next(re.escape(mark), start)
        if hit is None:
            return None
        for stop in (self.next("¶", start), self.next(opener, start)):
            if stop is not None and stop[0] < hit[0]:
                return None
        return hit[1]

    def line(self, pos: int) -> int:
        if self.newlines is None:
            self.newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_left(self.newlines, pos) + 1

    def warn(self, pos: int, message: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append((self.line(pos), message))
        else:
            self.dropped += 1

    def emit(self, piece: str, *, prefix: bool = False) -> None:
        if piece and not prefix:
            self.prefixes.clear()
        if prefix:
            self.prefixes.append(len(self.out))
        self.out.append(piece)

    def emit_link(self, url: str) -> None:
        for index in self.prefixes:
            self.out[index] = ""
        self.emit(url)

    def emit_block(self, block: str) -> None:
        """A block that must start on a line of its own."""
        if self.out and self.out[-1] and not self.out[-1].endswith("\n"):
            block = "\n" + block
        self.emit(block)

    # --- the pass ---------------------------------------------------------------------------

    def run(self) -> Expansion:
        text, n = self.text, len(self.text)
        regions = [] if self.html else code_regions(text)
        region = 0
        pos = 0
        while pos < n:
            while region < len(regions) and regions[region][0] < pos:
                region += 1  # passed over by a block tag (a fence inside {% highlight %})
            stop = regions[region][0] if region < len(regions) else n
            m = _CANDIDATE.search(text, pos, stop)
            if m is None:
                self.emit(text[pos:stop])
                if stop < n:
                    start, end = regions[region]
                    self.emit(code_literal(text[start:end]))
                    pos = end
                else:
                    pos = n
                continue
            self.emit(text[pos : m.start()])
            mark = m.group()
            if mark.startswith("`"):
                pos = self.code_span(m.start(), len(mark), stop)
            elif mark == "{%":
                pos = self.liquid_tag(m.start())
            elif text.startswith(("{{<", "{{%"), m.start()):
                pos = self.shortcode(m.start())
            else:
                pos = self.liquid_output(m.start())
        if self.dropped:
            last = self.warnings[-1][0] if self.warnings else 1
            self.warnings.append(
                (last, f"and {self.dropped} more Liquid tags or Hugo shortcodes, removed as above")
            )
        return Expansion("".join(self.out), tuple(self.warnings), tuple(self.found))

    def code_span(self, start: int, width: int, stop: int) -> int:
        """A run of backticks: with its closing run (as long, before the paragraph or the next
        code block ends) an inline code span, kept as it shows; else literal backticks."""
        if self.html:
            self.emit(self.text[start : start + width])
            return start + width
        if self.runs is None:
            self.runs = {}
            for run in re.finditer("`+", self.text):
                self.runs.setdefault(len(run.group()), []).append(run.start())
        same = self.runs.get(width, [])
        i = bisect.bisect_right(same, start)
        paragraph = self.next("¶", start)
        limit = min(stop, paragraph[0] if paragraph else len(self.text))
        if i < len(same) and same[i] < limit:
            end = same[i] + width
            self.emit(code_literal(self.text[start:end]))
            return end
        self.emit(self.text[start : start + width])
        return start + width

    # --- Liquid -----------------------------------------------------------------------------

    def liquid_tag(self, start: int) -> int:
        text = self.text
        end = self.closer("%}", start + 2, r"\{%")
        if end is None:
            self.warn(
                start,
                "{% is a Liquid tag that is never closed with %}; removed — close "
                "the tag, or write {% raw %}{%{% endraw %} to show the characters",
            )
            return start + 2
        inner = text[start + 2 : end - 2]
        if inner.startswith("-") and self.out:  # {%- trims the white space before
            self.out[-1] = self.out[-1].rstrip()
        after = end
        if inner.endswith("-"):  # -%} trims the white space after
            while after < len(text) and text[after].isspace():
                after += 1
        words = inner.strip("-").split(None, 1)
        name = words[0] if words else ""
        markup = words[1].strip() if len(words) > 1 else ""
        if name in _BLOCK_END:
            return self.liquid_block(start, end, name, markup)
        if name in ("post_url", "link"):
            self.link(start, name, markup.strip("\"'"))
        elif name in ("include", "include_relative", "include_cached"):
            file = markup.split()[0] if markup else ""
            self.warn(
                start,
                f"{{% {name} {file} %}} names a file of Jekyll's _includes/, which "
                "scofeed does not have; removed — write what it showed into the post",
            )
        elif name in ("gist", "youtube", "vimeo"):
            args = markup.replace('"', " ").replace("'", " ").split()
            self.embed(start, f"{{% {name} %}}", name, args, {})
        elif name in ("endraw", "endcomment", "endhighlight"):
            self.warn(start, f"{{% {name} %}} closes no {{% {name[3:]} %}}; removed")
        else:
            shown = f"{{% {name} %}}" if name else "{% %}"
            kept = " (the text between its tags is kept)" if name in _CONTROL else ""
            self.warn(
                start,
                f"{shown} is a Liquid tag scofeed does not render; removed{kept} — "
                "write the HTML or Markdown it stood for",
            )
        return after

    def liquid_block(self, start: int, end: int, name: str, markup: str) -> int:
        """{% raw %}, {% comment %} and {% highlight %}: up to their end tag."""
        closing = _BLOCK_END[name]
        hit = self.next(r"\{%-?\s*" + closing + r"\s*-?%\}", end)
        if hit is None:
            self.warn(
                start,
                f"{{% {name} %}} is never closed; removed — add {{% {closing} %}} where it ends",
            )
            return end
        inner = self.text[end : hit[0]]
        if name == "raw":
            self.emit(inner)
        elif name == "highlight":
            lang = markup.split()[0] if markup else ""
            self.emit_block(made.code_block(code_literal(inner), lang, html=self.html))
        return hit[1]

    def liquid_output(self, start: int) -> int:
        text = self.text
        if not _LIQUID_START.match(text, start + 2):  # `{{ .Title }}`, `{{{`: no Liquid
            self.emit("{")
            return start + 1
        end = self.closer("}}", start + 2, r"\{\{")
        if end is None:
            self.warn(
                start,
                "{{ is a Liquid output tag that is never closed with }}; removed — "
                "close it, or write {% raw %}{{{% endraw %} to show the characters",
            )
            return start + 2
        expression = text[start + 2 : end - 2].strip("-")
        value, problem, bare = made.liquid_output(expression, self.params)
        if problem:
            self.warn(start, f"{problem}; removed — write the text it stood for")
            return end
        self.emit(value, prefix=bare)
        return end

    # --- Hugo -------------------------------------------------------------------------------

    def shortcode(self, start: int) -> int:
        text = self.text
        kind = text[start + 2]  # "<" or "%"
        shut = ">" if kind == "<" else "%"
        if text.startswith("/*", start + 3):  # {{</* x */>}}: shows the shortcode itself
            end = self.closer(f"*/{shut}}}}}", start + 5, _SHORTCODE)
            if end is not None:
                self.emit(f"{{{{{kind}{text[start + 5 : end - 5]}{shut}}}}}")
                return end
        end = self.closer(f"{shut}}}}}", start + 3, _SHORTCODE)
        if end is None:
            self.warn(
                start,
                f"{{{{{kind} is a Hugo shortcode that is never closed with "
                f"{shut}}}}}; removed — close it",
            )
            return start + 3
        inner = text[start + 3 : end - 3].strip()
        closing = inner.startswith("/")
        inner = inner.removeprefix("/").removesuffix("/")
        args = made.hugo_args(inner)
        if not args or not args[0]:
            self.warn(
                start,
                f"{{{{{kind} {inner[:40]} {shut}}}}} is no shortcode Hugo reads; "
                "removed — write the HTML or Markdown it stood for",
            )
            return end
        positional, named = args
        name = positional.pop(0)
        shown = f"{{{{{kind} {name} {shut}}}}}"
        if closing:
            if self.open_unknown.get(name):
                self.open_unknown[name] -= 1  # its opening tag was warned about
            else:
                self.warn(start, f"{{{{{kind} /{name} {shut}}}}} closes no {shown}; removed")
            return end
        if name in ("highlight", "comment"):
            return self.hugo_block(start, end, name, positional)
        if name in ("ref", "relref"):
            self.link(start, name, named.get("path") or (positional[0] if positional else ""))
        elif name == "param":
            key = (named.get("name") or (positional[0] if positional else "")).lower()
            for where in (f"page.{key}", f"site.{key}"):
                if (self.params is None and where in made.KNOWN_VALUES) or (
                    self.params is not None and where in self.params
                ):
                    got = self.params.get(where) if self.params is not None else ""
                    self.emit("" if got is None else str(got))
                    break
            else:
                self.warn(
                    start,
                    f"{{{{{kind} param {key} {shut}}}}} names a value scofeed does "
                    "not know; removed — write the value",
                )
        elif name == "figure":
            block = made.figure(named, html=self.html)
            if block is None:
                self.warn(start, f'{shown} has no src; removed — give it src="image.jpg"')
            else:
                self.emit_block(block)
        elif name in ("youtube", "vimeo", "gist", "tweet", "twitter", "x", "instagram"):
            self.embed(start, shown, name, positional, named)
        else:
            self.open_unknown[name] = self.open_unknown.get(name, 0) + 1
            self.warn(
                start,
                f"{shown} is a Hugo shortcode scofeed does not render; removed "
                "(the text up to its closing tag is kept) — write the HTML or Markdown "
                "it stood for",
            )
        return end

    def hugo_block(self, start: int, end: int, name: str, positional: list[str]) -> int:
        """{{< highlight go >}} and {{< comment >}}: up to {{< /name >}}."""
        hit = self.next(r"\{\{[<%]\s*/\s*" + name + r"\s*[>%]\}\}", end)
        if hit is None:
            self.warn(
                start,
                f"{{{{< {name} >}}}} is never closed; removed — add "
                f"{{{{< /{name} >}}}} where it ends",
            )
            return end
        if name == "highlight":
            lang = positional[0] if positional else ""
            inner = code_literal(self.text[end : hit[0]])
            self.emit_block(made.code_block(inner, lang, html=self.html))
        return hit[1]

    # --- both -------------------------------------------------------------------------------

    def link(self, start: int, kind: str, target: str) -> None:
        target = target.strip()
        self.found.append((self.line(start), kind, target))
        if target.startswith("#"):  # Hugo: `ref "#heading"` is a place in this post
            self.emit(target)
            return
        if self.links is None:
            self.emit(UNRESOLVED + kind)
            return
        url = self.links(kind, target) if target else None
        if url is not None:
            self.emit_link(url)
            return
        self.warn(start, made.link_warning(kind, target))

    def embed(
        self, start: int, shown: str, name: str, positional: list[str], named: dict[str, str]
    ) -> None:
        piece = made.embed(name, positional, named)
        if piece is None:
            self.warn(
                start,
                f"{shown} names no {name} item scofeed can link to; removed — "
                "give its id as the site's address shows it",
            )
        else:
            self.emit(piece)
