"""Jekyll's `_posts/` and Hugo's `content/posts/` copied into `posts/` as they are: every post
Jekyll or Hugo would publish goes out, with its date and address, and only those; what is no
post is said, never silently passed over.

The files below have the shapes of real blogs' posts (Jekyll's own news, ruby-lang.org's news,
Hugo and Zola sites): their front matter forms, date forms, folders and extensions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
from lxml import html as lxml_html

from scofeed.config import load_config
from scofeed.posts.post import Post, parse_post
from scofeed.posts.store import load_posts
from scofeed.publish.build import build

from conftest import run_cli

NOW = datetime(2026, 1, 1, tzinfo=UTC)
BASE = "https://example.org/sco/"

JEKYLL = {
    # `jekyll new` writes .markdown, Jekyll's own date form and space-separated categories.
    "2014-03-01-welcome-to-jekyll.markdown": (
        '---\nlayout: post\ntitle:  "Welcome to Jekyll!"\n'
        "date:   2014-03-01 12:00:00 -0500\ncategories: jekyll update\n---\n"
        "You’ll find this post in your `_posts` directory.\n"
    ),
    # No date: Jekyll takes it from the file name (a one-digit day too).
    "2015-11-9-no-date-here.md": "---\ntitle: From the name\nauthor: {name: Ann Lee}\n---\nText.\n",
    "2016-01-02-Mixed-Case.md": "---\ntitle: Case kept\ncomments: true\n---\nText.\n",
    # Kept out: Jekyll does not publish it.
    "2016-02-02-unpublished.md": "---\ntitle: Hidden\npublished: false\n---\nText.\n",
    # An HTML post with its own address.
    "2016-03-03-html-post.html": (
        "---\ntitle: An HTML post\npermalink: /news/2016/html-post.html\n"
        "author: [Ann Lee, Bo Chen]\n---\n<p>Paragraph    one.</p>\n\n    <p>indented</p>\n"
    ),
    # One slug on two dates, as yearly posts have.
    "2017-12-31-year-in-review.md": "---\ntitle: 2017 in review\n---\nText.\n",
    "2018-12-31-year-in-review.md": "---\ntitle: 2018 in review\ntags: a b\n---\nText.\n",
    # A numeric id, as jekyll-import writes WordPress's.
    "2019-01-01-imported.md": "---\ntitle: Imported\nid: 123\n---\nText.\n",
}

HUGO = {
    "_index.md": '+++\ntitle = "Posts"\n+++\n',  # the section's list page: no post
    # TOML front matter; a blank line before it.
    "toml-post.md": (
        '\n+++\ntitle = "TOML post"\ndate = 2020-05-01T10:00:00+02:00\n'
        'tags = ["go", "hugo"]\n[params]\nauthor = "nobody"\n+++\nBody.\n'
    ),
    # Page bundles: the slug is the folder's name; their resources go beside their pages.
    "first-bundle/index.md": (
        "---\ntitle: First bundle\ndate: 2020-06-01\n---\n![A cover](cover.jpg)\n"
    ),
    "first-bundle/cover.jpg": "not really a jpeg",
    "2020-07-01-second-bundle/index.md": "---\ntitle: Second bundle\ndate: 2020-07-01\n---\nB.\n",
    # Hugo's own keys, in Hugo's spellings.
    "scheduled.md": (
        "---\ntitle: Scheduled\ndate: 2025-01-01\npublishDate: 2026-06-01\n---\nBody.\n"
    ),
    "expired.md": "---\ntitle: Expired\ndate: 2020-01-01\nexpirydate: 2021-01-01\n---\nB.\n",
    "dated-by-publishdate.md": "---\ntitle: Pub\npublishDate: 2020-08-01\n---\nBody.\n",
    "own-url.md": "---\ntitle: Own URL\ndate: 2020-09-01\nurl: /blog/own-url/\n---\nBody.\n",
    "draft.md": "---\ntitle: Draft\ndate: 2020-10-01\ndraft: true\n---\nBody.\n",
    "notes.txt": "a stray file",
}


def make(root: Path, posts: dict[str, str]) -> Path:
    for name, text in posts.items():
        path = root / "posts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "scofeed.toml").write_text(f'base_url = "{BASE}"\ntimezone = "UTC"\n')
    return root


def entries(root: Path, feed: str = "atom.xml") -> dict[str, feedparser.FeedParserDict]:
    parsed = feedparser.parse((root / "output" / feed).read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    return {entry.title: entry for entry in parsed.entries}


def terms(entry: feedparser.FeedParserDict) -> list[str]:
    """The entry's own categories (without the site's, which every entry carries)."""
    return [t.term for t in entry.tags if t.term != "SCO (RTG)"]


def test_a_jekyll_posts_folder_builds_as_it_is(tmp_path: Path) -> None:
    make(tmp_path, JEKYLL)
    result = run_cli("build", "--now", NOW.isoformat(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    found = entries(tmp_path)
    assert sorted(found) == sorted(
        ["Welcome to Jekyll!", "From the name", "Case kept", "An HTML post", "2017 in review",
         "2018 in review", "Imported"]
    )  # fmt: skip
    welcome = found["Welcome to Jekyll!"]
    assert welcome.published == "2014-03-01T12:00:00-05:00"
    assert welcome.link == BASE + "2014/03/welcome-to-jekyll.html"
    assert terms(welcome) == ["jekyll", "update"]
    assert found["From the name"].published == "2015-11-09T00:00:00+00:00"
    assert found["From the name"].link == BASE + "2015/11/no-date-here.html"
    assert found["From the name"].author == "Ann Lee"
    assert found["Case kept"].link == BASE + "2016/01/Mixed-Case.html"
    html_post = found["An HTML post"]
    assert html_post.link == BASE + "news/2016/html-post.html"
    assert html_post.author == "Ann Lee, Bo Chen"
    # HTML is not read as Markdown: the indented paragraph is no code block.
    assert "<pre>" not in html_post.content[0].value
    assert "<p>indented</p>" in html_post.content[0].value
    assert (tmp_path / "output/news/2016/html-post.html").is_file()
    # One slug, two posts, two ids: the older keeps the slug's.
    assert found["2017 in review"].id.endswith(":posts/year-in-review")
    assert found["2018 in review"].id.endswith(":posts/year-in-review/2018-12-31")
    assert terms(found["2018 in review"]) == ["a", "b"]
    rss = feedparser.parse((tmp_path / "output/rss.xml").read_bytes())
    assert {e.id for e in rss.entries if e.title == "Imported"} == {"123"}


def test_a_hugo_content_folder_builds_as_it_is(tmp_path: Path) -> None:
    make(tmp_path, HUGO)
    result = run_cli("build", "--now", NOW.isoformat(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    found = entries(tmp_path)
    assert sorted(found) == ["First bundle", "Own URL", "Pub", "Second bundle", "TOML post"]
    assert found["TOML post"].published == "2020-05-01T10:00:00+02:00"
    assert terms(found["TOML post"]) == ["go", "hugo"]
    assert found["First bundle"].link == BASE + "2020/06/first-bundle.html"
    assert found["Second bundle"].link == BASE + "2020/07/second-bundle.html"
    assert found["Pub"].published.startswith("2020-08-01")
    assert found["Own URL"].link == BASE + "blog/own-url/"
    assert (tmp_path / "output/blog/own-url/index.html").is_file()
    # What is no post is said, with what to do; the section file is no post and says nothing;
    # a bundle's image is published beside its post's page, where its relative links lead.
    assert "posts/notes.txt: warning: is not a post" in result.stderr
    assert "_index.md" not in result.stderr and "cover.jpg" not in result.stderr
    assert "1 warning" in result.stderr
    assert (tmp_path / "output/2020/06/cover.jpg").read_text() == "not really a jpeg"
    assert f'src="{BASE}2020/06/cover.jpg"' in found["First bundle"].content[0].value


def test_publish_and_expiry_dates_are_kept_by_later_builds(tmp_path: Path) -> None:
    """A post with a publish date goes out when it comes, and an expired one goes, even when
    nothing else changed (the no-op check knows both instants)."""
    make(tmp_path, {
        "soon.md": "---\ntitle: Soon\ndate: 2025-01-01\npublishDate: 2026-06-01\n---\nB.\n",
        "ends.md": "---\ntitle: Ends\ndate: 2025-01-01\nexpiryDate: 2026-09-01\n---\nB.\n",
    })  # fmt: skip
    config = load_config(tmp_path)
    build(config, now=NOW)
    assert sorted(entries(tmp_path)) == ["Ends"]
    build(config, now=datetime(2026, 7, 1, tzinfo=UTC))
    assert sorted(entries(tmp_path)) == ["Ends", "Soon"]
    report = build(config, now=datetime(2026, 10, 1, tzinfo=UTC))
    assert report.written  # not taken for a no-op
    assert sorted(entries(tmp_path)) == ["Soon"]


def test_fewer_posts_while_files_were_passed_over_is_said(tmp_path: Path) -> None:
    make(tmp_path, {f"2020-01-0{i}-p{i}.md": f"---\ntitle: P{i}\n---\nB.\n" for i in range(1, 4)})
    assert run_cli("build", "--now", NOW.isoformat(), cwd=tmp_path).returncode == 0
    (tmp_path / "posts/2020-01-03-p3.md").rename(tmp_path / "posts/2020-01-03-p3.md.bak")
    result = run_cli("build", "--now", NOW.isoformat(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "posts/2020-01-03-p3.md.bak: warning: is not a post" in result.stderr
    assert "the feeds now hold 2 posts, 1 fewer than the last build's" in result.stderr
    # A post deleted on purpose is no news.
    (tmp_path / "posts/2020-01-03-p3.md.bak").unlink()
    (tmp_path / "posts/2020-01-02-p2.md").unlink()
    result = run_cli("build", "--now", NOW.isoformat(), cwd=tmp_path)
    assert "warning" not in result.stderr


def parse(text: str, name: str = "x.md") -> Post:
    result = parse_post(text.encode(), name, slug="x", tz=UTC)
    assert isinstance(result, Post), result
    return result


def test_front_matter_forms_of_both_tools() -> None:
    toml = parse('+++\ntitle = "T"\ndate = 2020-01-02\nlastmod = 2020-02-03T04:05:06Z\n+++\nB')
    assert (toml.date.isoformat(), toml.updated.isoformat()) == (
        "2020-01-02T00:00:00+00:00", "2020-02-03T04:05:06+00:00"
    )  # fmt: skip
    assert parse("---\ndate: 2023-01-29 18:30:22 2023 -0800\n---\nB").date.isoformat() == (
        "2023-01-29T18:30:22-08:00"  # a real Jekyll post's date: Ruby reads past the year
    )
    assert parse("---\ndate: Sat, 01 Mar 2014 12:00:00 -0500\n---\nB").date.day == 1
    assert parse("---\ndate: 2020-01-02\nauthors: [ann]\n---\nB").author == "ann"
    assert parse("---\ndate: 2020-01-02\ncategories: 'a, b c'\n---\nB").categories == ("a", "b c")
    zola = parse('+++\ndate = 2020-09-10 19:29:43\n[taxonomies]\ntags = ["b tree", "x"]\n+++\nB')
    assert (zola.tags, zola.date.isoformat()) == (("b tree", "x"), "2020-09-10T19:29:43+00:00")


def test_errors_name_the_line_and_give_advice_that_fits(tmp_path: Path) -> None:
    bad = {
        "a/index.md": "---\ntitle: A\ndate: 2020-01-01\n---\nB.\n",
        "b/index.md": "---\ntitle: B\ndate: 2020-01-02\nslug: a\n---\nB.\n",
        "toml.md": '\n\n+++\ntitle = "T"\ndate = 2020-01-01\nbroken = \n+++\nB.\n',
        "url.md": "---\ntitle: U\ndate: 2020-01-01\nurl: /:year/:title/\n---\nB.\n",
        "undated.md": '+++\ntitle = "No date"\n+++\nB.\n',
    }
    for name, text in bad.items():
        (tmp_path / "posts" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "posts" / name).write_text(text)
    _, problems = load_posts(tmp_path / "posts", tz=UTC, shown_from=tmp_path)
    said = [str(p) for p in problems]
    assert said[0].startswith("posts/toml.md:6: front matter is not valid TOML")
    assert said[1].startswith("posts/undated.md:1: has no date")
    assert said[2].startswith("posts/url.md:4: '/:year/:title/' must be a path on this site")
    assert len(said) == 3
    # Two bundles claiming one address: the advice is a slug line, never renaming index.md.
    (tmp_path / "posts/toml.md").unlink()
    (tmp_path / "posts/url.md").unlink()
    (tmp_path / "posts/undated.md").unlink()
    (tmp_path / "scofeed.toml").write_text(f'base_url = "{BASE}"\n')
    result = run_cli("build", "--now", NOW.isoformat(), cwd=tmp_path)
    assert result.returncode == 1
    assert "slug: another-name" in result.stderr and "index.md" in result.stderr
    assert "rename" not in result.stderr


def test_hugo_style_folder_permalinks_give_pages_every_link_of_which_leads_somewhere(
    tmp_path: Path,
) -> None:
    """`permalink = "{year}/{month}/{slug}/"`, Hugo's folder addresses: each post's page is
    the folder's index.html, and no link on any page or in any feed leads nowhere."""
    make(tmp_path, HUGO)
    with (tmp_path / "scofeed.toml").open("a") as toml:
        toml.write('permalink = "{year}/{month}/{slug}/"\npage_size = 2\n')
    build(load_config(tmp_path), now=NOW)
    out = tmp_path / "output"
    found = entries(tmp_path)
    assert found["First bundle"].link == BASE + "2020/06/first-bundle/"
    assert (out / "2020/06/first-bundle/index.html").is_file()
    assert (out / "2020/06/first-bundle/cover.jpg").is_file()  # where Hugo puts it
    assert found["Own URL"].link == BASE + "blog/own-url/"
    links = 0
    for page in out.rglob("*.html"):
        doc = lxml_html.document_fromstring(page.read_bytes())
        here = BASE + page.relative_to(out).as_posix()
        for href in doc.xpath("//a/@href | //link/@href"):
            url = urljoin(here, href)
            if not url.startswith(BASE):
                continue
            path = unquote(urlsplit(url).path)[len(urlsplit(BASE).path) :]
            target = out / (path + "index.html" if path in ("",) or path.endswith("/") else path)
            assert target.is_file(), (page.relative_to(out).as_posix(), href)
            links += 1
    assert links > 50


def test_two_bundles_putting_a_file_at_one_path_are_refused_by_name(tmp_path: Path) -> None:
    make(tmp_path, {
        "a/index.md": "---\ntitle: A\ndate: 2020-06-01\n---\n![](cover.jpg)\n",
        "a/cover.jpg": "a",
        "b/index.md": "---\ntitle: B\ndate: 2020-06-02\n---\n![](cover.jpg)\n",
        "b/cover.jpg": "b",
    })  # fmt: skip
    result = run_cli("build", "--now", NOW.isoformat(), cwd=tmp_path)
    assert result.returncode == 1
    said = "posts/b/cover.jpg: would be published at 2020/06/cover.jpg, as posts/a/cover.jpg is"
    assert said in result.stderr
    assert 'permalink = "{year}/{month}/{slug}/"' in result.stderr
    assert not (tmp_path / "output").exists()


def test_template_tags_are_said_by_file_and_line_and_links_follow_their_targets(
    tmp_path: Path,
) -> None:
    make(tmp_path, {
        "2014-01-01-first.md": "---\ntitle: First\n---\nOne.\n",
        "2014-02-01-second.md": (
            "---\ntitle: Second\n---\nSee [the first]({% post_url 2014-01-01-first %}).\n\n"
            "{% gallery %}\n\nAnd [a lost one]({% post_url 2013-01-01-gone %}).\n"
        ),
    })  # fmt: skip
    result = run_cli("build", "--now", NOW.isoformat(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    said = [line.strip() for line in result.stderr.splitlines() if "warning" in line]
    assert said[0].startswith("posts/2014-02-01-second.md:6: warning: {% gallery %}")
    assert said[1].startswith("posts/2014-02-01-second.md:8: warning:")
    assert "2013-01-01-gone" in said[1]
    page = (tmp_path / "output/2014/02/second.html").read_text()
    assert f'href="{BASE}2014/01/first.html"' in page and "{%" not in page
    # The target moves: the post that links to it follows on the next (incremental) build.
    (tmp_path / "posts/2014-01-01-first.md").write_text("---\ntitle: First\nslug: one\n---\nO.\n")
    assert run_cli("build", "--now", NOW.isoformat(), cwd=tmp_path).returncode == 0
    page = (tmp_path / "output/2014/02/second.html").read_text()
    assert f'href="{BASE}2014/01/one.html"' in page
    rss = (tmp_path / "output/rss.xml").read_text()
    assert f"{BASE}2014/01/one.html" in rss and f"{BASE}2014/01/first.html" not in rss
