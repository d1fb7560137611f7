"""The rule registry: every rule says what it is about and which clause of which specification
it comes from, so that `scofeed validate --rules` can point people at the text to read."""

from __future__ import annotations

import re

from scofeed.validate import RULES

# A reference names a specification: an RFC, a W3C/XML text, RSS, Atom or a module's name.
SPEC_NAME = re.compile(r"RFC \d+|XML 1\.0|RSS|Atom|[A-Z][A-Za-z]+")


def test_every_rule_has_a_severity_a_summary_and_a_reference() -> None:
    missing = [
        name
        for name, rule in RULES.items()
        if not rule.reference.strip() or not rule.summary.strip()
    ]
    assert missing == []
    for name, rule in RULES.items():
        assert rule.name == name
        assert rule.severity in ("error", "warning"), name
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", name), name
        assert SPEC_NAME.search(rule.reference), (name, rule.reference)


def test_core_rules_cite_the_clause_of_their_specification() -> None:
    """The core rows name a section or element, not only the document: "RFC 4287 4.2.6",
    "RSS 2.0, <ttl> sub-element of <channel>"."""
    for name, rule in RULES.items():
        prefix = name.split("-", 1)[0]
        if prefix == "atom":
            assert re.search(r"RFC \d+ (\d+(\.\d+)*|Appendix [A-Z])", rule.reference), name
        elif prefix == "rss":
            assert re.search(
                r"RSS (\d\.\d+|Best Practices Profile)( \(Netscape\))?(, | \()", rule.reference
            ), name
        elif prefix == "xml":
            assert re.match(r"XML 1\.0 \(Fifth Edition\) \d+(\.\d+)*", rule.reference), name
