"""The self-describing validator corpus: tests/data/validate/{rss,atom}/*.xml.

Each file opens (after the XML declaration, if any) with a comment:

    <!--
    Description: what the file is
    Expect: RULE [RULE ...]
    -->

`Expect:` lists the rule names that must be found, each at least once; no other rule may be
found. The word `valid` among them says the document has no error (the rules listed with it are
warnings); without it, at least one listed rule is an error. `Expect: not-a-feed` says the
validator must refuse to run on it (NotAFeedError). Adding a case is adding a file.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from scofeed.errors import NotAFeedError
from scofeed.validate import RULES, detect_format, validate_bytes

CORPUS = Path(__file__).parent / "data" / "validate"
HEADER = re.compile(r"<!--\s*Description:(?P<description>.+?)\n\s*Expect:(?P<expect>.+?)-->", re.S)


@dataclass(frozen=True)
class Case:
    path: Path
    description: str
    expect: frozenset[str]

    @property
    def valid(self) -> bool:
        return "valid" in self.expect

    @property
    def rules(self) -> frozenset[str]:
        return self.expect - {"valid", "not-a-feed"}


def _text(data: bytes) -> str:
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(codec)
    if data[:4] in (b"<\x00?\x00", b"<\x00!\x00"):
        return data.decode("utf-16-le")
    return data.decode("latin-1")


def load(path: Path) -> Case:
    match = HEADER.search(_text(path.read_bytes()))
    assert match, f"{path}: no <!-- Description: ... Expect: ... --> header"
    description = " ".join(match["description"].split())
    expect = frozenset(match["expect"].split())
    return Case(path, description, expect)


CASES = [load(path) for path in sorted(CORPUS.glob("*/*.xml"))]


def _id(case: Case) -> str:
    return f"{case.path.parent.name}/{case.path.stem}"


def test_corpus_is_large_and_covers_both_formats() -> None:
    per_format = {fmt: [c for c in CASES if c.path.parent.name == fmt] for fmt in ("rss", "atom")}
    assert len(CASES) >= 150
    for fmt, cases in per_format.items():
        assert len([c for c in cases if c.valid]) >= 15, fmt
        assert len([c for c in cases if not c.valid]) >= 40, fmt


def test_every_expectation_names_a_rule() -> None:
    for case in CASES:
        unknown = case.rules - set(RULES)
        assert not unknown, f"{case.path}: unknown rule names {sorted(unknown)}"
        assert case.expect, f"{case.path}: empty Expect"


def test_every_rule_is_covered_by_the_corpus() -> None:
    covered = set().union(*(case.rules for case in CASES))
    assert sorted(set(RULES) - covered) == []


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_corpus_case(case: Case) -> None:
    data = case.path.read_bytes()
    if "not-a-feed" in case.expect:
        with pytest.raises(NotAFeedError):
            validate_bytes(data, str(case.path))
        return
    assert detect_format(data) == case.path.parent.name
    findings = validate_bytes(data, str(case.path))
    found = {f.rule for f in findings}
    errors = [f for f in findings if f.severity == "error"]
    shown = "\n".join(str(f) for f in findings) or "(no findings)"
    assert found == case.rules, f"{case.description}\nexpected {sorted(case.rules)}, got:\n{shown}"
    if case.valid:
        assert not errors, f"{case.description}\nexpected valid, got:\n{shown}"
    else:
        assert errors, f"{case.description}\nexpected an error, got:\n{shown}"
    for finding in findings:
        assert finding.message and finding.line >= 0 and finding.column >= 0
        assert finding.severity == RULES[finding.rule].severity
