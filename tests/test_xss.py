"""No XSS payload in a post survives as markup into anything scofeed writes: feeds (their HTML
content), JSON feeds, embed fragments and pages. Payloads live in tests/data/xss/payloads.txt."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from lxml import etree
from lxml import html as lxml_html

from scofeed.config import load_config
from scofeed.publish.build import build

from conftest import NOW

PAYLOADS = [
    line
    for line in (Path(__file__).parent / "data/xss/payloads.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]
_BAD_URL = re.compile(r"^\s*(?:javascript|vbscript|data)\s*:", re.IGNORECASE)
_ACTIVE = {"script", "iframe", "object", "embed", "base", "meta", "form", "style", "link",
           "frame", "frameset", "svg", "math"}  # fmt: skip
ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


def _assert_safe_html(fragment: str, where: str) -> None:
    if not fragment.strip():
        return
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue  # comments are inert
        tag = el.tag.lower()
        assert tag not in _ACTIVE, (where, tag)
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (where, tag, name)
            assert name.lower() != "style", (where, tag, name)
            if name.lower() in {"href", "src", "action", "formaction", "data", "xlink:href"}:
                assert not _BAD_URL.match(value), (where, tag, name, value)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("xss")
    (root / "posts").mkdir()
    for i, payload in enumerate(PAYLOADS):
        front = {
            "title": f"Payload {i} {payload}",
            "date": f"2020-01-{i % 28 + 1:02d}T{i % 24:02d}:00:00Z",
            "author": payload,
            "tags": [payload, "Moscow"],
            "summary": payload if i % 2 else None,
            "countries": ["Russia"],
        }
        front = {k: v for k, v in front.items() if v is not None}
        (root / "posts" / f"p{i}.md").write_text(
            f"---\n{yaml.safe_dump(front, allow_unicode=True)}---\n\nBefore.\n\n{payload}\n\n"
            f"Inline {payload} after.\n",
            encoding="utf-8",
        )
    (root / "scofeed.toml").write_text("feed_limit = 0\n")
    build(load_config(root), now=NOW)
    return root / "output"


def test_every_payload_was_published(site: Path) -> None:
    atom = etree.parse(str(site / "atom.xml")).getroot()
    assert len(atom.findall(f"{ATOM}entry")) == len(PAYLOADS)


def test_feed_content_is_sanitised(site: Path) -> None:
    for path in sorted(site.rglob("*.xml")):
        root = etree.parse(str(path)).getroot()
        for el in root.iter(f"{ATOM}content", CONTENT):
            _assert_safe_html(el.text or "", str(path))
        # Titles, summaries and categories are text: whatever they hold is shown, not run.
        for el in root.iter(f"{ATOM}title", f"{ATOM}summary", "title", "description"):
            assert el.get("type") in (None, "text"), (path, el.tag)


def test_titles_are_text_that_readers_show_as_written(site: Path) -> None:
    atom = etree.parse(str(site / "atom.xml")).getroot()
    titles = sorted(e.findtext(f"{ATOM}title") or "" for e in atom.iter(f"{ATOM}entry"))
    assert "Payload 0 <script>alert(1)</script>" in titles


def test_json_feeds_and_pages_are_sanitised(site: Path) -> None:
    for path in sorted(site.rglob("*.json")):
        for item in json.loads(path.read_text())["items"]:
            _assert_safe_html(item.get("content_html", ""), f"{path} {item['id']}")
    for path in sorted(site.rglob("*.html")):
        document = lxml_html.document_fromstring(path.read_bytes())
        body = document.find("body")
        scope = body if body is not None else document
        for el in scope.iter():
            if isinstance(el.tag, str) and el.tag.lower() == "script":
                pytest.fail(f"{path}: a script element")
            for name, value in el.attrib.items() if isinstance(el.tag, str) else ():
                assert not name.lower().startswith("on"), (path, el.tag, name)
                if name.lower() in {"href", "src", "action"}:
                    assert not _BAD_URL.match(value), (path, el.tag, name, value)


def _only_text(fragment: str, where: str) -> None:
    """What a reader without a sanitiser renders from an HTML field scofeed filled with plain
    text: text alone, not one element."""
    if fragment.strip():
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
        assert [el.tag for el in root.iter() if el is not root] == [], (where, fragment)


# Plain text that used to become markup on the way to an RSS description: a summary taken from
# a body whose first paragraph is a code span, an entity, a backslash escape or a code block; a
# title derived from such a body; a title standing in for an empty body; a country's name.
DERIVED = {
    "code-span.md": "date: 2020-02-01\ncountries: [Russia]",
    "entities.md": "title: Entities\ndate: 2020-02-02",
    "escape.md": "title: Escape\ndate: 2020-02-03",
    "block.md": "title: Block\ndate: 2020-02-04",
    "empty.md": "title: '<img src=x onerror=alert(5)>'\ndate: 2020-02-05",
    "country.md": "title: Country\ndate: 2020-02-06\ncountries: ['<img src=x onerror=alert(6)>']",
}
BODIES = {
    "code-span.md": "Write `<img src=x onerror=alert(2)>` here.",
    "entities.md": "&lt;img src=x onerror=alert(4)&gt;",
    "escape.md": "\\<img src=x onerror=alert(3)>",
    "block.md": "    <img src=x onerror=alert(7)>\n",
    "empty.md": "",
    "country.md": "Text.",
}


@pytest.fixture(scope="module")
def derived(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("derived")
    (root / "posts").mkdir()
    for name, front in DERIVED.items():
        (root / "posts" / name).write_text(f"---\n{front}\n---\n\n{BODIES[name]}\n")
    build(load_config(root), now=NOW)
    return root / "output"


@pytest.mark.parametrize("fixture", ["site", "derived"])
def test_rss_descriptions_render_as_text_in_a_reader_without_a_sanitiser(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    output: Path = request.getfixturevalue(fixture)
    checked = 0
    for path in sorted(output.rglob("rss.xml")):
        channel = etree.parse(str(path)).getroot().find("channel")
        assert channel is not None
        for el in channel.iter("description"):
            _only_text(el.text or "", f"{path}: {el.getparent().tag} description")
            checked += 1
    assert checked > len(PAYLOADS) if fixture == "site" else checked >= len(DERIVED)


def test_the_embed_code_on_every_page_pastes_as_safe_html(derived: Path) -> None:
    firsts = [derived / "index.html", *derived.glob("countries/*/index.html")]
    assert len(firsts) > 1
    for path in firsts:  # the first pages of the home and country listings show the code
        document = lxml_html.document_fromstring(path.read_bytes())
        [code] = document.iter("code")
        pasted = lxml_html.fragment_fromstring(code.text_content(), create_parent="div")
        tags = [el.tag for el in pasted.iter() if el is not pasted]
        assert tags == ["div", "a", "script"], (path, tags)  # nothing from the names
        assert "alert(6)" not in "".join(el.get("src", "") for el in pasted.iter())
