"""Benchmark `scofeed.validate.validate_bytes` on ~10 MB feeds (issue 3, item 7).

Writes one RSS 2.0 feed shaped like WordPress's (content:encoded, dc:creator, slash:comments,
enclosures) and one Atom feed shaped like jekyll-feed's (xml:lang on the root, html content,
categories, media:thumbnail) into a temporary folder, reads them back, and times the validator on
each: the whole of `validate_bytes`, and the XML parse alone for comparison. It prints seconds
(best and median of the runs) and MB/s. A benchmark, not a test: it asserts nothing.

    python benchmarks/bench_validate.py            # 10 MB each, 5 runs
    python benchmarks/bench_validate.py --size-mb 50 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from lxml import etree

from scofeed.validate import validate_bytes

LOREM = (
    "The ministers discussed trade corridors, energy and security; the communiqué lists eleven "
    "agreements &amp; a joint declaration on transport. "
)


def rss_feed(target_bytes: int) -> bytes:
    head = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
	xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
<channel>
	<title>Benchmark feed</title>
	<atom:link href="https://bench.example.org/feed/" rel="self" type="application/rss+xml" />
	<link>https://bench.example.org</link>
	<description>A large feed for timing the validator</description>
	<lastBuildDate>Mon, 13 May 2024 17:40:02 +0000</lastBuildDate>
	<language>en-US</language>
	<sy:updatePeriod>hourly</sy:updatePeriod>
	<sy:updateFrequency>1</sy:updateFrequency>
	<generator>https://wordpress.org/?v=6.5.3</generator>
"""
    parts, size, i = [head], len(head), 0
    while size < target_bytes:
        i += 1
        item = f"""	<item>
		<title>Post number {i}: summit notes</title>
		<link>https://bench.example.org/2024/05/13/post-{i}/</link>
		<comments>https://bench.example.org/2024/05/13/post-{i}/#comments</comments>
		<dc:creator><![CDATA[Author {i % 17}]]></dc:creator>
		<pubDate>Mon, 13 May 2024 17:40:02 +0000</pubDate>
		<category><![CDATA[Diplomacy]]></category>
		<category><![CDATA[Region {i % 11}]]></category>
		<guid isPermaLink="false">https://bench.example.org/?p={i}</guid>
		<description><![CDATA[{LOREM[:120]} [&#8230;]]]></description>
		<content:encoded><![CDATA[<p>{LOREM * 6}</p><p><a href="https://bench.example.org/x/{i}">more</a></p>]]></content:encoded>
		<wfw:commentRss>https://bench.example.org/2024/05/13/post-{i}/feed/</wfw:commentRss>
		<slash:comments>{i % 9}</slash:comments>
		<enclosure url="https://bench.example.org/media/{i}.mp3" length="{1000 + i}"
			type="audio/mpeg" />
	</item>
"""
        parts.append(item)
        size += len(item)
    parts.append("</channel>\n</rss>\n")
    return "".join(parts).encode("utf-8")


def atom_feed(target_bytes: int) -> bytes:
    head = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        'xml:lang="en"><generator uri="https://jekyllrb.com/" version="4.3.3">Jekyll</generator>'
        '<link href="https://bench.example.dev/feed.xml" rel="self" type="application/atom+xml" />'
        '<link href="https://bench.example.dev/" rel="alternate" type="text/html" hreflang="en" />'
        "<updated>2024-05-12T09:41:07+00:00</updated><id>https://bench.example.dev/feed.xml</id>"
        '<title type="html">Benchmark</title><subtitle>A large feed</subtitle>'
        "<author><name>Lena K.</name><email>lena@example.dev</email></author>\n"
    )
    parts, size, i = [head], len(head), 0
    while size < target_bytes:
        i += 1
        url = f"https://bench.example.dev/2024/05/10/post-{i}.html"
        entry = (
            f'<entry><title type="html">Post {i}: why the corridor matters</title>'
            f'<link href="{url}" rel="alternate" type="text/html" title="Post {i}" />'
            "<published>2024-05-10T00:00:00+00:00</published>"
            "<updated>2024-05-11T14:02:00+00:00</updated>"
            f"<id>https://bench.example.dev/2024/05/10/post-{i}</id>"
            f'<content type="html" xml:base="{url}"><![CDATA[<p>{LOREM * 6}</p>]]></content>'
            "<author><name>Lena K.</name></author>"
            f'<category term="transport" /><category term="region-{i % 11}" />'
            f'<summary type="html"><![CDATA[{LOREM[:120]}]]></summary>'
            '<media:thumbnail xmlns:media="http://search.yahoo.com/mrss/" '
            f'url="https://bench.example.dev/assets/{i}.jpg" /></entry>\n'
        )
        parts.append(entry)
        size += len(entry)
    parts.append("</feed>\n")
    return "".join(parts).encode("utf-8")


def timed(func: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=10.0, help="feed size (default 10)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (default 5)")
    args = parser.parse_args(argv)
    target = int(args.size_mb * 1_000_000)
    validate_bytes(b'<rss version="2.0"><channel/></rss>')  # load both schemas once, untimed
    validate_bytes(b'<feed xmlns="http://www.w3.org/2005/Atom"/>')
    print(
        f"python {sys.version.split()[0]}, lxml {etree.__version__}, libxml2 "
        f"{'.'.join(map(str, etree.LIBXML_VERSION))}"
    )
    print(
        f"{'feed':6} {'MB':>6} {'findings':>8} {'parse s':>8} {'validate s':>11} "
        f"{'median s':>9} {'MB/s':>7}"
    )
    with tempfile.TemporaryDirectory(prefix="scofeed-bench-") as tmp:
        for name, make in (("rss", rss_feed), ("atom", atom_feed)):
            path = Path(tmp) / f"{name}.xml"
            path.write_bytes(make(target))
            data = path.read_bytes()
            findings = validate_bytes(data, str(path))
            parser_ = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
            # partial, not a lambda: binds this iteration's values, and mypy can type it
            parse = timed(partial(etree.fromstring, data, parser_), args.repeat)
            full = timed(partial(validate_bytes, data, str(path)), args.repeat)
            mb = len(data) / 1e6
            print(
                f"{name:6} {mb:6.1f} {len(findings):8d} {min(parse):8.3f} {min(full):11.3f} "
                f"{statistics.median(full):9.3f} {mb / min(full):7.1f}"
            )
            for finding in findings[:5]:
                print(f"  {finding}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
