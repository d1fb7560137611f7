"""`scofeed deploy`: output/ to an S3-compatible bucket. boto3 loads with this module only."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from scofeed.cli import _config, _config_option, _errors, main
from scofeed.cli.publishing import _checkpoint, announce
from scofeed.publish.deploy import PHASES, DeployReport, deploy, target_of


@main.command("deploy")
@click.argument("url", required=False, metavar="[s3://BUCKET/PREFIX/]")
@_config_option
@click.option(
    "--output", type=click.Path(file_okay=False, path_type=Path), help="The folder to deploy."
)
@click.option(
    "--dry-run", is_flag=True, help="Print what would be uploaded and deleted; write nothing."
)
@click.option(
    "--max-deletes",
    type=click.IntRange(min=0),
    metavar="N",
    help="Refuse a deploy that would delete more objects [default: [deploy] max_deletes, 256].",
)
@click.option("--force", is_flag=True, help="Delete however many objects output/ lacks.")
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=256),
    metavar="N",
    help="Uploads in flight at once [default: [deploy] workers, 16].",
)
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.option("-v", "--verbose", count=True, help="Also list every object uploaded and deleted.")
def deploy_cmd(
    url: str | None,
    config_file: Path | None,
    output: Path | None,
    dry_run: bool,
    max_deletes: int | None,
    force: bool,
    workers: int | None,
    quiet: bool,
    verbose: int,
) -> None:
    """Make an S3-compatible bucket equal to the output folder: upload what
    changed (feeds, sitemap and index pages last), then delete what is gone.

    The bucket comes from URL or from url under [deploy] in scofeed.toml;
    credentials, region and endpoint from the AWS environment
    (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE, AWS_ENDPOINT_URL).

    \b
    Example:
      scofeed build && scofeed deploy s3://my-site/sco/
      AWS_ENDPOINT_URL=http://127.0.0.1:8333 scofeed deploy --dry-run
    """
    config = _config(config_file, None, output)
    with _errors():
        target = target_of(config, url)
        with _progress(quiet or dry_run) as progress:
            report = deploy(
                config,
                target,
                dry_run=dry_run,
                max_deletes=max_deletes,
                force=force,
                workers=workers,
                progress=progress,
                checkpoint=_checkpoint(),
            )
    if dry_run:
        _print_plan(report)
    elif verbose:
        for path in report.uploaded:
            click.echo(f"uploaded {target}{path}")
        for path in report.plan.deletes:
            click.echo(f"deleted {target}{path}")
    for warning in report.warnings:
        click.echo(f"  {warning}", err=True)
    if not quiet:
        click.echo(_summary(report), err=True)
    if config.websub_hubs and not dry_run:
        announce(config, quiet, deployed=True)


def _print_plan(report: DeployReport) -> None:
    """One line per object that would change: action, phase, object."""
    for file, why in sorted(report.plan.uploads, key=lambda u: (u[0].phase, u[0].path)):
        click.echo(f"upload  {PHASES[file.phase]:<9} {report.target}{file.path}  ({why})")
    for path in report.plan.deletes:
        click.echo(f"delete  {PHASES[-1]:<9} {report.target}{path}")


def _summary(report: DeployReport) -> str:
    plan = report.plan
    megabytes = plan.upload_bytes / 1e6
    if report.dry_run:
        return (
            f"scofeed: {report.target}: would upload {len(plan.uploads)}, delete "
            f"{len(plan.deletes)}, leave {len(plan.unchanged)} unchanged, {megabytes:.1f} MB "
            f"(dry run: nothing written), {report.seconds:.2f} s"
        )
    return (
        f"scofeed: {report.target}: uploaded {len(report.uploaded)}, deleted {report.deleted}, "
        f"unchanged {len(plan.unchanged)}, {megabytes:.1f} MB, in {report.seconds:.2f} s"
    )


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr when it is a terminal (never in cron mail)."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    bar: Any = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="deploying", file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        yield update
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
