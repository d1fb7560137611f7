"""`scofeed validate` at the command boundary: exact exit statuses, stdout, stderr, JSON."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scofeed.cli import main

CORPUS = Path(__file__).parent / "data" / "validate"
VALID_RSS = CORPUS / "rss" / "valid-hugo.xml"
VALID_ATOM = CORPUS / "atom" / "valid-jekyll-feed.xml"
INVALID_RSS = CORPUS / "rss" / "rss-several-errors.xml"
LINE = re.compile(
    r"^(?P<source>.+):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning) "
    r"(?P<rule>[a-z0-9]+(?:-[a-z0-9]+)*): (?P<message>.+)$"
)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["validate", *args], catch_exceptions=False)


@pytest.fixture
def http() -> Iterator[tuple[str, dict[str, tuple[int, bytes]], list[str]]]:
    """A real server on 127.0.0.1: (base URL, routes {path: (status, body)}, requested paths)."""
    routes: dict[str, tuple[int, bytes]] = {}
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            status, body = routes.get(self.path, (404, b"<html><body>Not found</body></html>"))
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", routes, requests
    server.shutdown()
    server.server_close()
    thread.join()


def test_valid_feeds_exit_0_with_nothing_on_stdout() -> None:
    result = run(str(VALID_RSS), str(VALID_ATOM))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "scofeed: 2 feed(s) checked, 0 invalid; 0 error(s), 0 warning(s)\n"


def test_warnings_alone_keep_exit_0() -> None:
    result = run(str(CORPUS / "rss" / "valid-minimal.xml"))
    assert result.exit_code == 0
    [line] = result.stdout.splitlines()
    assert LINE.match(line)["severity"] == "warning"  # type: ignore[index]


def test_findings_one_per_line_and_exit_1() -> None:
    result = run(str(INVALID_RSS))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed)
    assert [(m["line"], m["rule"]) for m in parsed] == [  # type: ignore[index]
        ("7", "rss-missing-element"),
        ("15", "rss-url"),
        ("18", "rss-date-rfc822"),
        ("20", "rss-item-title-or-description"),
        ("21", "rss-guid-duplicate"),
    ]
    assert lines[0] == (
        f"{INVALID_RSS}:7:0: error rss-missing-element: <channel> has no <description>; "
        "RSS 2.0 requires one"
    )
    assert "1 invalid; 5 error(s)" in result.stderr


def test_json_output() -> None:
    result = run("--format", "json", str(INVALID_RSS), str(VALID_ATOM))
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["valid"] is False and document["exit_status"] == 1
    assert document["documents"] == [
        {"source": str(INVALID_RSS), "valid": False, "errors": 5, "warnings": 0},
        {"source": str(VALID_ATOM), "valid": True, "errors": 0, "warnings": 0},
    ]
    assert len(document["findings"]) == 5
    assert set(document["findings"][0]) == {
        "source", "line", "column", "severity", "rule", "message"
    }  # fmt: skip
    assert document["failures"] == [] and document["skipped"] == []
    assert result.stderr == ""


def test_json_output_lists_what_could_not_be_checked(tmp_path: Path) -> None:
    missing = tmp_path / "gone.xml"
    result = run("--format", "json", str(VALID_RSS), str(missing))
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["exit_status"] == 2 and document["valid"] is False
    assert document["failures"] == [f"{missing}: no such file or folder"]
    assert [d["source"] for d in document["documents"]] == [str(VALID_RSS)]
    assert result.stderr == f"Error: {missing}: no such file or folder\n"


def test_json_output_for_a_valid_feed() -> None:
    result = run("--format", "json", str(VALID_RSS))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["valid"] is True


def test_not_well_formed_feed_is_invalid_with_line_and_column(tmp_path: Path) -> None:
    feed = tmp_path / "broken.xml"
    feed.write_text('<rss version="2.0">\n<channel>\n<title>Fish & chips</title>', "utf-8")
    result = run(str(feed))
    assert result.exit_code == 1
    assert result.stdout == (
        f"{feed}:3:14: error xml-not-well-formed: xmlParseEntityRef: no name: "
        "write a bare & as &amp;\n"
    )


def test_rss_without_version_is_invalid(tmp_path: Path) -> None:
    feed = tmp_path / "noversion.xml"
    feed.write_bytes(VALID_RSS.read_bytes().replace(b'<rss version="2.0"', b"<rss"))
    result = run(str(feed))
    assert result.exit_code == 1
    assert "error rss-version-missing: <rss> has no version attribute" in result.stdout


def test_missing_file_could_not_run(tmp_path: Path) -> None:
    missing = tmp_path / "nope.xml"
    result = run(str(missing))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"Error: {missing}: no such file or folder\n"


def test_html_page_could_not_run(tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    page.write_text("<!DOCTYPE html><html><head><title>Blog</title></head><body></body></html>")
    result = run(str(page))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {page}: not a feed: it is an HTML page")


def test_other_xml_could_not_run(tmp_path: Path) -> None:
    opml = tmp_path / "feeds.opml"
    opml.write_text('<opml version="2.0"><body/></opml>')
    result = run(str(opml))
    assert result.exit_code == 2
    assert "its root element is <opml>, not <rss> or <feed>" in result.stderr


def test_could_not_run_wins_but_everything_is_reported(tmp_path: Path) -> None:
    result = run(str(INVALID_RSS), str(tmp_path / "gone.xml"))
    assert result.exit_code == 2
    assert len(result.stdout.splitlines()) == 5
    assert "Error: " in result.stderr


def test_folder(tmp_path: Path) -> None:
    (tmp_path / "countries" / "kz").mkdir(parents=True)
    (tmp_path / "rss.xml").write_bytes(VALID_RSS.read_bytes())
    (tmp_path / "countries" / "kz" / "atom.xml").write_bytes(VALID_ATOM.read_bytes())
    (tmp_path / "countries" / "kz" / "bad.rss").write_bytes(INVALID_RSS.read_bytes())
    (tmp_path / "sitemap.xml").write_text('<urlset xmlns="http://www.sitemaps.org/"/>')
    result = run(str(tmp_path))
    assert result.exit_code == 1
    sources = {LINE.match(line)["source"] for line in result.stdout.splitlines()}  # type: ignore[index]
    assert sources == {str(tmp_path / "countries" / "kz" / "bad.rss")}
    assert f"scofeed: skipped {tmp_path / 'sitemap.xml'}: not an RSS or Atom feed" in result.stderr
    assert "3 feed(s) checked, 1 invalid" in result.stderr


def test_folder_of_valid_feeds(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_bytes(VALID_RSS.read_bytes())
    (tmp_path / "b.atom").write_bytes(VALID_ATOM.read_bytes())
    assert run(str(tmp_path)).exit_code == 0


def test_empty_folder_could_not_run(tmp_path: Path) -> None:
    result = run(str(tmp_path))
    assert result.exit_code == 2
    assert "no RSS or Atom feed in this folder" in result.stderr


def test_url(http: tuple[str, dict[str, tuple[int, bytes]], list[str]]) -> None:
    base, routes, requests = http
    routes["/feed.xml"] = (200, VALID_ATOM.read_bytes())
    result = run("--allow-private", f"{base}/feed.xml")
    assert result.exit_code == 0, result.output
    assert requests == ["/feed.xml"]


def test_url_404(http: tuple[str, dict[str, tuple[int, bytes]], list[str]]) -> None:
    base, _, _ = http
    result = run("--allow-private", f"{base}/missing.xml")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {base}/missing.xml: the server answered HTTP 404 Not Found\n"


def test_url_serving_an_invalid_feed(
    http: tuple[str, dict[str, tuple[int, bytes]], list[str]],
) -> None:
    base, routes, _ = http
    routes["/bad.xml"] = (200, INVALID_RSS.read_bytes())
    result = run("--allow-private", "--format", "json", f"{base}/bad.xml")
    assert result.exit_code == 1
    assert {f["source"] for f in json.loads(result.stdout)["findings"]} == {f"{base}/bad.xml"}


def test_hostile_feed_never_leaks_a_local_file(tmp_path: Path) -> None:
    canary = tmp_path / "secret.txt"
    canary.write_text("CANARY-do-not-print", "utf-8")
    feed = tmp_path / "xxe.xml"
    feed.write_text(
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{canary}">]>'
        '<rss version="2.0"><channel><title>&x;</title><link>https://example.org/</link>'
        "<description>d</description></channel></rss>",
        "utf-8",
    )
    for fmt in ("text", "json"):
        result = run("--format", fmt, str(feed))
        assert result.exit_code == 1
        assert "xml-entity-declaration" in result.stdout
        assert "CANARY" not in result.output


def test_external_dtd_is_not_requested(
    tmp_path: Path, http: tuple[str, dict[str, tuple[int, bytes]], list[str]]
) -> None:
    base, routes, requests = http
    routes["/rss.dtd"] = (200, b'<!ENTITY nbsp "&#160;">')
    feed = tmp_path / "dtd.xml"
    feed.write_text(
        f'<!DOCTYPE rss SYSTEM "{base}/rss.dtd"><rss version="2.0"><channel><title>a&nbsp;b'
        "</title><link>https://example.org/</link><description>d</description></channel></rss>",
        "utf-8",
    )
    result = run(str(feed))
    assert result.exit_code == 1
    assert "xml-undefined-entity" in result.stdout
    assert requests == []


def test_help_shows_an_example() -> None:
    result = CliRunner().invoke(main, ["validate", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "scofeed validate output/" in result.output


def test_real_process_exit_statuses(tmp_path: Path) -> None:
    """The statuses survive a real `python -m scofeed` process, not only CliRunner."""
    command = [sys.executable, "-m", "scofeed", "validate"]
    ok = subprocess.run([*command, str(VALID_RSS)], capture_output=True, text=True, check=False)
    bad = subprocess.run([*command, str(INVALID_RSS)], capture_output=True, text=True, check=False)
    gone = subprocess.run(
        [*command, str(tmp_path / "x.xml")], capture_output=True, text=True, check=False
    )
    assert (ok.returncode, bad.returncode, gone.returncode) == (0, 1, 2)
    assert bad.stdout.count("\n") == 5 and gone.stderr.startswith("Error: ")


def test_a_redirect_away_from_http_is_refused() -> None:
    """Redirects are followed to http(s) only: a hostile server cannot send the validator to a
    file: or ftp: URL (the fetching policy it shares with `scofeed import feed`)."""

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
        result = run("--allow-private", url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert result.exit_code == 2
    assert result.stderr == f"Error: {url}: redirects to file:///etc/passwd, which is not http(s)\n"
    assert "root:" not in result.output


# --- --rules, --format github, RSS 1.0, many inputs in one run ------------------------------

GITHUB = re.compile(
    r"^::(?P<severity>error|warning) file=(?P<file>[^,:]+),line=(?P<line>\d+)"
    r"(?:,col=(?P<col>\d+))?,title=(?P<rule>[a-z0-9-]+)::(?P<message>.+)$"
)


def test_rules_lists_every_rule_with_severity_and_reference() -> None:
    from scofeed.validate import RULES

    result = CliRunner().invoke(main, ["validate", "--rules"], catch_exceptions=False)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    names = [line.split()[0] for line in lines if line and not line.startswith(" ")]
    assert names == sorted(RULES)  # every rule, once, by name
    dc_date = lines.index(next(line for line in lines if line.startswith("dc-date ")))
    assert " error " in lines[dc_date] and "W3CDTF" in lines[dc_date]
    assert "DCMI Metadata Terms" in lines[dc_date + 1]


def test_rules_as_json() -> None:
    from scofeed.validate import RULES

    result = CliRunner().invoke(
        main, ["validate", "--rules", "--format", "json"], catch_exceptions=False
    )
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [row["name"] for row in rows] == sorted(RULES)
    for row in rows:
        assert set(row) == {"name", "severity", "summary", "reference"}
        assert row["severity"] == RULES[row["name"]].severity in ("error", "warning")
        assert row["summary"] == RULES[row["name"]].summary
    by_name = {row["name"]: row for row in rows}
    assert by_name["rss1-missing-about"]["reference"].startswith("RSS 1.0 specification")


def test_no_target_is_a_usage_error() -> None:
    result = run()
    assert result.exit_code == 2
    assert "name at least one feed file, folder or URL" in result.stderr


def test_github_annotations_one_per_finding_same_exit_status() -> None:
    text = run(str(INVALID_RSS))
    result = run("--format", "github", str(INVALID_RSS), str(VALID_ATOM))
    assert result.exit_code == 1 == text.exit_code
    lines = result.stdout.splitlines()
    parsed = [GITHUB.match(line) for line in lines]
    assert all(parsed), lines
    got = [(m["file"], m["line"], m["rule"]) for m in parsed if m]
    expected = [LINE.match(line) for line in text.stdout.splitlines()]
    assert got == [(m["source"], m["line"], m["rule"]) for m in expected if m]
    assert len(got) == len(expected) == 5
    assert lines[0] == (
        f"::error file={INVALID_RSS},line=7,title=rss-missing-element::<channel> has no "
        "<description>; RSS 2.0 requires one"
    )
    assert "1 invalid; 5 error(s)" in result.stderr


def test_github_annotations_escape_what_github_reads_as_syntax(tmp_path: Path) -> None:
    """%, CR and LF in a message, and also : and , in a property, are percent-encoded: a feed
    (or file name) cannot end an annotation early or forge a second one."""
    folder = tmp_path / "a,b:c"
    folder.mkdir()
    feed = folder / "feed.xml"
    feed.write_text(
        '<rss version="2.0"><channel><title>t</title><link>https://example.org/</link>'
        "<description>d</description><item><title>x</title>"
        "<link>https://example.org/100% sure\r\n::error::forged</link></item></channel></rss>",
        encoding="utf-8",
        newline="",
    )
    result = run("--format", "github", str(feed))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert all(line.startswith(("::error file=", "::warning file=")) for line in lines)
    url = next(line for line in lines if "rss-url" in line)
    assert f"file={str(folder).replace(':', '%3A').replace(',', '%2C')}/feed.xml," in url
    assert "100%25 sure" in url  # and the line break is \\x0a: still one annotation
    assert not any(line.startswith("::error::") for line in lines)


def test_github_annotation_for_an_input_that_could_not_be_read(tmp_path: Path) -> None:
    result = run("--format", "github", str(tmp_path / "gone.xml"))
    assert result.exit_code == 2
    assert (
        result.stdout
        == f"::error title=scofeed validate::{tmp_path}/gone.xml: no such file or folder\n"
    )


def test_rss1_feeds_are_validated_not_refused(tmp_path: Path) -> None:
    good = CORPUS / "rss1" / "valid-typepad.xml"
    bad = CORPUS / "rss1" / "rss1-missing-element.xml"
    assert run(str(good)).exit_code == 0
    result = run(str(bad))
    assert result.exit_code == 1
    found = [LINE.match(line) for line in result.stdout.splitlines()]
    assert {m["rule"] for m in found if m} == {"rss1-missing-element"} and all(found)


def test_folders_and_files_in_one_run(tmp_path: Path) -> None:
    """A folder walk, RSS 1.0 beside RSS 2.0 and Atom, and files named after it: one process,
    one summary, every document reported under its own name."""
    site = tmp_path / "site"
    (site / "sub").mkdir(parents=True)
    (site / "index.rdf").write_bytes((CORPUS / "rss1" / "valid-spec-sample.xml").read_bytes())
    (site / "foaf.rdf").write_bytes((CORPUS / "rss1" / "not-a-feed-foaf.xml").read_bytes())
    (site / "sub" / "atom.xml").write_bytes(VALID_ATOM.read_bytes())
    (site / "sitemap.xml").write_text(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>'
    )
    result = run("--format", "json", str(site), str(INVALID_RSS), str(VALID_RSS))
    document = json.loads(result.stdout)
    assert result.exit_code == 1
    assert [d["source"] for d in document["documents"]] == [
        str(site / "index.rdf"), str(site / "sub" / "atom.xml"),
        str(INVALID_RSS), str(VALID_RSS),
    ]  # fmt: skip
    assert [d["valid"] for d in document["documents"]] == [True, True, False, True]
    assert document["skipped"] == [str(site / "foaf.rdf"), str(site / "sitemap.xml")]
