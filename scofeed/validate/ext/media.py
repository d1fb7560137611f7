"""Media RSS 1.5.1 (https://www.rssboard.org/media-rss), namespace http://search.yahoo.com/mrss/:
media objects (`media:content`, grouped as alternatives in `media:group`) and the optional
elements describing them, which may stand in the channel (feed), an item (entry), a group or a
content element, the deeper one overriding the shallower.

Each element's attributes and value are checked against the value space the specification gives
(`media_values` holds the tables). Media RSS readers (feed readers' thumbnails, podcast and
video aggregators) skip what they cannot read, so the spec's MUSTs are errors and its advice
("should") warnings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scofeed.validate.ext import media_values as mv
from scofeed.validate.values import (
    absolute_url_problem,
    element_name,
    is_mime_type,
    is_rss_language,
    non_negative_int,
    text_of,
)

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

NS = "http://search.yahoo.com/mrss/"
OLD_NS = "http://search.yahoo.com/mrss"  # the namespace without its final slash: wrong
NAMESPACES = (NS, OLD_NS)
SPEC = "Media RSS 1.5.1"

RULES = (
    ("media-namespace", "error", "Media RSS elements in http://search.yahoo.com/mrss (no slash)",
     f"{SPEC}, namespace declaration (http://search.yahoo.com/mrss/)"),
    ("media-unknown", "error", "an element of the Media RSS namespace the specification lacks",
     f"{SPEC}, sections 5-6 (the elements)"),
    ("media-deprecated", "warning", "media:adult, replaced by media:rating",
     f"{SPEC}, change notes 1.1.0 (media:adult deprecated)"),
    ("media-duplicate", "error", "an element that describes its parent once, repeated",
     f"{SPEC}, optional elements"),
    ("media-misplaced", "warning", "media:content or media:group outside an item (entry)",
     f"{SPEC}, media:group and media:content (sub-elements of item)"),
    ("media-group-empty", "warning", "a media:group holding no media:content",
     f"{SPEC}, media:group (a grouping of media:content elements)"),
    ("media-missing-attribute", "error", "a required attribute (url, relationship) is missing",
     f"{SPEC}, media:thumbnail/player/embed (url), media:restriction (relationship)"),
    ("media-content-source", "error", "a media:content with neither url nor media:player",
     f"{SPEC}, media:content (url: if not included, a media:player must be specified)"),
    ("media-content-attribute", "error", "a media:content attribute outside its value space",
     f"{SPEC}, media:content (fileSize, type, medium, isDefault, expression, bitrate, ...)"),
    ("media-url", "error", "a URL attribute or value that is not an absolute URL",
     f"{SPEC}, url/href attributes (RFC 3986)"),
    ("media-dimension", "error", "a width or height that is not a whole number of pixels",
     f"{SPEC}, media:content/thumbnail/player/embed (height, width)"),
    ("media-text-type", "error", 'a media:title/description/text type other than plain or html',
     f"{SPEC}, media:title (type: plain or html)"),
    ("media-html", "warning", "markup or entities in text declared (or defaulting to) plain",
     f"{SPEC}, media:title (type plain: text, no markup)"),
    ("media-rating", "error", "a media:rating value outside its scheme's values",
     f"{SPEC}, media:rating (urn:simple, urn:mpaa, urn:v-chip, urn:icra)"),
    ("media-credit-role", "error", "a media:credit role not lower case or not an EBU role code",
     f"{SPEC}, media:credit (role: lower case; urn:ebu role codes by default)"),
    ("media-hash", "error", "a media:hash algo other than md5/sha-1 or a value not its hex digest",
     f"{SPEC}, media:hash (algo md5 or sha-1)"),
    ("media-npt", "error", "a time that is not an RFC 2326 NPT time",
     f"{SPEC}, media:thumbnail (time), media:text (start, end); RFC 2326 3.6"),
    ("media-language", "error", "a lang attribute that is not a language code",
     f"{SPEC}, media:content/text/subTitle (lang, RFC 3066)"),
    ("media-restriction", "error", "a media:restriction relationship, type or list not valid",
     f"{SPEC}, media:restriction (allow|deny; country|uri|sharing; ISO 3166)"),
    ("media-value", "error", "a Media RSS value outside its value space (numbers, enumerations)",
     f"{SPEC}, media:community/price/status/rights/subTitle/peerLink"),
)  # fmt: skip

# Every element of the namespace, with the attributes whose value space is an enumeration.
ELEMENTS = {
    "group", "content", "rating", "title", "description", "keywords", "thumbnail", "category",
    "hash", "player", "credit", "copyright", "text", "restriction", "community", "starRating",
    "statistics", "tags", "comments", "comment", "embed", "param", "responses", "response",
    "backLinks", "backLink", "status", "price", "license", "subTitle", "peerLink", "location",
    "rights", "scenes", "scene", "sceneTitle", "sceneDescription", "sceneStartTime",
    "sceneEndTime", "adult",
}  # fmt: skip
# What describes its parent at most once (several media:thumbnail, credit, category, rating,
# text, restriction, price, subTitle... are lists).
ONCE = {
    "title", "description", "keywords", "copyright", "player", "community", "comments",
    "embed", "responses", "backLinks", "status", "rights", "scenes", "starRating", "statistics",
    "tags",
}  # fmt: skip
ITEMS = {"item", "entry"}
ENUMS = {
    ("content", "medium"): ("image", "audio", "video", "document", "executable"),
    ("content", "isDefault"): ("true", "false"),
    ("content", "expression"): ("sample", "full", "nonstop"),
    ("status", "state"): ("active", "blocked", "deleted"),
    ("price", "type"): ("rent", "purchase", "package", "subscription"),
    ("rights", "status"): ("userCreated", "official"),
}


def check(root: Any, report: Report, fmt: str) -> None:
    old = next(root.iter(f"{{{OLD_NS}}}*"), None)
    if old is not None:
        report.add(
            "media-namespace", old,
            f'Media RSS elements are in "{NS}" (with the final slash); readers ignore '
            f'"{OLD_NS}": write xmlns:media="{NS}"',
        )  # fmt: skip
    for el in root.iter(f"{{{NS}}}*"):
        name = el.tag[len(NS) + 2 :]
        if name not in ELEMENTS:
            report.add(
                "media-unknown", el,
                f"<media:{name}> is not an element of Media RSS 1.5.1; check its spelling "
                "(the names are case-sensitive: media:subTitle, media:backLinks...)",
            )  # fmt: skip
            continue
        _element(el, name, report)


def _element(el: Any, name: str, report: Report) -> None:
    parent = el.getparent()
    if name == "adult":
        report.add(
            "media-deprecated", el,
            '<media:adult> is deprecated; write <media:rating scheme="urn:simple">adult'
            "</media:rating> (or nonadult) instead",
        )  # fmt: skip
    if name in ONCE and parent is not None:
        first = parent.find(el.tag)
        if first is not el:
            report.add(
                "media-duplicate", el,
                f"<media:{name}> appears more than once in the same element; keep one",
            )  # fmt: skip
    if name in ("title", "description", "text"):
        _typed_text(el, name, report)
    elif name in ("keywords", "copyright", "category", "credit"):
        _plain(el, name, text_of(el), report)
        if el.get("label") is not None:
            _plain(el, name, el.get("label"), report, attr="label")
    for (element, attr), allowed in ENUMS.items():
        value = el.get(attr)
        if element == name and value is not None and value not in allowed:
            rule = "media-content-attribute" if name == "content" else "media-value"
            report.add(
                rule, el,
                f'<media:{name}> {attr}="{value}" is not one of {", ".join(allowed)} '
                "(lower case, as written here)",
            )  # fmt: skip
    for attr in ("url", "href", "info"):
        if el.get(attr) is not None:
            _url(el, name, attr, el.get(attr), report)
    for attr in ("width", "height"):
        value = el.get(attr)
        if value is not None and non_negative_int(value) is None:
            report.add(
                "media-dimension", el,
                f'<media:{name}> {attr}="{value}" must be a whole number of pixels, as '
                f'{attr}="360"',
            )  # fmt: skip
    if el.get("lang") is not None and not is_rss_language(el.get("lang").strip()):
        report.add(
            "media-language", el,
            f'<media:{name}> lang="{el.get("lang")}" is not a language code; write one such '
            'as "en" or "pt-BR" (RFC 3066)',
        )  # fmt: skip
    handler = _HANDLERS.get(name)
    if handler is not None:
        handler(el, report)
    if name in ("content", "group") and element_name(parent) not in _PARENTS[name]:
        report.add(
            "media-misplaced", el,
            f"<media:{name}> belongs in an <item> (an Atom <entry>)"
            + (" or a <media:group>" if name == "content" else "")
            + "; readers look for it nowhere else: move it there",
        )  # fmt: skip


_PARENTS = {"content": ITEMS | {"group"}, "group": ITEMS}


def _url(el: Any, name: str, attr: str, value: str, report: Report) -> None:
    problem = absolute_url_problem(value.strip())
    if problem:
        report.add(
            "media-url", el,
            f'<media:{name}> {attr}="{value}" {problem}; Media RSS needs the full URL of the '
            "media object",
        )  # fmt: skip


def _typed_text(el: Any, name: str, report: Report) -> None:
    kind = el.get("type")
    if kind is not None and kind not in ("plain", "html"):
        report.add(
            "media-text-type", el,
            f'<media:{name}> type="{kind}" is neither "plain" nor "html"; write type="html" '
            "for escaped HTML, or leave type out for plain text",
        )  # fmt: skip
    elif kind != "html":
        _plain(el, name, text_of(el), report)
    if name == "text":
        for attr in ("start", "end"):
            _npt(el, name, attr, report)


def _plain(el: Any, name: str, value: str, report: Report, attr: str = "") -> None:
    if mv.HTML.search(value):
        where = f"{attr} of <media:{name}>" if attr else f"<media:{name}>"
        hint = ' or declare type="html"' if name in ("title", "description", "text") else ""
        report.add(
            "media-html", el,
            f"the {where} is plain text but holds markup or an HTML entity "
            f'("{value.strip()[:60]}"); write the characters themselves{hint}',
        )  # fmt: skip


def _npt(el: Any, name: str, attr: str, report: Report) -> None:
    value = el.get(attr)
    if value is not None and not mv.is_npt(value.strip()):
        report.add(
            "media-npt", el,
            f'<media:{name}> {attr}="{value}" is not an NPT time; write seconds ("12.5"), '
            'h:mm:ss ("0:01:12.5") or "now" (RFC 2326)',
        )  # fmt: skip


def _content(el: Any, report: Report) -> None:
    if el.get("url") is None and el.find(f"{{{NS}}}player") is None:
        parent = el.getparent()
        if parent is None or parent.find(f"{{{NS}}}player") is None:
            report.add(
                "media-content-source", el,
                '<media:content> has no url; add url="the media file\'s URL" or a '
                "<media:player url=...> for it",
            )  # fmt: skip
    checks = (
        ("fileSize", _positive_int, "a number of bytes above zero, as fileSize=\"12216320\""),
        ("bitrate", mv.NUMBER.match, 'kilobits per second, as bitrate="128"'),
        ("framerate", mv.NUMBER.match, 'frames per second, as framerate="25"'),
        ("samplingrate", mv.NUMBER.match, 'thousands of samples a second, as samplingrate="44.1"'),
        ("channels", non_negative_int, 'a number of audio channels, as channels="2"'),
        ("duration", mv.NUMBER.match, 'seconds, as duration="185"'),
    )  # fmt: skip
    for attr, ok, what in checks:
        value = el.get(attr)
        if value is not None and ok(value.strip()) is None:
            report.add(
                "media-content-attribute", el,
                f'<media:content> {attr}="{value}" is not valid: write {what}',
            )  # fmt: skip
    kind = el.get("type")
    if kind is not None and not is_mime_type(kind.strip()):
        report.add(
            "media-content-attribute", el,
            f'<media:content> type="{kind}" is not a MIME type; write one as type="video/mp4"',
        )  # fmt: skip


def _positive_int(value: str) -> int | None:
    number = non_negative_int(value)
    return number if number else None


def _group(el: Any, report: Report) -> None:
    # A group of one content is common (video sites write every entry so) and harmless; a
    # group of none describes no media object at all.
    if el.find(f"{{{NS}}}content") is None:
        report.add(
            "media-group-empty", el,
            "a <media:group> groups the <media:content> alternatives of one media object, and "
            "this one has none: add the media:content or move its elements into the item",
        )  # fmt: skip


def _thumbnail(el: Any, report: Report) -> None:
    mv.required(el, "thumbnail", "url", report)
    _npt(el, "thumbnail", "time", report)


def _player(el: Any, report: Report) -> None:
    mv.required(el, "player", "url", report)


def _typed_link(el: Any, report: Report) -> None:
    name = element_name(el)
    mv.required(el, name, "href", report)
    kind = el.get("type")
    if kind is not None and not is_mime_type(kind.strip()):
        report.add(
            "media-value", el,
            f'<media:{name}> type="{kind}" is not a MIME type (as "application/smil")',
        )  # fmt: skip


def _back_link(el: Any, report: Report) -> None:
    _url(el, "backLink", "value", text_of(el).strip(), report)


def _embed(el: Any, report: Report) -> None:
    mv.required(el, "embed", "url", report)


_HANDLERS = {
    "content": _content,
    "group": _group,
    "thumbnail": _thumbnail,
    "rating": mv.rating,
    "credit": mv.credit,
    "hash": mv.hash_element,
    "player": _player,
    "restriction": mv.restriction,
    "starRating": mv.counts,
    "statistics": mv.counts,
    "price": mv.price,
    "subTitle": _typed_link,
    "peerLink": _typed_link,
    "backLink": _back_link,
    "embed": _embed,
}
