"""Where a Markdown body holds code, as CommonMark finds it closely enough for
`scofeed.posts.shortcodes`: tags there are shown, not done. Linear in the body's size."""

from __future__ import annotations

import re

_RAW_MARK = re.compile(r"\{%-?\s*(?:end)?raw\s*-?%\}")
_HUGO_COMMENT = re.compile(r"\{\{([<%])/\*|\*/([>%])\}\}")


def code_literal(code: str) -> str:
    """Code as it shows: without `{% raw %}` markers, Hugo's comment form opened up."""
    if "{%" in code:
        code = _RAW_MARK.sub("", code)
    if "/*" in code or "*/" in code:
        code = _HUGO_COMMENT.sub(
            lambda m: "{{" + m.group(1) if m.group(1) else m.group(2) + "}}", code
        )
    return code


_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})([^\n]*)")
_LIST_ITEM = re.compile(r"( {0,3})([-+*]|\d{1,9}[.)])(?:[ \t]+|$)")


def _indent(line: str) -> int:
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def code_regions(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each fenced and indented code block, as CommonMark finds them
    closely enough: an indented block needs a blank line before it and, in a list, four columns
    past the item's text; a fence without its closing line runs to the end."""
    regions: list[tuple[int, int]] = []
    fence: tuple[str, int, int] | None = None  # character, length, start
    code: list[int] | None = None  # [start, end] of an indented block being read
    blank_before, list_indent = True, 0
    pos, n = 0, len(text)
    while pos < n:
        end = text.find("\n", pos)
        end = n if end < 0 else end + 1
        line = text[pos:end].rstrip("\r\n")
        start, pos = pos, end
        if fence is not None:
            m = _FENCE.fullmatch(line)
            closes = m and m.group(1)[0] == fence[0] and len(m.group(1)) >= fence[1]
            if m and closes and not m.group(2).strip():
                regions.append((fence[2], end))
                fence, blank_before = None, False
            continue
        if not line.strip():
            blank_before = True
            continue
        indent = _indent(line)
        if code is not None:
            if indent >= list_indent + 4:
                code[1] = end
                continue
            regions.append((code[0], code[1]))
            code = None
        elif indent >= list_indent + 4 and blank_before:
            code, blank_before = [start, end], False
            continue
        m = _FENCE.fullmatch(line)
        if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
            fence, blank_before = (m.group(1)[0], len(m.group(1)), start), False
            continue
        item = _LIST_ITEM.match(line)
        if item:
            width = len(item.group(0))
            list_indent = width if width < len(line) else len(line) + 1
        elif blank_before and indent < list_indent:
            list_indent = 0  # a paragraph out of the list ends it
        blank_before = False
    if code is not None:
        regions.append((code[0], code[1]))
    if fence is not None:
        regions.append((fence[2], n))
    return regions
