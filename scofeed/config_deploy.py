"""The `[deploy]` table of `scofeed.toml`: where `scofeed deploy` puts output/, and how.

Credentials never live here: the file sits beside the posts, in their repository. They come
from the AWS environment (variables, `~/.aws/credentials`, a profile, an instance role), so a key
that looks like a secret is refused by name and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from scofeed.errors import ConfigError
from scofeed.infra.urls import is_http_url

DEFAULT_MAX_DELETES = 256  # Hugo's default for `maxDeletes`
DEFAULT_WORKERS = 16  # uploads in flight: a remote store's latency, not bandwidth, bounds them

_KEYS: dict[str, type] = {
    "url": str,
    "endpoint_url": str,
    "region": str,
    "max_deletes": int,
    "workers": int,
    "matchers": list,
}
_MATCHER_KEYS = ("pattern", "cache_control", "content_type")
_SECRET = re.compile(r"secret|password|passwd|token|credential|access_?key|key_?id", re.I)
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.\-_]{1,254}$")


@dataclass(frozen=True)
class DeployMatcher:
    """Hugo's deployment matcher: files whose output-relative path matches `pattern` (a glob,
    `*` also crossing folders) get these headers instead of scofeed's. The first match wins."""

    pattern: str
    cache_control: str | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class DeployConfig:
    url: str | None = None  # s3://bucket/prefix/
    endpoint_url: str | None = None  # an S3-compatible store; else AWS_ENDPOINT_URL or AWS
    region: str | None = None
    max_deletes: int = DEFAULT_MAX_DELETES
    workers: int = DEFAULT_WORKERS
    matchers: tuple[DeployMatcher, ...] = ()


def parse_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket/sco` -> ("bucket", "sco/"); the prefix is "" or ends with "/".
    Raises ValueError with the fix."""
    found = re.fullmatch(r"s3://([^/]+)(?:/(.*))?", url.strip())
    if found is None or not _BUCKET.match(found.group(1)):
        raise ValueError(f"{url!r} is not an s3://BUCKET/PREFIX/ URL, such as s3://my-site/sco/")
    prefix = (found.group(2) or "").strip("/")
    if any(part in ("", ".", "..") for part in prefix.split("/")) and prefix:
        raise ValueError(f"{url!r}: the prefix must be folder names without . or .. or //")
    return found.group(1), prefix + "/" if prefix else ""


def line_of(text: str, table: str, key: str, index: int = 0) -> int | None:
    """The line of `key` in `[table]` (or in the `index`-th `[[table]]`), for messages: tomllib
    says what a file holds, not where."""
    current, seen, header = None, -1, re.compile(r"^\s*\[(\[?)\s*([^\]]+?)\s*\]\]?")
    for number, line in enumerate(text.splitlines(), 1):
        found = header.match(line)
        if found:
            current = found.group(2)
            seen += current == table and found.group(1) == "["
            continue
        in_table = current == table and (seen == index or seen < 0)
        if in_table and re.match(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=", line):
            return number
    return None


def deploy_table(table: Any, text: str, where: str) -> DeployConfig:
    """`[deploy]` as a DeployConfig; every mistake named by file, line and fix."""

    def at(key: str, in_table: str = "deploy", index: int = 0) -> str:
        line = line_of(text, in_table, key, index)
        return f"{where}:{line}" if line else where

    if not isinstance(table, dict):
        raise ConfigError(f"{where}: deploy must be a table: [deploy] then url = ...")
    for key, value in table.items():
        _refuse_secret(key, at(key), "[deploy]")
        expected = _KEYS.get(key)
        if expected is None:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"{at(key)}: [deploy] has no key {key!r}; known keys are {known}")
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"{at(key)}: [deploy] {key} must be a {_KIND[expected]}")
    url = table.get("url")
    if url is not None:
        try:
            parse_s3_url(url)
        except ValueError as exc:
            raise ConfigError(f"{at('url')}: [deploy] url {exc}") from None
    endpoint = table.get("endpoint_url")
    if endpoint is not None and not is_http_url(endpoint):
        raise ConfigError(
            f"{at('endpoint_url')}: [deploy] endpoint_url {endpoint!r} must be an http(s) URL, "
            'such as "https://ACCOUNT.r2.cloudflarestorage.com"'
        )
    for key, least in (("max_deletes", 0), ("workers", 1)):
        if key in table and table[key] < least:
            raise ConfigError(f"{at(key)}: [deploy] {key} must be {least} or more")
    matchers = tuple(_matcher(spec, i, at) for i, spec in enumerate(table.get("matchers", [])))
    return DeployConfig(
        url=url,
        endpoint_url=endpoint,
        region=table.get("region"),
        max_deletes=table.get("max_deletes", DEFAULT_MAX_DELETES),
        workers=table.get("workers", DEFAULT_WORKERS),
        matchers=matchers,
    )


_KIND = {str: "string in quotes", int: "whole number", list: "list of [[deploy.matchers]]"}


def _refuse_secret(key: str, where: str, table: str) -> None:
    if _SECRET.search(key):
        raise ConfigError(
            f"{where}: {table} {key}: secrets do not belong in scofeed.toml, which travels with "
            "the posts; remove it and set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the "
            "environment, or a profile in ~/.aws/credentials (AWS_PROFILE)"
        )


def _matcher(spec: Any, index: int, at: Any) -> DeployMatcher:
    table = "deploy.matchers"
    if not isinstance(spec, dict):
        raise ConfigError(f"{at('matchers')}: write matchers as [[deploy.matchers]] tables")
    for key, value in spec.items():
        _refuse_secret(key, at(key, table, index), "[[deploy.matchers]]")
        if key not in _MATCHER_KEYS:
            raise ConfigError(
                f"{at(key, table, index)}: [[deploy.matchers]] has no key {key!r}; known keys "
                f"are {', '.join(_MATCHER_KEYS)}"
            )
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(
                f"{at(key, table, index)}: [[deploy.matchers]] {key} must be a string in quotes"
            )
    if "pattern" not in spec:
        raise ConfigError(
            f"{at('pattern', table, index)}: [[deploy.matchers]] number {index + 1} needs a "
            'pattern, such as pattern = "*.xml"'
        )
    if len(spec) == 1:
        raise ConfigError(
            f"{at('pattern', table, index)}: [[deploy.matchers]] {spec['pattern']!r} sets "
            "nothing; add cache_control or content_type"
        )
    return DeployMatcher(spec["pattern"], spec.get("cache_control"), spec.get("content_type"))
