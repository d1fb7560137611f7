"""`static/` beside the posts (Hugo's convention): files copied to the output as they are
(images, attachments, a favicon), each at the same path below output/. Only regular files are
copied; hidden ones (`.git`, editors' swap files) are not; a link out of the folder, a FIFO or
an unreadable file is a problem by name, as in the post store."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scofeed.config import Config
from scofeed.errors import Problem
from scofeed.posts.files import file_version, shown, walk_files


@dataclass(frozen=True)
class StaticFile:
    path: str  # below static/ and below output/
    source: Path
    key: str  # the source file's version: a new one is read and published again


def static_files(config: Config) -> tuple[list[StaticFile], list[Problem]]:
    root = config.static_dir
    if not root.is_dir():
        return [], []
    files, problems = [], []
    for key, real, stat in walk_files(root, None, "the static folder", skip_hidden=True):
        if not isinstance(stat, str) and not key.isprintable():
            stat = "has a control character in its name, which no address can carry; rename it"
        if isinstance(stat, str):
            problems.append(Problem(f"{shown(root, config.root)}/{key}", None, stat))
        else:
            files.append(StaticFile(key, Path(real), f"static {file_version(stat)}"))
    return files, problems
