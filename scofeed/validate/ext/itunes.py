"""The iTunes podcast namespace (http://www.itunes.com/dtds/podcast-1.0.dtd) as Apple's podcast
RSS requirements describe it: which tags a show (the channel) and an episode (an item) carry,
and each tag's values. Apple Podcasts refuses or ignores a feed whose tags it cannot read, so its
"must" is an error here; its advice (image formats, keywords, tags in the wrong place, which
it ignores) is a warning. Values are compared as written: Apple does not trim them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scofeed.validate.ext import itunes_values as iv
from scofeed.validate.values import absolute_url_problem, element_name, text_of

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
NAMESPACES = (NS,)
SPEC = "Apple Podcasts RSS requirements"

RULES = (
    ("itunes-unknown", "error", "an element of the iTunes namespace Apple does not define",
     f"{SPEC} (the itunes: tags)"),
    ("itunes-misplaced", "warning", "a show tag in an episode, or an episode tag in the channel",
     f"{SPEC} (show tags in <channel>, episode tags in <item>)"),
    ("itunes-duplicate", "error", "an iTunes tag repeated where it describes its parent once",
     f"{SPEC} (one of each tag per show or episode)"),
    ("itunes-explicit", "error", "an itunes:explicit that is not true/false (or yes/no/clean)",
     f"{SPEC}, <itunes:explicit> (true or false)"),
    ("itunes-yes-no", "error", "an itunes:block/complete/isClosedCaptioned that is not Yes/No",
     f"{SPEC}, <itunes:block>, <itunes:complete> (Yes)"),
    ("itunes-type", "error", "an itunes:type or itunes:episodeType outside its values",
     f"{SPEC}, <itunes:type> (episodic|serial), <itunes:episodeType> (full|trailer|bonus)"),
    ("itunes-number", "error", "an itunes:episode or itunes:season that is not a whole number > 0",
     f"{SPEC}, <itunes:episode>, <itunes:season> (non-zero integers)"),
    ("itunes-duration", "error", "an itunes:duration that is not seconds, MM:SS or H:MM:SS",
     f"{SPEC}, <itunes:duration>"),
    ("itunes-image", "error", "an itunes:image without an href, or an href that is not a URL",
     f"{SPEC}, <itunes:image href=...> (required attribute)"),
    ("itunes-image-format", "warning", "an itunes:image that is not a .jpg or .png file",
     f"{SPEC}, <itunes:image> (JPEG or PNG, 1400-3000 pixels square)"),
    ("itunes-category", "error", "an itunes:category without text or not in Apple's list",
     f"{SPEC}, <itunes:category> (Apple Podcasts categories)"),
    ("itunes-category-obsolete", "warning", "an itunes:category from Apple's former list",
     f"{SPEC}, <itunes:category> (the list since 2019)"),
    ("itunes-owner-email", "error", "an itunes:owner without an itunes:email address",
     f"{SPEC}, <itunes:owner> (itunes:name, itunes:email)"),
    ("itunes-url", "error", "an itunes:new-feed-url (or link href) that is not an absolute URL",
     f"{SPEC}, <itunes:new-feed-url>"),
    ("itunes-too-long", "error", "itunes:keywords over 255 or itunes:summary over 4000 characters",
     f"{SPEC}, <itunes:summary> (up to 4000 characters), <itunes:keywords>"),
    ("itunes-keywords", "warning", "itunes:keywords not separated by commas, or holding markup",
     f"{SPEC}, <itunes:keywords> (comma-separated)"),
    ("itunes-enclosure-format", "warning", "an episode enclosure in a format Apple cannot play",
     f"{SPEC}, <enclosure> (M4A, MP3, MOV, MP4, M4V, PDF, EPUB)"),
)  # fmt: skip

SHOW = {"category", "owner", "type", "new-feed-url", "complete", "link", "applepodcastsverify"}
EPISODE = {"duration", "episode", "season", "episodeType", "isClosedCaptioned", "order"}
BOTH = {"title", "subtitle", "summary", "author", "image", "explicit", "block", "keywords"}
OWNER = {"name", "email"}
ONCE = (SHOW | EPISODE | BOTH) - {"category"}
CHANNELS = {"channel", "feed"}
ITEMS = {"item", "entry"}
ENUMS = {
    "type": ("episodic", "serial"),
    "episodeType": ("full", "trailer", "bonus"),
}
_YES_NO = {"yes", "no", "true", "false"}
_EMAIL = re.compile(r"[^\s@<>()]+@[^\s@<>()]+\.[^\s@<>()]+\Z")
_MARKUP = re.compile(r"<[A-Za-z/!]|&[A-Za-z]+;")


def check(root: Any, report: Report, fmt: str) -> None:
    episodes: set[Any] = set()
    for el in root.iter(f"{{{NS}}}*"):
        name = el.tag[len(NS) + 2 :]
        parent = el.getparent()
        where = element_name(parent)
        if name in OWNER:
            if where != "owner":
                _unknown(el, name, "belongs in <itunes:owner>", report)
            continue
        if name not in SHOW | EPISODE | BOTH:
            _unknown(el, name, "is not an Apple Podcasts tag", report)
            continue
        if where in ITEMS:
            episodes.add(parent)
        _placement(el, name, where, report)
        if name in ONCE and parent is not None and parent.find(el.tag) is not el:
            report.add(
                "itunes-duplicate", el,
                f"<itunes:{name}> appears twice in the same <{where}>; keep one",
            )  # fmt: skip
        _HANDLERS.get(name, _text)(el, name, report)
    for item in episodes:
        _enclosures(item, report)


def _unknown(el: Any, name: str, why: str, report: Report) -> None:
    report.add(
        "itunes-unknown", el,
        f"<itunes:{name}> {why}; Apple Podcasts ignores it: check the name (case matters, "
        "as in itunes:episodeType and itunes:new-feed-url) or remove it",
    )  # fmt: skip


def _placement(el: Any, name: str, where: str, report: Report) -> None:
    if name in SHOW and where != "category" and where not in CHANNELS:
        wrong = "the show (<channel>)"
    elif name in EPISODE and where not in ITEMS:
        wrong = "an episode (<item>)"
    else:
        return
    report.add(
        "itunes-misplaced", el,
        f"<itunes:{name}> describes {wrong}; in <{where}> Apple Podcasts ignores it: move it",
    )  # fmt: skip


def _text(el: Any, name: str, report: Report) -> None:
    value = text_of(el)
    if name == "summary" and len(value) > 4000:
        report.add(
            "itunes-too-long", el,
            f"<itunes:summary> has {len(value)} characters; Apple allows 4000: shorten it",
        )  # fmt: skip


def _explicit(el: Any, name: str, report: Report) -> None:
    value = text_of(el)
    if value.lower() not in ("true", "false", "yes", "no", "clean"):
        report.add(
            "itunes-explicit", el,
            f'<itunes:explicit> is "{value}"; write true or false (no spaces around it)',
        )  # fmt: skip


def _yes_no(el: Any, name: str, report: Report) -> None:
    value = text_of(el)
    if value.lower() not in _YES_NO:
        report.add(
            "itunes-yes-no", el,
            f'<itunes:{name}> is "{value}"; write Yes (or No, or leave the tag out)',
        )  # fmt: skip


def _enum(el: Any, name: str, report: Report) -> None:
    value = text_of(el)
    allowed = ENUMS[name]
    if value.lower() not in allowed:
        report.add(
            "itunes-type", el,
            f'<itunes:{name}> is "{value}"; write one of: {", ".join(allowed)}',
        )  # fmt: skip


def _number(el: Any, name: str, report: Report) -> None:
    value = text_of(el)
    if not value.isascii() or not value.isdigit() or int(value) == 0:
        report.add(
            "itunes-number", el,
            f'<itunes:{name}> is "{value}"; write a whole number from 1, as <itunes:{name}>3'
            f"</itunes:{name}>",
        )  # fmt: skip


def _duration(el: Any, name: str, report: Report) -> None:
    value = text_of(el)
    if not iv.is_duration(value):
        report.add(
            "itunes-duration", el,
            f'<itunes:duration> is "{value}"; write seconds ("2400") or H:MM:SS ("0:40:00"), '
            "minutes and seconds below 60",
        )  # fmt: skip


def _image(el: Any, name: str, report: Report) -> None:
    href = el.get("href")
    if href is None:
        report.add(
            "itunes-image", el,
            '<itunes:image> needs the artwork\'s URL in an href attribute: <itunes:image '
            'href="https://example.org/cover.jpg"/> (text inside the tag is not read)',
        )  # fmt: skip
        return
    problem = absolute_url_problem(href.strip())
    if problem:
        report.add("itunes-image", el, f'<itunes:image> href="{href}" {problem}')
    elif not urlsplit(href.strip()).path.lower().endswith((".jpg", ".jpeg", ".png")):
        report.add(
            "itunes-image-format", el,
            f'<itunes:image> href="{href}" does not name a .jpg or .png file; Apple Podcasts '
            "takes JPEG or PNG artwork only",
        )  # fmt: skip


def _category(el: Any, name: str, report: Report) -> None:
    text = el.get("text")
    if text is None:
        report.add(
            "itunes-category", el,
            '<itunes:category> needs a text attribute naming the category, as '
            '<itunes:category text="Technology"/>',
        )  # fmt: skip
        return
    parent = el.getparent()
    if element_name(parent) == "category" and parent.tag == el.tag:
        top = parent.get("text") or ""
        new, old = iv.CATEGORIES.get(top, frozenset()), iv.OLD_CATEGORIES.get(top, frozenset())
        what = f'a subcategory of "{top}"'
    else:
        new = frozenset(iv.CATEGORIES)
        old = frozenset(iv.OLD_CATEGORIES)
        what = "an Apple Podcasts category"
    if text in new:
        return
    if text in old:
        report.add(
            "itunes-category-obsolete", el,
            f'<itunes:category text="{text}"> is from Apple\'s former list; pick the current '
            "category that fits (Apple maps old ones, not always as you would)",
        )  # fmt: skip
        return
    report.add(
        "itunes-category", el,
        f'<itunes:category text="{text}"> is not {what}; use a name from Apple\'s list, '
        'written exactly (with "&amp;" for &), such as "Technology" or "Society &amp; Culture"',
    )  # fmt: skip


def _owner(el: Any, name: str, report: Report) -> None:
    email = el.find(f"{{{NS}}}email")
    if email is None:
        report.add(
            "itunes-owner-email", el,
            "<itunes:owner> has no <itunes:email>; Apple contacts the owner there: add "
            "<itunes:email>you@example.org</itunes:email>",
        )  # fmt: skip
    elif not _EMAIL.match(text_of(email).strip()):
        report.add(
            "itunes-owner-email", email,
            f'<itunes:email> "{text_of(email).strip()}" is not an e-mail address',
        )  # fmt: skip


def _url(el: Any, name: str, report: Report) -> None:
    value = el.get("href") if name == "link" else text_of(el).strip()
    problem = absolute_url_problem((value or "").strip())
    if problem:
        report.add("itunes-url", el, f'<itunes:{name}> "{value}" {problem}')


def _keywords(el: Any, name: str, report: Report) -> None:
    value = text_of(el)
    if len(value) > 255:
        report.add(
            "itunes-too-long", el,
            f"<itunes:keywords> has {len(value)} characters; keep them under 255 (a few "
            "comma-separated words)",
        )  # fmt: skip
    if _MARKUP.search(value):
        report.add(
            "itunes-keywords", el,
            "<itunes:keywords> holds markup; write plain words separated by commas",
        )  # fmt: skip
    elif "," not in value and len(value.split()) > 2:
        report.add(
            "itunes-keywords", el,
            f'<itunes:keywords> "{value.strip()[:60]}" has no commas; separate the keywords '
            'with commas ("salt, pepper, shaker")',
        )  # fmt: skip


def _enclosures(item: Any, report: Report) -> None:
    for enclosure in item.iter("enclosure"):
        url, kind = enclosure.get("url") or "", (enclosure.get("type") or "").strip().lower()
        extension = urlsplit(url.strip()).path.rpartition(".")[2].lower()
        if kind in iv.MEDIA_TYPES or extension in iv.FORMATS:
            continue
        report.add(
            "itunes-enclosure-format", enclosure,
            f'this episode\'s enclosure ("{url}", {kind or "no type"}) is in a format Apple '
            "Podcasts does not play; publish M4A, MP3, MOV, MP4, M4V, PDF or EPUB",
        )  # fmt: skip


_HANDLERS = {
    "explicit": _explicit,
    "block": _yes_no,
    "complete": _yes_no,
    "isClosedCaptioned": _yes_no,
    "type": _enum,
    "episodeType": _enum,
    "episode": _number,
    "season": _number,
    "duration": _duration,
    "image": _image,
    "category": _category,
    "owner": _owner,
    "new-feed-url": _url,
    "link": _url,
    "keywords": _keywords,
}
