"""`scofeed deploy`: make `s3://BUCKET/PREFIX/` equal to output/, writing only what changed.

`plan` decides (output/'s files, their headers and phases, against the store's listing and
manifest), `store` talks to the bucket. The uploads of a phase run in parallel, and each phase
ends before the next begins, so a reader never meets a feed entry whose page is not there yet;
deletions come last. A deploy cut short at any moment leaves every object whole (a PUT is
atomic), and the next one finishes the work from what the store then holds.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from scofeed.config import Config
from scofeed.config_deploy import parse_s3_url
from scofeed.errors import InputError, Problem
from scofeed.infra.atomic import write_atomic
from scofeed.publish.deploy.plan import (
    ARCHIVES,
    FEEDS,
    PAGES,
    PHASES,
    LocalFile,
    Plan,
    Record,
    local_files,
    make_plan,
)
from scofeed.publish.deploy.store import DeployError, Observer, Store
from scofeed.publish.lock import build_lock
from scofeed.publish.output import Checkpoint, no_checkpoint

__all__ = ["PHASES", "DeployError", "DeployReport", "Target", "deploy", "target_of"]

MD5_CACHE = "deploy-md5.json"  # output/'s digests by (mtime, size, inode), under cache_dir
# The listing is cut into ranges of this many of the last deploy's files, listed at once: one
# ListObjectsV2 page each when the bucket still holds them.
LIST_PAGE = 1000
# A progress callback: (done, total) over the deploy's uploads and deletions.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Target:
    bucket: str
    prefix: str
    endpoint_url: str | None
    region: str | None

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def target_of(config: Config, url: str | None) -> Target:
    """The bucket from the command line's URL, else `[deploy] url`."""
    url = url or config.deploy.url
    if url is None:
        raise DeployError(
            f"no place to deploy to; give one (scofeed deploy s3://BUCKET/PREFIX/) or set "
            f'url = "s3://BUCKET/PREFIX/" under [deploy] in {config.where}'
        )
    try:
        bucket, prefix = parse_s3_url(url)
    except ValueError as exc:
        raise DeployError(str(exc)) from None
    return Target(bucket, prefix, config.deploy.endpoint_url, config.deploy.region)


@dataclass
class DeployReport:
    target: str
    plan: Plan
    dry_run: bool
    uploaded: list[str] = field(default_factory=list)
    deleted: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


def deploy(
    config: Config,
    target: Target,
    *,
    dry_run: bool = False,
    max_deletes: int | None = None,
    force: bool = False,
    workers: int | None = None,
    progress: Progress | None = None,
    observe: Observer | None = None,
    checkpoint: Checkpoint = no_checkpoint,
) -> DeployReport:
    """Plan, then (unless `dry_run`) upload phase by phase and delete. More deletions than
    `max_deletes` refuse the whole deploy before anything is written, unless `force`."""
    started = time.perf_counter()
    output = config.output_dir
    if not output.is_dir() or not any(output.iterdir()):
        raise DeployError(f"{output}: no site to deploy; run scofeed build first")
    workers = workers or config.deploy.workers
    limit = config.deploy.max_deletes if max_deletes is None else max_deletes
    store = Store(
        target.bucket,
        target.prefix,
        endpoint_url=target.endpoint_url,
        region=target.region,
        workers=workers,
        observe=observe,
    )
    # No build may change output/ under the deploy (and the digests cache needs one writer).
    with build_lock(config.cache_dir):
        # The store's answers are awaited while output/ is read: the wait, not the work, is
        # what a listing costs.
        known = _known_digests(config)
        splits = sorted(known)[LIST_PAGE::LIST_PAGE]
        with ThreadPoolExecutor(max_workers=2) as pool:
            listing, recorded = pool.submit(store.listing, splits), pool.submit(store.manifest)
            files = _files_with_digests(config, known)
            remote, manifest = listing.result(), recorded.result()
        plan = make_plan(files, remote, manifest)
        report = DeployReport(str(target), plan, dry_run)
        if len(plan.deletes) > limit and not force:
            shown = [Problem(str(target) + p, None, "would be deleted") for p in plan.deletes[:10]]
            more = len(plan.deletes) - len(shown)
            raise InputError(
                f"{target}: {len(plan.deletes)} objects would be deleted, more than "
                f"max_deletes ({limit}); nothing was written. Check that {output} holds the "
                f"whole site, then run again with --max-deletes {len(plan.deletes)} or --force"
                + (f" (the first 10 of {len(plan.deletes)} below)" if more else ""),
                shown,
            )
        if not dry_run:
            _apply(store, config, plan, manifest, report, workers, progress, checkpoint)
    report.seconds = time.perf_counter() - started
    return report


def _apply(
    store: Store,
    config: Config,
    plan: Plan,
    manifest: dict[str, Record],
    report: DeployReport,
    workers: int,
    progress: Progress | None,
    checkpoint: Checkpoint,
) -> None:
    records = {f.path: manifest[f.path] for f in plan.unchanged if f.path in manifest}
    total, done = len(plan.uploads) + len(plan.deletes), 0
    if progress is not None and total:
        progress(0, total)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="deploy") as pool:
        for phase in (PAGES, ARCHIVES, FEEDS):
            batch = plan.phase(phase)
            if phase == FEEDS and batch and config.websub_hubs:
                # Noted for the hubs before they are public, as a build does: a deploy killed
                # from here on loses no announcement (the next run sends what is pending).
                from scofeed.publish import websub

                noted = websub.record(config, [file.path for file in batch])
                report.warnings += [str(problem) for problem in noted]
            pending = {pool.submit(store.upload, config.output_dir, f): f for f in batch}
            try:
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_EXCEPTION)
                    for future in finished:
                        file: LocalFile = pending.pop(future)
                        records[file.path] = future.result()  # raises the first failure
                        report.uploaded.append(file.path)
                        done += 1
                        if progress is not None:
                            progress(done, total)
                        checkpoint("deploy-put")
            finally:
                for future in pending:  # after a failure: what has not started never will
                    future.cancel()
    for count in store.delete(plan.deletes):
        report.deleted += count
        done += count
        if progress is not None:
            progress(done, total)
    # Last: what the store now holds. A deploy cut short before this line leaves the former
    # record, which the next deploy sees disagree with the listing where objects changed.
    if records != manifest:
        store.put_manifest(records)


def _known_digests(config: Config) -> dict[str, tuple[int, int, int, str]]:
    """The digests of output/'s files at the last deploy, by (mtime, size, inode)."""
    known: dict[str, tuple[int, int, int, str]] = {}
    try:
        for path, (mtime, size, inode, md5) in json.loads(
            (config.cache_dir / MD5_CACHE).read_bytes()
        ).items():
            known[path] = (int(mtime), int(size), int(inode), str(md5))
    except (OSError, ValueError, TypeError, AttributeError):
        return {}  # none yet, or torn: hash everything
    return known


def _files_with_digests(
    config: Config, known: dict[str, tuple[int, int, int, str]]
) -> list[LocalFile]:
    """output/'s files, hashing only those whose (mtime, size, inode) `known` lacks; the
    cache of digests updated."""
    files = local_files(config, known)
    fresh = {f.path: (*f.stamp, f.md5) for f in files}
    if fresh != known:
        with contextlib.suppress(OSError):  # a speed-up only: the next deploy hashes again
            write_atomic(config.cache_dir / MD5_CACHE, json.dumps(fresh).encode(), durable=False)
    return files
