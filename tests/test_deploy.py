"""`scofeed deploy` against a real S3 server (SeaweedFS's `weed mini` on 127.0.0.1, started
once for the session): the bucket ends equal to output/, with the right headers, written in
phases and only where bytes changed; every failure is one `Error:` line.

Requests are counted on the wire: the deploy's boto3 client reports each HTTP request it sends
(botocore's `before-send` event), so "no PUT" means none was sent, not none succeeded.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from scofeed.config import Config, load_config
from scofeed.publish.build import build
from scofeed.publish.deploy import DeployReport, Target, deploy
from scofeed.publish.deploy.plan import MANIFEST

from conftest import NOW, post, run_cli, tree
from s3server import ACCESS_KEY, SECRET_KEY, SeaweedFS, free_ports

MOVED = post(
    "title: Moved summit notes\ndate: 2009-06-15T10:00:00Z\naliases: [old/summit.html]",
    "The summit met in Yekaterinburg. Russia and China signed.",
)


@pytest.fixture(scope="session")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    server = SeaweedFS(tmp_path_factory.mktemp("seaweedfs"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Credentials for the test server only: never the developer's ~/.aws, never a proxy."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


_buckets = iter(range(1, 10_000))


@pytest.fixture
def bucket(s3: SeaweedFS, aws_env: None) -> str:
    name = f"site-{os.getpid()}-{next(_buckets)}"
    s3.client().create_bucket(Bucket=name)
    return name


@pytest.fixture
def site(tmp_path: Path) -> Callable[..., Config]:
    """A project with the seed posts and a moved post (an alias page), built; call it again
    after changing posts to rebuild."""
    root = tmp_path / "site"

    def make(toml: str = "", posts: Mapping[str, str | None] | None = None) -> Config:
        store = root / "posts"
        if not store.exists():
            store.mkdir(parents=True)
            for seed in (Path(__file__).parent.parent / "posts").glob("*.md"):
                (store / seed.name).write_bytes(seed.read_bytes())
            (store / "2009-06-15-moved.md").write_text(MOVED, encoding="utf-8")
        for name, text in (posts or {}).items():
            if text is None:
                (store / name).unlink()
            else:
                (store / name).write_text(text, encoding="utf-8")
        if toml:
            (root / "scofeed.toml").write_text(toml, encoding="utf-8")
        config = load_config(root)
        build(config, now=NOW)
        return config

    return make


@dataclass
class Wire:
    """Every request a deploy sent: (method, path below bucket/sco/, headers)."""

    bucket: str
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)

    def __call__(self, method: str, url: str, headers: Mapping[str, str]) -> None:
        path = unquote(urlsplit(url).path).removeprefix(f"/{self.bucket}/").removeprefix("sco/")
        self.requests.append((method, path, dict(headers)))

    def puts(self) -> list[str]:
        return [p for m, p, _ in self.requests if m == "PUT"]

    def methods(self) -> list[str]:
        return [m for m, _, _ in self.requests]


def run(config: Config, s3: SeaweedFS, bucket: str, **options: Any) -> tuple[DeployReport, Wire]:
    wire = Wire(bucket)
    target = Target(bucket, "sco/", s3.endpoint, None)
    return deploy(config, target, observe=wire, **options), wire


def bucket_tree(s3: SeaweedFS, bucket: str, prefix: str = "sco/") -> dict[str, bytes]:
    client = s3.client()
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            key = item["Key"]
            if key != prefix + MANIFEST:
                found[key[len(prefix) :]] = client.get_object(Bucket=bucket, Key=key)["Body"].read()
    return found


def head(s3: SeaweedFS, bucket: str, path: str) -> dict[str, Any]:
    answer: dict[str, Any] = s3.client().head_object(Bucket=bucket, Key="sco/" + path)
    return answer


def test_first_deploy_makes_the_bucket_equal_to_output(
    site: Callable[..., Config], s3: SeaweedFS, bucket: str
) -> None:
    config = site()
    report, wire = run(config, s3, bucket)
    local = tree(config.output_dir)
    assert bucket_tree(s3, bucket) == local
    assert sorted(report.uploaded) == sorted(local) == sorted(wire.puts()[:-1])
    assert wire.puts()[-1] == MANIFEST
    assert report.deleted == 0 and report.plan.unchanged == []

    kinds = {
        "rss.xml": ("application/rss+xml; charset=utf-8", "public, max-age=300"),
        "atom.xml": ("application/atom+xml; charset=utf-8", "public, max-age=300"),
        "feed.json": ("application/feed+json; charset=utf-8", "public, max-age=300"),
        "countries/china/rss.xml": ("application/rss+xml; charset=utf-8", "public, max-age=300"),
        "index.html": ("text/html; charset=utf-8", "public, max-age=300"),
        "feeds.opml": ("text/x-opml; charset=utf-8", "public, max-age=300"),
        "sitemap.xml": ("application/xml; charset=utf-8", "public, max-age=300"),
        "_redirects": ("text/plain; charset=utf-8", "public, max-age=300"),
        "2009/06/moved.html": ("text/html; charset=utf-8", "public, max-age=600"),
        "2009/06/index.html": ("text/html; charset=utf-8", "public, max-age=600"),
        "embed.js": ("application/javascript; charset=utf-8", "public, max-age=86400"),
    }
    for path, (kind, cache) in kinds.items():
        got = head(s3, bucket, path)
        assert (got["ContentType"], got["CacheControl"]) == (kind, cache), path
        status, headers, body = s3.get(bucket, "sco/" + path)  # as a browser or reader sees it
        assert (status, headers["Content-Type"], body) == (200, kind, local[path]), path

    # The alias page carries the store's redirect (SeaweedFS keeps no website metadata, so
    # the request is what shows it; AWS S3's website endpoint answers it with a 301).
    sent = {p: h for m, p, h in wire.requests if m == "PUT"}
    redirect = sent["old/summit.html"].get("x-amz-website-redirect-location")
    assert redirect == "https://example.org/sco/2009/06/moved.html"
    assert b'url=https://example.org/sco/2009/06/moved.html"' in local["old/summit.html"]
    assert [p for p, h in sent.items() if "x-amz-website-redirect-location" in h] == [
        "old/summit.html"
    ]


def test_uploads_in_phases_pages_then_archives_then_feeds_then_deletions(
    site: Callable[..., Config], s3: SeaweedFS, bucket: str
) -> None:
    config = site()
    run(config, s3, bucket)
    s3.client().put_object(Bucket=bucket, Key="sco/gone/old.html", Body=b"old")
    retitled = MOVED.replace("Moved summit notes", "Summit notes, corrected")
    config = site(posts={"2009-06-15-moved.md": retitled})
    _, wire = run(config, s3, bucket)
    order = [(m, p) for m, p, _ in wire.requests if m in ("PUT", "POST")]
    order = [(m, p) for m, p in order if p != MANIFEST]

    def phase(item: tuple[str, str]) -> int:
        method, path = item
        name = path.rsplit("/", 1)[-1]
        if method == "POST":
            return 3  # DeleteObjects
        if "/history/" in f"/{path}" or "/page/" in f"/{path}" or re.match(r"\d+/\d+/index", path):
            return 1
        if name in ("rss.xml", "atom.xml", "feed.json", "index.html", "embed.html") or path in (
            "sitemap.xml",
            "feeds.opml",
            "_redirects",
            "robots.txt",
        ):
            return 2
        return 0

    phases = [phase(item) for item in order]
    assert phases == sorted(phases), order
    assert set(phases) == {0, 1, 2, 3}, order  # the post, its month, the feeds, the deletion
    assert ("PUT", "2009/06/moved.html") in order


def test_a_no_op_deploy_writes_nothing(
    site: Callable[..., Config], s3: SeaweedFS, bucket: str
) -> None:
    config = site()
    run(config, s3, bucket)
    report, wire = run(config, s3, bucket)
    assert report.uploaded == [] and report.deleted == 0
    assert len(report.plan.unchanged) == len(tree(config.output_dir))
    # One listing page (under 1,000 objects) and the manifest's GET: nothing else.
    assert wire.methods() == ["GET", "GET"], wire.requests


def test_after_one_post_changed_exactly_the_changed_files_are_uploaded(
    site: Callable[..., Config], s3: SeaweedFS, bucket: str
) -> None:
    config = site()
    run(config, s3, bucket)
    before = tree(config.output_dir)
    config = site(posts={"2009-06-15-moved.md": MOVED + "\nA correction.\n"})
    after = tree(config.output_dir)
    changed = sorted(p for p in after if before.get(p) != after[p])
    assert 0 < len(changed) < len(after) / 2
    report, wire = run(config, s3, bucket)
    assert sorted(report.uploaded) == changed
    assert sorted(wire.puts()) == sorted([*changed, MANIFEST])
    assert bucket_tree(s3, bucket) == after


def test_a_deleted_post_is_deleted_from_the_bucket(
    site: Callable[..., Config], s3: SeaweedFS, bucket: str
) -> None:
    config = site()
    run(config, s3, bucket)
    before = tree(config.output_dir)
    config = site(posts={"2009-06-15-moved.md": None})
    after = tree(config.output_dir)
    gone = sorted(set(before) - set(after))
    assert "old/summit.html" in gone and "2009/06/moved.html" in gone
    report, wire = run(config, s3, bucket)
    assert sorted(report.plan.deletes) == gone and report.deleted == len(gone)
    assert sorted(report.uploaded) == sorted(p for p in after if before.get(p) != after[p])
    assert wire.methods().count("POST") == 1  # one DeleteObjects for them all
    assert bucket_tree(s3, bucket) == after


def test_more_deletions_than_max_deletes_refuse_the_deploy_before_any_write(
    site: Callable[..., Config], s3: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    config = site()
    run(config, s3, bucket)
    client = s3.client()
    for i in range(4):
        client.put_object(Bucket=bucket, Key=f"sco/stray/{i}.html", Body=b"x")
    config = site(posts={"2009-06-15-moved.md": MOVED + "\nMore.\n"})
    snapshot = bucket_tree(s3, bucket)
    result = run_cli(
        "deploy", f"s3://{bucket}/sco/", "--max-deletes", "3", cwd=config.root, env=_env(s3)
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines()[0] == (
        f"Error: s3://{bucket}/sco/: 4 objects would be deleted, more than max_deletes (3); "
        f"nothing was written. Check that {config.output_dir} holds the whole site, then run "
        "again with --max-deletes 4 or --force"
    )
    assert f"  s3://{bucket}/sco/stray/0.html: would be deleted" in result.stderr
    assert "Traceback" not in result.stderr
    assert bucket_tree(s3, bucket) == snapshot
    forced = run_cli("deploy", f"s3://{bucket}/sco/", "--force", cwd=config.root, env=_env(s3))
    assert forced.returncode == 0, forced.stderr
    assert bucket_tree(s3, bucket) == tree(config.output_dir)


def test_dry_run_prints_the_plan_and_writes_nothing(
    site: Callable[..., Config], s3: SeaweedFS, bucket: str
) -> None:
    config = site()
    run(config, s3, bucket)
    s3.client().put_object(Bucket=bucket, Key="sco/stray.html", Body=b"x")
    config = site(posts={"2009-06-15-moved.md": MOVED + "\nDry.\n"})
    snapshot = bucket_tree(s3, bucket)
    report, wire = run(config, s3, bucket, dry_run=True)
    assert set(wire.methods()) == {"GET"} and bucket_tree(s3, bucket) == snapshot
    result = run_cli("deploy", f"s3://{bucket}/sco/", "--dry-run", cwd=config.root, env=_env(s3))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert f"upload  pages     s3://{bucket}/sco/2009/06/moved.html  (changed)" in lines
    assert f"upload  feeds     s3://{bucket}/sco/rss.xml  (changed)" in lines
    assert lines[-1] == f"delete  deletions s3://{bucket}/sco/stray.html"
    assert len(lines) == len(report.plan.uploads) + 1
    assert "(dry run: nothing written)" in result.stderr
    assert bucket_tree(s3, bucket) == snapshot


def _env(s3: SeaweedFS, **changes: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ENDPOINT_URL=s3.endpoint,
        AWS_ACCESS_KEY_ID=ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def test_store_failures_are_one_error_line(
    site: Callable[..., Config], s3: SeaweedFS, bucket: str
) -> None:
    config = site()
    closed = free_ports(1)[0]  # nothing listens there
    cases: list[tuple[str | None, dict[str, str | None], str]] = [
        (
            f"s3://{bucket}/sco/",
            {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{closed}"},
            f"Error: cannot reach the store at http://127.0.0.1:{closed} "
            "(EndpointConnectionError); check [deploy] endpoint_url or AWS_ENDPOINT_URL, and "
            "that the store is up",
        ),
        (
            "s3://no-such-bucket/sco/",
            {},
            f"Error: bucket 'no-such-bucket' does not exist at {s3.endpoint}; create it "
            "(aws s3 mb s3://no-such-bucket) or correct [deploy] url",
        ),
        (
            f"s3://{bucket}/sco/",
            {"AWS_SECRET_ACCESS_KEY": "wrong"},
            f"Error: {s3.endpoint} refused the credentials (SignatureDoesNotMatch) for bucket "
            f"'{bucket}'; check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)",
        ),
        (
            f"s3://{bucket}/sco/",
            {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None},
            f"Error: no AWS credentials for s3://{bucket}/sco/ at {s3.endpoint} (Unable to "
            "locate credentials); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
            "AWS_PROFILE with a profile in ~/.aws/credentials",
        ),
        (
            None,
            {},
            "Error: no place to deploy to; give one (scofeed deploy s3://BUCKET/PREFIX/) or set "
            'url = "s3://BUCKET/PREFIX/" under [deploy] in scofeed.toml',
        ),
    ]
    for url, changes, message in cases:
        started = time.monotonic()
        result = run_cli(
            "deploy", *([url] if url else []), cwd=config.root, env=_env(s3, **changes)
        )
        assert (result.returncode, result.stderr.rstrip("\n")) == (2, message), result.stderr
        assert time.monotonic() - started < 20  # seconds, not botocore's minutes of retries
    assert bucket_tree(s3, bucket) == {}
