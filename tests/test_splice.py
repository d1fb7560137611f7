"""Feeds written by splicing each entry's text (`site.splice`) are byte for byte the feeds
feedgen and lxml make (`site.feeds.render`), for every document of a site (feeds and RFC 5005
archives, RSS and Atom) and for entries full of characters XML escapes or refuses."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scofeed.config import Config
from scofeed.errors import FeedError
from scofeed.posts.countries import load_gazetteer
from scofeed.posts.post import Post
from scofeed.posts.store import load_posts
from scofeed.publish.cache import BuildCache
from scofeed.publish.rendering import Entries
from scofeed.site import splice
from scofeed.site.feeds import render
from scofeed.site.plan import FeedSpec, plan_feeds, published_filed
from scofeed.site.splice import render_spliced

from conftest import NOW, post

# Posts that use everything an entry may carry: comments (slash/thr), enclosures with and
# without size and duration (itunes), the post's picture and the body's (Media RSS), authors,
# countries and tags, and the characters XML escapes in text and in attributes.
POSTS = {
    "2020-01-01-plain.md": post("title: Plain\ndate: 2020-01-01T10:00:00Z\ntags: [energy]"),
    "2020-01-02-marks.md": post(
        'title: "Q&A: <Russia> & \\"China\\" > 1"\ndate: 2020-01-02T10:00:00+03:00\n'
        'author: "Ann & <Bob>"\ncountries: [Russia, China]\ntags: ["R&D", "a\\"b", "<x>"]\n'
        "comments: 0",
        "Tom & Jerry <b>bold</b> \"quoted\" 'single' > end. Ünïcödé 中文 😀",
    ),
    "2020-01-03-pod.md": post(
        "title: Podcast\ndate: 2020-01-03T10:00:00Z\ncomments: 7\n"
        "enclosures:\n  - url: https://cdn.example.org/a.mp3?x=1&y=2\n    type: audio/mpeg\n"
        "    length: 1234\n    duration: 61\n  - url: https://cdn.example.org/b.ogg\n"
        "    type: audio/ogg",
    ),
    "2020-01-04-pic.md": post(
        "title: Picture\ndate: 2020-01-04T10:00:00Z\nimage: https://img.example.org/p.jpg?a=1&b=2\n"
        "countries: [Kazakhstan]",
    ),
    "2020-01-05-body-pic.md": post(
        "title: Body picture\ndate: 2020-01-05T10:00:00Z\nupdated: 2020-02-01T00:00:00Z",
        "Text ![alt](https://img.example.org/q.png) more.",
    ),
    "2020-01-06-no-title.md": post("date: 2020-01-06T10:00:00Z", "First words become the title."),
}


def _documents(config: Config) -> tuple[list[FeedSpec], Entries]:
    posts, problems = load_posts(config.posts_dir, tz=config.tzinfo)
    assert not [p for p in problems if not p.warning]
    published, filed = published_filed(posts, load_gazetteer(), NOW)
    specs = plan_feeds(published, filed, config)
    documents = [d for spec in specs for d in (spec, *spec.archives())]
    return documents, Entries(config, BuildCache.load(config.cache_dir, "test"))


def _same(config: Config, monkeypatch: pytest.MonkeyPatch) -> int:
    """Every document compared; returns how many took the spliced path (feedgen was asked
    for fewer entries than the document holds)."""
    documents, entries = _documents(config)
    asked: list[int] = []

    def counted(spec: FeedSpec, fmt: str, config: Config, entry_for: Entries) -> bytes:
        asked.append(len(spec.entries))
        return render(spec, fmt, config, entry_for)

    monkeypatch.setattr(splice, "render", counted)
    spliced = 0
    for document in documents:
        for fmt in ("rss", "atom"):
            expected = render(document, fmt, config, entries)
            asked.clear()
            assert render_spliced(document, fmt, config, entries) == expected, document.path(fmt)
            spliced += asked[0] < len(document.entries)
    return spliced


@pytest.mark.parametrize(
    "toml",
    [
        "feed_limit = 2\n",  # archive documents of every feed folder
        'feed_limit = 3\narchive_size = 2\nfeed_content = "summary"\n',
        'websub_hubs = ["https://hub.example.org/"]\nbase_url = "https://example.org/a&b/"\n',
        "",
    ],
)
def test_spliced_feeds_are_feedgens_bytes(
    project: Callable[..., Config], toml: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project(POSTS, toml, seed=True)
    assert _same(config, monkeypatch) > 4


_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=0, max_size=12
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=_text, author=_text, tag=_text, body=_text)
def test_any_characters_give_the_same_bytes_or_the_same_refusal(
    project: Callable[..., Config], title: str, author: str, tag: str, body: str
) -> None:
    """Control characters, carriage returns, blank fields: the spliced path either writes
    what feedgen writes or leaves the document to it (and its refusal)."""
    import json

    front = (
        f"title: {json.dumps(title)}\ndate: 2021-05-05T10:00:00Z\n"
        f"author: {json.dumps(author or 'x')}\ntags: [{json.dumps(tag or 't')}]"
    )
    config = project({"2021-05-05-any.md": post(front, body or "b")})
    try:
        documents, entries = _documents(config)
    except (AssertionError, FeedError):
        return  # the post itself is refused before any feed is made
    for document in documents:
        for fmt in ("rss", "atom"):
            try:
                expected: bytes | str = render(document, fmt, config, entries)
            except FeedError as exc:
                expected = str(exc)
            try:
                got: bytes | str = render_spliced(document, fmt, config, entries)
            except FeedError as exc:
                got = str(exc)
            assert got == expected


def test_each_entry_is_written_once_for_all_the_documents_that_carry_it(
    project: Callable[..., Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build's entries keep each post's item text (`Entries.pieces`): every document
    after the first that carries the post takes it as written."""
    from collections import Counter

    from scofeed.site import jsonfeed
    from scofeed.site.jsonfeed import render_json

    config = project(POSTS, "feed_limit = 2\n", seed=True)
    documents, entries = _documents(config)
    written: Counter[tuple[str, str]] = Counter()

    def counting(kind: str, real: Callable[..., str]) -> Callable[..., str]:
        def counted(post: Post, *args: object) -> str:
            written[kind, post.path] += 1
            return real(post, *args)

        return counted

    monkeypatch.setattr(splice, "_rss_item", counting("rss", splice._rss_item))
    monkeypatch.setattr(splice, "_atom_entry", counting("atom", splice._atom_entry))
    monkeypatch.setattr(jsonfeed, "_item_text", counting("json", jsonfeed._item_text))
    for document in documents:
        render_spliced(document, "rss", config, entries)
        render_spliced(document, "atom", config, entries)
        render_json(document, config, entries)
    carried = sum(len(document.entries) for document in documents)
    assert carried > len(written) / 3 and set(written.values()) == {1}


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(value=_json_values)
def test_json_feeds_are_written_as_json_dumps_writes_them(value: object) -> None:
    import json

    from scofeed.site.jsonfeed import _json

    assert _json(value, "") == json.dumps(value, ensure_ascii=False, indent=2)


def test_writing_a_json_feed_leaves_no_reference_cycle(project: Callable[..., Config]) -> None:
    """A build runs without the cycle collector (`cli.publishing`): json.dumps with an indent
    left a cycle per call, and so one per item once items were written apart (70 MB at
    10,000 posts)."""
    import gc

    from scofeed.site.jsonfeed import render_json

    config = project(POSTS, "feed_limit = 2\n", seed=True)
    documents, entries = _documents(config)
    gc.collect()
    gc.disable()
    try:
        for document in documents:
            render_json(document, config, entries)
        assert gc.collect() == 0
    finally:
        gc.enable()
