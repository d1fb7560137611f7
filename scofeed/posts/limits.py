"""Bounds on what one post may cost, checked when it is read: its size, how far its YAML
expands, how deep its body nests, how long a name may be. A post past a bound is a bad post
with a clear message; none can make a build run for minutes or run out of memory.

Why these: the sanitiser (ammonia, through nh3) is quadratic in nesting depth (20,000 nested
elements take over a second, 200,000 never end), libxml2 flattens trees deeper than 255
without a word, YAML aliases can expand nine lines into billions of values, and a country or tag
name becomes a folder name, which the file system caps at 255 bytes.
"""

from __future__ import annotations

import re
from typing import Any

# A post larger than this is almost certainly not a post (a pasted dump, a binary) and would
# make every feed that carries it unreadable in a feed reader.
MAX_POST_BYTES = 4 * 1024 * 1024
# Front matter values once aliases are expanded: a real post has a few dozen.
MAX_YAML_VALUES = 10_000
# Blocks and elements inside one another: real posts stay under 20.
MAX_DEPTH = 100
# A country, tag or category name, in characters; and the folder a name makes, in bytes (file
# systems allow 255).
MAX_NAME = 200
MAX_FOLDER_NAME = 200


def yaml_values(node: Any) -> int:
    """How many values a composed YAML node graph holds once its aliases are expanded, counted
    to `MAX_YAML_VALUES + 1` at most (a cycle counts as too many). Linear in the graph."""
    import yaml

    sizes: dict[int, int] = {}
    cap = MAX_YAML_VALUES + 1

    def size(n: Any, seen: frozenset[int]) -> int:
        key = id(n)
        if key in sizes:
            return sizes[key]
        if key in seen:
            return cap  # an alias of itself: endless
        total = 1
        if isinstance(n, yaml.SequenceNode):
            children = n.value
        elif isinstance(n, yaml.MappingNode):
            children = [c for pair in n.value for c in pair]
        else:
            children = []
        for child in children:
            total = min(cap, total + size(child, seen | {key}))
            if total >= cap:
                break
        sizes[key] = total
        return total

    return size(node, frozenset())


# The start of a line that opens blocks: block quote markers, list markers, indentation.
_BLOCK_PREFIX = re.compile(r"(?:[ \t]|>|[-+*](?=[ \t])|\d{1,9}[.)](?=[ \t]))+")
_OPENERS = frozenset(" \t>-+*0123456789")
_MARKER = re.compile(r"[-+*]|\d[.)]")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?(/?)>")
# Elements that never hold others, or whose end tag HTML lets a writer leave out: they do not
# count, so an old post full of unclosed <p> is not taken for a deep one.
_FLAT = frozenset((
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot",
    "option", "optgroup", "colgroup", "caption", "rb", "rt", "rp",
))  # fmt: skip


def nesting(markdown: str) -> tuple[int, int]:
    """(depth, line): an upper bound of how deep the body's blocks and HTML elements nest once
    rendered, and a line where it is reached. Linear in the text."""
    deepest, line = 0, 1
    for number, text in enumerate(markdown.split("\n"), 1):
        # Splitting and looking at each line's first character is several times quicker than
        # a multi-line regex, which tries every position for a line start.
        if not text or text[0] not in _OPENERS:
            continue
        match = _BLOCK_PREFIX.match(text)
        if match is None or len(match.group()) <= deepest:
            continue  # each level takes a character at least: this line goes no deeper
        prefix = match.group()
        depth = prefix.count(">") + len(_MARKER.findall(prefix))
        depth += len(prefix.expandtabs(4)) // 4
        if depth > deepest:
            deepest, line = depth, number
    open_tags: list[str] = []
    html_deepest, html_line = 0, 1
    for match in _TAG.finditer(markdown) if "<" in markdown else ():
        closing, name, empty = match.group(1), match.group(2).lower(), match.group(3)
        if name in _FLAT or empty:
            continue
        if not closing:
            open_tags.append(name)
            if len(open_tags) > html_deepest:
                html_deepest = len(open_tags)
                html_line = markdown.count("\n", 0, match.start()) + 1
                if deepest + html_deepest > MAX_DEPTH:
                    break  # too deep already: no need to read on
            continue
        # An end tag closes the nearest open element of its name (and what is open inside it);
        # looked for a few levels down only, so that stray end tags cannot make this quadratic.
        for back in range(1, min(len(open_tags), 16) + 1):
            if open_tags[-back] == name:
                del open_tags[-back:]
                break
    if html_deepest > deepest:
        line = html_line
    return deepest + html_deepest, line
