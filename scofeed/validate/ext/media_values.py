"""The value spaces Media RSS 1.5.1 names by reference: NPT times (RFC 2326), ISO 3166 country
codes, the predefined rating schemes and the EBU role codes of `media:credit`'s default scheme.
Kept apart from `media` so the rules read as rules."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from scofeed.validate.values import absolute_url_problem, non_negative_int, text_of, uri_problem

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

# RFC 2326 section 3.6: npt-time = "now" / npt-sec / npt-hhmmss; minutes and seconds below 60.
_NPT = re.compile(r"(?:now|[0-9]+(?:\.[0-9]*)?|[0-9]+:[0-5]?[0-9]:[0-5]?[0-9](?:\.[0-9]*)?)\Z")


def is_npt(value: str) -> bool:
    return bool(_NPT.match(value))


# ISO 3166-1 alpha-2, the officially assigned codes, plus the two exceptionally reserved codes
# feeds use (UK beside GB, EU). Media RSS's own example writes them in lower case ("au us").
_COUNTRY_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO
    DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU
    GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW
    KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU
    MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW
    PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
    TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA
    ZM ZW UK EU"""
COUNTRIES = frozenset(_COUNTRY_CODES.split())

# media:rating: the schemes the specification predefines and their values (lower case).
RATINGS = {
    "urn:simple": frozenset({"adult", "nonadult"}),
    "urn:mpaa": frozenset({"g", "pg", "pg-13", "r", "nc-17", "x"}),
    # The US TV Parental Guidelines and the Canadian classifications V-chip devices read.
    "urn:v-chip": frozenset(
        {"tv-y", "tv-y7", "tv-y7-fv", "tv-g", "tv-pg", "tv-14", "tv-ma"}
        | {"c", "c8", "g", "pg", "14+", "18+"}
    ),
}
# An ICRA label: "r (" then pairs of a descriptor and a level, then ")".
ICRA = re.compile(r"r \((?:\s*[a-z]{2,3}\s+[0-9]+)*\s*\)\Z")

# media:credit's default scheme urn:ebu: the European Broadcasting Union's role codes, as the
# specification asks them to be written (lower case).
EBU_ROLES = frozenset(
    """actor|adaptor|anchor person|animal trainer|animator|announcer|armourer|art director|
    artist/performer|assistant camera|assistant chief lighting technician|assistant director|
    assistant producer|assistant visual editor|author|broadcast assistant|broadcast journalist|
    camera operator|carpenter|casting|causeur|chief lighting technician|choir|choreographer|
    clapper loader|commentary or commentator|commissioning broadcaster|composer|
    computer programmer|conductor|consultant|continuity checker|correspondent|costume designer|
    dancer|dialogue coach|director|director of photography|distribution company|draughtsman|
    dresser|dubber|editor/producer (news)|editor-in-chief|editor-of-the-day|editor|ensemble|
    executive producer|expert|fight director|floor manager|focus puller|foley artist|
    foley editor|foley mixer|graphic assistant|graphic designer|greensman|grip|hairdresser|
    illustrator|interviewed guest|interviewer|key character|key grip|key talents|leadman|
    librettist|lighting director|lighting technician|location manager|lyricist|
    make up artist|manufacturer|matte artist|music arranger|music group|musician|news reader|
    orchestra|participant|photographer|post-production editor|producer|production assistant|
    production company|production department|production manager|production secretary|
    programme production researcher|property manager|publishing company|puppeteer|
    pyrotechnician|reporter|rigger|runner|scenario|scenic operative|script supervisor|
    second assistant camera|second assistant director|second unit director|set designer|
    set dresser|sign language|singer|sound designer|sound mixer|sound recordist|
    special effects|stunts|subtitles|technical director|term|translation|
    transportation manager|treatment/programme proposal|treatment / programme proposal|
    vision mixer|visual editor|visual effects|wardrobe|witness""".replace("\n", "").split("|")
)
# The codes joining two roles ("artist/performer") also stand for each one, as the
# specification's own example writes role="artist".
EBU_ROLES = frozenset(
    " ".join(part.split()) for role in EBU_ROLES for part in (role, *role.split("/"))
)

HASH_LENGTHS = {"md5": 32, "sha-1": 40}
HEX = re.compile(r"[0-9A-Fa-f]+\Z")
# ISO 4217 currency codes are three capital letters.
CURRENCY = re.compile(r"[A-Z]{3}\Z")
NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?\Z")
DECIMAL = re.compile(r"[0-9]*\.?[0-9]+\Z")
# Text that holds markup or HTML entity references (after XML's own unescaping).
_COUNTS = {("starRating", "count"), ("statistics", "views"), ("statistics", "favorites")}
_SCORES = {("starRating", "average"), ("starRating", "min"), ("starRating", "max")}
HTML = re.compile(r"<[A-Za-z/!]|&[A-Za-z][A-Za-z0-9]*;|&#[0-9]+;|&#x[0-9A-Fa-f]+;")

# --- the element checks that are lookups in these tables ---


def required(el: Any, name: str, attr: str, report: Report) -> bool:
    if el.get(attr) is None:
        report.add(
            "media-missing-attribute", el,
            f'<media:{name}> needs a {attr} attribute; add {attr}="..."',
        )  # fmt: skip
        return False
    return True


def rating(el: Any, report: Report) -> None:
    scheme = (el.get("scheme") or "urn:simple").strip()
    value = text_of(el).strip()
    allowed = RATINGS.get(scheme)
    if allowed is not None and value not in allowed:
        report.add(
            "media-rating", el,
            f'<media:rating> "{value}" is not a {scheme} rating; write one of '
            f"{', '.join(sorted(allowed))} (lower case), or name your own scheme URI",
        )  # fmt: skip
    elif scheme == "urn:icra" and not ICRA.match(value):
        report.add(
            "media-rating", el,
            f'<media:rating scheme="urn:icra"> "{value}" is not an ICRA label; write it as '
            '"r (cz 1 lz 1 nz 1 oz 1 vz 1)"',
        )  # fmt: skip
    elif allowed is None and (problem := uri_problem(scheme)):
        report.add("media-rating", el, f'<media:rating> scheme="{scheme}" {problem}')


def credit(el: Any, report: Report) -> None:
    role = el.get("role")
    if role is None:
        return
    scheme = (el.get("scheme") or "urn:ebu").strip()
    if role != role.lower():
        report.add(
            "media-credit-role", el,
            f'<media:credit> role="{role}" must be lower case: role="{role.lower()}"',
        )  # fmt: skip
    elif scheme == "urn:ebu" and " ".join(role.split()) not in EBU_ROLES:
        report.add(
            "media-credit-role", el,
            f'<media:credit> role="{role}" is not one of the EBU role codes (the default '
            'scheme, urn:ebu); use a code such as "author", "producer" or "actor", or name '
            "your own scheme URI",
        )  # fmt: skip


def hash_element(el: Any, report: Report) -> None:
    algo = (el.get("algo") or "md5").strip()
    value = text_of(el).strip()
    length = HASH_LENGTHS.get(algo)
    if length is None:
        report.add(
            "media-hash", el,
            f'<media:hash> algo="{algo}" is not one Media RSS defines; use "md5" or "sha-1"',
        )  # fmt: skip
    elif len(value) != length or not HEX.match(value):
        report.add(
            "media-hash", el,
            f'<media:hash> "{value[:60]}" is not an {algo} digest: write its {length} '
            "hexadecimal digits",
        )  # fmt: skip


def restriction(el: Any, report: Report) -> None:
    if not required(el, "restriction", "relationship", report):
        return
    relationship = el.get("relationship")
    kind = el.get("type")
    words = text_of(el).split()
    if relationship not in ("allow", "deny"):
        problem = f'relationship="{relationship}" is neither "allow" nor "deny"'
    elif kind is not None and kind not in ("country", "uri", "sharing"):
        problem = f'type="{kind}" is not "country", "uri" or "sharing"'
    elif kind is None and words not in ([], ["all"], ["none"]):
        problem = f'"{" ".join(words)[:60]}" without a type must be "all" or "none"'
    elif kind == "country" and (bad := [w for w in words if w.upper() not in COUNTRIES]):
        problem = f'"{bad[0]}" is not an ISO 3166 country code (such as "us" or "fr")'
    elif kind == "uri" and (bad := [w for w in words if absolute_url_problem(w)]):
        problem = f'"{bad[0]}" {absolute_url_problem(bad[0])}'
    else:
        return
    report.add("media-restriction", el, f"<media:restriction> {problem}")


def counts(el: Any, report: Report) -> None:
    name = el.tag.rpartition("}")[2]
    for attr, value in el.attrib.items():
        key = (name, attr)
        ok = (
            non_negative_int(value) is not None
            if key in _COUNTS
            else bool(DECIMAL.match(value.strip()))
            if key in _SCORES
            else True
        )
        if not ok:
            report.add(
                "media-value", el,
                f'<media:{name}> {attr}="{value}" must be a number (as {attr}="3")',
            )  # fmt: skip


def price(el: Any, report: Report) -> None:
    price, currency = el.get("price"), el.get("currency")
    if price is not None and not DECIMAL.match(price.strip()):
        report.add(
            "media-value", el,
            f'<media:price> price="{price}" must be a decimal number, as price="19.99"',
        )  # fmt: skip
    if currency is not None and not CURRENCY.match(currency.strip()):
        report.add(
            "media-value", el,
            f'<media:price> currency="{currency}" must be an ISO 4217 code, as currency="EUR"',
        )  # fmt: skip
