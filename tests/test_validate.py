"""The validator's library surface: findings, formats, hostile input, files, folders and URLs.

The rules themselves are exercised by the corpus (test_validate_corpus.py); the command line by
test_validate_cli.py.
"""

from __future__ import annotations

import gzip
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scofeed.config import Config
from scofeed.errors import FetchError, NotAFeedError
from scofeed.publish.build import build
from scofeed.validate import (
    RULES,
    Finding,
    detect_format,
    validate_bytes,
    validate_targets,
)
from scofeed.validate.values import absolute_url_problem, rfc822_problems, rfc3339_problem

CORPUS = Path(__file__).parent / "data" / "validate"
RSS = (CORPUS / "rss" / "valid-base.xml").read_bytes()
ATOM = (CORPUS / "atom" / "valid-base.xml").read_bytes()


# --- a real HTTP server on 127.0.0.1 ------------------------------------------------------


@dataclass
class Server:
    """Serves `routes` ({path: (status, headers, body)}) and records every request path."""

    routes: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(self.path)
            status, headers, body = state.routes.get(self.path, (404, {}, b"not found"))
            self.send_response(status)
            for name, value in {"Content-Length": str(len(body)), **headers}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join()


# --- findings -----------------------------------------------------------------------------


def test_finding_text_and_dict() -> None:
    finding = Finding("feed.xml", 12, 3, "error", "rss-url", 'the <link> "/" is relative')
    assert str(finding) == 'feed.xml:12:3: error rss-url: the <link> "/" is relative'
    assert finding.as_dict() == {
        "source": "feed.xml",
        "line": 12,
        "column": 3,
        "severity": "error",
        "rule": "rss-url",
        "message": 'the <link> "/" is relative',
    }


def test_findings_are_sorted_and_name_their_source() -> None:
    data = (CORPUS / "rss" / "rss-several-errors.xml").read_bytes()
    findings = validate_bytes(data, "several.xml")
    assert [(f.line, f.column, f.rule) for f in findings] == sorted(
        (f.line, f.column, f.rule) for f in findings
    )
    assert {f.source for f in findings} == {"several.xml"}
    assert len(findings) == 5


def test_line_numbers_point_at_the_element() -> None:
    findings = validate_bytes((CORPUS / "rss" / "rss-date-iso8601.xml").read_bytes())
    lines = (CORPUS / "rss" / "rss-date-iso8601.xml").read_text().splitlines()
    [finding] = findings
    assert "<pubDate>2024-05-06T10:00:00Z</pubDate>" in lines[finding.line - 1]


@pytest.mark.slow  # a 70,000-item feed
def test_line_numbers_beyond_65535() -> None:
    items = "".join(
        f"<item><title>{i}</title><guid>https://example.org/{i}</guid></item>\n"
        for i in range(70_000)
    )
    data = RSS.replace(
        b"  </channel>",
        (items + "<item><title>x</title><pubDate>soon</pubDate></item>\n  </channel>").encode(),
    )
    [finding] = validate_bytes(data)
    assert finding.rule == "rss-date-rfc822"
    assert finding.line == data[: data.index(b"<pubDate>soon")].count(b"\n") + 1 > 70_000


@pytest.mark.parametrize("fmt", ["rss", "atom"])
def test_schema_only_problem_deep_in_a_long_feed_is_reported_once(fmt: str) -> None:
    """Entries and items are validated in batches; a batch failing blames the right one."""
    if fmt == "rss":
        member = "<item><title>{i}</title><guid>https://example.org/{i}</guid>{x}</item>\n"
        data = RSS.replace(
            b"  </channel>",
            "".join(member.format(i=i, x="stray" if i == 450 else "") for i in range(600)).encode()
            + b"  </channel>",
        )
    else:
        member = (
            "<entry><title>{i}</title><id>urn:x:{i}</id><link href='https://example.org/{i}'/>"
            "<updated>2024-05-06T10:00:00Z</updated>{x}</entry>\n"
        )
        data = ATOM.replace(
            b"</feed>",
            "".join(member.format(i=i, x="stray" if i == 450 else "") for i in range(600)).encode()
            + b"</feed>",
        )
    [finding] = validate_bytes(data)
    assert finding.rule == f"{fmt}-schema"
    assert finding.line == data[: data.index(b"stray")].count(b"\n") + 1
    assert "extra content: text" in finding.message


def test_well_formedness_errors_have_a_column() -> None:
    [finding] = validate_bytes(b'<rss version="2.0">\n<channel>\n  <title>a & b</title>')
    assert (finding.rule, finding.line, finding.column) == ("xml-not-well-formed", 3, 13)


def test_every_rule_has_a_kebab_case_name_a_severity_and_a_summary() -> None:
    for name, rule in RULES.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name)
        assert rule.name == name and rule.severity in ("error", "warning") and rule.summary


def test_shipped_schemas_load_and_document_their_edits() -> None:
    schemas = resources.files("scofeed") / "validate" / "schemas"
    atom = (schemas / "atom.rng").read_text(encoding="utf-8")
    readme = (schemas / "README.md").read_text(encoding="utf-8")
    edits = re.findall(r"scofeed edit (\d)", atom)
    assert sorted(set(edits)) == ["1", "2", "3", "4", "5"]
    for n in ("1.", "2.", "3.", "4.", "5."):
        assert f"\n{n} " in readme
    assert validate_bytes(RSS) == [] and validate_bytes(ATOM) == []


# --- formats ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (RSS, "rss"),
        (ATOM, "atom"),
        (b'<entry xmlns="http://www.w3.org/2005/Atom"/>', "atom"),
        (b"<rss><channel/></rss>", "rss"),  # no version: meant as a feed, so invalid
        (b'<feed xmlns="http://purl.org/atom/ns#" version="0.3"/>', "atom"),
        (b'\xef\xbb\xbf<?xml version="1.0"?><rss', "rss"),  # cut short: still meant as RSS
        ('<?xml version="1.0" encoding="utf-16"?><feed/>'.encode("utf-16"), "atom"),
    ],
)
def test_detect_format(data: bytes, fmt: str) -> None:
    assert detect_format(data) == fmt


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<!DOCTYPE html><html><head><title>x</title></head><body><p>hi</body></html>", "HTML"),
        (b'<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>', "HTML"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "not XML"),
        (b"", "empty"),
        (b"   \n", "empty"),
        (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', "RSS 1.0"),
        (b'<opml version="2.0"><body/></opml>', "<opml>"),
        (b"<entry><title>no namespace</title></entry>", "<entry>"),
    ],
)
def test_documents_that_are_not_feeds(data: bytes, reason: str) -> None:
    with pytest.raises(NotAFeedError) as raised:
        validate_bytes(data, "page.xml")
    assert str(raised.value).startswith("page.xml: ")
    assert reason in str(raised.value)
    with pytest.raises(NotAFeedError):
        detect_format(data)


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (b"<rss><channel><title>t</title>", "xml-not-well-formed"),
        (b'<rss version="2.0" xmlns="http://backend.userland.com/rss2"/>', "rss-namespace"),
        (b"<feed><title>t</title></feed>", "atom-namespace"),
        (b"<feed><title>t</feed>", "xml-not-well-formed"),
    ],
)
def test_broken_or_misplaced_feeds_are_invalid_not_unreadable(data: bytes, rule: str) -> None:
    findings = validate_bytes(data)
    assert rule in {f.rule for f in findings}
    assert any(f.severity == "error" for f in findings)


# --- value checks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "Mon, 06 May 2024 10:00:00 +0000",
        "Mon, 6 May 2024 10:00 GMT",
        "06 May 2024 10:00:00 -0330",
        "Thu, 29 Feb 2024 23:59:59 EST",
        "Sat, 31 Aug 2024 00:00:00 +1400",
        "  Mon, 06 May 2024 10:00:00 +0000\n",
    ],
)
def test_rfc822_accepts(value: str) -> None:
    assert rfc822_problems(value) == []


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("2024-05-06T10:00:00Z", "rss-date-rfc822"),
        ("Mon, 06 May 2024 10:00:00", "rss-date-rfc822"),
        ("Mon, 06 May 2024 10:00:00 UTC", "rss-date-rfc822"),
        ("Mon, 06 May 2024 10:00:00 J", "rss-date-rfc822"),
        ("Thurs, 09 May 2024 10:00:00 +0000", "rss-date-rfc822"),
        ("Fri, 30 Feb 2024 10:00:00 +0000", "rss-date-rfc822"),
        ("Thu, 29 Feb 2023 10:00:00 +0000", "rss-date-rfc822"),
        ("Mon, 06 May 2024 24:00:00 +0000", "rss-date-rfc822"),
        ("Mon, 06 May 2024 10:00:00 +2500", "rss-date-rfc822"),
        ("Mon, 06 May 02024 10:00:00 +0000", "rss-date-rfc822"),
        ("Sun, 06 May 2024 10:00:00 +0000", "rss-date-weekday"),
        ("Mon, 06 May 24 10:00:00 +0000", "rss-date-nonstandard"),
        ("MON, 06 MAY 2024 10:00:00 +0000", "rss-date-nonstandard"),
        ("Mon,06 May 2024 10:00:00 +0000", "rss-date-nonstandard"),
    ],
)
def test_rfc822_rejects(value: str, rule: str) -> None:
    assert rule in [r for r, _ in rfc822_problems(value)]


@pytest.mark.parametrize(
    "value",
    [
        "2024-05-06T10:00:00Z",
        "2024-05-06T10:00:00.123+05:45",
        "2016-12-31T23:59:60Z",
        "2024-02-29T00:00:00-12:00",
    ],
)
def test_rfc3339_accepts(value: str) -> None:
    assert rfc3339_problem(value) is None


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2024-05-06T10:00:00", "no time zone"),
        ("2024-05-06", "without a time"),
        ("2024-05-06t10:00:00z", "upper-case"),
        ("2024-05-06T10:00Z", "no seconds"),
        ("2024-05-06T10:00:00+0100", "colon"),
        (" 2024-05-06T10:00:00Z", "white space"),
        ("2023-02-29T10:00:00Z", "does not exist"),
        ("2024-05-06T24:00:00Z", "out of range"),
        ("2024-05-06T10:00:00+24:00", "offset is out of range"),
        ("May 6, 2024", "not an RFC 3339"),
    ],
)
def test_rfc3339_rejects_and_says_why(value: str, words: str) -> None:
    problem = rfc3339_problem(value)
    assert problem is not None and words in problem


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("https://example.org/a?b=1#c", None),
        ("HTTP://EXAMPLE.ORG", None),
        ("mailto:a@example.org", None),
        ("urn:isbn:0451450523", None),
        ("https://пример.рф/путь", None),
        ("/relative", "relative"),
        ("example.org/x", "relative"),
        ("https://", "no host"),
        ("http:/x", "no host"),
        ("https://example.org/a b", "a space"),
        ('https://example.org/"q"', "percent-encode"),
        ("", "empty"),
    ],
)
def test_absolute_urls(value: str, problem: str | None) -> None:
    found = absolute_url_problem(value)
    assert (found is None) if problem is None else (found is not None and problem in found)


# --- hostile input ------------------------------------------------------------------------


def test_billion_laughs_is_refused_without_expanding() -> None:
    data = (CORPUS / "rss" / "xml-billion-laughs.xml").read_bytes()
    findings = validate_bytes(data)
    assert [f.rule for f in findings] == ["xml-entity-declaration"]
    assert "lol" not in findings[0].message


def test_quadratic_blowup_in_utf16_is_refused() -> None:
    big = "x" * 100_000
    text = (
        f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE rss [<!ENTITY a "{big}">]>'
        f'<rss version="2.0"><channel><title>{"&a;" * 1000}</title></channel></rss>'
    )
    findings = validate_bytes(text.encode("utf-16"))
    assert [f.rule for f in findings] == ["xml-entity-declaration"]


def test_external_entity_never_reads_the_file(tmp_path: Path) -> None:
    canary = tmp_path / "canary.txt"
    canary.write_text("CANARY-7f3a9c-SECRET", encoding="utf-8")
    for doctype in (
        f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{canary}">]>',
        f'<!DOCTYPE rss [<!ENTITY % p SYSTEM "file://{canary}"> %p;]>',
    ):
        data = (
            f'<?xml version="1.0"?>{doctype}<rss version="2.0"><channel><title>&xxe;</title>'
            "<link>https://example.org/</link><description>d</description></channel></rss>"
        ).encode()
        findings = validate_bytes(data)
        assert "xml-entity-declaration" in {f.rule for f in findings}
        assert "CANARY" not in "".join(str(f) for f in findings)


def test_xinclude_is_not_processed(tmp_path: Path) -> None:
    canary = tmp_path / "canary.txt"
    canary.write_text("CANARY-xinclude", encoding="utf-8")
    data = RSS.replace(
        b"<title>First post</title>",
        b'<title>First post</title><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="'
        + str(canary).encode()
        + b'" parse="text"/>',
    )
    assert "CANARY" not in "".join(str(f) for f in validate_bytes(data))


def test_external_dtd_is_never_fetched(server: Server) -> None:
    server.routes["/evil.dtd"] = (200, {}, b'<!ENTITY boom "BOOM">')
    dtd = server.url("/evil.dtd")
    for data in (
        f'<!DOCTYPE rss SYSTEM "{dtd}"><rss version="2.0"><channel><title>&boom;</title>'
        "<link>https://example.org/</link><description>d</description></channel></rss>",
        f'<!DOCTYPE feed PUBLIC "-//x//y//EN" "{dtd}"><feed xmlns="http://www.w3.org/2005/Atom"/>',
        f'<!DOCTYPE rss [<!ENTITY % remote SYSTEM "{dtd}"> %remote;]><rss version="2.0"/>',
    ):
        findings = validate_bytes(data.encode())
        assert any(f.severity == "error" for f in findings)
        assert "BOOM" not in "".join(str(f) for f in findings)
    assert server.requests == []


def test_deep_nesting_is_a_finding_not_a_crash() -> None:
    data = RSS.replace(b"<title>First post</title>", b"<x:a xmlns:x='urn:x'>" * 5000)
    findings = validate_bytes(data)
    assert {f.rule for f in findings} == {"xml-not-well-formed"}


def test_oversized_bytes_are_refused_before_parsing() -> None:
    with pytest.raises(FetchError, match=r"big.xml: 2,\d+ bytes is over the 1,000 bytes a feed"):
        validate_bytes(RSS + b" " * 2000, "big.xml", max_bytes=1000)


def test_oversized_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "huge.xml"
    with huge.open("wb") as handle:  # a sparse 5 GB file: instant, takes no disk
        handle.write(RSS[:200])
        handle.truncate(5 * 1024**3)
    run = validate_targets([str(huge)])
    assert run.exit_status == 2 and not run.documents
    [failure] = run.failures
    assert isinstance(failure, FetchError)
    assert str(failure) == f"{huge}: 5.0 GiB is over the 64.0 MiB a feed may have"


def test_oversized_and_compressed_responses_are_refused(server: Server) -> None:
    server.routes["/long"] = (200, {}, RSS + b" " * 200_000)
    bomb = gzip.compress(RSS[:-10] + b" " * 5_000_000, compresslevel=9)
    server.routes["/bomb"] = (200, {"Content-Encoding": "gzip"}, bomb)
    server.routes["/gz"] = (200, {"Content-Encoding": "gzip"}, gzip.compress(RSS))
    run = validate_targets(
        [server.url(p) for p in ("/long", "/bomb", "/gz")], max_bytes=100_000, allow_private=True
    )
    assert [str(f) for f in run.failures] == [
        # by Content-Length, before reading
        f"{server.url('/long')}: {len(RSS) + 200_000:,} bytes is over the 100,000 bytes a feed "
        "may have",
        # the limit applies after decompression
        f"{server.url('/bomb')}: is over the 100,000 bytes a feed may have",
    ]
    assert [d.source for d in run.documents] == [server.url("/gz")]
    assert run.documents[0].valid


# --- targets: files, folders, URLs --------------------------------------------------------


def test_folder_walk_validates_feeds_and_skips_other_xml(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "rss.xml").write_bytes(RSS)
    (tmp_path / "atom.atom").write_bytes(ATOM)
    (tmp_path / "bad.rss").write_bytes(RSS.replace(b"<title>Example feed</title>", b""))
    (tmp_path / "sitemap.xml").write_bytes(b'<urlset xmlns="http://www.sitemaps.org/"/>')
    (tmp_path / "notes.txt").write_bytes(b"not looked at")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.xml").write_bytes(b"<broken")
    run = validate_targets([str(tmp_path)])
    sources = [Path(d.source).relative_to(tmp_path).as_posix() for d in run.documents]
    assert sources == ["a/rss.xml", "atom.atom", "bad.rss"]
    assert [d.valid for d in run.documents] == [True, True, False]
    assert [Path(p).name for p in run.skipped] == ["sitemap.xml"]
    assert run.failures == () and run.exit_status == 1


def test_folder_without_feeds_could_not_run(tmp_path: Path) -> None:
    (tmp_path / "sitemap.xml").write_bytes(b"<urlset/>")
    run = validate_targets([str(tmp_path)])
    assert run.exit_status == 2
    assert "no RSS or Atom feed in this folder" in str(run.failures[0])


def test_named_targets_that_cannot_be_checked(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(b"<!DOCTYPE html><html><body>hi</body></html>")
    run = validate_targets([str(tmp_path / "missing.xml"), str(page)])
    assert [type(f) for f in run.failures] == [FetchError, NotAFeedError]
    assert "no such file" in str(run.failures[0])
    assert run.exit_status == 2


def test_urls(server: Server) -> None:
    server.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, RSS)
    server.routes["/moved"] = (301, {"Location": "/feed.xml"}, b"")
    run = validate_targets([server.url("/feed.xml"), server.url("/moved")], allow_private=True)
    assert [d.valid for d in run.documents] == [True, True]
    assert run.exit_status == 0
    run = validate_targets([server.url("/nothing")], allow_private=True)
    assert run.exit_status == 2 and "HTTP 404" in str(run.failures[0])


def test_unreachable_url() -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    run = validate_targets([f"http://127.0.0.1:{port}/feed.xml"], timeout=5, allow_private=True)
    assert run.exit_status == 2 and "cannot be fetched" in str(run.failures[0])


# --- robustness ---------------------------------------------------------------------------


def test_threads_validating_at_once_get_the_same_findings() -> None:
    from concurrent.futures import ThreadPoolExecutor

    datas = [p.read_bytes() for p in sorted(CORPUS.glob("*/*.xml")) if "not-a-feed" not in p.name]
    expected = [validate_bytes(d) for d in datas]
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(validate_bytes, datas)) == expected


SEEDS = [p.read_bytes() for p in sorted(CORPUS.glob("*/*.xml"))[::7]]
PIECES = [b"<", b">", b"&", b'"', b"<item>", b"</entry>", b"<![CDATA[", b"\x00", b"\xff", b" a=''"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(SEEDS),
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 40), st.sampled_from(PIECES)), max_size=4
    ),
)
def test_any_damage_gives_findings_or_not_a_feed(
    seed: bytes, edits: list[tuple[float, int, bytes]]
) -> None:
    data = bytearray(seed)
    for where, cut, piece in edits:
        at = int(where * len(data))
        data[at : at + cut % 3] = piece if cut % 2 else b""
    try:
        findings = validate_bytes(bytes(data))
    except NotAFeedError:
        return
    for finding in findings:
        assert finding.rule in RULES and finding.severity == RULES[finding.rule].severity


def test_validating_leaves_no_reference_cycle() -> None:
    """A build runs with the cycle collector off and validates every feed it writes (thousands
    of archive documents on a big site): a cycle left per document kept every parsed tree
    alive (1.5 GB at 10,000 posts)."""
    import gc

    from scofeed.validate import validate_bytes

    rss = (GOLDEN_FOR_CYCLES / "rss.xml").read_bytes()
    atom = (GOLDEN_FOR_CYCLES / "atom.xml").read_bytes()
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            validate_bytes(rss, source="rss.xml")
            validate_bytes(atom, source="atom.xml")
        assert gc.collect() == 0
    finally:
        gc.enable()


GOLDEN_FOR_CYCLES = Path(__file__).parent / "golden"


def test_a_site_with_an_idn_base_url_publishes_feeds_in_uri_form(
    project: Callable[..., Config],
) -> None:
    """RSS 2.0 wants URLs (an IRI there is an error, rss-url), so a site whose base_url or
    enclosure has characters outside ASCII writes them as RFC 3987 maps IRIs to URIs: the host
    in punycode, the rest percent-encoded; its own feeds then pass its own validator."""
    config = project(
        {
            "2024-01-02-hello.md": "---\ntitle: Hello\ndate: 2024-01-02\ncountry: Japan\n"
            "enclosures:\n  - url: https://example.org/müsik.mp3\n    type: audio/mpeg\n"
            "    length: 100\n---\nBody.\n"
        },
        toml='title = "Blog"\nbase_url = "https://例え.jp/ブログ/"\n',
    )
    assert config.base_url == "https://xn--r8jz45g.jp/%E3%83%96%E3%83%AD%E3%82%B0/"
    build(config, now=datetime(2024, 6, 1, tzinfo=UTC))
    rss = (config.output_dir / "rss.xml").read_bytes()
    assert b"<link>https://xn--r8jz45g.jp/%E3%83%96%E3%83%AD%E3%82%B0/</link>" in rss
    assert b'url="https://example.org/m%C3%BCsik.mp3"' in rss
    for name in ("rss.xml", "atom.xml"):
        data = (config.output_dir / name).read_bytes()
        assert [f for f in validate_bytes(data) if f.severity == "error"] == []
