"""Site configuration: `Config` (frozen) from an optional `scofeed.toml`; all keys optional."""

from __future__ import annotations

import re
import string
import tomllib
import zoneinfo
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from scofeed.config_deploy import DeployConfig, deploy_table
from scofeed.errors import ConfigError
from scofeed.infra.urls import iri_to_uri, is_http_url

CONFIG_NAME = "scofeed.toml"

DEFAULT_TITLE = "SCO (RTG)"
DEFAULT_DESCRIPTION = "News about the Shanghai Cooperation Organization and its member states."
DEFAULT_BASE_URL = "https://example.org/sco/"
# The tagging entity of every generated id (RFC 4151: a domain you own, a date you owned it).
# Deliberately not derived from base_url, so that moving the site never changes an id.
DEFAULT_TAG_AUTHORITY = "example.org,2005"
DEFAULT_PERMALINK = "{year}/{month}/{slug}.html"

_TAG_AUTHORITY = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"|[^@\s,]+@[A-Za-z0-9.-]+),\d{4}(?:-\d{2}(?:-\d{2})?)?$"
)


@dataclass(frozen=True)
class Config:
    """Everything a build needs to know about the site. Paths are absolute."""

    root: Path
    title: str = DEFAULT_TITLE
    description: str = DEFAULT_DESCRIPTION
    base_url: str = DEFAULT_BASE_URL
    language: str = "en"
    author: str = "SCO (RTG) editors"
    timezone: str = "UTC"
    feed_limit: int = 50
    posts_dir: Path = Path("posts")
    output_dir: Path = Path("output")
    cache_dir: Path = Path(".scofeed")
    tag_authority: str = DEFAULT_TAG_AUTHORITY
    permalink: str = DEFAULT_PERMALINK
    page_size: int = 10  # posts on each page of the home, country and monthly listings
    exclude_tags: tuple[str, ...] = ()  # posts with any of these tags are in no feed
    archive_size: int = 0  # entries in each RFC 5005 archive document; 0: feed_limit's
    feed_content: str = "full"  # or "summary": entries carry the summary and the link only
    # WebSub hubs every subscription feed names, and the build or deploy tells of changes.
    websub_hubs: tuple[str, ...] = ()
    # A hub on a loopback or private address (self-hosted on the LAN, or a test's) is refused
    # unless the site says so here, as `--allow-private` says it for fetched URLs.
    websub_allow_private: bool = False
    # Site additions to the gazetteer: country name -> names that mention it.
    gazetteer: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())
    deploy: DeployConfig = field(default=DeployConfig())  # `[deploy]`, for `scofeed deploy`
    # The file this came from, for messages; None when the site has none. Not part of what
    # the site is (neither compared nor in the repr that keys the build cache): `--config
    # scofeed.toml` and its absolute path are one site.
    config_file: Path | None = field(default=None, repr=False, compare=False)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def templates_dir(self) -> Path:
        """The site's own templates, beside the posts (Pelican's and Hugo's habit)."""
        return self.posts_dir.parent / "templates"

    @property
    def static_dir(self) -> Path:
        """Files copied to the output as they are, beside the posts (Hugo's `static/`)."""
        return self.posts_dir.parent / "static"

    @property
    def where(self) -> str:
        """How messages name the configuration."""
        return str(self.config_file) if self.config_file is not None else CONFIG_NAME


_KEYS: dict[str, type | tuple[type, ...]] = {
    "title": str,
    "description": str,
    "base_url": str,
    "language": str,
    "author": str,
    "timezone": str,
    "feed_limit": int,
    "posts_dir": str,
    "output_dir": str,
    "cache_dir": str,
    "tag_authority": str,
    "permalink": str,
    "page_size": int,
    "feed_content": str,
    "archive_size": int,
    "exclude_tags": list,
    "gazetteer": dict,
    "deploy": dict,
    "websub_hubs": list,
    "websub_allow_private": bool,
}


def load_config(
    root: Path,
    config_file: Path | None = None,
    *,
    posts_dir: Path | None = None,
    output_dir: Path | None = None,
) -> Config:
    """Read `config_file` (or `root/scofeed.toml` when it exists); command-line paths win."""
    root = root.resolve()
    data: dict[str, Any] = {}
    text = ""
    source = config_file if config_file is not None else root / CONFIG_NAME
    read = config_file is not None or source.is_file()
    if read:
        try:
            text = source.read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except FileNotFoundError:
            raise ConfigError(f"{source}: no such file; check the --config path") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
        # Relative paths in a config file are relative to the folder that holds it.
        root = source.resolve().parent
    where = str(source)
    for key, value in data.items():
        expected = _KEYS.get(key)
        if expected is None:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"{where}: unknown key {key!r}; known keys are {known}")
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            kind = expected.__name__ if isinstance(expected, type) else "value"
            raise ConfigError(f"{where}: {key} must be a {_KIND.get(kind, kind)}, not {value!r}")

    values: dict[str, Any] = {k: v for k, v in data.items() if k != "gazetteer"}
    for key in ("posts_dir", "output_dir", "cache_dir"):
        if key in values:
            values[key] = Path(values[key])
    # Paths given on the command line are relative to where the command runs, not to the
    # folder of the configuration file.
    if posts_dir is not None:
        values["posts_dir"] = posts_dir.resolve()
    if output_dir is not None:
        values["output_dir"] = output_dir.resolve()
    values["gazetteer"] = _gazetteer(data.get("gazetteer", {}), where)
    if "deploy" in data:
        values["deploy"] = deploy_table(data["deploy"], text, where)
    if "exclude_tags" in values:
        tags = values["exclude_tags"]
        if not all(isinstance(tag, str) and tag.strip() for tag in tags):
            raise ConfigError(f'{where}: exclude_tags must be a list of tags, like ["internal"]')
        values["exclude_tags"] = tuple(tags)
    if "websub_hubs" in values:
        values["websub_hubs"] = _hubs(values["websub_hubs"], where)
    config = Config(root=root, config_file=source if read else None, **values)
    # Every path made absolute against the config's folder (command-line ones are already).
    config = _with_paths(config)
    _check(config, where)
    # An IDN or non-ASCII path in base_url is written in URI form: RSS 2.0 wants URLs.
    return replace(config, base_url=iri_to_uri(config.base_url))


_KIND = {
    "str": "string in quotes",
    "int": "whole number",
    "dict": "table",
    "list": "list",
    "bool": "true or false",
}


def _hubs(hubs: list[Any], where: str) -> tuple[str, ...]:
    """WebSub hubs: absolute http(s) URLs, each once, in the order given."""
    for hub in hubs:
        if not is_http_url(hub) or any(c.isspace() for c in hub):
            raise ConfigError(
                f"{where}: websub_hubs: {hub!r} is not an absolute http(s) URL; write each hub's "
                'address in full, as in websub_hubs = ["https://pubsubhubbub.appspot.com/"]'
            )
    return tuple(dict.fromkeys(hubs))


def _with_paths(config: Config) -> Config:
    return replace(
        config,
        posts_dir=(config.root / config.posts_dir).resolve(),
        output_dir=(config.root / config.output_dir).resolve(),
        cache_dir=(config.root / config.cache_dir).resolve(),
    )


def _gazetteer(table: dict[str, Any], where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    entries = []
    for country, spec in sorted(table.items()):
        names = spec.get("names") if isinstance(spec, dict) else None
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            raise ConfigError(
                f'{where}: [gazetteer.{country}] needs names = ["{country}", …], a list of strings'
            )
        entries.append((country, tuple(names)))
    return tuple(entries)


def _check(config: Config, where: str) -> None:
    if not is_http_url(config.base_url):
        raise ConfigError(
            f"{where}: base_url {config.base_url!r} must be an absolute http(s) URL, "
            'such as "https://example.org/sco/"'
        )
    if not config.base_url.endswith("/"):
        raise ConfigError(f'{where}: base_url must end with "/": "{config.base_url}/"')
    try:
        zoneinfo.ZoneInfo(config.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f'{where}: timezone {config.timezone!r} is unknown; use an IANA name such as "UTC" '
            'or "Asia/Almaty"'
        ) from None
    if config.feed_limit < 0:
        raise ConfigError(f"{where}: feed_limit must be 0 (every post) or more")
    if config.page_size < 1:
        raise ConfigError(f"{where}: page_size must be 1 or more posts a page")
    if config.archive_size < 0:
        raise ConfigError(f"{where}: archive_size must be 0 (as feed_limit) or more entries")
    if config.feed_content not in ("full", "summary"):
        raise ConfigError(
            f'{where}: feed_content must be "full" (the whole post in every entry) or "summary"'
            f" (its summary and a link), not {config.feed_content!r}"
        )
    if not _TAG_AUTHORITY.match(config.tag_authority):
        raise ConfigError(
            f"{where}: tag_authority {config.tag_authority!r} must be a domain or email you own "
            'and a date, as in "example.org,2005" (RFC 4151)'
        )
    _check_permalink(config.permalink, where)


PERMALINK_FIELDS = ("year", "month", "day", "slug")


def _check_permalink(pattern: str, where: str) -> None:
    """A pattern that always makes a path below the output folder, from known placeholders."""
    example = f'such as "{DEFAULT_PERMALINK}"'
    known = ", ".join(f"{{{name}}}" for name in PERMALINK_FIELDS)
    try:
        fields = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(pattern)]
    except ValueError as exc:
        raise ConfigError(
            f"{where}: permalink {pattern!r} cannot be read ({exc}); write {{ and }} only "
            f"around a placeholder ({known}), {example}"
        ) from None
    for name, spec, conversion in fields:
        if name is None:
            continue
        if name not in PERMALINK_FIELDS or spec or conversion:
            shown = (
                "{"
                + name
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
            raise ConfigError(
                f"{where}: permalink {pattern!r}: {shown} is not a placeholder scofeed knows; "
                f"use {known}, {example}"
            )
    if "{slug}" not in pattern:
        raise ConfigError(f"{where}: permalink must contain {{slug}}, {example}")
    sample = pattern.format(year="2008", month="05", day="19", slug="x").lstrip("/")
    path = PurePosixPath(sample)
    if any(part in ("..", ".") for part in path.parts) or "\\" in sample or "//" in sample:
        raise ConfigError(
            f"{where}: permalink {pattern!r} must be a path below base_url, without . or .. "
            f"or empty segments, {example}"
        )
