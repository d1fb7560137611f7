"""Findings counted exactly, where the corpus (which checks rule names) cannot tell."""

from __future__ import annotations

from scofeed.validate import validate_bytes

CHANNEL = (
    b'<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>T</title>'
    b"<link>https://example.org/</link><description>D</description>"
    b'<atom:link href="https://example.org/rss.xml" rel="self" type="application/rss+xml"/>'
    b"%s</channel></rss>"
)


def test_an_invalid_hour_is_one_finding_and_no_false_repeat() -> None:
    data = CHANNEL % b"<skipHours><hour>x</hour><hour>0</hour><hour>0</hour></skipHours>"
    messages = [f.message for f in validate_bytes(data) if f.rule == "rss-skip-hours"]
    assert messages == [
        '<hour> "x" must be a whole number from 0 to 23 (GMT)',
        "<hour> 0 is listed twice",  # the second 0, not the first after the invalid one
    ]
