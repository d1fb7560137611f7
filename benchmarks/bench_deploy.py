"""Benchmark `scofeed deploy` against `rclone sync` on a synthetic site (issue 17, item 10).

Builds N posts (generate.py), starts a local SeaweedFS (`weed mini`, tests/s3server.py) with a
counting proxy in front of it (s3count.py: both tools' requests counted the same way, by HTTP
method), then, in one run and interleaved, each tool into its own bucket:

* a first deploy of the whole site;
* a no-op deploy;
* after one post changed and an incremental `scofeed build`, a one-post deploy.

rclone runs as fast as it can be asked to for this: `--checksum` (MD5 against the listing's
ETags: no HEAD per object for modification times), `--fast-list` (one recursive listing instead
of one per folder), and as many transfers and checkers as scofeed has workers. Both tools run
as subprocesses, interpreter and imports included. Each bucket is checked against output/ at the
end (sizes and MD5s). A benchmark, not a test: it asserts nothing.

    python benchmarks/bench_deploy.py --n 10000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from generate import DEFAULT_SEED, ensure_posts, newest_post_with_countries
from measure import host_facts
from s3count import CountingProxy

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent / "tests"))
from s3server import ACCESS_KEY, SECRET_KEY, SeaweedFS, weed_binary  # noqa: E402

BASE_URL = "https://example.org/sco/"
WORKERS = 16
RUNS = ("first", "no-op", "one-post")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def digests(output: Path) -> dict[str, tuple[int, str]]:
    found = {}
    for path in sorted(output.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            found[path.relative_to(output).as_posix()] = (len(data), hashlib.md5(data).hexdigest())  # noqa: S324
    return found


def bucket_digests(s3: SeaweedFS, bucket: str, prefix: str) -> dict[str, tuple[int, str]]:
    client = s3.client()
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            path = item["Key"][len(prefix) :]
            if not path.startswith(".scofeed-deploy"):
                found[path] = (item["Size"], item["ETag"].strip('"'))
    return found


def timed(cmd: Sequence[str | Path], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return seconds, done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""


def fmt_counts(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    return f"{total:>6} requests (" + ", ".join(f"{m} {n}" for m, n in sorted(counts.items())) + ")"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="posts (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--work", type=Path, help="work folder to keep (default: a temporary one)")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-deploy-"))
    work.mkdir(parents=True, exist_ok=True)
    posts = ensure_posts(work, args.n, args.seed)
    (work / "scofeed.toml").write_text(
        f'base_url = "{BASE_URL}"\nfeed_limit = 50\ncache_dir = "cache"\n', encoding="utf-8"
    )
    scofeed = [sys.executable, "-m", "scofeed"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        RCLONE_CONFIG=os.devnull,
        RCLONE_CONFIG_BENCH_TYPE="s3",
        RCLONE_CONFIG_BENCH_PROVIDER="SeaweedFS",
        RCLONE_CONFIG_BENCH_ACCESS_KEY_ID=ACCESS_KEY,
        RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY=SECRET_KEY,
    )
    seconds, _ = timed([*scofeed, "build", "-q", "--posts", posts], work, env)
    output = work / "output"
    files = digests(output)
    size = sum(s for s, _ in files.values())
    log(f"built {args.n} posts in {seconds:.1f} s: {len(files)} files, {size / 1e6:.0f} MB")

    rclone = [
        Path(sys.executable).parent / "rclone",
        "sync",
        output,
        "bench:rclone/sco",
        "--checksum",
        "--fast-list",
        f"--transfers={WORKERS}",
        f"--checkers={WORKERS}",
        "--s3-no-check-bucket",
    ]
    deploy = [*scofeed, "deploy", "s3://scofeed/sco/", f"--workers={WORKERS}"]
    results: dict[tuple[str, str], tuple[float, dict[str, int]]] = {}
    edited = newest_post_with_countries(posts)
    original = edited.read_bytes()
    # A first deploy for both: empty buckets, and no digests kept from an earlier deploy.
    (work / "cache" / "deploy-md5.json").unlink(missing_ok=True)
    shutil.rmtree(work / "seaweedfs", ignore_errors=True)
    s3 = SeaweedFS(work / "seaweedfs")
    proxy: CountingProxy | None = None
    try:
        proxy = CountingProxy(s3.endpoint)
        env.update(AWS_ENDPOINT_URL=proxy.url, RCLONE_CONFIG_BENCH_ENDPOINT=proxy.url)
        for bucket in ("scofeed", "rclone"):
            s3.client().create_bucket(Bucket=bucket)
        for run in RUNS:
            if run == "one-post":
                edited.write_text(original.decode() + "\nEdited for the benchmark.\n")
                timed([*scofeed, "build", "-q", "--posts", posts], work, env)
                after = digests(output)
                changed = sorted(p for p in after if files.get(p) != after[p])
                gone = sorted(set(files) - set(after))
                log(f"one post changed: {len(changed)} files changed, {len(gone)} removed")
                files = after
            for tool, cmd in (("scofeed", deploy), ("rclone", rclone)):
                proxy.take()
                seconds, last = timed(cmd, work, env)
                results[tool, run] = (seconds, proxy.take())
                log(f"{tool} {run}: {seconds:.2f} s, {fmt_counts(results[tool, run][1])} {last}")
        local = {p: d for p, d in digests(output).items()}
        equal = {b: bucket_digests(s3, b, "sco/") == local for b in ("scofeed", "rclone")}
    finally:
        edited.write_bytes(original)
        if proxy is not None:
            proxy.stop()
        s3.stop()

    print("Machine:")
    for key, value in machine().items():
        print(f"  {key:<8} {value}")
    print(
        f"\nSite: {args.n} posts, {len(local)} files, {size / 1e6:.0f} MB; one post changed "
        f"{len(changed)} files ({len(gone)} removed)"
    )
    print(f"{'run':<10} {'tool':<8} {'seconds':>8}  requests")
    for run in RUNS:
        for tool in ("scofeed", "rclone"):
            seconds, counts = results[tool, run]
            print(f"{run:<10} {tool:<8} {seconds:>8.2f}  {fmt_counts(counts)}")
    print()
    for run in RUNS:
        ratio = results["scofeed", run][0] / results["rclone", run][0]
        print(f"{run}: scofeed takes {ratio:.2f}x rclone's time")
    puts = results["scofeed", "one-post"][1].get("PUT", 0)
    others = sum(results["scofeed", "one-post"][1].values()) - puts
    print(
        f"one-post: scofeed made {puts} PUTs for {len(changed)} changed files "
        f"(+1 manifest) and {others} other requests"
    )
    ok_puts = puts == len(changed) + 1
    ok_time = results["scofeed", "one-post"][0] <= 0.5 * results["rclone", "one-post"][0]
    print(f"target: changed files' PUTs + a constant: {'met' if ok_puts else 'NOT met'}")
    print(f"target: at most half rclone's time: {'met' if ok_time else 'NOT met'}")
    print(f"buckets equal to output/: {json.dumps(equal)}")
    return 0


def machine() -> dict[str, str]:
    rclone = Path(sys.executable).parent / "rclone"
    version = subprocess.run([rclone, "version"], capture_output=True, text=True, check=False)
    weed = subprocess.run([weed_binary(), "version"], capture_output=True, text=True, check=False)
    return {
        **host_facts(),
        "rclone": version.stdout.splitlines()[0] if version.stdout else "unknown",
        "store": weed.stdout.strip() + " (weed mini, 127.0.0.1, via a counting proxy)",
    }


if __name__ == "__main__":
    sys.exit(main())
