"""Hostile prologs and hostile text (issue 13, item 8).

The validator reads the whole prolog, whatever its length and encoding, before libxml2 sees a
byte: a DOCTYPE declaring entities is refused (xml-entity-declaration) wherever it lies, and an
entity that only an external DTD could define is an error (xml-undefined-entity) wherever it is
referred to. Nothing it prints carries a raw control character.
"""

from __future__ import annotations

import codecs
import json
import re
import signal
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from scofeed.errors import InputError, NotAFeedError
from scofeed.importers.feed import parse_feed
from scofeed.importers.feed.xml import XmlReader
from scofeed.infra import prolog
from scofeed.infra.prolog import declares_entities, read_prolog
from scofeed.validate import Finding, validate_bytes
from scofeed.validate import xml as validate_xml
from scofeed.validate.findings import printable

from conftest import run_cli

BODY = (
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title>'
    "<link>https://example.org/</link><description>d</description>"
    '<atom:link href="https://example.org/feed.xml" rel="self"/>{extra}</channel></rss>'
)
ENTITY_DOCTYPE = '<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
EXTERNAL_DOCTYPE = '<!DOCTYPE rss SYSTEM "file:///etc/passwd">'
LONG_COMMENT = "<!--" + "x" * (2 << 20) + "-->"  # 2 MiB: past what the old sniff read
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # every control character but newline


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail the test when the block runs longer than `seconds` (work that is not linear in the
    input would run for minutes here), without waiting for it to end."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"not finished within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def encode(text: str, encoding: str) -> bytes:
    """`text` in `encoding`; "utf-16-le+bom" and the like put the byte order mark first."""
    codec, _, bom = encoding.partition("+")
    marks = {
        "utf-8": codecs.BOM_UTF8,
        "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE,
        "utf-32-le": codecs.BOM_UTF32_LE,
        "utf-32-be": codecs.BOM_UTF32_BE,
    }
    return (marks[codec] if bom else b"") + text.encode(codec)


def declaration(encoding: str) -> str:
    name = encoding.partition("+")[0].upper().removesuffix("-LE").removesuffix("-BE")
    return f'<?xml version="1.0" encoding="{name}"?>'


def rules(data: bytes) -> set[str]:
    return {f.rule for f in validate_bytes(data, max_bytes=1 << 30)}


# Every encoding libxml2 reads a document in without being told: by the byte order mark, or by
# the first bytes (XML 1.0 Appendix F: UTF-32 from "<", UTF-16 from "<?xml").
ENCODINGS = [
    "utf-8",
    "utf-8+bom",
    "utf-16-le+bom",
    "utf-16-be+bom",
    "utf-16-le",
    "utf-16-be",
    "utf-32-le+bom",
    "utf-32-be+bom",
    "utf-32-le",
    "utf-32-be",
]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("comment", ["", LONG_COMMENT], ids=["short", "2MiB-comment"])
def test_an_entity_declaration_is_refused_in_any_encoding_after_any_comment(
    encoding: str, comment: str
) -> None:
    data = encode(
        declaration(encoding) + comment + ENTITY_DOCTYPE + BODY.format(extra=""), encoding
    )
    with deadline(2):
        assert rules(data) == {"xml-entity-declaration"}
        assert declares_entities(data)


@pytest.mark.parametrize("encoding", ["utf-32-le", "utf-32-be"])
def test_utf32_without_bom_or_declaration_is_read_as_utf32(encoding: str) -> None:
    """libxml2 reads UTF-32 from a first "<" alone, with no declaration to say so."""
    data = encode(LONG_COMMENT + ENTITY_DOCTYPE + BODY.format(extra=""), encoding)
    with deadline(2):
        assert rules(data) == {"xml-entity-declaration"}
        assert declares_entities(data)


def test_the_line_of_the_declaration_is_counted_across_a_long_prolog() -> None:
    comment = "<!--" + ("x" * 1000 + "\n") * 3000 + "-->\n"  # 3 MB, lines 1 to 3,001
    data = (comment + '<!DOCTYPE rss [\n<!ELEMENT a ANY>\n<!ENTITY x "y">]>' + BODY).encode()
    (finding,) = validate_bytes(data.replace(b"{extra}", b""))
    assert (finding.rule, finding.line) == ("xml-entity-declaration", 3004)


@pytest.mark.parametrize(
    "subset",
    [
        '<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;',  # a parameter entity
        '<!ATTLIST rss a CDATA "]>"><!ENTITY x "y">',  # "]>" in a literal ends nothing
        '<?pi ]> ?><!ENTITY x "y">',
        '<!-- ]> --><!ENTITY x "y">',
    ],
)
def test_the_internal_subset_is_read_as_xml_reads_it(subset: str) -> None:
    data = f"<!DOCTYPE rss [{subset}]>{BODY.format(extra='')}".encode()
    assert rules(data) == {"xml-entity-declaration"}


def test_a_declaration_only_quoted_in_a_comment_is_no_declaration() -> None:
    data = f"<!-- {ENTITY_DOCTYPE} -->{BODY.format(extra='')}".encode()
    assert rules(data) == set()
    assert not declares_entities(data)


def test_utf7_cannot_hide_the_doctype() -> None:
    """UTF-7 writes "<" as "+ADw-": libxml2 decodes it, a byte search would not."""
    hidden = ENTITY_DOCTYPE.encode("utf-7").replace(b"<", b"+ADw-").replace(b"[", b"+AFs-")
    assert b"<!" not in hidden
    data = b'<?xml version="1.0" encoding="UTF-7"?>' + hidden + BODY.format(extra="").encode()
    assert rules(data) == {"xml-entity-declaration"}
    assert declares_entities(data)


def test_iso_2022_cannot_end_a_comment_early() -> None:
    """In ISO-2022-JP, the bytes "-->" after ESC $ B are a character inside the comment."""
    data = (
        b'<?xml version="1.0" encoding="ISO-2022-JP"?><!-- \x1b$B--\x3e!\x1b(B -->'
        + ENTITY_DOCTYPE.encode()
        + BODY.format(extra="").encode()
    )
    assert rules(data) == {"xml-entity-declaration"}


def test_an_encoding_python_cannot_read_is_not_handed_to_libxml2() -> None:
    """libxml2 reads JAVA (\\uXXXX escapes) through iconv; scofeed could not see its DOCTYPE."""
    data = (
        b'<?xml version="1.0" encoding="JAVA"?>\\u003c!DOCTYPE rss [\\u003c!ENTITY x "y">]>'
        + BODY.format(extra="").encode()
    )
    findings = validate_bytes(data)
    assert [f.rule for f in findings] == ["xml-encoding"]
    assert 'encoding="JAVA"' in findings[0].message


# --- an external DTD: nothing is read, and what only it could define is an error ----------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le+bom", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("comment", ["", LONG_COMMENT], ids=["short", "2MiB-comment"])
@pytest.mark.parametrize(
    "extra",
    [
        "<item><title>&x;</title></item>",
        "<item><title>t</title><description>a &x; b</description></item>",
    ],
    ids=["in-title", "in-description"],
)
def test_a_reference_only_an_external_dtd_defines_is_an_error(
    encoding: str, comment: str, extra: str
) -> None:
    data = encode(
        declaration(encoding) + comment + EXTERNAL_DOCTYPE + BODY.format(extra=extra), encoding
    )
    with deadline(2):
        findings = validate_bytes(data)
    assert {f.rule for f in findings} == {"xml-undefined-entity"}
    assert "root:" not in "".join(str(f) for f in findings)


@pytest.mark.parametrize(
    "doctype", [EXTERNAL_DOCTYPE, '<!DOCTYPE rss PUBLIC "-//x//y//EN" "file:///etc/passwd">']
)
def test_a_reference_in_an_attribute_is_an_error_too(doctype: str) -> None:
    """libxml2 drops an undefined reference from an attribute value and only warns: the feed
    would read "https://example.org/feed.xml" where it says feed&x;.xml."""
    body = BODY.format(extra="").replace("feed.xml", "feed&x;.xml")
    findings = validate_bytes((LONG_COMMENT + doctype + body).encode())
    assert [f.rule for f in findings] == ["xml-undefined-entity"]
    assert "the entity x " in findings[0].message and findings[0].line == 1


def test_an_undeclared_parameter_entity_is_an_error() -> None:
    data = f"<!DOCTYPE rss [ %p; ]>{BODY.format(extra='')}".encode()
    assert rules(data) == {"xml-undefined-entity"}


def test_entities_libxml2_read_are_refused_even_if_the_scan_missed_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The verdict does not rest on the scan alone: what libxml2 parsed is looked at too."""

    def blind(data: bytes) -> prolog.Prolog:
        return replace(read_prolog(data), entity_line=None)

    monkeypatch.setattr(validate_xml, "read_prolog", blind)
    data = f'<!DOCTYPE rss [<!ENTITY x "y">]>{BODY.format(extra="")}'.encode()
    assert rules(data) == {"xml-entity-declaration"}


# --- size: linear time, bounded memory ---------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("encoding", ["utf-8", "utf-32-le"])
def test_a_100mb_comment_prolog_is_read_in_bounded_time_and_memory(encoding: str) -> None:
    unit = 4 if encoding.startswith("utf-32") else 1
    comment = "<!--" + "x" * ((100 << 20) // unit) + "-->"
    with_entity = encode(comment + ENTITY_DOCTYPE + BODY.format(extra=""), encoding)
    without = encode(comment + BODY.format(extra=""), encoding)
    tracemalloc.start()
    try:
        with deadline(30):
            prolog = read_prolog(with_entity)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert prolog.entity_line == 1 and prolog.rest.startswith("<rss")
    assert peak < 16 << 20, f"{peak:,} bytes to read the prolog"  # chunks, not the document
    with deadline(30):
        assert rules(with_entity) == {"xml-entity-declaration"}
        assert rules(without) == {"xml-not-well-formed"}  # libxml2's own comment limit


@pytest.mark.slow
@pytest.mark.parametrize(
    "prolog",
    [
        "<?x?>" * (20 << 20),
        "<!DOCTYPE rss [" + "<!ELEMENT a ANY>" * (6 << 20) + "]>",
        "<!DOCTYPE rss [" + '<!ATTLIST a b CDATA ">">' * (4 << 20) + "]>",
        "<!DOCTYPE rss " + '"a"' * (30 << 20) + ">",
    ],
    ids=["PIs", "declarations", "attlists", "literals"],
)
def test_100mb_of_small_prolog_items_is_read_in_bounded_time(prolog: str) -> None:
    data = (prolog + ENTITY_DOCTYPE + BODY.format(extra="")).encode()
    with deadline(30):
        assert declares_entities(data)


# --- the feed importer: the same scan -----------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        (LONG_COMMENT + ENTITY_DOCTYPE + BODY.format(extra="")).encode(),
        (ENTITY_DOCTYPE + BODY.format(extra="")).encode("utf-32-le"),
        (LONG_COMMENT + ENTITY_DOCTYPE + BODY.format(extra="")).encode("utf-32-le"),
    ],
    ids=["2MiB-comment", "utf-32-le", "utf-32-le-2MiB-comment"],
)
def test_the_importer_refuses_the_same_documents(data: bytes) -> None:
    with pytest.raises(InputError, match=r"^f\.xml: its DOCTYPE declares entities; "):
        parse_feed(data, "f.xml", tag_authority="example.org,2005")


def test_the_importers_xml_reader_refuses_utf32_big_endian_too() -> None:
    """`parse_feed` may turn big-endian UTF-32 away at its door, before any XML is read (it
    looks for a "<" first); its XML reader, given the bytes, refuses them for their entities."""
    data = (LONG_COMMENT + ENTITY_DOCTYPE + BODY.format(extra="")).encode("utf-32-be")
    with pytest.raises((InputError, NotAFeedError)):
        parse_feed(data, "f.xml", tag_authority="example.org,2005")
    with pytest.raises(InputError, match="declares entities"):
        XmlReader("f.xml", None, "example.org,2005").parse(data)


# --- control characters in what the validator prints ---------------------------------------


def test_printable_escapes_every_c0_and_c1_control_and_del() -> None:
    controls = "".join(map(chr, [*range(0x20), 0x7F, *range(0x80, 0xA0)]))
    escaped = printable(f"a{controls}b é\u00a0")
    assert not CONTROL.search(escaped) and "\n" not in escaped
    assert escaped.startswith("a\\x00\\x01") and "\\x1b" in escaped and "\\x9b" in escaped
    assert escaped.endswith("\\x9fb é\u00a0")


def test_a_finding_carries_no_control_character() -> None:
    finding = Finding("feed\x1b[2J.xml", 1, 0, "error", "rss-language", 'a "\x9b31m\x85"')
    assert str(finding) == 'feed\\x1b[2J.xml:1:0: error rss-language: a "\\x9b31m\\x85"'


def test_the_cli_prints_no_control_character(tmp_path: Path) -> None:
    """Text quoted from documents (a date, a language, a guid), file names and the reasons a
    document is no feed: no raw ESC, CSI (U+009B) or other control reaches the terminal."""
    c1 = "\x85\x9b31m\x9d"
    quoted = BODY.format(
        extra=f"<language>e{c1}n</language><item><title>a{c1}b</title>"
        f"<pubDate>Mon{c1} 1</pubDate><guid>g{c1}</guid></item>"
    )
    (tmp_path / f"quoted\x1b[31m{c1}.xml").write_text(quoted, "utf-8")
    (tmp_path / "escape.xml").write_text(BODY.format(extra="").replace(">t<", ">t\x1b[2J<"))
    (tmp_path / "root.xml").write_text("<r\x1b[31mss\x9b/>", "utf-8")
    for fmt in ("text", "json"):
        result = run_cli("validate", "--format", fmt, ".", cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        for stream in (result.stdout, result.stderr):
            assert not CONTROL.search(stream), stream
        if fmt == "text":  # the quoted text and the name are there, escaped
            assert '<language> "e\\x85\\x9b31m\\x9dn" is not' in result.stdout
            assert "quoted\\x1b[31m\\x85\\x9b31m\\x9d.xml:1:" in result.stdout
    result = run_cli(
        "validate", "--format", "json", *sorted(p.name for p in tmp_path.iterdir()), cwd=tmp_path
    )
    assert result.returncode == 2, result.stderr  # root.xml is no feed
    assert not CONTROL.search(result.stdout + result.stderr)
    run = json.loads(result.stdout)
    assert {f["rule"] for f in run["findings"]} >= {"rss-language", "xml-invalid-character"}
    assert any("\\x9b31m" in f["message"] and "\\x1b[31m" in f["source"] for f in run["findings"])
    (failure,) = run["failures"]  # the name is read as latin-1 before it is known no feed
    assert failure.startswith("root.xml: not a feed: its root element is <r\\x1b[31mss")
    assert failure.endswith("\\x9b>, not <rss> or <feed>")
