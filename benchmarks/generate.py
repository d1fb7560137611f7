"""Seeded synthetic posts in scofeed's post store format, for the build benchmark.

The same (n, seed) always gives the same bytes: every random call below is part of that promise,
so reordering, adding or removing one changes every post after it. Bump GENERATOR_VERSION when
the output changes on purpose, so kept work directories (`--keep`) are written again.

    python benchmarks/generate.py DIR --n 1000 --seed 2001    # the posts alone, into DIR
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

GENERATOR_VERSION = 2  # bump when the generated posts change, so kept work directories refresh
DEFAULT_SEED = 2001  # the SCO's founding year


@dataclass(frozen=True)
class Country:
    name: str
    demonym: str
    cities: tuple[str, ...]


COUNTRIES = (
    Country("Russia", "Russian", ("Moscow", "Yekaterinburg", "Novosibirsk", "Sochi")),
    Country("China", "Chinese", ("Beijing", "Shanghai", "Urumqi", "Qingdao")),
    Country("Kazakhstan", "Kazakh", ("Astana", "Almaty", "Shymkent")),
    Country("Kyrgyzstan", "Kyrgyz", ("Bishkek", "Osh")),
    Country("Tajikistan", "Tajik", ("Dushanbe", "Khujand")),
    Country("Uzbekistan", "Uzbek", ("Tashkent", "Samarkand")),
    Country("India", "Indian", ("New Delhi", "Mumbai")),
    Country("Pakistan", "Pakistani", ("Islamabad", "Karachi")),
    Country("Iran", "Iranian", ("Tehran", "Isfahan")),
    Country("Belarus", "Belarusian", ("Minsk",)),
    Country("Mongolia", "Mongolian", ("Ulaanbaatar",)),
)
TOPICS = (
    "regional security",
    "energy transit",
    "counter-terrorism",
    "trade corridors",
    "water management",
    "railway links",
    "customs procedures",
    "drug trafficking",
    "joint military exercises",
    "digital infrastructure",
    "grain exports",
    "border demarcation",
)
TAGS = ("security", "economy", "energy", "summit", "diplomacy", "trade", "military", "transport")
FILLER = (
    "The talks lasted longer than planned, and several delegations stayed an extra day.",
    "Analysts cautioned that the agreements still need to be ratified by national parliaments.",
    "A working group will report on progress before the next meeting of foreign ministers.",
    "Officials declined to say how much the projects would cost or who would pay for them.",
    "The secretariat published the text of the declaration on its website the same evening.",
    "Journalists were not admitted to the closed session that followed the plenary.",
    "Diplomats described the atmosphere as businesslike, if occasionally tense.",
    "Observers noted that the same questions had been raised at the previous summit.",
)


def _sentence(rng: random.Random, focus: Sequence[Country], year: int) -> str:
    """One sentence naming the focus countries by name, demonym or city."""
    a, b = rng.sample(focus, 2) if len(focus) > 1 else (focus[0], focus[0])
    partner = b.name if b is not a else "the SCO secretariat"
    topic = rng.choice(TOPICS)
    city = rng.choice(a.cities)
    # Every candidate is built, random calls included, before one is chosen: the bytes depend
    # on that order.
    choices = (
        f"{a.demonym} officials arrived in {city} for talks on {topic}.",
        f"The Shanghai Cooperation Organization said the meeting in {city} would focus on {topic}.",
        f"Delegations from {a.name} and {partner} signed {rng.randint(2, 19)} agreements "
        f"on {topic}.",
        f"According to the {a.demonym} foreign ministry, {topic} remains a priority for the "
        "Shanghai Cooperation Organization.",
        f"Observers in {rng.choice(b.cities)} noted that {a.name} has pressed for closer "
        f"cooperation on {topic} since {year - rng.randint(1, 6)}.",
        f"The {b.demonym} side proposed a joint commission on {topic}, to meet in {city}.",
        rng.choice(FILLER),
        rng.choice(FILLER),
    )
    return rng.choice(choices)


def _paragraph(rng: random.Random, focus: Sequence[Country], year: int, words: int) -> str:
    sentences: list[str] = []
    count = 0
    while count < words:
        sentence = _sentence(rng, focus, year)
        sentences.append(sentence)
        count += sentence.count(" ") + 1
    return " ".join(sentences)


def slugify(text: str) -> str:
    """The slug Hugo gives a country term, and the generator a file name."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def render_post(rng: random.Random, index: int, when: dt.datetime) -> tuple[str, str]:
    """Return (file name, file text) of one synthetic post."""
    focus = rng.sample(COUNTRIES, rng.choice((1, 1, 2, 2, 3)))
    first, last = focus[0], focus[-1]
    topic = rng.choice(TOPICS)
    title = rng.choice(
        (
            f"{first.demonym} and {last.demonym} ministers discuss {topic} in "
            f"{rng.choice(first.cities)}"
            if first is not last
            else f"{first.demonym} minister on {topic}",
            f"SCO partners agree on {topic}",
            f"{first.name} hosts talks on {topic}",
            f"{rng.choice(last.cities)} summit: what was agreed on {topic}",
        )
    )
    front = [
        "---",
        f"title: {json.dumps(title, ensure_ascii=False)}",
        f"date: {when.isoformat()}",
        f"tags: [{', '.join(rng.sample(TAGS, rng.randint(1, 3)))}]",
    ]
    if rng.random() < 0.4:  # the rest rely on detection (scofeed); Hugo files them nowhere
        front.append(f"countries: [{', '.join(c.name for c in focus)}]")
    if rng.random() < 0.3:
        front.append(f"comments: {rng.randint(0, 40)}")
    front.append("---")

    total = rng.randint(200, 600)
    paragraphs_n = rng.randint(3, 6)
    paragraphs = [
        _paragraph(rng, focus, when.year, total // paragraphs_n) for _ in range(paragraphs_n)
    ]
    slug = slugify(first.name)
    paragraphs[-1] += (
        f" See [earlier coverage](/countries/{slug}/) and "
        f"[the {when.year} report](/reports/{when.year}/{slugify(topic)}/)."
    )
    points = "\n".join(f"- {c.demonym} position on *{rng.choice(TOPICS)}*" for c in focus)
    paragraphs.insert(rng.randint(1, len(paragraphs) - 1), f"Key points:\n\n{points}")
    # Slugs stay short: scofeed cuts slugs derived from file names at 60 characters.
    name = f"{when:%Y-%m-%d}-{slugify(title)[:40].rstrip('-')}-{index}.md"
    return name, "\n".join(front) + "\n\n" + "\n\n".join(paragraphs) + "\n"


def generate_posts(posts_dir: Path, n: int, seed: int) -> None:
    """Write n posts into posts_dir, deterministically for (n, seed)."""
    rng = random.Random(f"{seed}:{n}")  # noqa: S311 -- reproducible test data, not secrets
    start = dt.datetime(2005, 1, 1, tzinfo=dt.UTC)
    span_minutes = int((dt.datetime(2025, 1, 1, tzinfo=dt.UTC) - start).total_seconds()) // 60
    minutes = sorted(rng.randrange(span_minutes) for _ in range(n))
    if posts_dir.exists():
        shutil.rmtree(posts_dir)
    posts_dir.mkdir(parents=True)
    for index, minute in enumerate(minutes):
        name, text = render_post(rng, index, start + dt.timedelta(minutes=minute))
        (posts_dir / name).write_text(text, encoding="utf-8", newline="\n")


def ensure_posts(case_dir: Path, n: int, seed: int) -> Path:
    """Generate the posts unless a kept work directory already holds exactly these."""
    posts_dir = case_dir / "posts"
    stamp = case_dir / "posts.stamp"
    wanted = json.dumps({"generator": GENERATOR_VERSION, "n": n, "seed": seed})
    if stamp.exists() and stamp.read_text() == wanted:
        return posts_dir
    stamp.unlink(missing_ok=True)
    generate_posts(posts_dir, n, seed)
    stamp.write_text(wanted)
    return posts_dir


def _front_matter(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("\n---\n", 1)[0]


def front_matter_countries(posts_dir: Path) -> set[str]:
    """The countries named in front matter: the terms Hugo makes feeds for."""
    found: set[str] = set()
    for path in posts_dir.glob("*.md"):
        for line in _front_matter(path).splitlines():
            if line.startswith("countries: [") and line.endswith("]"):
                found.update(x.strip() for x in line[len("countries: [") : -1].split(","))
    return found


def newest_post_with_countries(posts_dir: Path) -> Path:
    """The post an editor is most likely to touch: the newest, in the site's and country feeds."""
    for path in sorted(posts_dir.glob("*.md"), reverse=True):
        if "\ncountries: [" in _front_matter(path):
            return path
    return max(posts_dir.glob("*.md"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the benchmark's synthetic posts.")
    parser.add_argument("posts_dir", type=Path, help="emptied first, then filled")
    parser.add_argument("--n", type=int, default=1000, help="how many (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="(default: %(default)s)")
    args = parser.parse_args(argv)
    generate_posts(args.posts_dir, args.n, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
