"""The post file format, read and written in one place: YAML front matter between `---` lines,
then the body. The build, the importers and `scofeed new` all go through here, so they can
never disagree about what a file says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from scofeed.errors import Problem
from scofeed.infra.xmlsafe import ASCII_NOT_XML, NOT_XML
from scofeed.posts.limits import MAX_YAML_VALUES, yaml_values

# YAML is imported where it is used: a build whose posts all come from the cache never needs it.

_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")
_TOML_FENCE = re.compile(r"^\+\+\+[ \t]*$")

# The order keys are written in, as an editor reads them.
ORDER = (
    "title", "date", "updated", "author", "countries", "tags", "categories", "summary",
    "slug", "comments", "draft", "id", "aliases", "enclosures",
)  # fmt: skip


@dataclass(frozen=True)
class Document:
    """A post file as written: its front matter's values, the line of each key, its body."""

    meta: dict[str, Any]
    lines: dict[str, int]
    body: str
    body_line: int  # the file's line where the body starts


def decode(data: bytes) -> str:
    """A post file's text: UTF-8 without a byte order mark, lines ending in \\n, and without the
    characters XML forbids. Raises `UnicodeDecodeError`, whose `object` is the bytes decoded."""
    text = data.translate(None, ASCII_NOT_XML).decode("utf-8-sig")
    if not text.isascii():
        text = NOT_XML.sub("", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split(text: str) -> tuple[str, str, int, str, int] | Problem:
    """Front matter, body, the body's first line and the front matter's syntax ("yaml" between
    `---` lines, "toml" between `+++` lines, as Hugo and Zola write it). Blank lines before the
    opening line are allowed, as Hugo allows them."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    opening = lines[first].rstrip() if lines else ""
    if opening == "+++":
        closing: re.Pattern[str] = _TOML_FENCE
        syntax = "toml"
    elif _FENCE.match(opening) and not opening.startswith("..."):
        closing, syntax = _FENCE, "yaml"
    else:
        why = "has no front matter; start the file with a --- line (YAML) or a +++ line (TOML)"
        return Problem("", first + 1, why)
    end = next((i for i in range(first + 1, len(lines)) if closing.match(lines[i])), None)
    if end is None:
        fence = "+++" if syntax == "toml" else "---"
        return Problem("", first + 1, f"front matter is not closed; add a {fence} line after it")
    front, body = "\n".join(lines[first + 1 : end]), "\n".join(lines[end + 1 :])
    return front, body, end + 2, syntax, first


def body_of(text: str) -> str:
    """The body of a file already known to be a post."""
    split = _split(text)
    assert not isinstance(split, Problem)
    return split[1]


def read(data: bytes, path: str) -> Document | list[Problem]:
    """A post file's bytes -> its front matter and body, or the problems that stop it."""
    try:
        text = decode(data)
    except UnicodeDecodeError as exc:
        decoded = exc.object  # the bytes that were decoded: `data` without its ASCII controls
        line = decoded[: exc.start].count(b"\n") + 1
        why = f"byte 0x{decoded[exc.start]:02x} is not UTF-8; save the file as UTF-8"
        return [Problem(path, line, why)]
    split = _split(text)
    if isinstance(split, Problem):
        return [Problem(path, split.line, split.message)]
    front, body, body_line, syntax, offset = split  # offset: blank lines before the fence
    if syntax == "toml":
        parsed = _parse_toml(front, path, offset)
    else:
        parsed = _parse_yaml(front, path, offset)
    if isinstance(parsed, list):
        return parsed
    return Document(parsed[0], parsed[1], body, body_line)


_LOADER: Any = None


def _loader() -> Any:
    """Safe YAML, C speed when libyaml is there; dates stay strings so we parse them ourselves."""
    global _LOADER
    if _LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        _LOADER = type("_Loader", (base,), {})
        _LOADER.yaml_implicit_resolvers = {
            key: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
            for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }
    return _LOADER


def _parse_toml(
    front: str, path: str, offset: int
) -> tuple[dict[str, Any], dict[str, int]] | list[Problem]:
    """TOML front matter (Hugo's `+++`). tomllib gives no positions, so each top-level key's
    line is found in the text; its dates come as datetime values, which posts read as given."""
    import tomllib

    try:
        value = tomllib.loads(front)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        # "at end of document" names no line: the front matter's last is the one.
        line = int(found.group(1)) if found else front.count("\n") + 1
        line += 1 + offset
        why = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        return [Problem(path, line, f'front matter is not valid TOML ({why}); write key = "value"')]
    except RecursionError:
        return [Problem(path, 2 + offset, "front matter nests too deep to read; flatten it")]
    lines: dict[str, int] = {}
    for number, text in enumerate(front.split("\n"), 2 + offset):
        if text.lstrip().startswith("["):
            break  # a [table]: its keys are not the post's own
        key = _TOML_KEY.match(text)
        if key:
            lines.setdefault(key.group(2), number)
    return value, lines


_TOML_KEY = re.compile(r"^\s*([\"']?)([A-Za-z0-9_-]+)\1\s*=")


def _parse_yaml(
    front: str, path: str, offset: int = 0
) -> tuple[dict[str, Any], dict[str, int]] | list[Problem]:
    import yaml

    loader = _loader()(front)
    try:
        node = loader.get_single_node()
        # Only aliases (`*name`) make a document hold more than its text: none, no count.
        if node is not None and "*" in front and yaml_values(node) > MAX_YAML_VALUES:
            return [
                Problem(
                    path,
                    2 + offset,
                    f"front matter expands to over {MAX_YAML_VALUES:,} values (YAML aliases "
                    "repeat what they name); write the values out",
                )
            ]
        value = loader.construct_document(node) if node is not None else {}
    except RecursionError:
        return [Problem(path, 2 + offset, "front matter nests too deep to read; flatten it")]
    except ValueError as exc:  # a number past Python's limit of digits, say
        why = "a number too long to read; shorten it or write it in quotes"
        return [
            Problem(path, 2 + offset, f"front matter holds {why if 'digits' in str(exc) else exc}")
        ]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 + offset if mark is not None else 1
        why = exc.problem or exc.context or "cannot be read"
        return [
            Problem(
                path,
                line,
                f"front matter is not valid YAML ({why}); quote values that contain ': ' "
                "or start with a special character, and check the indentation",
            )
        ]
    except yaml.YAMLError as exc:
        return [Problem(path, 2 + offset, f"front matter is not valid YAML ({exc})")]
    finally:
        loader.dispose()
    if value is None:
        value = {}
    if not isinstance(value, dict) or not isinstance(node, yaml.MappingNode | type(None)):
        return [
            Problem(
                path, 2 + offset, "front matter must be `key: value` lines, like date: 2008-05-19"
            )
        ]
    key_lines: dict[str, int] = {}
    problems = []
    for key_node, _ in node.value if node is not None else ():
        key = str(key_node.value)
        line = key_node.start_mark.line + 2 + offset
        if key in key_lines:
            problems.append(
                Problem(path, line, f"{key} is given twice (also line {key_lines[key]}); keep one")
            )
        key_lines.setdefault(key, line)
    if problems:
        return problems
    return {str(k): v for k, v in value.items()}, key_lines


def dump(fields: dict[str, object]) -> str:
    """Front matter for `fields`, keys in the house order, None values left out; dates written
    bare, as editors write them."""
    import yaml

    lines = ["---"]
    for key in sorted(fields, key=lambda k: (*ORDER, k).index(k)):
        value = fields[key]
        if value is None:
            continue
        if isinstance(value, datetime | date):
            lines.append(f"{key}: {value.isoformat()}")
        else:
            dumped = yaml.safe_dump(
                {key: value}, allow_unicode=True, sort_keys=False, width=10_000,
                default_flow_style=True if isinstance(value, list) else None,
            )  # fmt: skip
            lines.append(dumped.strip().removeprefix("{").removesuffix("}"))
    lines.append("---")
    return "\n".join(lines) + "\n"
