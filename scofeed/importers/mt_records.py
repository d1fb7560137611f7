"""The Movable Type import format, read into records: `KEY: value` lines, then sections each
after a line of five dashes, each record ended by a line of eight dashes. Line numbers are kept
for every message; `scofeed.importers.mt` turns the records into posts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from scofeed.errors import Problem
from scofeed.importers.html import clean

RECORD_END = "--------"
SECTION_END = "-----"
_KEY = re.compile(r"^([A-Za-z](?:[A-Za-z0-9 _-]*[A-Za-z0-9_-])?)[ \t]*:[ \t]*(.*)$")
_SECTION = re.compile(r"^([A-Z][A-Z0-9 _-]*):[ \t]*(.*)$")


@dataclass
class Record:
    number: int
    line: int  # of its first line
    meta: list[tuple[int, str, str]] = field(default_factory=list)  # (line, KEY, value)
    sections: list[tuple[int, str, str]] = field(default_factory=list)  # (line, NAME, text)


def read_records(lines: Iterable[str], source: str, problems: list[Problem]) -> Iterator[Record]:
    """Split the export into records and their sections, keeping line numbers for messages."""
    count = 0
    chunk: list[tuple[int, str]] = []
    for number, raw in enumerate(lines, 1):
        line = clean(raw)
        if line.strip() != RECORD_END:
            chunk.append((number, line))
            continue
        if any(text.strip() for _, text in chunk):
            count += 1
            yield _record(count, chunk, source, problems)
        chunk = []
    rest = [(n, line) for n, line in chunk if line.strip()]
    if rest:
        problems.append(
            Problem(
                source,
                rest[0][0],
                f"record {count + 1} is not ended by a line of eight dashes (--------); "
                "the export may be cut short: export it again, or add the line if the record is "
                "whole",
            )
        )


def _record(
    number: int, lines: list[tuple[int, str]], source: str, problems: list[Problem]
) -> Record:
    first = next(n for n, text in lines if text.strip())
    record = Record(number=number, line=first)
    pieces: list[list[tuple[int, str]]] = [[]]
    for n, text in lines:
        if text.strip() == SECTION_END:
            pieces.append([])
        else:
            pieces[-1].append((n, text))
    meta, *sections = pieces
    for i, (n, text) in enumerate(meta):
        line = text.strip()
        if not line:
            continue
        match = _KEY.match(line)
        if match is None:
            problems.append(
                Problem(
                    source,
                    n,
                    f'record {number}: "{short(line)}" is not a KEY: value line; a record '
                    "starts with lines such as TITLE: A title, then a line of five dashes (-----)",
                )
            )
            continue
        key = " ".join(match.group(1).upper().split())
        if key == "START BODY":  # old exports: the rest of the record is the body
            sections.insert(0, [(n, "BODY:"), *meta[i + 1 :]])
            break
        record.meta.append((n, key, match.group(2).strip()))
    for piece in sections:
        body = _trim(piece)
        if not body:
            continue
        n, head = body[0]
        match = _SECTION.match(head.strip())
        if match is None:
            problems.append(
                Problem(
                    source,
                    n,
                    f'record {number}: "{short(head.strip())}" follows a line of five dashes but '
                    "opens no section (BODY:, EXTENDED BODY:, EXCERPT:, KEYWORDS:, COMMENT:, "
                    "PING:); a line of five dashes inside a text ends it, so change that line",
                )
            )
            continue
        content = [match.group(2)] if match.group(2) else []
        content += [text for _, text in body[1:]]
        name = " ".join(match.group(1).split())
        record.sections.append((n, name, "\n".join(content).strip("\n").rstrip()))
    return record


def _trim(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    start = next((i for i, (_, t) in enumerate(lines) if t.strip()), len(lines))
    end = next((i for i in range(len(lines), 0, -1) if lines[i - 1][1].strip()), 0)
    return lines[start:end]


def short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
