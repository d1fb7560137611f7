"""The bucket, through boto3: listing, the manifest, uploads and deletions, and every failure
the store can answer with turned into one `DeployError` that names the bucket or endpoint and
the fix. boto3 is imported here only, when a deploy runs: `scofeed build` never loads it.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import itertools
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from scofeed.errors import ScofeedError
from scofeed.infra import xmlsafe
from scofeed.publish.deploy.plan import MANIFEST, Headers, LocalFile, Record, Remote

# Each HTTP request the client sends, for counting: (method, URL, headers).
Observer = Callable[[str, str, Mapping[str, str]], None]

# An unreachable store must fail in seconds, not botocore's minutes of retries.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0
ATTEMPTS = 3  # the first try and two retries, for a store that drops one request
MANIFEST_VERSION = 1
DELETE_BATCH = 1000  # DeleteObjects takes at most this many keys
LISTERS = 8  # ranges of the bucket listed at once
PAGE_KEYS = 1000  # objects a ListObjectsV2 page holds at most (S3 answers no more)


class DeployError(ScofeedError):
    """The store refused or could not be reached: the deploy cannot go on."""


class Store:
    """One bucket and prefix. Thread-safe: uploads share the one client."""

    def __init__(
        self,
        bucket: str,
        prefix: str,
        *,
        endpoint_url: str | None,
        region: str | None,
        workers: int,
        observe: Observer | None = None,
    ) -> None:
        import boto3
        from botocore.config import Config as BotoConfig

        self.bucket, self.prefix = bucket, prefix
        session = boto3.session.Session()
        self.client = session.client(
            "s3",
            endpoint_url=endpoint_url,
            # Stores other than AWS take any region name; AWS needs the bucket's own.
            region_name=region or session.region_name or "us-east-1",
            config=BotoConfig(
                signature_version="s3v4",  # presigned listings too (v2 fails on some stores)
                connect_timeout=CONNECT_TIMEOUT,
                read_timeout=READ_TIMEOUT,
                retries={"max_attempts": ATTEMPTS, "mode": "standard"},
                max_pool_connections=max(workers, 10),
                # Checksums only where S3 requires them: the CRC trailers botocore adds by
                # default since 1.36 are refused by several S3-compatible stores. Uploads carry
                # Content-MD5 instead, which every store checks.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )
        self.endpoint = self.client.meta.endpoint_url
        self.observe = observe
        if observe is not None:

            def before_send(request: Any, **_: Any) -> None:
                headers = {
                    k: v.decode("latin-1") if isinstance(v, bytes) else str(v)
                    for k, v in request.headers.items()
                }
                observe(request.method, request.url, headers)

            self.client.meta.events.register("before-send.s3", before_send)

    @property
    def where(self) -> str:
        return f"s3://{self.bucket}/{self.prefix} at {self.endpoint}"

    def listing(self, splits: Sequence[str] = ()) -> dict[str, Remote]:
        """Every object under the prefix (the manifest aside), by path below the prefix.

        `splits` (sorted paths, such as every thousandth file of the last deploy) cut the key
        space into ranges listed at once, each from just after one split to the next: as many
        requests as one listing from end to end when the bucket holds what they suggest, in a
        fraction of its time. Each page is a ListObjectsV2 request that boto3 signs (a
        presigned URL), read with lxml: botocore's own parser spends ~150 µs an object."""
        bounds = [None, *(self.prefix + path for path in splits), None]
        ranges = list(itertools.pairwise(bounds))
        found: dict[str, Remote] = {}
        with ThreadPoolExecutor(max_workers=min(LISTERS, len(ranges))) as pool:
            for part in pool.map(lambda r: self._list_range(*r), ranges):
                found.update(part)
        return found

    def _list_range(self, after: str | None, last: str | None) -> dict[str, Remote]:
        """The objects with keys after `after` up to `last` (either open)."""
        found: dict[str, Remote] = {}
        params: dict[str, Any] = {"Bucket": self.bucket, "Prefix": self.prefix}
        params["MaxKeys"] = PAGE_KEYS
        if after is not None:
            params["StartAfter"] = after
        while True:
            with self.errors():
                url = self.client.generate_presigned_url(
                    "list_objects_v2", Params=params, ExpiresIn=900
                )
                page = self._get_xml(url, "ListObjectsV2")
            token, key = None, ""
            for item in page:
                name = _local(item.tag)
                if name == "Contents":
                    fields = {_local(child.tag): child.text or "" for child in item}
                    # Keys come URL-encoded (boto3 asks for encoding-type=url), + for a space.
                    key = unquote_plus(fields.get("Key", ""))
                    if last is not None and key > last:
                        return found  # the next range's
                    path = key[len(self.prefix) :]
                    if path and path != MANIFEST:
                        found[path] = Remote(int(fields.get("Size", 0)), _etag(fields))
                elif name == "NextContinuationToken":
                    token = item.text
            truncated = any(_local(e.tag) == "IsTruncated" and e.text == "true" for e in page)
            if not truncated or not token or key == last:
                return found
            params.pop("StartAfter", None)
            params["ContinuationToken"] = token

    def _get_xml(self, url: str, operation: str) -> Any:
        """GET a presigned URL; the XML answer, or botocore's exception for the failure."""
        import urllib.error
        import urllib.request

        from botocore.exceptions import ClientError, EndpointConnectionError
        from lxml import etree

        if self.observe is not None:
            self.observe("GET", url, {})
        try:
            with urllib.request.urlopen(url, timeout=CONNECT_TIMEOUT + READ_TIMEOUT) as answer:  # noqa: S310 -- the store's own https/http URL
                return etree.fromstring(answer.read(), xmlsafe.parser())
        except urllib.error.HTTPError as exc:
            body = exc.read()
            try:
                error = {_local(e.tag): e.text for e in etree.fromstring(body, xmlsafe.parser())}
            except etree.XMLSyntaxError:
                error = {}
            raise ClientError(
                {
                    "Error": {
                        "Code": error.get("Code") or str(exc.code),
                        "Message": error.get("Message") or exc.reason,
                    },
                    "ResponseMetadata": {"HTTPStatusCode": exc.code},
                },
                operation,
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            raise EndpointConnectionError(endpoint_url=self.endpoint, error=exc) from None

    def manifest(self) -> dict[str, Record]:
        """What scofeed uploaded each object with; empty when there is no (readable) record."""
        with self.errors():
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + MANIFEST)
            except self.client.exceptions.NoSuchKey:
                return {}
            data = answer["Body"].read()
        try:
            loaded = json.loads(gzip.decompress(data))
            if loaded.get("version") != MANIFEST_VERSION:
                return {}
            return {
                path: Record(md5, etag, Headers(kind, cache, redirect))
                for path, (md5, etag, kind, cache, redirect) in loaded["files"].items()
            }
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return {}  # torn or foreign: every object is then checked as if never recorded

    def put_manifest(self, records: Mapping[str, Record]) -> None:
        files = {
            path: [
                r.md5,
                r.etag,
                r.headers.content_type,
                r.headers.cache_control,
                r.headers.redirect,
            ]
            for path, r in sorted(records.items())
        }
        body = gzip.compress(
            json.dumps({"version": MANIFEST_VERSION, "files": files}).encode(), mtime=0
        )
        with self.errors(MANIFEST):
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.prefix + MANIFEST,
                Body=body,
                ContentType="application/gzip",
                CacheControl="no-store",
                ContentMD5=base64.b64encode(hashlib.md5(body).digest()).decode(),  # noqa: S324
            )

    def upload(self, output_dir: Path, file: LocalFile) -> Record:
        """PUT one file; the store checks its bytes against the MD5 sent with them."""
        data = (output_dir / file.path).read_bytes()
        extra: dict[str, str] = {}
        if file.headers.redirect:
            extra["WebsiteRedirectLocation"] = file.headers.redirect
        with self.errors(file.path):
            answer = self.client.put_object(
                Bucket=self.bucket,
                Key=self.prefix + file.path,
                Body=data,
                ContentType=file.headers.content_type,
                CacheControl=file.headers.cache_control,
                # The digest planned with: bytes that changed since are refused (BadDigest).
                ContentMD5=base64.b64encode(bytes.fromhex(file.md5)).decode(),
                # Kept where a HEAD finds it: a multipart or encrypted object's ETag is no MD5.
                Metadata={"md5": file.md5},
                **extra,
            )
        return Record(file.md5, answer.get("ETag", "").strip('"'), file.headers)

    def delete(self, paths: list[str]) -> Iterator[int]:
        """Delete in batches; yields how many each batch removed."""
        for start in range(0, len(paths), DELETE_BATCH):
            batch = paths[start : start + DELETE_BATCH]
            with self.errors(batch[0]):
                answer = self.client.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": self.prefix + p} for p in batch], "Quiet": True},
                )
            failed = answer.get("Errors", [])
            if failed:
                first = failed[0]
                raise DeployError(
                    f"{self.where}: cannot delete {first.get('Key')}: {first.get('Code')}: "
                    f"{first.get('Message')}; give the credentials s3:DeleteObject on the bucket"
                )
            yield len(batch)

    @contextmanager
    def errors(self, key: str | None = None) -> Iterator[None]:
        """botocore's exceptions as one DeployError saying what to do."""
        from botocore.exceptions import (
            ClientError,
            ConnectionError,
            HTTPClientError,
            NoCredentialsError,
            PartialCredentialsError,
        )

        try:
            yield
        except (NoCredentialsError, PartialCredentialsError) as exc:
            raise DeployError(
                f"no AWS credentials for {self.where} ({exc}); set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with a profile in ~/.aws/credentials"
            ) from None
        except (ConnectionError, HTTPClientError) as exc:
            raise DeployError(
                f"cannot reach the store at {self.endpoint} ({type(exc).__name__}); check "
                "[deploy] endpoint_url or AWS_ENDPOINT_URL, and that the store is up"
            ) from None
        except ClientError as exc:
            raise DeployError(self._client_error(exc, key)) from None

    def _client_error(self, exc: Any, key: str | None) -> str:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        what = f"{self.where}" + (f": {key}" if key else "")
        if code == "NoSuchBucket":
            return (
                f"bucket {self.bucket!r} does not exist at {self.endpoint}; create it "
                f"(aws s3 mb s3://{self.bucket}) or correct [deploy] url"
            )
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken"):
            return (
                f"{self.endpoint} refused the credentials ({code}) for bucket {self.bucket!r}; "
                "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)"
            )
        if code in ("AccessDenied", "AllAccessDisabled", "Forbidden") or status == 403:
            return (
                f"{what}: access denied ({code}); give these credentials s3:ListBucket, "
                "s3:GetObject, s3:PutObject and s3:DeleteObject on the bucket and prefix"
            )
        if code in (
            "PermanentRedirect",
            "AuthorizationHeaderMalformed",
            "IllegalLocationConstraint",
        ):
            return (
                f"{what}: the bucket lives in another region ({code}); set [deploy] region or "
                "AWS_REGION to the bucket's region"
            )
        if code.isdigit():  # an HTTP status with no S3 error in the body: not an S3 API
            return (
                f"{self.endpoint} answered {code} {error.get('Message', '')} without an S3 error "
                f"for bucket {self.bucket!r}; check that [deploy] endpoint_url or "
                "AWS_ENDPOINT_URL is the address of the store's S3 API"
            )
        message = error.get("Message") or exc
        return f"{what}: the store answered {code or status}: {message}"


def _local(tag: Any) -> str:
    """An element's name without its namespace (stores differ in which they use)."""
    return str(tag).rpartition("}")[2]


def _etag(fields: dict[str, str]) -> str:
    return fields.get("ETag", "").strip().strip('"').replace("&quot;", "")
