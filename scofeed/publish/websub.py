"""WebSub (W3C Recommendation, 2018): telling the site's hubs which feeds changed, once they are
public, so that readers subscribed through a hub get them within seconds instead of at their next
poll.

- The topics are the subscription feeds (`rss.xml`, `atom.xml`, `feed.json` of the site, of each
  country and of each tag): what readers subscribe to, and the only documents that name the hubs.
  RFC 5005 archive documents (`history/<n>/`) are never announced: nobody subscribes to them, and
  the one that changes when a post is added is reached from the subscription feed, which changed
  too.
- The announcement is the de facto publish request, which the W3C Recommendation leaves to hubs
  (section 5): a form-encoded POST of `hub.mode=publish` with the topic in `hub.url` (what
  Google's and Superfeedr's hubs read) and in `hub.topic` (what WebSubHub and newer hubs read),
  one POST per topic and hub: Google's hub takes several `hub.url` in one request, the others one
  only, and a hub that fails one topic then keeps the others. Any 2xx answer is success.
- Nothing is lost: each (hub, topic) pair is written to `cache_dir/websub-pending.json` (atomic
  writes, under a lock of its own) before it is sent, and removed once a hub accepted it. A pair a
  hub refused, or could not take (down, slow, an error answer), stays there, with a warning that
  names the hub, and is sent first by the next run, build or deploy. A hub that fails to answer
  is not tried again in the same run: its other pairs wait too, instead of each waiting out its
  timeout.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from scofeed.config import Config
from scofeed.errors import FetchError, Problem
from scofeed.infra.atomic import write_atomic
from scofeed.site import layout

PENDING_FILE = "websub-pending.json"
LOCK_FILE = "websub.lock"
TIMEOUT = 10.0  # seconds for one publish request, from connecting to the answer
WORKERS = 8  # publish requests in flight: a first build announces three feeds per folder
_FORMAT = 1

Pair = tuple[str, str]  # (hub, topic)


@dataclass(frozen=True)
class Announcement:
    sent: tuple[Pair, ...]  # accepted by their hub in this run
    pending: tuple[Pair, ...]  # left for the next run
    warnings: tuple[Problem, ...]  # one a hub that failed, and one a pending file lost

    def summary(self) -> str:
        """`announced 9 feeds to 2 hubs`."""
        topics = len({topic for _, topic in self.sent})
        hubs = len({hub for hub, _ in self.sent})
        return f"announced {_count(topics, 'feed')} to {_count(hubs, 'hub')}"


def announce(config: Config, changed_paths: Iterable[str]) -> list[str]:
    """Tell the hubs of `config` that the subscription feeds among `changed_paths` (paths below
    the output folder, of files whose bytes changed and are now public) changed, after the
    announcements earlier runs could not make. Returns the warnings; never raises for a hub."""
    return [str(warning) for warning in send(config, changed_paths).warnings]


def send(
    config: Config, changed_paths: Iterable[str] = (), *, timeout: float = TIMEOUT
) -> Announcement:
    """`announce`, with what was sent and what is still pending."""
    if not config.websub_hubs:
        return Announcement((), (), ())
    todo, warnings = _update(config, add=pairs(config, changed_paths))
    if not todo:
        return Announcement((), (), tuple(warnings))
    results = _post_all(config, todo, timeout)
    sent = tuple(pair for pair, why in results.items() if why is None)
    left, more = _update(config, remove=sent)
    warnings += more
    warnings += _failures(config, results, left)
    return Announcement(sent, tuple(left), tuple(warnings))


def record(config: Config, changed_paths: Iterable[str]) -> list[Problem]:
    """Keep the announcements of `changed_paths` for the next `send` without sending them: what
    a build does just before it makes its files public, so that a build killed after that moment
    loses none. Returns the warnings (a pending file that could not be read)."""
    if not config.websub_hubs:
        return []
    return _update(config, add=pairs(config, changed_paths))[1]


def announced_by_build(config: Config) -> bool:
    """Whether `scofeed build` announces: when the site has hubs and no `[deploy] url` (then
    the build's output is what is public; with one, `scofeed deploy` makes the feeds public
    and announces them)."""
    return bool(config.websub_hubs) and not config.deploy.url


def record_for_build(config: Config, changed_paths: Iterable[str]) -> list[Problem]:
    """`record`, when the build's own output is what is public (`announced_by_build`): what
    `scofeed build` and `scofeed watch` do just before they publish."""
    return record(config, changed_paths) if announced_by_build(config) else []


def subscription_feed(path: str) -> bool:
    """A subscription feed's path below the output folder: `rss.xml`, `atom.xml`, `feed.json` of
    the site, of a country (`countries/<slug>/`) or of a tag (`tags/<slug>/`)."""
    name = path.rpartition("/")[2]
    return name in layout.FEED_NAMES and (name == path or layout.in_term_folder(path))


def topics(config: Config, changed_paths: Iterable[str]) -> list[str]:
    """The public URLs of the subscription feeds among `changed_paths`, each once, sorted."""
    return sorted({layout.url(config, p) for p in changed_paths if subscription_feed(p)})


def pairs(config: Config, changed_paths: Iterable[str]) -> list[Pair]:
    """Every (hub, topic) to announce for `changed_paths`: each topic to each hub."""
    found = topics(config, changed_paths)  # once: `changed_paths` may be an iterator
    return [(hub, topic) for hub in config.websub_hubs for topic in found]


def pending(config: Config) -> list[Pair]:
    """The announcements waiting for the next run."""
    return _read(_pending_file(config))[0]


def _pending_file(config: Config) -> Path:
    return config.cache_dir / PENDING_FILE


def _update(
    config: Config, *, add: Iterable[Pair] = (), remove: Iterable[Pair] = ()
) -> tuple[list[Pair], list[Problem]]:
    """Read the pending pairs, append `add` (after them: the older are sent first), drop `remove`
    and the pairs of hubs no longer configured, write them back if that changed them; under the
    lock, so a build and a deploy running at once lose none of each other's. Returns the pairs
    and the warnings."""
    path = _pending_file(config)
    with _locked(config.cache_dir):
        before, warnings = _read(path)
        gone = set(remove)
        hubs = set(config.websub_hubs)
        after = [p for p in dict.fromkeys([*before, *add]) if p not in gone and p[0] in hubs]
        if after != before or warnings:
            data = {"format": _FORMAT, "pending": [{"hub": h, "topic": t} for h, t in after]}
            text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
            write_atomic(path, text.encode("utf-8"))
    return after, warnings


def _read(path: Path) -> tuple[list[Pair], list[Problem]]:
    try:
        data = json.loads(path.read_bytes())
        found = [(str(p["hub"]), str(p["topic"])) for p in data["pending"]]
    except FileNotFoundError:
        return [], []
    except (OSError, ValueError, KeyError, TypeError) as exc:  # edited by hand, or not ours
        why = (
            f"the pending WebSub announcements cannot be read ({exc}); they are lost, and the "
            "file is replaced: the feeds are announced at their next change"
        )
        return [], [Problem(str(path), None, why, warning=True)]
    return found, []


@contextlib.contextmanager
def _locked(cache_dir: Path) -> Iterator[None]:
    """An exclusive lock on `cache_dir/websub.lock`, held for a read and a write only (never
    while a hub answers), and dropped by the kernel if the process dies."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(cache_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _post_all(config: Config, todo: list[Pair], timeout: float) -> dict[Pair, str | None]:
    """Send each pair, a few at a time, oldest first. Returns why each failed (None: it was
    accepted); a pair not tried because its hub failed already is left out."""
    from concurrent.futures import ThreadPoolExecutor

    from scofeed.infra.fetching import post_form

    failed: set[str] = set()  # hubs that did not answer, or answered with a server error

    def post(pair: Pair) -> str | None:
        hub, topic = pair
        if hub in failed:
            return ""  # not tried: its hub failed already in this run
        fields = [("hub.mode", "publish"), ("hub.url", topic), ("hub.topic", topic)]
        try:
            answer = post_form(
                hub,
                fields,
                timeout=timeout,
                purpose="WebSub publish",
                allow_private=config.websub_allow_private,
                allow_hint="scofeed.toml says websub_allow_private = true",
            )
        except FetchError as exc:
            failed.add(hub)
            return str(exc).removeprefix(f"{hub}: ")
        if 200 <= answer.status < 300:
            return None
        if answer.status < 400 or answer.status >= 500 or answer.status == 429:
            failed.add(hub)  # the hub's trouble (or a move), not the topic's: wait for the next run
        why = f"answered HTTP {answer.status}" + (f": {answer.text}" if answer.text else "")
        if answer.location:
            why += f"; it moved to {answer.location}: put that address in websub_hubs"
        return why

    with ThreadPoolExecutor(max_workers=min(WORKERS, len(todo))) as pool:
        results = dict(zip(todo, pool.map(post, todo), strict=True))
    return {pair: why for pair, why in results.items() if why != ""}


def _failures(config: Config, results: dict[Pair, str | None], left: list[Pair]) -> list[Problem]:
    """One warning a hub that failed: what it said first, and how many announcements wait."""
    warnings = []
    for hub in config.websub_hubs:
        reasons = [why for (h, _), why in results.items() if h == hub and why is not None]
        if not reasons:
            continue
        waiting = sum(h == hub for h, _ in left)
        why = (
            f"the WebSub hub {reasons[0]}; {_count(waiting, 'announcement')} kept in "
            f"{_pending_file(config)} and sent by the next build or deploy"
        )
        warnings.append(Problem(hub, None, why, warning=True))
    return warnings


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
