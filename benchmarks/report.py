"""Reporting the build benchmark: a table per size, the ratios, issue 4's targets, and JSON.

Results go to stdout (progress goes to stderr, see bench_build.log), so stdout alone is the
record of a run.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from measure import FLOOR_IMPORTS, LABELS, Case, Run

# Issue 4's targets.
TARGET_CLEAN_N = 10_000  # clean build no slower than Hugo's at this size
TARGET_REBUILD_SPEEDUP = 10.0  # no-op and one-post rebuilds vs Hugo's clean build
TARGET_MEMORY_N = 100_000
TARGET_MEMORY_MB = 500.0

# Issue 18's, for the whole site (bench_site.py), each against Hugo's clean build at 10,000 posts.
SITE_TARGETS = {
    "scofeed clean": 0.5,
    "scofeed no-op": 0.05,
    "scofeed one-post": 0.1,
}


def fmt_run(run: Run) -> str:
    if run.returncode != 0:
        return f"FAILED (exit {run.returncode})"
    procs = f" in {run.processes} processes" if run.processes > 1 else ""
    return f"{run.seconds:.3f} s, {run.rss_mb:.0f} MB largest process, {run.tree_mb:.0f} MB{procs}"


def clip(text: str, head: int = 6, tail: int = 6) -> str:
    """A long stderr's first lines (the first problems) and last (a traceback's exception)."""
    lines = text.rstrip().splitlines()
    if len(lines) <= head + tail + 1:
        return "\n".join(lines)
    skipped = f"... ({len(lines) - head - tail} more lines)"
    return "\n".join([*lines[:head], skipped, *lines[-tail:]])


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def verdict(ok: bool | None) -> str:
    return {True: "met", False: "NOT met", None: "not measured"}[ok]


def report_machine(facts: dict[str, str]) -> None:
    print("Machine:")
    for key, value in facts.items():
        print(f"  {key:<8} {value}")


def report_case(case: Case, whole_site: bool = False) -> dict[str, object]:
    """Print one size's table and ratios; return them, and every run, for the JSON."""
    hugo = case.best("hugo clean")
    clean = ratio(case.best("scofeed clean"), hugo)
    noop = ratio(hugo, case.best("scofeed no-op"))
    one = ratio(hugo, case.best("scofeed one-post"))
    repeats = max((len(v) for v in case.runs.values()), default=0)
    print(f"\nN = {case.n:,} posts (time: fastest of {repeats}; memory: largest of {repeats})")
    print(f"  {'build':<18}{'seconds':>9}{'RSS MB':>9}{'tree MB':>9}{'procs':>7}")
    for label in LABELS:
        best = case.best(label)
        if best is None:
            print(f"  {label:<18}{'failed' if label in case.runs else '-':>9}")
            continue
        rss, tree, procs = (case.peak(label, a) for a in ("rss_mb", "tree_mb", "processes"))
        print(f"  {label:<18}{best:>9.3f}{rss or 0:>9.0f}{tree or 0:>9.0f}{procs or 0:>7.0f}")
    speedup = f">= {TARGET_REBUILD_SPEEDUP:g}"
    if whole_site:  # issue 18's way round: each build over Hugo's clean build
        for label, limit in SITE_TARGETS.items():
            shown = f"{label} / hugo clean"
            value = ratio(case.best(label), hugo)
            print(f"  {shown:<30}{fmt_ratio(value):>8}   (target <= {limit:g} at 10,000 posts)")
    for name, value, target in (
        ("scofeed clean / hugo clean", clean, f"<= 1 at {TARGET_CLEAN_N:,} posts"),
        ("hugo clean / scofeed no-op", noop, speedup),
        ("hugo clean / scofeed one-post", one, speedup),
    ):
        if not whole_site:
            print(f"  {name:<30}{fmt_ratio(value):>8}   (target {target})")
    floor = sum(case.floor.values()) if case.floor else None
    if floor:
        parts = ", ".join(f"{k} {v:.3f} s" for k, v in case.floor.items())
        print(
            f"  floor of any Python rebuild ({parts}; {FLOOR_IMPORTS!r}): {floor:.3f} s, "
            f"so at best hugo clean / rebuild = {fmt_ratio(ratio(hugo, floor))}"
        )
    for note in case.notes:
        print("  " + note.rstrip().replace("\n", "\n    "))
    peaks = [case.peak(label) for label in LABELS[1:]]
    scofeed_peak = max((p for p in peaks if p is not None), default=None)
    return {
        "n": case.n,
        "seconds": {label: case.best(label) for label in LABELS},
        "peak_mb": {label: case.peak(label) for label in LABELS},
        "scofeed_clean_over_hugo_clean": clean,
        "hugo_clean_over_scofeed_noop": noop,
        "hugo_clean_over_scofeed_one_post": one,
        "scofeed_peak_mb": scofeed_peak,
        "floor_seconds": case.floor,
        "hugo_clean_over_floor": ratio(hugo, floor),
        "notes": case.notes,
        "runs": {label: [asdict(r) | {"stderr": r.stderr[:2000]} for r in runs]
                 for label, runs in case.runs.items()},
    }  # fmt: skip


def report_targets(results: list[dict[str, object]]) -> None:
    by_n = {int(str(r["n"])): r for r in results}

    def get(n: int, key: str) -> float | None:
        value = by_n[n][key] if n in by_n else None
        return value if isinstance(value, float) else None

    print("\nTargets (issue 4):")
    clean = get(TARGET_CLEAN_N, "scofeed_clean_over_hugo_clean")
    print(
        f"  clean build no slower than Hugo at {TARGET_CLEAN_N:,} posts: "
        f"{verdict(None if clean is None else clean <= 1.0)} ({fmt_ratio(clean)})"
    )
    for n in sorted(by_n):
        speedups = [get(n, f"hugo_clean_over_scofeed_{k}") for k in ("noop", "one_post")]
        ok = None if None in speedups else all(s >= TARGET_REBUILD_SPEEDUP for s in speedups if s)
        print(
            f"  no-op and one-post rebuilds >= {TARGET_REBUILD_SPEEDUP:g}x faster than Hugo's "
            f"clean build at {n:,}: {verdict(ok)} "
            f"({' / '.join(fmt_ratio(s) for s in speedups)})"
        )  # fmt: skip
    peak = get(TARGET_MEMORY_N, "scofeed_peak_mb")
    print(
        f"  peak memory under {TARGET_MEMORY_MB:g} MB at {TARGET_MEMORY_N:,} posts: "
        f"{verdict(None if peak is None else peak < TARGET_MEMORY_MB)}"
        + ("" if peak is None else f" ({peak:.0f} MB)")
    )


def report_site_targets(results: list[dict[str, object]]) -> None:
    """Issue 18's targets: at 10,000 posts each scofeed build within a fraction of Hugo's
    clean build of the same whole site; at 100,000 the peak memory."""
    by_n = {int(str(r["n"])): r for r in results}
    print("\nTargets (issue 18, whole site):")
    row = by_n.get(TARGET_CLEAN_N)
    seconds = row["seconds"] if row is not None else {}
    assert isinstance(seconds, dict)
    hugo = seconds.get("hugo clean")
    for label, target in SITE_TARGETS.items():
        value = ratio(seconds.get(label), hugo)
        ok = None if value is None else value <= target
        print(
            f"  {label} <= {target:g}x Hugo's clean build at {TARGET_CLEAN_N:,} posts: "
            f"{verdict(ok)} ({fmt_ratio(value)})"
        )
    peak = by_n[TARGET_MEMORY_N]["scofeed_peak_mb"] if TARGET_MEMORY_N in by_n else None
    peak = peak if isinstance(peak, float) else None
    print(
        f"  peak memory <= {TARGET_MEMORY_MB:g} MB at {TARGET_MEMORY_N:,} posts: "
        f"{verdict(None if peak is None else peak <= TARGET_MEMORY_MB)}"
        + ("" if peak is None else f" ({peak:.0f} MB)")
    )


def write_json(path: Path, facts: dict[str, str], results: list[dict[str, object]]) -> None:
    path.write_text(
        json.dumps({"machine": facts, "results": results}, indent=2) + "\n", encoding="utf-8"
    )
