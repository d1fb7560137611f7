"""`scofeed deploy` against a real S3 server (SeaweedFS's `weed mini` on 127.0.0.1, started
once for the session): the bucket ends equal to output/, with the right headers, written in
phases and only where bytes changed; every failure is one `Error:` line.

Requests are counted on the wire: the deploy's boto3 client reports each HTTP request it sends
(botocore's `before-send` event), so "no PUT" means none was sent, not none succeeded.
"""

from __future__ import annotations

import hashlib
import http.server
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from scofeed.config import Config, load_config
from scofeed.publish.build import build
from scofeed.publish.deploy import PHASES, DeployReport, Target, deploy
from scofeed.publish.deploy.plan import MANIFEST, Headers, Remote

from conftest import NOW, post, run_cli, serving, tree
from s3server import ACCESS_KEY, READ_KEY, READ_SECRET, SECRET_KEY, SeaweedFS, free_ports

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


def test_a_denied_write_is_one_error_line(
    site: Callable[..., Config], s3: SeaweedFS, bucket: str
) -> None:
    config = site()
    env = _env(s3, AWS_ACCESS_KEY_ID=READ_KEY, AWS_SECRET_ACCESS_KEY=READ_SECRET)
    result = run_cli("deploy", f"s3://{bucket}/sco/", cwd=config.root, env=env)
    assert result.returncode == 2, result.stderr
    assert re.fullmatch(
        rf"Error: s3://{bucket}/sco/ at {s3.endpoint}: [^ ]+: access denied \(AccessDenied\); "
        r"give these credentials s3:ListBucket, s3:GetObject, s3:PutObject and "
        r"s3:DeleteObject on the bucket and prefix\n",
        result.stderr,
    ), result.stderr
    assert bucket_tree(s3, bucket) == {}


@pytest.mark.slow
@pytest.mark.parametrize("when", ["first deploy", "update"])
def test_a_deploy_killed_half_way_and_run_again_ends_exact(
    site: Callable[..., Config], s3: SeaweedFS, bucket: str, when: str
) -> None:
    """Killed (SIGKILL) right after its first PUT, while others are in flight: the next run
    finishes the work, and the one after that finds nothing to do."""
    config = site()
    if when == "update":
        run(config, s3, bucket)
        before = tree(config.output_dir)
        retitled = MOVED.replace("Moved summit notes", "Summit notes, corrected")
        gone = sorted(p for p in (config.posts_dir).glob("*.md") if "moved" not in p.name)[0]
        config = site(posts={"2009-06-15-moved.md": retitled, gone.name: None})
        assert set(before) - set(tree(config.output_dir))  # deletions are pending too
    env = {**_env(s3), "SCOFEED_STOP_AT": "deploy-put"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "scofeed", "deploy", f"s3://{bucket}/sco/"],
        cwd=config.root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while _state(proc.pid) != "T":
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise AssertionError(
                f"the deploy ended ({proc.returncode}) before its first PUT: {err}"
            )
        assert time.monotonic() < deadline, "the deploy never made its first PUT"
        time.sleep(0.005)
    proc.kill()
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    local = tree(config.output_dir)
    assert bucket_tree(s3, bucket) != local  # cut short indeed

    report, _ = run(config, s3, bucket)
    assert bucket_tree(s3, bucket) == local
    assert report.uploaded
    again, wire = run(config, s3, bucket)
    assert again.uploaded == [] and again.deleted == 0 and "PUT" not in wire.methods()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return "gone"


def test_a_feed_reader_reads_a_deployed_feed_from_the_store(
    site: Callable[..., Config], s3: SeaweedFS, bucket: str
) -> None:
    from reader import make_reader

    config = site()
    run(config, s3, bucket)
    url = s3.public_url(bucket, "sco/atom.xml")
    feeds = make_reader(":memory:")
    try:
        feeds.add_feed(url)
        feeds.update_feeds()
        feed = feeds.get_feed(url)
        assert feed.last_exception is None
        assert feed.title == "SCO (RTG)"
        titles = {entry.title for entry in feeds.get_entries(feed=url)}
    finally:
        feeds.close()
    assert "Moved summit notes" in titles and len(titles) == 11


def test_matchers_set_headers_and_a_changed_matcher_rewrites_only_what_it_touches(
    site: Callable[..., Config], s3: SeaweedFS, bucket: str
) -> None:
    toml = f'[deploy]\nurl = "s3://{bucket}/sco/"\n\n[[deploy.matchers]]\npattern = "*.xml"\n'
    config = site(toml + 'cache_control = "max-age=60"\n')
    result = run_cli("deploy", "-v", cwd=config.root, env=_env(s3))  # the URL from scofeed.toml
    assert result.returncode == 0, result.stderr
    files = len(tree(config.output_dir))
    summary = f"scofeed: s3://{bucket}/sco/: uploaded {files}, deleted 0, unchanged 0, "
    assert result.stderr.startswith(summary), result.stderr
    assert f"uploaded s3://{bucket}/sco/rss.xml" in result.stdout.splitlines()
    assert head(s3, bucket, "atom.xml")["CacheControl"] == "max-age=60"
    assert head(s3, bucket, "sitemap.xml")["CacheControl"] == "max-age=60"
    assert head(s3, bucket, "feed.json")["CacheControl"] == "public, max-age=300"

    # Now only the RSS files match: every other .xml goes back to its default headers; no
    # byte changed, so nothing else is written.
    config = site(toml.replace('"*.xml"', '"*rss.xml"') + 'cache_control = "max-age=60"\n')
    report, _ = run(config, s3, bucket)
    xml = sorted(p for p in tree(config.output_dir) if p.endswith(".xml"))
    assert sorted(report.uploaded) == [p for p in xml if not p.endswith("rss.xml")]
    assert {why for _, why in report.plan.uploads} == {"headers"}
    assert head(s3, bucket, "atom.xml")["CacheControl"] == "public, max-age=300"
    assert head(s3, bucket, "rss.xml")["CacheControl"] == "max-age=60"


def test_objects_scofeed_did_not_record_are_checked_not_trusted(
    site: Callable[..., Config], s3: SeaweedFS, bucket: str
) -> None:
    """Same size, other bytes: rewritten. A multipart upload (its ETag no MD5) of the same
    bytes: rewritten, as nothing shows what it holds. With the manifest gone, the headers of
    every object are unknown: all rewritten once, then trusted again."""
    config = site()
    run(config, s3, bucket)
    client = s3.client()
    local = tree(config.output_dir)
    feed = local["rss.xml"]
    client.put_object(Bucket=bucket, Key="sco/rss.xml", Body=feed[:-2] + b"X\n")
    upload = client.create_multipart_upload(Bucket=bucket, Key="sco/feed.json")
    part = client.upload_part(
        Bucket=bucket,
        Key="sco/feed.json",
        UploadId=upload["UploadId"],
        PartNumber=1,
        Body=local["feed.json"],
    )
    client.complete_multipart_upload(
        Bucket=bucket,
        Key="sco/feed.json",
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]},
    )
    assert "-" in client.head_object(Bucket=bucket, Key="sco/feed.json")["ETag"]
    report, _ = run(config, s3, bucket)
    assert dict((f.path, why) for f, why in report.plan.uploads) == {
        "rss.xml": "changed",
        "feed.json": "changed",
    }
    assert bucket_tree(s3, bucket) == local

    client.delete_object(Bucket=bucket, Key="sco/" + MANIFEST)
    report, _ = run(config, s3, bucket)
    assert sorted(report.uploaded) == sorted(local)
    assert {why for _, why in report.plan.uploads} == {"headers unknown"}
    again, _ = run(config, s3, bucket)
    assert again.uploaded == []


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[deploy]\nurl = "s3://my-site/sco/"\naws_secret_access_key = "abc"\n',
            "scofeed.toml:3: [deploy] aws_secret_access_key: secrets do not belong in "
            "scofeed.toml, which travels with the posts; remove it and set AWS_ACCESS_KEY_ID "
            "and AWS_SECRET_ACCESS_KEY in the environment, or a profile in ~/.aws/credentials "
            "(AWS_PROFILE)",
        ),
        (
            '[deploy]\nurl = "s3://my-site/sco/"\n\n[[deploy.matchers]]\npattern = "*.xml"\n'
            'cache_control = "max-age=60"\n\n[[deploy.matchers]]\npattern = "*.png"\n'
            'cache = "max-age=1"\n',
            "scofeed.toml:10: [[deploy.matchers]] has no key 'cache'; known keys are pattern, "
            "cache_control, content_type",
        ),
        (
            '[deploy]\nbucket = "b"\n',
            "scofeed.toml:2: [deploy] has no key 'bucket'; known keys are endpoint_url, "
            "matchers, max_deletes, region, url, workers",
        ),
        (
            '[deploy]\n\nurl = "my-bucket/sco"\n',
            "scofeed.toml:3: [deploy] url 'my-bucket/sco' is not an s3://BUCKET/PREFIX/ URL, "
            "such as s3://my-site/sco/",
        ),
    ],
)
def test_deploy_configuration_mistakes_are_named_by_line(
    tmp_path: Path, toml: str, message: str
) -> None:
    (tmp_path / "scofeed.toml").write_text(toml, encoding="utf-8")
    result = run_cli("deploy", "--dry-run", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == f"Error: {tmp_path}/{message}\n"


class _Hub(http.server.BaseHTTPRequestHandler):
    """A WebSub hub that records the topic of each publish request and accepts it."""

    topics: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        fields = dict(parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
        assert fields["hub.mode"] == "publish"
        self.topics.append(fields["hub.url"])
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_deploy_announces_the_feeds_it_uploaded_to_the_hubs(
    site: Callable[..., Config], s3: SeaweedFS, bucket: str
) -> None:
    _Hub.topics = []
    with serving(_Hub) as hub:
        toml = (
            f'websub_hubs = ["{hub}/hub"]\nwebsub_allow_private = true\n\n'
            f'[deploy]\nurl = "s3://{bucket}/sco/"\n'
        )
        config = site(toml)  # a site with a deploy target: its build announces nothing
        assert _Hub.topics == []
        env = {**_env(s3), "no_proxy": "127.0.0.1"}
        first = run_cli("deploy", cwd=config.root, env=env)
        assert first.returncode == 0, first.stderr
        feeds = sorted(p for p in tree(config.output_dir) if _subscription(p))
        assert sorted(_Hub.topics) == [f"https://example.org/sco/{p}" for p in feeds]
        assert f"scofeed: announced {len(feeds)} feeds to 1 hub" in first.stderr

        _Hub.topics = []
        noop = run_cli("deploy", cwd=config.root, env=env)
        assert noop.returncode == 0 and _Hub.topics == [], noop.stderr

        before = tree(config.output_dir)
        config = site(posts={"2009-06-15-moved.md": MOVED + "\nA correction.\n"})
        after = tree(config.output_dir)
        changed = sorted(p for p in after if before.get(p) != after[p] and _subscription(p))
        assert "rss.xml" in changed and "countries/china/rss.xml" in changed
        assert "countries/india/rss.xml" not in changed
        one = run_cli("deploy", cwd=config.root, env=env)
        assert one.returncode == 0, one.stderr
        assert sorted(_Hub.topics) == [f"https://example.org/sco/{p}" for p in changed]


def _subscription(path: str) -> bool:
    """rss.xml, atom.xml and feed.json of the site, a country or a tag (not archives)."""
    return (
        re.fullmatch(r"(?:(?:countries|tags)/[^/]+/)?(?:rss\.xml|atom\.xml|feed\.json)", path)
        is not None
    )


@pytest.mark.parametrize(
    ("path", "phase", "content_type", "cache_control"),
    [
        ("2008/05/summit.html", "pages", "text/html; charset=utf-8", "public, max-age=600"),
        ("static/logo.png", "pages", "image/png", "public, max-age=86400"),
        ("static/photo.webp", "pages", "image/webp", "public, max-age=86400"),
        ("static/talk.mp3", "pages", "audio/mpeg", "public, max-age=86400"),
        ("static/data.bin", "pages", "application/octet-stream", "public, max-age=86400"),
        ("embed.js", "pages", "application/javascript; charset=utf-8", "public, max-age=86400"),
        ("2008/05/index.html", "archives", "text/html; charset=utf-8", "public, max-age=600"),
        ("page/3/index.html", "archives", "text/html; charset=utf-8", "public, max-age=600"),
        (
            "tags/energy/page/2/index.html",
            "archives",
            "text/html; charset=utf-8",
            "public, max-age=600",
        ),
        (
            "history/4/atom.xml",
            "archives",
            "application/atom+xml; charset=utf-8",
            "public, max-age=600",
        ),
        (
            "countries/china/history/1/feed.json",
            "archives",
            "application/feed+json; charset=utf-8",
            "public, max-age=600",
        ),
        (
            "tags/energy/rss.xml",
            "feeds",
            "application/rss+xml; charset=utf-8",
            "public, max-age=300",
        ),
        ("countries/china/index.html", "feeds", "text/html; charset=utf-8", "public, max-age=300"),
        ("countries/china/embed.html", "feeds", "text/html; charset=utf-8", "public, max-age=300"),
        ("tags/index.html", "feeds", "text/html; charset=utf-8", "public, max-age=300"),
        ("archives/index.html", "feeds", "text/html; charset=utf-8", "public, max-age=300"),
        ("feeds.opml", "feeds", "text/x-opml; charset=utf-8", "public, max-age=300"),
        ("robots.txt", "feeds", "text/plain; charset=utf-8", "public, max-age=300"),
    ],
)
def test_each_file_has_its_phase_and_headers(
    path: str, phase: str, content_type: str, cache_control: str
) -> None:
    from scofeed.publish.deploy.plan import default_headers, phase_of

    number = phase_of(path)
    assert PHASES[number] == phase
    assert default_headers(path, number) == Headers(content_type, cache_control)


def test_build_does_not_load_boto3(site: Callable[..., Config]) -> None:
    """boto3 costs a cron build nothing: only `scofeed deploy` imports it."""
    config = site()
    for args, loaded in ((["build", "-q"], False), (["deploy", "--help"], False)):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "scofeed", *args],
            cwd=config.root,
            capture_output=True,
            text=True,
            check=True,
        )
        modules = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
        assert ("boto3" in modules) is loaded, args
    assert "scofeed.publish.deploy" in modules  # the last run did load the deploy command


@pytest.mark.parametrize(
    "splits",
    [[], ["c.html"], ["a/1.html", "b.html", "d/2.html"], ["0.html", "zz.html"], ["b.html", "b0"]],
)
def test_a_listing_in_ranges_finds_every_object_once(
    s3: SeaweedFS, bucket: str, monkeypatch: pytest.MonkeyPatch, splits: list[str]
) -> None:
    """Ranges cut at the last deploy's files (some now gone, some never there), pages of three
    objects: the same objects as one listing, each once, the manifest and other prefixes aside."""
    from scofeed.publish.deploy import store

    monkeypatch.setattr(store, "PAGE_KEYS", 3)
    client = s3.client()
    paths = ["a/1.html", "a/2.html", "a/3.html", "b.html", "c.html", "c d+e.html", "d/1.html"]
    paths += ["d/2.html", "d/3.html", "e.html", "ü.html", MANIFEST]
    for i, path in enumerate(paths):
        client.put_object(Bucket=bucket, Key="sco/" + path, Body=b"x" * i)
    client.put_object(Bucket=bucket, Key="scope.html", Body=b"not below the prefix")
    client.put_object(Bucket=bucket, Key="sco0/x.html", Body=b"nor this")
    wire = Wire(bucket)
    found = store.Store(
        bucket, "sco/", endpoint_url=s3.endpoint, region=None, workers=4, observe=wire
    ).listing(splits)
    digest = {i: hashlib.md5(b"x" * i).hexdigest() for i in range(len(paths))}  # noqa: S324
    assert found == {p: Remote(i, digest[i]) for i, p in enumerate(paths) if p != MANIFEST}
    assert all(m == "GET" for m in wire.methods())
