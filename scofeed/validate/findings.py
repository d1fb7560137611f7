"""What the validator reports: a `Finding` per problem, and the results of a run over files,
folders and URLs. Findings are data; exceptions mean the validator could not run."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from scofeed.errors import ScofeedError
from scofeed.validate.rules import ERROR, RULES

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` for one line of a terminal or a log: C0 controls (tab and newline too), DEL and
    C1 controls written as \\xNN. A raw ESC or CSI (U+009B) from a document could drive the
    terminal the findings are read on."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


@dataclass(frozen=True)
class Finding:
    """One problem in one document, where it is and what to change.

    `source` and `message` are made `printable` here, where every finding is made: messages
    quote document content (a date, a language code, a URL) and a source is any
    URL or file name, and whichever way a finding leaves (a line of text, JSON, a library
    caller's own output) it then carries no control character.
    """

    source: str  # file path or URL as given
    line: int  # 1-based; 0 when unknown
    column: int  # 1-based; 0 when unknown
    severity: str  # "error" | "warning"
    rule: str  # stable rule name, a key of RULES
    message: str  # plain English, says what to change

    def __post_init__(self) -> None:
        object.__setattr__(self, "source", printable(self.source))
        object.__setattr__(self, "message", printable(self.message))

    def __str__(self) -> str:
        return (
            f"{self.source}:{self.line}:{self.column}: {self.severity} {self.rule}: {self.message}"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
        }


@dataclass(frozen=True)
class DocumentResult:
    """The findings for one document that was read and recognised as a feed."""

    source: str
    findings: tuple[Finding, ...]

    @property
    def valid(self) -> bool:
        return not any(f.severity == ERROR for f in self.findings)


@dataclass(frozen=True)
class ValidationRun:
    """Everything `validate_targets` found; `failures` are the inputs it could not check."""

    documents: tuple[DocumentResult, ...]
    failures: tuple[ScofeedError, ...]
    skipped: tuple[str, ...]  # files found by a folder walk that are not feeds

    @property
    def findings(self) -> list[Finding]:
        return [f for doc in self.documents for f in doc.findings]

    @property
    def exit_status(self) -> int:
        """0 every document valid, 1 some finding is an error, 2 some input could not be read."""
        if self.failures:
            return 2
        return 0 if all(doc.valid for doc in self.documents) else 1

    def as_dict(self) -> dict[str, Any]:
        """The run as `scofeed validate --format json` prints it."""
        return {
            "valid": self.exit_status == 0,
            "exit_status": self.exit_status,
            "documents": [
                {
                    "source": printable(doc.source),
                    "valid": doc.valid,
                    "errors": sum(f.severity == "error" for f in doc.findings),
                    "warnings": sum(f.severity == "warning" for f in doc.findings),
                }
                for doc in self.documents
            ],
            "findings": [f.as_dict() for f in self.findings],
            "failures": [printable(str(failure)) for failure in self.failures],
            "skipped": [printable(path) for path in self.skipped],
        }


# --- GitHub workflow annotations ----------------------------------------------------------
# https://docs.github.com/actions/reference/workflow-commands-for-github-actions: a command's
# message escapes %, CR and LF; its properties (file, title) escape ":" and "," as well.


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(finding: Finding) -> str:
    """`::error file=F,line=L,col=C,title=RULE::message` (line and col left out when unknown)."""
    props = [f"file={_escape_property(finding.source)}"]
    if finding.line:
        props.append(f"line={finding.line}")
    if finding.column:
        props.append(f"col={finding.column}")
    props.append(f"title={_escape_property(finding.rule)}")
    return f"::{finding.severity} {','.join(props)}::{_escape_data(finding.message)}"


def github_failure(failure: ScofeedError) -> str:
    """An input that could not be checked, as an error annotation without a file."""
    return f"::error title=scofeed validate::{_escape_data(printable(str(failure)))}"


# --- the rules, for `scofeed validate --rules` --------------------------------------------


def rules_listing() -> list[dict[str, str]]:
    """Every rule the validator can report, sorted by name."""
    return [
        {
            "name": rule.name,
            "severity": rule.severity,
            "summary": rule.summary,
            "reference": rule.reference,
        }
        for rule in sorted(RULES.values(), key=lambda r: r.name)
    ]


def rules_text() -> str:
    """The rules for people: `name  severity  summary` and the reference on the next line."""
    rows = rules_listing()
    width = max(len(row["name"]) for row in rows)
    return "\n".join(
        f"{row['name']:{width}}  {row['severity']:7}  {row['summary']}\n"
        f"{'':{width}}  {'':7}  ({row['reference'] or 'no reference'})"
        for row in rows
    )
