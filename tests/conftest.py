"""Shared fixtures: the repository's paths, a project builder, and `--update-golden`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scofeed.config import Config, load_config

REPO = Path(__file__).resolve().parent.parent
POSTS = REPO / "posts"
GOLDEN = Path(__file__).resolve().parent / "golden"
# The clock every test build runs at: long after the seed's posts, never the real time.
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/golden/ from the current output instead of comparing with it.",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def project(tmp_path: Path) -> Callable[..., Config]:
    """A project folder in tmp_path with the given posts ({name: text}) and scofeed.toml text."""

    def make(posts: dict[str, str] | None = None, toml: str = "", seed: bool = False) -> Config:
        store = tmp_path / "posts"
        store.mkdir(exist_ok=True)
        if seed:
            for path in POSTS.glob("*.md"):
                shutil.copy(path, store / path.name)
        for name, text in (posts or {}).items():
            target = store / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        if toml:
            (tmp_path / "scofeed.toml").write_text(toml, encoding="utf-8")
        return load_config(tmp_path)

    return make


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`scofeed ARGS` in a real subprocess, as a user (or cron) runs it."""
    return subprocess.run(
        [sys.executable, "-m", "scofeed", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` (relative POSIX path -> bytes)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def post(front: str, body: str = "Body text.") -> str:
    return f"---\n{front.strip()}\n---\n\n{body}\n"
