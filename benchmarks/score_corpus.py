"""Agreement of scofeed's validator with the W3C Feed Validation Service on its test corpus.

Each case of the reference's corpus (`../shared/feedvalidator-corpus/testcases/`) says in its
opening comment what the reference reports: `Expect: SomeFinding{...}` or `Expect: !Error`.
A case states a verdict when its finding is one of the reference's errors (its `docs/error/`
pages): the document is invalid; or when it is `!Error`: the document is valid. The other cases
(a warning, `Valid*` names, `!SomeFinding`) only say that one finding is or is not reported,
often on a fragment that is no whole feed, and state no verdict. A case agrees when scofeed's
verdict is the same: at least one error (or the document refused as no feed) where the
reference reports an error, none where it reports none. The cases stating no verdict are
counted apart: how many of the reference's warning cases scofeed reports something on.

Cases are grouped by the reference's folders and, for the score the issue asks for, by kind:
core Atom (`atom/`), core RSS 2.0 (`rss/`, `rss20/`), RSS 1.0 (any case whose root is rdf:RDF),
and extensions (`ext/`, `gbase/`, `opensearch/`, `xml/`). A benchmark, not a test: it asserts
nothing; `--list` prints each disagreeing case with what scofeed found.

    python benchmarks/score_corpus.py                  # the summary
    python benchmarks/score_corpus.py --list ext/itunes  # disagreements under a folder
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from scofeed.errors import FetchError, NotAFeedError
from scofeed.validate import validate_bytes

ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "feedvalidator-corpus"
EXPECT = re.compile(rb"Expect:\s*(!?)([A-Za-z0-9_]+)")
RDF_ROOT = re.compile(rb"<(?:[A-Za-z0-9_]+:)?RDF[\s>]")
EXTENSION_FOLDERS = ("ext", "gbase", "opensearch", "xml")


@dataclass(frozen=True)
class Case:
    path: Path
    name: str  # the reference's finding, e.g. "InvalidFullLink", or "Error" for !Error
    negated: bool
    # What the reference reports: "error" (invalid), "valid" (!Error), "warning" (a warning and
    # no verdict) or "unstated" (Valid* and !SomeFinding: no verdict)
    severity: str

    @property
    def expects_error(self) -> bool:
        return self.severity == "error"


def load_cases(corpus: Path) -> list[Case]:
    errors = {p.stem for p in (corpus / "docs" / "error").glob("*.html")}
    warnings = {p.stem for p in (corpus / "docs" / "warning").glob("*.html")}
    cases = []
    for path in sorted((corpus / "testcases").rglob("*.xml")):
        match = EXPECT.search(path.read_bytes()[:4096])
        if not match:
            continue
        negated, name = bool(match[1]), match[2].decode()
        if negated:
            severity = "valid" if name == "Error" else "unstated"
        elif name == "Error" or name in errors:
            severity = "error"
        elif name in warnings:
            severity = "warning"
        else:
            severity = "unstated"
        cases.append(Case(path, name, negated, severity))
    return cases


def kind_of(case: Case, corpus: Path) -> str:
    top = case.path.relative_to(corpus / "testcases").parts[0]
    head = case.path.read_bytes()
    if RDF_ROOT.search(head[head.find(b"-->") + 3 :] if b"-->" in head else head):
        return "RSS 1.0"
    if top == "atom":
        return "core Atom"
    if top in ("rss", "rss20"):
        return "core RSS 2.0"
    return "extensions"


def verdict(data: bytes, source: str) -> tuple[str, list[str]]:
    """("error" | "warning" | "valid" | "crash", what was found)."""
    try:
        findings = validate_bytes(data, source)
    except (NotAFeedError, FetchError) as exc:
        return "error", [f"refused: {exc}"]
    except Exception as exc:  # a crash is a result here: the scorer reports it
        return "crash", [f"{type(exc).__name__}: {exc}"]
    shown = [f"{f.severity} {f.rule} (line {f.line}): {f.message}" for f in findings]
    if any(f.severity == "error" for f in findings):
        return "error", shown
    return ("warning" if findings else "valid"), shown


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT)
    ap.add_argument(
        "--list", metavar="FOLDER", nargs="?", const="", default=None,
        help="print every disagreeing case (under FOLDER, e.g. ext/itunes)",
    )  # fmt: skip
    args = ap.parse_args(argv)
    corpus = args.corpus
    if not (corpus / "testcases").is_dir():
        print(f"no corpus at {corpus}: pass --corpus DIR", file=sys.stderr)
        return 2
    by_folder: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rejected_valid: list[str] = []
    crashes: list[str] = []
    warned = [0, 0]
    for case in load_cases(corpus):
        rel = case.path.relative_to(corpus / "testcases").as_posix()
        got, found = verdict(case.path.read_bytes(), rel)
        if got == "crash":
            crashes.append(rel)
        if case.severity == "warning":
            warned[0] += got != "valid"
            warned[1] += 1
        if case.severity not in ("error", "valid"):
            continue
        agree = (got == "error") == case.expects_error and got != "crash"
        folder = "/".join(rel.split("/")[:2]) if rel.startswith("ext/") else rel.split("/")[0]
        for table, key in ((by_folder, folder), (by_kind, kind_of(case, corpus))):
            table[key][0] += agree
            table[key][1] += 1
        if got == "error" and case.severity == "valid":
            rejected_valid.append(rel)
        if not agree and args.list is not None and rel.startswith(args.list):
            want = f"{'!' if case.negated else ''}{case.name} ({case.severity})"
            print(f"{rel}: expected {want}, scofeed: {got}")
            for line in found[:4]:
                print(f"    {line}")
    print("agreement with the W3C Feed Validation Service's corpus (shared half)")
    for title, table in (("by kind", by_kind), ("by folder", by_folder)):
        print(f"\n{title}:")
        for key in sorted(table):
            ok, total = table[key]
            print(f"  {key:28} {ok:4}/{total:<4} {100 * ok / total:5.1f}%")
    print(f"\nvalid cases rejected: {len(rejected_valid)}")
    for rel in rejected_valid[:20]:
        print(f"  {rel}")
    print(f"crashes: {len(crashes)}")
    for rel in crashes:
        print(f"  {rel}")
    if warned[1]:
        print(
            f"reference's warning cases (no verdict) where scofeed reports a finding: "
            f"{warned[0]}/{warned[1]}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
