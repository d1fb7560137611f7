"""Promises that must hold for every input the store accepts (hypothesis).

For arbitrary titles, bodies (Markdown and raw HTML, any Unicode including control characters,
RTL text, emoji, NUL), authors, tags and dates from year 1 to 9999 with any offset, every feed
`build` writes passes the validator, parses in feedparser without the bozo flag, and carries the
titles and ids it was given. `HYPOTHESIS_PROFILE=long` runs many more examples.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import feedparser
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from scofeed import validate
from scofeed.config import load_config
from scofeed.posts.text import derive_title
from scofeed.publish.build import build

settings.register_profile(
    "ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

NOW = datetime.max.replace(tzinfo=UTC)

# Any character a Python string can hold in a UTF-8 file: everything but lone surrogates.
# Control characters, NUL, U+FFFE, RTL marks and emoji included on purpose.
any_char = st.characters(blacklist_categories=["Cs"])
nasty = st.sampled_from(
    ["\x00", "\x07", "\x1b", "\u202e", "\u200b", "\ufeff", "\ufffe", "]]>", "<!--", "&amp;",
     "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "💥", "שלום", "\r\n", "\t"]
)  # fmt: skip
text = st.lists(st.one_of(st.text(any_char, max_size=20), nasty), max_size=6).map("".join)
markdown_bits = st.sampled_from(
    ["# Heading\n", "- item\n", "1. one\n", "> quote\n", "`code`", "**bold**", "[a](../rel)",
     "![i](img.png)", "<div onclick='x()'>raw</div>", "<a href='javascript:alert(1)'>j</a>",
     "\n\n", "| a | b |\n|---|---|\n| 1 | 2 |\n", "Moscow", "Beijing", "Shanghai Five"]
)  # fmt: skip
body = st.lists(st.one_of(text, markdown_bits), max_size=8).map("".join)
offsets = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(
    lambda m: timezone(timedelta(minutes=m))
)
dates = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59), timezones=offsets
)


# feedparser "repairs" text that looks like UTF-8 read as Latin-1 ("Ã©" reads as "é"): a
# reader's guess, not what the feed says. Such titles are checked with lxml below instead.
_MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf]")
# And RSS titles that hold an entity or a closing tag as text (a title about "&amp;") are taken
# for HTML by feedparser's guess; Atom says type="text", and feedparser follows it.
_LOOKS_LIKE_HTML = re.compile(r"&#?\w+;|</\w+>")


@st.composite
def posts(draw: st.DrawFn) -> dict[str, object]:
    front: dict[str, object] = {"date": draw(dates).isoformat()}
    if draw(st.booleans()):
        front["title"] = draw(text)
    if draw(st.booleans()):
        front["author"] = draw(text)
    if draw(st.booleans()):
        front["tags"] = draw(st.lists(text, max_size=3))
    if draw(st.booleans()):
        front["comments"] = draw(st.integers(min_value=0, max_value=10**6))
    return {"front": front, "body": draw(body)}


def _expected_title(front_yaml: str) -> str | None:
    """The title as the YAML says it (YAML folds U+0085 and U+2028 into line breaks), with the
    characters XML forbids dropped and white space folded, as the store promises."""
    title = yaml.safe_load(front_yaml).get("title")
    if not isinstance(title, str):
        return None
    cleaned = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]", "", title)
    return " ".join(cleaned.split()) or None


@pytest.mark.slow  # a build per example: 25 at the ci profile, 600 at `long`
@given(st.lists(posts(), min_size=1, max_size=4))
@example([{"front": {"date": "0001-01-01T00:00:00+23:59", "title": "First"}, "body": ""}])
@example([{"front": {"date": "9999-12-31T23:59:00-23:59", "title": "Last"}, "body": "x"}])
@example([{"front": {"date": "2008-05-19", "title": "Trade <Energy> & Security"}, "body": "]]>"}])
def test_every_accepted_post_gives_valid_feeds_that_read_back(
    items: list[dict[str, object]],
) -> None:
    root = Path(tempfile.mkdtemp(prefix="scofeed-prop-"))
    try:
        (root / "posts").mkdir()
        titles = {}
        for i, item in enumerate(items):
            front = yaml.safe_dump(item["front"], allow_unicode=True)
            (root / "posts" / f"p{i}.md").write_text(
                f"---\n{front}---\n{item['body']}", encoding="utf-8"
            )
            titles[f"tag:example.org,2005:posts/p{i}"] = _expected_title(front)
        config = load_config(root)
        report = build(config, now=NOW)
        assert report.posts == len(items)
        feeds = [
            p for p in (*report.written, *report.unchanged) if p.endswith(("rss.xml", "atom.xml"))
        ]
        assert feeds
        for path in feeds:
            data = (config.output_dir / path).read_bytes()
            errors = [f for f in validate.validate_bytes(data, path) if f.severity == "error"]
            assert errors == [], (path, [str(e) for e in errors])
            parsed = feedparser.parse(data)
            assert not parsed.bozo, (path, parsed.get("bozo_exception"))
            root_el = etree.fromstring(data)
            for item in root_el.iter("item", "{http://www.w3.org/2005/Atom}entry"):
                guid = item.findtext("guid") or item.findtext("{http://www.w3.org/2005/Atom}id")
                title = item.findtext("title") or item.findtext(
                    "{http://www.w3.org/2005/Atom}title"
                )
                if titles.get(guid) is not None:
                    assert title == titles[guid]
            for entry in parsed.entries:
                assert entry.id in titles
                want = titles[entry.id]
                guessed = parsed.version == "rss20" and _LOOKS_LIKE_HTML.search(want or "")
                if want is None:  # derived from the body: short
                    assert entry.title and len(entry.title) <= 80
                elif not _MOJIBAKE.search(want) and not guessed:
                    assert entry.title == want
                # Otherwise feedparser rewrites the title (see above), down to nothing for an
                # RSS title "<!--&amp;" it takes for an HTML comment; the exact check is the
                # lxml read-back above.
    finally:
        shutil.rmtree(root, ignore_errors=True)


@given(text)
def test_derived_titles_are_short_and_cut_at_words(value: str) -> None:
    title = derive_title(value)
    assert len(title) <= 80
    words = " ".join(value.split())
    if title.endswith("…") and not words.startswith(title):
        assert words.startswith(title[:-1].rstrip())
