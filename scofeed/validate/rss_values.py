"""The RSS 2.0 element rules: what each element's text, attributes and children must be.

`RssValues` holds the element names of RSS 2.0, the generic pieces every element goes through
(attributes, text-only content, known and unrepeated children) and one handler per element whose
value has rules: guid, enclosure, source, cloud, image, textInput, skipHours, skipDays, ttl,
language, e-mail addresses, dates and URLs. The structure class in `scofeed.validate.rss` extends
it and dispatches to the handlers.
"""

from __future__ import annotations

import re
from collections.abc import Container
from typing import Any, ClassVar

from scofeed.validate.checker import Checker
from scofeed.validate.rules import Report
from scofeed.validate.values import (
    absolute_url_problem,
    is_element,
    is_email_field,
    is_mime_type,
    is_rss_language,
    non_negative_int,
    qname,
    rfc822_problems,
    text_of,
)

# Children each container allows (elements in no namespace), and which may repeat.
CHANNEL = {
    "title", "link", "description", "language", "copyright", "managingEditor", "webMaster",
    "pubDate", "lastBuildDate", "category", "generator", "docs", "cloud", "ttl", "image",
    "rating", "textInput", "skipHours", "skipDays", "item",
}  # fmt: skip
ITEM = {
    "title", "link", "description", "author", "category", "comments", "enclosure", "guid",
    "pubDate", "source",
}  # fmt: skip
IMAGE = {"url", "title", "link", "width", "height", "description"}
TEXT_INPUT = {"title", "description", "name", "link"}
REPEATABLE = {"category", "item", "enclosure", "hour", "day"}
# For the hint of an unexpected element: every name RSS 2.0 defines, and where the names
# most often misplaced belong.
ALL_NAMES = CHANNEL | ITEM | IMAGE | TEXT_INPUT | {"rss", "channel", "hour", "day"}
WHERE = {"item": "<channel>", "channel": "<rss>", "enclosure": "<item>", "guid": "<item>"}
# The name of the text object a form submits (an HTML NAME token: HTML 4.01 section 6.2).
_FORM_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_:.\-]*\Z")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class RssValues(Checker):
    """The generic pieces and one handler per element with rules of its own."""

    ATTRIBUTES: ClassVar[dict[str, set[str]]] = {
        "rss": {"version"},
        "category": {"domain"},
        "cloud": {"domain", "port", "path", "registerProcedure", "protocol"},
        "enclosure": {"url", "length", "type"},
        "guid": {"isPermaLink"},
        "source": {"url"},
    }
    UNEXPECTED_ATTRIBUTE = "rss-unexpected-attribute"
    SPEC = "RSS 2.0"

    def __init__(self, report: Report) -> None:
        super().__init__(report)
        self.guids: dict[str, Any] = {}

    # -- generic pieces -----------------------------------------------------------------------

    def unexpected(self, el: Any, parent: str) -> None:
        name = el.tag
        lowered = {n.lower(): n for n in ALL_NAMES}
        if name in WHERE and WHERE[name] != f"<{parent}>":
            hint = f"; <{name}> belongs inside {WHERE[name]}"
        elif name.lower() in lowered and lowered[name.lower()] != name:
            hint = f"; element names are case-sensitive: did you mean <{lowered[name.lower()]}>?"
        elif name in ALL_NAMES:
            hint = f"; <{name}> is not allowed inside <{parent}>"
        else:
            hint = "; extension elements must be in a namespace (xmlns:prefix=...)"
        self.r.add(
            "rss-unexpected-element",
            el,
            f"<{parent}> contains <{name}>, which RSS 2.0 does not define there{hint}",
            scope=el.getparent(),
        )

    def leaf(self, el: Any, name: str, *, html: bool = False) -> str:
        """An element that holds text only; returns its text."""
        self.attributes(el, name)
        if not len(el):
            return el.text or ""
        for child in el:
            if not is_element(child):
                continue
            if html:
                self.r.add(
                    "rss-html-not-escaped",
                    child,
                    f"<{name}> contains a {qname(child)} element; HTML in <{name}> must be "
                    "escaped (&lt;p&gt;) or wrapped in <![CDATA[ ... ]]>",
                )
                break
            self.r.add(
                "rss-unexpected-element",
                child,
                f"<{name}> holds text only, but contains a {qname(child)} element",
            )
        return text_of(el)

    def children(self, el: Any, parent: str, allowed: Container[str]) -> list[tuple[str, Any]]:
        """Child elements in no namespace, checked for being known and not repeated."""
        seen: set[str] = set()
        out: list[tuple[str, Any]] = []
        for child in el:
            tag = child.tag
            if tag in allowed:
                if tag in seen and tag not in REPEATABLE:
                    self.r.add(
                        "rss-duplicate-element",
                        child,
                        f"<{parent}> has more than one <{tag}>; keep one",
                        scope=el,
                    )
                    continue
                seen.add(tag)
                out.append((tag, child))
            elif not isinstance(tag, str):
                continue
            elif tag[0] == "{":
                self.extension(child, parent)
            else:
                self.unexpected(child, parent)
        return out

    def require(self, el: Any, parent: str, present: set[str], required: tuple[str, ...]) -> None:
        for name in required:
            if name not in present:
                self.r.add(
                    "rss-missing-element",
                    el,
                    f"<{parent}> has no <{name}>; RSS 2.0 requires one",
                )

    def check_url(self, el: Any, value: str, what: str) -> None:
        problem = absolute_url_problem(value.strip(), iri=False)
        if problem:
            self.r.add("rss-url", el, f'{what} "{value.strip()}" {problem}')

    def extension(self, el: Any, parent: str) -> None:
        """An element in a namespace, inside <parent>: skipped here; the structure class checks
        the few whose meaning the rules need."""

    # -- element handlers: (element, its name, the name of its parent) ------------------------

    def text(self, el: Any, name: str, parent: str) -> None:
        self.leaf(el, name)

    def html(self, el: Any, name: str, parent: str) -> None:
        self.leaf(el, name, html=True)

    def title(self, el: Any, name: str, parent: str) -> None:
        if not self.leaf(el, name, html=True).strip():
            self.r.add("rss-title-blank", el, f"the {parent} <title> is empty")

    def url_element(self, el: Any, name: str, parent: str) -> None:
        self.check_url(el, self.leaf(el, name), f"<{name}>")

    def date(self, el: Any, name: str, parent: str) -> None:
        value = self.leaf(el, name)
        for rule, message in rfc822_problems(value):
            self.r.add(rule, el, f"<{name}> {message}")

    def email(self, el: Any, name: str, parent: str) -> None:
        value = self.leaf(el, name)
        if not is_email_field(value):
            self.r.add(
                "rss-email",
                el,
                f'<{name}> "{value.strip()}" is not an e-mail address; write it as '
                f'"name@example.org (Full Name)"',
            )

    def language(self, el: Any, name: str, parent: str) -> None:
        value = self.leaf(el, name).strip()
        if not is_rss_language(value):
            self.r.add(
                "rss-language",
                el,
                f'<language> "{value}" is not a language code; write one such as "en" or "en-us"',
            )

    def ttl(self, el: Any, name: str, parent: str) -> None:
        value = self.leaf(el, name)
        if not (non_negative_int(value) or 0) > 0:
            self.r.add(
                "rss-ttl",
                el,
                f'<ttl> "{value.strip()}" must be a whole number of minutes, 1 or more (how long '
                "the channel may be cached); remove <ttl> if there is no such limit",
            )

    def guid(self, el: Any, name: str, parent: str) -> None:
        value = self.leaf(el, "guid").strip()
        permalink = el.get("isPermaLink")
        if permalink is not None and permalink not in ("true", "false"):
            self.r.add(
                "rss-guid-ispermalink",
                el,
                f'isPermaLink="{permalink}" must be "true" or "false"',
            )
        elif permalink != "false":
            problem = absolute_url_problem(value, iri=False)
            if problem is None and value[:4].lower() in ("tag:", "urn:"):
                problem = "is not a URL a browser can open"
            if problem:
                how = 'isPermaLink="true"' if permalink else "no isPermaLink attribute"
                self.r.add(
                    "rss-guid-permalink",
                    el,
                    f'<guid> "{value}" with {how} must be the item\'s URL, but {problem}; '
                    'if it is not a URL, add isPermaLink="false"',
                )
        first = self.guids.setdefault(value, el)
        if first is not el:
            self.r.add(
                "rss-guid-duplicate",
                el,
                f'<guid> "{value}" is also the guid of the item on line {first.sourceline}; '
                "every item needs its own",
            )

    def enclosure(self, el: Any, name: str, parent: str) -> None:
        self.leaf(el, "enclosure")
        url, length, mime = el.get("url"), el.get("length"), el.get("type")
        for attr, value in (("url", url), ("length", length), ("type", mime)):
            if value is None:
                self.r.add(
                    "rss-missing-attribute",
                    el,
                    f"<enclosure> has no {attr} attribute; url, length and type are required",
                )
        if url is not None:
            self.check_url(el, url, "<enclosure url>")
            scheme = url.strip().partition(":")[0].lower()
            if scheme not in ("http", "https") and ":" in url:
                self.r.add(
                    "rss-url",
                    el,
                    f'<enclosure url="{url.strip()}"> must be an http(s) URL, as RSS 2.0 says',
                )
        if length is not None and non_negative_int(length) is None:
            self.r.add(
                "rss-enclosure",
                el,
                f'<enclosure length="{length}"> must be the size in bytes, a whole number '
                "(0 when unknown)",
            )
        if mime is not None and not is_mime_type(mime.strip()):
            self.r.add(
                "rss-enclosure",
                el,
                f'<enclosure type="{mime}"> is not a MIME type such as "audio/mpeg"',
            )

    def source(self, el: Any, name: str, parent: str) -> None:
        self.leaf(el, name)
        url = el.get("url")
        if url is None:
            self.r.add("rss-missing-attribute", el, "<source> has no url attribute")
        else:
            self.check_url(el, url, "<source url>")

    def cloud(self, el: Any, name: str, parent: str) -> None:
        self.leaf(el, "cloud")
        for attr in ("domain", "port", "path", "registerProcedure", "protocol"):
            if el.get(attr) is None:
                self.r.add("rss-missing-attribute", el, f"<cloud> has no {attr} attribute")
        port = el.get("port")
        if port is not None and not (non_negative_int(port) or 0) > 0:
            self.r.add("rss-cloud", el, f'<cloud port="{port}"> must be a port number')

    def image(self, el: Any, name: str, parent: str) -> None:
        self.attributes(el, "image")
        kids = self.children(el, "image", IMAGE)
        self.require(el, "image", {n for n, _ in kids}, ("url", "title", "link"))
        limits = {"width": 144, "height": 400}
        for child_name, child in kids:
            value = self.leaf(child, child_name)
            if child_name in ("url", "link"):
                self.check_url(child, value, f"<image><{child_name}>")
            elif child_name in limits:
                number = non_negative_int(value)
                if number is None or not 0 < number <= limits[child_name]:
                    self.r.add(
                        "rss-image-size",
                        child,
                        f'<image><{child_name}> "{value.strip()}" must be a whole number from '
                        f"1 to {limits[child_name]}",
                    )

    def text_input(self, el: Any, name: str, parent: str) -> None:
        self.attributes(el, "textInput")
        kids = self.children(el, "textInput", TEXT_INPUT)
        required = ("title", "description", "name", "link")
        self.require(el, "textInput", {n for n, _ in kids}, required)
        for child_name, child in kids:
            value = self.leaf(child, child_name)
            if child_name == "link":
                self.check_url(child, value, "<textInput><link>")
            elif child_name == "name" and not _FORM_NAME.match(value.strip()):
                self.r.add(
                    "rss-text-input-name",
                    child,
                    f'<textInput><name> "{value.strip()}" is not a form field name: a letter, '
                    'then letters, digits, "-", "_", ":" or "." (such as "q")',
                )

    def skip_hours(self, el: Any, name: str, parent: str) -> None:
        self.attributes(el, "skipHours")
        hours = self.children(el, "skipHours", {"hour"})
        if not hours:
            self.r.add(
                "rss-missing-element",
                el,
                "<skipHours> holds no <hour>; list the hours (0-23, GMT) or remove <skipHours>",
            )
        if len(hours) > 24:
            self.r.add("rss-skip-hours", el, f"<skipHours> has {len(hours)} hours; at most 24")
        seen: set[int] = set()
        for _, child in hours:
            value = self.leaf(child, "hour").strip()
            number = non_negative_int(value) if len(value) <= 2 else None
            if number is None or number > 23:
                self.r.add(
                    "rss-skip-hours",
                    child,
                    f'<hour> "{value}" must be a whole number from 0 to 23 (GMT)',
                )
            elif number in seen:
                self.r.add("rss-skip-hours", child, f"<hour> {number} is listed twice")
            else:
                seen.add(number)

    def skip_days(self, el: Any, name: str, parent: str) -> None:
        self.attributes(el, "skipDays")
        days = self.children(el, "skipDays", {"day"})
        if not days:
            self.r.add(
                "rss-missing-element",
                el,
                "<skipDays> holds no <day>; list the days (Monday...Sunday) or remove <skipDays>",
            )
        if len(days) > 7:
            self.r.add("rss-skip-days", el, f"<skipDays> has {len(days)} days; at most 7")
        seen: set[str] = set()
        for _, child in days:
            value = self.leaf(child, "day").strip()
            if value not in DAYS:
                self.r.add(
                    "rss-skip-days",
                    child,
                    f'<day> "{value}" must be one of Monday, Tuesday, ... Sunday',
                )
            elif value in seen:
                self.r.add("rss-skip-days", child, f"<day> {value} is listed twice")
            seen.add(value)
