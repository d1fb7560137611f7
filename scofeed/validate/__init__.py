"""Feed validation: bytes in, `Finding`s out; the validator people point at any feed.

`validate_bytes` checks one RSS 2.0 or Atom 1.0 document (`document`): well-formedness, the
rules no schema can state (`rss`, `atom`, on values checked by `values`), then the shipped RELAX
NG schemas (`schemas/atom.rng` from RFC 4287, `schemas/rss-2.0.rng` from the RSS 2.0
specification) for what the rules did not explain (`xml`). Every rule has a name and a severity
(`rules`). `validate_targets` reads files, folders and http(s) URLs for the command line;
`jsonfeed` checks the JSON Feeds a build writes, and `repeats` its RSS and Atom documents, each
entry they share validated in full once.

Findings are data; exceptions (`NotAFeedError`, `FetchError`) mean the validator could not run:
the input is missing, unreachable, too large, or not a feed at all. Untrusted XML is read only
through `scofeed.infra.xmlsafe`.
"""

from __future__ import annotations

from scofeed.validate.document import DEFAULT_MAX_BYTES, detect_format, validate_bytes
from scofeed.validate.findings import DocumentResult, Finding, ValidationRun
from scofeed.validate.rules import RULES, Rule
from scofeed.validate.targets import FEED_SUFFIXES, validate_targets

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FEED_SUFFIXES",
    "RULES",
    "DocumentResult",
    "Finding",
    "Rule",
    "ValidationRun",
    "detect_format",
    "validate_bytes",
    "validate_targets",
]
