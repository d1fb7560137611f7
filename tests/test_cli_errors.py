"""How runs end, as the README's exit statuses promise: every configuration mistake is one
`Error:` line and status 2, a bug is `Error: internal error` and status 2 (its traceback with
--verbose), Ctrl-C is 130, and a reader that leaves early (`| head`) is no failure."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NOW, POSTS, make_store, run_cli

NOW_ISO = NOW.isoformat()


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            'permalink = "{year}/{category}/{slug}.html"\n',
            "permalink '{year}/{category}/{slug}.html': {category} is not a placeholder scofeed "
            'knows; use {year}, {month}, {day}, {slug}, such as "{year}/{month}/{slug}.html"',
        ),
        (
            'permalink = "{year}/{slug!r}.html"\n',
            "permalink '{year}/{slug!r}.html': {slug!r} is not a placeholder scofeed knows",
        ),
        (
            'permalink = "{year}/{month:>3}/{slug}.html"\n',
            "{month:>3} is not a placeholder scofeed knows",
        ),
        ('permalink = "{year}/{slug.html"\n', "permalink '{year}/{slug.html' cannot be read"),
        ('permalink = "{year}/index.html"\n', "permalink must contain {slug}"),
        ('permalink = "../{slug}.html"\n', "must be a path below base_url"),
        ('permalink = "{year}//{slug}.html"\n', "must be a path below base_url"),
        ('base_url = "https://example.org/sco"\n', 'base_url must end with "/"'),
        ("feed_limit = -1\n", "feed_limit must be 0 (every post) or more"),
        ("feed_limit = true\n", "feed_limit must be a whole number, not True"),
        ('tag_authority = "example"\n', "tag_authority 'example' must be a domain or email"),
        ("[gazetteer.Belarus]\nnames = 'Minsk'\n", "[gazetteer.Belarus] needs names ="),
        (
            "[gazetteer.Narnia]\nnames = ['Moscow']\n",
            "scofeed.toml: [gazetteer] 'Moscow' is listed for both Russia and Narnia; keep it "
            "under one country",
        ),
        ("[gazetteer.'***']\nnames = ['Stars']\n", "[gazetteer] '***' has no letters or digits"),
        ('posts_dir = "nowhere"\n', "nowhere: no such folder; create it, or pass --posts DIR"),
    ],
)
def test_every_configuration_mistake_is_one_error_line_and_status_2(
    tmp_path: Path, toml: str, message: str
) -> None:
    make_store(tmp_path, 0)
    (tmp_path / "scofeed.toml").write_text(toml)
    result = run_cli("build", "--now", NOW_ISO, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "output").exists()


# A build whose planner has a bug, run as the `scofeed` command runs.
BROKEN = """
import sys, scofeed.cli, scofeed.site.plan
def _broken(*args, **kwargs):
    raise RuntimeError("the renderer tripped")
scofeed.site.plan.plan_feeds = _broken
scofeed.cli.run(sys.argv[1:])
"""


def _run_broken(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BROKEN, *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_a_bug_is_an_internal_error_with_status_2(tmp_path: Path) -> None:
    make_store(tmp_path, 0)
    result = _run_broken(tmp_path, "build", "--now", NOW_ISO)
    assert result.returncode == 2
    assert result.stderr == (
        "Error: internal error: RuntimeError: the renderer tripped (run it again with --verbose "
        "for the traceback); please report it at https://github.com/scofeed/scofeed/issues\n"
    )
    result = _run_broken(tmp_path, "build", "--now", NOW_ISO, "--verbose")
    assert result.returncode == 2
    assert result.stderr.startswith("Traceback (most recent call last):\n")
    assert "in _broken\nRuntimeError: the renderer tripped\n" in result.stderr
    assert result.stderr.endswith(
        "Error: internal error: RuntimeError: the renderer tripped; please report it at "
        "https://github.com/scofeed/scofeed/issues\n"
    )
    assert not (tmp_path / "output").exists()


@pytest.mark.parametrize(
    "args", [("posts",), ("posts", "--format", "json"), ("countries",), ("tags",)]
)
def test_a_reader_that_leaves_at_once_is_no_failure(tmp_path: Path, args: tuple[str, ...]) -> None:
    """`scofeed posts | head -0`: stdout is closed before scofeed writes a byte."""
    make_store(tmp_path, 0)
    read_end, write_end = os.pipe()
    os.close(read_end)
    proc = subprocess.run(
        [sys.executable, "-m", "scofeed", *args, "--now", NOW_ISO],
        cwd=tmp_path,
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    os.close(write_end)
    assert proc.returncode == 0, proc.stderr
    assert "Error" not in proc.stderr and "Traceback" not in proc.stderr
    assert "Exception ignored" not in proc.stderr


def test_a_reader_that_leaves_after_one_line_is_no_failure(tmp_path: Path) -> None:
    """`scofeed posts | head -1` over more than a pipe holds: the write fails mid-way."""
    make_store(tmp_path, 600)
    proc = subprocess.Popen(
        [sys.executable, "-m", "scofeed", "posts", "--now", NOW_ISO],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().startswith(b"2010-01-28 23:00  published  note-")
    proc.stdout.close()  # with some 90 kB still to come, more than a pipe holds
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    assert err == ""  # it stops where the reader left, quietly


def test_ctrl_c_during_a_build_is_status_130_and_publishes_nothing(tmp_path: Path) -> None:
    make_store(tmp_path, 0)
    proc = subprocess.Popen(
        [sys.executable, "-m", "scofeed", "build", "--now", NOW_ISO],
        cwd=tmp_path,
        env={**os.environ, "SCOFEED_STOP_AT": "read"},
        stderr=subprocess.PIPE,
        text=True,
    )
    while Path(f"/proc/{proc.pid}/stat").read_text().rpartition(")")[2].split()[0] != "T":
        assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    proc.send_signal(signal.SIGCONT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err.splitlines()[-1] == "scofeed: interrupted"
    assert "Traceback" not in err
    assert not (tmp_path / "output").exists()


def test_the_help_of_every_command_shows_an_example() -> None:
    for command in ("build", "validate", "serve", "import", "new", "posts", "countries", "tags"):
        result = run_cli(command, "--help", cwd=POSTS.parent)
        assert result.returncode == 0, command
        assert "Example" in result.stdout or command == "import", command
