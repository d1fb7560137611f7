"""Country detection: names, alternative names, demonyms, cities; never the organization."""

from __future__ import annotations

import tomllib
from datetime import UTC
from importlib import resources

import pytest

from scofeed.errors import ConfigError
from scofeed.posts.countries import load_gazetteer
from scofeed.posts.post import Post, parse_post
from scofeed.posts.slugs import slugify
from scofeed.posts.store import load_posts
from scofeed.site.plan import post_countries

from conftest import POSTS, post

G = load_gazetteer()


@pytest.mark.parametrize(
    ("text", "countries"),
    [
        ("Russian Federation will lead", {"Russia"}),
        ("talks in Kirghizia", {"Kyrgyzstan"}),
        ("the Kyrgyz Republic said", {"Kyrgyzstan"}),
        ("the Kazakh minister", {"Kazakhstan"}),
        ("an Uzbek delegation", {"Uzbekistan"}),
        ("held in Yekaterinburg", {"Russia"}),
        ("in Alma-Ata and Almaty", {"Kazakhstan"}),
        ("arrived in Dushanbe", {"Tajikistan"}),
        ("Beijing hosted", {"China"}),
        ("Shanghai hosted the first meeting", {"China"}),
        ("Russia's parliament", {"Russia"}),
        ("Kazakh-SCO relations", {"Kazakhstan"}),
        ("the Shanghai Cooperation Organization met", set()),
        ("the Shanghai Cooperation Organisation met", set()),
        ("the Shanghai Five grew", set()),
        ("in the Shanghai spirit", set()),
        ("through the Shanghai group", set()),
        ("the Shanghai\nCooperation Organization", set()),
        ("SCO members", set()),
        # Whole words, case as written.
        ("Kazakhstani exports", {"Kazakhstan"}),
        ("Russians and Prussians", {"Russia"}),
        ("russian lowercase", set()),
        ("Indiana is no country", set()),
        ("Ministers from Türkiye and Sri Lanka", {"Turkey", "Sri Lanka"}),
        ("Minsk and Ulaanbaatar", {"Belarus", "Mongolia"}),
        ("Kabul, Tehran, Islamabad and New Delhi", {"Afghanistan", "Iran", "Pakistan", "India"}),
    ],
)
def test_detect(text: str, countries: set[str]) -> None:
    assert G.detect(text) == countries


def test_gazetteer_covers_every_member_observer_and_partner() -> None:
    data = tomllib.loads(
        resources.files("scofeed").joinpath("data/gazetteer.toml").read_text(encoding="utf-8")
    )
    statuses = {name: spec["status"] for name, spec in data["countries"].items()}
    members = {k for k, v in statuses.items() if v == "member"}
    assert members == {
        "China", "Russia", "Kazakhstan", "Kyrgyzstan", "Tajikistan", "Uzbekistan",
        "India", "Pakistan", "Iran", "Belarus",
    }  # fmt: skip
    assert {"Afghanistan", "Mongolia"} <= set(statuses)
    assert {
        "Sri Lanka", "Turkey", "Cambodia", "Azerbaijan", "Nepal", "Armenia", "Egypt", "Qatar",
        "Saudi Arabia", "Kuwait", "Maldives", "Myanmar", "United Arab Emirates", "Bahrain", "Laos",
    } <= set(statuses)  # fmt: skip


def test_seed_posts_detection() -> None:
    posts, problems = load_posts(POSTS, tz=UTC)
    assert problems == []
    by_slug = {p.slug: post_countries(p, G) for p in posts}
    assert by_slug["russian-federation-will-lead-the-shanghai-cooperation"] == ("Russia",)
    assert by_slug["kazakh-president-calls-for-closer-economic-ties-among-sco"] == ("Kazakhstan",)
    assert by_slug["sco-summit-concludes-in-tajikistan"] == (
        "Afghanistan", "China", "India", "Iran", "Kazakhstan", "Kyrgyzstan", "Mongolia",
        "Pakistan", "Russia", "Tajikistan", "Uzbekistan",
    )  # fmt: skip
    assert by_slug["the-third-meeting-of-the-shanghai-cooperation-organization"] == (
        "China",
        "Kazakhstan",
        "Russia",
    )


def test_site_can_extend_and_override() -> None:
    g = load_gazetteer(
        [
            ("Belarus", ("Belarusian", "Minsk", "Brest")),
            ("Turkmenistan", ("Turkmen", "Ashgabat")),
        ]
    )
    assert g.detect("a meeting in Brest") == {"Belarus"}
    assert g.detect("Ashgabat and Turkmenistan") == {"Turkmenistan"}
    assert g.detect("Belorussia") == set()  # overridden: the site's list replaces the shipped one


def test_a_name_under_two_countries_is_refused() -> None:
    with pytest.raises(ConfigError, match="'Minsk' is listed for both Belarus and Lithuania"):
        load_gazetteer([("Lithuania", ("Minsk",))])


def test_declared_countries_replace_detection_and_are_canonical() -> None:
    p = parse_post(
        post(
            "date: 2008-05-19\ncountries: [Russian Federation, Narnia, china]", "Beijing"
        ).encode(),
        "x.md",
        slug="x",
        tz=UTC,
    )
    assert isinstance(p, Post)
    assert post_countries(p, G) == ("China", "Narnia", "Russia")
    empty = parse_post(
        post("date: 2008-05-19\ncountries: []", "Beijing").encode(), "x.md", slug="x", tz=UTC
    )
    assert isinstance(empty, Post)
    assert post_countries(empty, G) == ()


@pytest.mark.parametrize(
    ("name", "slug"),
    [("Russia", "russia"), ("Sri Lanka", "sri-lanka"), ("Türkiye", "turkiye"), ("../..", "")],
)
def test_country_slug(name: str, slug: str) -> None:
    assert slugify(name, max_length=None) == slug
