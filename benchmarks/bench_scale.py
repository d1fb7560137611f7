"""The scale run of issue 18 (item 4): scofeed alone on N generated posts, whole site.

Hugo is left out: at 10,000 posts it holds some 0.7 GB, and it grows with the site, so a
million posts would not fit this machine's memory beside it (bench_site.py compares the two up
to 100,000). For each N, in one run: a clean build, a no-op, a one-post build (a sentence added
to the newest post with countries, restored afterwards); each with its seconds, the peak memory
of the build's process and of its whole process tree, and the size and count of the files
written. It asserts nothing.

    python benchmarks/bench_scale.py --sizes 100000
    python benchmarks/bench_scale.py --sizes 1000000 --feed-content summary --keep

`--feed-content summary` (the configuration's `feed_content`): feeds and archive documents carry
each post's summary, not its whole text; with whole texts a million posts write some 90 GB.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench_build import BENCH_DIR, add_sizes, reset, write_scofeed_config
from generate import DEFAULT_SEED, ensure_posts, newest_post_with_countries
from measure import Run, find_scofeed, host_facts, load_average, output_size, run_measured
from report import clip, fmt_run, report_machine


def scale_case(n: int, case_dir: Path, scofeed: list[str], args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    posts = ensure_posts(case_dir, n, args.seed)
    print(f"[n={n:,}] posts ready in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    out, cache, config = case_dir / "output", case_dir / "cache", case_dir / "scofeed.toml"
    write_scofeed_config(config, cache, whole_site=True)
    if args.feed_content != "full":
        with config.open("a", encoding="utf-8") as f:
            f.write(f'feed_content = "{args.feed_content}"\n')
    cmd = [*scofeed, "build", "--config", str(config), "--posts", str(posts)]
    cmd += ["--output", str(out), "--quiet"]
    edited = newest_post_with_countries(posts)
    original = edited.read_bytes()
    runs: dict[str, Run] = {}
    try:
        reset(out, cache)
        for label in ("clean", "no-op", "one-post"):
            if label == "one-post":
                with edited.open("a", encoding="utf-8", newline="\n") as f:
                    f.write("\nEdited for the scale benchmark.\n")
            run = runs[label] = run_measured(cmd, cwd=case_dir)
            print(f"[n={n:,}] {label}: {fmt_run(run)}", file=sys.stderr)
            if run.returncode != 0:
                print(f"scofeed build failed:\n{clip(run.stderr)}")
                return 1
    finally:
        edited.write_bytes(original)
    files, size = output_size(out)
    print(f"\nN = {n:,} posts, whole site, feed_content = {args.feed_content}")
    print("  build        seconds  process MB  tree MB  procs")
    for label, run in runs.items():
        print(
            f"  {label:<10} {run.seconds:9.1f}  {run.rss_mb:10.0f}  {run.tree_mb:7.0f}"
            f"  {run.processes:5d}"
        )
    print(f"  output: {files:,} files, {size / 1e9:.2f} GB ({size / n / 1e3:.1f} KB a post)")
    print(f"  target: peak under 2 GB at 1,000,000 posts (issue 18); the largest here: "
          f"{max(r.peak_mb for r in runs.values()):.0f} MB")  # fmt: skip
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="scofeed alone on N generated posts")
    add_sizes(parser, "100000")
    parser.add_argument("--feed-content", choices=("full", "summary"), default="full")
    parser.add_argument("--workdir", type=Path, default=BENCH_DIR / "work")
    parser.add_argument("--keep", action="store_true", help="keep the posts and the output")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--scofeed", type=shlex.split, default=None)
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    scofeed = args.scofeed or find_scofeed()
    if "/" in scofeed[0]:
        scofeed[0] = os.path.abspath(scofeed[0])
    report_machine(host_facts())
    status = 0
    for n in args.sizes:
        case_dir = args.workdir.resolve() / f"scale{n}"
        case_dir.mkdir(parents=True, exist_ok=True)
        try:
            status |= scale_case(n, case_dir, scofeed, args)
        finally:
            if not args.keep:
                shutil.rmtree(case_dir, ignore_errors=True)
    print(f"\nLoad average at the end: {load_average()}")
    return status


if __name__ == "__main__":
    sys.exit(main())
