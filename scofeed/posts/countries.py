"""Which countries a post concerns: the gazetteer (package data, extendable) and `detect`."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from scofeed.errors import ConfigError
from scofeed.posts.slugs import slugify

# Read beside the package rather than through importlib.resources, whose import alone costs
# every build, no-op runs from cron included, some 10 ms (scofeed is never run from a zip).
GAZETTEER_FILE = Path(__file__).parent.parent / "data" / "gazetteer.toml"


@dataclass(frozen=True)
class Gazetteer:
    """Country name -> the words that mention it, and the phrases that never count."""

    countries: tuple[tuple[str, tuple[str, ...]], ...]
    exclude: tuple[str, ...]

    @cached_property
    def _by_name(self) -> dict[str, str]:
        return {name: country for country, names in self.countries for name in names}

    @cached_property
    def _mention(self) -> re.Pattern[str]:
        # Every name and every excluded phrase in one regex, shaped as a trie ("Russia" and
        # "Russian" share "Russia"), longer continuations tried first, so that "Russian
        # Federation" wins over "Russian" and "Shanghai Cooperation Organization" over
        # "Shanghai". A plain alternation tries every phrase in turn at each capital letter;
        # the trie tries only those that share what has matched so far (~1.6x faster). No
        # group or look-behind in front: the engine then skips every position whose character
        # starts no name; the word boundary before a match is checked in `detect` instead.
        phrases = [_tokens(n) for n in self._by_name]
        phrases += [_tokens(p, fold=True) for p in self.exclude]
        return re.compile(rf"(?:{_trie_pattern(phrases)})(?!\w)")

    def detect(self, *texts: str) -> frozenset[str]:
        """The countries that `texts` name, as canonical country names."""
        found: set[str] = set()
        by_name = self._by_name
        for text in texts:
            for match in self._mention.finditer(text):
                start = match.start()
                if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
                    continue  # inside a word: "Prussians" names no Russians
                # White space inside a match may be a line break: fold it to look the name up.
                # An excluded phrase ("Shanghai Five") matches too, and names nothing.
                country = by_name.get(" ".join(match.group().split()))
                if country is not None:
                    found.add(country)
        return frozenset(found)

    @cached_property
    def _by_folded(self) -> dict[str, str]:
        return {name.casefold(): country for name, country in self._by_name.items()}

    def canonical(self, name: str) -> str:
        """A declared country name in its canonical form: `Russian Federation` -> `Russia`, and
        `china` -> `China` (an editor's front matter is not held to the case of the text)."""
        folded = " ".join(name.split())
        return self._by_name.get(folded) or self._by_folded.get(folded.casefold(), folded)

    def lookup(self, name: str) -> str | None:
        """The country a user means (any case, any of its names), or None."""
        folded = " ".join(name.split()).casefold()
        return self._by_folded.get(folded)

    @cached_property
    def _declared(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        return {}

    def canonical_all(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """`canonical` of each name, sorted, without repeats; remembered, since a big store
        declares the same few lists again and again."""
        known = self._declared.get(names)
        if known is None:
            known = self._declared[names] = tuple(sorted({self.canonical(n) for n in names}))
        return known


def _tokens(name: str, fold: bool = False) -> list[str]:
    """A name as regex pieces, one per character, with any run of white space (a line break in
    Markdown, say) between its words; with `fold`, every word after the first is one piece that
    matches in any case ("Shanghai spirit/Spirit")."""
    first, *rest = name.split()
    pieces = [re.escape(c) for c in first]
    for word in rest:
        pieces.append(r"\s+")
        pieces += [f"(?i:{re.escape(word)})"] if fold else [re.escape(c) for c in word]
    return pieces


_Trie = dict[str, "_Trie"]  # piece -> the pieces that may follow it


def _trie_pattern(phrases: Iterable[list[str]]) -> str:
    """One regex matching each phrase; where one phrase continues another, the longer is tried
    first (a greedy optional group), as a longest-first alternation would."""
    end = ""  # a key no piece can be: marks that a phrase ends here
    root: _Trie = {}
    for pieces in phrases:
        node = root
        for piece in pieces:
            node = node.setdefault(piece, {})
        node[end] = {}

    def pattern(node: _Trie) -> str:
        branches = [piece + pattern(child) for piece, child in sorted(node.items()) if piece]
        if not branches:
            return ""
        if len(branches) == 1 and end not in node:
            return branches[0]
        return f"(?:{'|'.join(branches)})" + ("?" if end in node else "")

    return pattern(root)


def load_gazetteer(
    extra: Iterable[tuple[str, tuple[str, ...]]] = (), source: str = "scofeed.toml"
) -> Gazetteer:
    """The shipped gazetteer, with a site's `[gazetteer.NAME]` tables (from `source`) added
    or put in place."""
    text = GAZETTEER_FILE.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    table: dict[str, tuple[str, ...]] = {
        country: tuple([country, *spec["names"]]) for country, spec in data["countries"].items()
    }
    for country, names in extra:
        if not slugify(country, max_length=None):
            raise ConfigError(
                f"{source}: [gazetteer] {country!r} has no letters or digits to name its feed"
            )
        table[country] = tuple([country, *names])
    owners: dict[str, str] = {}
    for country, names in table.items():
        for name in names:
            other = owners.setdefault(name, country)
            if other != country:
                raise ConfigError(
                    f"{source}: [gazetteer] {name!r} is listed for both {other} and {country}; "
                    "keep it under one country"
                )
    return Gazetteer(
        countries=tuple(sorted((c, tuple(dict.fromkeys(n))) for c, n in table.items())),
        exclude=tuple(data.get("exclude", ())),
    )
