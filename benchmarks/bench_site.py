"""Benchmark `scofeed build` of the whole site against Hugo's (issue 18, items 1, 4 and 5).

The same generated posts as bench_build.py; Hugo builds, from the very same files, a page per
post, the home page and each country's page paginated 50 a page, a sitemap, and RSS and Atom of
the newest 50 entries for the home page and each country (hugo_site/site.toml.in and layouts/).
scofeed is configured alike (page_size 50, feed_limit 50) and builds its whole site, which also
holds month archives, tag pages and feeds, JSON Feeds and RFC 5005 archive documents.

Times, in one run: Hugo's clean build; scofeed's clean, no-op and one-post builds; and prints
each scofeed build over Hugo's clean build against issue 18's targets (at 10,000 posts: clean
<= 0.5x, no-op <= 0.05x, one-post <= 0.1x), the peak memory (target <= 500 MB at 100,000 posts)
and the machine. It asserts nothing.

    python benchmarks/bench_site.py                       # 1,000 and 10,000 posts
    python benchmarks/bench_site.py --sizes 100000        # on demand: minutes
    python benchmarks/bench_scale.py --sizes 1000000 --feed-content summary   # scofeed alone

The options are bench_build.py's (see benchmarks/README.md).
"""

from __future__ import annotations

import sys

from bench_build import main

if __name__ == "__main__":
    sys.exit(main(whole_site=True))
